"""The Dataset: look-ups, comparisons and derived figures over validated data.

Every look-up names an indicator id; an id the catalog does not know raises
DataLookupError at once (a typo in a template must not read as missing data).
Arithmetic is Decimal with half-up rounding (四舍五入), never binary floats.

Figures the catalog derives (``derive:``) are computed once, when the Dataset
is made, for every (period, region) where the data stores all their inputs
without a qualifier and does not store the figure itself; from then on they
are ordinary figures for every look-up, marked by ``Observation.derived``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from jianbao.data.catalog import Derivation, Indicator, Sector, derivation_order
from jianbao.data.highlights import Highlight
from jianbao.data.observations import NATIONAL_NAMES, Observation
from jianbao.errors import JianbaoError
from jianbao.numbers import round_half_up, stored_decimals, to_decimal
from jianbao.periods import KINDS, Period, PeriodError, parse_period

DEFAULT_LATEST_KINDS = ("half", "quarter", "month", "year")

# (indicator, period code, region): the index keys on the code, which as a string caches its
# hash, where a Period hashes its five fields again on every look-up (several per observation).
Key = tuple[str, str, str]


class DataLookupError(JianbaoError, KeyError):
    """A look-up found nothing; the message names the indicator, period and region."""

    def __init__(self, message: str, indicator: str = "", period: Period | None = None,
                 region: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.indicator = indicator
        self.period = period
        self.region = region

    def __str__(self) -> str:
        return self.message


def _where(region: str) -> str:
    return region or "全国"


def _region(region: str) -> str:
    """Look-ups accept 全国 for the national figure, as the data files do."""
    return "" if region in NATIONAL_NAMES else region


class Dataset:
    """Indicators, observations and highlights, indexed for the narrative and charts."""

    def __init__(self, catalog: dict[str, Indicator], sectors: dict[str, Sector],
                 observations: Iterable[Observation], highlights: Iterable[Highlight]) -> None:
        self.catalog = catalog
        self.sectors = sectors  # in file order
        self._observations = list(observations)  # in file and row order, then derived figures
        self._highlights = list(highlights)
        self._by_key: dict[Key, Observation] = {(o.indicator, o.period.code, o.region): o
                                                for o in self._observations}
        self._by_indicator: dict[str, list[Observation]] = {i: [] for i in catalog}
        for o in self._observations:
            self._by_indicator[o.indicator].append(o)
        self._observations += derive_observations(catalog, self._by_key, self._by_indicator)

    def indicator(self, id: str) -> Indicator:
        try:
            return self.catalog[id]
        except KeyError:
            raise DataLookupError(f"unknown indicator {id!r}: not in the catalog", indicator=id) from None

    def get(self, indicator: str, period: Period | str, region: str = "") -> Observation | None:
        self.indicator(indicator)
        return self._by_key.get((indicator, parse_period(period).code, _region(region)))

    def value(self, indicator: str, period: Period | str, region: str = "") -> Decimal:
        found = self.get(indicator, period, region)
        if found is None:
            period = parse_period(period)
            raise DataLookupError(f"no observation of {indicator} for {period} ({_where(region)})",
                                  indicator, period, region)
        return found.value

    def observations(self, indicator: str | None = None, period: Period | str | None = None,
                     region: str | None = None) -> list[Observation]:
        """Matching observations in data order (files by name, rows as written)."""
        found = self._observations if indicator is None else self._of(indicator)
        if period is not None:
            period = parse_period(period)
            found = [o for o in found if o.period == period]
        if region is not None:
            found = [o for o in found if o.region == _region(region)]
        return list(found)

    def periods(self, indicator: str | None = None) -> list[Period]:
        found = self._observations if indicator is None else self._of(indicator)
        return sorted({o.period for o in found})

    def latest_period(self, kinds: tuple[str, ...] = DEFAULT_LATEST_KINDS) -> Period:
        """The latest period with data, of one of ``kinds``, by end date.

        Periods that end on the same day are told apart by ``kinds``: the kind
        listed first wins (by default 2025H1 over 2025Q2 over 2025M06), then the
        longer span. Targets are plans, not data, so they never count.
        """
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown period kind(s) {', '.join(unknown)}; expected some of {', '.join(KINDS)}")
        candidates = {o.period for o in self._observations
                      if o.period.kind in kinds and self.catalog[o.indicator].kind != "target"}
        if not candidates:
            raise DataLookupError(f"no observations for a period of kind {', '.join(kinds)}")
        return max(candidates, key=lambda p: (p.end, -kinds.index(p.kind), -p.start.toordinal()))

    def year_ago(self, indicator: str, period: Period | str, region: str = "") -> Observation | None:
        return self.get(indicator, parse_period(period).year_ago(), region)

    def previous(self, indicator: str, period: Period | str, region: str = "") -> Observation | None:
        try:
            before = parse_period(period).previous()
        except PeriodError:  # a period with no predecessor of its kind (2025M01-02)
            self.indicator(indicator)
            return None
        return self.get(indicator, before, region)

    def regions(self, indicator: str, period: Period | str) -> list[Observation]:
        """Regional (non-national) observations in data order, i.e. as the source lists them."""
        return [o for o in self.observations(indicator, period) if o.region]

    def ranking(self, indicator: str, period: Period | str, descending: bool = True,
                top: int | None = None) -> list[Observation]:
        """Regions by value; equal values keep data order."""
        ranked = sorted(self.regions(indicator, period), key=lambda o: o.value, reverse=descending)
        return ranked if top is None else ranked[:top]

    def at_least(self, indicator: str, period: Period | str, threshold: Decimal | int | str) -> list[Observation]:
        """Regions whose value is at least ``threshold``, in data order.

        A value given as 近X (just under X) does not reach a threshold of X.
        """
        limit = to_decimal(threshold)
        return [o for o in self.regions(indicator, period)
                if o.value > limit or (o.value == limit and o.qualifier != "近")]

    def difference(self, a: str, b: str, period: Period | str, period_b: Period | str | None = None,
                   region: str = "") -> Decimal:
        """a − b (for rates: 个百分点), half-up to the larger published precision of the two.

        Unlike a catalog ``derive: {difference: …}`` it may compare two periods (this quarter
        against the last); the arithmetic is the same :class:`Derivation`.
        """
        first, second = self.indicator(a), self.indicator(b)
        _same_unit(first, second, "subtract")
        values = [self.value(a, period, region), self.value(b, period if period_b is None else period_b, region)]
        return round_half_up(Derivation("difference", (a, b)).apply(values), max(first.decimals, second.decimals))

    def share(self, part: str, whole: str, period: Period | str, decimals: int = 1) -> Decimal:
        """100 × part / whole, half-up to ``decimals`` (NEV share of new-car sales)."""
        _same_unit(self.indicator(part), self.indicator(whole), "divide")
        values = [self.value(part, period), self.value(whole, period)]
        try:
            return round_half_up(Derivation("share", (part, whole)).apply(values), decimals)
        except ZeroDivisionError:
            raise ValueError(f"cannot take a share of {whole} for {parse_period(period)}: it is zero") from None

    def highlights_all(self) -> list[Highlight]:
        """Every highlight of every sector and period, in file order."""
        return list(self._highlights)

    def highlights(self, sector: str, period: Period | str, kind: str | None = None) -> list[Highlight]:
        if sector not in self.sectors:
            raise DataLookupError(f"unknown sector {sector!r}: not in the catalog")
        period = parse_period(period)
        return [h for h in self._highlights
                if h.sector == sector and h.period == period and (kind is None or h.kind == kind)]

    def _of(self, indicator: str) -> list[Observation]:
        self.indicator(indicator)
        return self._by_indicator[indicator]


def derive_observations(catalog: dict[str, Indicator], by_key: dict[Key, Observation],
                        by_indicator: dict[str, list[Observation]]) -> list[Observation]:
    """The figures the catalog derives that the data lacks, chains in dependency order.

    ``by_key`` and ``by_indicator`` index the stored figures (as the Dataset does);
    each derived figure is added to both, so a chain finds the links before it and
    the indexes are built once. A derived value is exact when it has no more digits
    than its indicator is published with (455 + 28 = 483, never 483.0), else half-up
    to them (44.3). A stored figure always wins; a qualified input (超过79%) or a
    share of zero derives nothing.
    """
    derived: list[Observation] = []
    for indicator in derivation_order(catalog):
        rule = indicator.derive
        assert rule is not None
        note = "根据" + "、".join(catalog[i].name if i in catalog else i for i in rule.needs) + "计算"
        for base in list(by_indicator.get(rule.needs[0], [])):
            code = base.period.code
            key = (indicator.id, code, base.region)
            inputs = [by_key.get((i, code, base.region)) for i in rule.needs]
            if key in by_key or any(o is None or o.qualifier for o in inputs):
                continue
            try:
                value = rule.apply([o.value for o in inputs if o is not None])
            except ZeroDivisionError:
                continue
            if stored_decimals(value) > indicator.decimals:
                value = round_half_up(value, indicator.decimals)
            obs = Observation(indicator.id, base.period, value, indicator.unit, region=base.region, derived=note)
            by_key[key] = obs
            by_indicator.setdefault(indicator.id, []).append(obs)
            derived.append(obs)
    return derived


def _same_unit(a: Indicator, b: Indicator, verb: str) -> None:
    if a.unit != b.unit:
        raise ValueError(f"cannot {verb} {a.id} ({a.unit}) and {b.id} ({b.unit}): their units differ")
