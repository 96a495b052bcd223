"""Chart spec + Dataset + period → ChartData: exactly what the picture shows.

ChartData holds every number, label and unit drawn and nothing else (no title,
no source line), so its hash is the cache key: a rebuild that changes only
text finds every chart in the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jianbao import reporting
from jianbao.charts.spec import (
    Category,
    ChartSpec,
    MissingData,
    common_period,
    default_source,
    format_value,
    observe,
    spec_error,
)
from jianbao.figures import number
from jianbao.numbers import largest_remainder
from jianbao.periods import Period
from jianbao.reporting import Policy


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


@dataclass(frozen=True)
class _Category:
    """One category after ``each``/``last`` expansion: the spec's entry and, when expanded, its period."""

    index: int
    cell: Category
    period: Period | None = None


def chart_data(spec: ChartSpec, dataset, period: Period, policy: Policy = Policy()) -> ChartData:
    """Resolve every cell of the spec from the data, with errors naming file and field.

    Raises MissingData when a figure is missing (the build drops the chart) and
    when fewer than ``min_categories`` categories are left.
    """
    where = spec.where
    categories, grid = _grid(spec, dataset, period, policy)
    drawn = common_period(c.period for row in grid for c in row)
    labels = tuple(_category_label(spec, dataset, period, cat, [row[k] for row in grid], drawn)
                   for k, cat in enumerate(categories))
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
            series_data = [
                _with_texts(s, [parts[si] for parts, _, _ in rest]) for si, s in enumerate(series_data)
            ]
            series_data.append(
                SeriesData(spec.remainder, "left", tuple(float(v) for _, v, _ in rest), tuple(t for _, _, t in rest))
            )
        else:
            parts, value, text = _remainder(grid[0], where)
            labels += (spec.remainder,)
            s = _with_texts(series_data[0], parts)
            series_data[0] = SeriesData(s.label, s.axis, (*s.values, float(value)), (*s.texts, text))
    return ChartData(
        type=spec.type,
        categories=labels,
        series=tuple(series_data),
        left_unit=left_unit,
        right_unit=right_unit,
        width_mm=spec.width_mm,
        height_mm=spec.height_mm,
        remainder=bool(spec.remainder),
    )


def drawn_periods(spec: ChartSpec, dataset, period: Period, policy: Policy = Policy()) -> list[Period]:
    """The periods of the figures the chart draws (for its caption)."""
    return [c.period for row in _grid(spec, dataset, period, policy)[1] for c in row]


def chart_source(spec: ChartSpec, dataset, period: Period, policy: Policy = Policy()) -> str:
    """The source line: the spec's, else the catalog sources of what it plots."""
    if spec.source is not None:
        return spec.source
    return default_source(dataset, [c.indicator for row in _grid(spec, dataset, period, policy)[1] for c in row])


def _grid(spec: ChartSpec, dataset, period: Period, policy: Policy) -> tuple[list[_Category], list[list[_Cell]]]:
    """The categories after expansion and the cells, series by series.

    An expanded category (each/last) whose figure is missing in any series is
    left out; one that repeats a period already drawn (the 一季度 of a Q1
    digest, twice) too. A missing figure anywhere else is MissingData.
    """
    categories: list[_Category] = []
    columns: list[list[_Cell]] = []
    seen: list[Period] = []
    for cat in _expand(spec, dataset, period):
        try:
            column = [_cell(spec, dataset, period, policy, si, cat) for si in range(len(spec.series))]
        except MissingData:
            if cat.period is None:
                raise
            continue
        if _is_period_category(spec, cat.cell):
            if any(reporting.same(p, column[0].period) for p in seen):
                continue
            seen.append(column[0].period)
        categories.append(cat)
        columns.append(column)
    if len(categories) < spec.min_categories:
        raise MissingData(spec.where, f"expected at least {spec.min_categories} categories with data, "
                                      f"found {len(categories)}")
    grid = [[column[si] for column in columns] for si in range(len(spec.series))]
    return categories, grid


def _expand(spec: ChartSpec, dataset, period: Period) -> list[_Category]:
    out: list[_Category] = []
    for ci, cat in enumerate(spec.categories):
        if cat.each:
            indicator = cat.indicator or spec.series[0].indicator
            out += [_Category(ci, cat, p) for p in reporting.subperiods(dataset, period, cat.each, indicator)]
        elif cat.last:
            out += [_Category(ci, cat, p) for p in reporting.last(period, cat.last)]
        else:
            out.append(_Category(ci, cat))
    return out


def _is_period_category(spec: ChartSpec, cat: Category) -> bool:
    """The category is told apart by its period (the axis runs through time)."""
    if cat.each or cat.last or (cat.period is not None and not (cat.indicator or cat.region)):
        return True
    return not (cat.indicator or cat.region or cat.label or any(s.indicators for s in spec.series))


def _cell(spec: ChartSpec, dataset, period: Period, policy: Policy, si: int, category: _Category) -> _Cell:
    series, cat, ci = spec.series[si], category.cell, category.index
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
    when = category.period or (cat.period if cat.period is not None else series.period)
    region = cat.region if cat.region is not None else (series.region or "")
    obs = observe(dataset, indicator, when, period, region, spec.where, field, period_field, policy)
    ind = dataset.indicator(indicator)
    return _Cell(obs.value, format_value(obs, ind), ind.unit, indicator, ind.decimals, obs.qualifier, obs.period)


def _category_label(spec: ChartSpec, dataset, digest: Period, category: _Category, cells: list[_Cell],
                    drawn: Period | None) -> str:
    """The label, else what names the category: its indicator, its region, else its period.

    When the chart's figures are of several periods, a category named by its
    indicator or label says the period of its own figure: 软件业务收入（1—8月）.
    """
    cat = category.cell
    if _is_period_category(spec, cat):
        return cat.label or reporting.label(cells[0].period, digest)
    name = cat.label or (dataset.indicator(cat.indicator).name if cat.indicator else cat.region)
    if drawn is None and not any(s.period for s in spec.series) and not reporting.same(cells[0].period, digest):
        return f"{name}（{reporting.label(cells[0].period, digest)}）"
    return name


def _series_label(spec: ChartSpec, dataset, period: Period, si: int, row: list[_Cell]) -> str:
    series = spec.series[si]
    if series.label:
        return series.label
    if series.indicator:
        return dataset.indicator(series.indicator).name
    if series.period is not None and row:
        return reporting.label(row[0].period, period)
    if len(spec.series) == 1:
        return ""  # a single series needs no legend
    raise spec_error(spec.where, f"series[{si}].label", "a label (more than one series, and nothing names this one)")


def _one_unit(units: set[str], where: str, field: str) -> str:
    if len(units) > 1:
        raise spec_error(where, field, f"one unit per axis, or {field} set (the indicators have {', '.join(sorted(units))})")
    return next(iter(units), "")


def _remainder(cells: list[_Cell], where: str) -> tuple[list[str], Decimal, str]:
    """The parts' labels, and the value and label of what fills them to 100.

    Only exact shares in % that add up to at most 100 qualify. Parts and rest are
    rounded together by largest remainder, so the printed slices add up to exactly
    100 (a part stored with more digits than it prints cannot make them 100.1);
    a part that prints as its text already does keeps that text.
    """
    for c in cells:
        if c.unit != "%" or c.qualifier:
            raise spec_error(where, "remainder", f"exact shares in % (found {c.indicator} = {c.text}{c.unit})")
    total = sum(c.value for c in cells)
    if total > 100:
        raise spec_error(where, "remainder", f"parts that add up to at most 100 (they add up to {total})")
    decimals = max(c.decimals for c in cells)
    *parts, rest = largest_remainder([*(c.value for c in cells), Decimal(100) - total], decimals, 100)
    texts = [c.text if Decimal(c.text) == p else number(p, decimals) for c, p in zip(cells, parts)]
    return texts, rest, number(rest, decimals)


def _with_texts(series: SeriesData, texts: list[str]) -> SeriesData:
    return SeriesData(series.label, series.axis, series.values, tuple(texts))
