"""Data problems: each keyed by file, row or line and field, saying what was expected and found.

Loaders collect every problem instead of stopping at the first, so one run of
``jianbao validate`` shows the analyst everything to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jianbao.errors import JianbaoError, problem_list
from jianbao.periods import EXAMPLES, PeriodError


@dataclass(frozen=True)
class Problem:
    file: str  # as the user sees it, e.g. "data/observations/auto.csv"
    location: str = ""  # "row 12" (spreadsheets, header = row 1) or "line 4" (YAML); "" = whole file
    field: str = ""
    message: str = ""  # "expected a number, found 'abc'"

    def __str__(self) -> str:
        parts = [self.file]
        if self.location:
            parts.append(self.location)
        if self.field:
            parts.append(f"field {self.field!r}")
        return f"{', '.join(parts)}: {self.message}"


class DataValidationError(JianbaoError, ValueError):
    """The data has problems; ``str()`` lists every one, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the data:"
        super().__init__(problem_list(head, self.problems))


class ProblemLog:
    """Collects the problems of one file, so checks only say where and what."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def add(self, location: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, location, field, message))

    def at_line(self, line: int, field: str, message: str) -> None:
        self.add(f"line {line}", field, message)

    def at_row(self, row: int, field: str, message: str) -> None:
        self.add(f"row {row}", field, message)


def shown(value: object) -> str:
    """How a found value reads in a message: quoted text, 'nothing' for a blank."""
    if value is None or value == "":
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value)


def bad_period(found: object, error: PeriodError) -> str:
    """The message for a period code that does not parse."""
    reason = f" ({error.reason})" if error.reason else ""
    return f"expected a period code such as {EXAMPLES}, found {shown(found)}{reason}"


def read_utf8(path: Path, log: ProblemLog) -> str | None:
    """The file's text (a BOM, as Excel writes one, is dropped); None and a problem if not UTF-8."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        log.at_line(line, "", "expected UTF-8 text, found bytes that are not (GBK, perhaps); "
                              "save the file as UTF-8 (in Excel: CSV UTF-8)")
        return None
