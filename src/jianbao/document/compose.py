"""The reader: Markdown from the narrative stage → the key points and chapters of the tree.

The Markdown is CommonMark with GFM tables, parsed by markdown-it-py. Its
shape is fixed by the layout template: a level-1 heading "本期要点" followed by
the key points, then one level-1 heading per chapter. A paragraph that is only
an image whose URL is ``chart:ID`` or ``table:ID`` places that chart or table as
a pending ``ChartRef``/``TableRef``; the transforms resolve those, and number
chapters (一、), sections (（一）), subsections (1.), figures and tables.

The reader is total: every construct markdown-it yields is mapped to a node or
refused with a ``ComposeError`` naming the chapter and the Markdown line.

=========================  ===================================================
Markdown                   IR
=========================  ===================================================
``#`` (ATX)                a chapter (本期要点 is the key points)
``##`` / ``###``           Heading 2 （一） / Heading 3 1.
``####`` … ``######``      refused: three heading levels only
setext (``===``/``---``)   refused: write ``#``/``##`` (a ``---`` under text is
                           a heading in CommonMark, not a rule)
paragraph                  Paragraph (body)
``**strong**``, ``*em*``   Run(strong) / Run(emphasis) — 楷体 in both writers
`` `code` `` (code span)   its text, as a plain run (a digest has no monospace)
hard / soft line break     a line feed / nothing between CJK, a space between words
``[text](url)``, ``<url>`` Run(href=url) for the text, then "（url）" (unless
                           the text is the URL); a link title is refused
``![…](chart:ID)`` alone   ChartRef (a Figure, 图N); ``table:ID`` → TableRef (表N)
any other image            refused (also a chart/table reference inside text)
``> quote``                Paragraph(style="quote") per paragraph; only
                           paragraphs inside a quote
``-`` / ``1.`` lists       ListBlock of ListItem(level, label); nested lists keep
                           their level (at most three); other blocks in an item
                           are refused
``---`` (thematic break)   ThematicBreak (a thin rule in both writers)
``[t][ref]`` + definition  as an inline link (a definition alone shows nothing)
fenced / indented code     refused: a digest has no code
HTML block / inline HTML   refused
GFM table                  Table (numbered 表N)
=========================  ===================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from jianbao.errors import JianbaoError
from jianbao.ir import (
    LIST_LEVELS,
    Block,
    Chapter,
    ChartRef,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Run,
    Table,
    TableRef,
    ThematicBreak,
    item_label,
)
from jianbao.references import ID

REFERENCE = re.compile(rf"^(chart|table):({ID})$")  # an image address that places a chart or table
_REFERENCE_KIND = re.compile(r"^(chart|table):")
# CommonMark will not close "**标题。**正文": a delimiter between punctuation and a
# letter does not flank. A zero-width space between full-width punctuation and the
# delimiter makes it flank; the spaces are dropped again from the text.
ZWSP = "\u200b"
_CJK_PUNCT = "[\u2010-\u206f\u3000-\u303f\uff00-\uffef]"
_PUNCT_BEFORE = re.compile(rf"({_CJK_PUNCT})(\*+)")
_PUNCT_AFTER = re.compile(rf"(\*+)({_CJK_PUNCT})")



class ComposeError(JianbaoError, ValueError):
    """The Markdown does not have the digest's shape, or references an unknown id."""


def read_digest(markdown: str, key_points_title: str,
                sectors: list[str]) -> tuple[list[Paragraph], list[Chapter]]:
    """The key points and the chapters (unnumbered, with pending chart and table references).

    ``sectors`` gives the sector id of each level-1 chapter heading in order.
    Raises ``ComposeError`` for a construct a digest does not have, naming the
    chapter and the Markdown line.
    """
    markdown = _PUNCT_AFTER.sub(rf"\1{ZWSP}\2", _PUNCT_BEFORE.sub(rf"\1{ZWSP}\2", markdown))
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    sections = _split_level1(SyntaxTreeNode(tokens))
    chapter_sections = [s for s in sections if s.title != key_points_title]
    if len(chapter_sections) != len(sectors):
        raise ComposeError(
            f"the digest Markdown has {len(chapter_sections)} chapters, the config lists {len(sectors)}"
        )
    key_points: list[Paragraph] = []
    chapters: list[Chapter] = []
    sector_of = iter(sectors)
    for section in sections:
        if section.title == key_points_title:
            key_points = _key_points(section.body, _Where(f"the key points ({section.title})", section.line))
            continue
        sector = next(sector_of)
        where = _Where(f"chapter “{section.title}” (sector {sector})", section.line)
        chapters.append(Chapter(Heading(1, section.title), _blocks(section.body, where), sector))
    return key_points, chapters


@dataclass
class _Section:
    title: str
    line: int  # 0-based line of its heading in the digest Markdown
    body: list[SyntaxTreeNode]


@dataclass(frozen=True)
class _Where:
    """Where a node came from, for error messages: the chapter and the Markdown line."""

    part: str
    heading_line: int

    def error(self, node: SyntaxTreeNode | Token | None, what: str, fix: str) -> ComposeError:
        line = _line(node)
        if line is None:
            at = self.part
        else:
            at = (f"{self.part}, Markdown line {line + 1} of the digest "
                  f"(line {line - self.heading_line} below its heading)")
        return ComposeError(f"{at}: {what}; {fix}")


def _line(node: SyntaxTreeNode | Token | None) -> int | None:
    while node is not None:
        if node.map:
            return node.map[0]
        node = getattr(node, "parent", None)
    return None


def _key_points(nodes: list[SyntaxTreeNode], where: _Where) -> list[Paragraph]:
    """Key points may be written as paragraphs or as a one-level list: one point per item."""
    points: list[Paragraph] = []
    for node in nodes:
        if node.type == "paragraph" and _reference(node.children[0], where) is None:
            points.append(Paragraph(_runs(node.children[0], where), style="keypoint"))
        elif node.type in ("bullet_list", "ordered_list"):
            items: list[ListItem] = []
            _list_items(node, 0, where, items)
            if any(item.level for item in items):
                raise where.error(node, "a nested list among the key points",
                                  "the key points are one level: one point per item")
            points.extend(Paragraph(item.runs, style="keypoint") for item in items)
        elif node.type in ("fence", "code_block", "html_block"):
            raise _refusal(node, where)
        else:
            kind = {"paragraph": "chart or table reference", "blockquote": "block quote",
                    "hr": "thematic break (---)"}.get(node.type, node.type.replace("_", " "))
            raise where.error(node, f"a {kind} among the key points",
                              "the key points are paragraphs or a one-level bullet list, one point each")
    return points


def _split_level1(root: SyntaxTreeNode) -> list[_Section]:
    out: list[_Section] = []
    for node in root.children:
        if node.type == "heading" and node.tag == "h1":
            if node.markup != "#":
                where = _Where(f"chapter “{out[-1].title}”", out[-1].line) if out else _Where("the digest", 0)
                raise where.error(node, "a setext heading (a line underlined with ===)",
                                  "write a chapter heading as “# 标题”")
            out.append(_Section(_plain(node.children[0], _Where("the digest Markdown", 0)), _line(node) or 0, []))
        elif not out:
            raise ComposeError(
                f"text before the first level-1 heading, Markdown line {(_line(node) or 0) + 1}: "
                f"{_source_text(node)[:40]!r}; every part of the digest starts with “# 标题”"
            )
        else:
            out[-1].body.append(node)
    return out


def _source_text(node: SyntaxTreeNode) -> str:
    texts = [n.content for n in node.walk() if n.type in ("inline", "code_block", "fence", "html_block")]
    return "".join(texts) or node.type


def _blocks(nodes: list[SyntaxTreeNode], where: _Where) -> list[Block]:
    blocks: list[Block] = []
    for node in nodes:
        kind = node.type
        if kind == "heading":
            level = int(node.tag[1])
            if node.markup in ("=", "-"):
                raise where.error(
                    node, "a setext heading (a line underlined with === or ---)",
                    "write a section as “## 标题”; for a rule leave a blank line before ---")
            if level not in (2, 3):
                raise where.error(
                    node, f"a level-{level} heading ({'#' * level})",
                    "a digest has chapters (#), sections (##) and subsections (###) only: "
                    "use ### or write it as a paragraph with a bold lead-in (**…**)")
            blocks.append(Heading(level, _plain(node.children[0], where)))
        elif kind == "paragraph":
            inline = node.children[0]
            ref = _reference(inline, where)
            if ref is None:
                blocks.append(Paragraph(_runs(inline, where)))
            else:
                blocks.append((ChartRef if ref[0] == "chart" else TableRef)(*ref[1:]))
        elif kind in ("bullet_list", "ordered_list"):
            items: list[ListItem] = []
            _list_items(node, 0, where, items)
            blocks.append(ListBlock(items, ordered=kind == "ordered_list"))
        elif kind == "blockquote":
            blocks.extend(_quote(node, where))
        elif kind == "hr":
            blocks.append(ThematicBreak())
        elif kind == "table":
            blocks.append(_gfm_table(node, where))
        else:
            raise _refusal(node, where)
    return blocks


def _refusal(node: SyntaxTreeNode, where: _Where) -> ComposeError:
    """The error for a block a digest does not have (code, HTML, anything unknown)."""
    if node.type == "fence":
        return where.error(node, f"a fenced code block ({node.markup})",
                           "a digest has no code: write it as a paragraph")
    if node.type == "code_block":
        return where.error(node, "an indented code block (a line indented by four spaces or a tab)",
                           "a digest has no code: remove the indent to write it as a paragraph")
    if node.type == "html_block":
        return where.error(node, f"an HTML block ({node.content.strip()[:40]!r})",
                           "HTML is not allowed in a digest: write it as Markdown text (a literal < as \\<)")
    if node.type == "heading":
        return where.error(node, "a heading inside a list or block quote",
                           "headings stand on their own: put it before the list or quote")
    return where.error(node, f"a Markdown {node.type.replace('_', ' ')} here",
                       "a digest has headings, paragraphs, lists, quotes, tables and chart references")


def _reference(inline: SyntaxTreeNode, where: _Where) -> tuple[str, str, str, str] | None:
    """(kind, id, caption, title) of a paragraph that is a chart or table reference, else None."""
    children = [c for c in inline.token.children or [] if not (c.type == "text" and not c.content.strip())]
    if len(children) != 1 or children[0].type != "image":
        return None
    src = str(children[0].attrs.get("src", ""))
    if not _REFERENCE_KIND.match(src):
        return None  # refused by _runs as an image
    match = REFERENCE.match(src)
    if match is None:
        raise where.error(inline, f"the reference {src!r} has no valid id",
                          f"an id after chart: or table: is letters, digits, _ and - ({ID})")
    return match.group(1), match.group(2), children[0].content, str(children[0].attrs.get("title") or "")


def _list_items(node: SyntaxTreeNode, level: int, where: _Where, out: list[ListItem]) -> None:
    if level >= LIST_LEVELS:
        raise where.error(node, f"a list nested {level + 1} levels deep",
                          f"a digest list nests at most {LIST_LEVELS} levels: flatten it")
    ordered = node.type == "ordered_list"
    start = int(node.attrs.get("start", 1)) if ordered else 1
    for index, item in enumerate(node.children, start=start):
        label = item_label(ordered, index, level)
        if not item.children:
            out.append(ListItem([], level, label))
        for child in item.children:
            if child.type == "paragraph":
                if _reference(child.children[0], where) is not None:
                    raise where.error(child, "a chart or table reference inside a list",
                                      "place charts and tables in a paragraph of their own, outside lists")
                out.append(ListItem(_runs(child.children[0], where), level, label))
                label = ""  # a further paragraph of the item continues it, unmarked
            elif child.type in ("bullet_list", "ordered_list"):
                if label:  # an item that opens with a nested list still gets its marker
                    out.append(ListItem([], level, label))
                    label = ""
                _list_items(child, level + 1, where, out)
            else:
                raise _refusal(child, where) if child.type in ("fence", "code_block", "html_block", "heading") \
                    else where.error(child, f"a {child.type.replace('_', ' ')} inside a list item",
                                     "a list item holds text and nested lists only")


def _quote(node: SyntaxTreeNode, where: _Where) -> list[Paragraph]:
    out: list[Paragraph] = []
    for child in node.children:
        if child.type != "paragraph":
            if child.type in ("fence", "code_block", "html_block", "heading"):
                raise _refusal(child, where)
            raise where.error(child, f"a {child.type.replace('_', ' ')} inside a block quote",
                              "a block quote holds paragraphs only")
        if _reference(child.children[0], where) is not None:
            raise where.error(child, "a chart or table reference inside a block quote",
                              "place charts and tables in a paragraph of their own, outside quotes")
        out.append(Paragraph(_runs(child.children[0], where), style="quote"))
    return out


def _gfm_table(node: SyntaxTreeNode, where: _Where) -> Table:
    header: list[list[str]] = []
    rows: list[list[str]] = []
    numeric: list[bool] = []
    for part in node.children:
        in_head = part.type == "thead"
        for tr in part.children:
            cells = []
            for cell in tr.children:
                if in_head:
                    numeric.append("text-align:right" in str(cell.attrs.get("style") or ""))
                cells.append(_plain(cell.children[0], where) if cell.children else "")
            (header if in_head else rows).append(cells)
    return Table(0, "", header, rows, numeric)


def _plain(inline: SyntaxTreeNode, where: _Where) -> str:
    return "".join(r.text for r in _runs(inline, where))


def _runs(inline: SyntaxTreeNode, where: _Where) -> list[Run]:
    """The runs of an inline node: every inline token is kept as text or refused."""
    runs: list[Run] = []
    strong = emphasis = 0
    links: list[tuple[str, int]] = []  # (href, index in runs where its text starts)
    children = inline.token.children or []
    for k, child in enumerate(children):
        kind = child.type
        href = links[-1][0] if links else ""
        if kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            emphasis += 1
        elif kind == "em_close":
            emphasis -= 1
        elif kind == "text":
            _append(runs, child.content.replace(ZWSP, ""), strong > 0, emphasis > 0, href)
        elif kind == "code_inline":
            _append(runs, child.content, strong > 0, emphasis > 0, href)
        elif kind == "softbreak":
            _append(runs, _soft_break(children, k), strong > 0, emphasis > 0, href)
        elif kind == "hardbreak":
            _append(runs, "\n", strong > 0, emphasis > 0, href)
        elif kind == "link_open":
            if child.attrs.get("title"):
                raise where.error(inline, f"a link title ({child.attrs['title']!r})",
                                  "a digest does not show link titles: remove it and keep the text and URL")
            links.append((str(child.attrs.get("href", "")), len(runs)))  # _append keeps its runs apart
        elif kind == "link_close":
            href, first = links.pop()
            text = "".join(r.text for r in runs[first:])
            shown = href.removeprefix("mailto:")
            if text != shown:
                _append(runs, f"（{shown}）", strong > 0, emphasis > 0, href)
        elif kind == "image":
            src = str(child.attrs.get("src", ""))
            if _REFERENCE_KIND.match(src):
                raise where.error(inline, f"the reference {src!r} inside a line of text",
                                  "a chart or table reference stands alone in its paragraph, "
                                  "with a blank line before and after it")
            raise where.error(inline, f"an image ({src!r})",
                              "a digest shows charts and tables only: ![caption](chart:ID) or ![caption](table:ID)")
        elif kind == "html_inline":
            raise where.error(inline, f"inline HTML ({child.content!r})",
                              "HTML is not allowed in a digest: write the text without tags (a literal < as \\<)")
        else:
            raise where.error(inline, f"a Markdown {kind.replace('_', ' ')}",
                              "write it as plain text")
    return runs


def _soft_break(children: list[Token], k: int) -> str:
    """A line break in the template source: nothing between CJK text, a space between words."""
    before = next((c.content[-1:] for c in reversed(children[:k]) if c.content), "")
    after = next((c.content[:1] for c in children[k + 1:] if c.content), "")
    return " " if before.isascii() and before.isalnum() and after.isascii() and after.isalnum() else ""


def _append(runs: list[Run], text: str, strong: bool, emphasis: bool, href: str = "") -> None:
    if not text:
        return
    last = runs[-1] if runs else None
    if last is not None and (last.strong, last.emphasis, last.href) == (strong, emphasis, href):
        runs[-1] = Run(last.text + text, strong, emphasis, href)
    else:
        runs.append(Run(text, strong, emphasis, href))
