"""Chart spec + Dataset + period → ChartData: exactly what the picture shows.

ChartData holds every number, label and unit drawn and nothing else (no title,
no source line), so its hash is the cache key: a rebuild that changes only
text finds every chart in the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jianbao.charts.spec import ChartSpec, default_source, format_value, observe, resolve_period, spec_error
from jianbao.narrative import phrases
from jianbao.periods import Period


@dataclass(frozen=True)
class SeriesData:
    label: str
    axis: str  # left | right
    values: tuple[float, ...]
    texts: tuple[str, ...]  # value labels as published (half-up, qualifier)


@dataclass(frozen=True)
class ChartData:
    type: str
    categories: tuple[str, ...]
    series: tuple[SeriesData, ...]
    left_unit: str
    right_unit: str
    width_mm: float
    height_mm: float
    remainder: bool = False  # the last series (stacked_bar) or category (pie, donut) fills to 100

    def texts(self) -> list[str]:
        """Every string the picture draws (for the missing-glyph check)."""
        out = [*self.categories, self.left_unit, self.right_unit]
        for s in self.series:
            out.append(s.label)
            out.extend(s.texts)
        return [t for t in out if t]


@dataclass(frozen=True)
class _Cell:
    value: Decimal
    text: str
    unit: str
    indicator: str
    decimals: int
    qualifier: str
    period: Period


def chart_data(spec: ChartSpec, dataset, period: Period) -> ChartData:
    """Resolve every cell of the spec from the data, with errors naming file and field."""
    where = spec.where
    grid = [
        [_cell(spec, dataset, period, si, ci) for ci in range(len(spec.categories))] for si in range(len(spec.series))
    ]
    categories = tuple(_category_label(spec, dataset, ci, [row[ci] for row in grid]) for ci in range(len(spec.categories)))
    units = {"left": set(), "right": set()}
    for series, row in zip(spec.series, grid):
        units[series.axis].update(c.unit for c in row)
    left_unit = spec.unit or _one_unit(units["left"], where, "unit")
    right_unit = (spec.right_unit or _one_unit(units["right"], where, "right_unit")) if units["right"] else ""
    series_data = [
        SeriesData(
            label=_series_label(spec, dataset, period, si, row),
            axis=series.axis,
            values=tuple(float(c.value) for c in row),
            texts=tuple(c.text for c in row),
        )
        for si, (series, row) in enumerate(zip(spec.series, grid))
    ]
    if spec.remainder:
        if spec.type == "stacked_bar":
            rest = [_remainder([row[ci] for row in grid], where) for ci in range(len(categories))]
            series_data.append(
                SeriesData(spec.remainder, "left", tuple(float(v) for v, _ in rest), tuple(t for _, t in rest))
            )
        else:
            value, text = _remainder(grid[0], where)
            categories += (spec.remainder,)
            s = series_data[0]
            series_data[0] = SeriesData(s.label, s.axis, (*s.values, float(value)), (*s.texts, text))
    return ChartData(
        type=spec.type,
        categories=categories,
        series=tuple(series_data),
        left_unit=left_unit,
        right_unit=right_unit,
        width_mm=spec.width_mm,
        height_mm=spec.height_mm,
        remainder=bool(spec.remainder),
    )


def chart_source(spec: ChartSpec, dataset, period: Period) -> str:
    """The source line: the spec's, else the catalog sources of what it plots."""
    if spec.source is not None:
        return spec.source
    ids = [
        _cell(spec, dataset, period, si, ci).indicator
        for si in range(len(spec.series))
        for ci in range(len(spec.categories))
    ]
    return default_source(dataset, ids)


def _cell(spec: ChartSpec, dataset, period: Period, si: int, ci: int) -> _Cell:
    series, cat = spec.series[si], spec.categories[ci]
    if series.indicators is not None:
        indicator, field = series.indicators[ci], f"series[{si}].indicators[{ci}]"
    elif series.indicator:
        indicator, field = series.indicator, f"series[{si}].indicator"
    else:
        indicator, field = cat.indicator, f"categories[{ci}].indicator"
    if series.indicators is not None or series.indicator:
        if cat.indicator:
            raise spec_error(spec.where, f"categories[{ci}].indicator", "no indicator (the series names it)", cat.indicator)
    elif not indicator:
        raise spec_error(spec.where, field, f"an indicator id (series[{si}] names none)")
    period_field = f"categories[{ci}].period" if cat.period is not None else f"series[{si}].period"
    when = resolve_period(cat.period if cat.period is not None else series.period, period, spec.where, period_field)
    region = cat.region if cat.region is not None else (series.region or "")
    obs = observe(dataset, indicator, when, region, spec.where, field, period_field)
    ind = dataset.indicator(indicator)
    return _Cell(obs.value, format_value(obs, ind), ind.unit, indicator, ind.decimals, obs.qualifier, when)


def _category_label(spec: ChartSpec, dataset, ci: int, cells: list[_Cell]) -> str:
    """The label, else what names the category: its indicator, its region, else its period."""
    cat = spec.categories[ci]
    if cat.label:
        return cat.label
    if cat.indicator:
        return dataset.indicator(cat.indicator).name
    if cat.region:
        return cat.region
    return cells[0].period.label(year=False)


def _series_label(spec: ChartSpec, dataset, period: Period, si: int, row: list[_Cell]) -> str:
    series = spec.series[si]
    if series.label:
        return series.label
    if series.indicator:
        return dataset.indicator(series.indicator).name
    if series.period is not None:
        return resolve_period(series.period, period, spec.where, f"series[{si}].period").label(year=False)
    if len(spec.series) == 1:
        return ""  # a single series needs no legend
    raise spec_error(spec.where, f"series[{si}].label", "a label (more than one series, and nothing names this one)")


def _one_unit(units: set[str], where: str, field: str) -> str:
    if len(units) > 1:
        raise spec_error(where, field, f"one unit per axis, or {field} set (the indicators have {', '.join(sorted(units))})")
    return next(iter(units), "")


def _remainder(cells: list[_Cell], where: str) -> tuple[Decimal, str]:
    """100 minus the parts: only for exact shares in % that add up to at most 100."""
    for c in cells:
        if c.unit != "%" or c.qualifier:
            raise spec_error(where, "remainder", f"exact shares in % (found {c.indicator} = {c.text}{c.unit})")
    total = sum(c.value for c in cells)
    if total > 100:
        raise spec_error(where, "remainder", f"parts that add up to at most 100 (they add up to {total})")
    rest = Decimal(100) - total
    return rest, phrases.number(rest, max(c.decimals for c in cells))
