"""Every node type of the tree is rendered by every writer; anything else is an error in each.

The node classes are read from ``jianbao/ir.py`` (``NODE_TYPES``), so a node type
added there without a ``visit_<Node>`` method in each writer fails here.
"""

from __future__ import annotations

import io
import subprocess
import typing
from dataclasses import dataclass

import docx
import pytest

from jianbao import ir
from jianbao.document.transforms import finish
from jianbao.ir import (
    Block, Chapter, ChartRef, Document, Heading, ListBlock, ListItem, Masthead, Paragraph, Run, TableRef,
    UnknownNodeError,
)
from jianbao.theme import load_theme
from jianbao.writers.docx import DocxWriter, render_docx
from jianbao.writers.html import HtmlWriter, render_html
from jianbao.writers.pdf import PdfWriter, render_pdf

from ir_samples import every_node_document

BLOCK_TYPES = set(typing.get_args(Block)) - set(ir.PENDING_TYPES)
WRITERS = [DocxWriter, PdfWriter, HtmlWriter]
RENDER = {"docx": render_docx, "pdf": render_pdf, "html": render_html}


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def theme():
    return load_theme()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return every_node_document(tmp_path_factory.mktemp("coverage"))


def _walk(node):
    yield node
    for value in getattr(node, "__dict__", {}).values():
        for child in value if isinstance(value, list) else [value]:
            if hasattr(child, "__dataclass_fields__"):
                yield from _walk(child)


def test_the_sample_holds_every_node_type(sample):
    doc, _ = sample
    found = {type(n) for part in doc.parts for n in _walk(part)}
    assert found == set(ir.NODE_TYPES)
    blocks = doc.chapters[0].blocks
    assert {type(b) for b in blocks} == BLOCK_TYPES
    runs = [r for b in blocks if isinstance(b, Paragraph) for r in b.runs]
    assert {(r.strong, r.emphasis, bool(r.href)) for r in runs} >= {
        (False, False, False), (True, False, False), (False, True, False), (True, True, False), (False, False, True)}
    styles = {b.style for b in blocks if isinstance(b, Paragraph)} | {
        p.style for p in doc.first(ir.KeyPoints).paragraphs}
    assert styles == {"body", "quote", "keypoint"}
    levels = {item.level for b in blocks if isinstance(b, ListBlock) for item in b.items}
    assert levels == set(range(ir.LIST_LEVELS))


def test_the_ir_has_no_node_type_this_test_does_not_know():
    """A new dataclass in ir.py is a node every writer renders (NODE_TYPES) or one the transforms replace."""
    nodes = {value for value in vars(ir).values()
             if isinstance(value, type) and hasattr(value, "__dataclass_fields__")}
    # NativeChart/NativeSeries are a Figure's data (Figure.chart), not nodes a writer visits
    data = {ir.Metadata, ir.Document, ir.Pagination, ir.NativeChart, ir.NativeSeries}
    assert nodes == set(ir.NODE_TYPES) | set(ir.PENDING_TYPES) | data


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.__name__)
def test_every_writer_has_a_visit_method_for_every_node_type(writer):
    missing = [t.__name__ for t in ir.NODE_TYPES if not callable(getattr(writer, f"visit_{t.__name__}", None))]
    assert not missing, f"{writer.__name__} lacks visit methods for {missing}"


@pytest.mark.parametrize("node", [ChartRef("growth", "增速"), TableRef("key", "指标")], ids=["chart", "table"])
@pytest.mark.parametrize("writer", list(RENDER))
def test_a_pending_reference_never_reaches_a_file(sample, theme, node, writer):
    doc, _ = sample
    doc = Document(doc.meta, [Chapter(Heading(1, "章", "一、"), [node], "s")])
    with pytest.raises(UnknownNodeError, match=type(node).__name__):
        RENDER[writer](doc, theme)
    with pytest.raises(ValueError, match="unresolved"):
        finish(doc, theme)


def test_docx_renders_every_node(sample, theme):
    doc, texts = sample
    word = docx.Document(io.BytesIO(render_docx(doc, theme)))
    text = "\n".join(p.text for p in word.paragraphs)
    text += "\n".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    for expected in texts:
        assert _squash(expected) in _squash(text), expected
    assert any(p.style.name == "Thematic Break" for p in word.paragraphs)
    assert len(word.inline_shapes) == 1
    assert "https://www.miit.gov.cn/" in {r.target_ref for r in word.part.rels.values() if r.is_external}


def test_pdf_renders_every_node(sample, theme, tmp_path):
    doc, texts = sample
    data, pages = render_pdf(doc, theme)
    path = tmp_path / "coverage.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in texts:
        assert _squash(expected) in _squash(text), expected
    assert pages >= 3  # masthead page with contents, chapter, and the page after the break
    assert b"/URI (https://www.miit.gov.cn/)" in data


def test_html_renders_every_node(sample, theme):
    import lxml.html

    doc, texts = sample
    page = lxml.html.fromstring(render_html(doc, theme))
    text = page.text_content()
    for expected in texts:
        assert _squash(expected) in _squash(text), expected
    assert len(page.xpath("//hr")) == 1
    assert [img.get("src")[:22] for img in page.iter("img")] == ["data:image/png;base64,"]
    assert "https://www.miit.gov.cn/" in {a.get("href") for a in page.iter("a")}


@dataclass
class Unknown:
    text: str = "未知节点"


class SubParagraph(Paragraph):
    """A subclass is not the node itself: every writer dispatches on the exact type."""


@pytest.mark.parametrize("node", [Unknown(), SubParagraph([Run("子类")]), "纯文本"],
                         ids=["unknown dataclass", "Paragraph subclass", "str"])
@pytest.mark.parametrize("writer", list(RENDER))
def test_an_unknown_block_is_an_error_in_each_writer(sample, theme, node, writer):
    doc, _ = sample
    doc = Document(doc.meta, [doc.first(Masthead), Chapter(Heading(1, "章", "一、"), [node], "s")])
    with pytest.raises(UnknownNodeError):
        RENDER[writer](doc, theme)


@pytest.mark.parametrize("block", [
    Paragraph([Run("正文")], style="lead"),  # a style the theme lacks is not body text
    Paragraph(["不是Run"]),  # an inline that is not a Run
    Heading(4, "四级", "（1）"),  # the writers have three heading levels
    ListBlock([ListItem([Run("过深")], ir.LIST_LEVELS, "· ")]),
], ids=["unknown paragraph style", "unknown inline", "heading level 4", "list too deep"])
@pytest.mark.parametrize("writer", list(RENDER))
def test_a_node_a_writer_cannot_render_faithfully_is_an_error(sample, theme, block, writer):
    doc, _ = sample
    doc = Document(doc.meta, [doc.first(Masthead), Chapter(Heading(1, "章", "一、"), [block], "s")])
    with pytest.raises(UnknownNodeError):
        RENDER[writer](doc, theme)
