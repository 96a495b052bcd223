"""Shared fixtures: the tiny data folder (2025H1 real, 2026H1 SYNTHETIC) and its chapter list."""

from pathlib import Path

import pytest

from jianbao.data import Dataset, load_dataset

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_TEMPLATES = FIXTURES / "templates"
CHAPTERS = [
    ("industry", "工业经济总体运行", "chapters/industry.md.j2"),
    ("equipment", "装备制造业", "chapters/equipment.md.j2"),
]


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return load_dataset(FIXTURES / "data")


@pytest.fixture()
def chapters() -> list[tuple[str, str, str]]:
    return list(CHAPTERS)


@pytest.fixture()
def fixture_templates() -> Path:
    return FIXTURE_TEMPLATES
