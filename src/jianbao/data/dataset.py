"""The Dataset: look-ups, comparisons and derived figures over validated data.

Every look-up names an indicator id; an id the catalog does not know raises
DataLookupError at once (a typo in a template must not read as missing data).
Arithmetic is Decimal with half-up rounding (四舍五入), never binary floats.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from jianbao.data.catalog import Indicator, Sector
from jianbao.data.highlights import Highlight
from jianbao.data.observations import NATIONAL_NAMES, Observation
from jianbao.numbers import round_half_up, to_decimal
from jianbao.periods import KINDS, Period, PeriodError, parse_period

DEFAULT_LATEST_KINDS = ("half", "quarter", "month", "year")


class DataLookupError(KeyError):
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
        self._observations = list(observations)  # in file and row order
        self._highlights = list(highlights)
        self._by_key = {(o.indicator, o.period, o.region): o for o in self._observations}
        self._by_indicator: dict[str, list[Observation]] = {i: [] for i in catalog}
        for o in self._observations:
            self._by_indicator[o.indicator].append(o)

    def indicator(self, id: str) -> Indicator:
        try:
            return self.catalog[id]
        except KeyError:
            raise DataLookupError(f"unknown indicator {id!r}: not in the catalog", indicator=id) from None

    def get(self, indicator: str, period: Period | str, region: str = "") -> Observation | None:
        self.indicator(indicator)
        return self._by_key.get((indicator, parse_period(period), _region(region)))

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
        """a − b (for rates: 个百分点), half-up to the larger published precision of the two."""
        first, second = self.indicator(a), self.indicator(b)
        _same_unit(first, second, "subtract")
        result = self.value(a, period, region) - self.value(b, period if period_b is None else period_b, region)
        return round_half_up(result, max(first.decimals, second.decimals))

    def share(self, part: str, whole: str, period: Period | str, decimals: int = 1) -> Decimal:
        """100 × part / whole, half-up to ``decimals`` (NEV share of new-car sales)."""
        _same_unit(self.indicator(part), self.indicator(whole), "divide")
        denominator = self.value(whole, period)
        if denominator == 0:
            raise ValueError(f"cannot take a share of {whole} for {parse_period(period)}: it is zero")
        return round_half_up(self.value(part, period) * 100 / denominator, decimals)

    def highlights(self, sector: str, period: Period | str, kind: str | None = None) -> list[Highlight]:
        if sector not in self.sectors:
            raise DataLookupError(f"unknown sector {sector!r}: not in the catalog")
        period = parse_period(period)
        return [h for h in self._highlights
                if h.sector == sector and h.period == period and (kind is None or h.kind == kind)]

    def _of(self, indicator: str) -> list[Observation]:
        self.indicator(indicator)
        return self._by_indicator[indicator]


def _same_unit(a: Indicator, b: Indicator, verb: str) -> None:
    if a.unit != b.unit:
        raise ValueError(f"cannot {verb} {a.id} ({a.unit}) and {b.id} ({b.unit}): their units differ")
