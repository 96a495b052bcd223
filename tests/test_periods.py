import datetime as dt

import pytest

from jianbao.periods import Period, PeriodError, parse_period


@pytest.mark.parametrize(
    ("code", "kind", "start", "end", "label", "short"),
    [
        ("2025", "year", "2025-01-01", "2025-12-31", "2025年", "全年"),
        ("2025H1", "half", "2025-01-01", "2025-06-30", "2025年上半年", "上半年"),
        ("2025H2", "half", "2025-07-01", "2025-12-31", "2025年下半年", "下半年"),
        ("2025Q1", "quarter", "2025-01-01", "2025-03-31", "2025年一季度", "一季度"),
        ("2025Q2", "quarter", "2025-04-01", "2025-06-30", "2025年二季度", "二季度"),
        ("2025Q4", "quarter", "2025-10-01", "2025-12-31", "2025年四季度", "四季度"),
        ("2025M05", "month", "2025-05-01", "2025-05-31", "2025年5月", "5月"),
        ("2024M02", "month", "2024-02-01", "2024-02-29", "2024年2月", "2月"),
        ("2025M01-05", "cumulative", "2025-01-01", "2025-05-31", "2025年1—5月", "1—5月"),
        ("2025-06-30", "date", "2025-06-30", "2025-06-30", "截至2025年6月底", "截至6月底"),
        ("2025-06-18", "date", "2025-06-18", "2025-06-18", "截至2025年6月18日", "截至6月18日"),
        ("2025-2027", "years", "2025-01-01", "2027-12-31", "2025—2027年", "2025—2027年"),
        ("2025@618", "event", "2025-06-18", "2025-06-18", "2025年“618”期间", "“618”期间"),
    ],
)
def test_parse_and_label(code, kind, start, end, label, short):
    period = parse_period(code)
    assert (period.kind, period.code, str(period)) == (kind, code, code)
    assert (period.start, period.end) == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    assert period.label() == label
    assert period.label(year=False) == short


def test_cumulative_label_uses_the_em_dash():
    assert "\u2014" in parse_period("2025M01-05").label()


def test_lower_case_and_spaces_give_the_canonical_code():
    assert parse_period(" 2025h1 ") == parse_period("2025H1")
    assert parse_period("2025q2").code == "2025Q2"
    assert parse_period(parse_period("2025M05")).code == "2025M05"


@pytest.mark.parametrize(
    ("code", "year_ago", "previous"),
    [
        ("2025", "2024", "2024"),
        ("2025H1", "2024H1", "2024H2"),
        ("2025H2", "2024H2", "2025H1"),
        ("2025Q1", "2024Q1", "2024Q4"),
        ("2025Q3", "2024Q3", "2025Q2"),
        ("2025M01", "2024M01", "2024M12"),
        ("2025M05", "2024M05", "2025M04"),
        ("2025M01-05", "2024M01-05", "2025M01-04"),
        ("2025-06-30", "2024-06-30", "2025-05-31"),
        ("2024-02-29", "2023-02-28", "2024-01-31"),
        ("2025-02-28", "2024-02-29", "2025-01-31"),
        ("2025-03-15", "2024-03-15", "2025-02-15"),
        ("2025-2027", "2024-2026", "2022-2024"),
        ("2025@618", "2024@618", "2024@618"),
    ],
)
def test_year_ago_and_previous(code, year_ago, previous):
    period = parse_period(code)
    assert period.year_ago().code == year_ago
    assert period.previous().code == previous
    assert period.previous().kind == period.kind


def test_a_two_month_cumulative_period_has_no_previous():
    with pytest.raises(PeriodError, match="2025M01-02.*has no previous one"):
        parse_period("2025M01-02").previous()


@pytest.mark.parametrize(
    ("earlier", "later"),
    [("2024Q4", "2025Q1"), ("2025H2", "2026H1"), ("2025M12", "2026M01"), ("2024", "2025"),
     ("2025M01-04", "2025M01-05"), ("2024-2026", "2025-2027")],
)
def test_index_counts_steps_within_a_kind(earlier, later):
    assert parse_period(later).index - parse_period(earlier).index == 1


def test_ordering_by_end_then_start_then_kind():
    codes = ["2025", "2025M06", "2025-06-30", "2025Q2", "2025H1", "2025M01-05", "2025@618",
             "2025Q1", "2024H2", "2025-2027", "2025M01-06"]
    ordered = [p.code for p in sorted(parse_period(c) for c in codes)]
    assert ordered == ["2024H2", "2025Q1", "2025M01-05", "2025@618", "2025H1", "2025M01-06",
                       "2025Q2", "2025M06", "2025-06-30", "2025", "2025-2027"]
    assert parse_period("2025Q1") < parse_period("2025H1") <= parse_period("2025H1")
    assert max(parse_period("2024"), parse_period("2025M01")) == parse_period("2025M01")


def test_periods_are_hashable_values():
    assert {parse_period("2025H1"), parse_period("2025h1")} == {parse_period("2025H1")}
    assert isinstance(parse_period("2025H1"), Period)


ACCEPTED = ("2025 (year), 2025H1 (half), 2025Q2 (quarter), 2025M05 (month), 2025M01-05 (cumulative months), "
            "2025-06-30 (stock at a date), 2025-2027 (span of years) or 2025@618 (named event: month and day, "
            "618 = June 18)")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("2025H3", " (a half is H1 or H2)"),
        ("2025Q5", " (a quarter is Q1 to Q4)"),
        ("2025M13", " (months are 01 to 12)"),
        ("2025M05-03", " (cumulative months must end after they start, as in M01-05)"),
        ("2025-02-30", " (no such date)"),
        ("2027-2025", " (a span of years must end after it starts, as in 2025-2027)"),
        ("2025@1332", " (an event is named by its month and day, as in @618 or @1111)"),
        ("0999", " (the year must have four digits)"),
        ("2025年上半年", ""),
        ("2025M5", ""),
        ("", ""),
    ],
)
def test_bad_codes_name_the_code_and_the_accepted_forms(code, reason):
    with pytest.raises(PeriodError) as info:
        parse_period(code)
    assert str(info.value) == f"bad period code {code!r}{reason}; accepted forms: {ACCEPTED}"
    assert isinstance(info.value, ValueError)


def test_a_non_text_code_is_an_error():
    with pytest.raises(PeriodError, match="bad period code 2025 \\(expected text, found int\\)"):
        parse_period(2025)
