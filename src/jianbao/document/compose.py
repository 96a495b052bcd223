"""Markdown from the narrative stage → the document IR.

The Markdown is CommonMark with GFM tables, parsed by markdown-it-py. Its
shape is fixed by the layout template: a level-1 heading "本期要点" followed by
the key points, then one level-1 heading per chapter. A paragraph that is only
an image whose URL is ``chart:ID`` or ``table:ID`` places that chart or table;
the resolvers passed in turn the id into a Figure or Table, and this module
numbers chapters (一、), sections (（一）), subsections (1.), figures and tables.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from jianbao.document.ir import (
    Block,
    Chapter,
    Document,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Run,
    Table,
)

CHINESE_NUMERALS = "一二三四五六七八九十"
REFERENCE = re.compile(r"^(chart|table):([A-Za-z0-9_\-]+)$")
# CommonMark will not close "**标题。**正文": a delimiter between punctuation and a
# letter does not flank. A zero-width space between full-width punctuation and the
# delimiter makes it flank; the spaces are dropped again from the text.
ZWSP = "\u200b"
_CJK_PUNCT = "[\u2010-\u206f\u3000-\u303f\uff00-\uffef]"
_PUNCT_BEFORE = re.compile(rf"({_CJK_PUNCT})(\*+)")
_PUNCT_AFTER = re.compile(rf"(\*+)({_CJK_PUNCT})")

# (id, caption, title) → the unnumbered Figure or Table, or None when it drops for want of data;
# the title of ``![caption](chart:id "required")`` marks a placement that must not drop.
FigureResolver = Callable[[str, str, str], Figure | None]
TableResolver = Callable[[str, str, str], Table | None]


class ComposeError(ValueError):
    """The Markdown does not have the digest's shape, or references an unknown id."""


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


@dataclass
class _Counters:
    figure: int = 0
    table: int = 0


def compose(
    markdown: str,
    shell: Document,
    sectors: list[str],
    figure: FigureResolver,
    table: TableResolver,
) -> Document:
    """Fill ``shell`` (metadata, masthead, closing already set) with key points and chapters.

    ``sectors`` gives the sector id of each level-1 chapter heading in order.
    """
    markdown = _PUNCT_AFTER.sub(rf"\1{ZWSP}\2", _PUNCT_BEFORE.sub(rf"\1{ZWSP}\2", markdown))
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    sections = _split_level1(tokens)
    counters = _Counters()
    doc = dataclasses.replace(shell, key_points=[], chapters=[])
    chapter_sections = []
    for title, body in sections:
        if title == shell.key_points_title:
            doc.key_points = _key_points(_blocks(body, counters, figure, table))
        else:
            chapter_sections.append((title, body))
    if len(chapter_sections) != len(sectors):
        raise ComposeError(
            f"the digest Markdown has {len(chapter_sections)} chapters, the config lists {len(sectors)}"
        )
    for n, ((title, body), sector) in enumerate(zip(chapter_sections, sectors), start=1):
        blocks = _blocks(body, counters, figure, table)
        doc.chapters.append(Chapter(Heading(1, title, heading_number(1, n)), blocks, sector))
    return doc


def _key_points(blocks: list[Block]) -> list[Paragraph]:
    """Key points may be written as paragraphs or as a bullet list: one point per item."""
    points: list[Paragraph] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            points.append(Paragraph(block.runs, style="keypoint"))
        elif isinstance(block, ListBlock):
            points.extend(Paragraph(item, style="keypoint") for item in block.items)
    return points


def _split_level1(tokens: list[Token]) -> list[tuple[str, list[Token]]]:
    out: list[tuple[str, list[Token]]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open" and tok.tag == "h1":
            out.append((_plain(tokens[i + 1]), []))
            i += 3
            continue
        if not out:
            if tok.type == "inline" and tok.content.strip():
                raise ComposeError(f"text before the first level-1 heading: {tok.content[:40]!r}")
        else:
            out[-1][1].append(tok)
        i += 1
    return out


def _blocks(tokens: list[Token], counters: _Counters, figure: FigureResolver, table: TableResolver) -> list[Block]:
    blocks: list[Block] = []
    section = subsection = 0
    it = iter(range(len(tokens)))
    for i in it:
        tok = tokens[i]
        if tok.type == "heading_open":
            level = min(int(tok.tag[1]), 3)  # ## → section （一）, ### and below → 1.
            if level == 2:
                section += 1
                subsection = 0
                number = heading_number(2, section)
            else:
                subsection += 1
                number = heading_number(3, subsection)
            blocks.append(Heading(level, _plain(tokens[i + 1]), number))
        elif tok.type == "paragraph_open":
            inline = tokens[i + 1]
            ref = _reference(inline)
            if ref is None:
                blocks.append(Paragraph(_runs(inline)))
            elif ref[0] == "chart":
                if (placed := figure(*ref[1:])) is not None:
                    counters.figure += 1
                    blocks.append(dataclasses.replace(placed, number=counters.figure))
            elif (placed := table(*ref[1:])) is not None:
                counters.table += 1
                blocks.append(dataclasses.replace(placed, number=counters.table))
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            items, end = _list_items(tokens, i)
            blocks.append(ListBlock(items, ordered=tok.type == "ordered_list_open"))
            _skip(it, end - i)
        elif tok.type == "table_open":
            counters.table += 1
            tbl, end = _gfm_table(tokens, i, counters.table)
            blocks.append(tbl)
            _skip(it, end - i)
    return blocks


def _skip(it: Iterator[int], n: int) -> None:
    for _ in range(n):
        next(it, None)


def _reference(inline: Token) -> tuple[str, str, str, str] | None:
    children = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
    if len(children) != 1 or children[0].type != "image":
        return None
    match = REFERENCE.match(children[0].attrs.get("src", ""))
    if match is None:
        return None
    return match.group(1), match.group(2), children[0].content, str(children[0].attrs.get("title") or "")


def _list_items(tokens: list[Token], start: int) -> tuple[list[list[Run]], int]:
    depth = 0
    items: list[list[Run]] = []
    for j in range(start, len(tokens)):
        tok = tokens[j]
        if tok.type.endswith("_list_open"):
            depth += 1
        elif tok.type.endswith("_list_close"):
            depth -= 1
            if depth == 0:
                return items, j
        elif tok.type == "list_item_open" and depth == 1:
            items.append([])
        elif tok.type == "inline":
            if items[-1]:
                items[-1].append(Run(""))
            items[-1].extend(_runs(tok))
    raise ComposeError("unterminated list")


def _gfm_table(tokens: list[Token], start: int, number: int) -> tuple[Table, int]:
    header: list[list[str]] = []
    rows: list[list[str]] = []
    numeric: list[bool] = []
    in_head = False
    for j in range(start, len(tokens)):
        tok = tokens[j]
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            (header if in_head else rows).append([])
        elif tok.type in ("th_open", "td_open"):
            if in_head:
                numeric.append("text-align:right" in (tok.attrs.get("style") or ""))
            (header if in_head else rows)[-1].append(_plain(tokens[j + 1]))
        elif tok.type == "table_close":
            return Table(number, "", header, rows, numeric), j
    raise ComposeError("unterminated table")


def _plain(inline: Token) -> str:
    return "".join(r.text for r in _runs(inline))


def _runs(inline: Token) -> list[Run]:
    runs: list[Run] = []
    strong = emphasis = False
    children = inline.children or []
    for k, child in enumerate(children):
        kind = child.type
        if kind == "strong_open":
            strong = True
        elif kind == "strong_close":
            strong = False
        elif kind == "em_open":
            emphasis = True
        elif kind == "em_close":
            emphasis = False
        elif kind == "text":
            _append(runs, child.content.replace(ZWSP, ""), strong, emphasis)
        elif kind in ("code_inline", "html_inline"):
            _append(runs, child.content, strong, emphasis)
        elif kind == "softbreak":
            _append(runs, _soft_break(children, k), strong, emphasis)
        elif kind == "hardbreak":
            _append(runs, "\n", strong, emphasis)
        elif kind == "image":
            _append(runs, child.content, strong, emphasis)
        # link_open/link_close carry no text of their own: the text between them is kept
    return runs


def _soft_break(children: list[Token], k: int) -> str:
    """A line break in the template source: nothing between CJK text, a space between words."""
    before = children[k - 1].content[-1:] if k else ""
    after = children[k + 1].content[:1] if k + 1 < len(children) else ""
    return " " if before.isascii() and before.isalnum() and after.isascii() and after.isalnum() else ""


def _append(runs: list[Run], text: str, strong: bool, emphasis: bool) -> None:
    if not text:
        return
    if runs and runs[-1].strong == strong and runs[-1].emphasis == emphasis:
        runs[-1] = Run(runs[-1].text + text, strong, emphasis)
    else:
        runs.append(Run(text, strong, emphasis))
