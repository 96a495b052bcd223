"""What a chapter template sees: figures looked up by id, and filters that phrase them.

A template never holds a figure. It asks for one by indicator id —
``fig("auto_production")`` — and phrases it with a filter —
``{{ fig("industry_va_growth")|growth }}`` → 增长6.4%. The functions are bound
to the Dataset, the digest period and the chapter's sector; the filters work
on the :class:`Figure` values they return and need nothing else, so they are
installed once on the environment.

A figure the data lacks comes back as a :class:`MissingFigure`: false in
``{% if %}``, and an error naming the indicator and period as soon as a
template prints or phrases it. Templates guard optional figures with
``{% if has("id") %}`` so the sentence drops instead of printing "None".
Every observation handed to a template is recorded for the data appendix.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jianbao.data import Dataset, Highlight, Indicator, Observation
from jianbao.narrative import phrases
from jianbao.numbers import shown_decimals, to_decimal
from jianbao.periods import Period, parse_period


class FigureError(LookupError):
    """A template asked for a figure that does not exist, or phrased one the wrong way."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Figure:
    """One observation with its catalog entry; ``{{ f }}`` prints it as published (1562.1万辆)."""

    observation: Observation
    indicator: Indicator

    @property
    def id(self) -> str:
        return self.indicator.id

    @property
    def name(self) -> str:
        """The indicator's Chinese name, or the region's name for a regional figure."""
        return self.observation.region or self.indicator.name

    @property
    def value(self) -> Decimal:
        return self.observation.value

    @property
    def unit(self) -> str:
        return self.observation.unit

    @property
    def kind(self) -> str:
        return self.indicator.kind

    @property
    def decimals(self) -> int:
        """Published decimals; a bound (8%以上, 超79%) keeps the digits the source printed."""
        return shown_decimals(self.value, self.indicator.decimals, self.qualifier)

    @property
    def qualifier(self) -> str:
        return self.observation.qualifier

    @property
    def region(self) -> str:
        return self.observation.region

    @property
    def period(self) -> Period:
        return self.observation.period

    @property
    def label(self) -> str:
        """The period's label with its year: 2025年上半年, 1—5月 → 2025年1—5月."""
        return self.period.label()

    @property
    def short_label(self) -> str:
        """The period's label without its year: 上半年, 1—5月, 截至6月底."""
        return self.period.label(year=False)

    @property
    def source(self) -> str:
        return self.indicator.source

    def __bool__(self) -> bool:  # a figure of 0 is still a figure
        return True

    def __str__(self) -> str:
        return phrases.level(self.value, self.unit, self.decimals, self.qualifier)


@dataclass(frozen=True)
class MissingFigure:
    """The data has no such observation: false in ``{% if %}``, an error when used."""

    indicator: Indicator
    period: Period
    region: str = ""

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        raise self.error()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise self.error()

    def error(self) -> FigureError:
        where = f", region {self.region}" if self.region else ""
        return FigureError(
            f"no figure for indicator {self.indicator.id!r} ({self.indicator.name}), period "
            f"{self.period.code} ({self.period.label()}){where}; guard an optional figure with "
            f'{{% if has("{self.indicator.id}") %}}'
        )


AnyFigure = Figure | MissingFigure


def _need(value: object, filter_name: str, units: tuple[str, ...] = ()) -> Figure:
    """The figure a filter was given; a MissingFigure or a figure in the wrong unit is an error."""
    if isinstance(value, MissingFigure):
        raise value.error()
    if not isinstance(value, Figure):
        raise FigureError(f"|{filter_name} expects a figure from fig(...), got {value!r}")
    if units and value.unit not in units:
        raise FigureError(
            f"|{filter_name} needs a figure in {' or '.join(units)}; "
            f"{value.id} ({value.indicator.name}) is in {value.unit}"
        )
    return value


def _than(figure: Figure, reference: Figure) -> str:
    """How a comparison names the reference period: 上年同期, 一季度, 2024年四季度."""
    if reference.period == figure.period.year_ago():
        return "上年同期"
    return reference.period.label(year=reference.period.start.year != figure.period.start.year)


# ---- filters (installed on every environment) --------------------------------------------------


def growth_filter(value: AnyFigure, times: bool = False) -> str:
    """``{{ f|growth }}`` → 增长6.4% / 下降1.2% / 持平; ``|growth(times=True)`` → 增长7倍 from 700%."""
    f = _need(value, "growth", ("%", "倍"))
    return phrases.growth(f.value, f.decimals, unit=f.unit, qualifier=f.qualifier, in_times=times)


def level_filter(value: AnyFigure, scale: bool = True) -> str:
    """``{{ f|level }}`` → 1562.1万辆, 14万家, 超过79% (the same as ``{{ f }}``).

    ``|level(scale=False)`` keeps a base unit unscaled: 16000标箱, not 1.6万标箱.
    """
    f = _need(value, "level")
    return phrases.level(f.value, f.unit, f.decimals, f.qualifier, scale=scale)


def pp_filter(value: AnyFigure | Decimal | int | str, decimals: int = 1) -> str:
    """``{{ f|pp }}`` → 4.7个百分点, for a figure published in 个百分点 or a computed difference."""
    if isinstance(value, (Figure, MissingFigure)):
        f = _need(value, "pp", (phrases.PP,))
        return phrases.qualified(phrases.number(f.value, f.decimals), phrases.PP, f.qualifier)
    return phrases.points(to_decimal(value), decimals)


def pull_filter(value: AnyFigure, what: str = "") -> str:
    """``{{ f|pull("全部规模以上工业") }}`` → 拉动全部规模以上工业增长3.4个百分点."""
    f = _need(value, "pull", (phrases.PP,))
    return phrases.pull(f.value, f.decimals, what=what, qualifier=f.qualifier)


def contribution_filter(value: AnyFigure, what: str = "") -> str:
    """``{{ f|contribution("全部投资") }}`` → 对全部投资增长的贡献率达86%."""
    f = _need(value, "contribution", ("%",))
    return phrases.contribution(f.value, f.decimals, what=what, qualifier=f.qualifier)


def share_filter(value: AnyFigure, of: str = "") -> str:
    """``{{ f|share("全部规模以上工业增加值") }}`` → 占全部规模以上工业增加值的35.5%."""
    f = _need(value, "share", ("%",))
    return phrases.share(f.value, f.decimals, of=of, qualifier=f.qualifier)


def change_from_filter(value: AnyFigure, previous: AnyFigure, than: str | None = None) -> str:
    """``{{ f|change_from(fig("x", q1)) }}`` → 增速比一季度回落0.2个百分点 (降幅收窄, 由增转降 …).

    A growth rate reads 加快/回落, 降幅收窄/扩大, 由降转增/由增转降; a share or
    other rate in % reads 提高/下降X个百分点. ``than`` names the reference
    (default: 上年同期 or the reference's period label).
    """
    f = _need(value, "change_from", ("%",))
    p = _need(previous, "change_from", ("%",))
    decimals = max(f.decimals, p.decimals)
    label = _than(f, p) if than is None else than
    if f.kind == "growth":
        return phrases.rate_change(f.value, p.value, decimals, than=label)
    return phrases.point_change(f.value, p.value, decimals, than=label)


def compare_filter(value: AnyFigure, other: AnyFigure | str, than: str | None = None) -> str:
    """A rate against another rate, in 个百分点.

    ``{{ f|compare(fig("industry_va_growth"), "同期工业增加值增速") }}`` → 高于同期工业增加值增速4.7个百分点;
    a figure that is itself the gap (in 个百分点) takes only the name:
    ``{{ gap|compare("全国固定资产投资") }}`` → 高于全国固定资产投资14.5个百分点.
    """
    if isinstance(other, str):
        f = _need(value, "compare", (phrases.PP,))
        return phrases.difference(f.value, f.decimals, than=other)
    f = _need(value, "compare", ("%",))
    o = _need(other, "compare", ("%",))
    return phrases.compare_rates(f.value, o.value, max(f.decimals, o.decimals), than=o.name if than is None else than)


def growths_filter(values: Iterable[AnyFigure]) -> str:
    """``{{ [q1, q2]|growths }}`` → 分别增长6.5%和6.3% (均增长…, 分别增长6.5%和下降1.2%)."""
    figures = [_need(v, "growths", ("%", "倍")) for v in values]
    if len({f.unit for f in figures}) > 1:
        raise FigureError("|growths needs figures in one unit")
    decimals = max((f.decimals for f in figures), default=1)
    return phrases.respectively([f.value for f in figures], decimals, unit=figures[0].unit if figures else "%")


def names_filter(values: Iterable[AnyFigure]) -> list[str]:
    """``{{ regions("x")|names|dun_list }}`` → 福建、安徽、河南、湖南 (region, else indicator name)."""
    return [_need(v, "names").name for v in values]


def and_list_filter(values: Iterable[object]) -> str:
    """``{{ [a, b]|and_list }}`` → 1562.1万辆和1565.3万辆; A、B和C."""
    return phrases.and_list(_printable(values, "and_list"))


def dun_list_filter(values: Iterable[object]) -> str:
    """``{{ names|dun_list }}`` → 福建、安徽、河南、湖南 (顿号 only; write 等 after it yourself)."""
    return phrases.dun_list(_printable(values, "dun_list"))


def _printable(values: Iterable[object], filter_name: str) -> list[object]:
    return [_need(v, filter_name) if isinstance(v, MissingFigure) else v for v in values]


FILTERS: dict[str, Callable[..., Any]] = {
    "growth": growth_filter,
    "level": level_filter,
    "pp": pp_filter,
    "pull": pull_filter,
    "contribution": contribution_filter,
    "share": share_filter,
    "change_from": change_from_filter,
    "compare": compare_filter,
    "growths": growths_filter,
    "names": names_filter,
    "and_list": and_list_filter,
    "dun_list": dun_list_filter,
}


# ---- functions bound to the data ---------------------------------------------------------------


class UsedObservations:
    """Observations handed to templates, in first-use order, each once (for the data appendix)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, Period, str], Observation] = {}

    def add(self, observation: Observation) -> None:
        self._seen.setdefault((observation.indicator, observation.period, observation.region), observation)

    def list(self) -> list[Observation]:
        return list(self._seen.values())


class Facade:
    """The functions a chapter template calls, bound to a Dataset, the digest period and a sector.

    ``fig(id)`` without a period takes the digest period; when the indicator
    has no figure for it, the period the digest means by it (see ``_default``:
    1—5月 profits in a half-year digest, a stock 截至6月底, the 618 event, 近两年,
    a 2027 target), so templates name no period and work for any digest period.
    """

    def __init__(self, dataset: Dataset, period: Period | str, sector: str | None = None,
                 used: UsedObservations | None = None) -> None:
        self.dataset = dataset
        self.period = parse_period(period)
        self.sector = sector
        self.used = used if used is not None else UsedObservations()

    def context(self) -> dict[str, Any]:
        """Template globals: the functions below, the digest period and the sector."""
        return {
            "fig": self.fig,
            "has": self.has,
            "series": self.series,
            "regions": self.regions,
            "ranking": self.ranking,
            "at_least": self.at_least,
            "subperiods": self.subperiods,
            "highlights": self.highlights,
            "indicator": self.indicator,
            "period_label": self.period_label,
            "period": self.period,
            "sector": self.dataset.sectors.get(self.sector) if self.sector else None,
        }

    def indicator(self, id: str) -> Indicator:
        """The catalog entry (name, unit, source …); an unknown id is an error that suggests close ids."""
        if not isinstance(id, str) or id not in self.dataset.catalog:
            close = difflib.get_close_matches(str(id), self.dataset.catalog, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise FigureError(f"unknown indicator {id!r}: not in the catalog{hint}")
        return self.dataset.catalog[id]

    def fig(self, id: str, period: Period | str | None = None, region: str = "") -> AnyFigure:
        """``fig("auto_production")``, ``fig("x", "2025Q1")``, ``fig("x", region="福建")``."""
        indicator = self.indicator(id)
        observation = self._find(id, period, region)
        if observation is None:
            return MissingFigure(indicator, self._period(period), region)
        return self._figure(observation)

    def has(self, id: str, period: Period | str | None = None, region: str = "") -> bool:
        """``{% if has("x") %}``: the figure exists (it is not recorded as used)."""
        self.indicator(id)
        return self._find(id, period, region) is not None

    def series(self, id: str, periods: Iterable[Period | str], region: str = "") -> list[Figure]:
        """The figures of ``id`` for those ``periods`` that have one, in the order given."""
        figures = (self.fig(id, p, region) for p in periods)
        return [f for f in figures if isinstance(f, Figure)]

    def regions(self, id: str, period: Period | str | None = None) -> list[Figure]:
        """Regional figures in data order (as the source lists provinces)."""
        return self._figures(self.dataset.regions(id, self._regional_period(id, period)))

    def ranking(self, id: str, period: Period | str | None = None, top: int | None = None,
                descending: bool = True) -> list[Figure]:
        """Regional figures by value, highest first (``descending=False``: lowest first)."""
        return self._figures(self.dataset.ranking(id, self._regional_period(id, period), descending, top))

    def at_least(self, id: str, threshold: Figure | Decimal | int | str,
                 period: Period | str | None = None) -> list[Figure]:
        """Regional figures with a value of at least ``threshold`` (a number or a figure)."""
        limit = threshold.value if isinstance(threshold, Figure) else threshold
        return self._figures(self.dataset.at_least(id, self._regional_period(id, period), limit))

    def subperiods(self, kind: str = "quarter") -> list[Period]:
        """Periods of ``kind`` inside the digest period that have data: 2025H1 → 2025Q1, 2025Q2."""
        found = {p for p in self.dataset.periods() if p.kind == kind and self._within(p)}
        return sorted(found)

    def highlights(self, kind: str | None = None, sector: str | None = None) -> list[Highlight]:
        """Qualitative items of this chapter's sector and the digest period: highlight, next_step, policy."""
        target = sector or self.sector
        if target is None:
            raise FigureError("highlights() needs a sector outside a chapter template")
        return self.dataset.highlights(target, self.period, kind)

    def period_label(self, period: Period | str | None = None, year: bool = True) -> str:
        """``period_label()`` → 2025年上半年; ``period_label(year=False)`` → 上半年."""
        return self._period(period).label(year=year)

    def _period(self, period: Period | str | None) -> Period:
        return self.period if period is None else parse_period(period)

    def _within(self, period: Period) -> bool:
        return self.period.start <= period.start and period.end <= self.period.end

    def _find(self, id: str, period: Period | str | None, region: str) -> Observation | None:
        """The observation at ``period`` exactly, or with no period the one the digest means."""
        if period is not None:
            return self.dataset.get(id, period, region)
        found = self.dataset.get(id, self.period, region)
        return found or self._default(self.dataset.observations(id, region=region))

    def _regional_period(self, id: str, period: Period | str | None) -> Period:
        """The period of regional figures: as given, else the one the digest means for them."""
        self.indicator(id)
        if period is not None:
            return parse_period(period)
        regional = [o for o in self.dataset.observations(id) if o.region]
        if any(o.period == self.period for o in regional):
            return self.period
        found = self._default(regional)
        return found.period if found else self.period

    def _default(self, observations: Iterable[Observation]) -> Observation | None:
        """Of ``observations``, the one ``fig(id)`` means when the digest period has none.

        In order of preference: the latest period inside the digest period
        (1—5月 profits, a stock 截至6月底; the longer span when two end on the
        same day); a span of years that contains it (近两年, 2024—2025年); a stock
        dated after it closes but within one more period (目前, at a press
        conference); for a target, the nearest target period after it.
        """
        p = self.period
        best: tuple[tuple[int, int, int], Observation] | None = None
        for o in observations:
            q = o.period
            if self._within(q):
                rank = (0, -q.end.toordinal(), q.start.toordinal())
            elif q.kind == "years" and q.start <= p.start and p.end <= q.end:
                rank = (1, (q.end - q.start).days, 0)
            elif q.kind == "date" and p.end < q.end <= p.end + (p.end - p.start):
                rank = (2, q.end.toordinal(), 0)
            elif self.dataset.catalog[o.indicator].kind == "target" and q.end > p.end:
                rank = (3, q.end.toordinal(), 0)
            else:
                continue
            if best is None or rank < best[0]:
                best = (rank, o)
        return best[1] if best else None

    def _figure(self, observation: Observation) -> Figure:
        self.used.add(observation)
        return Figure(observation, self.dataset.catalog[observation.indicator])

    def _figures(self, observations: Iterable[Observation]) -> list[Figure]:
        return [self._figure(o) for o in observations]
