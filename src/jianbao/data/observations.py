"""Observations (data/observations/*.csv, *.xlsx): one figure per indicator, period and region.

Values are Decimals parsed from text, never through float, so 1562.1 stays
1562.1. A value may carry thousands separators (``1,562.1``), as spreadsheets
export them; they are dropped. ``全国`` in the region column means national and
is stored as the empty region, like a blank cell.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from jianbao.data.catalog import Catalog, Indicator
from jianbao.data.problems import Problem, ProblemLog, bad_period, shown
from jianbao.data.sheets import COLUMNS, SUFFIXES, read_rows
from jianbao.figures import INFIX_QUALIFIERS, PREFIX_QUALIFIERS, SUFFIX_QUALIFIERS
from jianbao.numbers import stored_decimals
from jianbao.periods import PeriodError, Period, parse_period
from jianbao.text import name_problem

# Prefix (超过 超 近 约) before the number, suffix (以上) after the unit, 余/多 between number and unit.
QUALIFIERS = PREFIX_QUALIFIERS + SUFFIX_QUALIFIERS + INFIX_QUALIFIERS
_QUALIFIER_CELLS = frozenset(("", *QUALIFIERS))
_VALUE = COLUMNS.index("value")
NATIONAL_NAMES = ("", "全国")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?\Z")
_OTHER_SHEETS = (".xls", ".xlsm", ".ods", ".numbers")


@dataclass(frozen=True)
class Observation:
    indicator: str
    period: Period
    value: Decimal
    unit: str
    qualifier: str = ""
    region: str = ""  # "" = national (全国); provinces by short name (福建)
    note: str = ""
    origin: str = ""  # "data/observations/x.csv:12"
    derived: str = ""  # computed by the catalog's derive, not stored: "根据新能源汽车销量、汽车销量计算"


def table_files(folder: Path) -> list[Path]:
    """The observation tables, by name; editor and Excel lock files (~$x.xlsx) are skipped."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith((".", "~$"))
                  and p.suffix.lower() in SUFFIXES + _OTHER_SHEETS)


def load_observations(folder: Path, display: str, catalog: Catalog, catalog_display: str,
                      problems: list[Problem], warnings: list[Problem] | None = None) -> list[Observation]:
    """Every valid observation in file and row order; every problem logged.

    ``warnings`` collects what loads but will not print as written (a value with
    more digits than its indicator is published with).
    """
    observations: list[Observation] = []
    seen: dict[tuple[str, str, str], tuple[str, int]] = {}  # (indicator, period code, region) → file, row
    for path in table_files(folder):
        log = ProblemLog(f"{display}/{path.name}", problems)
        notices = ProblemLog(log.file, warnings if warnings is not None else [])
        if path.suffix.lower() in _OTHER_SHEETS:
            log.add("", "", f"expected a .csv or .xlsx table, found a {path.suffix} file (save it as .xlsx)")
            continue
        for number, cells in read_rows(path, log):
            observation = _observation(number, cells, log, catalog, catalog_display)
            if observation is None:
                continue
            key = (observation.indicator, observation.period.code, observation.region)
            if key in seen:
                log.at_row(number, "", "expected one observation per indicator, period and region, "
                           f"found another of {key[0]} for {key[1]} ({key[2] or '全国'}); "
                           "first at {}, row {}".format(*seen[key]))
                continue
            seen[key] = log.file, number
            observations.append(observation)
            _check_digits(number, cells[_VALUE], catalog.indicators.get(observation.indicator), notices)
    return observations


def _check_digits(number: int, text: str, indicator: Indicator | None, notices: ProblemLog) -> None:
    """Warn when a value holds more digits than its indicator is published with: it prints rounded."""
    digits = _decimals(text)
    if indicator is not None and digits > indicator.decimals:
        notices.at_row(number, "value", f"{text} has {digits} decimals; {indicator.id} is "
                                        f"published with {indicator.decimals} — it will print rounded")


def _observation(number: int, cells: tuple[str, ...], log: ProblemLog, catalog: Catalog,
                 catalog_display: str) -> Observation | None:
    count = len(log.problems)
    indicator_id, period_code, region, value_text, unit, qualifier, note = cells
    indicator = catalog.indicators.get(indicator_id)
    if not indicator_id:
        log.at_row(number, "indicator", "expected an indicator id, found nothing")
    elif indicator is None and catalog.readable:
        log.at_row(number, "indicator", f"expected an indicator id from {catalog_display}, "
                                        f"found {indicator_id!r}")
    period = None
    try:
        period = parse_period(period_code)
    except PeriodError as exc:
        log.at_row(number, "period", bad_period(period_code, exc))
    value = _number(value_text)
    if value is None:
        log.at_row(number, "value", "expected a plain number in the unit of publication "
                                    f"(like 1562.1 or -1.2), found {shown(value_text)}")
    if indicator is not None and indicator.unit and unit != indicator.unit:
        log.at_row(number, "unit", f"expected {indicator.unit!r} (the unit of {indicator_id} in "
                                   f"{catalog_display}), found {shown(unit)}")
    elif not unit:
        log.at_row(number, "unit", "expected the unit of publication, found nothing")
    if qualifier not in _QUALIFIER_CELLS:
        log.at_row(number, "qualifier", f"expected nothing or one of {', '.join(QUALIFIERS)}, "
                                        f"found {qualifier!r}")
    if region in NATIONAL_NAMES:
        region = ""
    elif why := name_problem(region, "a region name"):
        log.at_row(number, "region", why)
    if len(log.problems) > count or period is None or value is None:
        return None
    return Observation(indicator_id, period, value, unit, qualifier, region, note, f"{log.file}:{number}")


# Tables repeat their values (6.4, 8, 10) row after row: each distinct text is parsed once.
@functools.lru_cache(maxsize=4096)
def _number(text: str) -> Decimal | None:
    if not _NUMBER.match(text):
        return None
    return Decimal(text.replace(",", ""))


@functools.lru_cache(maxsize=4096)
def _decimals(text: str) -> int:
    """How many decimals a valid value is written with (1.50 → 2, though it equals 1.5)."""
    value = _number(text)
    return 0 if value is None else stored_decimals(value)
