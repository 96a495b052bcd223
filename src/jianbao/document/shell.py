"""The parts of a digest that come from config, not narrative: metadata, masthead, the key points
and contents titles, closing.

Issue numbers count up by one per period of the configured kind, and the
issue date comes from config, so two builds of the same inputs agree to the byte.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from jianbao.config import ConfigError, ProjectConfig
from jianbao.ir import Closing, Contents, Document, KeyPoints, Masthead, Metadata
from jianbao.periods import Period, parse_period


KEY_POINTS_TITLE = "本期要点"  # also the level-1 heading the layout template gives the key points
CONTENTS_TITLE = "目　录"


def issue_number(config: ProjectConfig, period: Period) -> int:
    """第N期: counted per kind of digest from its first period, across years or (``yearly``) within one.

    Cumulative digests run 1—2月 … 1—12月 (January is not published alone), so a
    year holds 11 of them; the other kinds count their periods.
    """
    digest = config.digest
    if digest.numbering == "yearly":
        return _position_in_year(period)
    series = digest.series.get(period.kind)
    first_code, first_issue = ((series.first_period, series.first_issue) if series
                               else (digest.first_period, digest.first_issue))
    first = parse_period(first_code)
    if first.kind != period.kind:
        raise ConfigError(
            f"jianbao.toml: digest.first_period {first.code!r} is a {first.kind} period but "
            f"the digest is built for {period.code!r} ({period.kind}); issues count per kind: "
            f"add [digest.series.{period.kind}] with first_period = a {period.kind} period, "
            f"or set digest.numbering = \"yearly\""
        )
    return first_issue + _ordinal(period) - _ordinal(first)


def _ordinal(period: Period) -> int:
    if period.kind == "cumulative" and period.start.month == 1:
        return period.start.year * 11 + period.end.month - 2
    return period.index


def _position_in_year(period: Period) -> int:
    """The period's place among its kind in its year: 3月 → 3, 三季度 → 3, 1—9月 → 8 (1—2月 is the first)."""
    if period.kind == "cumulative" and period.start.month == 1:
        return period.end.month - 1
    if period.kind in ("month", "date"):
        return period.end.month
    if period.kind in ("quarter", "half"):
        return (period.end.month - 1) // (3 if period.kind == "quarter" else 6) + 1
    return 1


def issue_date(config: ProjectConfig, period: Period) -> date:
    """The configured date for the period, else SOURCE_DATE_EPOCH, else today."""
    if period.code in config.digest.dates:
        return config.digest.dates[period.code]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def document_shell(config: ProjectConfig, period: Period, region: str = "") -> Document:
    """An empty Document with everything config decides filled in; a region's digest carries
    the region in its name (``[digest] regional_name``)."""
    digest = config.digest
    name = digest.title(region)
    number = issue_number(config, period)
    issue = f"第{number}期"
    if digest.first_total_issue is not None:
        issue += f"（总第{digest.first_total_issue + number - digest.first_issue}期）"
    day = issue_date(config, period)
    zone = ZoneInfo(digest.timezone)
    created = datetime(day.year, day.month, day.day, tzinfo=zone)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        created = datetime.fromtimestamp(int(epoch), UTC).astimezone(zone)
    title = f"{name}（{period.label()}）"
    closing = config.closing
    return Document(
        meta=Metadata(
            title=title,
            subject=f"{period.label()}{name}",
            author=digest.author or digest.unit,
            keywords=[name, period.label()],
            created=created.isoformat(timespec="seconds"),
        ),
        parts=[
            Masthead(name, issue, digest.unit, chinese_date(day), digest.marking),
            KeyPoints(KEY_POINTS_TITLE),
            Contents(CONTENTS_TITLE),
            Closing(
                lines=list(closing.lines),
                print_run=f"共印{closing.print_run}份" if closing.print_run else "",
            ),
        ],
    )
