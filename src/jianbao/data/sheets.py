"""Observation tables from CSV or XLSX, as rows of text cells in the order of COLUMNS.

Both formats give the same rows, so everything after this module is format-blind.
Row numbers are the ones a spreadsheet shows: the header is row 1. openpyxl is
imported only when a workbook is read, so projects with CSV alone never pay for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import operator
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

from jianbao.text import clean_text
from jianbao.data.problems import ProblemLog, read_utf8

COLUMNS = ("indicator", "period", "region", "value", "unit", "qualifier", "note")
REQUIRED_COLUMNS = ("indicator", "period", "value", "unit")
SUFFIXES = (".csv", ".xlsx")


# (number, cells): the row number a spreadsheet shows, and the cleaned text under each of COLUMNS
# ("" when blank or left out). A plain tuple, since a regional table has a hundred thousand rows.
Row = tuple[int, tuple[str, ...]]


def read_rows(path: Path, log: ProblemLog) -> list[Row]:
    """The data rows of one table; a problem with the file or its header is logged
    and gives no rows (reporting every row of a table with wrong columns helps nobody)."""
    if path.suffix.lower() == ".xlsx":
        try:
            with closing(_xlsx_cells(path)) as cells:
                return _rows(cells, log)
        except _WorkbookError as exc:
            log.add("", "", f"expected an Excel workbook (.xlsx), found a file openpyxl cannot read ({exc})")
            return []
    text = read_utf8(path, log)
    if text is None:
        return []
    try:
        return _rows(csv.reader(io.StringIO(text, newline="")), log)
    except csv.Error as exc:
        log.add("", "", f"expected CSV, found {exc}")
    return []


def _rows(lines: Iterable[list[str]], log: ProblemLog) -> list[Row]:
    lines = iter(lines)
    header = [cell.strip().lower() for cell in next(lines, [])]
    columns = _check_header(header, log)
    if columns is None:
        return []
    width = len(columns)
    unnamed = "" in columns
    # Each of COLUMNS from its position in the row; one left out of the header reads the "" after the row.
    pick = operator.itemgetter(*(columns.index(name) if name in columns else width for name in COLUMNS))
    rows = []
    for number, cells in enumerate(lines, start=2):
        text = "".join(cells)
        if not text.strip():
            continue  # blank rows are how people space out a sheet
        if unnamed or len(cells) > width:
            _stray_cells(number, cells, columns, log)
        if len(cells) != width:  # a short row's missing cells are blank; stray ones were reported
            cells = (cells + [""] * width)[:width]
        if not text.isprintable():  # a line break, control or direction character somewhere
            cells = [clean_text(cell) for cell in cells]
        elif " " in text:  # printable text needs no cleaning, only the spaces around a cell stripped
            cells = [cell.strip() for cell in cells]
        rows.append((number, pick([*cells, ""])))
    return rows


def _stray_cells(number: int, cells: list[str], columns: list[str], log: ProblemLog) -> None:
    """Report text in a column with no header: it belongs to no field, so it would be lost."""
    for position, cell in enumerate(cells):
        if (position >= len(columns) or not columns[position]) and cell.strip():
            log.at_row(number, "", f"expected cells only under the header's columns, "
                                   f"found {cell.strip()!r} in column {position + 1}, which has no header")


def _check_header(header: list[str], log: ProblemLog) -> list[str] | None:
    """Column name per position ("" for unnamed ones), or None if the header is wrong."""
    named = [name for name in header if name]
    missing = [c for c in REQUIRED_COLUMNS if c not in named]
    unknown = [name for name in named if name not in COLUMNS]
    repeated = sorted({name for name in named if named.count(name) > 1})
    if not (missing or unknown or repeated):
        return header
    found = ", ".join(named) if named else "no header"
    detail = "; ".join(filter(None, [
        missing and f"missing {', '.join(missing)}",
        unknown and f"unknown {', '.join(unknown)}",
        repeated and f"repeated {', '.join(repeated)}",
    ]))
    log.at_row(1, "", f"expected the columns {', '.join(COLUMNS)} (region, qualifier and note may be "
                      f"left out), found {found} ({detail})")
    return None


# openpyxl reads a formula's value from the value Excel saved with it; a file written by a
# program that never calculated it has none, which would read as an empty cell.
_FORMULA_WITHOUT_VALUE = "{} (a formula with no saved value: open and save the file in Excel, or paste values)"


class _WorkbookError(Exception):
    pass


def _xlsx_cells(path: Path) -> Iterator[list[str]]:
    """The first sheet's rows as text; numbers via repr so 1562.1 stays 1562.1."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _WorkbookError(str(exc) or type(exc).__name__) from None
    try:
        rows = workbook.worksheets[0].iter_rows(min_row=1)
        written = formulas.worksheets[0].iter_rows(min_row=1)
        for row, typed in zip(rows, written):
            yield [_FORMULA_WITHOUT_VALUE.format(source.value)
                   if cell.value is None and isinstance(source.value, str) and source.value.startswith("=")
                   else _cell_text(cell.value, getattr(cell, "number_format", "") or "")
                   for cell, source in zip(row, typed)]
    finally:
        workbook.close()
        formulas.close()


def _cell_text(value: object, number_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, (int, float)):
        return str(value)
    text = str(int(value)) if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15) else repr(value)
    if "%" in number_format:
        # 6.4% typed into a percent cell is stored as 0.064; the table wants 6.4, so this must fail.
        return f"{text} (a percent-formatted cell: type the number as published, e.g. 6.4 for 6.4%)"
    return text
