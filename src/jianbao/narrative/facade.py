"""What a chapter template sees: figures looked up by id, and filters that phrase them.

A template never holds a figure. It asks for one by indicator id —
``fig("auto_production")`` — and phrases it with a filter —
``{{ fig("industry_va_growth")|growth }}`` → 增长6.4%. The functions are bound
to the Dataset, the digest period and the chapter's sector; the filters work
on the :class:`Figure` values they return and need nothing else, so they are
installed once on the environment.

Which figure ``fig(id)`` means is decided by :mod:`jianbao.reporting`, the
rule the charts and tables follow too. A figure the data lacks comes back as
a :class:`MissingFigure`: false in ``{% if %}``, and an error naming the
indicator and period as soon as a template prints or phrases it, which a
``{% sentence %}`` or ``{% clause %}`` catches to drop itself (see
:mod:`jianbao.narrative.sentences`). Every figure printed tells the enclosing
sentence its period, so no figure is read under another period's label.
Every observation handed to a template is recorded for the data appendix.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jianbao import figures, reporting
from jianbao.data import Dataset, Highlight, Indicator, Observation
from jianbao.narrative import phrases, sentences
from jianbao.narrative.errors import FigureError, MissingFigureError
from jianbao.numbers import to_decimal
from jianbao.periods import Period, parse_period
from jianbao.reporting import Policy

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_BLOCK_START = re.compile(r"^(\s*(?:\d{1,9})?)([-+=.)])(?=\s|$|=)", re.MULTILINE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&#~])")


def escape_markdown(text: str) -> str:
    """Data text as literal Markdown: 标准*草案* stays asterisks, and "- x", "1. x" or "===" at a
    line's start stay text, never a list or a heading."""
    return _BLOCK_START.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", text))


@dataclass(frozen=True)
class Figure:
    """One observation with its catalog entry; ``{{ f }}`` prints it as published (1562.1万辆)."""

    observation: Observation
    indicator: Indicator
    facade: Facade | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.indicator.id

    @property
    def name(self) -> str:
        """The indicator's Chinese name, or the region's name for a regional figure (escaped for Markdown)."""
        return escape_markdown(self.observation.region or self.indicator.name)

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
        """Decimals it prints (:func:`jianbao.figures.decimals_shown`: rates pad, levels and bounds do not)."""
        return figures.decimals_shown(self.value, self.indicator.decimals, self.kind, self.qualifier)

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

    @property
    def year_ago(self) -> AnyFigure:
        """The same indicator a year before this figure's own period (for 比上年同期…)."""
        return self._related(reporting.year_ago, self.period.year_ago())

    @property
    def previous(self) -> AnyFigure:
        """The same indicator in the period just before this figure's (二季度 → 一季度)."""
        try:
            before = self.period.previous()
        except ValueError:
            before = self.period
        return self._related(reporting.previous, before)

    def _related(self, find: Callable[[Dataset, Observation], Observation | None], period: Period) -> AnyFigure:
        if self.facade is None:
            raise FigureError(f"figure {self.id} is not bound to data")
        found = find(self.facade.dataset, self.observation)
        if found is None:
            return MissingFigure(self.indicator, period, self.region)
        return self.facade._figure(found)

    def __bool__(self) -> bool:  # a figure of 0 is still a figure
        return True

    def __str__(self) -> str:
        sentences.state(self.period)
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

    def error(self) -> MissingFigureError:
        where = f", region {self.region}" if self.region else ""
        return MissingFigureError(
            f"no figure for indicator {self.indicator.id!r} ({self.indicator.name}), period "
            f"{self.period.code} ({self.period.label()}){where}; put the text that needs it in a "
            "{% sentence %} or {% clause %}, which drops when the figure is missing",
            self.indicator.id, self.period, self.region,
        )


AnyFigure = Figure | MissingFigure


def _need(value: object, filter_name: str, units: tuple[str, ...] = ()) -> Figure:
    """The figure a filter states: its period goes to the enclosing sentence (see ``_ref``)."""
    f = _ref(value, filter_name, units)
    sentences.state(f.period)
    return f


def _ref(value: object, filter_name: str, units: tuple[str, ...] = ()) -> Figure:
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
    if reporting.same(reference.period, figure.period.year_ago()):
        whole_year = figure.period.start.month == 1 and figure.period.end.month == 12
        return "上年" if whole_year else "上年同期"  # a year against the year before: 比上年加快
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
        return phrases.qualified(phrases.number(f.value, f.decimals, f.qualifier), phrases.PP, f.qualifier)
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
    p = _ref(previous, "change_from", ("%",))
    decimals = max(f.decimals, p.decimals)
    label = _than(f, p) if than is None else than
    if f.kind == "growth":
        return phrases.rate_change(f.value, p.value, decimals, than=label)
    return phrases.point_change(f.value, p.value, decimals, than=label)


def change_from_year_ago_filter(value: AnyFigure) -> str:
    """``{{ f|change_from_year_ago }}`` → 增速比上年同期回落0.6个百分点; the clause drops without a year-ago figure."""
    f = _ref(value, "change_from_year_ago", ("%",))
    return change_from_filter(f, f.year_ago)


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
    o = _ref(other, "compare", ("%",))
    return phrases.compare_rates(f.value, o.value, max(f.decimals, o.decimals), than=o.name if than is None else than)


def growths_filter(values: Iterable[AnyFigure]) -> str:
    """``{{ [q1, q2]|growths }}`` → 分别增长6.5%和6.3% (均增长…, 分别增长6.5%和下降1.2%)."""
    figs = [_need(v, "growths", ("%", "倍")) for v in values]
    if len({f.unit for f in figs}) > 1:
        raise FigureError("|growths needs figs in one unit")
    decimals = max((f.decimals for f in figs), default=1)
    return phrases.respectively([f.value for f in figs], decimals, unit=figs[0].unit if figs else "%",
                                qualifiers=[f.qualifier for f in figs])


def each_growth_filter(values: Iterable[AnyFigure]) -> str:
    """Regions' growth in one clause: 实现8%以上的增长 when all print alike, else 同比分别增长5.2%和4.8%."""
    figs = [_need(v, "each_growth", ("%",)) for v in _some(values, "each_growth")]
    texts = {str(f) for f in figs}
    if len(texts) == 1 and figs[0].value > 0:
        return f"实现{texts.pop()}的增长"
    return "同比" + growths_filter(figs)


def names_filter(values: Iterable[AnyFigure]) -> list[str]:
    """``{{ regions("x")|names|dun_list }}`` → 福建、安徽、河南、湖南 (region, else indicator name)."""
    return [_need(v, "names").name for v in _some(values, "names")]


def _some(values: Iterable[object], filter_name: str) -> list:
    """The items of a list a sentence states; an empty list is missing data, so the clause drops."""
    items = list(values)
    if not items:
        raise MissingFigureError(f"|{filter_name} got an empty list: nothing to state")
    return items


def and_list_filter(values: Iterable[object]) -> str:
    """``{{ [a, b]|and_list }}`` → 1562.1万辆和1565.3万辆; A、B和C."""
    return phrases.and_list(_printable(values, "and_list"))


def dun_list_filter(values: Iterable[object]) -> str:
    """``{{ names|dun_list }}`` → 福建、安徽、河南、湖南 (顿号 only; write 等 after it yourself)."""
    return phrases.dun_list(_printable(values, "dun_list"))


def _printable(values: Iterable[object], filter_name: str) -> list[object]:
    return [_need(v, filter_name) if isinstance(v, MissingFigure) else v for v in _some(values, filter_name)]


FILTERS: dict[str, Callable[..., Any]] = {
    "growth": growth_filter,
    "level": level_filter,
    "pp": pp_filter,
    "pull": pull_filter,
    "contribution": contribution_filter,
    "share": share_filter,
    "change_from": change_from_filter,
    "change_from_year_ago": change_from_year_ago_filter,
    "compare": compare_filter,
    "growths": growths_filter,
    "each_growth": each_growth_filter,
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

    ``fig(id)`` without a period takes the figure the digest reports for that
    indicator (:func:`jianbao.reporting.reported`: the digest period, else the
    year to date or a stock at its end, else a lagging figure under its own
    label), so templates name no period and work for any digest period.
    """

    def __init__(self, dataset: Dataset, period: Period | str, sector: str | None = None,
                 used: UsedObservations | None = None, policy: Policy = Policy()) -> None:
        self.dataset = dataset
        self.period = parse_period(period)
        self.sector = sector
        self.used = used if used is not None else UsedObservations()
        self.policy = policy

    def context(self) -> dict[str, Any]:
        """Template globals: the functions below, the digest period and the sector."""
        return {
            "fig": self.fig,
            "has": self.has,
            "series": self.series,
            "quarters": self.quarters,
            "regions": self.regions,
            "ranking": self.ranking,
            "at_least": self.at_least,
            "subperiods": self.subperiods,
            "highlights": self.highlights,
            "indicator": self.indicator,
            "period_label": self.period_label,
            "period": self.period,
            "region": self.policy.region,  # the digest's region; "" in a national digest
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
            return MissingFigure(indicator, self._period(period), self.policy.where(region))
        return self._figure(observation)

    def has(self, id: str, period: Period | str | None = None, region: str = "") -> bool:
        """``{% if has("x") %}``: the figure exists (it is not recorded as used)."""
        self.indicator(id)
        return self._find(id, period, region) is not None

    def series(self, id: str, periods: Iterable[Period | str], region: str = "") -> list[Figure]:
        """The figures of ``id`` for those ``periods`` that have one, in the order given."""
        figures = (self.fig(id, p, region) for p in periods)
        return [f for f in figures if isinstance(f, Figure)]

    def quarters(self, id: str, region: str = "") -> list[Figure]:
        """The quarters of the digest's year so far that have a figure: 一季度, 二季度 (…三季度)."""
        return self.series(id, reporting.subperiods(self.dataset, self.period, "quarter", id), region)

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
        """Periods of ``kind`` so far in the digest's year that have data: 2025H1 → 2025Q1, 2025Q2."""
        return reporting.subperiods(self.dataset, self.period, kind)

    def highlights(self, kind: str | None = None, sector: str | None = None) -> list[Highlight]:
        """Qualitative items of this chapter's sector and the digest period: highlight, next_step, policy.

        Their text is data, escaped for Markdown, so it prints as written. A
        ``{indicator_id}`` in the text is that figure as the digest reports it
        (how one-off events keep their figures in data: “爱达·魔都号”邮轮接待游客
        {cruise_magic_city_passengers}); an item whose figure is missing is left out.
        """
        target = sector or self.sector
        if target is None:
            raise FigureError("highlights() needs a sector outside a chapter template")
        out = []
        for h in self.dataset.highlights(target, self.period, kind):
            try:
                text = _PLACEHOLDER.sub(self._placeholder, h.text)
            except MissingFigureError:
                continue
            out.append(dataclasses.replace(h, title=escape_markdown(h.title), text=escape_markdown(text)))
        return out

    def _placeholder(self, match: re.Match[str]) -> str:
        if match.group(1) not in self.dataset.catalog:
            return match.group(0)  # braces that name no indicator are text
        figure = self.fig(match.group(1))
        if isinstance(figure, MissingFigure):
            raise figure.error()
        return str(figure)

    def period_label(self, period: Period | str | None = None, year: bool = True) -> str:
        """``period_label()`` → 2025年上半年; ``period_label(year=False)`` → 上半年."""
        return self._period(period).label(year=year)

    def _period(self, period: Period | str | None) -> Period:
        return self.period if period is None else parse_period(period)

    def _find(self, id: str, period: Period | str | None, region: str) -> Observation | None:
        """The observation of ``period`` (or its span), or with no period the one the digest reports;
        of the digest's region unless ``region`` names another (全国 for the national figure)."""
        region = self.policy.where(region)
        if period is not None:
            return reporting.at(self.dataset, id, parse_period(period), region)
        return reporting.reported(self.dataset, id, self.period, region, self.policy)

    def _regional_period(self, id: str, period: Period | str | None) -> Period:
        """The period of regional figures: as given, else the one the digest reports for them."""
        self.indicator(id)
        if period is not None:
            return parse_period(period)
        regional = [o for o in self.dataset.observations(id) if o.region]
        found = reporting.choose(regional, self.period, self.dataset.catalog[id].kind == "target", self.policy)
        return found.period if found else self.period

    def _figure(self, observation: Observation) -> Figure:
        self.used.add(observation)
        return Figure(observation, self.dataset.catalog[observation.indicator], self)

    def _figures(self, observations: Iterable[Observation]) -> list[Figure]:
        return [self._figure(o) for o in observations]
