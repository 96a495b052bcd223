"""The PDF writer, checked the way a reader sees the file: poppler and pypdf."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest

from jianbao import theme as theme_module
from jianbao.ir import Chapter, Heading, UnknownNodeError
from jianbao.theme import FontNotFoundError, load_theme
from jianbao.writers.pdf import render_pdf

from ir_samples import HOSTILE, KEY_FIGURES, sample_document
from pdf_lines import line_quality, read_lines, text_block_edges


@pytest.fixture(scope="module")
def pdf_theme():
    return load_theme()


@pytest.fixture(scope="module")
def pdf_sample(tmp_path_factory, pdf_theme):
    """The sample digest rendered once: (document IR, path, bytes, page count)."""
    folder = tmp_path_factory.mktemp("pdf")
    doc = sample_document(folder, paragraphs_per_chapter=8, extra_text=HOSTILE)
    data, pages = render_pdf(doc, pdf_theme)
    path = folder / "sample.pdf"
    path.write_bytes(data)
    return doc, path, data, pages


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def page_texts(path: Path) -> list[str]:
    return pdftotext(path).split("\f")[:-1]


def test_page_count_matches_the_file(pdf_sample):
    _, path, _, pages = pdf_sample
    assert len(pypdf.PdfReader(path).pages) == pages
    assert 6 <= pages <= 20


def test_every_font_is_embedded(pdf_sample):
    _, path, _, _ = pdf_sample
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                         check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "no fonts at all"
    for row in rows:
        emb = row.split()[-5]  # columns: name type encoding emb sub uni object ID
        assert emb == "yes", row
    assert "Helvetica" not in out


def test_key_figures_and_structure_are_extractable(pdf_sample):
    doc, path, _, _ = pdf_sample
    text = pdftotext(path)
    for figure in KEY_FIGURES:
        assert figure in text
    for chapter in doc.chapters:
        assert chapter.heading.label in text
    for needle in ["工业和信息化发展简报", "第3期（总第27期）", "运行监测协调局编", "2025年7月20日",
                   "本期要点", "表1", "2025年上半年工业增加值增速", "数据来源：国家统计局",
                   "图1", "2025年上半年汽车产销情况", "数据来源：工业和信息化部",
                   "附：数据表", "（1）福建、安徽、河南、湖南增长8%以上", "超过690万辆"]:
        assert needle in text, needle


def test_masthead_unit_left_date_right_and_closing_block_last(pdf_sample, pdf_theme):
    _, path, _, pages = pdf_sample
    left, right = text_block_edges(pdf_theme.page)
    lines = read_lines(path)
    unit = next(ln for ln in lines if ln.text == "运行监测协调局编")
    date = next(ln for ln in lines if ln.text == "2025年7月20日")
    # one baseline (the bottoms of their boxes; the Latin digits' box is shorter than an ideograph's)
    assert unit.page == date.page == 1 and abs((unit.y + unit.height) - (date.y + date.height)) < 0.5
    assert abs(unit.x0 - left) < 1 and abs(date.x1 - right) < 1
    run = next(ln for ln in lines if ln.text == "共印50份")
    assert run.page == pages and abs(run.x1 - (right - 14)) < 1  # one character in
    assert "报：部领导。" in page_texts(path)[-1]


def test_table_caption_above_source_below_numbers_right_aligned(pdf_sample):
    _, path, _, _ = pdf_sample
    lines = read_lines(path)
    caption = next(ln for ln in lines if ln.text.startswith("表1"))
    header = next(ln for ln in lines if ln.text == "指标" and ln.page == caption.page)
    last_row = next(ln for ln in lines if ln.text == "高技术制造业增加值占比")
    source = next(ln for ln in lines if ln.text == "数据来源：国家统计局"
                  and ln.page == caption.page)
    assert caption.y < header.y < last_row.y < source.y
    numbers = [ln for ln in lines if ln.page == caption.page and ln.text in ("6.4", "35.5", "16.4")]
    assert len(numbers) == 3 and max(n.x1 for n in numbers) - min(n.x1 for n in numbers) < 0.5


def test_figure_is_placed_with_caption_below(pdf_sample):
    _, path, _, _ = pdf_sample
    reader = pypdf.PdfReader(path)
    lines = read_lines(path)
    caption = next(ln for ln in lines if ln.text.startswith("图1"))
    assert len(reader.pages[caption.page - 1].images) == 1


def test_every_heading_is_a_bookmark_nested_by_level_pointing_at_its_heading(pdf_sample):
    doc, path, _, _ = pdf_sample
    reader = pypdf.PdfReader(path)
    outline = reader.outline
    top = [item for item in outline if not isinstance(item, list)]
    headings = [h for h in doc.blocks_in_order() if isinstance(h, Heading)]
    assert [item.title for item in top] == ["本期要点", *(h.label for h in headings if h.level == 1)]

    def flat(items):
        return [t for item in items for t in (flat(item) if isinstance(item, list) else [item.title])]

    assert flat(outline) == ["本期要点", *(h.label for h in headings)]
    texts = page_texts(path)
    for item in top[1:]:
        page = reader.get_destination_page_number(item)
        assert item.title in texts[page]


def test_toc_page_numbers_match_where_chapters_start(pdf_sample):
    doc, path, _, _ = pdf_sample
    texts = page_texts(path)
    toc = pdftotext(path, "-layout", "-f", "1", "-l", "1")
    for chapter in doc.chapters:
        label = chapter.heading.label
        match = re.search(re.escape(label) + r"\s+(\d+)\s*$", toc, re.M)
        assert match, f"{label} not in the table of contents"
        toc_page = int(match.group(1))
        first = next(i + 1 for i, t in enumerate(texts[1:], 1)
                     if any(line.strip() == label for line in t.splitlines()))
        assert toc_page == first, label


def test_metadata(pdf_sample):
    doc, path, _, _ = pdf_sample
    reader = pypdf.PdfReader(path)
    meta = reader.metadata
    assert meta.title == doc.meta.title
    assert meta.author == doc.meta.author
    assert meta.subject == doc.meta.subject
    assert meta["/Keywords"] == "工业, 信息化, 简报"
    assert meta["/CreationDate"].startswith("D:20250720000000")
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"


def test_page_numbers_outside_the_text_block_alternating_sides(pdf_sample, pdf_theme):
    _, path, _, pages = pdf_sample
    left, right = text_block_edges(pdf_theme.page)
    texts = page_texts(path)
    assert "— 1 —" in texts[0] and f"— {pages} —" in texts[-1]
    lines = read_lines(path)
    for n in (1, 2):
        number = next(ln for ln in lines if ln.page == n and ln.text == f"—{n}—")
        if n % 2:
            assert abs(number.x1 - (right - 14)) < 1
        else:
            assert abs(number.x0 - (left + 14)) < 1
        bottom = (pdf_theme.page["height_mm"] - pdf_theme.page["margin_bottom_mm"]) * 72 / 25.4
        assert number.y > bottom + 7 * 72 / 25.4


def test_same_input_same_bytes(pdf_sample, pdf_theme):
    doc, _, data, _ = pdf_sample
    assert render_pdf(doc, pdf_theme)[0] == data


def test_hostile_text_survives(pdf_sample):
    _, path, data, _ = pdf_sample
    text = pdftotext(path)
    assert "比较<b>标签</b> & “引号” a<bc>d" in text
    assert "结束" in text
    assert "\x0b" not in text


def test_bold_is_drawn_by_stroke_and_fill(pdf_sample):
    _, path, _, _ = pdf_sample
    reader = pypdf.PdfReader(path)
    streams = b"".join(p.get_contents().get_data() for p in reader.pages[1:3])
    assert b"2 Tr" in streams


def test_line_breaking_and_justification(pdf_sample, pdf_theme):
    _, path, _, _ = pdf_sample
    quality = line_quality(path, *text_block_edges(pdf_theme.page))
    assert not quality.bad_starts, [ln.text for ln in quality.bad_starts]
    assert not quality.bad_ends, [ln.text for ln in quality.bad_ends]
    assert len(quality.full) >= 100, quality.summary()
    assert quality.flush_share >= 0.9, quality.summary()


def test_missing_font_gives_the_clear_error(tmp_path, monkeypatch):
    theme = load_theme()
    theme.raw["pdf"] = {"fonts": {"song": [{"file": str(tmp_path / "nonexistent.ttf")}]}}
    monkeypatch.setattr(theme_module, "_system_cjk_truetype", lambda: [])
    monkeypatch.setattr(theme_module, "_system_family_truetype", lambda family: None)
    doc = sample_document(tmp_path, paragraphs_per_chapter=1)
    with pytest.raises(FontNotFoundError, match="apt-get install fonts-arphic-uming"):
        render_pdf(doc, theme)


def test_unknown_node_is_an_error(tmp_path, pdf_theme):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1)
    doc.parts.append(Chapter(Heading(1, "其他", "五、"), [object()]))  # type: ignore[list-item]
    with pytest.raises(UnknownNodeError, match="object"):
        render_pdf(doc, pdf_theme)


def test_a_run_of_headings_is_kept_with_three_lines_of_text(pdf_theme):
    from reportlab.platypus import CondPageBreak

    from jianbao.writers.pdf import _keep_headings_with_text
    from jianbao.writers.pdf_flow import Heading as HeadingBlock, Layout, TextBlock
    from jianbao.writers.pdf_fonts import FontBook

    book = FontBook(pdf_theme)
    face = book.face("hei", 16)
    layout = Layout(28.95, 16)
    story = [TextBlock(book, [("正文", face)], layout),
             HeadingBlock(book, [("一、章", face)], layout),
             HeadingBlock(book, [("（一）节", face)], layout),
             TextBlock(book, [("正文", face)], layout)]
    kept = _keep_headings_with_text(story)
    breaks = [f for f in kept if isinstance(f, CondPageBreak)]
    assert len(breaks) == 1 and kept.index(breaks[0]) == 1
    assert breaks[0].height == 5 * 28.95  # two headings and three lines: a paragraph never leaves a widow
