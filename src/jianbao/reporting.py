"""Which figure a digest reports: one rule for the text, the charts and the tables.

A digest of period P reports, for each indicator, the figure a reader of P
expects, and says that figure's own period. In order of preference:

1. P itself, or a period of the same span (一季度 from 1—3月 data, 全年 from 1—12月);
2. a period that ends when P ends and starts in P's year: the year to date
   (1—9月 in a 9月 digest), a quarter, a stock 截至9月底 — the longest span first;
   or a named event inside P (“618”期间 in a 上半年 digest);
3. an *older* figure that ends at most ``max_lag_months`` before P ends (a
   ministry's 1—8月 software figures in a 1—9月 digest, a 上半年 pull in a 1—9月
   digest), the latest first: stated under its own label, or never used when
   the policy says ``older = "drop"``;
4. figures that belong to P without lying inside it: a span of years around it
   (近两年), a stock dated just after it (目前, at a press conference), a target
   after it (2027年).

Nothing else: a figure older than the lag, or of a later period, is not P's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jianbao.periods import Period, PeriodError

if TYPE_CHECKING:  # the rule needs only what a Dataset answers; config imports the Policy alone
    from jianbao.data import Dataset, Observation

OLDER_POLICIES = ("label", "drop")


NATIONAL = "全国"  # the name a template or spec gives the national figure in a regional digest


@dataclass(frozen=True)
class Policy:
    """How a digest chooses its figures: whose they are by default, and what it does with figures
    older than its period (``[periods]`` in jianbao.toml)."""

    older: str = "label"  # "label": state them under their own period; "drop": leave them out
    max_lag_months: int = 3  # older than this (by end month) is never the digest's figure
    region: str = ""  # the digest's region (``build --region``): a look-up naming none means it; "" national

    def where(self, region: str | None) -> str:
        """The region a look-up means: the digest's when it names none, national for 全国."""
        if region is None or region == "":
            return self.region
        return "" if region == NATIONAL else region


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def same(a: Period, b: Period) -> bool:
    """The same period, or one of the same span (2025Q1 and 2025M01-03)."""
    return a == b or a.same_span(b)


def label(period: Period, digest: Period) -> str:
    """A figure's period as the digest names it: without the year when it is the digest's year."""
    return period.label(year=period.end.year != digest.end.year)


def is_older(period: Period, digest: Period) -> bool:
    """The figure ends before the digest period does (a lagging or earlier figure)."""
    return period.end < digest.end


def _rank(q: Period, p: Period, target: bool, policy: Policy) -> tuple[int, int, int] | None:
    """Smaller is better; None: not a figure of ``p``."""
    year_start = dt.date(p.end.year, 1, 1)
    if same(q, p):
        return (0, 0, 0)
    if q.end == p.end and q.start >= year_start:
        return (1, q.start.toordinal(), 0)
    if q.kind == "event" and p.start <= q.start and q.end <= p.end:  # “618” in a 上半年 digest
        return (1, q.start.toordinal(), 0)
    if q.end < p.end and months_between(q.end, p.end) <= policy.max_lag_months:
        if policy.older == "drop" or target or q.kind in ("years", "event"):  # context, not a lagging figure
            return None
        return (2, -q.end.toordinal(), q.start.toordinal())
    if q.kind == "years" and q.start <= p.start and p.end <= q.end:
        return (3, (q.end - q.start).days, 0)
    if q.kind == "date" and p.end < q.end <= p.end + (p.end - p.start):
        return (4, q.end.toordinal(), 0)
    if target and q.end > p.end:
        return (5, q.end.toordinal(), 0)
    return None


def choose(observations: Iterable[Observation], digest: Period, target: bool = False,
           policy: Policy = Policy()) -> Observation | None:
    """Of one indicator's ``observations`` (one region), the one a digest of ``digest`` reports."""
    best: tuple[tuple[int, int, int], Observation] | None = None
    for o in observations:
        rank = _rank(o.period, digest, target, policy)
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, o)
    return best[1] if best else None


def reported(dataset: Dataset, indicator: str, digest: Period, region: str = "",
             policy: Policy = Policy()) -> Observation | None:
    """The figure of ``indicator`` (national, or ``region``) that the digest of ``digest`` states."""
    target = dataset.indicator(indicator).kind == "target"
    return choose(dataset.observations(indicator, region=region), digest, target, policy)


def at(dataset: Dataset, indicator: str, period: Period, region: str = "") -> Observation | None:
    """The figure of exactly ``period``, or of a period with the same span (2025Q1 for 2025M01-03)."""
    found = dataset.get(indicator, period, region)
    if found is not None:
        return found
    return next((o for o in dataset.observations(indicator, region=region) if o.period.same_span(period)), None)


def year_ago(dataset: Dataset, observation: Observation) -> Observation | None:
    """The same indicator and region, a year before the observation's own period."""
    return at(dataset, observation.indicator, observation.period.year_ago(), observation.region)


def previous(dataset: Dataset, observation: Observation) -> Observation | None:
    """The same indicator and region in the period just before (二季度 → 一季度)."""
    try:
        before = observation.period.previous()
    except PeriodError:  # 1—2月 has no previous cumulative period
        return None
    return at(dataset, observation.indicator, before, observation.region)


def year_to_date(digest: Period) -> tuple[dt.date, dt.date]:
    """From 1 January of the digest's closing year to the day it ends."""
    return dt.date(digest.end.year, 1, 1), digest.end


def subperiods(dataset: Dataset, digest: Period, kind: str, indicator: str | None = None) -> list[Period]:
    """Periods of ``kind`` so far in the digest's year (一季度…三季度 in a 1—9月 or 三季度 digest), with data.

    The digest period itself is included when it is of that kind, so a quarter
    chart of a Q3 digest reads 一季度, 二季度, 三季度.
    """
    start, end = year_to_date(digest)
    found = {p for p in dataset.periods(indicator) if p.kind == kind and start <= p.start and p.end <= end}
    return sorted(found)


def last(digest: Period, n: int) -> list[Period]:
    """The last ``n`` periods of the digest's kind, oldest first, ending with the digest period."""
    out = [digest]
    while len(out) < n:
        try:
            out.append(out[-1].previous())
        except PeriodError:
            break
    return out[::-1]
