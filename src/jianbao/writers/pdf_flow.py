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
from dataclasses import dataclass, field, replace

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, KeepTogether
from reportlab.rl_config import _FUZZ

from jianbao.cjk import EPS, FULL_WIDTH_PUNCTUATION, LineSpan, break_lines, display_em, wordlike
from jianbao.writers.text import drawable_text
from jianbao.writers.pdf_fonts import Face, FontBook, invisible

Span = tuple[str, Face] | tuple[str, Face, str]  # characters, face[, link URL]
Segment = tuple[str, Face, float]  # characters, face, spacing after each character
# Where the baseline sits in an em box (ideographs span about -0.12 em to 0.88 em).
ASCENT = 0.88
# Lines of a paragraph that stay together at a page break (no widows, no orphans).
KEEP_LINES = 2
# A justified paragraph's last line of at most RUNT_CHARS characters ("点。") is set on the line
# before when that line can take it by closing each gap by at most MAX_SQUEEZE em, a closing
# mark at its end giving up its blank half em (行末点号压缩, CLREQ 3.1.6).
RUNT_CHARS = 2
MAX_SQUEEZE = 1 / 16
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
        self.setViewerPreference("DisplayDocTitle", "true")  # the window shows the title, not the file name
        self.addPageLabel(0, "D", 1)  # page labels 1, 2, … as the pages print them

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
    tracking: float = 0.0  # added to each full-width character: the character grid (Theme.tracking)


@dataclass
class Line:
    x: float
    width: float
    start: int  # the line's characters are text[start:end] of its block
    end: int
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
                 space_before: float = 0.0, space_after: float = 0.0, keep_lines: int = KEEP_LINES) -> None:
        super().__init__()
        self.layout = layout
        self.keep_lines = keep_lines  # no fewer lines at a page's foot or top (widows and orphans)
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self._book = book
        self._text, self._faces, self._advances = shape(book, spans)
        # The compression ``shape`` applied, drawn as negative character spacing.
        self._kerns = [a - book.advance(f.font, c, f.size) for c, f, a in zip(self._text, self._faces, self._advances)]
        if layout.tracking:  # the grid's pitch for every full-width character, drawn as spacing too
            for i, c in enumerate(self._text):
                if display_em(c) == 1.0:
                    self._kerns[i] += layout.tracking
                    self._advances[i] += layout.tracking
        self._links = _links(spans)  # (first char, end char, URL) of each linked span
        self._range = (0, len(self._text))  # the characters this block (or part) sets
        self._lines: list[Line] = []
        self._laid_width: float | None = None

    # -- layout ---------------------------------------------------------
    def _lay_out(self, width: float) -> list[Line]:
        """The block's lines at ``width``; a part of a split block lays out only its own text."""
        if self._laid_width == width:
            return self._lines
        lay = self.layout
        avail = width - lay.left - lay.right
        first, stop = self._range
        text, faces = self._text, self._faces
        first_indent = lay.first_indent if first == 0 else 0.0
        lines: list[Line] = []
        spans = break_lines(text[first:stop], self._advances[first:stop],
                            avail - first_indent, avail)
        spans, end_kern = self._without_runt(spans, first, stop, avail, first_indent)
        for i, span in enumerate(spans):
            begin, end = first + span.start, first + span.end
            indent = first_indent if i == 0 else 0.0
            slack = avail - indent - span.width
            x = lay.left + indent
            spacing = self._kerns[begin:end]
            if end_kern and i + 1 == len(spans):
                spacing[-1] += end_kern
            # A line cut where a part of the block ends is still a full line.
            last = span.last and (i + 1 < len(spans) or stop == len(text))
            if lay.align == "justify" and (not last and slack > 0 or slack < -EPS):
                spacing = [k + j for k, j in zip(spacing, _justify(text[begin:end], slack))]
            elif lay.align == "center":
                x += slack / 2
            elif lay.align == "right":
                x += slack
            line = Line(x, span.width, begin, end)
            start = begin
            for j in range(begin + 1, end + 1):
                if (j == end or faces[j] is not faces[start]
                        or spacing[j - begin] != spacing[start - begin]):
                    line.segments.append((text[start:j], faces[start], spacing[start - begin]))
                    start = j
            lines.append(line)
        self._lines, self._laid_width = lines, width
        return lines

    def _without_runt(self, spans: list[LineSpan], first: int, stop: int, avail: float,
                      first_indent: float) -> tuple[list[LineSpan], float]:
        """The lines with a runt last line pulled onto the one before, where that line can tighten
        enough (``MAX_SQUEEZE``); and the kern that line's closing mark gets (0 if none)."""
        if self.layout.align != "justify" or len(spans) < 2 or stop != len(self._text):
            return spans, 0.0
        before, runt = spans[-2], spans[-1]
        if runt.end - runt.start > RUNT_CHARS or before.last:  # before.last: a hard break ends it
            return spans, 0.0
        begin, end = first + before.start, first + runt.end
        chars = self._text[begin:end]
        face = self._faces[end - 1]
        end_kern = -face.size / 2 if chars[-1] in FULL_WIDTH_PUNCTUATION and \
            self._book.half_blank(face.font, chars[-1])[1] else 0.0
        width = sum(self._advances[begin:end]) + end_kern
        room = avail - (first_indent if len(spans) == 2 else 0.0)
        gaps = sum(1 for a, b in zip(chars, chars[1:]) if not (wordlike(a) and wordlike(b)))
        if width - room > gaps * self.layout.size * MAX_SQUEEZE:
            return spans, 0.0
        return [*spans[:-2], LineSpan(before.start, runt.end, width, True)], end_kern

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        lines = self._lay_out(availWidth)
        self.width, self.height = availWidth, len(lines) * self.layout.pitch
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self._laid_width is not None and self._laid_width < availWidth:
            # reportlab's tables wrap a cell at its content width but split it at the
            # column width: cut where the lines will really be set.
            availWidth = self._laid_width
        lines = self._lay_out(availWidth)
        # The frame's own tolerance: with a looser one a block it refused would "fit" here.
        fit = int((availHeight + _FUZZ) // self.layout.pitch)
        if fit >= len(lines):
            return [self]
        # Neither a paragraph's first lines alone at a page's foot nor its last alone at the
        # next page's top: fewer than keep_lines there moves the cut, or the whole block.
        fit = min(fit, len(lines) - self.keep_lines)
        if fit < self.keep_lines:
            return []
        head, tail = self._part(lines[:fit], head=True), self._part(lines[fit:], head=False)
        cut = lines[fit].start
        head._range, tail._range = (self._range[0], cut), (cut, self._range[1])
        return [head, tail]

    def _part(self, lines: list[Line], head: bool) -> TextBlock:
        part = copy.copy(self)
        # reportlab marks a flowable it moved to the next frame and fails if it must
        # move it again; a fresh part of a long block has not been moved yet.
        part.__dict__.pop("_postponed", None)
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
            if self._links:
                self._annotate(line, self.baseline(i))

    def _annotate(self, line: Line, baseline: float) -> None:
        """A link annotation over each stretch of the line that a linked span set."""
        x = line.x
        index = line.start
        edges: list[tuple[int, float, float]] = []  # character, left x, right x
        for chars, _face, spacing in line.segments:
            for _ in chars:
                advance = self._advances[index]
                edges.append((index, x, x + advance))
                x += advance + spacing - self._kerns[index]  # the spacing holds the kern too
                index += 1
        size = self.layout.size
        for first, end, url in self._links:
            inside = [(left, right) for i, left, right in edges if first <= i < end]
            if inside:
                rect = (inside[0][0], baseline - (1 - ASCENT) * size, inside[-1][1], baseline + ASCENT * size)
                self.canv.linkURL(url, rect, relative=1, thickness=0)

    @property
    def text(self) -> str:
        return self._text

    def natural_width(self) -> float:
        """The width of the block's longest line when nothing wraps."""
        first, stop = self._range
        spans = break_lines(self._text[first:stop], self._advances[first:stop],
                            float("inf"), float("inf"))
        return max((span.width for span in spans), default=0.0)


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


def shape(book: FontBook, spans: list[Span]) -> tuple[str, list[Face], list[float]]:
    """Characters, their faces (after glyph fallback) and advances, for a span list.

    Characters without ink (bidi controls, joiners, variation selectors) are left out.
    Of two full-width punctuation marks in a row ("”“", "）。", "（“") the first gives up
    the blank half em between their glyphs (see ``kerns``).
    """
    chars: list[str] = []
    faces: list[Face] = []
    advances: list[float] = []
    fallback: dict[tuple[Face, str], Face] = {}
    for raw, face, *_ in spans:
        for c in drawable_text(raw):
            if invisible(c):
                continue
            chars.append(c)
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
    for i, k in enumerate(kerns(book, chars, faces)):
        advances[i] += k
    return "".join(chars), faces, advances


def kerns(book: FontBook, chars: list[str], faces: list[Face]) -> list[float]:
    """A negative half em after each full-width mark followed by another, where the fonts leave
    that half blank: the first's trailing half or the second's leading half (CLREQ 3.1.6)."""
    out = [0.0] * len(chars)
    for i in range(len(chars) - 1):
        a, b = chars[i], chars[i + 1]
        if a in FULL_WIDTH_PUNCTUATION and b in FULL_WIDTH_PUNCTUATION:
            trailing = book.half_blank(faces[i].font, a)[1]
            leading = book.half_blank(faces[i + 1].font, b)[0]
            if trailing or leading:
                out[i] = -faces[i].size / 2
    return out


def segments_of(book: FontBook, text: str, face: Face) -> list[Segment]:
    """One unspaced line of ``text`` as segments, each character in the face that has it
    (the Latin face for digits), for text drawn outside a TextBlock (page numbers)."""
    chars, faces, _ = shape(book, [(text, face)])
    out: list[Segment] = []
    for c, f in zip(chars, faces):
        if out and out[-1][1] == f:
            out[-1] = (out[-1][0] + c, f, 0.0)
        else:
            out.append((c, f, 0.0))
    return out


def _links(spans: list[Span]) -> list[tuple[int, int, str]]:
    """Character ranges (as ``shape`` counts them) of the spans that carry a link URL."""
    out: list[tuple[int, int, str]] = []
    if not any(len(span) > 2 and span[2] for span in spans):
        return out
    at = 0
    for span in spans:
        count = sum(1 for c in drawable_text(span[0]) if not invisible(c))  # as shape() keeps them
        if len(span) > 2 and span[2]:
            out.append((at, at + count, span[2]))
        at += count
    return out


class Heading(TextBlock):
    """A heading that can carry a bookmark and report its page to the TOC."""

    def __init__(self, *args, outline: tuple[str, str, int] | None = None,
                 pages: dict[str, int] | None = None, level: int = 1, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.level = level  # 1 = a chapter heading
        self._outline = outline  # (key, title, level)
        self._pages = pages
        self.keep_with_next = True  # the tree's decision (see document.transforms.lay_out)

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
    """Two blocks sharing one band: e.g. issuing unit at the left, date at the right.

    When they do not fit side by side the left one wraps beside the right one, or,
    if the right one is too wide for that, the right one goes below: never overlap.
    """

    def __init__(self, left: TextBlock, right: TextBlock, space_before: float = 0.0) -> None:
        super().__init__()
        self.left, self.right = left, right
        self.spaceBefore = space_before
        self._stacked = False

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        gap = self.right.layout.size  # one character
        left, right = self.left.natural_width(), self.right.natural_width()
        fits = left + gap + right <= availWidth
        self._stacked = not fits and right + gap > availWidth / 2
        left_room = availWidth if fits or self._stacked else availWidth - right - gap
        left_h = self.left.wrap(left_room, availHeight)[1]
        right_h = self.right.wrap(availWidth, availHeight)[1]
        self.height = left_h + right_h if self._stacked else max(left_h, right_h)
        return self.width, self.height

    def draw(self) -> None:
        self.left.drawOn(self.canv, 0, self.height - self.left.height)
        self.right.drawOn(self.canv, 0, 0 if self._stacked else self.height - self.right.height)


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
    """Blocks set at the foot of an even page: the 版记, on the last face of the digest.

    GB/T 9704 §7.4 puts the 版记 on the last face, and printed on both sides that is an
    even page: on an odd page it gives way, leaving the rest of that page blank, and
    stands at the foot of the next one. Blocks taller than ``max_height`` (a page's text
    block) can never stand at a page's foot: they then flow as ordinary blocks, over as
    many pages as they need.

    ``offered`` is the page it first came up on (where the text before it ends) and
    ``page`` the page it stands on (0 if it flowed): the DOCX breaks its pages to match.
    """

    def __init__(self, blocks: list[Flowable], max_height: float) -> None:
        super().__init__()
        self.blocks = blocks
        self.max_height = max_height
        self._content = 0.0
        self.offered = 0
        self.page = 0

    def _measure(self, availWidth: float, availHeight: float) -> bool:
        """Measure the blocks; whether this page must refuse them (an odd one, and they fit a page)."""
        self._content = sum(b.wrap(availWidth, availHeight)[1] + b.getSpaceBefore() for b in self.blocks)
        canv = getattr(self, "canv", None)  # wrapOn and splitOn lend the canvas
        number = canv.getPageNumber() if canv is not None else 0
        self.offered = self.offered or number
        return self._content <= self.max_height and number % 2 == 1

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        if self._measure(availWidth, availHeight):
            self.height = availHeight + 1  # more than the page has: see split
        else:
            self.height = max(self._content, availHeight - EPS)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        odd = self._measure(availWidth, availHeight)
        if self._content <= self.max_height:
            if odd:
                # reportlab fails a flowable refused by two frames in a row (the full even page
                # before may have refused it): this refusal is a choice, and the next page takes it.
                self.__dict__.pop("_postponed", None)
            return []  # never split: start a new page instead
        return list(self.blocks)

    def draw(self) -> None:
        self.page = self.canv.getPageNumber()
        y = self._content
        for block in self.blocks:
            y -= block.getSpaceBefore() + block.height
            block.drawOn(self.canv, 0, y)


class ContentsEntry(TextBlock):
    """One line (or more) of the table of contents; its page number is filled in at save.

    The dot leader and page number after the entry's last line are a form XObject
    referenced here and defined at save time from the page its chapter heading
    reported, so one layout pass suffices. Entries are separate flowables, so the
    contents run over as many pages as they need, and a long entry splits by lines.
    """

    def __init__(self, book: FontBook, key: str, label: str, face: Face, layout: Layout,
                 pages: dict[str, int]) -> None:
        reserve = 3 * face.size  # room for the leader and a three-digit page number
        super().__init__(book, [(label, face)], replace(layout, right=layout.right + reserve))
        self._key = key
        self._face = face
        self._pages = pages
        self._leader = True  # false on the head of a split entry

    def _part(self, lines: list[Line], head: bool) -> TextBlock:
        part = super()._part(lines, head)
        if head:
            part._leader = False
        return part

    def draw(self) -> None:
        super().draw()
        # The whole entry links to its heading, as the DOCX contents' hyperlinks do.
        self.canv.linkRect("", self._key, (0, 0, self.width, self.height), relative=1)
        if not self._leader or not self._lines:
            return
        canv = self.canv
        last = self._lines[-1]
        x = last.x + last.width
        name = f"jbtoc-{self._key}"
        canv.saveState()
        canv.translate(x, self.baseline(len(self._lines) - 1))
        canv.doForm(name)
        canv.restoreState()
        width = self.width - x
        canv.late.append(lambda c, w=width: self._define(c, name, w))

    def _define(self, canv: Canvas, name: str, width: float) -> None:
        face = self._face
        number = str(self._pages.get(self._key, "?"))
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
        draw_segments(canv, width - num_w, 0, segments_of(self._book, number, face))
        canv.endForm()


def _may_precede_a_float(flowable: Flowable) -> bool:
    """Body text, a section heading and the page-break test before it; never a chapter heading,
    another float or the closing block."""
    return (type(flowable) is TextBlock or type(flowable) is CondPageBreak
            or (isinstance(flowable, Heading) and flowable.level > 1))


class Float(KeepTogether):
    """A figure or table with its caption and source, which may wait for the text after it.

    When it does not fit the rest of the page, ``FloatingDocTemplate`` first shrinks a
    figure's picture (down to ``min_scale``), else sets the following paragraphs first and
    the float at the top of the next page, so the page is not left blank below the text;
    it never moves past a chapter heading or a float of its own kind.
    """

    def __init__(self, flowables: list[Flowable], kind: str, min_scale: float = 1.0) -> None:
        super().__init__(flowables)
        self.parts = list(flowables)
        self.kind = kind  # "figure" | "table"
        self.min_scale = min_scale
        picture = self.parts[0] if self.parts else None
        # the laid-out size: min_scale is a share of it however often the picture shrinks, so a
        # chart's text, drawn for that floor (charts.printed), never prints smaller
        self._full_size = (picture.drawWidth, picture.drawHeight) if hasattr(picture, "drawHeight") else None

    def shrink_to_fit(self, room: float, width: float, canv) -> bool:
        """Scale the picture (the first flowable) down so that the whole fits ``room``, if it may."""
        picture = self.parts[0]
        if self.min_scale >= 1.0 or self._full_size is None:
            return False
        rest = sum(f.wrapOn(canv, width, room)[1] + f.getSpaceBefore() + f.getSpaceAfter()
                   for f in self.parts[1:])
        height = room - rest - picture.getSpaceBefore() - _FUZZ
        full_width, full_height = self._full_size
        scale = height / full_height
        if scale < self.min_scale or height >= picture.drawHeight:
            return False
        picture.drawWidth, picture.drawHeight = full_width * scale, full_height * scale
        return True


class FloatingDocTemplate(BaseDocTemplate):
    """A document template whose floats give way to the text after them (see ``Float``)."""

    def filterFlowables(self, flowables: list[Flowable]) -> None:
        """reportlab's hook before each flowable: swap a float that does not fit with the next paragraph."""
        if len(flowables) < 2 or not isinstance(flowables[0], Float):
            return
        first, second = flowables[0], flowables[1]
        if self._fits(first) or first.shrink_to_fit(self._room(first), self.frame._getAvailableWidth(), self.canv):
            return
        # Text moves up; so does a float of the other kind (a table past a figure keeps both numberings).
        if _may_precede_a_float(second) or (isinstance(second, Float) and second.kind != first.kind):
            flowables[0], flowables[1] = second, first

    def _room(self, flowable: Flowable) -> float:
        """The height left in the frame for ``flowable`` (reportlab's own measure; see test_pdf_float)."""
        frame = self.frame
        room = frame._y - frame._y1p
        return room if frame._atTop else room - flowable.getSpaceBefore()

    def _fits(self, flowable: Flowable) -> bool:
        room = self._room(flowable)
        return flowable.wrapOn(self.canv, self.frame._getAvailableWidth(), room)[1] <= room + _FUZZ
