"""DOCX writer: what a reader of the file sees, read back by python-docx and LibreOffice."""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from jianbao.ir import (
    Appendix,
    Chapter,
    Closing,
    Contents,
    Document,
    Figure,
    Heading,
    KeyPoints,
    ListBlock,
    Masthead,
    Metadata,
    PageBreak,
    Paragraph,
    Run,
    Table,
    UnknownNodeError,
)
from jianbao.theme import load_theme
from jianbao.writers.docx import render_docx

from ir_samples import digest

CHAPTERS = [
    "工业经济总体运行",
    "装备制造业",
    "汽车产业",
    "船舶工业",
    "信息通信业",
    "软件和信息技术服务业",
    "中小企业发展",
]
NUMERALS = "一二三四五六七"
HOSTILE = "A<B & C>D\x0b换行后😀结束"


def png(path: Path, width: int = 600, height: int = 360) -> Path:
    """A small striped RGB PNG, written without any imaging library."""
    rows = b"".join(
        b"\x00" + bytes((200, 0, 0) if (y // 40) % 2 else (31, 78, 121)) * width for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )
    return path


def sample_document(folder: Path, hostile: str = "") -> Document:
    """A digest shaped like the sample one: 7 chapters, 8 figures, 3 tables."""
    image = png(folder / "chart.png")
    chapters = []
    figure = table = 0
    for i, title in enumerate(CHAPTERS):
        blocks: list = [
            Paragraph([Run(f"上半年，{title}运行总体平稳，规模以上工业增加值同比增长6.4%，"),
                       Run("增速比一季度回落0.1个百分点", strong=True), Run("，"),
                       Run("稳中有进", emphasis=True), Run("。" + "各项指标保持在合理区间。" * 6)]),
            Heading(2, "主要指标", number="（一）"),
            Paragraph([Run(f"{title}的主要指标同比增长{5 + i}.{i}%，高于全国平均水平{i}.5个百分点。")]),
        ]
        for _ in range(2 if i == 0 else 1):
            figure += 1
            blocks.append(Figure(figure, f"{title}情况{figure}", image, 150, 90, source="工业和信息化部"))
        if i in (1, 4, 5):
            table += 1
            blocks.append(Table(
                table, f"{title}主要指标",
                header=[["指标", "2025年上半年", "同比增长（%）"]],
                rows=[[f"指标{n}", f"{1000 + n * 37.5:,.1f}", f"{n}.{n}"] for n in range(1, 6)],
                numeric=[False, True, True],
                source="国家统计局",
            ))
        blocks.append(Heading(2, "下一步工作", number="（二）"))
        blocks.append(ListBlock([[Run("加快推进新型工业化。")], [Run("着力扩大有效需求。")]], ordered=True))
        if hostile and i == 2:
            blocks.append(Paragraph([Run(hostile)]))
        chapters.append(Chapter(Heading(1, title, number=f"{NUMERALS[i]}、"), blocks, sector=f"s{i}"))
    return digest(
        meta=Metadata(
            title="工业和信息化发展简报（2025年上半年）",
            subject="2025年上半年工业和信息化发展简报",
            author="运行监测协调局",
            keywords=["简报", "2025年上半年"],
            created="2025-07-20T00:00:00Z",
        ),
        masthead=Masthead("工业和信息化发展简报", "第2期", "运行监测协调局编", "2025年7月20日",
                          marking="内部资料 注意保存"),
        key_points=[Paragraph([Run("上半年规模以上工业增加值同比增长6.4%。")], style="keypoint"),
                    Paragraph([Run("汽车产销量双双突破1500万辆。")], style="keypoint")],
        chapters=chapters,
        appendix=Appendix(Heading(1, "数据表", "附："),
                          [Paragraph([Run("本附表列出正文使用的全部指标。")], style="source")]),
        closing=Closing(lines=["报：部领导。", "送：各司局。"], print_run="共印50份"),
    )


@pytest.fixture(scope="module")
def theme():
    return load_theme()


@pytest.fixture(scope="module")
def sample(tmp_path_factory, theme):
    folder = tmp_path_factory.mktemp("docx")
    doc = sample_document(folder, hostile=HOSTILE)
    data = render_docx(doc, theme)
    path = folder / "digest.docx"
    path.write_bytes(data)
    return doc, data, path


@pytest.fixture(scope="module")
def word(sample):
    return docx.Document(io.BytesIO(sample[1]))


def _rfonts(style):
    return style.element.rPr.find(qn("w:rFonts"))


def test_chapter_headings_in_order(word):
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    expected = [f"{NUMERALS[i]}、{t}" for i, t in enumerate(CHAPTERS)] + ["附：数据表"]
    assert headings == expected
    sections = [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    assert sections[:2] == ["（一）主要指标", "（二）下一步工作"]


def test_headings_are_outline_levels(word):
    for level in (1, 2, 3):
        ppr = word.styles[f"Heading {level}"].element.pPr
        assert ppr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)


def test_one_single_spaced_picture_per_figure(sample, word):
    doc = sample[0]
    assert len(word.inline_shapes) == len(doc.figures()) == 8
    pictures = [p for p in word.paragraphs if p._p.xpath(".//w:drawing")]
    assert len(pictures) == 8
    assert all(len(p._p.xpath(".//w:drawing")) == 1 for p in pictures)
    style = pictures[0].style
    assert style.name == "Figure"
    assert style.paragraph_format.line_spacing_rule != WD_LINE_SPACING.EXACTLY
    texts = [p.text for p in word.paragraphs]
    first = texts.index("图1　工业经济总体运行情况1")
    assert texts[first + 1] == "数据来源：工业和信息化部"
    assert word.paragraphs[first - 1]._p.xpath(".//w:drawing")  # caption below the picture


def test_east_asian_font_on_every_style(word, theme):
    expected = {
        "Normal": "fangsong", "Body Text": "fangsong", "Heading 1": "hei", "Heading 2": "kai",
        "Heading 3": "fangsong", "Title": "xiaobiaosong", "Caption": "hei", "Source": "kai",
        "Table Text": "fangsong", "toc 1": "fangsong", "Key Point": "kai", "Closing": "fangsong",
        "Masthead": "xiaobiaosong", "Footer": "song", "Emphasis": "kai",
    }
    for name, family in expected.items():
        fonts = _rfonts(word.styles[name])
        assert fonts.get(qn("w:eastAsia")) == theme.docx_font(family), name
        assert fonts.get(qn("w:ascii")) == theme.docx_latin_font, name
        assert fonts.get(qn("w:asciiTheme")) is None, name
    for name in ("Normal", "Body Text", "Heading 1", "Caption"):
        lang = word.styles[name].element.rPr.find(qn("w:lang"))
        assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_gov_profile_names_gb2312_fonts(tmp_path):
    gov = load_theme(font_profile="gov")
    word = docx.Document(io.BytesIO(render_docx(sample_document(tmp_path), gov)))
    assert _rfonts(word.styles["Body Text"]).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert _rfonts(word.styles["Masthead"]).get(qn("w:eastAsia")) == "方正小标宋简体"


def test_body_style_fixed_line_pitch_and_indent(word):
    fmt = word.styles["Body Text"].paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing == Pt(28.95)
    assert fmt.first_line_indent == Pt(32)
    assert word.styles["Body Text"].font.size == Pt(16)
    assert word.styles["Title"].font.size == Pt(22)


def test_a4_page_and_margins(word):
    for section in word.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28


def test_toc_field_updates_on_open(sample, word):
    body = word.element.body
    instructions = "".join(body.xpath(".//w:instrText/text()"))
    assert 'TOC \\o "1-1" \\h \\z \\u' in instructions
    toc = [p for p in word.paragraphs if p.style.name == "toc 1"]
    assert [p.text.split("\t")[0] for p in toc][:2] == ["一、工业经济总体运行", "二、装备制造业"]
    settings = word.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    # each entry points at a bookmark on its heading
    anchors = body.xpath(".//w:hyperlink/@w:anchor")
    marks = set(body.xpath(".//w:bookmarkStart/@w:name"))
    assert anchors and set(anchors) <= marks


def test_page_numbers_are_page_fields_odd_right_even_left(word):
    section = word.sections[0]
    assert word.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for footer in (odd, even):
        assert "PAGE" in "".join(footer._p.xpath(".//w:instrText/text()"))
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT


def test_masthead(word):
    first = word.paragraphs[:4]
    assert [p.text for p in first] == ["内部资料 注意保存", "工业和信息化发展简报", "第2期",
                                       "运行监测协调局编\t2025年7月20日"]
    name = first[1].style
    assert name.font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    assert name.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    line = first[3].style.element.pPr
    assert line.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "C00000"
    assert line.find(qn("w:tabs")).find(qn("w:tab")).get(qn("w:val")) == "right"


def test_tables_caption_header_and_numeric_alignment(word):
    texts = [p.text for p in word.paragraphs]
    assert "表1　装备制造业主要指标" in texts
    data = [t for t in word.tables if t.rows[0].cells[0].text == "指标"]
    assert len(data) == 3
    table = data[0]
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert header.cells[0]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "F2F2F2"
    body = table.rows[1].cells
    assert body[1].text == "1,037.5"
    assert body[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert body[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert body[0].paragraphs[0].alignment is None
    # caption directly above, source directly below
    previous = table._tbl.getprevious()
    following = table._tbl.getnext()
    assert "".join(previous.xpath(".//w:t/text()")) == "表1　装备制造业主要指标"
    assert "".join(following.xpath(".//w:t/text()")) == "数据来源：国家统计局"


def test_emphasis_is_kai_not_italic_and_strong_is_bold(word):
    para = next(p for p in word.paragraphs if "稳中有进" in p.text)
    runs = {r.text: r for r in para.runs}
    assert runs["稳中有进"].style.name == "Emphasis"
    assert runs["稳中有进"].style.font.italic is not True
    assert runs["增速比一季度回落0.1个百分点"].style.font.bold


def test_lists_and_page_breaks(word):
    texts = [p.text for p in word.paragraphs]
    assert "（1）加快推进新型工业化。" in texts and "（2）着力扩大有效需求。" in texts
    appendix = next(p for p in word.paragraphs if p.text == "附：数据表")
    assert appendix.paragraph_format.page_break_before
    first_chapter = next(p for p in word.paragraphs if p.text == "一、工业经济总体运行")
    assert first_chapter.paragraph_format.page_break_before  # chapters start after the TOC page


def test_closing_block(word):
    closing = word.tables[-1]
    cell = closing.rows[-1].cells[0]
    assert [r.cells[0].paragraphs[0].text for r in closing.rows] == ["报：部领导。", "送：各司局。"]
    assert cell.paragraphs[-1].text == "共印50份"
    assert cell.paragraphs[-1].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    borders = closing._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:top")).get(qn("w:val")) == "single"
    assert closing._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w")) == str(int(156 * 1440 / 25.4))


def test_properties(word):
    props = word.core_properties
    assert props.title == "工业和信息化发展简报（2025年上半年）"
    assert props.subject == "2025年上半年工业和信息化发展简报"
    assert props.author == "运行监测协调局"
    assert props.keywords == "简报, 2025年上半年"
    assert props.language == "zh-CN"
    assert props.created.isoformat().startswith("2025-07-20T00:00:00")
    assert props.modified == props.created


def test_same_input_same_bytes(sample, theme, tmp_path):
    again = render_docx(sample_document(tmp_path, hostile=HOSTILE), theme)
    assert again == sample[1]
    with zipfile.ZipFile(io.BytesIO(again)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_hostile_text_survives(word):
    assert "A<B & C>D换行后😀结束" in [p.text for p in word.paragraphs]


def test_unknown_node_is_an_error(tmp_path, theme):
    doc = sample_document(tmp_path)
    doc.chapters[0].blocks.append("not a node")
    with pytest.raises(UnknownNodeError, match="str"):
        render_docx(doc, theme)


def test_reference_docx_styles_win(tmp_path, theme):
    ref = docx.Document()
    ref.add_paragraph("template text that must not appear")
    heading = ref.styles["Heading 1"]
    heading.font.color.rgb = RGBColor(0x00, 0x80, 0x00)
    heading.font.size = Pt(20)
    heading.element.set(qn("w:styleId"), "1")  # as a Chinese Word names it
    ref.sections[0].page_width = Mm(215.9)  # Letter: the theme's A4 still applies
    ref.sections[0].footer.paragraphs[0].text = "old footer"
    path = tmp_path / "reference.docx"
    ref.save(path)
    out = docx.Document(io.BytesIO(render_docx(sample_document(tmp_path), theme, reference=path)))
    style = out.styles["Heading 1"]
    assert style.font.color.rgb == RGBColor(0x00, 0x80, 0x00)
    assert style.font.size == Pt(20)
    assert "template text that must not appear" not in [p.text for p in out.paragraphs]
    # styles the reference lacks come from the theme
    assert _rfonts(out.styles["Key Point"]).get(qn("w:eastAsia")) == theme.docx_font("kai")
    assert [p.text for p in out.paragraphs if p.style.name == "Heading 1"][0] == "一、工业经济总体运行"
    assert round(out.sections[0].page_width.mm) == 210
    assert out.sections[0].footer.paragraphs[0].text == "— 1 —"


def test_other_paragraph_styles_get_a_style_of_their_own(word, tmp_path, theme):
    note = next(p for p in word.paragraphs if p.text == "本附表列出正文使用的全部指标。")
    assert note.style.name == "Source"
    assert _rfonts(note.style).get(qn("w:eastAsia")) == theme.docx_font("kai")
    doc = sample_document(tmp_path)
    doc.first(Appendix).blocks.append(Paragraph([Run("说明文字")], style="caption"))
    out = docx.Document(io.BytesIO(render_docx(doc, theme)))
    assert next(p for p in out.paragraphs if p.text == "说明文字").style.name == "Caption"


def test_a_paragraph_style_the_theme_lacks_is_an_error(tmp_path, theme):
    doc = sample_document(tmp_path)
    doc.first(Appendix).blocks.append(Paragraph([Run("说明文字")], style="note"))
    with pytest.raises(UnknownNodeError, match=r"\[styles.note\]"):
        render_docx(doc, theme)


def test_without_toc_or_key_points(tmp_path, theme):
    doc = sample_document(tmp_path)
    doc.parts = [p for p in doc.parts if not isinstance(p, (Contents, KeyPoints))]
    doc.parts.remove(next(p for p in doc.parts if isinstance(p, PageBreak)))  # the one after the contents
    doc.meta.title = "标题\x0b<&>"
    out = docx.Document(io.BytesIO(render_docx(doc, theme)))
    assert not [i for i in out.element.body.xpath(".//w:instrText") if "TOC" in i.text]
    assert "本期要点" not in [p.text for p in out.paragraphs]
    assert not next(p for p in out.paragraphs if p.style.name == "Heading 1").paragraph_format.page_break_before
    assert out.core_properties.title == "标题<&>"


@pytest.fixture(scope="module")
def libreoffice_text(sample, tmp_path_factory):
    """The sample converted by LibreOffice headless, as pdftotext sees it (one conversion)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required for the second-reader test"
    out = tmp_path_factory.mktemp("lo")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(sample[2])],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(profile)},
    )
    pdf = out / "digest.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return info, text


def test_libreoffice_reads_the_digest(libreoffice_text):
    info, text = libreoffice_text
    assert "pts (A4)" in info
    flat = re.sub(r"\s+", "", text)
    for i, title in enumerate(CHAPTERS):
        assert f"{NUMERALS[i]}、{title}" in flat
    for phrase in ("工业和信息化发展简报", "第2期", "同比增长6.4%", "表1　装备制造业主要指标".replace("　", ""),
                   "数据来源：国家统计局", "共印50份", "A<B&C>D换行后"):
        assert phrase.replace(" ", "") in flat.replace("　", ""), phrase
    assert "—1—" in flat and "—2—" in flat


def test_libreoffice_shows_the_toc_entries(libreoffice_text):
    """LibreOffice shows the TOC field's prefilled entries, chapter by chapter, before chapter one.

    (It does not re-run TOC fields when converting headless, so page numbers appear
    only once Word updates the field on open.)
    """
    _, text = libreoffice_text
    flat = re.sub(r"[ \t\f]+", "", text)
    start = flat.index("一、工业经济总体运行\n上半年")  # the chapter itself, after the TOC
    entries = re.findall(r"^([一二三四五六七]、\S+?)\.{3,}", flat[:start], re.M)
    assert entries == [f"{NUMERALS[i]}、{t}" for i, t in enumerate(CHAPTERS)]
