"""Project config (``jianbao.toml``): the digest's identity, chapters and closing block.

Validated with pydantic so that every problem is reported at once, each keyed
by where it is in the file. The ``[mail]`` table is validated by
``jianbao.mail.config`` when mail is used, so a build never needs mail settings.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from jianbao.errors import JianbaoError, problem_list, validation_problems
from jianbao.reporting import Policy
from jianbao.text import clean_text, name_problem

Text = Annotated[str, AfterValidator(clean_text)]  # one line of plain text, as data text is cleaned


def _file_name(name: str) -> str:
    why = name_problem(clean_text(name), "a digest name")
    if why:
        raise ValueError(why)
    return clean_text(name)

CONFIG_NAME = "jianbao.toml"


class ConfigError(JianbaoError, ValueError):
    """jianbao.toml is missing or invalid; the message lists every problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IssueSeries(_Strict):
    """Where the issue numbers of one kind of digest start (``[digest.series.month]``)."""

    first_period: str
    first_issue: int = Field(default=1, ge=1)


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"expected an IANA time zone such as Asia/Shanghai, found {name!r}") from None
    return name


def _region(name: str) -> str:
    why = name_problem(name, "a region name")
    if why:
        raise ValueError(why)
    return name


def _regional_name(pattern: str) -> str:
    if "{region}" not in pattern or "{name}" not in pattern:
        raise ValueError(f"expected a pattern holding {{region}} and {{name}}, found {pattern!r}")
    return pattern


class Digest(_Strict):
    name: Annotated[str, AfterValidator(_file_name)] = "工业和信息化发展简报"  # also the files' name
    # A region's digest (`build --region 河南`) is named by this pattern: 河南工业和信息化发展简报.
    regional_name: Annotated[str, AfterValidator(_regional_name)] = "{region}{name}"
    # The regions `--each region` builds, in order; empty: every region the data has figures for.
    regions: list[Annotated[str, AfterValidator(_region)]] = Field(default_factory=list)
    unit: Text = ""
    author: Text = ""
    marking: Text = ""
    font_profile: str | None = None
    # 第X期 counts up by one per period of the same kind, from first_period.
    first_period: str = "2025H1"
    first_issue: int = Field(default=1, ge=1)
    # "continuous": 第N期 counts on across years; "yearly": it starts again at 1 each January.
    numbering: Literal["continuous", "yearly"] = "continuous"
    # Other kinds of digest from the same project, each counted on its own:
    # [digest.series.month] first_period = "2026M01"; keys are period kinds (month, quarter,
    # cumulative, half, year).
    series: dict[Literal["year", "half", "quarter", "month", "cumulative"], IssueSeries] = Field(
        default_factory=dict)
    # （总第X期）: printed when set; counts up with the issue number.
    first_total_issue: int | None = Field(default=None, ge=1)
    # Issue date per period code; otherwise SOURCE_DATE_EPOCH or today.
    dates: dict[str, date] = Field(default_factory=dict)
    # The files' keywords (文件属性→关键词); default: the digest's name, period and chapter titles.
    keywords: list[Text] = Field(default_factory=list)
    # The time zone of the issue date: the files' creation time is its midnight there.
    timezone: Annotated[str, AfterValidator(_time_zone)] = "Asia/Shanghai"

    def title(self, region: str = "") -> str:
        """The digest's name as its masthead, title and files carry it: regional for a region's digest."""
        return self.regional_name.format(region=region, name=self.name) if region else self.name


class PeriodsConf(_Strict):
    """How a digest treats figures of other periods than its own (README: "Periods")."""

    # A figure older than the digest period (1—8月 software figures in a 1—9月 digest):
    # "label" states it under its own period label, "drop" leaves its sentence, row or chart out.
    older: Literal["label", "drop"] = "label"
    # Figures that end more than this many months before the digest period ends are never used.
    max_lag_months: int = Field(default=3, ge=0, le=24)
    # A chapter whose figures are all older than the digest period: "keep" it (labelled) or "omit" it.
    stale_chapter: Literal["keep", "omit"] = "keep"

    def policy(self) -> Policy:
        return Policy(self.older, self.max_lag_months)


class RenderConf(_Strict):
    """Limits on one template's render, so a runaway loop stops with a message naming the template."""

    timeout: float = Field(default=60, gt=0, le=3600)  # seconds
    max_megabytes: int = Field(default=20, ge=1, le=1000)

    def limits(self):  # -> jianbao.narrative.env.RenderLimits (imported here: config loads without Jinja2)
        from jianbao.narrative.env import RenderLimits

        return RenderLimits(self.timeout, self.max_megabytes * 1_000_000)


class AppendixConf(_Strict):
    """附：本期数据一览, the figures the text used."""

    # "compact": grouped by chapter, units in their own column, a period or source the whole
    # group shares said once in its row; "full": one row per figure with every column; "none".
    mode: Literal["compact", "full", "none"] = "compact"


class ChapterConf(_Strict):
    sector: str
    title: Text | None = None  # defaults to the catalog's sector name
    template: str | None = None  # defaults to chapters/<sector>.md.j2


class ClosingConf(_Strict):
    lines: list[Text] = Field(default_factory=list)  # e.g. "报：…", "送：…"
    print_run: int | None = Field(default=None, ge=1)  # 共印X份


class EngineConf(_Strict):
    """Where `run --each region --engine celery` sends its units (``[engine]``; README: "Scaling out")."""

    broker: str | None = None  # default: redis://127.0.0.1:6379/0
    backend: str | None = None  # where the workers leave each unit's result; default: the broker
    # Seconds the broker waits for a unit's acknowledgement before giving it to another worker: longer
    # than the slowest unit, else a unit still running is started a second time (the ledger still mails
    # nobody twice, but the twin reports the first one's claims as held).
    visibility_timeout: float = Field(default=3600, gt=0, le=7 * 86400)


class ProjectConfig(_Strict):
    digest: Digest = Field(default_factory=Digest)
    chapters: list[ChapterConf] = Field(min_length=1)
    closing: ClosingConf = Field(default_factory=ClosingConf)
    periods: PeriodsConf = Field(default_factory=PeriodsConf)
    render: RenderConf = Field(default_factory=RenderConf)
    appendix: AppendixConf = Field(default_factory=AppendixConf)
    mail: dict[str, Any] | None = None
    # Excluded from dumps, so the manifest's config hash (manifest.input_hashes) ignores it: where units
    # run changes no document, and must not make built digests stale.
    engine: EngineConf = Field(default_factory=EngineConf, exclude=True)


def load_config(root: Path) -> ProjectConfig:
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(f"{path}: not found (run `jianbao init DIR` to create a project)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    try:
        return ProjectConfig.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc, path.name)
        raise ConfigError(problem_list(f"{path}: {len(problems)} problem(s)", problems)) from None
