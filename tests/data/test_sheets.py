"""CSV and XLSX give the same dataset; workbook quirks are handled or reported."""

import csv
import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from jianbao.data import load_dataset, validate_data

FIXTURES = Path(__file__).parent / "fixtures"


def _csv_to_xlsx(source: Path, target: Path) -> None:
    """As an analyst's workbook holds it: numbers as numbers, dates as dates, the rest as text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with source.open(encoding="utf-8", newline="") as stream:
        for number, row in enumerate(csv.reader(stream), start=1):
            for column, text in enumerate(row, start=1):
                sheet.cell(number, column, _typed(text) if number > 1 else text)
    workbook.save(target)


def _typed(text: str) -> object:
    plain = text.replace(",", "")
    if plain.isdigit() and len(plain) == 4:
        return int(plain)  # a year such as 2025
    try:
        return float(plain)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text)  # Excel turns 2025-06-30 into a date
    except ValueError:
        return text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "good" / "data", data)
    return data


def _without_origin(dataset):
    return [dataclasses.replace(o, origin="") for o in dataset.observations()]


def test_csv_and_xlsx_give_identical_datasets(project: Path, good):
    for path in sorted((project / "observations").glob("*.csv")):
        _csv_to_xlsx(path, path.with_suffix(".xlsx"))
        path.unlink()
    from_xlsx = load_dataset(project)
    assert _without_origin(from_xlsx) == _without_origin(good)
    assert [str(o.value) for o in from_xlsx.observations("auto_production")] == ["1562.1", "1389.1"]
    assert from_xlsx.get("auto_sales", "2025H1").origin == "data/observations/equipment.xlsx:3"
    # Row numbers are the sheet's: the blank row 6 is skipped, not renumbered.
    assert from_xlsx.get("industry_va_growth", "2025H1", "福建").origin == "data/observations/industry.xlsx:7"
    assert from_xlsx.catalog == good.catalog


def test_a_bom_from_excel_csv_export_is_accepted(project: Path, good):
    path = project / "observations" / "industry.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert _without_origin(load_dataset(project)) == _without_origin(good)


def test_lock_files_and_dot_files_are_skipped(project: Path):
    (project / "observations" / "~$industry.xlsx").write_bytes(b"lock")
    (project / "observations" / ".~lock.industry.csv#").write_text("lock")
    assert validate_data(project) == []


def _workbook(path: Path, rows: list[list[object]]) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return workbook


def test_xlsx_sheet_with_the_wrong_columns(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "xlsx_wrong_columns" / "data", data)
    (data / "observations").mkdir()
    _workbook(data / "observations" / "industry.xlsx",
              [["指标", "period", "数值", "unit", "unit"], ["industry_va_growth", "2025H1", 6.4, "%", "%"]])
    assert [str(p) for p in validate_data(data)] == [
        "data/observations/industry.xlsx, row 1: expected the columns indicator, period, region, value, "
        "unit, qualifier, note (region, qualifier and note may be left out), found 指标, period, 数值, unit, "
        "unit (missing indicator, value; unknown 指标, 数值; repeated unit)"]


def test_a_percent_formatted_cell_is_reported(project: Path):
    workbook = _workbook(project / "observations" / "more.xlsx",
                         [["indicator", "period", "value", "unit"], ["electronics_va_growth", "2025Q2", 0.116, "%"]])
    workbook.active["C2"].number_format = "0.0%"
    workbook.save(project / "observations" / "more.xlsx")
    assert [str(p) for p in validate_data(project)] == [
        "data/observations/more.xlsx, row 2, field 'value': expected a plain number in the unit of "
        "publication (like 1562.1 or -1.2), found '0.116 (a percent-formatted cell: type the number as "
        "published, e.g. 6.4 for 6.4%)'"]


def test_a_cell_outside_the_header_is_reported(project: Path):
    _workbook(project / "observations" / "more.xlsx",
              [["indicator", "period", "value", "unit"], ["electronics_va_growth", "2025Q2", 11.6, "%", "来源：统计局"]])
    assert [str(p) for p in validate_data(project)] == [
        "data/observations/more.xlsx, row 2: expected cells only under the header's columns, "
        "found '来源：统计局' in column 5, which has no header"]


def test_unreadable_tables_are_reported(project: Path):
    (project / "observations" / "broken.xlsx").write_bytes(b"not a zip")
    (project / "observations" / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (project / "observations" / "gbk.csv").write_bytes("indicator,period,value,unit\n工业,2025H1,1,%\n".encode("gbk"))
    assert [str(p) for p in validate_data(project)] == [
        "data/observations/broken.xlsx: expected an Excel workbook (.xlsx), found a file openpyxl cannot "
        "read (File is not a zip file)",
        "data/observations/gbk.csv, line 2: expected UTF-8 text, found bytes that are not (GBK, perhaps); "
        "save the file as UTF-8 (in Excel: CSV UTF-8)",
        "data/observations/old.xls: expected a .csv or .xlsx table, found a .xls file (save it as .xlsx)",
    ]
