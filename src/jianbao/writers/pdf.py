"""The PDF writer: Document IR + Theme → PDF bytes, with reportlab platypus.

Every IR node is rendered (an unknown one raises ``UnknownNodeError``). Page geometry,
type and colours come from the theme; fonts are the theme's TrueType faces, embedded
and subset. Text is set by ``pdf_flow.TextBlock`` (kinsoku, justified full lines);
the table of contents gets its page numbers at save time, so one layout pass is
enough. Output is byte-for-byte reproducible: reportlab's invariant mode plus the
creation date from ``doc.meta.created``.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timezone
from functools import partial

from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether, PageTemplate,
    Table as RLTable, TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak

from jianbao.document.ir import (
    LIST_LEVELS, Block, Document, Figure, Heading, ListBlock, ListItem, PageBreak, Paragraph, Run,
    Table, ThematicBreak, UnknownNodeError,
)
from jianbao.theme import TextStyle, Theme
from jianbao.writers.pdf_flow import (
    AtPageFoot, ContentsEntry, Heading as HeadingBlock, JBCanvas, Layout, Rule, SideBySide,
    Span, TextBlock, draw_segments, shape,
)
from jianbao.document.layout import column_widths
from jianbao.document.text import clean_text, source_line
from jianbao.writers.fit import fit_size, keywords_property
from jianbao.writers.geometry import block_geometry
from jianbao.writers.pdf_fonts import FontBook
from jianbao.writers.pdf_image import PngImage

__all__ = ["render_pdf"]

# Line pitch of styles without a fixed one, as a multiple of the font size.
SINGLE = 1.3
# Rules of the closing block (版记), GB/T 9704: outer 0.35 mm, inner 0.25 mm.
LONG_TABLE_ROWS = 15  # longer tables split across pages instead of moving whole
OUTER_RULE = 0.35 * mm
INNER_RULE = 0.25 * mm
MASTHEAD_RULE = 1.5
KEYPOINT_RULE = 0.75
CELL_PAD_X, CELL_PAD_Y = 4.0, 3.0


def render_pdf(doc: Document, theme: Theme) -> tuple[bytes, int]:
    """Render the document to PDF; returns the bytes and the page count.

    Raises ``FontNotFoundError`` (from the theme) when a role has no usable font.
    """
    return _PdfWriter(doc, theme).render()


def _pdf_date(created: str) -> str:
    """ISO 8601 (UTC if no zone given) → PDF date string; empty → reportlab's fixed date."""
    if not created:
        return ""
    stamp = datetime.fromisoformat(created)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%S+00'00'")


class _PdfWriter:
    def __init__(self, doc: Document, theme: Theme) -> None:
        self.doc = doc
        self.theme = theme
        self.book = FontBook(theme)
        page = theme.page
        self.page_w = page["width_mm"] * mm
        self.page_h = page["height_mm"] * mm
        self.left = page["margin_left_mm"] * mm
        self.right = page["margin_right_mm"] * mm
        self.top = page["margin_top_mm"] * mm
        self.bottom = page["margin_bottom_mm"] * mm
        self.text_w = self.page_w - self.left - self.right
        self.text_h = self.page_h - self.top - self.bottom
        self.pages: dict[str, int] = {}  # heading key → page, filled while drawing
        self.geometry = block_geometry(theme)
        self.dispatch = {
            Heading: self.heading,
            Paragraph: self.paragraph,
            ListBlock: self.list_block,
            Table: self.table,
            Figure: lambda fig: [self.figure(fig)],
            PageBreak: lambda _: [RLPageBreak()],
            ThematicBreak: self.thematic_break,
        }

    # -- document -------------------------------------------------------
    def render(self) -> tuple[bytes, int]:
        meta = self.doc.meta
        body_font = self.book.font(self.style("body").family)
        story = self.story()
        buf = io.BytesIO()
        frame = Frame(self.left, self.bottom, self.text_w, self.text_h, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        template = BaseDocTemplate(
            buf,
            pagesize=(self.page_w, self.page_h),
            leftMargin=self.left, rightMargin=self.right,
            topMargin=self.top, bottomMargin=self.bottom,
            pageTemplates=[PageTemplate("page", [frame], onPage=self._page_number)],
            title=clean_text(meta.title), author=clean_text(meta.author),
            subject=clean_text(meta.subject), keywords=keywords_property(meta.keywords),
            creator="jianbao",
            invariant=1, initialFontName=body_font, lang=meta.language or None,
        )
        template.build(story, canvasmaker=partial(JBCanvas, created=_pdf_date(meta.created)))
        return buf.getvalue(), template.canv.pages

    def _page_number(self, canv: JBCanvas, _doc: BaseDocTemplate) -> None:
        """"— N —" below the text block: odd pages right, even pages left, one char in."""
        st = self.style("page_number")
        face = self.book.style_face(st)
        number = canv.getPageNumber()
        text = f"— {number} —"
        width = self.book.text_width(text, face)
        if number % 2:
            x = self.page_w - self.right - st.size - width
        else:
            x = self.left + st.size
        y = self.bottom - self.theme.page.get("footer_distance_mm", 7) * mm - 0.88 * st.size
        canv.saveState()
        draw_segments(canv, x, y, [(text, face, 0.0)])
        canv.restoreState()

    def story(self) -> list[Flowable]:
        doc = self.doc
        story = self.masthead()
        if doc.key_points:
            story += self.key_points()
        if doc.toc and doc.chapters:
            story += self.contents()
        for i, chapter in enumerate(doc.chapters):
            story += self.heading(chapter.heading, key=f"ch{i + 1}")
            for block in chapter.blocks:
                story += self.block(block)
        for block in doc.appendix:
            story += self.block(block)
        if doc.closing.lines or doc.closing.print_run:
            story.append(self.closing())
        return _keep_headings_with_text(story)

    # -- styles ---------------------------------------------------------
    def style(self, name: str) -> TextStyle:
        """A theme style (``ThemeError`` when the theme has none of that name)."""
        return self.theme.style(name)

    def layout(self, st: TextStyle, *, align: str | None = None, indent: bool = True,
               left: float = 0.0, right: float = 0.0) -> Layout:
        return Layout(
            pitch=st.line_spacing or st.size * SINGLE,
            size=st.size,
            align=align or st.align,
            first_indent=st.indent_chars * st.size if indent else 0.0,
            left=left, right=right,
        )

    def spans(self, runs: list[Run], st: TextStyle) -> list[Span]:
        """Runs in a style's face: strong is bold, emphasis is kai (楷体); a link keeps its URL."""
        out: list[Span] = []
        for run in runs:
            if not isinstance(run, Run):
                raise UnknownNodeError(f"the PDF writer cannot render the inline {type(run).__name__}")
            emphasis = run.emphasis and st.family != "kai"
            face = self.book.style_face(st, bold=st.bold or run.strong,
                                        family="kai" if emphasis else None)
            out.append((run.text, face, run.href) if run.href else (run.text, face))
        return out

    def text(self, text: str, style: str, *, color: str | None = None,
             space_before: float = 0.0, space_after: float = 0.0, **layout) -> TextBlock:
        st = self.style(style)
        face = self.book.style_face(st, color=color)
        return TextBlock(self.book, [(text, face)], self.layout(st, **layout),
                         space_before, space_after)

    # -- front matter ---------------------------------------------------
    def masthead(self) -> list[Flowable]:
        m = self.doc.masthead
        colors = self.theme.colors
        out: list[Flowable] = []
        if m.marking:
            out.append(self.text(m.marking, "marking", align="left", indent=False))
        out.append(self.masthead_name(m.name))
        out.append(self.text(m.issue, "issue", space_before=6))
        unit = self.text(m.unit, "masthead_line", align="left", indent=False)
        date = self.text(m.date, "masthead_line", align="right", indent=False)
        out.append(SideBySide(unit, date, space_before=14))
        out.append(Rule(MASTHEAD_RULE, self.book.color(colors["masthead"]), 4, 12))
        return out

    def masthead_name(self, name: str) -> TextBlock:
        """The digest name in red, shrunk (and if need be wrapped) to fit the text block."""
        st = self.style("masthead")
        face = self.book.style_face(st, color=self.theme.colors["masthead"])
        text, _, advances = shape(self.book, [(name, face)])
        size = fit_size(text, [a / st.size for a in advances], self.text_w, st.size)
        st = replace(st, size=size, line_spacing=st.line_spacing * size / st.size)
        face = self.book.style_face(st, color=self.theme.colors["masthead"])
        return TextBlock(self.book, [(name, face)], self.layout(st, indent=False), 6)

    def key_points(self) -> list[Flowable]:
        rule = self.book.color(self.theme.colors["rule"])
        out: list[Flowable] = [Rule(KEYPOINT_RULE, rule, 0, 4)]
        out.append(self.text(self.doc.key_points_title, "heading1", align="center",
                             indent=False))
        for para in self.doc.key_points:
            out += self.block(para)
        out.append(Rule(KEYPOINT_RULE, rule, 4, 12))
        return out

    def contents(self) -> list[Flowable]:
        st = self.style("toc")
        face = self.book.style_face(st)
        pitch = st.line_spacing or st.size * 1.8
        entries = [ContentsEntry(self.book, f"ch{i + 1}", ch.heading.label, face, pitch,
                                 self.pages)
                   for i, ch in enumerate(self.doc.chapters)]
        title = self.text(self.doc.toc_title, "title", align="center", indent=False,
                          space_after=8)
        # The title stays with the first entry; the entries run over as many pages as needed.
        return [KeepTogether([title, entries[0]]), *entries[1:], RLPageBreak()]

    def closing(self) -> Flowable:
        st = self.style("closing")
        closing = self.doc.closing
        rule = self.book.color(self.theme.colors["text"])
        blocks: list[Flowable] = [Rule(OUTER_RULE, rule)]
        for i, line in enumerate(closing.lines):
            if i:
                blocks.append(Rule(INNER_RULE, rule, 3))
            blocks.append(self.text(line, "closing", indent=False, left=st.size,
                                    right=st.size, space_before=3))
        if closing.print_run:
            blocks.append(self.text(closing.print_run, "closing", align="right",
                                    indent=False, right=st.size, space_before=3))
        blocks.append(Rule(OUTER_RULE, rule, 3))
        return AtPageFoot(blocks, self.text_h)

    # -- blocks ---------------------------------------------------------
    def block(self, block: Block) -> list[Flowable]:
        """The flowables of one node, dispatched on its exact type (as the DOCX writer does)."""
        handler = self.dispatch.get(type(block))
        if handler is None:
            raise UnknownNodeError(f"the PDF writer cannot render a {type(block).__name__} node")
        return handler(block)

    def heading(self, heading: Heading, key: str = "") -> list[Flowable]:
        if heading.level not in (1, 2, 3):
            raise UnknownNodeError(f"the PDF writer has no level-{heading.level} heading style")
        st = self.style(f"heading{heading.level}")
        layout = self.layout(st)
        outline = (key, clean_text(heading.label), 0) if key else None
        return [HeadingBlock(self.book, [(heading.label, self.book.style_face(st))], layout,
                             outline=outline, pages=self.pages)]

    def paragraph(self, para: Paragraph) -> list[Flowable]:
        if para.style not in self.theme.raw.get("styles", {}):
            raise UnknownNodeError(
                f"the PDF writer: paragraph style {para.style!r} has no [styles.{para.style}] in the theme")
        st = self.style(para.style)
        indent = self.geometry["quote_indent_chars"] * st.size if para.style == "quote" else 0.0
        return [TextBlock(self.book, self.spans(para.runs, st),
                          self.layout(st, left=indent, right=indent))]

    def list_block(self, lst: ListBlock) -> list[Flowable]:
        """One block per item, indented by level; the composer chose each item's marker."""
        st = self.style("body")
        out: list[Flowable] = []
        for item in lst.items:
            if not isinstance(item, ListItem) or not 0 <= item.level < LIST_LEVELS:
                raise UnknownNodeError(f"the PDF writer cannot render the list item {item!r}")
            runs = [Run(item.label), *item.runs] if item.label else item.runs
            left = item.level * self.geometry["list_level_indent_chars"] * st.size
            out.append(TextBlock(self.book, self.spans(runs, st), self.layout(st, left=left)))
        return out

    def thematic_break(self, _: ThematicBreak) -> list[Flowable]:
        color = self.theme.colors.get("thematic_break", self.theme.colors["text"])
        space = self.geometry["thematic_break_space_pt"]
        return [Rule(self.geometry["thematic_break_pt"], self.book.color(color), space, space)]

    def caption(self, label: str) -> TextBlock:
        return self.text(label, "caption", indent=False, space_before=6, space_after=4)

    def source(self, source: str) -> list[Flowable]:
        if not source:
            return []
        return [self.text(source_line(source), "source", indent=False, space_before=3, space_after=6)]

    def table(self, table: Table) -> list[Flowable]:
        st = self.style("table")
        ncols = max([len(table.numeric)] + [len(r) for r in table.header + table.rows])
        numeric = list(table.numeric) + [False] * (ncols - len(table.numeric))
        layout = Layout(st.line_spacing or st.size * SINGLE, st.size, align="center")
        head_face = self.book.style_face(st, bold=True)
        body_face = self.book.style_face(st)
        # Each cell is a list of flowables: the form reportlab can split inside a row.
        cells: list[list[list[TextBlock]]] = []
        natural = [0.0] * ncols
        for r, row in enumerate(table.header + table.rows):
            header = r < len(table.header)
            face = head_face if header else body_face
            line: list[list[TextBlock]] = []
            for c in range(ncols):
                value = row[c] if c < len(row) else ""
                align = "center" if header else ("right" if numeric[c] else "justify")
                line.append([TextBlock(self.book, [(value, face)],
                                       Layout(layout.pitch, layout.size, align=align))])
                natural[c] = max(natural[c], self.book.text_width(value, face) + 2 * CELL_PAD_X
                                 + 1)
            cells.append(line)
        colors = self.theme.colors
        style = TableStyle([
            # Cells are flowables, but reportlab still selects the cell font: keep it embedded.
            ("FONT", (0, 0), (-1, -1), body_face.font, st.size),
            ("GRID", (0, 0), (-1, -1), 0.5, self.book.color(colors["table_rule"])),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD_Y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD_Y),
        ])
        if table.header:
            style.add("BACKGROUND", (0, 0), (-1, len(table.header) - 1),
                      self.book.color(colors["table_header_fill"]))
        widths = column_widths(natural, self.text_w)
        heights = [max(cell[0].wrap(w - 2 * CELL_PAD_X, self.text_h)[1] for cell, w in
                       zip(row, widths)) + 2 * CELL_PAD_Y for row in cells]
        head = len(table.header)
        # Header rows repeat on every page only while they leave room for body rows.
        repeat = head if sum(heights[:head]) <= self.text_h / 3 else 0
        split_in_row = 0
        if max(heights[head:], default=0) > self.text_h / 2 or not repeat and head:
            # A row that may not fit a page splits inside its cells, by lines. reportlab
            # does that reliably only for top-aligned cells.
            split_in_row = layout.pitch + 2 * CELL_PAD_Y
            style.add("VALIGN", (0, 0), (-1, -1), "TOP")
        grid = RLTable(cells, colWidths=widths, style=style, repeatRows=repeat,
                       splitInRow=split_in_row)
        parts = [self.caption(table.label), grid, *self.source(table.source)]
        if len(table.rows) > LONG_TABLE_ROWS or sum(heights) > self.text_h:
            # A long table runs over pages (header rows repeat); keep only its caption on.
            return [KeepTogether(parts[:1] + [CondPageBreak(6 * st.size)]), *parts[1:]]
        return [KeepTogether(parts)]

    def figure(self, fig: Figure) -> Flowable:
        width, height = fig.width_mm * mm, fig.height_mm * mm
        # Never wider than the text block, nor so tall that caption and source cannot follow.
        scale = min(1.0, self.text_w / width, 0.8 * self.text_h / height)
        width, height = width * scale, height * scale
        image = PngImage(fig.image, width, height)
        image.hAlign = "CENTER"
        image.spaceBefore = 6
        return KeepTogether([image, self.caption(fig.label), *self.source(fig.source)])


def _keep_headings_with_text(story: list[Flowable]) -> list[Flowable]:
    """Before each run of headings, break the page unless the run and two lines fit."""
    out: list[Flowable] = []
    for i, flowable in enumerate(story):
        if isinstance(flowable, HeadingBlock) and not (
                i and isinstance(story[i - 1], HeadingBlock)):
            height = 2 * flowable.layout.pitch
            for nxt in story[i:]:
                if not isinstance(nxt, HeadingBlock):
                    break
                height += nxt.layout.pitch
            out.append(CondPageBreak(height))
        out.append(flowable)
    return out

