"""The catalog (data/catalog.yaml): sectors and the indicators each one holds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jianbao.data.problems import ProblemLog, shown
from jianbao.data.yamlfile import LineDict, check_keys, load_yaml, text

KINDS = ("level", "growth", "share", "pp", "pull", "contribution", "multiple", "count", "target")
MAX_DECIMALS = 6
_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_INDICATOR_FIELDS = ("name", "unit", "kind", "decimals", "source")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    sector: str
    unit: str
    kind: str
    decimals: int
    source: str
    note: str = ""


@dataclass(frozen=True)
class Sector:
    id: str
    name: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    indicators: dict[str, Indicator]
    sectors: dict[str, Sector]
    # False when the file is missing or unreadable: checks against it would only add noise.
    readable: bool = True


def load_catalog(path: Path, log: ProblemLog) -> Catalog:
    """Read the catalog, logging every problem; indicators with problems are kept
    (with what could be read) so observations of them are not also reported as unknown."""
    if not path.is_file():
        log.add("", "", "expected the catalog of sectors and indicators, found no such file")
        return Catalog({}, {}, readable=False)
    ok, document = load_yaml(path, log)
    if not ok:
        return Catalog({}, {}, readable=False)
    if not isinstance(document, LineDict):
        log.add("", "", f"expected a mapping of sector id to its name and indicators, found {shown(document)}")
        return Catalog({}, {}, readable=False)
    indicators: dict[str, Indicator] = {}
    sectors: dict[str, Sector] = {}
    for sector_id, node in document.items():
        line = document.line_of(sector_id)
        sector_id = str(sector_id)
        _check_id(sector_id, "a sector", line, log)
        if not isinstance(node, LineDict):
            log.at_line(line, sector_id, f"expected a mapping with name and indicators, found {shown(node)}")
            continue
        check_keys(node, log, f"{sector_id}.", ("name",), ("indicators",))
        name = text(node, "name", log, f"{sector_id}.name")
        ids = _load_indicators(sector_id, node.get("indicators"), node.line_of("indicators"), indicators, log)
        sectors[sector_id] = Sector(sector_id, name, tuple(ids))
    return Catalog(indicators, sectors)


def _load_indicators(sector: str, node: object, line: int, indicators: dict[str, Indicator],
                     log: ProblemLog) -> list[str]:
    if node is None:
        return []
    field = f"{sector}.indicators"
    if not isinstance(node, LineDict):
        log.at_line(line, field, f"expected a mapping of indicator id to its fields, found {shown(node)}")
        return []
    ids = []
    for indicator_id, fields in node.items():
        at = node.line_of(indicator_id)
        indicator_id = str(indicator_id)
        prefix = f"{field}.{indicator_id}."
        _check_id(indicator_id, "an indicator", at, log, field=prefix[:-1])
        if indicator_id in indicators:
            other = indicators[indicator_id].sector
            log.at_line(at, prefix[:-1], f"expected indicator ids unique across the catalog, "
                                         f"found {indicator_id!r} already in sector {other!r}")
            continue
        if not isinstance(fields, LineDict):
            log.at_line(at, prefix[:-1], f"expected a mapping of {', '.join(_INDICATOR_FIELDS)}, "
                                         f"found {shown(fields)}")
            continue
        check_keys(fields, log, prefix, _INDICATOR_FIELDS, ("note",))
        kind = text(fields, "kind", log, prefix + "kind")
        if kind and kind not in KINDS:
            log.at_line(fields.line_of("kind"), prefix + "kind",
                        f"expected one of {', '.join(KINDS)}, found {kind!r}")
        indicators[indicator_id] = Indicator(
            id=indicator_id,
            name=text(fields, "name", log, prefix + "name"),
            sector=sector,
            unit=text(fields, "unit", log, prefix + "unit"),
            kind=kind,
            decimals=_decimals(fields, log, prefix + "decimals"),
            source=text(fields, "source", log, prefix + "source"),
            note=text(fields, "note", log, prefix + "note", required=False),
        )
        ids.append(indicator_id)
    return ids


def _decimals(fields: LineDict, log: ProblemLog, field: str) -> int:
    value = fields.get("decimals")
    if "decimals" not in fields:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DECIMALS:
        return value
    log.at_line(fields.line_of("decimals"), field,
                f"expected a whole number from 0 to {MAX_DECIMALS}, found {shown(value)}")
    return 0


def _check_id(value: str, what: str, line: int, log: ProblemLog, field: str = "") -> None:
    if not _ID.match(value):
        log.at_line(line, field or value,
                    f"expected {what} id of lower-case letters, digits and _ starting with a letter, "
                    f"found {value!r}")
