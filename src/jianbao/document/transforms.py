"""Transforms: the decisions every writer would otherwise make on its own, made once on the tree.

In the manner of docutils' transforms, each function takes the tree the reader
built and settles one thing for DOCX, PDF and any later writer alike:

- :func:`resolve` turns pending chart and table references into figures and tables
  (or drops them, when the data cannot fill them);
- :func:`place_appendix` puts the appendix after the chapters, on a page of its own;
- :func:`number` numbers headings (一、 （一） 1.), figures (图N) and tables (表N);
- :func:`contents` anchors headings (bookmarks, outline) and fills the contents;
- :func:`lay_out` sizes figures to the text block, shares table widths, decides which
  tables run over pages, and which headings keep with the text after them.

:func:`finish` runs the last three in order; a writer gets a finished tree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from jianbao.charts.printed import figure_box, fit_scale
from jianbao.cjk import display_width
from jianbao.ir import (
    PENDING_TYPES, Appendix, Block, Chapter, ChartRef, Closing, Contents, ContentsEntry, Document, Figure,
    Heading, KeyPoints, PageBreak, Paragraph, Table, TableRef,
)
from jianbao.theme import Theme

CHINESE_NUMERALS = "一二三四五六七八九十"
_SOURCE_PREFIXES = ("数据来源", "资料来源", "来源")
# Room a column gets beyond its longest cell, in em: widths are estimates (see cjk.display_em),
# and a reader's font may set a number a little wider than half an em per digit.
AIR_EM = 0.5
# (id, caption, title) → the Figure or Table, or None when it drops for want of data.
FigureResolver = Callable[[str, str, str], Figure | None]
TableResolver = Callable[[str, str, str], Table | None]


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 35 → 三十五, 100 → 一百, 105 → 一百零五, 110 → 一百一十, 2003 → 二千零三."""
    if not 1 <= n <= 9999:
        raise ValueError(f"chapter number out of range: {n}")
    if n < 10:
        return CHINESE_NUMERALS[n - 1]
    if n < 20:  # 十二, not 一十二
        return "十" + ("" if n == 10 else CHINESE_NUMERALS[n - 11])
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += CHINESE_NUMERALS[digit - 1] + unit
    return out


def heading_number(level: int, n: int) -> str:
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    return f"{n}."


def with_body(shell: Document, key_points: list[Paragraph], chapters: list[Chapter]) -> Document:
    """The shell's parts with the reader's key points filled in and the chapters after the contents.

    Key points with no paragraph drop with their title; chapters go before the closing block.
    """
    parts: list = []
    for part in shell.parts:
        if isinstance(part, KeyPoints):
            if key_points:
                parts.append(replace(part, paragraphs=list(key_points)))
            continue
        if isinstance(part, Closing):
            parts.extend(chapters)
            chapters = []
        parts.append(part)
    parts.extend(chapters)
    return replace(shell, parts=parts)


def resolve(doc: Document, figure: FigureResolver, table: TableResolver) -> None:
    """Replace each ChartRef/TableRef by what the resolvers give for it; None drops it."""
    for part in doc.parts:
        if isinstance(part, (Chapter, Appendix)):
            blocks: list[Block] = []
            for block in part.blocks:
                if isinstance(block, ChartRef):
                    block = figure(block.id, block.caption, block.title)
                elif isinstance(block, TableRef):
                    block = table(block.id, block.caption, block.title)
                if block is not None:
                    blocks.append(block)
            part.blocks = blocks


def place_appendix(doc: Document, appendix: Appendix | None) -> None:
    """The appendix starts a new page after the last chapter, before the closing block."""
    if appendix is None:
        return
    at = next((i for i, p in enumerate(doc.parts) if isinstance(p, Closing)), len(doc.parts))
    doc.parts[at:at] = [PageBreak(), appendix]


def finish(doc: Document, theme: Theme) -> Document:
    """Number, anchor and lay out the tree, in that order (contents need numbered labels)."""
    pending = [type(b).__name__ for b in doc.blocks_in_order() if isinstance(b, PENDING_TYPES)]
    if pending:
        raise ValueError(f"unresolved {', '.join(sorted(set(pending)))} nodes: run resolve() first")
    number(doc)
    contents(doc, theme)
    lay_out(doc, theme)
    return doc


def number(doc: Document) -> None:
    """Chapters 一、二、…; sections （一） per chapter; subsections 1. per section; 图N and 表N through the digest.

    The appendix heading keeps the label its builder gave it (附：); its tables
    continue the table numbers.
    """
    chapter = figures = tables = 0
    for part in doc.parts:
        if not isinstance(part, (Chapter, Appendix)):
            continue
        if isinstance(part, Chapter):
            chapter += 1
            part.heading.number = heading_number(1, chapter)
        section = subsection = 0
        for block in part.blocks:
            if isinstance(block, Heading):
                if block.level == 2:
                    section, subsection = section + 1, 0
                    block.number = heading_number(2, section)
                elif block.level == 3:
                    subsection += 1
                    block.number = heading_number(3, subsection)
            elif isinstance(block, Figure):
                figures += 1
                block.number = figures
            elif isinstance(block, Table):
                tables += 1
                block.number = tables


def contents(doc: Document, theme: Theme) -> None:
    """Anchor 本期要点 and every heading down to ``[blocks] bookmark_levels``; list headings down to
    ``contents_levels``.

    Anchors (``_Toc00000001`` …) are the DOCX bookmark names and the PDF outline keys,
    so the contents, the bookmarks and the links agree in every writer. A contents
    part is followed by a page break when chapters follow it.
    """
    geometry = theme.blocks
    entries: list[ContentsEntry] = []
    n = 0
    key_points = doc.first(KeyPoints)
    if key_points is not None and geometry["bookmark_levels"]:
        n += 1
        key_points.anchor = f"_Toc{n:08d}"  # a bookmark, not a contents entry: it precedes the contents
    for heading in (b for b in doc.blocks_in_order() if isinstance(b, Heading)):
        if heading.level <= geometry["bookmark_levels"]:
            n += 1
            heading.anchor = f"_Toc{n:08d}"
            if heading.level <= geometry["contents_levels"]:
                entries.append(ContentsEntry(heading.level, heading.label, heading.anchor))
    table = doc.first(Contents)
    if table is None:
        return
    table.entries = entries
    at = doc.parts.index(table)
    follows = doc.parts[at + 1:at + 2]
    if entries and not (follows and isinstance(follows[0], PageBreak)):
        doc.parts.insert(at + 1, PageBreak())
    elif not entries:
        doc.parts.remove(table)


def lay_out(doc: Document, theme: Theme) -> None:
    """Sizes and breaks, from the theme: the same page for every writer."""
    page, geometry = theme.page, theme.blocks
    text_w = page["width_mm"] - page["margin_left_mm"] - page["margin_right_mm"]
    text_h = page["height_mm"] - page["margin_top_mm"] - page["margin_bottom_mm"]
    box = figure_box(theme)
    for part in doc.parts:
        if not isinstance(part, (Chapter, Appendix)):
            continue
        blocks = [part.heading, *part.blocks]
        for i, block in enumerate(blocks):
            if isinstance(block, Heading):
                following = blocks[i + 1] if i + 1 < len(blocks) else None
                block.keep_with_next = following is not None and not isinstance(following, PageBreak)
            elif isinstance(block, Figure):
                block.source = source_line(block.source)
                # the rule the chart drawing sizes its text by (charts.printed), so text prints large enough
                scale = fit_scale(block.width_mm, block.height_mm, box)
                block.width_mm, block.height_mm = block.width_mm * scale, block.height_mm * scale
            elif isinstance(block, Table):
                block.source = source_line(block.source)
                style = theme.style(block.style)
                _lay_out_table(block, text_w, text_h, style.size, style.line_spacing, geometry)


def source_line(source: str) -> str:
    """"国家统计局" → "数据来源：国家统计局"; a text already saying its kind is kept, "" stays ""."""
    if not source or source.startswith(_SOURCE_PREFIXES):
        return source
    return f"数据来源：{source}"


def _lay_out_table(table: Table, text_w_mm: float, text_h_mm: float, size: float, pitch: float,
                   geometry: dict[str, float]) -> None:
    """Column shares from each column's longest cell; a long or tall table splits over pages."""
    pt_per_mm = 72 / 25.4
    pad = geometry["table_cell_pad_x_pt"]
    groups = {len(table.header) + i for i in table.group_rows}  # spanning rows: no column's width
    rows = [r for i, r in enumerate(table.header + table.rows) if i not in groups]
    natural = [
        (max((display_width(r[c]) for r in rows if c < len(r)), default=0.0) + AIR_EM) * size + 2 * pad
        for c in range(table.columns)
    ]
    total = text_w_mm * pt_per_mm
    widths = column_widths(natural, total)
    table.widths = [w / total for w in widths]
    line = pitch or size * 1.3
    height = sum(
        max(math.ceil(display_width(r[c]) * size / max(widths[c] - 2 * pad, size)) if c < len(r) and r[c] else 1
            for c in range(table.columns)) * line + 2 * geometry["table_cell_pad_y_pt"]
        for r in rows
    ) + len(groups) * (line + 2 * geometry["table_cell_pad_y_pt"])
    table.splits = len(table.rows) > geometry["long_table_rows"] or height > text_h_mm * pt_per_mm


def column_widths(natural: list[float], total: float) -> list[float]:
    """Share ``total`` among columns whose unwrapped widths are ``natural``.

    When everything fits, each column grows in proportion. Otherwise columns
    narrower than a fair share keep their natural width (short labels and
    numbers never wrap) and the wide ones share what is left equally (max-min
    fairness: a medium column is not squeezed to feed a very long one).
    """
    if not natural:
        return []
    if not any(natural):
        return [total / len(natural)] * len(natural)
    if sum(natural) <= total:
        return [total * w / sum(natural) for w in natural]
    widths = list(natural)
    wide = list(range(len(natural)))
    remaining = total
    while wide:
        share = remaining / len(wide)
        narrow = [i for i in wide if natural[i] <= share]
        if not narrow:
            for i in wide:
                widths[i] = share
            break
        for i in narrow:
            remaining -= natural[i]
            wide.remove(i)
    return widths
