"""Every IR node a chapter can hold is rendered by both writers; anything else is an error in each.

The node classes are read from ``document/ir.py`` (the ``Block`` union, plus the
inline ``Run`` and the ``ListItem``), so a node type added there without a writer
fails here until both writers render it.
"""

from __future__ import annotations

import io
import subprocess
import typing
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from jianbao.document import ir
from jianbao.document.ir import (
    Block, Chapter, Closing, Document, Figure, Heading, ListBlock, ListItem, Masthead, Metadata, PageBreak,
    Paragraph, Run, Table, ThematicBreak, UnknownNodeError,
)
from jianbao.theme import load_theme
from jianbao.writers.docx import render_docx
from jianbao.writers.pdf import render_pdf

from ir_samples import write_png

BLOCK_TYPES = set(typing.get_args(Block))


def _one_of_each(folder: Path) -> tuple[Document, list[str]]:
    """A tiny document holding every block type and every inline variant, and the texts each shows."""
    image = write_png(folder / "chart.png")
    blocks: list[Block] = [
        Heading(2, "节标题甲", "（一）"),
        Heading(3, "小节标题乙", "1."),
        Paragraph([Run("正文丙，"), Run("加粗丁", strong=True), Run("，"), Run("强调戊", emphasis=True), Run("，"),
                   Run("粗强调己", strong=True, emphasis=True), Run("，"),
                   Run("链接庚（https://www.miit.gov.cn/）", href="https://www.miit.gov.cn/"), Run("。")]),
        Paragraph([Run("引文辛。")], style="quote"),
        ListBlock([ListItem([Run("外层壬")], 0, "● "), ListItem([Run("内层癸")], 1, "○ "),
                   ListItem([Run("三层子")], 2, "1) "), ListItem([Run("续段丑")], 0, "")]),
        ListBlock([[Run("有序寅")]], ordered=True),
        ThematicBreak(),
        Table(1, "表格卯", [["指标辰", "数值"]], [["巳", "6.4"]], [False, True], source="国家统计局"),
        Figure(1, "图形午", image, 100, 60, source="工业和信息化部"),
        PageBreak(),
        Paragraph([Run("分页后未。")]),
    ]
    texts = ["（一）节标题甲", "1.小节标题乙", "正文丙，加粗丁，强调戊，粗强调己，链接庚（https://www.miit.gov.cn/）。",
             "引文辛。", "●外层壬", "○内层癸", "1)三层子", "续段丑", "（1）有序寅", "表1　表格卯", "指标辰", "巳",
             "图1", "图形午", "数据来源：工业和信息化部", "分页后未。", "要点申。"]
    doc = Document(
        Metadata("覆盖", created="2025-07-20T00:00:00Z"),
        Masthead("简报", "第1期", "单位", "2025年7月20日"),
        key_points=[Paragraph([Run("要点申。")], style="keypoint")],
        chapters=[Chapter(Heading(1, "章标题", "一、"), blocks, "s")],
        closing=Closing(["报：部领导。"]),
    )
    return doc, texts


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def theme():
    return load_theme()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return _one_of_each(tmp_path_factory.mktemp("coverage"))


def test_the_sample_holds_every_node_type(sample):
    doc, _ = sample
    blocks = doc.chapters[0].blocks
    assert {type(b) for b in blocks} == BLOCK_TYPES
    runs = [r for b in blocks if isinstance(b, Paragraph) for r in b.runs]
    assert {(r.strong, r.emphasis, bool(r.href)) for r in runs} >= {
        (False, False, False), (True, False, False), (False, True, False), (True, True, False), (False, False, True)}
    styles = {b.style for b in blocks if isinstance(b, Paragraph)} | {p.style for p in doc.key_points}
    assert styles == {"body", "quote", "keypoint"}
    levels = {item.level for b in blocks if isinstance(b, ListBlock) for item in b.items}
    assert levels == set(range(ir.LIST_LEVELS))


def test_the_ir_has_no_node_type_this_test_does_not_know():
    """A new dataclass in ir.py that can sit in a chapter must join Block (and this sample)."""
    frame = {"Chapter", "Masthead", "Closing", "Metadata", "Document"}
    inline = {"Run", "ListItem"}
    nodes = {name for name, value in vars(ir).items()
             if isinstance(value, type) and hasattr(value, "__dataclass_fields__")}
    assert nodes == frame | inline | {t.__name__ for t in BLOCK_TYPES}


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


@dataclass
class Unknown:
    text: str = "未知节点"


class SubParagraph(Paragraph):
    """A subclass is not the node itself: both writers dispatch on the exact type."""


@pytest.mark.parametrize("node", [Unknown(), SubParagraph([Run("子类")]), "纯文本"],
                         ids=["unknown dataclass", "Paragraph subclass", "str"])
@pytest.mark.parametrize("writer", ["docx", "pdf"])
def test_an_unknown_block_is_an_error_in_each_writer(sample, theme, node, writer):
    doc, _ = sample
    doc = Document(doc.meta, doc.masthead, chapters=[Chapter(Heading(1, "章", "一、"), [node], "s")])
    with pytest.raises(UnknownNodeError):
        render_docx(doc, theme) if writer == "docx" else render_pdf(doc, theme)


@pytest.mark.parametrize("block", [
    Paragraph([Run("正文")], style="lead"),  # a style the theme lacks is not body text
    Paragraph(["不是Run"]),  # an inline that is not a Run
    Heading(4, "四级", "（1）"),  # the writers have three heading levels
    ListBlock([ListItem([Run("过深")], ir.LIST_LEVELS, "· ")]),
], ids=["unknown paragraph style", "unknown inline", "heading level 4", "list too deep"])
@pytest.mark.parametrize("writer", ["docx", "pdf"])
def test_a_node_a_writer_cannot_render_faithfully_is_an_error(sample, theme, block, writer):
    doc, _ = sample
    doc = Document(doc.meta, doc.masthead, chapters=[Chapter(Heading(1, "章", "一、"), [block], "s")])
    with pytest.raises(UnknownNodeError):
        render_docx(doc, theme) if writer == "docx" else render_pdf(doc, theme)
