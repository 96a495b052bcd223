"""A gallery of broken inputs, one small fixture each, with the exact text each must give."""

from pathlib import Path

import pytest

from jianbao.data import DataValidationError, Problem, load_dataset, validate_data

FIXTURES = Path(__file__).parent / "fixtures"
PERIODS = "2025, 2025H1, 2025Q2, 2025M05, 2025M01-05, 2025-06-30, 2025-2027 or 2025@618"
NUMBER = "expected a plain number in the unit of publication (like 1562.1 or -1.2)"
CSV = "data/observations/industry.csv"

GALLERY = {
    "unknown_indicator": [
        f"{CSV}, row 2, field 'indicator': expected an indicator id from data/catalog.yaml, found 'industry_va_grwth'",
    ],
    "duplicate_observation": [
        "data/observations/b.csv, row 3: expected one observation per indicator, period and region, found "
        "another of industry_va_growth for 2025H1 (全国); first at data/observations/a.csv, row 2",
    ],
    "bad_period": [
        f"{CSV}, row 2, field 'period': expected a period code such as {PERIODS}, found '2025H3' (a half is H1 or H2)",
    ],
    "non_numeric_value": [f"{CSV}, row 2, field 'value': {NUMBER}, found '6.4%'"],
    "unit_mismatch": [
        f"{CSV}, row 2, field 'unit': expected '%' (the unit of industry_va_growth in data/catalog.yaml), "
        "found '个百分点'",
    ],
    "missing_values": [
        f"{CSV}, row 2, field 'indicator': expected an indicator id, found nothing",
        f"{CSV}, row 2, field 'value': {NUMBER}, found nothing",
        f"{CSV}, row 2, field 'unit': expected the unit of publication, found nothing",
    ],
    "missing_column": [
        f"{CSV}, row 1: expected the columns indicator, period, region, value, unit, qualifier, note (region, "
        "qualifier and note may be left out), found indicator, period, value (missing unit)",
    ],
    "bad_qualifier": [
        f"{CSV}, row 2, field 'qualifier': expected nothing or one of 超过, 超, 近, 约, 以上, 余, 多, found '以下'",
    ],
    "unknown_kind": [
        "data/catalog.yaml, line 7, field 'industry.indicators.industry_va_growth.kind': expected one of level, "
        "growth, share, pp, pull, contribution, multiple, count, target, found 'rate'",
    ],
    "duplicate_indicator": [
        "data/catalog.yaml, line 13, field 'equipment.indicators.industry_va_growth': expected indicator ids "
        "unique across the catalog, found 'industry_va_growth' already in sector 'industry'",
    ],
    "catalog_fields": [
        "data/catalog.yaml, line 5, field 'industry.indicators.industry_va_growth.unit': expected this field, "
        "found nothing",
        "data/catalog.yaml, line 7, field 'industry.indicators.industry_va_growth.decimals': expected a whole "
        "number from 0 to 6, found 1.5",
        "data/catalog.yaml, line 9, field 'industry.indicators.industry_va_growth.unti': expected one of the "
        "fields name, unit, kind, decimals, source, note, derive, found an unknown field",
        "data/catalog.yaml, line 10, field 'industry.indicators.Auto-Output': expected an indicator id of "
        "lower-case letters, digits and _ starting with a letter, found 'Auto-Output'",
    ],
    "yaml_syntax_error": [
        # The observation that names the indicator is not reported: the catalog could not be read.
        "data/catalog.yaml, line 6: expected valid YAML, found a syntax error (while scanning for the next "
        "token: found character that cannot start any token; text that starts with %, @ or ` must be quoted, "
        "as in unit: \"%\")",
    ],
    "highlight_unknown_sector": [
        "data/highlights/h.yaml, line 5, field 'sector': expected a sector of data/catalog.yaml (industry), "
        "found 'industy'",
    ],
    "highlight_bad_period": [
        f"data/highlights/h.yaml, line 2, field 'period': expected a period code such as {PERIODS}, "
        "found '2025年上半年'",
    ],
    "highlight_missing_text": [
        "data/highlights/h.yaml, line 1, field 'text': expected this field, found nothing",
        "data/highlights/h.yaml, line 3, field 'kind': expected one of highlight, next_step, policy, found 'outlook'",
        "data/highlights/h.yaml, line 4, field 'titel': expected one of the fields sector, period, kind, text, "
        "title, found an unknown field",
    ],
    "many_problems": [
        f"{CSV}, row 3: expected one observation per indicator, period and region, found another of "
        f"industry_va_growth for 2025H1 (全国); first at {CSV}, row 2",
        f"{CSV}, row 5, field 'value': {NUMBER}, found 'abc'",
        f"{CSV}, row 5, field 'unit': expected '%' (the unit of industry_va_growth in data/catalog.yaml), "
        "found '万辆'",
        "data/observations/more.csv, row 2, field 'indicator': expected an indicator id from data/catalog.yaml, "
        "found 'nope'",
        f"data/observations/more.csv, row 2, field 'period': expected a period code such as {PERIODS}, "
        "found '2025-13-01' (no such date)",
        f"data/observations/more.csv, row 2, field 'value': {NUMBER}, found '1.0.0'",
        "data/observations/more.csv, row 2, field 'qualifier': expected nothing or one of 超过, 超, 近, 约, 以上, "
        "余, 多, found '几乎'",
    ],
}


@pytest.mark.parametrize("case", sorted(GALLERY))
def test_broken_input_gives_exactly_these_problems(case: str):
    assert [str(p) for p in validate_data(FIXTURES / case / "data")] == GALLERY[case]


def test_every_fixture_is_in_the_gallery():
    cases = {p.name for p in FIXTURES.iterdir() if p.is_dir()} - {"good", "xlsx_wrong_columns"}
    assert cases == set(GALLERY)


def test_load_dataset_raises_with_every_problem_listed():
    with pytest.raises(DataValidationError) as info:
        load_dataset(FIXTURES / "many_problems" / "data")
    assert len(info.value.problems) == 7
    assert str(info.value) == "\n".join(["7 problems in the data:", *(f"  {p}" for p in GALLERY["many_problems"])])
    assert isinstance(info.value, ValueError)


def test_problem_text_leaves_out_what_is_not_known():
    assert str(Problem("data/catalog.yaml", "", "", "expected the catalog, found no such file")) == (
        "data/catalog.yaml: expected the catalog, found no such file")
    assert str(Problem("data/x.csv", "row 12", "value", "expected a number, found 'abc'")) == (
        "data/x.csv, row 12, field 'value': expected a number, found 'abc'")


def test_missing_folder_and_catalog(tmp_path: Path):
    assert [str(p) for p in validate_data(tmp_path / "data")] == [
        "data: expected a data folder with catalog.yaml, observations/ and highlights/, found no such folder"]
    (tmp_path / "data").mkdir()
    assert [str(p) for p in validate_data(tmp_path / "data")] == [
        "data/catalog.yaml: expected the catalog of sectors and indicators, found no such file"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "data/catalog.yaml: expected a mapping of sector id to its name and indicators, found nothing"),
        ("- industry\n", "data/catalog.yaml: expected a mapping of sector id to its name and indicators, found a list"),
        ("industry:\n  name: 工业\n  indicators:\n    a_b:\n      name: x\n    a_b:\n      name: y\n",
         "data/catalog.yaml, line 6, field 'a_b': expected each key once, found it again (first at line 4)"),
        ("industry: 工业\n", "data/catalog.yaml, line 1, field 'industry': expected a mapping with name and "
                            "indicators, found '工业'"),
    ],
)
def test_catalog_shape_problems(tmp_path: Path, text: str, problem: str):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "catalog.yaml").write_text(text, encoding="utf-8")
    assert str(validate_data(tmp_path / "data")[0]) == problem
