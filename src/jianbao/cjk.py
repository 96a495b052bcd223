"""Chinese text measures: character widths, line breaking (禁则 / kinsoku) and greedy filling.

One module for these rules, used by the layout transforms, both writers and the charts.

reportlab's ``wordWrap='CJK'`` breaks after a Latin or number token and then starts
the next line with "，", and it cannot justify CJK lines. Here the text is cut into
unbreakable units — one ideograph each, Latin words and numbers such as "10.2%" whole,
closing punctuation glued to the unit before it and opening punctuation to the unit
after it — and lines are filled greedily with those units. The caller measures
characters (``advances``) and draws; this module only decides where lines end.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# A line never starts with these (closing punctuation, dashes, ellipses, percent signs).
NO_START = frozenset("，。、；：？！）》」』”’〉】〕〗…—～％‰℃°,.;:?!)]}%")
# A line never ends with these (opening punctuation).
NO_END = frozenset("（《「『“‘〈【〔〖([{")
# Full-width punctuation whose glyph fills only half its em box in most fonts: two in a
# row leave a gap of a whole em or more ("”“"), which the PDF compresses (see
# writers.pdf_fonts.FontBook.half_blank, which checks the font's own glyph).
FULL_WIDTH_PUNCTUATION = frozenset("，。、；：）》」』”’〉】〕〗（《「『“‘〈【〔〖")
# Characters that commonly follow a number as its unit or counter: "2025年", "6.4万", "7倍".
UNIT_START = frozenset("万亿千百个倍年月日时分秒期家户辆吨元项台套件部座颗位名人次天周")
DIGITS = frozenset("0123456789")
# Fudge for float sums: a line that overflows by less than this still fits.
EPS = 0.01


def display_em(ch: str) -> float:
    """A character's width in em when no font metrics are at hand: wide (CJK) 1, else 0.5."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5


def display_width(text: str) -> float:
    """The width of ``text`` in em, by :func:`display_em`."""
    return sum(display_em(ch) for ch in text)


@dataclass(frozen=True)
class LineSpan:
    """Characters ``text[start:end]`` form one line (trailing spaces excluded).

    ``width`` is their natural width; ``last`` is true for a paragraph's last line or a
    line ended by a hard break — the lines a justified paragraph leaves ragged.
    """

    start: int
    end: int
    width: float
    last: bool


def wordlike(c: str) -> bool:
    """Latin letters, digits and ASCII signs: runs of these stay together."""
    return c > " " and c < "\u2000"


def breakable(a: str, b: str) -> bool:
    """May a line end between ``a`` and the following ``b``?"""
    if b in NO_START or a in NO_END or b.isspace():
        return False
    if a.isspace():
        return True
    if wordlike(a) and wordlike(b):
        return False
    if a in DIGITS and b in UNIT_START:
        return False
    return True


def _units(text: str) -> list[tuple[int, int]]:
    """Unbreakable ranges of ``text``; a newline is a unit of its own (a hard break)."""
    units: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if a == "\n" or b == "\n" or breakable(a, b):
            units.append((start, i))
            start = i
    if text:
        units.append((start, len(text)))
    return units


def break_lines(
    text: str, advances: Sequence[float], first_width: float, width: float
) -> list[LineSpan]:
    """Fill lines of ``width`` (the first line ``first_width``) with the units of ``text``.

    A unit wider than a whole line is cut between characters; nothing else is.
    """
    lines: list[LineSpan] = []
    start = 0  # first character of the current line
    used = 0.0  # width of the current line, trailing spaces included
    avail = first_width

    def close(end: int, last: bool) -> None:
        nonlocal start, used, avail
        stop = end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        lines.append(LineSpan(start, stop, sum(advances[start:stop]), last))
        start, used, avail = end, 0.0, width

    for s, e in _units(text):
        if text[s] == "\n":
            close(s, True)
            start = e
            continue
        w = sum(advances[s:e])
        trail = e
        while trail > s and text[trail - 1].isspace():
            trail -= 1
        inked = w - sum(advances[trail:e])
        if used + inked <= avail + EPS:
            used += w
            continue
        if used > 0:
            close(s, False)
            if inked <= avail + EPS:
                used = w
                continue
        # A unit longer than a line (a URL, a long number): cut it where it overflows.
        for i in range(s, e):
            if used > 0 and used + advances[i] > avail + EPS and not text[i].isspace():
                close(i, False)
            used += advances[i]
    if start < len(text) or not lines:
        close(len(text), True)
    elif lines:
        last = lines[-1]
        lines[-1] = LineSpan(last.start, last.end, last.width, True)
    return lines
