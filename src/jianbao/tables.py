"""Table specs → IR tables: rows of indicators, columns of values, units or periods.

A row maps column keys to indicator ids (``{label: 汽车产量, value:
auto_production, growth: auto_production_growth}``); a column shows one key
(``key: growth``), optionally at another period (``period: Q1``), or the unit
of the row's indicator (``show: unit``), or the period its figure is for
(``show: period``, e.g. 截至3月底 when rows differ). A row without an indicator for a key
shows "—"; a row that names one with no data for the period is a spec error.
Numbers are printed as published: half-up to the catalog's decimals, with the
qualifier (超过360, 8以上, 3000余).
"""

from __future__ import annotations

from jianbao.charts.spec import (
    TableSpec,
    default_source,
    format_value,
    known_indicator,
    load_table_specs,
    observe,
    resolve_period,
    spec_error,
)
from jianbao.document.ir import Table
from jianbao.periods import Period

MISSING = "—"

__all__ = ["build_table", "load_table_specs"]


def build_table(spec: TableSpec, dataset, period: Period, number: int = 0, caption: str = "") -> Table:
    """The IR table of a spec for the digest period; caption defaults to the spec's title."""
    where = spec.where
    rows: list[list[str]] = []
    used: list[str] = []
    for ri, row in enumerate(spec.rows):
        ids = row.indicators
        cells = [_row_label(spec, dataset, ri)]
        for ci, col in enumerate(spec.columns):
            indicator = ids.get(col.key)
            if indicator is None:
                cells.append(MISSING)
                continue
            field = f"rows[{ri}].{col.key}"
            ind = known_indicator(dataset, indicator, where, field)
            if col.show == "unit":
                cells.append(ind.unit)
                continue
            period_field = f"columns[{ci}].period" if col.period is not None else f"rows[{ri}].period"
            when = resolve_period(col.period if col.period is not None else row.period, period, where, period_field)
            if col.show == "period":
                cells.append(when.label(year=False))
                continue
            region = col.region if col.region is not None else (row.region or "")
            obs = observe(dataset, indicator, when, region, where, field, period_field)
            cells.append(format_value(obs, ind))
            used.append(indicator)
        rows.append(cells)
    header = [[spec.stub, *(c.label for c in spec.columns)]]
    numeric = [False, *(c.show == "value" for c in spec.columns)]  # writers right-align these
    source = spec.source if spec.source is not None else default_source(dataset, used)
    return Table(number, caption or spec.caption(period), header, rows, numeric, source)


def _row_label(spec: TableSpec, dataset, ri: int) -> str:
    row = spec.rows[ri]
    if row.label:
        return row.label
    first = next(iter(row.indicators.items()), None)
    if first is None:
        raise spec_error(spec.where, f"rows[{ri}].label", "a label or at least one indicator")
    return known_indicator(dataset, first[1], spec.where, f"rows[{ri}].{first[0]}").name
