"""OOXML element builders shared by the DOCX writer and its field helpers."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree


def paragraph(style_id: str, align: str | None = None) -> etree._Element:
    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    ppr.append(OxmlElement("w:pStyle", {qn("w:val"): style_id}))
    if align:
        ppr.append(OxmlElement("w:jc", {qn("w:val"): align}))
    p.append(ppr)
    return p


def text_run(text: str, style_id: str | None = None) -> etree._Element:
    """A w:r for text; tabs and newlines become w:tab and w:br as Word expects."""
    run = OxmlElement("w:r")
    if style_id:
        rpr = OxmlElement("w:rPr")
        rpr.append(OxmlElement("w:rStyle", {qn("w:val"): style_id}))
        run.append(rpr)
    for i, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if i:
            run.append(OxmlElement("w:br"))
        for j, piece in enumerate(line.split("\t")):
            if j:
                run.append(OxmlElement("w:tab"))
            if piece:
                t = OxmlElement("w:t", {qn("xml:space"): "preserve"})
                t.text = piece
                run.append(t)
    return run


# The children of w:pPr in schema order (those the writer sets on a paragraph).
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "pBdr", "tabs", "spacing", "ind", "jc")


def set_paragraph_property(p: etree._Element, name: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """Add (or replace) the pPr child ``w:<name>`` of a paragraph at its place in the schema order."""
    ppr = p.find(qn("w:pPr"))
    old = ppr.find(qn(f"w:{name}"))
    if old is not None:
        ppr.remove(old)
    element = OxmlElement(f"w:{name}", {qn(f"w:{k}"): v for k, v in (attrs or {}).items()})
    rank = _PPR_ORDER.index(name)
    after = [c for c in ppr if c.tag.startswith("{") and c.tag.split("}")[1] in _PPR_ORDER
             and _PPR_ORDER.index(c.tag.split("}")[1]) < rank]
    if after:
        after[-1].addnext(element)
    else:
        ppr.insert(0, element)
    return element
