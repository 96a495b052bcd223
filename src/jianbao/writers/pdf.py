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
    CondPageBreak, Flowable, Frame, KeepTogether, PageTemplate,
    Table as RLTable, TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak

from jianbao.ir import (
    LIST_LEVELS, Appendix, Chapter, Closing, Contents, ContentsEntry as Entry, Document, Figure, Heading,
    KeyPoints, ListBlock, ListItem, Masthead, PageBreak, Pagination, Paragraph, Run, Table, ThematicBreak,
    UnknownNodeError,
)
from jianbao.theme import TextStyle, Theme
from jianbao.writers.pdf_flow import (
    KEEP_LINES, AtPageFoot, ContentsEntry, Float, FloatingDocTemplate, Heading as HeadingBlock, JBCanvas, Layout, Rule,
    SideBySide,
    Span, TextBlock, draw_segments, segments_of, shape,
)
from jianbao.writers.fit import fit_size, keywords_property
from jianbao.writers.pdf_fonts import FontBook
from jianbao.writers.pdf_image import PngImage
from jianbao.writers.text import clean_text
from jianbao.writers.visitor import Visitor

__all__ = ["render_pdf"]

# Line pitch of styles without a fixed one, as a multiple of the font size.
SINGLE = 1.3


class RenderedPdf(tuple):
    """``(bytes, page count)``, as ``data, pages = render_pdf(…)`` unpacks it, and ``.pagination``
    (each anchor's page) for the DOCX writer."""

    def __new__(cls, data: bytes, pagination: Pagination) -> RenderedPdf:
        rendered = super().__new__(cls, (data, pagination.pages))
        rendered.pagination = pagination
        return rendered

    def __getnewargs__(self) -> tuple[bytes, Pagination]:  # pickled whole, e.g. back from a worker
        return self[0], self.pagination


def render_pdf(doc: Document, theme: Theme) -> RenderedPdf:
    """Render the document to PDF: the bytes and the page count, and where each anchor fell.

    Raises ``FontNotFoundError`` (from the theme) when a role has no usable font.
    """
    return PdfWriter(doc, theme).render()


def _pdf_date(created: str) -> str:
    """ISO 8601 (UTC if no zone given) → a PDF date in the same zone; empty → reportlab's fixed date."""
    if not created:
        return ""
    stamp = datetime.fromisoformat(created)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    offset = int(stamp.utcoffset().total_seconds()) // 60
    sign = "+" if offset >= 0 else "-"
    return stamp.strftime("D:%Y%m%d%H%M%S") + f"{sign}{abs(offset) // 60:02d}'{abs(offset) % 60:02d}'"


class PdfWriter(Visitor):
    """Each ``visit_*`` returns the node's flowables; ``story`` strings them in the tree's order."""

    name = "PDF writer"

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
        self.pages: dict[str, int] = {}  # heading anchor → page, filled while drawing
        self.closing: AtPageFoot | None = None  # the 版记, which reports its pages once laid out
        self.geometry = theme.blocks

    # -- document -------------------------------------------------------
    def render(self) -> RenderedPdf:
        meta = self.doc.meta
        body_font = self.book.font(self.style("body").family)
        story = self.story()
        buf = io.BytesIO()
        frame = Frame(self.left, self.bottom, self.text_w, self.text_h, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        template = FloatingDocTemplate(
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
        closing = self.closing
        return RenderedPdf(buf.getvalue(), Pagination(
            template.canv.pages, dict(self.pages),
            body_end=closing.offered if closing else 0, closing=closing.page if closing else 0))

    def _page_number(self, canv: JBCanvas, _doc: FloatingDocTemplate) -> None:
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
        draw_segments(canv, x, y, segments_of(self.book, text, face))
        canv.restoreState()

    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        for part in self.doc.parts:
            story += self.visit(part)
        return _keep_headings_with_text(story)

    # -- styles ---------------------------------------------------------
    def style(self, name: str) -> TextStyle:
        """A theme style (``ThemeError`` when the theme has none of that name)."""
        return self.theme.style(name)

    def layout(self, st: TextStyle, *, align: str | None = None, indent: bool = True,
               left: float = 0.0, right: float = 0.0) -> Layout:
        tracking = self.theme.tracking(st.size)
        return Layout(
            pitch=st.line_spacing or st.size * SINGLE,
            size=st.size,
            align=align or st.align,
            first_indent=st.indent_chars * (st.size + tracking) if indent else 0.0,
            left=left, right=right,
            tracking=tracking,
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

    def text(self, text: str, style: str, *, color: str | None = None, **layout) -> TextBlock:
        """A one-face block in a theme style, with the style's space before and after."""
        st = self.style(style)
        face = self.book.style_face(st, color=color)
        return TextBlock(self.book, [(text, face)], self.layout(st, **layout), st.space_before, st.space_after)

    def visit_Run(self, run: Run) -> Run:
        return run  # runs become spans in the block that holds them (see ``spans``)

    # -- the digest's parts -----------------------------------------------
    def visit_Masthead(self, m: Masthead) -> list[Flowable]:
        out: list[Flowable] = []
        if m.marking:
            out.append(self.text(m.marking, "marking", align="left", indent=False))
        out.append(self.masthead_name(m.name))
        out.append(self.text(m.issue, "issue"))
        unit = self.text(m.unit, "masthead_line", align="left", indent=False)
        date = self.text(m.date, "masthead_line", align="right", indent=False)
        line = self.style("masthead_line")
        out.append(SideBySide(unit, date, space_before=line.space_before))
        out.append(Rule(self.geometry["masthead_rule_pt"], self.book.color(self.theme.colors["masthead"]),
                        self.geometry["masthead_rule_space_pt"], line.space_after))
        return out

    def masthead_name(self, name: str) -> TextBlock:
        """The digest name in red, shrunk (and if need be wrapped) to fit the text block."""
        st = self.style("masthead")
        face = self.book.style_face(st, color=self.theme.colors["masthead"])
        text, _, advances = shape(self.book, [(name, face)])
        size = fit_size(text, [a / st.size for a in advances], self.text_w, st.size)
        st = replace(st, size=size, line_spacing=st.line_spacing * size / st.size)
        face = self.book.style_face(st, color=self.theme.colors["masthead"])
        return TextBlock(self.book, [(name, face)], self.layout(st, indent=False), st.space_before,
                         st.space_after)

    def visit_KeyPoints(self, box: KeyPoints) -> list[Flowable]:
        """The title and the points between two rules (``[blocks] keypoints_rule_pt``, ``colors.rule``)."""
        rule = self.book.color(self.theme.colors["rule"])
        weight = self.geometry["keypoints_rule_pt"]
        st = self.style("keypoints_title")
        face = self.book.style_face(st)
        outline = (box.anchor, clean_text(box.title), 0) if box.anchor else None
        title = HeadingBlock(self.book, [(box.title, face)], self.layout(st, indent=False), outline=outline,
                             pages=self.pages)  # no space: the title's spacing is the room around the rules
        out: list[Flowable] = [Rule(weight, rule, 0, st.space_before), title]
        for para in box.paragraphs:
            out += self.visit(para)
        out.append(Rule(weight, rule, st.space_after, self.style("keypoint").space_after))
        return out

    def visit_Contents(self, contents: Contents) -> list[Flowable]:
        title = self.text(contents.title, "title", align="center", indent=False)
        entries = [self.visit(entry) for entry in contents.entries]
        # The title stays with the first entry; the entries run over as many pages as needed.
        return [KeepTogether([title, *entries[:1]]), *entries[1:]]

    def visit_ContentsEntry(self, entry: Entry) -> ContentsEntry:
        st = self.style("toc")
        face = self.book.style_face(st)
        layout = Layout(st.line_spacing or st.size * SINGLE, st.size, align="left",
                        left=(entry.level - 1) * st.size)
        return ContentsEntry(self.book, entry.anchor, entry.label, face, layout, self.pages)

    def visit_Chapter(self, part: Chapter | Appendix) -> list[Flowable]:
        """A chapter or the appendix: its heading, then its blocks."""
        return [*self.visit(part.heading), *self._blocks(part.blocks)]

    visit_Appendix = visit_Chapter

    def _blocks(self, blocks: list) -> list[Flowable]:
        return [flowable for block in blocks for flowable in self.visit(block)]

    def visit_Closing(self, closing: Closing) -> list[Flowable]:
        """版记 at the foot of the last page, an even one (``AtPageFoot``): rules of
        ``[blocks] closing_*_rule_pt``, lines inset one character. Its pages go into the pagination."""
        if not closing.lines and not closing.print_run:
            return []
        st = self.style("closing")
        rule = self.book.color(self.theme.colors["text"])
        outer, inner = self.geometry["closing_outer_rule_pt"], self.geometry["closing_inner_rule_pt"]
        gap = self.geometry["table_cell_pad_y_pt"]
        blocks: list[Flowable] = [Rule(outer, rule)]
        for i, line in enumerate(closing.lines):
            if i:
                blocks.append(Rule(inner, rule, gap))
            blocks.append(self.text(line, "closing", indent=False, left=st.size, right=st.size))
            blocks[-1].spaceBefore = gap
        if closing.print_run:
            blocks.append(self.text(closing.print_run, "closing", align="right", indent=False, right=st.size))
            blocks[-1].spaceBefore = gap
        blocks.append(Rule(outer, rule, gap))
        self.closing = AtPageFoot(blocks, self.text_h)
        return [self.closing]

    # -- blocks -------------------------------------------------------------
    def visit_PageBreak(self, _: PageBreak) -> list[Flowable]:
        return [RLPageBreak()]

    def visit_Heading(self, heading: Heading) -> list[Flowable]:
        if heading.level not in (1, 2, 3):
            raise UnknownNodeError(f"the PDF writer has no level-{heading.level} heading style")
        st = self.style(f"heading{heading.level}")
        outline = (heading.anchor, clean_text(heading.label), heading.level - 1) if heading.anchor else None
        block = HeadingBlock(self.book, [(heading.label, self.book.style_face(st))], self.layout(st),
                             st.space_before, st.space_after, outline=outline, pages=self.pages,
                             level=heading.level)
        block.keep_with_next = heading.keep_with_next
        return [block]

    def visit_Paragraph(self, para: Paragraph) -> list[Flowable]:
        if para.style not in self.theme.raw.get("styles", {}):
            raise UnknownNodeError(
                f"the PDF writer: paragraph style {para.style!r} has no [styles.{para.style}] in the theme")
        st = self.style(para.style)
        indent = self.geometry["quote_indent_chars"] * st.size if para.style == "quote" else 0.0
        return [TextBlock(self.book, self.spans(para.runs, st), self.layout(st, left=indent, right=indent),
                          st.space_before, st.space_after)]

    def visit_ListBlock(self, lst: ListBlock) -> list[Flowable]:
        return self._blocks(lst.items)

    def visit_ListItem(self, item: ListItem) -> list[Flowable]:
        """One block per item, indented by level; the reader chose each item's marker."""
        if not 0 <= item.level < LIST_LEVELS:
            raise UnknownNodeError(f"the PDF writer cannot render a list item at level {item.level}")
        st = self.style("body")
        runs = [Run(item.label), *item.runs] if item.label else item.runs
        left = item.level * self.geometry["list_level_indent_chars"] * st.size
        return [TextBlock(self.book, self.spans(runs, st), self.layout(st, left=left))]

    def visit_ThematicBreak(self, _: ThematicBreak) -> list[Flowable]:
        color = self.theme.colors.get("thematic_break", self.theme.colors["text"])
        space = self.geometry["thematic_break_space_pt"]
        return [Rule(self.geometry["thematic_break_pt"], self.book.color(color), space, space)]

    def caption(self, label: str) -> TextBlock:
        return self.text(label, "caption", indent=False)

    def source(self, source: str) -> list[Flowable]:
        return [self.text(source, "source", indent=False)] if source else []

    def visit_Table(self, table: Table) -> list[Flowable]:
        """Caption, grid and source; column shares and splitting come from the layout transform."""
        st = self.style(table.style)
        pad_x, pad_y = self.geometry["table_cell_pad_x_pt"], self.geometry["table_cell_pad_y_pt"]
        ncols = table.columns
        numeric = list(table.numeric) + [False] * (ncols - len(table.numeric))
        layout = Layout(st.line_spacing or st.size * SINGLE, st.size, align="center")
        head_face = self.book.style_face(st, bold=True)
        body_face = self.book.style_face(st)
        # Each cell is a list of flowables: the form reportlab can split inside a row.
        cells: list[list[list[TextBlock]]] = []
        groups = {len(table.header) + i for i in table.group_rows}
        for r, row in enumerate(table.header + table.rows):
            header = r < len(table.header)
            face = head_face if header or r in groups else body_face
            line: list[list[TextBlock]] = []
            for c in range(ncols):
                value = row[c] if c < len(row) and (c == 0 or r not in groups) else ""
                align = "center" if header else ("left" if r in groups else "right" if numeric[c] else "justify")
                line.append([TextBlock(self.book, [(value, face)],  # a cell splits by lines where it must
                                       Layout(layout.pitch, layout.size, align=align), keep_lines=1)])
            cells.append(line)
        colors = self.theme.colors
        style = TableStyle([
            # Cells are flowables, but reportlab still selects the cell font: keep it embedded.
            ("FONT", (0, 0), (-1, -1), body_face.font, st.size),
            ("GRID", (0, 0), (-1, -1), self.geometry["table_rule_pt"], self.book.color(colors["table_rule"])),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), pad_x),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad_x),
            ("TOPPADDING", (0, 0), (-1, -1), pad_y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad_y),
        ])
        if table.header:
            style.add("BACKGROUND", (0, 0), (-1, len(table.header) - 1),
                      self.book.color(colors["table_header_fill"]))
        for r in groups:  # a group's label spans the table, and keeps with the rows it labels
            style.add("SPAN", (0, r), (-1, r))
            style.add("NOSPLIT", (0, r), (-1, min(r + 1, len(cells) - 1)))
        widths = [share * self.text_w for share in table.widths]
        heights = [max(cell[0].wrap((self.text_w if r in groups else w) - 2 * pad_x, self.text_h)[1]
                       for cell, w in zip(row, widths)) + 2 * pad_y for r, row in enumerate(cells)]
        head = len(table.header)
        # Header rows repeat on every page only while they leave room for body rows.
        repeat = head if sum(heights[:head]) <= self.text_h / 3 else 0
        split_in_row = 0
        if max(heights[head:], default=0) > self.text_h / 2 or not repeat and head:
            # A row that may not fit a page splits inside its cells, by lines. reportlab
            # does that reliably only for top-aligned cells.
            split_in_row = layout.pitch + 2 * pad_y
            style.add("VALIGN", (0, 0), (-1, -1), "TOP")
        grid = RLTable(cells, colWidths=widths, style=style, repeatRows=repeat,
                       splitInRow=split_in_row)
        parts = [self.caption(table.label), grid, *self.source(table.source)]
        if table.splits or sum(heights) > self.text_h:
            # A long table runs over pages (header rows repeat); keep only its caption on.
            return [KeepTogether(parts[:1] + [CondPageBreak(6 * st.size)]), *parts[1:]]
        return [Float(parts, "table")]

    def visit_Figure(self, fig: Figure) -> list[Flowable]:
        """The picture at the size the layout transform gave it, kept with its caption and source."""
        image = PngImage(fig.image, fig.width_mm * mm, fig.height_mm * mm)
        image.hAlign = "CENTER"
        image.spaceBefore = self.style("caption").space_before
        return [Float([image, self.caption(fig.label), *self.source(fig.source)], "figure",
                      self.geometry["figure_min_scale"])]


def _keep_headings_with_text(story: list[Flowable]) -> list[Flowable]:
    """Before each run of headings that keep with the next text, break the page unless the run and
    KEEP_LINES + 1 lines fit: a paragraph of three lines cannot leave two alone (no widows), so
    room for two would strand the heading."""
    out: list[Flowable] = []
    for i, flowable in enumerate(story):
        if isinstance(flowable, HeadingBlock) and flowable.keep_with_next and not (
                i and isinstance(story[i - 1], HeadingBlock)):
            height = (KEEP_LINES + 1) * flowable.layout.pitch
            for nxt in story[i:]:
                if not isinstance(nxt, HeadingBlock):
                    break
                height += nxt.layout.pitch
            out.append(CondPageBreak(height))
        out.append(flowable)
    return out

