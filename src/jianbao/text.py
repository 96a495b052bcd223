"""Data text is text: what a cell of YAML, CSV, Excel or config holds never becomes document structure.

Every string read from a project's files passes through :func:`clean_text`
once, where it is read, so the Markdown, the DOCX, the PDF and the mail all
see the same cleaned text. Line and paragraph separators (U+2028, U+2029,
vertical tab, form feed, newlines) become a space (nothing between two Chinese
characters); other control characters, bidi overrides and private-use marks
are removed. :func:`name_problem` checks text that becomes part of a file name.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029\t"
_BREAK_RUN = re.compile(f"[ {_BREAKS}]*[{_BREAKS}][ {_BREAKS}]*")
_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}
_WIDE = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
MAX_NAME = 60  # characters: with the period and suffix a file name stays under 255 bytes in UTF-8
_UNSAFE_IN_NAMES = '<>:"|?*'  # refused by Windows file systems: replaced in file names


def _removed(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in ("Cc", "Co", "Cs") or ch in _BIDI or category == "Cn" and ord(ch) in (0xFFFE, 0xFFFF)


def _join(match: re.Match[str]) -> str:
    text = match.string
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end()] if match.end() < len(text) else ""
    return "" if _WIDE.match(before) and _WIDE.match(after) else " "


def clean_text(text: str) -> str:
    """One line of plain text: breaks joined, controls, bidi overrides and private-use marks removed."""
    if not text:
        return text
    joined = _BREAK_RUN.sub(_join, text)
    return "".join(ch for ch in joined if not _removed(ch)).strip()


def first_tab_line(text: str) -> int | None:
    """The first line (from 1) holding a tab: YAML refuses tabs, and its own message does not say so."""
    return next((n for n, line in enumerate(text.splitlines(), start=1) if "\t" in line), None)


@functools.lru_cache(maxsize=1024)  # loaders check the same few region names on every row
def name_problem(name: str, what: str) -> str | None:
    """Why ``name`` cannot be part of a file name (a path separator, "..", a control character, length), or None."""
    if not name.strip():
        return f"expected {what} with some text, found nothing"
    if "/" in name or "\\" in name:
        return f"expected {what} without / or \\ (it becomes a file name), found {name!r}"
    if ".." in name or name.strip().startswith("."):
        return f"expected {what} that does not start with . or contain .. (it becomes a file name), found {name!r}"
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI for ch in name):
        return f"expected {what} without control or direction characters, found {name!r}"
    if len(name) > MAX_NAME:
        return f"expected {what} of at most {MAX_NAME} characters (it becomes a file name), found {len(name)}"
    return None


def file_name_part(name: str) -> str:
    """``name`` as it can stand in a file name on every system: characters Windows refuses become _."""
    return "".join("_" if ch in _UNSAFE_IN_NAMES else ch for ch in name)
