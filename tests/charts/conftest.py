"""Shared fixtures: a small data folder owned by these tests, the sample data, the default theme."""

from __future__ import annotations

from pathlib import Path

import pytest

from jianbao.data import load_dataset
from jianbao.periods import parse_period
from jianbao.resources import builtin_path
from jianbao.theme import load_theme

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def dataset():
    return load_dataset(FIXTURES / "data")


@pytest.fixture(scope="session")
def sample():
    return load_dataset(builtin_path("sample", "data"))


@pytest.fixture(scope="session")
def period():
    return parse_period("2025H1")


@pytest.fixture(scope="session")
def theme():
    return load_theme()


def _write_spec(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def write_spec():
    """Write a spec file: write_spec(folder, name, text) -> path."""
    return _write_spec
