"""The errors that are the user's to fix, and the one way their messages are written and shown.

Each stage defines its own error next to the code that raises it, as a subclass
of :class:`JianbaoError`; the CLI (and any caller of the API) catches that one
class and shows :func:`format_error` of it, never a traceback. This module
imports nothing of jianbao, so every module can import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

_INDENT = "  "


class JianbaoError(Exception):
    """The root of every error that is the user's to fix (bad data, template, config, theme…).

    The CLI and the API print these as their message, never a traceback.
    """


def format_error(exc: BaseException) -> str:
    """The text the CLI prints for a user error, so that a caller of the API can show the same.

    The first line says where (a file, a field) and what; every further line of
    the message is a detail, indented under it.
    """
    first, *details = str(exc).strip("\n").splitlines() or [type(exc).__name__]
    indented = (line if not line or line[0].isspace() else _INDENT + line for line in details)
    return "\n".join([f"error: {first}", *indented])


def problem_list(head: str, problems: Iterable[str]) -> str:
    """One message for several problems: ``head`` says where, then one indented line per problem."""
    return "\n".join([head, *(_INDENT + str(p) for p in problems)])


def validation_problems(exc: ValidationError, where: str = "", key: str = "{}") -> list[str]:
    """One line per problem pydantic found: "where: key.path: what was expected (found …)".

    ``key`` shapes the dotted path (``"mail.{}"`` for a table of jianbao.toml,
    ``"field '{}'"`` for a spec). A problem of the whole object has no path: its
    message names the field itself, and the whole input is not shown.
    """
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        what = err["msg"].removeprefix("Value error, ")
        if path and err["type"] != "missing" and "found" not in what:  # a validator's own message may say it
            what += f" (found {err.get('input')!r})"
        lines.append(": ".join(part for part in (where, key.format(path) if path else "", what) if part))
    return list(dict.fromkeys(lines))
