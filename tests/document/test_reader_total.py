"""The reader is total: every CommonMark construct (and GFM tables) is rendered or refused.

Each construct the digest keeps is composed into one chapter and written by both
writers; its text must then be found in the DOCX (read by python-docx) and in the
PDF (read by pdftotext). Each construct the digest refuses raises a ComposeError
that names the chapter and the Markdown line. Nothing is dropped silently.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from jianbao.document.assemble import tree
from jianbao.document.compose import ComposeError
from jianbao.ir import (
    Closing, Contents, Document, Figure, Heading, KeyPoints, ListBlock, ListItem, Masthead, Metadata, Paragraph,
    Run, Table, ThematicBreak,
)
from jianbao.theme import load_theme
from jianbao.writers.docx import render_docx
from jianbao.writers.pdf import render_pdf

SHELL = Document(Metadata("t", created="2025-07-20T00:00:00Z"),
                 [Masthead("简报", "第1期", "单位", "2025年7月20日"), KeyPoints("本期要点"), Contents("目　录"),
                  Closing(["报：部领导。"])])

# (construct, Markdown, texts a reader must find in both files)
RENDERED = [
    ("ATX heading level 2", "## 二级标题甲", ["（一）二级标题甲"]),
    ("ATX heading level 3", "### 三级标题乙", ["1.三级标题乙"]),
    ("paragraph", "普通段落丙。", ["普通段落丙。"]),
    ("emphasis", "前文*强调丁*后文。", ["前文强调丁后文。"]),
    ("strong", "前文**加粗戊**后文。", ["前文加粗戊后文。"]),
    ("strong emphasis", "前文***粗斜庚***后文。", ["前文粗斜庚后文。"]),
    ("code span", "代码`code_span`在此。", ["代码code_span在此。"]),
    ("block quote", "> 引文第一段。\n>\n> 引文第二段。", ["引文第一段。", "引文第二段。"]),
    ("bullet list", "- 项目子\n- 项目丑", ["●项目子", "●项目丑"]),
    ("ordered list", "3. 第三项寅\n4. 第四项卯", ["（3）第三项寅", "（4）第四项卯"]),
    ("nested list", "- 外层辰\n  - 内层巳\n    1. 三层午\n- 外层未\n\n  续段申", ["●外层辰", "○内层巳", "1)三层午",
                                                                    "●外层未", "续段申"]),
    ("thematic break", "规则线前。\n\n---\n\n规则线后。", ["规则线前。", "规则线后。"]),
    ("inline link", "详见[工信部网站](https://www.miit.gov.cn/)。", ["详见工信部网站（https://www.miit.gov.cn/）。"]),
    ("autolink", "网址<https://www.stats.gov.cn/>。", ["网址https://www.stats.gov.cn/。"]),
    ("reference link", "参见[部网站][miit]。\n\n[miit]: https://www.miit.gov.cn/zwgk/", ["参见部网站（https://www.miit.gov.cn/zwgk/）。"]),
    ("email autolink", "邮箱<office@example.cn>。", ["邮箱office@example.cn。"]),
    ("chart reference", "![上半年增速](chart:growth)", ["图1", "上半年增速"]),
    ("table reference", "![主要指标](table:key_indicators)", ["表1", "主要指标"]),
    ("hard break (two spaces)", "硬换行前  \n硬换行后", ["硬换行前", "硬换行后"]),
    ("hard break (backslash)", "反斜杠前\\\n反斜杠后", ["反斜杠前", "反斜杠后"]),
    ("soft break", "软换行前\n软换行后", ["软换行前软换行后"]),
    ("entity and escape", "甲&amp;乙\\*丙", ["甲&乙*丙"]),
    ("GFM table", "| 指标酉 | 数值 |\n|---|--:|\n| 汽车产量 | 1562.1 |", ["表2", "指标酉", "1562.1"]),
]

# (construct, Markdown, what the message says)
REFUSED = [
    ("ATX heading level 4", "#### 四级标题", "level-4 heading"),
    ("ATX heading level 5", "##### 五级标题", "level-5 heading"),
    ("ATX heading level 6", "###### 六级标题", "level-6 heading"),
    ("setext heading level 1", "一级标题\n===", "setext heading"),
    ("setext heading level 2", "二级标题\n---", "setext heading"),
    ("fenced code", "```\nprint(1)\n```", "fenced code block"),
    ("tilde fence", "~~~\nprint(1)\n~~~", "fenced code block"),
    ("indented code", "    缩进的文字", "indented code block"),
    ("HTML block", "<div>块</div>", "HTML block"),
    ("HTML comment", "<!-- 注释 -->", "HTML block"),
    ("inline HTML", "文字<span>内联</span>。", "inline HTML"),
    ("image", "![照片](photo.png)", "an image"),
    ("reference inside text", "见图 ![增速](chart:growth) 。", "inside a line of text"),
    ("reference with a bad id", "![增速](chart:增速)", "no valid id"),
    ("link title", '[网站](https://www.miit.gov.cn/ "标题")', "link title"),
    ("list four levels deep", "- 一\n  - 二\n    - 三\n      - 四", "4 levels deep"),
    ("code in a list item", "- 项目\n\n      代码", "indented code block"),
    ("heading in a list item", "- ## 标题", "heading inside a list"),
    ("list in a block quote", "> - 项目", "inside a block quote"),
    ("quote in a list item", "- > 引文", "inside a list item"),
    ("chart in a list", "- ![增速](chart:growth)", "inside a list"),
]


def _png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (300, 180), "#C00000").save(path, format="PNG")
    return path


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _markdown(body: str) -> str:
    return f"# 本期要点\n\n- 要点一。\n\n# 工业\n\n开头段落。\n\n{body}\n\n结尾段落。\n"


def _compose(markdown: str, image: Path) -> Document:
    def figure(chart_id: str, caption: str, title: str) -> Figure:
        return Figure(0, caption, image, 100, 60, "工业和信息化部")

    def table(table_id: str, caption: str, title: str) -> Table:
        return Table(0, caption, [["指标", "数值"]], [["增加值", "6.4"]], [False, True])

    return tree(markdown, SHELL, ["industry"], figure, table, load_theme())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every kept construct in one chapter, written by both writers: (doc, docx text, pdf text, paths)."""
    folder = tmp_path_factory.mktemp("reader")
    image = _png(folder / "chart.png")
    body = "\n\n".join(md for _, md, _ in RENDERED)
    doc = _compose(_markdown(body), image)
    theme = load_theme()
    docx_path, pdf_path = folder / "all.docx", folder / "all.pdf"
    docx_path.write_bytes(render_docx(doc, theme))
    pdf_path.write_bytes(render_pdf(doc, theme)[0])
    word = docx.Document(str(docx_path))
    docx_text = "\n".join(p.text for p in word.paragraphs)
    docx_text += "\n" + "\n".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    pdf_text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True,
                              text=True, check=True).stdout
    return doc, docx_text, pdf_text, word, pdf_path


@pytest.mark.parametrize("construct, markdown, texts", RENDERED, ids=[c for c, _, _ in RENDERED])
def test_a_kept_construct_reaches_both_files(rendered, construct, markdown, texts):
    _, docx_text, pdf_text, _, _ = rendered
    for text in texts:
        assert _squash(text) in _squash(docx_text), f"{construct}: {text!r} missing from the DOCX"
        assert _squash(text) in _squash(pdf_text), f"{construct}: {text!r} missing from the PDF"


def test_each_construct_has_its_own_line_in_both_files(rendered):
    """Nested items, quote paragraphs and hard breaks stay apart ("外层内层" would be a merge)."""
    _, docx_text, pdf_text, _, _ = rendered
    for text in ("○内层巳", "1)三层午", "引文第二段。", "硬换行后", "续段申"):
        for name, lines in (("DOCX", docx_text.splitlines()), ("PDF", pdf_text.splitlines())):
            assert any(_squash(line).startswith(text) for line in lines), f"{text!r} not on its own line in the {name}"


def test_kept_constructs_become_the_nodes_decided(rendered):
    doc = rendered[0]
    blocks = doc.chapters[0].blocks
    quotes = [b for b in blocks if isinstance(b, Paragraph) and b.style == "quote"]
    assert [q.text for q in quotes] == ["引文第一段。", "引文第二段。"]
    assert sum(isinstance(b, ThematicBreak) for b in blocks) == 1
    nested = next(b for b in blocks if isinstance(b, ListBlock) and b.items[0].runs[0].text == "外层辰")
    assert nested.items == [
        ListItem([Run("外层辰")], 0, "● "), ListItem([Run("内层巳")], 1, "○ "), ListItem([Run("三层午")], 2, "1) "),
        ListItem([Run("外层未")], 0, "● "), ListItem([Run("续段申")], 0, ""),
    ]
    assert [h.label for h in blocks if isinstance(h, Heading)] == ["（一）二级标题甲", "1.三级标题乙"]
    runs = [r for b in blocks if isinstance(b, Paragraph) for r in b.runs]
    assert Run("强调丁", emphasis=True) in runs and Run("加粗戊", strong=True) in runs
    assert Run("粗斜庚", strong=True, emphasis=True) in runs
    assert Run("工信部网站（https://www.miit.gov.cn/）", href="https://www.miit.gov.cn/") in runs
    assert Run("office@example.cn", href="mailto:office@example.cn") in runs


def test_styles_in_the_docx(rendered):
    word = rendered[3]
    style = {p.text: p.style.name for p in word.paragraphs}
    assert style["引文第一段。"] == "Quote"
    assert style["● 外层辰"] == "List Paragraph"
    assert style["○ 内层巳"] == "List 2"
    assert style["1) 三层午"] == "List 3"
    assert "Thematic Break" in [p.style.name for p in word.paragraphs]
    quote = word.styles["Quote"].element.find(qn("w:pPr")).find(qn("w:ind"))
    assert int(quote.get(qn("w:left"))) > 0 and int(quote.get(qn("w:right"))) > 0


def test_links_are_clickable_in_both_files(rendered):
    _, _, _, word, pdf_path = rendered
    targets = {r.target_ref for r in word.part.rels.values() if r.is_external}
    assert {"https://www.miit.gov.cn/", "https://www.stats.gov.cn/", "mailto:office@example.cn"} <= targets
    uris = set()
    for page in pypdf.PdfReader(pdf_path).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None:
                uris.add(action.get("/URI"))
    assert {"https://www.miit.gov.cn/", "https://www.stats.gov.cn/", "mailto:office@example.cn"} <= uris


@pytest.mark.parametrize("construct, markdown, what", REFUSED, ids=[c for c, _, _ in REFUSED])
def test_a_refused_construct_names_chapter_and_line(tmp_path, construct, markdown, what):
    text = _markdown(markdown)
    first = text.splitlines().index(markdown.splitlines()[0]) + 1
    lines = range(first, first + len(markdown.splitlines()))  # the offending line is in the fragment
    with pytest.raises(ComposeError) as caught:
        _compose(text, tmp_path / "unused.png")
    message = str(caught.value)
    assert what in message
    assert "chapter “工业”" in message
    assert int(re.search(r"Markdown line (\d+) ", message).group(1)) in lines, message
    assert ";" in message  # and says what to do


def test_refusals_in_the_key_points_say_so(tmp_path):
    for markdown, what in (("## 小标题", "heading among the key points"),
                           ("- 一\n  - 二", "nested list among the key points"),
                           ("> 引文", "block quote among the key points"),
                           ("![增速](chart:growth)", "chart or table reference among the key points"),
                           ("```\nx\n```", "fenced code block")):
        text = f"# 本期要点\n\n{markdown}\n\n# 工业\n\n文字。\n"
        with pytest.raises(ComposeError, match=re.escape(what)) as caught:
            _compose(text, tmp_path / "unused.png")
        assert "the key points (本期要点), Markdown line 3 " in str(caught.value)


def test_every_token_type_of_the_parser_is_decided():
    """A token markdown-it can produce that the reader does not name would be refused as unknown:
    the rules enabled here are the ones the reader was written for."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    assert set(md.get_active_rules()["block"]) == {
        "table", "code", "fence", "blockquote", "hr", "list", "reference", "html_block", "heading",
        "lheading", "paragraph"}
    assert set(md.get_active_rules()["inline"]) == {
        "text", "newline", "escape", "backticks", "emphasis", "link", "image", "autolink", "html_inline",
        "entity"}
