"""IR → DOCX (python-docx): the 简报 layout with Word styles from the theme or a reference.docx.

The body is built as WordprocessingML elements directly (python-docx's proxy
objects look styles up by name on every assignment, which is slow in loops);
python-docx supplies the package, pictures, sections and properties. Emphasis
is set in 楷体 (the ``Emphasis`` character style), not italic, as Chinese
documents do.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from jianbao.ir import (
    Appendix,
    Chapter,
    Closing,
    Contents,
    ContentsEntry,
    Document,
    Figure,
    Heading,
    KeyPoints,
    ListBlock,
    ListItem,
    Masthead,
    PageBreak,
    Pagination,
    Paragraph,
    Run,
    Table,
    ThematicBreak,
    UnknownNodeError,
)
from jianbao.cjk import display_em
from jianbao.theme import TextStyle, Theme
from jianbao.writers import docx_styles as S
from jianbao.writers.docx_charts import add_native_chart
from jianbao.writers.docx_fields import (
    bookmark,
    set_field_settings,
    field_runs,
    toc_entry,
    toc_field,
)
from jianbao.writers.docx_package import (
    app_properties, font_table, save_deterministic, set_compatibility, set_properties,
)
from jianbao.writers.docx_xml import paragraph, set_paragraph_property, text_run
from jianbao.writers.fit import fit_size
from jianbao.writers.text import clean_text
from jianbao.writers.visitor import Visitor


def render_docx(doc: Document, theme: Theme, reference: Path | None = None,
                pagination: Pagination | None = None) -> bytes:
    """The digest (a finished tree, see ``document.transforms``) as DOCX bytes; same input, same bytes.

    With ``pagination`` (the PDF's, ``render_pdf(…).pagination``) the contents carry their page
    numbers, Word opens the file without asking to update its fields, and the 版记 moves on to the
    even page the PDF's stands on (see ``DocxWriter.visit_Closing``).
    """
    return DocxWriter(doc, theme, reference, pagination).render()


class DocxWriter(Visitor):
    name = "DOCX writer"

    def __init__(self, doc: Document, theme: Theme, reference: Path | None,
                 pagination: Pagination | None = None) -> None:
        self.doc = doc
        self.theme = theme
        self.pagination = pagination
        self.word: DocxDocument = docx.Document(str(reference) if reference else None)
        self.from_reference = reference is not None
        page = theme.page
        self.text_width_mm = page["width_mm"] - page["margin_left_mm"] - page["margin_right_mm"]
        self.text_width = S.twips(self.text_width_mm)
        self.body = self.word.element.body
        self.end = self.body.get_or_add_sectPr()  # new content goes before the final sectPr
        self.break_pending = False
        self.ids: dict[str, str] = {}
        self.links: dict[str, str] = {}

    # -- document -----------------------------------------------------------
    def render(self) -> bytes:
        if self.from_reference:
            self._clear_body()
        self._setup_page()
        self.ids = S.install_styles(
            self.word, self.theme, self.text_width,
            replace=not self.from_reference, extra=self._paragraph_styles(), used=self._block_styles(),
        )
        set_field_settings(self.word, update_fields=self.pagination is None)
        if not self.from_reference:
            self._chinese_theme_fonts()
        self._footers()
        for part in self.doc.parts:
            self.visit(part)
        if self.break_pending:  # a trailing page break: an empty paragraph carries it
            self.p(S.NORMAL)
        set_properties(self.word, self.doc.meta)
        set_compatibility(self.word)
        return save_deterministic(self.word, self._package_parts())

    def _package_parts(self) -> dict[str, bytes]:
        """app.xml with jianbao's counts, and a font table of the fonts the styles name."""
        texts = [t.text or "" for t in self.body.iter(qn("w:t"))]
        paragraphs = sum(1 for p in self.body.iter(qn("w:p")) if any(t.text for t in p.iter(qn("w:t"))))
        names = [self.theme.docx_latin_font, *dict.fromkeys(
            self.theme.docx_font(role) for role in ("song", "fangsong", "kai", "hei", "xiaobiaosong"))]
        return {"docProps/app.xml": app_properties("".join(texts), paragraphs,
                                                      self.pagination.pages if self.pagination else None),
                "word/fontTable.xml": font_table(names)}

    def _blocks(self) -> list:
        """Every block the writer will meet, key points included (to know the styles it needs)."""
        blocks: list = self.doc.blocks_in_order()
        for part in self.doc.find(KeyPoints):
            blocks.extend(part.paragraphs)
        return blocks

    # -- setup --------------------------------------------------------------
    def _clear_body(self) -> None:
        """A reference.docx gives styles and page setup, never content (as in pandoc)."""
        for child in list(self.body):
            if child is not self.end:
                self.body.remove(child)

    def _setup_page(self) -> None:
        """A4 (or the theme's size) set explicitly: readers otherwise fall back to Letter."""
        page = self.theme.page
        size = self.theme.style("page_number").size
        for section in self.word.sections:
            section.page_width = Mm(page["width_mm"])
            section.page_height = Mm(page["height_mm"])
            section.top_margin = Mm(page["margin_top_mm"])
            section.bottom_margin = Mm(page["margin_bottom_mm"])
            section.left_margin = Mm(page["margin_left_mm"])
            section.right_margin = Mm(page["margin_right_mm"])
            section.gutter = Mm(0)
            # Word measures the footer from the page edge to its baseline area: put the
            # number's line footer_distance_mm below the text block.
            line_mm = size * 1.3 * 25.4 / 72
            section.footer_distance = Mm(
                max(page["margin_bottom_mm"] - page["footer_distance_mm"] - line_mm, 5)
            )
            section.different_first_page_header_footer = False
            self._character_grid(section)

    def _character_grid(self, section) -> None:
        """Word's 文档网格 of lines at the body's pitch (GB/T 9704: 22 lines). The characters per
        line come from the styles' condensed spacing (``docx_styles``), not a grid of characters,
        which LibreOffice and Word lay out differently."""
        body = self.theme.style("body")
        sect = section._sectPr
        for old in sect.findall(qn("w:docGrid")):
            sect.remove(old)
        pitch = round((body.line_spacing or body.size * 1.3) * 20)
        sect.append(OxmlElement("w:docGrid", {qn("w:type"): "lines", qn("w:linePitch"): str(pitch)}))

    def _chinese_theme_fonts(self) -> None:
        """The template's theme-font language is ja-JP; make leftover theme fonts Chinese."""
        lang = self.word.settings.element.find(qn("w:themeFontLang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")

    def _paragraph_styles(self) -> list[str]:
        """The theme styles of paragraphs and of table cells other than the default ``table``."""
        return sorted({b.style for b in self._blocks() if isinstance(b, Paragraph)}
                      | {b.style for b in self._blocks() if isinstance(b, Table) and b.style != "table"})

    def _block_styles(self) -> set[str]:
        """The on-demand Word styles the blocks need: nested list levels and the thematic break."""
        used: set[str] = set()
        for block in self._blocks():
            if isinstance(block, ThematicBreak):
                used.add(S.THEMATIC_BREAK)
            elif isinstance(block, ListBlock):
                used.update(S.LISTS[item.level] for item in block.items
                            if isinstance(item, ListItem) and 0 <= item.level < len(S.LISTS))
        return used

    def _footers(self) -> None:
        """Page numbers "— N —" as PAGE fields: odd pages right, even pages left."""
        char = round(self.theme.style("page_number").size * 20)
        for section in self.word.sections:
            for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
                footer.is_linked_to_previous = False
                element = footer._element
                for child in list(element):
                    element.remove(child)
                p = paragraph(self.sid(S.FOOTER))
                ppr = p[0]
                ppr.append(OxmlElement("w:ind", {qn(f"w:{side}"): str(char)}))
                ppr.append(OxmlElement("w:jc", {qn("w:val"): side}))
                p.append(text_run("— "))
                p.extend(field_runs(" PAGE ", "1"))
                p.append(text_run(" —"))
                element.append(p)

    # -- writing helpers ------------------------------------------------------
    def sid(self, name: str) -> str:
        """The styleId of a Word style name (names compare case-insensitively, as Word's do)."""
        return self.ids[name.lower()]

    def p(self, style: str, text: str = "", runs: Iterable[Run] = ()) -> etree._Element:
        """Append a paragraph in a digest style (by Word style name)."""
        element = paragraph(self.sid(style))
        if self.break_pending:
            set_paragraph_property(element, "pageBreakBefore")
            self.break_pending = False
        if text:
            element.append(text_run(clean_text(text)))
        for run in runs:
            element.append(self.visit(run))
        self.end.addprevious(element)
        return element

    def rule(self, element: etree._Element, side: str, points: float, color: str, space: float) -> None:
        """A paragraph border: the rules around 本期要点, from the theme."""
        border = set_paragraph_property(element, "pBdr")
        border.append(OxmlElement(f"w:{side}", {
            qn("w:val"): "single", qn("w:sz"): str(S.eighths(points)), qn("w:space"): str(round(space)),
            qn("w:color"): S.hex_color(color)}))

    def visit_Run(self, run: Run) -> etree._Element:
        style = S.EMPHASIS if run.emphasis else S.STRONG if run.strong else None
        element = text_run(clean_text(run.text), self.sid(style) if style else None)
        if run.strong and run.emphasis:
            element[0].append(OxmlElement("w:b"))  # after w:rStyle in the run's rPr
        if run.href:
            link = OxmlElement("w:hyperlink", {qn("r:id"): self._link(run.href)})
            link.append(element)
            return link
        return element

    def _link(self, url: str) -> str:
        """The relationship id of an external link, one per URL."""
        rid = self.links.get(url)
        if rid is None:
            rid = self.links[url] = self.word.part.relate_to(url, RT.HYPERLINK, is_external=True)
        return rid

    # -- the digest's parts ---------------------------------------------------
    def visit_Masthead(self, m: Masthead) -> None:
        if m.marking:
            self.p(S.MARKING, m.marking)
        self.masthead_name(m.name)
        self.p(S.ISSUE, m.issue)
        self.p(S.MASTHEAD_LINE, f"{m.unit}\t{m.date}")

    def masthead_name(self, name: str) -> None:
        """The digest name, shrunk (and if need be wrapped) to fit as the PDF's is.

        Word supplies the metrics, so widths here are estimates: a CJK character is
        one em, any other half an em.
        """
        size = self.theme.style("masthead").size
        text = clean_text(name)
        fitted = fit_size(text, [display_em(c) for c in text], self.text_width_mm * 72 / 25.4, size)
        element = self.p(S.MASTHEAD, name)
        if fitted != size:
            half_points = str(round(fitted * 2))
            for run in element.iterchildren(qn("w:r")):
                rpr = run.find(qn("w:rPr"))
                if rpr is None:
                    rpr = OxmlElement("w:rPr")
                    run.insert(0, rpr)
                for tag in ("w:sz", "w:szCs"):
                    rpr.append(OxmlElement(tag, {qn("w:val"): half_points}))

    def visit_KeyPoints(self, box: KeyPoints) -> None:
        """The title and the points between two rules (``[blocks] keypoints_rule_pt``, ``colors.rule``)."""
        weight, color = self.theme.blocks["keypoints_rule_pt"], self.theme.colors["rule"]
        title = self.p(S.KEY_POINTS_TITLE, box.title)
        if box.anchor:
            bookmark(title, int(box.anchor.removeprefix("_Toc")), box.anchor)
        self.rule(title, "top", weight, color, self.theme.style("keypoints_title").space_before)
        last = None
        for point in box.paragraphs:
            last = self.visit(point)
        if last is not None:
            self.rule(last, "bottom", weight, color, self.theme.style("keypoints_title").space_after)

    def visit_Contents(self, contents: Contents) -> None:
        """A TOC field whose result is already the entries (see ``docx_fields``)."""
        self.p(S.TOC_HEADING, contents.title)
        paragraphs = [self.visit(entry) for entry in contents.entries]
        for element in toc_field(paragraphs, self.theme.blocks["contents_levels"], self.sid(S.TOCS[0])):
            self.end.addprevious(element)

    def visit_ContentsEntry(self, entry: ContentsEntry) -> etree._Element:
        if not 1 <= entry.level <= len(S.TOCS):
            raise UnknownNodeError(f"DOCX writer has no level-{entry.level} contents style")
        page = self.pagination.anchors.get(entry.anchor, "") if self.pagination else ""
        return toc_entry(self.sid(S.TOCS[entry.level - 1]), clean_text(entry.label), entry.anchor, str(page))

    def visit_Chapter(self, part: Chapter | Appendix) -> None:
        """A chapter or the appendix: its heading, then its blocks."""
        self.visit(part.heading)
        self.visit_all(part.blocks)

    visit_Appendix = visit_Chapter

    # -- blocks ---------------------------------------------------------------
    def visit_Heading(self, h: Heading) -> etree._Element:
        """Levels 1 to 3 (the theme defines three); any other level is an error."""
        if not 1 <= h.level <= len(S.HEADINGS):
            raise UnknownNodeError(f"DOCX writer has no level-{h.level} heading style")
        element = self.p(S.HEADINGS[h.level - 1], h.label)
        if not h.keep_with_next:
            set_paragraph_property(element, "keepNext", {"val": "0"})
        if h.anchor:
            bookmark(element, int(h.anchor.removeprefix("_Toc")), h.anchor)
        return element

    def visit_Paragraph(self, para: Paragraph) -> etree._Element:
        return self.p(S.paragraph_style_name(para.style), runs=para.runs)

    def visit_ListBlock(self, block: ListBlock) -> None:
        """One paragraph per item, indented by level (``List Paragraph``, ``List 2``, ``List 3``)."""
        self.visit_all(block.items)

    def visit_ListItem(self, item: ListItem) -> etree._Element:
        if not 0 <= item.level < len(S.LISTS):
            raise UnknownNodeError(f"DOCX writer cannot render a list item at level {item.level}")
        runs = [Run(item.label), *item.runs] if item.label else item.runs
        return self.p(S.LISTS[item.level], runs=runs)

    def visit_ThematicBreak(self, _: ThematicBreak) -> None:
        """An empty paragraph whose bottom border is the rule."""
        self.p(S.THEMATIC_BREAK)

    def visit_PageBreak(self, _: PageBreak) -> None:
        self.break_pending = True

    def visit_Figure(self, fig: Figure) -> None:
        """The chart at the size the layout transform gave it, then its caption and source.

        A native chart (``[docx] charts``, the default) is one a reader can edit; else the picture.
        """
        element = self.p(S.FIGURE)
        if fig.chart is not None and self.theme.raw["docx"].get("charts", "native") == "native":
            inline = add_native_chart(self.word.part, fig.chart, fig.width_mm, fig.height_mm, self.theme,
                                      clean_text(fig.label))
        else:
            inline = self.word.part.new_pic_inline(str(fig.image), Mm(fig.width_mm), Mm(fig.height_mm))
        run = OxmlElement("w:r")
        drawing = OxmlElement("w:drawing")
        drawing.append(inline)
        run.append(drawing)
        element.append(run)
        self.caption("图", fig.number, fig.caption)
        if fig.source:
            self.p(S.SOURCE, fig.source)

    def caption(self, label: str, number: int, text: str) -> None:
        """"图1　…" with the number as a SEQ field, so Word's 题注 and 交叉引用 see it (and renumber it)."""
        element = self.p(S.CAPTION, label)
        element.extend(field_runs(f" SEQ {label} \\* ARABIC ", str(number)))
        element.append(text_run(clean_text(f"　{text}")))

    def visit_Table(self, t: Table) -> None:
        """Caption, grid and source. A table that does not split keeps its rows together
        (keepNext on every row but the last), and the last row keeps with the source."""
        self.caption("表", t.number, t.caption)
        widths = [round(share * self.text_width) for share in t.widths]
        widths[0] += self.text_width - sum(widths)
        tbl = OxmlElement("w:tbl")
        tbl.append(_tbl_pr(self.sid(S.TABLE)))
        grid = OxmlElement("w:tblGrid")
        for w in widths:
            grid.append(OxmlElement("w:gridCol", {qn("w:w"): str(w)}))
        tbl.append(grid)
        fill = S.hex_color(self.theme.colors["table_header_fill"])
        rows = t.header + t.rows
        groups = {len(t.header) + i for i in t.group_rows}
        text_style = S.TABLE_TEXT if t.style == "table" else S.paragraph_style_name(t.style)
        for r, row in enumerate(rows):
            header = r < len(t.header)
            last = r == len(rows) - 1
            keep = bool(t.source) if last else (header or not t.splits or r in groups)
            if r in groups:  # one cell across the table, bold, kept with the rows it labels
                tbl.append(self._row(row[:1], [self.text_width], header=False, fill="", numeric=[], keep=keep,
                                     text_style=text_style, span=len(widths)))
                continue
            tbl.append(self._row(row, widths, header=header, fill=fill if header else "", numeric=t.numeric,
                                 keep=keep, text_style=text_style))
        self.end.addprevious(tbl)
        if t.source:
            self.p(S.SOURCE, t.source)

    def _row(self, cells: list[str], widths: list[int], *, header: bool, fill: str, numeric: list[bool],
             keep: bool, text_style: str, span: int = 1):
        tr = OxmlElement("w:tr")
        trpr = OxmlElement("w:trPr")
        trpr.append(OxmlElement("w:cantSplit"))
        if header:
            trpr.append(OxmlElement("w:tblHeader"))  # repeated on every page the table spans
        tr.append(trpr)
        for i, width in enumerate(widths):
            text = cells[i] if i < len(cells) else ""
            tc = OxmlElement("w:tc")
            tcpr = OxmlElement("w:tcPr")
            tcpr.append(OxmlElement("w:tcW", {qn("w:w"): str(width), qn("w:type"): "dxa"}))
            if span > 1:
                tcpr.append(OxmlElement("w:gridSpan", {qn("w:val"): str(span)}))
            if fill:
                tcpr.append(
                    OxmlElement("w:shd", {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill})
                )
            tcpr.append(OxmlElement("w:vAlign", {qn("w:val"): "center"}))
            tc.append(tcpr)
            align = "center" if header else "right" if i < len(numeric) and numeric[i] else None
            p = paragraph(self.sid(text_style), align)
            if keep:
                set_paragraph_property(p, "keepNext")
            p.append(text_run(clean_text(text), self.sid(S.STRONG) if header or span > 1 else None))
            tc.append(p)
            tr.append(tc)
        return tr

    def visit_Closing(self, c: Closing) -> None:
        """版记: a one-column table, rules top and bottom as wide as the text block, at the foot of the
        last page (GB/T 9704 §7.4) as Word users set it: a floating table at the bottom margin.

        With the PDF's pagination the page breaks before it as often as the PDF's did (it moves off
        an odd page to the even last face), so both files end on the same even page. Without one (the
        DOCX rendered alone) it stands at the foot of the page it lands on, odd or even: only a
        layout knows the pages. A 版记 taller than a page (the PDF's, or an estimate) stays in the flow.
        """
        if not c.lines and not c.print_run:
            return
        floating = self._closing_fits_a_page(c)
        if floating:
            breaks = int(self.break_pending)  # a page break the tree asked for, then the PDF's own
            self.break_pending = False
            pages = self.pagination
            if pages is not None and pages.closing and pages.body_end:
                breaks += max(pages.closing - pages.body_end, 0)
            # A paragraph before the table in any case: a table right after another would join it.
            for i in range(max(breaks, 1)):
                self.end.addprevious(self._strut(page_break=i < breaks))
        else:
            self.p(S.NORMAL)
        st = self.theme.style("closing")
        rule = S.hex_color(self.theme.colors["text"])
        outer = S.eighths(self.theme.blocks["closing_outer_rule_pt"])
        inner = S.eighths(self.theme.blocks["closing_inner_rule_pt"])
        gap = str(round(self.theme.blocks["table_cell_pad_y_pt"] * 20))
        tbl = OxmlElement("w:tbl")
        tblpr = OxmlElement("w:tblPr")
        if floating:
            # Down from the margin, across from the page's edge: LibreOffice leaves a table as wide as
            # the text block in the flow when it is anchored to the margin across. With no cell margins
            # tblpX is the table's edge in Word and LibreOffice alike (LibreOffice moves a floating
            # table left by its first cell's margin, Word 2013 and later do not).
            tblpr.append(OxmlElement("w:tblpPr", {
                qn("w:leftFromText"): "0", qn("w:rightFromText"): "0", qn("w:topFromText"): "0",
                qn("w:bottomFromText"): "0", qn("w:vertAnchor"): "margin", qn("w:horzAnchor"): "page",
                qn("w:tblpX"): str(S.twips(self.theme.page["margin_left_mm"])), qn("w:tblpYSpec"): "bottom"}))
        tblpr.append(OxmlElement("w:tblW", {qn("w:w"): str(self.text_width), qn("w:type"): "dxa"}))
        tblpr.append(OxmlElement("w:jc", {qn("w:val"): "center"}))
        borders = OxmlElement("w:tblBorders")
        for side, size in (("top", outer), ("left", 0), ("bottom", outer), ("right", 0), ("insideH", inner),
                           ("insideV", 0)):
            attrs = {qn("w:val"): "single" if size else "nil"}
            if size:
                attrs.update({qn("w:sz"): str(size), qn("w:space"): "0", qn("w:color"): rule})
            borders.append(OxmlElement(f"w:{side}", attrs))
        tblpr.append(borders)
        tblpr.append(OxmlElement("w:tblLayout", {qn("w:type"): "fixed"}))
        margins = OxmlElement("w:tblCellMar")  # the PDF's padding above and below each line
        for side, width in (("top", gap), ("left", "0"), ("bottom", gap), ("right", "0")):
            margins.append(OxmlElement(f"w:{side}", {qn("w:w"): width, qn("w:type"): "dxa"}))
        tblpr.append(margins)
        tbl.append(tblpr)
        grid = OxmlElement("w:tblGrid")
        grid.append(OxmlElement("w:gridCol", {qn("w:w"): str(self.text_width)}))
        tbl.append(grid)
        lines = list(c.lines) or [""]
        for index, line in enumerate(lines):
            tr = OxmlElement("w:tr")
            tc = OxmlElement("w:tc")
            tcpr = OxmlElement("w:tcPr")
            tcpr.append(OxmlElement("w:tcW", {qn("w:w"): str(self.text_width), qn("w:type"): "dxa"}))
            tc.append(tcpr)
            if line or not c.print_run:
                tc.append(self._closing_line(line, st))
            if c.print_run and index == len(lines) - 1:
                tc.append(self._closing_line(c.print_run, st, "right", before=gap if line else "0"))
            tr.append(tc)
            tbl.append(tr)
        self.end.addprevious(tbl)
        if floating:
            self.end.addprevious(self._strut())  # the paragraph a floating table is anchored to

    def _closing_line(self, text: str, st: TextStyle, align: str | None = None,
                      before: str = "0") -> etree._Element:
        """One line of the 版记, inset one character each side, on the PDF's pitch and off the line grid,
        so the block is as tall as the PDF's: the room the PDF found for it at a page's foot is its room."""
        p = paragraph(self.sid(S.CLOSING))
        ppr = p[0]
        ppr.append(OxmlElement("w:snapToGrid", {qn("w:val"): "0"}))
        pitch = st.line_spacing or st.size * 1.3
        ppr.append(OxmlElement("w:spacing", {qn("w:before"): before, qn("w:after"): "0",
                                             qn("w:line"): str(round(pitch * 20)), qn("w:lineRule"): "exact"}))
        char = str(round(st.size * 20))
        ppr.append(OxmlElement("w:ind", {qn("w:leftChars"): "100", qn("w:left"): char,
                                         qn("w:rightChars"): "100", qn("w:right"): char,
                                         qn("w:firstLineChars"): "0", qn("w:firstLine"): "0"}))
        if align:
            ppr.append(OxmlElement("w:jc", {qn("w:val"): align}))
        p.append(text_run(clean_text(text)))
        return p

    def _strut(self, page_break: bool = False) -> etree._Element:
        """An empty paragraph a point high and off the line grid, which takes no line of the page: it
        breaks the page before the 版记, or anchors its floating table."""
        p = paragraph(self.sid(S.NORMAL))
        ppr = p[0]
        if page_break:
            ppr.append(OxmlElement("w:pageBreakBefore"))
        ppr.append(OxmlElement("w:snapToGrid", {qn("w:val"): "0"}))
        ppr.append(OxmlElement("w:spacing", {qn("w:before"): "0", qn("w:after"): "0", qn("w:line"): "20",
                                             qn("w:lineRule"): "exact"}))
        mark = OxmlElement("w:rPr")  # the paragraph mark's size
        for tag in ("w:sz", "w:szCs"):
            mark.append(OxmlElement(tag, {qn("w:val"): "2"}))
        ppr.append(mark)
        return p

    def _closing_fits_a_page(self, c: Closing) -> bool:
        """Whether the 版记 can stand at a page's foot: the PDF's word when its pagination says, else an
        estimate at the PDF's pitch (a CJK character one em, any other half, as ``masthead_name``)."""
        pages = self.pagination
        if pages is not None and pages.body_end:
            return bool(pages.closing)
        st = self.theme.style("closing")
        pitch = st.line_spacing or st.size * 1.3
        gap = self.theme.blocks["table_cell_pad_y_pt"]
        room = self.text_width_mm * 72 / 25.4 - 2 * st.size

        def height(text: str) -> float:
            ems = sum(display_em(ch) for ch in clean_text(text))
            return max(math.ceil(ems * st.size / room), 1) * pitch

        total = sum(height(line) + 2 * gap for line in c.lines or [""])
        if c.print_run:
            total += height(c.print_run) + gap
        page = self.theme.page
        return total <= (page["height_mm"] - page["margin_top_mm"] - page["margin_bottom_mm"]) * 72 / 25.4


def _tbl_pr(style_id: str) -> etree._Element:
    pr = OxmlElement("w:tblPr")
    pr.append(OxmlElement("w:tblStyle", {qn("w:val"): style_id}))
    pr.append(OxmlElement("w:tblW", {qn("w:w"): "5000", qn("w:type"): "pct"}))
    pr.append(OxmlElement("w:jc", {qn("w:val"): "center"}))
    pr.append(OxmlElement("w:tblLayout", {qn("w:type"): "fixed"}))
    pr.append(
        OxmlElement(
            "w:tblLook",
            {qn("w:val"): "04A0", qn("w:firstRow"): "1", qn("w:lastRow"): "0",
             qn("w:firstColumn"): "1", qn("w:lastColumn"): "0", qn("w:noHBand"): "0", qn("w:noVBand"): "1"},
        )
    )
    return pr
