"""Table specs → IR tables: rows of indicators, columns of values, units or periods.

A row maps column keys to indicator ids (``{label: 汽车产量, value:
auto_production, growth: auto_production_growth}``); a column shows one key
(``key: growth``), optionally at another period (``period: Q1``), or the unit
of the row's indicator (``show: unit``), or the period its figure is for
(``show: period``, e.g. 截至3月底 when rows differ). A row without an indicator for a key
shows "—"; a row whose figure the data lacks is left out (see ``build_table``).
Numbers are printed by the one figure formatter (:mod:`jianbao.figures`), as in
the text: rates with their published decimals, levels with the digits the data
holds, bounds rounded the way they claim, with the qualifier (超过360, 8以上,
3000余); a base unit scaled to 万/亿 shows that in the unit column (14 | 万家) or,
without one, in the number (14万).
"""

from __future__ import annotations

from jianbao.charts.spec import (
    MissingData,
    TableSpec,
    common_period,
    default_source,
    format_value,
    known_indicator,
    load_table_specs,
    observe,
    spec_error,
)
from jianbao.data import Indicator, Observation
from jianbao.ir import Table
from jianbao.figures import figure_parts
from jianbao.periods import Period
from jianbao.reporting import Policy, label, same

MISSING = "—"

_Placed = tuple[int, str, Observation, Indicator]  # a value cell: (index in the row, column key, its figure)

__all__ = ["build_table", "load_table_specs"]


def build_table(spec: TableSpec, dataset, period: Period, number: int = 0, caption: str = "",
                policy: Policy = Policy(), notes: list[str] | None = None) -> Table:
    """The IR table of a spec for the digest period; caption defaults to the spec's title.

    Each row states the figures the digest reports (the text's rule). A row
    whose figure is missing is left out (and noted in ``notes``); a row whose
    figure is of another period than the table's says so in its label
    (软件业务收入（1—8月）) unless a ``show: period`` column does. No row
    left: MissingData, and the build drops the table.
    """
    where = spec.where
    built: list[tuple[list[str | Period], list[str], dict[int, Period]]] = []
    for ri, row in enumerate(spec.rows):
        try:
            built.append(_row(spec, dataset, period, policy, ri))
        except MissingData as missing:
            if notes is not None:
                notes.append(f"table {spec.id}: left out row {_row_label(spec, dataset, ri)!r}, {missing.short()}")
    if not built:
        raise MissingData(where, f"no row has data for {period.code}")
    drawn = [next(iter(periods.values())) for _, _, periods in built if periods]
    shown = common_period(drawn) or period
    says_period = any(c.show == "period" for c in spec.columns)
    rows = []
    for cells, _, periods in built:
        name = cells[0]
        first = next(iter(periods.values()), None)
        if first is not None and not says_period and not same(first, shown):
            name = f"{name}（{label(first, period)}）"
        rows.append([name, *(label(c, period) if isinstance(c, Period) else c for c in cells[1:])])
    header = [[spec.stub, *(_header(c.label, [p.get(ci + 1) for _, _, p in built], period)
                            for ci, c in enumerate(spec.columns))]]
    numeric = [False, *(c.show == "value" for c in spec.columns)]  # writers right-align these
    used = [i for _, ids, _ in built for i in ids]
    source = spec.source if spec.source is not None else default_source(dataset, used)
    return Table(number, caption or spec.caption(period, drawn), header, rows, numeric, source)


def _row(spec: TableSpec, dataset, period: Period, policy: Policy, ri: int):
    """(cells, indicators used, the period of each value cell by its index); MissingData if a figure is missing."""
    where, row = spec.where, spec.rows[ri]
    ids = row.indicators
    cells: list[str | Period] = [_row_label(spec, dataset, ri)]
    used: list[str] = []
    periods: dict[int, Period] = {}
    unit_cells: dict[str, int] = {}  # column key → index of its show: unit cell
    figures: list[_Placed] = []
    for ci, col in enumerate(spec.columns):
        indicator = ids.get(col.key)
        if indicator is None:
            cells.append(MISSING)
            continue
        field = f"rows[{ri}].{col.key}"
        ind = known_indicator(dataset, indicator, where, field)
        if col.show == "unit":
            unit_cells.setdefault(col.key, len(cells))
            cells.append(ind.unit)
            continue
        period_field = f"columns[{ci}].period" if col.period is not None else f"rows[{ri}].period"
        region = col.region if col.region is not None else (row.region or "")
        when = col.period if col.period is not None else row.period
        obs = observe(dataset, indicator, when, period, region, where, field, period_field, policy)
        if col.show == "period":
            cells.append(obs.period)
            continue
        figures.append((len(cells), col.key, obs, ind))
        periods[len(cells)] = obs.period
        cells.append(format_value(obs, ind))
        used.append(indicator)
    _units_in_their_column(cells, unit_cells, figures)
    return cells, used, periods


def _units_in_their_column(cells: list[str | Period], unit_cells: dict[str, int], figures: list[_Placed]) -> None:
    """A key with a unit column prints its unit there, as scaled: 超过14 | 万家, never 140000 | 家.

    The unit column shows the unit of the key's first figure in the row; a figure of the
    same key printed in another unit (9800家 beside 1.4万家) carries its unit in its own
    cell. Keys without a unit column keep a scaling's 万/亿 in the number (14万).
    """
    for key, at in unit_cells.items():
        mine = [(i, obs, ind) for i, k, obs, ind in figures if k == key]
        parts = [figure_parts(obs.value, obs.unit, ind.decimals, ind.kind, obs.qualifier) for _, obs, ind in mine]
        if not parts:
            continue
        cells[at] = parts[0][1]
        for (i, obs, ind), (digits, unit) in zip(mine, parts):
            cells[i] = digits if unit == cells[at] else format_value(obs, ind, with_unit=True)


def _header(text: str, periods: list[Period | None], digest: Period) -> str:
    """A column label; ``{period}`` in it names the period of the figures in that column."""
    if "{period}" not in text:
        return text
    shown = common_period(p for p in periods if p is not None) or digest
    return text.replace("{period}", label(shown, digest))


def _row_label(spec: TableSpec, dataset, ri: int) -> str:
    row = spec.rows[ri]
    if row.label:
        return row.label
    first = next(iter(row.indicators.items()), None)
    if first is None:
        raise spec_error(spec.where, f"rows[{ri}].label", "a label or at least one indicator")
    return known_indicator(dataset, first[1], spec.where, f"rows[{ri}].{first[0]}").name
