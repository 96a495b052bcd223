"""Line quality of a PDF as a reader sees it, read back with poppler's ``pdftotext -bbox``.

Reusable by tests and benchmarks: ``line_quality(pdf, left, right)`` counts lines that
start with closing punctuation or end with opening punctuation, and the share of full
lines that end flush with the right edge of the text block.

A *full line* is a line of running text continued by the next line of the same
paragraph: the next line on the page is one text line lower, in the same size of type,
and starts at the left edge of the text block (a new paragraph is indented, a heading
is indented, captions are centred, table cells are padded, so none of those qualify).
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

FORBIDDEN_START = frozenset("，。、；：？！）》」』”’")
FORBIDDEN_END = frozenset("（《「『“‘")
MM = 72 / 25.4

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


@dataclass(frozen=True)
class TextLine:
    """A run of words on one baseline with no wide gap (table cells are separate)."""

    page: int
    x0: float
    x1: float
    y: float  # bottom of the word boxes, from the top of the page
    height: float
    text: str
    alone: bool  # the only run on its baseline


@dataclass
class LineQuality:
    lines: list[TextLine]
    bad_starts: list[TextLine] = field(default_factory=list)
    bad_ends: list[TextLine] = field(default_factory=list)
    full: list[TextLine] = field(default_factory=list)
    ragged: list[TextLine] = field(default_factory=list)  # full lines not flush right
    runts: list[TextLine] = field(default_factory=list)  # a paragraph's last line of 1 or 2 characters

    @property
    def flush_share(self) -> float:
        return 1.0 - len(self.ragged) / len(self.full) if self.full else 0.0

    def summary(self) -> str:
        return (f"{len(self.lines)} lines, {len(self.bad_starts)} bad starts, "
                f"{len(self.bad_ends)} bad ends, {len(self.full) - len(self.ragged)}"
                f"/{len(self.full)} full lines flush right ({self.flush_share:.1%}), {len(self.runts)} runts")


def read_lines(pdf: Path) -> list[TextLine]:
    """Every text line of the PDF, page by page, top to bottom."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    lines: list[TextLine] = []
    for page_no, match in enumerate(_PAGE.finditer(xhtml), 1):
        words = [(float(a), float(b), float(c), float(d), html.unescape(t))
                 for a, b, c, d, t in _WORD.findall(match.group(3))]
        words.sort(key=lambda w: (w[3], w[0]))
        rows: list[list[tuple]] = []
        for word in words:
            height = word[3] - word[1]
            if rows and abs(rows[-1][0][3] - word[3]) <= 0.3 * height:
                rows[-1].append(word)
            else:
                rows.append([word])
        for row in rows:
            row.sort(key=lambda w: w[0])
            runs: list[list[tuple]] = [[row[0]]]
            for word in row[1:]:
                prev = runs[-1][-1]
                if word[0] - prev[2] > 0.6 * (prev[3] - prev[1]):
                    runs.append([word])
                else:
                    runs[-1].append(word)
            for run in runs:
                lines.append(TextLine(
                    page_no, run[0][0], max(w[2] for w in run), max(w[3] for w in run),
                    max(w[3] - w[1] for w in run), "".join(w[4] for w in run),
                    alone=len(runs) == 1))
    return lines


def line_quality(pdf: Path, left: float, right: float, tol: float = 1.0) -> LineQuality:
    """Check Chinese line breaking against the text block's edges ``left``/``right`` (pt)."""
    lines = read_lines(pdf)
    result = LineQuality(lines)
    for line in lines:
        if line.text[:1] in FORBIDDEN_START:
            result.bad_starts.append(line)
        if line.text[-1:] in FORBIDDEN_END:
            result.bad_ends.append(line)
    firsts = [ln for ln in lines if ln.alone or ln.x0 <= left + tol]
    for line, nxt in zip(firsts, firsts[1:]):
        continued = (
            line.alone and nxt.page == line.page
            and line.x0 >= left - tol and abs(nxt.x0 - left) <= tol
            and abs(nxt.height - line.height) < 0.5
            and 0 < nxt.y - line.y <= 2.2 * line.height
        )
        if continued:
            result.full.append(line)
            if abs(line.x1 - right) > tol:
                result.ragged.append(line)
            if nxt.alone and len(nxt.text) <= 2 and nxt.x1 < right - 3 * nxt.height:
                result.runts.append(nxt)
    return result


def text_block_edges(page: dict[str, float]) -> tuple[float, float]:
    """Left and right edges (pt) of the text block of a theme's ``[page]`` table."""
    left = page["margin_left_mm"] * MM
    return left, (page["width_mm"] - page["margin_right_mm"]) * MM
