"""Flowables that draw Chinese text line by line on a fixed pitch, justified.

``TextBlock`` lays text out with ``cjk_lines`` (kinsoku, whole numbers) and justifies
full lines by spreading the slack over the gaps between characters (PDF character
spacing), so every full line ends flush with the right margin. It splits between lines
across pages. Text is drawn directly — there is no paragraph markup to escape.
Bold is stroke and fill (text render mode 2) because the free CJK fonts have no bold face.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from jianbao.writers.cjk_lines import EPS, break_lines, wordlike
from jianbao.document.text import drawable_text
from jianbao.writers.pdf_fonts import Face, FontBook

Span = tuple[str, Face]
Segment = tuple[str, Face, float]  # characters, face, spacing after each character
# Where the baseline sits in an em box (ideographs span about -0.12 em to 0.88 em).
ASCENT = 0.88
# Stroke width of synthetic bold, as a share of the font size.
BOLD_STROKE = 0.03


class JBCanvas(Canvas):
    """A canvas that counts pages, fixes the creation date and runs late drawing.

    ``late`` callbacks run just before saving: the table of contents puts its page
    numbers in form XObjects that are drawn on page 1 but defined only once every
    chapter heading has been placed, so one layout pass suffices.
    """

    def __init__(self, *args, created: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.late: list[Callable[[Canvas], None]] = []
        self.pages = 0
        if created:
            self.setDateFormatter(lambda *_: created)
        self.showOutline()  # open with the bookmarks panel

    def showPage(self) -> None:
        self.pages += 1
        super().showPage()

    def save(self) -> None:
        for fn in self.late:
            fn(self)
        super().save()


@dataclass(frozen=True)
class Layout:
    """How a block sets its lines: fixed pitch, first-line indent, alignment."""

    pitch: float
    size: float
    align: str = "justify"  # justify | left | center | right
    first_indent: float = 0.0
    left: float = 0.0
    right: float = 0.0


@dataclass
class Line:
    x: float
    width: float
    segments: list[Segment] = field(default_factory=list)


def draw_segments(canv: Canvas, x: float, y: float, segments: list[Segment]) -> None:
    """Draw one line of faced, spaced text starting at (x, y)."""
    text = canv.beginText(x, y)
    # Tc and Tr persist in the graphics state beyond ET: always set them explicitly.
    spacing = 0.0
    text.setCharSpace(spacing)
    font: tuple[str, float] | None = None
    color: Color | None = None
    bold = False
    for chars, face, char_space in segments:
        if char_space != spacing:
            spacing = char_space
            text.setCharSpace(spacing)
        if (face.font, face.size) != font:
            font = (face.font, face.size)
            text.setFont(face.font, face.size)
        if face.color != color:
            color = face.color
            text.setFillColor(color)
            text.setStrokeColor(color)
        if face.bold != bold:
            bold = face.bold
            if bold:
                canv.setLineWidth(face.size * BOLD_STROKE)
            text.setTextRenderMode(2 if bold else 0)
        text.textOut(chars)
    if bold:
        text.setTextRenderMode(0)
    if spacing:
        text.setCharSpace(0)
    canv.drawText(text)


class TextBlock(Flowable):
    """A paragraph of faced spans set on a fixed line pitch; splits between lines."""

    def __init__(self, book: FontBook, spans: list[Span], layout: Layout,
                 space_before: float = 0.0, space_after: float = 0.0) -> None:
        super().__init__()
        self.layout = layout
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self._book = book
        self._text, self._faces, self._advances = _shape(book, spans)
        self._lines: list[Line] = []
        self._laid_width: float | None = None

    # -- layout ---------------------------------------------------------
    def _lay_out(self, width: float) -> list[Line]:
        if self._laid_width == width:
            return self._lines
        lay = self.layout
        avail = width - lay.left - lay.right
        text, faces = self._text, self._faces
        lines: list[Line] = []
        for i, span in enumerate(break_lines(text, self._advances,
                                             avail - lay.first_indent, avail)):
            indent = lay.first_indent if i == 0 else 0.0
            room = avail - indent
            slack = room - span.width
            x = lay.left + indent
            spacing = [0.0] * (span.end - span.start)
            if lay.align == "justify" and not span.last and slack > 0:
                spacing = _justify(text[span.start:span.end], slack)
            elif lay.align == "center":
                x += slack / 2
            elif lay.align == "right":
                x += slack
            line = Line(x, span.width)
            start = span.start
            for j in range(span.start + 1, span.end + 1):
                if (j == span.end or faces[j] is not faces[start]
                        or spacing[j - span.start] != spacing[start - span.start]):
                    line.segments.append((text[start:j], faces[start],
                                          spacing[start - span.start]))
                    start = j
            lines.append(line)
        self._lines, self._laid_width = lines, width
        return lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        lines = self._lay_out(availWidth)
        self.width, self.height = availWidth, len(lines) * self.layout.pitch
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self._lay_out(availWidth)
        fit = int((availHeight + EPS) // self.layout.pitch)
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        return [self._part(lines[:fit], head=True), self._part(lines[fit:], head=False)]

    def _part(self, lines: list[Line], head: bool) -> TextBlock:
        part = copy.copy(self)
        part._lines = lines
        if head:
            part.spaceAfter = 0
        else:
            part.spaceBefore = 0
        return part

    # -- drawing --------------------------------------------------------
    def baseline(self, index: int) -> float:
        """Baseline of line ``index`` in the block's own coordinates."""
        lay = self.layout
        return (self.height - index * lay.pitch
                - (lay.pitch - lay.size) / 2 - ASCENT * lay.size)

    def draw(self) -> None:
        for i, line in enumerate(self._lines):
            draw_segments(self.canv, line.x, self.baseline(i), line.segments)

    @property
    def text(self) -> str:
        return self._text


def _justify(chars: str, slack: float) -> list[float]:
    """Spacing after each character that spreads ``slack`` over the line's gaps.

    Gaps inside a Latin word or a number ("10.2%", "AG600") stay closed, as a reader
    expects; only when a line has no other gap does the word itself spread.
    """
    gaps = [i + 1 < len(chars) and not (wordlike(chars[i]) and wordlike(chars[i + 1]))
            for i in range(len(chars))]
    count = sum(gaps)
    if count == 0:
        if len(chars) < 2:
            return [0.0] * len(chars)
        return [slack / (len(chars) - 1)] * len(chars)
    share = slack / count
    # The last character's spacing falls outside the line: give it the share too so it
    # joins the segment before it.
    return [share if gap or i + 1 == len(chars) else 0.0 for i, gap in enumerate(gaps)]


def _shape(book: FontBook, spans: list[Span]) -> tuple[str, list[Face], list[float]]:
    """Characters, their faces (after glyph fallback) and advances, for a span list."""
    chars: list[str] = []
    faces: list[Face] = []
    advances: list[float] = []
    fallback: dict[tuple[Face, str], Face] = {}
    for raw, face in spans:
        text = drawable_text(raw)
        chars.append(text)
        for c in text:
            font = book.glyph_font(face.font, c)
            if font != face.font:
                key = (face, font)
                other = fallback.get(key)
                if other is None:
                    other = fallback[key] = Face(font, face.size, face.bold, face.color)
                faces.append(other)
            else:
                faces.append(face)
            advances.append(book.advance(font, c, face.size))
    return "".join(chars), faces, advances


class Heading(TextBlock):
    """A heading that can carry a bookmark and report its page to the TOC."""

    def __init__(self, *args, outline: tuple[str, str, int] | None = None,
                 pages: dict[str, int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._outline = outline  # (key, title, level)
        self._pages = pages

    def _part(self, lines: list[Line], head: bool) -> TextBlock:
        part = super()._part(lines, head)
        if not head:
            part._outline = None
        return part

    def draw(self) -> None:
        if self._outline:
            key, title, level = self._outline
            self.canv.bookmarkHorizontal(key, 0, self.height)
            self.canv.addOutlineEntry(title, key, level)
            if self._pages is not None:
                self._pages[key] = self.canv.getPageNumber()
        super().draw()


class SideBySide(Flowable):
    """Two blocks sharing one band: e.g. issuing unit at the left, date at the right."""

    def __init__(self, left: TextBlock, right: TextBlock, space_before: float = 0.0) -> None:
        super().__init__()
        self.left, self.right = left, right
        self.spaceBefore = space_before

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = max(self.left.wrap(availWidth, availHeight)[1],
                          self.right.wrap(availWidth, availHeight)[1])
        return self.width, self.height

    def draw(self) -> None:
        for block in (self.left, self.right):
            block.drawOn(self.canv, 0, self.height - block.height)


class Rule(Flowable):
    """A horizontal rule across the text block."""

    def __init__(self, thickness: float, color: Color, space_before: float = 0.0,
                 space_after: float = 0.0) -> None:
        super().__init__()
        self.thickness, self.color = thickness, color
        self.spaceBefore, self.spaceAfter = space_before, space_after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, self.thickness
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)


class AtPageFoot(Flowable):
    """Blocks set at the foot of the page they land on (the 版记 closing block)."""

    def __init__(self, blocks: list[Flowable]) -> None:
        super().__init__()
        self.blocks = blocks
        self._content = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self._content = sum(b.wrap(availWidth, availHeight)[1] + b.getSpaceBefore()
                            for b in self.blocks)
        self.height = max(self._content, availHeight - EPS)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # never split: start a new page instead

    def draw(self) -> None:
        y = self._content
        for block in self.blocks:
            y -= block.getSpaceBefore() + block.height
            block.drawOn(self.canv, 0, y)


class Contents(Flowable):
    """A table of contents whose page numbers are filled in when the document is saved.

    Each entry's dot leader and page number are a form XObject referenced here and
    defined at save time from the pages the chapter headings reported.
    """

    def __init__(self, book: FontBook, entries: list[tuple[str, str]], face: Face,
                 pitch: float, pages: dict[str, int]) -> None:
        super().__init__()
        self._entries = entries  # (heading key, label)
        self._face = face
        self._pitch = pitch
        self._pages = pages
        reserve = 3 * face.size  # room for the leader and a three-digit page number
        layout = Layout(pitch, face.size, align="left", right=reserve)
        self._blocks = [TextBlock(book, [(label, face)], layout) for _, label in entries]
        self._book = book

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = sum(b.wrap(availWidth, availHeight)[1] for b in self._blocks)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # kept whole: when it does not fit, it starts a new page

    def draw(self) -> None:
        canv = self.canv
        y = self.height
        for (key, _), block in zip(self._entries, self._blocks):
            y -= block.height
            block.drawOn(canv, 0, y)
            last = block._lines[-1]
            x = last.x + last.width
            name = f"jbtoc-{key}"
            canv.saveState()
            canv.translate(x, y + block.baseline(len(block._lines) - 1))
            canv.doForm(name)
            canv.restoreState()
            width = self.width - x
            canv.late.append(lambda c, n=name, k=key, w=width: self._define(c, n, k, w))

    def _define(self, canv: Canvas, name: str, key: str, width: float) -> None:
        face = self._face
        number = str(self._pages.get(key, "?"))
        num_w = self._book.text_width(number, face)
        gap = face.size / 2
        canv.beginForm(name, 0, -face.size / 2, width, face.size)
        canv.setStrokeColor(face.color)
        canv.setLineWidth(1.2)
        canv.setLineCap(1)
        canv.setDash([0, 4])
        if width - num_w - 2 * gap > 0:
            canv.line(gap, face.size * 0.15, width - num_w - gap, face.size * 0.15)
        canv.setDash([])
        draw_segments(canv, width - num_w, 0, [(number, face, 0.0)])
        canv.endForm()
