"""Periods the way Chinese statistics name them: codes, labels and steps between them.

A period code is what data files hold (``2025H1``, ``2025M01-05``); a label is
what a reader sees (2025年上半年, 1—5月). Every period knows its start and end
dates, so periods of different kinds can be sorted together (by end date, then
start date, then kind), and its ``index`` counts periods of its kind, so the
number of steps between two periods of one kind is a subtraction.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from jianbao.errors import JianbaoError

KINDS = ("year", "half", "quarter", "month", "cumulative", "date", "years", "event")

ACCEPTED_FORMS = (
    "2025 (year), 2025H1 (half), 2025Q2 (quarter), 2025M05 (month), "
    "2025M01-05 (cumulative months), 2025-06-30 (stock at a date), "
    "2025-2027 (span of years) or 2025@618 (named event: month and day, 618 = June 18)"
)

EXAMPLES = "2025, 2025H1, 2025Q2, 2025M05, 2025M01-05, 2025-06-30, 2025-2027 or 2025@618"

_CN_DIGITS = "〇一二三四五六七八九"
_DASH = "\u2014"  # em dash: 1—5月, 2025—2027年
_NAMED_YTD = {3: "一季度", 6: "上半年", 9: "前三季度", 12: "全年"}

_PATTERN = re.compile(
    r"""^(?P<year>\d{4})(?:
        H(?P<half>\d)
      | Q(?P<quarter>\d)
      | M(?P<month>\d{2})(?:-(?P<month_end>\d{2}))?
      | -(?P<date_month>\d{2})-(?P<date_day>\d{2})
      | -(?P<year_end>\d{4})
      | @(?P<event>\d{3,4})
    )?$""",
    re.VERBOSE | re.IGNORECASE,
)


class PeriodError(JianbaoError, ValueError):
    """A period code that cannot be parsed; the message names the code and the accepted forms."""

    def __init__(self, code: object, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        detail = f" ({reason})" if reason else ""
        super().__init__(f"bad period code {code!r}{detail}; accepted forms: {ACCEPTED_FORMS}")


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    """One reporting period; build it with :func:`parse_period`, print it with ``label()``."""

    kind: str
    code: str
    start: dt.date
    end: dt.date
    index: int

    def __str__(self) -> str:
        return self.code

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def _sort_key(self) -> tuple[dt.date, dt.date, int, str]:
        return (self.end, self.start, KINDS.index(self.kind), self.code)

    def same_span(self, other: Period) -> bool:
        """Both cover the same months (2025Q1 and 2025M01-03; 2025H1 and 2025M01-06)."""
        return self.start == other.start and self.end == other.end and "date" not in (self.kind, other.kind)

    def label(self, year: bool = True, named: bool = True) -> str:
        """The Chinese name: 2025年上半年 (``year=False``: 上半年).

        Periods that cannot drop their year (a year, a span of years) keep it,
        except a single year, which reads 全年 without it. With ``named``
        (statistics' usage) cumulative months from January that have a name
        take it: 1—3月 一季度, 1—6月 上半年, 1—9月 前三季度, 1—12月 全年.
        """
        y = f"{self.start.year}年" if year else ""
        if named and self.kind == "cumulative" and self.start.month == 1 and self.end.month in _NAMED_YTD:
            return y + _NAMED_YTD[self.end.month]
        if self.kind == "year":
            return y or "全年"
        if self.kind == "half":
            return y + ("上半年" if self.start.month == 1 else "下半年")
        if self.kind == "quarter":
            return y + _CN_DIGITS[(self.start.month + 2) // 3] + "季度"
        if self.kind == "month":
            return f"{y}{self.start.month}月"
        if self.kind == "cumulative":
            return f"{y}{self.start.month}{_DASH}{self.end.month}月"
        if self.kind == "date":
            if self.end.month == 12 and self.end.day == 31:
                return f"截至{y[:-1]}年底" if y else "截至年底"  # 截至2025年底, not 截至2025年12月底
            day = "底" if _is_month_end(self.end) else f"{self.end.day}日"
            return f"截至{y}{self.end.month}月{day}"
        if self.kind == "years":
            return f"{self.start.year}{_DASH}{self.end.year}年"
        return f"{y}“{self.code.partition('@')[2]}”期间"

    def year_ago(self) -> Period:
        """The same period one year earlier (a month-end date stays a month end)."""
        if self.kind == "date":
            return _date_period(_shift_months(self.end, -12))
        if self.kind == "years":
            return parse_period(f"{self.start.year - 1}-{self.end.year - 1}")
        return parse_period(f"{self.start.year - 1}{self.code[4:]}")

    def previous(self) -> Period:
        """The period of the same kind just before this one.

        2025Q1 → 2024Q4; 2025M01-05 → 2025M01-04; 2025-06-30 → 2025-05-31 (a
        stock date steps back one month); 2025-2027 → 2022-2024; an event → the
        year before. A cumulative period of two months has none (1—1月 is a
        month, not a cumulative period): PeriodError.
        """
        y = self.start.year
        if self.kind in ("year", "event"):
            return self.year_ago()
        if self.kind == "half":
            return parse_period(f"{y - 1}H2" if self.start.month == 1 else f"{y}H1")
        if self.kind == "quarter":
            q = (self.start.month + 2) // 3
            return parse_period(f"{y - 1}Q4" if q == 1 else f"{y}Q{q - 1}")
        if self.kind == "month":
            prev = _shift_months(self.start, -1)
            return parse_period(f"{prev.year}M{prev.month:02d}")
        if self.kind == "cumulative":
            if self.end.month - 1 == self.start.month:
                raise PeriodError(self.code, "a cumulative period of two months has no previous one")
            return parse_period(f"{y}M{self.start.month:02d}-{self.end.month - 1:02d}")
        if self.kind == "date":
            return _date_period(_shift_months(self.end, -1))
        span = self.end.year - self.start.year + 1
        return parse_period(f"{self.start.year - span}-{self.end.year - span}")


def parse_period(code: str | Period) -> Period:
    """Parse a period code; letters may be lower case (``2025h1`` → ``2025H1``)."""
    if isinstance(code, Period):
        return code
    if not isinstance(code, str):
        raise PeriodError(code, f"expected text, found {type(code).__name__}")
    return _parse(code.strip())


@functools.lru_cache(maxsize=4096)
def _parse(code: str) -> Period:
    m = _PATTERN.match(code)
    if not m:
        raise PeriodError(code)
    year = int(m["year"])
    if year < 1000:
        raise PeriodError(code, "the year must have four digits")
    if m["half"]:
        h = int(m["half"])
        if h not in (1, 2):
            raise PeriodError(code, "a half is H1 or H2")
        first = dt.date(year, 6 * h - 5, 1)
        return Period("half", f"{year}H{h}", first, _month_end(year, 6 * h), year * 2 + h - 1)
    if m["quarter"]:
        q = int(m["quarter"])
        if not 1 <= q <= 4:
            raise PeriodError(code, "a quarter is Q1 to Q4")
        first = dt.date(year, 3 * q - 2, 1)
        return Period("quarter", f"{year}Q{q}", first, _month_end(year, 3 * q), year * 4 + q - 1)
    if m["month"]:
        start_month = _month(code, m["month"])
        if m["month_end"] is None:
            return Period("month", f"{year}M{start_month:02d}", dt.date(year, start_month, 1),
                          _month_end(year, start_month), year * 12 + start_month - 1)
        end_month = _month(code, m["month_end"])
        if end_month <= start_month:
            raise PeriodError(code, "cumulative months must end after they start, as in M01-05")
        return Period("cumulative", f"{year}M{start_month:02d}-{end_month:02d}",
                      dt.date(year, start_month, 1), _month_end(year, end_month), year * 12 + end_month - 1)
    if m["date_month"]:
        try:
            day = dt.date(year, int(m["date_month"]), int(m["date_day"]))
        except ValueError:
            raise PeriodError(code, "no such date") from None
        return _date_period(day)
    if m["year_end"]:
        last = int(m["year_end"])
        if last <= year:
            raise PeriodError(code, "a span of years must end after it starts, as in 2025-2027")
        return Period("years", f"{year}-{last}", dt.date(year, 1, 1), dt.date(last, 12, 31), year)
    if m["event"]:
        name = m["event"]
        try:
            day = dt.date(year, int(name[:-2]), int(name[-2:]))
        except ValueError:
            raise PeriodError(code, "an event is named by its month and day, as in @618 or @1111") from None
        return Period("event", f"{year}@{name}", day, day, year)
    return Period("year", str(year), dt.date(year, 1, 1), dt.date(year, 12, 31), year)


def _month(code: str, text: str) -> int:
    month = int(text)
    if not 1 <= month <= 12:
        raise PeriodError(code, "months are 01 to 12")
    return month


def _date_period(day: dt.date) -> Period:
    # Index counts months, matching previous(), which steps back one month.
    return Period("date", day.isoformat(), day, day, day.year * 12 + day.month - 1)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _is_month_end(day: dt.date) -> bool:
    return day == _month_end(day.year, day.month)


def _shift_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; a month end stays a month end, other days clamp."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    end = _month_end(year, month + 1)
    if _is_month_end(day):
        return end
    return dt.date(year, month + 1, min(day.day, end.day))
