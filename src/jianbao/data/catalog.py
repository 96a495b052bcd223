"""The catalog (data/catalog.yaml): sectors and the indicators each one holds.

An indicator may be *derived*: ``derive: {share: [nev_sales, auto_sales]}``
says how to compute it from others when the data does not store it (see
:class:`Derivation`; the Dataset does the computing).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from jianbao.data.problems import ProblemLog, shown
from jianbao.data.yamlfile import LineDict, LineList, check_keys, load_yaml, text

KINDS = ("level", "growth", "share", "pp", "pull", "contribution", "multiple", "count", "target")
MAX_DECIMALS = 6
_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_INDICATOR_FIELDS = ("name", "unit", "kind", "decimals", "source")
PP = "个百分点"

# derive kind → (how many inputs: exact or at least, what they are called in messages)
DERIVE_KINDS = {
    "share": ((2, 2), "part, whole"),
    "ratio": ((2, 2), "a, b"),
    "difference": ((2, 2), "a, b"),
    "sum": ((2, None), "two or more parts"),
    "remainder": ((1, None), "one or more parts"),
}


@dataclass(frozen=True)
class Derivation:
    """How a figure follows from others (catalog ``derive:``), used when the data does not store it.

    share: 100 × part / whole (%); ratio: a / b; difference: a − b (of rates: 个百分点);
    sum: a + b + …; remainder: 100 − Σ parts (the 其他 of a composition in %), or
    ``total`` − Σ parts.
    """

    kind: str
    inputs: tuple[str, ...]
    total: str = ""

    @property
    def needs(self) -> tuple[str, ...]:
        """Every indicator the value is computed from, in the order :meth:`apply` takes their values."""
        return (*self.inputs, self.total) if self.total else self.inputs

    def apply(self, values: Sequence[Decimal]) -> Decimal:
        """The exact value from the values of :attr:`needs`; ZeroDivisionError for a share or ratio of 0."""
        if self.kind in ("share", "ratio"):
            a, b = values
            if b == 0:
                raise ZeroDivisionError(f"{self.kind} of {self.inputs[0]} over {self.inputs[1]}, which is zero")
            return a * 100 / b if self.kind == "share" else a / b
        if self.kind == "difference":
            return values[0] - values[1]
        if self.kind == "sum":
            return sum(values, Decimal(0))
        if self.kind == "remainder":
            parts = values[: len(self.inputs)]
            whole = values[-1] if self.total else Decimal(100)
            return whole - sum(parts, Decimal(0))
        raise ValueError(f"unknown derivation {self.kind!r}; expected one of {', '.join(DERIVE_KINDS)}")

    def unit(self, input_unit: str) -> str | None:
        """The unit the result is in, given the inputs' one unit; None when any unit may be meant (ratio)."""
        if self.kind == "share" or (self.kind == "remainder" and not self.total):
            return "%"
        if self.kind == "difference" and input_unit == "%":
            return PP  # a gap between rates
        return None if self.kind == "ratio" else input_unit


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
    derive: Derivation | None = None


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
    derives: list[tuple[str, LineDict, str]] = []  # (indicator id, its fields, field prefix)
    for sector_id, node in document.items():
        line = document.line_of(sector_id)
        sector_id = str(sector_id)
        _check_id(sector_id, "a sector", line, log)
        if not isinstance(node, LineDict):
            log.at_line(line, sector_id, f"expected a mapping with name and indicators, found {shown(node)}")
            continue
        check_keys(node, log, f"{sector_id}.", ("name",), ("indicators",))
        name = text(node, "name", log, f"{sector_id}.name")
        ids = _load_indicators(sector_id, node.get("indicators"), node.line_of("indicators"), indicators,
                               derives, log)
        sectors[sector_id] = Sector(sector_id, name, tuple(ids))
    _load_derivations(derives, indicators, log)
    return Catalog(indicators, sectors)


def _load_indicators(sector: str, node: object, line: int, indicators: dict[str, Indicator],
                     derives: list[tuple[str, LineDict, str]], log: ProblemLog) -> list[str]:
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
        check_keys(fields, log, prefix, _INDICATOR_FIELDS, ("note", "derive"))
        if "derive" in fields:
            derives.append((indicator_id, fields, prefix))
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


def _load_derivations(derives: list[tuple[str, LineDict, str]], indicators: dict[str, Indicator],
                      log: ProblemLog) -> None:
    """Check every ``derive`` once all ids are known; attach the valid ones, cycles excepted."""
    found: dict[str, tuple[Derivation, int, str]] = {}  # id → (derivation, line, field)
    for indicator_id, fields, prefix in derives:
        derivation = _derivation(indicator_id, fields, prefix + "derive", indicators, log)
        if derivation is not None and _units_fit(indicator_id, derivation, fields, prefix, indicators, log):
            found[indicator_id] = (derivation, fields.line_of("derive"), prefix + "derive")
    for cycle in _cycles({i: d.needs for i, (d, _, _) in found.items()}):
        _, line, field = found[cycle[0]]
        log.at_line(line, field, f"expected derivations that do not go round in a circle, found {' → '.join(cycle)}")
        for member in cycle[:-1]:
            found.pop(member, None)
    for indicator_id, (derivation, _, _) in found.items():
        indicators[indicator_id] = dataclasses.replace(indicators[indicator_id], derive=derivation)


def _derivation(indicator_id: str, fields: LineDict, field: str, indicators: dict[str, Indicator],
                log: ProblemLog) -> Derivation | None:
    """The Derivation written in ``fields['derive']``, or None with every problem logged."""
    node, line = fields.get("derive"), fields.line_of("derive")
    kinds = ", ".join(DERIVE_KINDS)
    if not isinstance(node, LineDict):
        log.at_line(line, field, f"expected a mapping of one of {kinds} to indicator ids "
                                 f"(like {{share: [part, whole]}}), found {shown(node)}")
        return None
    count = len(log.problems)
    for key in node:
        if key not in DERIVE_KINDS and key != "total":
            log.at_line(node.line_of(key), f"{field}.{key}", f"expected one of {kinds} (or total, with remainder), "
                                                             f"found {key!r}")
    named = [k for k in node if k in DERIVE_KINDS]
    if len(named) != 1:
        if len(log.problems) == count:
            found = " and ".join(map(repr, named)) or "none"
            log.at_line(node.line, field, f"expected exactly one of {kinds}, found {found}")
        return None
    kind = named[0]
    if "total" in node and kind != "remainder":
        log.at_line(node.line_of("total"), f"{field}.total", f"expected total only with remainder, not with {kind}")
    ids = node[kind]
    where = f"{field}.{kind}"
    if not isinstance(ids, LineList):
        log.at_line(node.line_of(kind), where, f"expected a list of indicator ids, found {shown(ids)}")
        return None
    (least, most), what = DERIVE_KINDS[kind]
    if len(ids) < least or (most is not None and len(ids) > most):
        wanted = f"{least}" if least == most else f"at least {least}"
        log.at_line(node.line_of(kind), where, f"expected {wanted} indicator ids ({what}), found {len(ids)}")
    for i, input_id in enumerate(ids):
        _input(indicator_id, input_id, ids.lines[i], f"{where}[{i}]", indicators, log)
    total = node.get("total", "")
    if "total" in node:
        _input(indicator_id, total, node.line_of("total"), f"{field}.total", indicators, log)
    if len(log.problems) > count:
        return None
    return Derivation(kind, tuple(ids), str(total) if kind == "remainder" else "")


def _input(indicator_id: str, input_id: object, line: int, field: str, indicators: dict[str, Indicator],
           log: ProblemLog) -> None:
    if not isinstance(input_id, str) or input_id not in indicators:
        log.at_line(line, field, f"expected an indicator id of the catalog, found {shown(input_id)}")
    elif input_id == indicator_id:
        log.at_line(line, field, f"expected another indicator, found {indicator_id!r} itself")


def _units_fit(indicator_id: str, derivation: Derivation, fields: LineDict, prefix: str,
               indicators: dict[str, Indicator], log: ProblemLog) -> bool:
    """Shares, differences, sums and remainders need inputs in one unit, and give a unit of their own."""
    needs = [indicators[i] for i in derivation.needs]
    if derivation.kind != "ratio":
        units = dict.fromkeys(i.unit for i in needs)
        if len(units) > 1:
            found = " and ".join(f"{i.id} in {i.unit}" for i in needs)
            log.at_line(fields.line_of("derive"), prefix + "derive",
                        f"expected inputs in one unit for a {derivation.kind}, found {found}")
            return False
    if derivation.kind == "remainder" and not derivation.total and needs[0].unit != "%":
        log.at_line(fields.line_of("derive"), prefix + "derive",
                    f"expected parts in % for a remainder of 100 (or a total: id), found {needs[0].id} in "
                    f"{needs[0].unit}")
        return False
    expected = derivation.unit(needs[0].unit)
    unit = indicators[indicator_id].unit
    if expected is not None and unit and unit != expected:
        log.at_line(fields.line_of("unit"), prefix + "unit",
                    f"expected {expected!r} (the unit of a {derivation.kind} of {', '.join(derivation.needs)}), "
                    f"found {unit!r}")
        return False
    return True


def _cycles(graph: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Each cycle among derived ids once, as a path that ends where it starts (a → b → a)."""
    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycle = path[path.index(node):] + [node]
            if not any(set(cycle) == set(c) for c in cycles):
                cycles.append(cycle)
            return
        if node in done or node not in graph:
            return
        for need in graph[node]:
            visit(need, [*path, node])
        done.add(node)

    for node in graph:
        visit(node, [])
    return cycles


def derivation_order(catalog: dict[str, Indicator]) -> list[Indicator]:
    """Derived indicators, each after those it is computed from (so chains resolve in one pass)."""
    order: list[Indicator] = []
    placed: set[str] = set()

    def place(indicator: Indicator, path: tuple[str, ...]) -> None:
        if indicator.id in placed or indicator.derive is None:
            return
        if indicator.id in path:
            raise ValueError(f"derivations go round in a circle: {' → '.join((*path, indicator.id))}")
        for need in indicator.derive.needs:
            if need in catalog:
                place(catalog[need], (*path, indicator.id))
        placed.add(indicator.id)
        order.append(indicator)

    for indicator in catalog.values():
        place(indicator, ())
    return order


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
