"""Project config (``jianbao.toml``): the digest's identity, chapters and closing block.

Validated with pydantic so that every problem is reported at once, each keyed
by where it is in the file. The ``[mail]`` table is validated by
``jianbao.mail.config`` when mail is used, so a build never needs mail settings.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

CONFIG_NAME = "jianbao.toml"


class ConfigError(ValueError):
    """jianbao.toml is missing or invalid; the message lists every problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Digest(_Strict):
    name: str = "工业和信息化发展简报"
    unit: str = ""
    author: str = ""
    marking: str = ""
    font_profile: str | None = None
    # 第X期 counts up by one per period of the same kind, from first_period.
    first_period: str = "2025H1"
    first_issue: int = Field(default=1, ge=1)
    # （总第X期）: printed when set; counts up with the issue number.
    first_total_issue: int | None = Field(default=None, ge=1)
    # Issue date per period code; otherwise SOURCE_DATE_EPOCH or today.
    dates: dict[str, date] = Field(default_factory=dict)


class ChapterConf(_Strict):
    sector: str
    title: str | None = None  # defaults to the catalog's sector name
    template: str | None = None  # defaults to chapters/<sector>.md.j2


class ClosingConf(_Strict):
    lines: list[str] = Field(default_factory=list)  # e.g. "报：…", "送：…"
    print_run: int | None = Field(default=None, ge=1)  # 共印X份


class ProjectConfig(_Strict):
    digest: Digest = Field(default_factory=Digest)
    chapters: list[ChapterConf] = Field(min_length=1)
    closing: ClosingConf = Field(default_factory=ClosingConf)
    mail: dict[str, Any] | None = None


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
        raise ConfigError(format_validation_error(path, exc)) from None


def format_validation_error(path: Path, exc: ValidationError) -> str:
    """One line per problem: file, dotted location, what was expected, what was found."""
    lines = [f"{path}: {exc.error_count()} problem(s)"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        found = err.get("input")
        shown = "" if err["type"] == "missing" else f" (found {found!r})"
        lines.append(f"  {path.name}: {where}: {err['msg']}{shown}")
    return "\n".join(lines)
