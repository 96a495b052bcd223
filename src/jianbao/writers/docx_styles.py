"""Word styles for the digest, made from the theme, merged into a base styles part.

Every paragraph the writer emits names one of the styles below; nothing is
formatted by hand in the body except what a style cannot say (alignment of a
numeric cell, the two footers' sides). With a reference.docx the styles it
already defines are kept as they are (pandoc's rule) and only missing ones are
added; without one, python-docx's default template is the base and its
same-named styles are replaced, since they carry Latin-only theme fonts.

Every style written here names its East Asian font explicitly (``w:eastAsia``
plus ``w:hint="eastAsia"`` so shared punctuation such as “” takes the Chinese
face) and the zh-CN language: Word otherwise falls back to the Latin font for
Chinese text on machines whose default is not Chinese.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from jianbao.ir import LIST_LEVELS, UnknownNodeError
from jianbao.theme import TextStyle, Theme

TWIPS_PER_MM = 1440 / 25.4


def twips(mm: float) -> int:
    return int(mm * TWIPS_PER_MM)


@dataclass(frozen=True)
class StyleSpec:
    """One style to ensure: its Word name, kind, theme style and extra pPr/rPr XML."""

    name: str  # the w:name (internal form: "heading 1", "caption", "toc 1")
    theme_style: str | None  # theme [styles.*] it takes family/size/spacing from
    kind: str = "paragraph"  # paragraph | character | table
    outline: int | None = None  # heading outline level 0..8
    keep_next: bool = False
    extra_ppr: str = ""  # raw pPr children (already in schema order), e.g. tabs
    color: str = ""  # overrides the theme style's colour
    single: bool = False  # force single line spacing (pictures)
    align: str | None = None  # overrides the theme style's alignment
    indent: bool = True  # honour the theme style's first-line indent
    left_chars: float = 0.0  # left indent in characters (TOC levels, nested lists, quotes)
    right_chars: float = 0.0  # right indent in characters (quotes)
    before: float | None = None  # space before/after in pt, when not the theme style's
    after: float | None = None


# Names used by the writer; the values are the w:name a reader finds in Word.
NORMAL = "Normal"
BODY = "Body Text"
TITLE = "Title"
KEY_POINTS_TITLE = "Key Points Title"
HEADINGS = ("heading 1", "heading 2", "heading 3")
CAPTION = "caption"
SOURCE = "Source"
TABLE_TEXT = "Table Text"
TOC_HEADING = "TOC Heading"
TOCS = ("toc 1", "toc 2", "toc 3")
KEY_POINT = "Key Point"
CLOSING = "Closing"
MASTHEAD = "Masthead"
ISSUE = "Masthead Issue"
MASTHEAD_LINE = "Masthead Line"
MARKING = "Masthead Marking"
FIGURE = "Figure"
FOOTER = "footer"
LIST = "List Paragraph"
LISTS = (LIST, "List 2", "List 3")  # list items by nesting level
QUOTE = "Quote"
THEMATIC_BREAK = "Thematic Break"
STRONG = "Strong"
EMPHASIS = "Emphasis"
TABLE = "Table Grid"

# IR paragraph style (theme name) → Word style name; others become their title-cased name.
PARAGRAPH_STYLES = {"body": BODY, "keypoint": KEY_POINT, "quote": QUOTE}


def paragraph_style_name(theme_name: str) -> str:
    return PARAGRAPH_STYLES.get(theme_name, theme_name.replace("_", " ").title())


# Styles added only when the document uses them, so a digest without them keeps its bytes.
ON_DEMAND = (*LISTS[1:], QUOTE, THEMATIC_BREAK)


def _specs(theme: Theme, text_width: int, extra: list[str], used: set[str] = frozenset()) -> list[StyleSpec]:
    rule = hex_color(theme.colors["masthead"])
    geometry = theme.blocks
    quote = geometry["quote_indent_chars"]
    break_rule = hex_color(theme.colors.get("thematic_break", theme.colors["text"]))
    break_size = eighths(geometry["thematic_break_pt"])
    break_space = geometry["thematic_break_space_pt"]
    toc_tabs = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{text_width}"/></w:tabs>'
    specs = [
        StyleSpec(NORMAL, "body", align="left", single=True, indent=False),
        StyleSpec(BODY, "body"),
        StyleSpec(TITLE, "title"),
        StyleSpec(KEY_POINTS_TITLE, "keypoints_title", indent=False, keep_next=True),
        *(
            StyleSpec(name, f"heading{i + 1}", outline=i, keep_next=True)
            for i, name in enumerate(HEADINGS)
        ),
        StyleSpec(CAPTION, "caption", color=theme.colors.get("caption", ""), keep_next=True),
        StyleSpec(SOURCE, "source"),
        StyleSpec(TABLE_TEXT, "table"),
        StyleSpec(TOC_HEADING, "title"),
        *(
            StyleSpec(name, "toc", extra_ppr=toc_tabs, indent=False, left_chars=i)
            for i, name in enumerate(TOCS)
        ),
        StyleSpec(KEY_POINT, "keypoint"),
        StyleSpec(CLOSING, "closing"),
        StyleSpec(MASTHEAD, "masthead", color=theme.colors["masthead"]),
        StyleSpec(ISSUE, "issue"),
        StyleSpec(
            MASTHEAD_LINE,
            "masthead_line",
            extra_ppr=(
                f'<w:pBdr><w:bottom w:val="single" w:sz="{eighths(geometry["masthead_rule_pt"])}" '
                f'w:space="{round(geometry["masthead_rule_space_pt"])}" w:color="{rule}"/></w:pBdr>'
                f'<w:tabs><w:tab w:val="right" w:pos="{text_width}"/></w:tabs>'
            ),
        ),
        StyleSpec(MARKING, "marking"),
        StyleSpec(FIGURE, "body", single=True, align="center", indent=False, keep_next=True),
        StyleSpec(FOOTER, "page_number", indent=False),
        *(
            StyleSpec(name, "body", left_chars=level * geometry["list_level_indent_chars"])
            for level, name in enumerate(LISTS[:LIST_LEVELS])
        ),
        StyleSpec(QUOTE, "quote", left_chars=quote, right_chars=quote),
        StyleSpec(
            THEMATIC_BREAK,
            "body",
            extra_ppr=f'<w:pBdr><w:bottom w:val="single" w:sz="{break_size}" w:space="1" w:color="{break_rule}"/></w:pBdr>',
            single=True,
            indent=False,
            before=break_space,
            after=break_space,
        ),
        StyleSpec(STRONG, None, kind="character"),
        StyleSpec(EMPHASIS, None, kind="character"),
        StyleSpec(TABLE, None, kind="table"),
    ]
    wanted = set(used) | {paragraph_style_name(t) for t in extra}
    specs = [spec for spec in specs if spec.name not in ON_DEMAND or spec.name in wanted]
    known = {s.name.lower() for s in specs}
    for theme_name in extra:
        name = paragraph_style_name(theme_name)
        if theme_name not in theme.raw.get("styles", {}):
            raise UnknownNodeError(
                f"DOCX writer: paragraph style {theme_name!r} has no [styles.{theme_name}] in the theme"
            )
        if name.lower() not in known:
            specs.append(StyleSpec(name, theme_name))
            known.add(name.lower())
    return specs


def install_styles(
    document: DocxDocument, theme: Theme, text_width: int, *, replace: bool, extra: list[str],
    used: set[str] = frozenset(),
) -> dict[str, str]:
    """Ensure every digest style exists; return lower-cased Word style name → styleId.

    ``replace`` swaps out same-named styles (the python-docx template); otherwise
    (a reference.docx) existing styles win and only missing ones are added.
    ``extra`` lists further IR paragraph styles (theme names) the document uses;
    ``used`` names the ``ON_DEMAND`` Word styles its blocks need (nested list levels, the rule).
    """
    styles = document.styles.element
    existing = {
        s.find(qn("w:name")).get(qn("w:val")).lower(): s
        for s in styles.findall(qn("w:style"))
        if s.find(qn("w:name")) is not None
    }
    if replace:
        _set_doc_defaults(styles, theme)
    ids: dict[str, str] = {}
    taken = {s.get(qn("w:styleId")) for s in existing.values()}
    for spec in _specs(theme, text_width, extra, used):
        old = existing.get(spec.name.lower())
        if old is not None and not replace:
            ids[spec.name.lower()] = old.get(qn("w:styleId"))
            continue
        if old is not None:
            style_id = old.get(qn("w:styleId"))
            styles.remove(old)
        else:
            style_id = _free_id(spec.name, taken)
        taken.add(style_id)
        ids[spec.name.lower()] = style_id
        styles.append(parse_xml(_style_xml(spec, style_id, theme, ids.get("normal", "Normal"))))
    return ids


def _free_id(name: str, taken: set[str]) -> str:
    base = "".join(ch for ch in name.title() if ch.isalnum()) or "Style"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _set_doc_defaults(styles, theme: Theme) -> None:
    """Explicit fonts and zh-CN in docDefaults, replacing the template's theme-font slots."""
    body = theme.style("body")
    old = styles.find(qn("w:docDefaults"))
    new = parse_xml(
        f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>"
        f"{_fonts(theme, body.family)}"
        f'<w:sz w:val="{_half_points(body.size)}"/><w:szCs w:val="{_half_points(body.size)}"/>'
        f"{_LANG}</w:rPr></w:rPrDefault>"
        '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    if old is not None:
        old.addprevious(new)
        styles.remove(old)
    else:
        styles.insert(0, new)


_LANG = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
_ALIGN = {"left": "left", "center": "center", "right": "right", "justify": "both"}


def _style_xml(spec: StyleSpec, style_id: str, theme: Theme, normal_id: str) -> str:
    name = quoteattr(spec.name)
    custom = "" if spec.name in _BUILTIN else ' w:customStyle="1"'
    head = (
        f'<w:style {nsdecls("w")} w:type="{spec.kind}"{custom} w:styleId={quoteattr(style_id)}>'
        f"<w:name w:val={name}/>"
    )
    if spec.kind == "character":
        return head + "<w:uiPriority w:val=\"20\"/><w:qFormat/>" + _char_rpr(spec, theme) + "</w:style>"
    if spec.kind == "table":
        return head + _table_style(theme) + "</w:style>"
    style = _text_style(spec, theme)
    based = "" if spec.name == NORMAL else f"<w:basedOn w:val={quoteattr(normal_id)}/>"
    return (
        head + based + "<w:qFormat/>" + _ppr(spec, style) + _rpr(theme, style, spec.color) + "</w:style>"
    )


_BUILTIN = {
    NORMAL, BODY, TITLE, *HEADINGS, CAPTION, TOC_HEADING, *TOCS, FOOTER, *LISTS, QUOTE, STRONG, EMPHASIS, TABLE
}


def _text_style(spec: StyleSpec, theme: Theme) -> TextStyle:
    style = theme.style(spec.theme_style or "body")
    if spec.single:
        style = TextStyle(**{**style.__dict__, "line_spacing": 0.0})
    if spec.align is not None:
        style = TextStyle(**{**style.__dict__, "align": spec.align})
    if not spec.indent:
        style = TextStyle(**{**style.__dict__, "indent_chars": 0.0})
    return style


def _ppr(spec: StyleSpec, style: TextStyle) -> str:
    """pPr children in the schema's order (keepNext, pBdr, tabs, snapToGrid, spacing, ind, jc, outlineLvl)."""
    parts = ["<w:pPr>"]
    if spec.keep_next:
        parts.append("<w:keepNext/>")
    parts.append(spec.extra_ppr)
    line = (
        f'w:line="{round(style.line_spacing * 20)}" w:lineRule="exact"'
        if style.line_spacing
        else 'w:line="240" w:lineRule="auto"'
    )
    before = style.space_before if spec.before is None else spec.before
    after = style.space_after if spec.after is None else spec.after
    if not style.line_spacing:  # single-spaced text (tables, captions) keeps its own pitch, as in the PDF:
        parts.append('<w:snapToGrid w:val="0"/>')  # on the section's line grid each line would take a grid line
    parts.append(f'<w:spacing w:before="{round(before * 20)}" w:after="{round(after * 20)}" {line}/>')
    char = style.size * 20  # one character of this size, in twips
    left = f'w:leftChars="{round(spec.left_chars * 100)}" w:left="{round(spec.left_chars * char)}" '
    if spec.right_chars:
        left += f'w:rightChars="{round(spec.right_chars * 100)}" w:right="{round(spec.right_chars * char)}" '
    parts.append(
        f'<w:ind {left}w:firstLineChars="{round(style.indent_chars * 100)}" '
        f'w:firstLine="{round(style.indent_chars * char)}"/>'
    )
    parts.append(f'<w:jc w:val="{_ALIGN.get(style.align, "left")}"/>')
    if spec.outline is not None:
        parts.append(f'<w:outlineLvl w:val="{spec.outline}"/>')
    parts.append("</w:pPr>")
    return "".join(parts)


def _rpr(theme: Theme, style: TextStyle, color: str = "") -> str:
    size = _half_points(style.size)
    bold = "<w:b/><w:bCs/>" if style.bold else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    colour = hex_color(color or style.color or theme.colors["text"])
    return (
        f"<w:rPr>{_fonts(theme, style.family)}{bold}"
        f'<w:i w:val="0"/><w:iCs w:val="0"/><w:color w:val="{colour}"/>{_condensed(theme, style)}'
        f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>{_LANG}</w:rPr>'
    )


def _condensed(theme: Theme, style: TextStyle) -> str:
    """The character grid as Word's 字符间距 (w:spacing, twentieths of a point, rounded down so
    the line still holds its count): Word and LibreOffice both set it, while a w:docGrid of
    characters is drawn differently by each."""
    tracking = theme.tracking(style.size)
    return f'<w:spacing w:val="{math.floor(tracking * 20)}"/>' if tracking else ""


def _char_rpr(spec: StyleSpec, theme: Theme) -> str:
    if spec.name == STRONG:
        return "<w:rPr><w:b/><w:bCs/></w:rPr>"
    # Emphasis: Chinese convention sets emphasised words in 楷体, not italic.
    return f'<w:rPr>{_fonts(theme, "kai")}<w:i w:val="0"/><w:iCs w:val="0"/></w:rPr>'


def _fonts(theme: Theme, family: str) -> str:
    latin = quoteattr(theme.docx_latin_font)
    east = quoteattr(theme.docx_font(family))
    return (
        f"<w:rFonts w:ascii={latin} w:hAnsi={latin} w:eastAsia={east} w:cs={latin} "
        'w:hint="eastAsia"/>'
    )


def _table_style(theme: Theme) -> str:
    rule = hex_color(theme.colors["table_rule"])
    edge = f'w:val="single" w:sz="{eighths(theme.blocks["table_rule_pt"])}" w:space="0" w:color="{rule}"'
    borders = "".join(
        f"<w:{side} {edge}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    return (
        '<w:uiPriority w:val="59"/>'
        f'<w:tblPr><w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
        f"<w:tblCellMar>{cell_margins(theme)}</w:tblCellMar></w:tblPr>"
    )


def cell_margins(theme: Theme) -> str:
    """The table cell padding of ``[blocks]`` as w:tblCellMar children, in twips."""
    x, y = round(theme.blocks["table_cell_pad_x_pt"] * 20), round(theme.blocks["table_cell_pad_y_pt"] * 20)
    return (f'<w:top w:w="{y}" w:type="dxa"/><w:left w:w="{x}" w:type="dxa"/>'
            f'<w:bottom w:w="{y}" w:type="dxa"/><w:right w:w="{x}" w:type="dxa"/>')


def eighths(points: float) -> int:
    """A rule weight in w:sz units (eighths of a point; Word draws at least 2)."""
    return max(2, round(points * 8))


def _half_points(size: float) -> int:
    return round(size * 2)


def hex_color(color: str) -> str:
    """"#c00000" → "C00000" as WordprocessingML wants it."""
    return color.lstrip("#").upper() or "000000"
