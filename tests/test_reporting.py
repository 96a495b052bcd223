"""Which figure a digest reports, for every kind of digest period (the rule text, charts and tables share)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jianbao.data.observations import Observation
from jianbao.periods import parse_period
from jianbao.reporting import Policy, choose, last, months_between


def obs(code: str, value: str = "1") -> Observation:
    return Observation("x", parse_period(code), Decimal(value), "%")


def pick(codes: list[str], digest: str, policy: Policy = Policy(), target: bool = False) -> str | None:
    found = choose([obs(c) for c in codes], parse_period(digest), target, policy)
    return found.period.code if found else None


@pytest.mark.parametrize(
    ("codes", "digest", "expected"),
    [
        (["2026M03", "2026M01-03"], "2026M03", "2026M03"),  # a month digest states the month
        (["2026M01-03", "2026-03-31"], "2026M03", "2026M01-03"),  # else the year to date
        (["2026M01-03"], "2026Q1", "2026M01-03"),  # 一季度 from 1—3月 figures
        (["2026Q1", "2025Q1"], "2026Q1", "2026Q1"),
        (["2026M01-12", "2026H1"], "2026", "2026M01-12"),  # 全年 from 1—12月
        (["2026H1", "2026-12-31"], "2026", "2026-12-31"),  # a stock at year end, not a 上半年 flow
        (["2026H1"], "2026", None),  # six months old: not the year's figure
        (["2026M01-08", "2026M01-05"], "2026M01-09", "2026M01-08"),  # the latest lagging figure
        (["2026H1"], "2026M01-09", "2026H1"),  # three months old: stated under 上半年
        (["2026Q2", "2026M01-05"], "2026H1", "2026Q2"),  # ends with the digest beats a lagging one
        (["2026M01-06", "2026Q2"], "2026H1", "2026M01-06"),  # the same span beats a part of it
        (["2026M04"], "2026M03", None),  # a later period is not the digest's
        (["2026-07-18"], "2026H1", "2026-07-18"),  # a stock just after (目前, at a press conference)
        (["2025-2026"], "2026H1", "2025-2026"),  # a span of years around it (近两年)
    ],
)
def test_the_figure_a_digest_reports(codes, digest, expected):
    assert pick(codes, digest) == expected


def test_older_figures_can_be_dropped_by_policy():
    assert pick(["2026M01-08"], "2026M01-09", Policy(older="drop")) is None
    assert pick(["2026M01-09"], "2026M01-09", Policy(older="drop")) == "2026M01-09"


def test_the_lag_is_configurable():
    assert pick(["2026H1"], "2026M01-09", Policy(max_lag_months=2)) is None
    assert pick(["2026H1"], "2026", Policy(max_lag_months=6)) == "2026H1"


def test_targets_are_the_next_target_after_the_digest():
    assert pick(["2027", "2030"], "2026H1", target=True) == "2027"


def test_last_periods_of_the_digest_kind():
    assert [p.code for p in last(parse_period("2026Q1"), 3)] == ["2025Q3", "2025Q4", "2026Q1"]
    assert months_between(parse_period("2026H1").end, parse_period("2026M01-09").end) == 3


@pytest.mark.parametrize(
    ("code", "label"),
    [("2026M01-03", "一季度"), ("2026M01-06", "上半年"), ("2026M01-09", "前三季度"), ("2026M01-12", "全年"),
     ("2026M01-08", "1—8月"), ("2026M03", "3月"), ("2026Q3", "三季度"), ("2026", "全年"),
     ("2026-12-31", "截至年底"), ("2026-09-30", "截至9月底")],
)
def test_cumulative_months_take_the_names_statistics_use(code, label):
    assert parse_period(code).label(year=False) == label
