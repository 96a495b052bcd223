"""Word fields python-docx has no API for: PAGE, TOC with PAGEREF entries, bookmarks.

The TOC is a complex field ``TOC \\o "1-N" \\h \\z \\u`` whose cached result is
already filled in: one "toc N" paragraph per heading, each linking to a
bookmark on its heading and ending in a ``PAGEREF`` field. Word rebuilds the
whole field on open (``w:updateFields`` in settings.xml); LibreOffice does not
rebuild indexes when converting headless, but it does lay out PAGEREF fields,
so its PDF shows the right page numbers too.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from jianbao.writers.docx_xml import paragraph, text_run


def field_runs(instruction: str, result: str) -> list[etree._Element]:
    """The w:r elements of a complex field: begin, instruction, separate, result, end."""
    return [
        _fld_char("begin"),
        _instr(instruction),
        _fld_char("separate"),
        text_run(result),
        _fld_char("end"),
    ]


def bookmark(paragraph: etree._Element, ident: int, name: str) -> None:
    """Wrap the paragraph's content in a bookmark (what TOC \\h and PAGEREF point at)."""
    start = OxmlElement("w:bookmarkStart", {qn("w:id"): str(ident), qn("w:name"): name})
    end = OxmlElement("w:bookmarkEnd", {qn("w:id"): str(ident)})
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        paragraph.insert(0, start)
    paragraph.append(end)


def toc_entry(style_id: str, text: str, anchor: str, page: str = "") -> etree._Element:
    """One contents paragraph: the label linked to the heading's bookmark, a tab, its PAGEREF
    (whose result is ``page``: jianbao's own pagination, so the number shows before any update)."""
    p = paragraph(style_id)
    link = OxmlElement("w:hyperlink", {qn("w:anchor"): anchor, qn("w:history"): "1"})
    link.append(text_run(text))
    link.append(text_run("\t"))
    for run in field_runs(f" PAGEREF {anchor} \\h ", page):
        link.append(run)
    p.append(link)
    return p


def toc_field(paragraphs: list[etree._Element], levels: int, empty_style_id: str) -> list[etree._Element]:
    """The entries wrapped in one TOC field (``\\o "1-levels"``): it begins in the first and ends in the last.

    With no entries a single paragraph holds the whole (empty) field.
    """
    paragraphs = list(paragraphs) or [paragraph(empty_style_id)]
    first, last = paragraphs[0], paragraphs[-1]
    begin = [_fld_char("begin"), _instr(f' TOC \\o "1-{max(levels, 1)}" \\h \\z \\u '), _fld_char("separate")]
    anchor = first.find(qn("w:pPr"))
    for run in reversed(begin):
        anchor.addnext(run)
    last.append(_fld_char("end"))
    return paragraphs


def set_field_settings(document: DocxDocument, update_fields: bool) -> None:
    """settings.xml: separate even/odd footers; ``update_fields`` asks Word to fill the fields on
    open (the prompt "此文档包含的域可能引用了其他文件…"), needed only when the contents have no
    page numbers of their own."""
    settings = document.settings
    settings.odd_and_even_pages_header_footer = True
    element = settings.element
    update = element.find(qn("w:updateFields"))
    if update is not None:
        element.remove(update)
    if update_fields:
        update = OxmlElement("w:updateFields", {qn("w:val"): "true"})
        element.insert_element_before(update, *_AFTER_UPDATE_FIELDS)


# Children of w:settings that follow w:updateFields in the schema.
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
    "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
    "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
    "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)


def _fld_char(kind: str) -> etree._Element:
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))
    return run


def _instr(instruction: str) -> etree._Element:
    run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    instr.text = instruction
    run.append(instr)
    return run
