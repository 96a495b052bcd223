"""IR → one self-contained HTML page: the digest to read in a browser, on a phone or a desk.

The third visitor, beside the DOCX and PDF writers, with the same content and numbering
(headings 一、（一）1., 图N/表N captions, 数据来源 lines, the contents as links to the
headings' anchors, the appendix, the 版记). The page loads nothing: its style sheet is
generated from the theme into a ``<style>`` element and each chart is a PNG data URI.
It is not paginated; a page break only breaks the page when printed. Point sizes become
``rem`` relative to the body's size, so the theme's proportions hold at the reader's
screen size. Every text is escaped; a link is clickable only for http(s) and mailto.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from jianbao.cjk import display_width
from jianbao.ir import (
    LIST_LEVELS, Appendix, Chapter, Closing, Contents, ContentsEntry, Document, Figure, Heading, KeyPoints,
    ListBlock, ListItem, Masthead, PageBreak, Paragraph, Run, Table, ThematicBreak, UnknownNodeError,
)
from jianbao.theme import TextStyle, Theme
from jianbao.writers.text import clean_text
from jianbao.writers.visitor import Visitor

__all__ = ["HtmlWriter", "render_html"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CSS_PX_PER_MM = 96 / 25.4
# The body's size on screen, in CSS px (the theme's body size in pt maps to this): phones, then wider.
BODY_PX_NARROW = 16
BODY_PX_WIDE = 18
NARROW_MAX_PX = 600
# The text column: about as many body characters per line as a printed page (GB/T 9704: 28) and a
# little more, which reads comfortably on a screen.
COLUMN_REM = 36
PAGE_PAD_REM = 1.0
MIN_TEXT_PX = 12  # the smallest text the page sets, whatever the theme's size
SHORT_EMS = 4  # a table cell this wide (in em) or less stays on one line
SINGLE = 1.4  # line height of styles without a fixed pitch (screens read better a little looser)
LINK_SCHEMES = ("http://", "https://", "mailto:")

# CJK faces by role, after the theme's own names: Windows, macOS, then Linux / Noto names.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "song": ("SimSun", "Songti SC", "STSong", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "fangsong": ("FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "kai": ("KaiTi", "STKaiti", "Kaiti SC", "LXGW WenKai", "AR PL UKai CN", "Noto Serif CJK SC"),
    "hei": ("SimHei", "Heiti SC", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
            "WenQuanYi Zen Hei"),
    "xiaobiaosong": ("STZhongsong", "Songti SC", "SimSun", "Noto Serif CJK SC", "AR PL UMing CN"),
}
GENERIC = {"hei": "sans-serif"}  # every other role is a serif face


def render_html(doc: Document, theme: Theme) -> bytes:
    """The digest (a finished tree, see ``document.transforms``) as one UTF-8 HTML page; same input, same bytes."""
    return HtmlWriter(doc, theme).render().encode("utf-8")


def esc(text: str) -> str:
    """Text as HTML content or attribute value: what XML cannot hold dropped, markup escaped."""
    return html.escape(clean_text(text), quote=True)


def _num(value: float) -> str:
    """A CSS number without trailing zeros (reproducible, short)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


class HtmlWriter(Visitor):
    """Each ``visit_*`` returns the node's HTML as a string; ``render`` strings the parts in order."""

    name = "HTML writer"

    def __init__(self, doc: Document, theme: Theme) -> None:
        self.doc = doc
        self.theme = theme
        self.body_pt = theme.style("body").size

    # -- document -------------------------------------------------------------
    def render(self) -> str:
        meta = self.doc.meta
        head = [
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(meta.title)}</title>",
            '<meta name="generator" content="jianbao">',
        ]
        for name, value in (("author", meta.author), ("description", meta.subject),
                            ("keywords", ", ".join(meta.keywords)), ("dcterms.created", meta.created)):
            if value:
                head.append(f'<meta name="{name}" content="{esc(value)}">')
        head.append(f"<style>\n{self.css()}</style>")
        body = "".join(self.visit(part) for part in self.doc.parts)
        lang = esc(meta.language or "zh-CN")
        return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n' + "\n".join(head)
                + f'\n</head>\n<body>\n<main class="jb-page">\n{body}</main>\n</body>\n</html>\n')

    # -- style sheet ------------------------------------------------------------
    def rem(self, pt: float) -> str:
        """A length in pt of the printed page as rem of the screen, the body's size being 1rem."""
        return f"{_num(pt / self.body_pt)}rem"

    def font_size(self, pt: float) -> str:
        """A type size in pt as rem, never under ``MIN_TEXT_PX`` (a 五号 source line would be 10.5 px on a phone)."""
        size = self.rem(pt)
        return f"max({size}, {MIN_TEXT_PX}px)" if pt / self.body_pt * BODY_PX_NARROW < MIN_TEXT_PX else size

    def px(self, pt: float) -> str:
        """A hairline in pt as CSS px, never thinner than one device-independent pixel."""
        return f"{_num(max(pt * 96 / 72, 1))}px"

    def family(self, role: str) -> str:
        """A CSS font stack: the Latin face first (as the DOCX sets w:ascii), then the role's DOCX name,
        the theme's PDF families, common CJK faces and a generic family."""
        names = [self.theme.docx_latin_font]
        try:
            names.append(self.theme.docx_font(role))
        except KeyError:
            pass
        names += self.theme.raw.get("fonts", {}).get(role, {}).get("families", [])
        names += FALLBACKS.get(role, ())
        stack = [f'"{name}"' for name in dict.fromkeys(_font_name(n) for n in names) if name]
        return ", ".join([*stack, GENERIC.get(role, "serif")])

    def color(self, value: str) -> str:
        """A theme colour, kept to the characters a CSS colour has (the schema checked its form)."""
        return "".join(ch for ch in str(value) if ch.isalnum() or ch == "#")

    def rules(self, st: TextStyle, *, indent: bool = True) -> list[str]:
        """The declarations of one theme text style."""
        pitch = st.line_spacing / st.size if st.line_spacing else SINGLE
        out = [f"font-family: {self.family(st.family)}", f"font-size: {self.font_size(st.size)}",
               f"line-height: {_num(pitch)}", f"text-align: {st.align}",
               f"margin: {_num(st.space_before / st.size)}em 0 {_num(st.space_after / st.size)}em"]
        if indent:
            out.append(f"text-indent: {_num(st.indent_chars)}em")
        if st.bold:
            out.append("font-weight: bold")
        if st.color:
            out.append(f"color: {self.color(st.color)}")
        return out

    def css(self) -> str:
        theme, colors, blocks = self.theme, self.theme.colors, self.theme.blocks

        def rule(selector: str, declarations: list[str]) -> str:
            return f"{selector} {{ {'; '.join(declarations)}; }}\n"

        def style(name: str, **kw) -> list[str]:
            return self.rules(theme.style(name), **kw)

        body = theme.style("body")
        masthead = theme.style("masthead")
        name_ems = max(display_width(self._masthead_name()), 1)
        page = theme.page
        out = [
            "*, *::before, *::after { box-sizing: border-box; }\n",
            rule("html", [f"font-size: {BODY_PX_WIDE}px", "-webkit-text-size-adjust: 100%",
                          "text-size-adjust: 100%"]),
            f"@media (max-width: {NARROW_MAX_PX}px) {{ html {{ font-size: {BODY_PX_NARROW}px; }} }}\n",
            rule("body", ["margin: 0", f"color: {self.color(colors['text'])}", "background: #fff",
                          f"font-family: {self.family(body.family)}", "overflow-wrap: anywhere",
                          "word-break: normal", "line-break: strict"]),
            rule(".jb-page", [f"max-width: {COLUMN_REM + 2 * PAGE_PAD_REM}rem", "margin: 0 auto",
                              f"padding: 1.5rem {_num(PAGE_PAD_REM)}rem 3rem"]),
            rule("p, h1, h2, h3, h4, figure, ul", ["margin: 0", "padding: 0"]),
            rule("a", ["color: inherit", "text-decoration-thickness: 1px", "text-underline-offset: 0.15em"]),
            rule("strong", ["font-weight: bold"]),
            rule("em", ["font-style: normal", f"font-family: {self.family('kai')}"]),
            # the masthead: marking, the digest's name in red (shrunk to fit as the PDF's is), issue,
            # unit and date on one line, the red rule
            rule(".marking", style("marking", indent=False)),
            rule(".masthead-name", [*style("masthead", indent=False), f"color: {self.color(colors['masthead'])}",
                                    f"font-size: min({self.rem(masthead.size)}, "
                                    f"calc((100vw - {_num(2 * PAGE_PAD_REM)}rem) / {_num(name_ems)}))",
                                    "letter-spacing: 0", "line-height: 1.25"]),
            rule(".issue", style("issue", indent=False)),
            rule(".masthead-line", [*style("masthead_line", indent=False), "display: flex", "flex-wrap: wrap",
                                    "justify-content: space-between", "gap: 0 1em",
                                    f"padding-bottom: {self.rem(blocks['masthead_rule_pt'] + blocks['masthead_rule_space_pt'])}",
                                    f"border-bottom: {self.px(blocks['masthead_rule_pt'] * 1.5)} solid "
                                    f"{self.color(colors['masthead'])}"]),
            # 本期要点 between two rules
            rule(".keypoints", [f"border-top: {self.px(blocks['keypoints_rule_pt'])} solid {self.color(colors['rule'])}",
                                f"border-bottom: {self.px(blocks['keypoints_rule_pt'])} solid "
                                f"{self.color(colors['rule'])}", "margin: 1.5rem 0", "padding: 0.25rem 0 0.5rem"]),
            rule(".keypoints-title", style("keypoints_title", indent=False)),
            rule(".contents", ["margin: 1.5rem 0"]),
            rule(".contents-title", style("title", indent=False)),
            rule(".contents ol", ["list-style: none", "margin: 0", "padding: 0"]),
            rule(".contents li", style("toc", indent=False)),
            *(rule(f".contents .toc{n}", [f"padding-left: {_num(n - 1)}em"]) for n in (1, 2, 3)),
            rule(".contents a", ["text-decoration: none"]),
            rule(".contents a:hover, .contents a:focus", ["text-decoration: underline"]),
            rule(".chapter, .appendix", ["margin-top: 1.5rem"]),
            *(rule(f".h{n}", [*style(f"heading{n}"), "scroll-margin-top: 0.5rem"]) for n in (1, 2, 3)),
            rule(".keypoints-title", ["scroll-margin-top: 0.5rem"]),
            *(rule(f"p.{_class(name)}", style(name)) for name in sorted(self._paragraph_styles())),
            rule("p.quote", [f"margin-left: {_num(blocks['quote_indent_chars'])}em",
                             f"margin-right: {_num(blocks['quote_indent_chars'])}em"]),
            rule("ul.list", ["list-style: none"]),
            rule("ul.list li", style("body")),
            *(rule(f"ul.list li.lv{n}", [f"padding-left: {_num(n * blocks['list_level_indent_chars'])}em"])
              for n in range(1, LIST_LEVELS)),
            rule("hr", ["border: 0", f"border-top: {self.px(blocks['thematic_break_pt'])} solid "
                        f"{self.color(colors.get('thematic_break', colors['text']))}",
                        f"margin: {self.rem(blocks['thematic_break_space_pt'])} 0"]),
            rule(".caption", [*style("caption", indent=False), f"color: {self.color(colors['caption'])}"]),
            rule(".source", style("source", indent=False)),
            rule("figure.figure, figure.table", ["margin: 1rem 0"]),
            rule(".figure img", ["display: block", "margin: 0 auto", "max-width: 100%", "height: auto"]),
            rule(".table-wrap", ["overflow-x: auto", "max-width: 100%", "-webkit-overflow-scrolling: touch"]),
            rule(".table-wrap table", ["border-collapse: collapse", "width: 100%", "margin: 0 auto"]),
            rule(".table-wrap th, .table-wrap td", [
                f"border: {self.px(blocks['table_rule_pt'])} solid {self.color(colors['table_rule'])}",
                f"padding: {self.rem(blocks['table_cell_pad_y_pt'])} {self.rem(blocks['table_cell_pad_x_pt'])}",
                "vertical-align: middle", "text-align: left", "overflow-wrap: normal", "word-break: normal"]),
            rule(".table-wrap thead th", [f"background: {self.color(colors['table_header_fill'])}",
                                          "text-align: center", "font-weight: bold"]),
            # on a phone the print layout's column shares squeeze short cells (万辆) into a column of
            # characters: the browser sizes the columns by their content there
            f"@media (max-width: {NARROW_MAX_PX}px) {{ .table-wrap col {{ width: auto !important; }} }}\n",
            rule(".table-wrap th.group", ["text-align: left", "font-weight: bold"]),
            rule(".table-wrap .short", ["white-space: nowrap"]),
            rule(".table-wrap td.num", ["text-align: right", "white-space: nowrap",
                                        "font-variant-numeric: tabular-nums"]),
            *(rule(f"table.{_class(name)}", [f"font-family: {self.family(theme.style(name).family)}",
                                     f"font-size: {self.font_size(theme.style(name).size)}",
                                     f"line-height: {_num(SINGLE)}"])
              for name in sorted(self._table_styles())),
            # 版记: rules top and bottom, thinner ones between its lines, lines inset one character
            rule(".closing", [*style("closing", indent=False), "margin-top: 3rem",
                              f"border-top: {self.px(blocks['closing_outer_rule_pt'])} solid {self.color(colors['text'])}",
                              f"border-bottom: {self.px(blocks['closing_outer_rule_pt'])} solid "
                              f"{self.color(colors['text'])}"]),
            rule(".closing p", [f"padding: {self.rem(blocks['table_cell_pad_y_pt'])} 1em"]),
            rule(".closing p + p", [f"border-top: {self.px(blocks['closing_inner_rule_pt'])} solid "
                                    f"{self.color(colors['text'])}"]),
            rule(".closing p.print-run", ["text-align: right", "border-top: 0"]),
            rule(".page-break", ["display: none"]),
            # printed from the browser: the theme's page and its breaks
            f"@page {{ size: {_num(page['width_mm'])}mm {_num(page['height_mm'])}mm; "
            f"margin: {_num(page['margin_top_mm'])}mm {_num(page['margin_right_mm'])}mm "
            f"{_num(page['margin_bottom_mm'])}mm {_num(page['margin_left_mm'])}mm; }}\n",
            "@media print { html { font-size: %s; } .jb-page { max-width: none; padding: 0; } "
            ".page-break { display: block; break-after: page; } figure, tr, .h1, .h2, .h3 { break-inside: avoid; } "
            ".h1, .h2, .h3 { break-after: avoid; } .contents a { text-decoration: none; } }\n"
            % f"{_num(self.body_pt)}pt",
        ]
        return "".join(out)

    def _masthead_name(self) -> str:
        masthead = self.doc.first(Masthead)
        return clean_text(masthead.name) if masthead is not None else ""

    def _paragraph_styles(self) -> set[str]:
        """The theme styles the paragraphs use (the others need no rule), body always."""
        styles = {"body", "keypoint"}
        for part in self.doc.find(KeyPoints):
            styles |= {p.style for p in part.paragraphs}
        styles |= {b.style for b in self.doc.blocks_in_order() if isinstance(b, Paragraph)}
        return {s for s in styles if s in self.theme.raw.get("styles", {})}

    def _table_styles(self) -> set[str]:
        return {"table"} | {t.style for t in self.doc.tables() if t.style in self.theme.raw.get("styles", {})}

    # -- inline -------------------------------------------------------------------
    def visit_Run(self, run: Run) -> str:
        """Strong is bold, emphasis 楷体 (``em``); a link of a scheme a browser opens safely is clickable."""
        text = esc(run.text).replace("\r\n", "\n").replace("\n", "<br>")
        if run.emphasis:
            text = f"<em>{text}</em>"
        if run.strong:
            text = f"<strong>{text}</strong>"
        if run.href and run.href.strip().lower().startswith(LINK_SCHEMES):
            text = f'<a href="{esc(run.href.strip())}">{text}</a>'
        return text

    def runs(self, runs: list[Run]) -> str:
        return "".join(self.visit(run) for run in runs)

    # -- the digest's parts -----------------------------------------------------
    def visit_Masthead(self, m: Masthead) -> str:
        out = ['<header class="masthead">\n']
        if m.marking:
            out.append(f'<p class="marking">{esc(m.marking)}</p>\n')
        out.append(f'<h1 class="masthead-name">{esc(m.name)}</h1>\n')
        out.append(f'<p class="issue">{esc(m.issue)}</p>\n')
        out.append(f'<p class="masthead-line"><span class="unit">{esc(m.unit)}</span>'
                   f'<span class="date">{esc(m.date)}</span></p>\n')
        out.append("</header>\n")
        return "".join(out)

    def visit_KeyPoints(self, box: KeyPoints) -> str:
        anchor = f' id="{esc(box.anchor)}"' if box.anchor else ""
        points = "".join(self.visit(p) for p in box.paragraphs)
        return (f'<section class="keypoints">\n<h2 class="keypoints-title"{anchor}>{esc(box.title)}</h2>\n'
                f"{points}</section>\n")

    def visit_Contents(self, contents: Contents) -> str:
        entries = "".join(self.visit(entry) for entry in contents.entries)
        return (f'<nav class="contents">\n<h2 class="contents-title">{esc(contents.title)}</h2>\n'
                f"<ol>\n{entries}</ol>\n</nav>\n")

    def visit_ContentsEntry(self, entry: ContentsEntry) -> str:
        if not 1 <= entry.level <= 3:
            raise UnknownNodeError(f"the HTML writer has no level-{entry.level} contents style")
        label = esc(entry.label)
        if entry.anchor:
            label = f'<a href="#{esc(entry.anchor)}">{label}</a>'
        return f'<li class="toc{entry.level}">{label}</li>\n'

    def visit_Chapter(self, part: Chapter) -> str:
        return f'<section class="chapter">\n{self.visit(part.heading)}{self.blocks(part.blocks)}</section>\n'

    def visit_Appendix(self, part: Appendix) -> str:
        return f'<section class="appendix">\n{self.visit(part.heading)}{self.blocks(part.blocks)}</section>\n'

    def blocks(self, blocks: list) -> str:
        return "".join(self.visit(block) for block in blocks)

    def visit_Closing(self, c: Closing) -> str:
        """版记: its lines between rules, the print run at the right (at the page's end, not a page's foot)."""
        if not c.lines and not c.print_run:
            return ""
        lines = "".join(f"<p>{esc(line)}</p>\n" for line in c.lines)
        if c.print_run:
            lines += f'<p class="print-run">{esc(c.print_run)}</p>\n'
        return f'<footer class="closing">\n{lines}</footer>\n'

    # -- blocks -------------------------------------------------------------------
    def visit_Heading(self, h: Heading) -> str:
        """Levels 1 to 3 as h2 to h4 (the masthead's name is the page's h1)."""
        if not 1 <= h.level <= 3:
            raise UnknownNodeError(f"the HTML writer has no level-{h.level} heading style")
        tag = f"h{h.level + 1}"
        anchor = f' id="{esc(h.anchor)}"' if h.anchor else ""
        return f'<{tag} class="h{h.level}"{anchor}>{esc(h.label)}</{tag}>\n'

    def visit_Paragraph(self, para: Paragraph) -> str:
        if para.style not in self.theme.raw.get("styles", {}):
            raise UnknownNodeError(
                f"the HTML writer: paragraph style {para.style!r} has no [styles.{para.style}] in the theme")
        return f'<p class="{_class(para.style)}">{self.runs(para.runs)}</p>\n'

    def visit_ListBlock(self, block: ListBlock) -> str:
        """The items flattened as the tree holds them, each indented by its level, with its own marker."""
        return f'<ul class="list">\n{self.blocks(block.items)}</ul>\n'

    def visit_ListItem(self, item: ListItem) -> str:
        if not 0 <= item.level < LIST_LEVELS:
            raise UnknownNodeError(f"the HTML writer cannot render a list item at level {item.level}")
        label = f'<span class="marker">{esc(item.label)}</span>' if item.label else ""
        return f'<li class="lv{item.level}">{label}{self.runs(item.runs)}</li>\n'

    def visit_ThematicBreak(self, _: ThematicBreak) -> str:
        return "<hr>\n"

    def visit_PageBreak(self, _: PageBreak) -> str:
        """Nothing on a screen; a page break when printed."""
        return '<div class="page-break" aria-hidden="true"></div>\n'

    def source(self, text: str) -> str:
        return f'<p class="source">{esc(text)}</p>\n' if text else ""

    def visit_Figure(self, fig: Figure) -> str:
        """The chart inline as a PNG data URI, sized as the layout transform sized it (CSS px at 96 dpi,
        shrunk to the column), then its caption and source, as the DOCX and PDF set them."""
        data = Path(fig.image).read_bytes()
        if not data.startswith(PNG_SIGNATURE):
            raise ValueError(f"the HTML writer: {fig.image} is not a PNG picture")
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        width, height = round(fig.width_mm * CSS_PX_PER_MM), round(fig.height_mm * CSS_PX_PER_MM)
        return (f'<figure class="figure" id="figure-{fig.number}">\n'
                f'<img src="{uri}" width="{width}" height="{height}" alt="{esc(fig.caption)}">\n'
                f'<figcaption class="caption">{esc(fig.label)}</figcaption>\n{self.source(fig.source)}</figure>\n')

    def cell(self, text: str, numeric: bool = False, *, header: bool = False) -> str:
        """One cell; a number or a short text (万辆, 单位) is never broken over lines on a narrow screen."""
        classes = " ".join(c for c, on in (("num", numeric), ("short", display_width(clean_text(text)) <= SHORT_EMS))
                           if on)
        attrs = (' scope="col"' if header else "") + (f' class="{classes}"' if classes else "")
        tag = "th" if header else "td"
        return f"<{tag}{attrs}>{esc(text)}</{tag}>"

    def visit_Table(self, t: Table) -> str:
        """Caption, grid and source; the grid scrolls inside its own box when it cannot fit the screen."""
        if t.style not in self.theme.raw.get("styles", {}):
            raise UnknownNodeError(f"the HTML writer: table style {t.style!r} has no [styles.{t.style}] in the theme")
        ncols = t.columns
        numeric = list(t.numeric) + [False] * (ncols - len(t.numeric))
        out = [f'<figure class="table" id="table-{t.number}">\n<figcaption class="caption">{esc(t.label)}</figcaption>\n',
               f'<div class="table-wrap">\n<table class="{_class(t.style)}">\n']
        if t.widths and len(t.widths) == ncols:
            out.append("<colgroup>" + "".join(f'<col style="width:{_num(100 * w)}%">' for w in t.widths)
                       + "</colgroup>\n")
        if t.header:
            out.append("<thead>\n")
            for row in t.header:
                cells = [row[c] if c < len(row) else "" for c in range(ncols)]
                out.append("<tr>" + "".join(self.cell(cell, header=True) for cell in cells) + "</tr>\n")
            out.append("</thead>\n")
        out.append("<tbody>\n")
        groups = set(t.group_rows)
        for r, row in enumerate(t.rows):
            if r in groups:  # one cell across the table labels the rows after it
                label = row[0] if row else ""
                out.append(f'<tr><th class="group" colspan="{ncols}" scope="rowgroup">{esc(label)}</th></tr>\n')
                continue
            cells = [row[c] if c < len(row) else "" for c in range(ncols)]
            out.append("<tr>" + "".join(self.cell(cell, numeric[c]) for c, cell in enumerate(cells)) + "</tr>\n")
        out.append("</tbody>\n</table>\n</div>\n")
        out.append(self.source(t.source))
        out.append("</figure>\n")
        return "".join(out)



def _font_name(name: str) -> str:
    """A font name as a quoted CSS string can hold it inside ``<style>`` (no quote, escape or tag)."""
    return "".join(ch for ch in name if ch not in '"\\<>;{}')


def _class(style: str) -> str:
    """A theme style's name as a class name a selector can hold as it is."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", style) or "_"
