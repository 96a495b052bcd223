"""Chart and table specs: YAML files validated into models, plus the lookups both share.

A spec names what to plot, never a number: every value comes from the Dataset
by (indicator, period, region). Specs live in ``builtin/charts`` and
``builtin/tables``; a project's ``templates/charts`` and ``templates/tables``
replace same-named files and add new ones (like mkdocs' ``custom_dir``).

Periods in specs are written relative to the digest period so one spec serves
every issue:

- ``current`` (the default): the figure the digest reports for the indicator,
  by the rule the text follows (:mod:`jianbao.reporting`: the digest period,
  the year to date or the latest stock date in it, else a lagging figure under
  its own label);
- ``year_ago`` / ``previous``: the same indicator a year before, or one period
  before, the period of the ``current`` figure;
- ``ytd``: the cumulative period from January to the digest's end (1—9月 in a
  三季度 or 9月 digest; a period of the same span counts, 前三季度 data too);
- a category ``each: quarter`` (or ``month``, ``half``) stands for one
  category per such period so far in the digest's year that has data; ``last:
  N`` for the last N periods of the digest's kind;
- a code without a year gets the digest's year (``Q1`` → ``2025Q1``), and a
  full code (``2025-2027``, a target year) is taken as written.

A chart or table whose figures are missing is reported by :class:`MissingData`,
which the build turns into a note and drops the placement (unless the
template marks it required).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal, TypeVar, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from jianbao import reporting
from jianbao.errors import JianbaoError, problem_list, validation_problems
from jianbao.figures import figure_text
from jianbao.periods import Period, PeriodError, parse_period
from jianbao.references import ID
from jianbao.text import first_tab_line
from jianbao.reporting import Policy
from jianbao.resources import search_path

ChartType = Literal["bar", "barh", "line", "bar_line", "pie", "donut", "stacked_bar"]
CHART_TYPES = get_args(ChartType)  # charts.draw has one painter for each
ID_PATTERN = rf"^{ID}$"  # what a placement accepts after chart: / table:


class SpecError(JianbaoError, ValueError):
    """A chart or table spec is malformed or asks for data that is not there."""


class MissingData(SpecError):
    """The data has no figure for a cell the spec asks for: the chart or table drops, with a note."""

    def __init__(self, where: str, missing: str, detail: str = "") -> None:
        super().__init__(f"{where}: {detail or missing}")
        self.missing = missing

    def short(self) -> str:
        """What is missing, for a build note: no software_revenue for 2026M01-09."""
        return self.missing


def spec_error(where: str, field: str, expected: str, found: object = None) -> SpecError:
    """The one message shape: where, which field, what was expected, what was found."""
    shown = "" if found is None else f", found {found!r}"
    return SpecError(f"{where}: field '{field}': expected {expected}{shown}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Spec(_Strict):
    """Common to chart and table specs: identity, caption, source line, origin file."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    source: str | None = None  # default: the catalog sources of the indicators used
    _file: Path | None = PrivateAttr(default=None)

    @property
    def where(self) -> str:
        """How error messages name this spec: its file, or its id when built in code."""
        return str(self._file) if self._file else f"spec {self.id!r}"

    def caption(self, period: Period, drawn: Iterable[Period] = ()) -> str:
        """The title with ``{period}`` / ``{year}`` filled in.

        ``{period}`` names the period of the figures drawn when they share one
        (截至2026年3月底 over March stocks), else the digest period.
        """
        shown = common_period(drawn) or period
        try:
            return self.title.format(period=shown.label(), year=shown.end.year)
        except (KeyError, IndexError, ValueError) as exc:
            raise spec_error(
                self.where, "title", "text whose only placeholders are {period} and {year}", self.title
            ) from exc


class Cell(_Strict):
    """A partial data key; a series and a category together make one full key."""

    label: str | None = None
    indicator: str | None = None
    period: str | None = None
    region: str | None = None


class Category(Cell):
    """A category, or with ``each``/``last`` one category per period (see the module docstring)."""

    each: Literal["quarter", "month", "half"] | None = None
    last: int | None = Field(default=None, ge=2, le=36)

    @model_validator(mode="after")
    def _one_kind(self) -> Category:
        if (self.each or self.last) and self.period is not None:
            raise ValueError("give either period or each/last, not both")
        if self.each and self.last:
            raise ValueError("give either each or last, not both")
        return self


class Series(Cell):
    indicators: list[str] | None = None  # one per category, when categories carry no indicator
    axis: Literal["left", "right"] = "left"  # bar_line: bars left, line right

    @model_validator(mode="after")
    def _one_source(self) -> Series:
        if self.indicator and self.indicators:
            raise ValueError("give either indicator or indicators, not both")
        return self


class ChartSpec(_Spec):
    """A chart: series × categories, each cell one observation.

    Categories run along the axis (bars, points, slices). A cell's indicator comes
    from the series (``indicator``, or ``indicators[i]`` for category i) or from
    the category; its period and region from the category, else the series,
    else the digest period and 全国.
    """

    type: ChartType
    unit: str | None = None  # left-axis unit label; default: the indicators' unit
    right_unit: str | None = None  # bar_line's right axis
    remainder: str | None = None  # pie/donut/stacked_bar of shares: label of the part that fills to 100
    width_mm: float = Field(default=150, gt=20, le=170)
    height_mm: float = Field(default=65, gt=20, le=230)
    min_categories: int = Field(default=1, ge=1)  # fewer (after each/last expansion): the chart drops
    series: list[Series] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _fits_type(self) -> ChartSpec:
        axes = [s.axis for s in self.series]
        if self.type == "bar_line" and set(axes) != {"left", "right"}:
            raise ValueError("field 'series': expected bars with axis: left and a line with axis: right for bar_line")
        if self.type != "bar_line" and "right" in axes:
            raise ValueError(f"field 'series[{axes.index('right')}].axis': expected left (right is only for bar_line)")
        if self.type in ("pie", "donut") and len(self.series) != 1:
            raise ValueError(f"field 'series': expected exactly one series for {self.type}, found {len(self.series)}")
        if self.remainder and self.type not in ("pie", "donut", "stacked_bar"):
            raise ValueError(f"field 'remainder': expected only with pie, donut or stacked_bar, not {self.type}")
        for i, s in enumerate(self.series):
            if s.indicators is not None and len(s.indicators) != len(self.categories):
                raise ValueError(
                    f"field 'series[{i}].indicators': expected one per category ({len(self.categories)}), "
                    f"found {len(s.indicators)}"
                )
        return self


class Column(_Strict):
    label: str
    key: str = "value"  # which of the row's indicators this column shows
    show: Literal["value", "unit", "period"] = "value"  # period: when the row's figure is for (截至3月底)
    period: str | None = None
    region: str | None = None


class Row(BaseModel):
    """A table row: label, optional period/region, and indicator ids by column key."""

    model_config = ConfigDict(extra="allow", frozen=True)
    label: str | None = None
    period: str | None = None
    region: str | None = None

    @property
    def indicators(self) -> dict[str, str]:
        return dict(self.model_extra or {})


class TableSpec(_Spec):
    stub: str = "指标"  # header of the row-label column
    columns: list[Column] = Field(min_length=1)
    rows: list[Row] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys_used(self) -> TableSpec:
        keys = {c.key for c in self.columns}
        for i, row in enumerate(self.rows):
            for key, ind in row.indicators.items():
                if key not in keys:
                    raise ValueError(f"field 'rows[{i}].{key}': expected a column key ({', '.join(sorted(keys))})")
                if not isinstance(ind, str):
                    raise ValueError(f"field 'rows[{i}].{key}': expected an indicator id, found {ind!r}")
        return self


SpecT = TypeVar("SpecT", ChartSpec, TableSpec)


def load_chart_specs(project_templates: Path | None = None) -> dict[str, ChartSpec]:
    """Built-in chart specs, with a project's templates/charts/*.yaml replacing same-named files."""
    return _load_specs("charts", ChartSpec, project_templates)


def load_table_specs(project_templates: Path | None = None) -> dict[str, TableSpec]:
    """Built-in table specs, with a project's templates/tables/*.yaml replacing same-named files."""
    return _load_specs("tables", TableSpec, project_templates)


def _load_specs(kind: str, model: type[SpecT], project_templates: Path | None) -> dict[str, SpecT]:
    files: dict[str, Path] = {}
    for folder in reversed(search_path(project_templates, kind)):  # built-in first: the project's replace them
        files.update({p.name: p for p in _yaml_files(folder)})
    specs: dict[str, SpecT] = {}
    problems: list[str] = []
    for name in sorted(files):
        try:
            spec = load_spec_file(files[name], model)
        except SpecError as exc:
            problems.append(str(exc))
            continue
        if spec.id in specs:
            problems.append(f"{files[name]}: field 'id': {spec.id!r} is already the id of {specs[spec.id].where}")
            continue
        specs[spec.id] = spec
    if problems:
        raise SpecError("\n".join(problems))
    return specs


def _yaml_files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml")) if folder.is_dir() else ()


def load_spec_file(path: Path, model: type[SpecT]) -> SpecT:
    """One spec file; the id defaults to the file name (without .yaml)."""
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        tab = first_tab_line(text)
        if tab is not None:
            raise SpecError(f"{path}, line {tab}: expected spaces, found a tab character: YAML indents with "
                            "spaces only") from None
        raise SpecError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: expected a mapping of spec fields, found {type(raw).__name__}")
    raw.setdefault("id", path.stem)
    try:
        spec = model.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc, key="field '{}'")
        raise SpecError(problem_list(f"{path}: {len(problems)} problem(s)", problems)) from None
    spec._file = path
    return spec


# -- lookups shared by charts and tables ---------------------------------------


def resolve_period(text: str | None, digest: Period, where: str, field: str) -> Period | None:
    """A spec's fixed period (``ytd``, ``Q1`` in the digest's year, ``2025-2027``), or None for a relative word."""
    if text in (None, "", "current", "end", "year_ago", "previous"):
        return None
    if text == "ytd":  # 1 January to the digest's end: 1—3月 in a 3月 digest (a January digest: the month)
        end = digest.end
        return parse_period(f"{end.year}M01-{end.month:02d}" if end.month > 1 else f"{end.year}M01")
    code = str(text)
    if not code[:1].isdigit():
        code = f"{digest.end.year}{code}"
    try:
        return parse_period(code)
    except PeriodError as exc:
        raise spec_error(
            where, field, "current, year_ago, previous, ytd, a period code (2025Q1) or one without the year (Q1)",
            text
        ) from exc


def known_indicator(dataset, indicator: str, where: str, field: str):
    """The catalog entry of an id a spec names, or a SpecError listing some ids that exist."""
    if indicator not in dataset.catalog:
        raise spec_error(where, field, f"an indicator id of the catalog (e.g. {_sample(dataset.catalog)})", indicator)
    return dataset.catalog[indicator]


def observe(dataset, indicator: str, when: str | Period | None, digest: Period, region: str, where: str,
            field: str, period_field: str, policy: Policy = Policy()):
    """The observation a spec cell asks for, by the digest's reporting rule; MissingData when there is none.

    ``when`` is a Period (an expanded category), or the spec's period text. An unknown
    id is blamed on ``field`` (where the indicator was named), a bad period on ``period_field``.
    """
    known_indicator(dataset, indicator, where, field)
    region = policy.where(region)
    fixed = when if isinstance(when, Period) else resolve_period(when, digest, where, period_field)
    if fixed is not None:
        obs = reporting.at(dataset, indicator, fixed, region)
    else:
        obs = reporting.reported(dataset, indicator, digest, region, policy)
        if obs is not None and when in ("year_ago", "previous"):
            obs = (reporting.year_ago if when == "year_ago" else reporting.previous)(dataset, obs)
    if obs is None:
        asked = fixed.code if fixed is not None else (digest.code if when in (None, "", "current", "end")
                                                      else f"{when} of {digest.code}")
        have = ", ".join(p.code for p in dataset.periods(indicator)) or "none"
        place = f" for region {region!r}" if region else ""
        raise MissingData(where, f"no {indicator} for {asked}",
                          f"field '{period_field}': expected data for {indicator} in period {asked}{place} "
                          f"(periods with data: {have})")
    return obs


def common_period(periods: Iterable[Period]) -> Period | None:
    """The one period all ``periods`` share (same span counts), or None."""
    periods = list(periods)
    if periods and all(reporting.same(p, periods[0]) for p in periods):
        return periods[0]
    return None


def _sample(ids: Iterable[str], n: int = 5) -> str:
    ids = sorted(ids)
    return ", ".join(ids[:n]) + (", …" if len(ids) > n else "")


def format_value(observation, indicator, with_unit: bool = False) -> str:
    """A published figure: 1562.1, 超过360, 8以上, 3000余, 14万 (with its unit: 超过374万架, 8%以上, 14万家).

    The one figure formatter (:func:`jianbao.figures.figure_text`) prints it, so a table,
    a chart label, the appendix and the text print a figure alike: the same digits, the
    same 万/亿 scaling (kept even without the unit), a bound rounded the way it claims.
    """
    return figure_text(observation.value, observation.unit, indicator.decimals, indicator.kind,
                       observation.qualifier, with_unit=with_unit)


def default_source(dataset, indicators: Iterable[str]) -> str:
    """The catalog sources of the indicators, in first-use order, joined with 、."""
    sources = dict.fromkeys(dataset.indicator(i).source for i in indicators)
    return "、".join(s for s in sources if s)

