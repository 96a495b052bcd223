"""The synthetic regional project (tests/fixtures/regional.py) that benchmarks/load.py times.

Only what the benchmark relies on is checked here, never a time: the project loads without
problems or warnings, every national row of the sample (but counts of provinces) has a row
for each of the 31 provinces, and ``months`` adds national and provincial monthly rows whose derived figures
the Dataset computes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jianbao.config import load_config
from jianbao.data import Dataset, read_data
from jianbao.periods import parse_period
from jianbao.scaffold import init_project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from regional import MONTHLY, NAME, NATIONAL_ONLY, PROVINCES, TABLE, write_regional_project  # noqa: E402


def _load(project: Path) -> Dataset:
    warnings: list = []
    dataset, problems = read_data(project / "data", warnings)
    assert problems == [] and warnings == []
    assert dataset is not None
    return dataset


@pytest.fixture(scope="module")
def regional(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_regional_project(tmp_path_factory.mktemp("regional") / "project")


def test_the_project_loads_without_problems_or_warnings(regional: Path):
    _load(regional)


def test_every_national_row_has_a_row_for_each_province(regional: Path):
    """Except counts of provinces (31个省份), which are national facts."""
    assert len(PROVINCES) == 31
    dataset = _load(regional)
    for o in dataset.observations():
        if not o.region and o.indicator not in NATIONAL_ONLY:
            assert {r.region for r in dataset.regions(o.indicator, o.period)} == set(PROVINCES), o
        elif o.indicator in NATIONAL_ONLY:
            assert not any(r.origin.startswith(f"data/observations/{TABLE}:")
                           for r in dataset.regions(o.indicator, o.period)), o


def test_provincial_rows_are_marked_synthetic_and_the_sample_is_kept(regional: Path, tmp_path: Path):
    observations = _load(regional).observations()
    added = [o.origin.startswith(f"data/observations/{TABLE}:") for o in observations]
    assert all(o.region and o.note == "SYNTHETIC" for o, new in zip(observations, added) if new)
    kept = [o for o, new in zip(observations, added) if not new]
    assert kept == _load(init_project(tmp_path / "sample")).observations()


def test_the_digest_name_says_the_figures_are_sample_data(regional: Path):
    assert load_config(regional).digest.name == NAME
    assert "示例数据" in NAME


def test_the_same_call_writes_the_same_table(regional: Path, tmp_path: Path):
    again = write_regional_project(tmp_path / "again")
    table = Path("data", "observations", TABLE)
    assert (again / table).read_bytes() == (regional / table).read_bytes()


def test_months_add_monthly_rows_back_from_2016m01_with_their_derived_figures(tmp_path: Path):
    dataset = _load(write_regional_project(tmp_path / "monthly", months=3))
    regions = {"", *PROVINCES}
    for code in ("2016M01", "2015M12", "2015M11"):
        for indicator in MONTHLY:
            assert {o.region for o in dataset.observations(indicator, code)} == regions
        shares = dataset.observations("nev_sales_share", code)
        assert {o.region for o in shares} == regions and all(o.derived for o in shares)
    assert dataset.observations("auto_sales", "2015M10") == []
    assert parse_period("2015M11") in dataset.periods("electronics_va_growth_gap")
