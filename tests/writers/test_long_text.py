"""Any string lays out in both formats: text with no break point, long names, huge cells.

Each case goes from a small IR document to what a reader sees: the PDF's text through
poppler, its lines' positions through ``pdftotext -bbox``, the DOCX through python-docx.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from jianbao.document.transforms import finish
from jianbao.ir import Appendix, Closing, Heading, Masthead
from jianbao.theme import load_theme
from jianbao.cjk import break_lines
from jianbao.writers.docx import render_docx
from jianbao.cjk import display_em
from jianbao.writers.fit import fit_size
from jianbao.writers.pdf import render_pdf
from jianbao.writers.pdf_flow import Layout, TextBlock
from jianbao.writers.pdf_fonts import FontBook

from ir_samples import sample_document
from pdf_lines import read_lines, text_block_edges

LONG = 2000
RARE = "龘"  # a character the sample prose never uses, so it can be counted


@pytest.fixture(scope="module")
def theme():
    return load_theme()


def render_both(doc, theme, folder: Path) -> tuple[Path, docx.document.Document]:
    """The PDF (written to ``folder``) and the DOCX (opened) of one document, finished again after a test changed it."""
    finish(doc, theme)
    data, pages = render_pdf(doc, theme)
    path = folder / "digest.pdf"
    path.write_bytes(data)
    assert len(pypdf.PdfReader(path).pages) == pages
    return path, docx.Document(io.BytesIO(render_docx(doc, theme)))


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def docx_text(word) -> str:
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


# -- text without a break point -------------------------------------------------------

@pytest.mark.parametrize("char", [RARE, "x"], ids=["ideographs", "latin"])
def test_a_long_unbroken_highlight_that_is_not_the_chapters_first_lays_out(
        tmp_path, theme, char):
    doc = sample_document(tmp_path, paragraphs_per_chapter=2, extra_text=char * LONG)
    pdf, word = render_both(doc, theme, tmp_path)
    lines = [ln for ln in read_lines(pdf) if set(ln.text) == {char}]
    assert sum(len(ln.text) for ln in lines) == LONG
    assert len({ln.page for ln in lines}) >= 2  # it ran over a page
    left, right = text_block_edges(theme.page)
    assert all(ln.x0 >= left - 1 and ln.x1 <= right + 1 for ln in lines)
    assert char * LONG in [p.text for p in word.paragraphs]


def test_a_long_chapter_title_lays_out_in_the_contents_and_the_chapter(tmp_path, theme):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1)
    doc.chapters[1].heading = Heading(1, RARE * LONG, "二、")
    pdf, word = render_both(doc, theme, tmp_path)
    # once in the contents, once as the heading (its bookmark carries it too)
    assert pdf_text(pdf).count(RARE) == 2 * LONG
    top = [o.title for o in pypdf.PdfReader(pdf).outline if not isinstance(o, list)]
    assert top[0] == "本期要点" and top[2] == "二、" + RARE * LONG
    assert docx_text(word).count(RARE) >= LONG


def test_a_long_closing_line_flows_instead_of_standing_at_the_foot(tmp_path, theme):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1)
    doc.first(Closing).lines.append(RARE * LONG)
    pdf, word = render_both(doc, theme, tmp_path)
    assert pdf_text(pdf).count(RARE) == LONG
    assert "共印50份" in pdf_text(pdf)
    assert docx_text(word).count(RARE) == LONG


def test_a_long_unit_never_overlaps_the_date(tmp_path, theme):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1)
    doc.first(Masthead).unit = "运行监测协调局" * 6
    pdf, _ = render_both(doc, theme, tmp_path)
    lines = [ln for ln in read_lines(pdf) if ln.page == 1]
    date = next(ln for ln in lines if ln.text == "2025年7月20日")
    unit = [ln for ln in lines if "运行监测" in ln.text]
    assert "".join(ln.text for ln in unit) == doc.first(Masthead).unit
    for line in unit:  # beside the date or below it, never across it
        assert abs(line.y - date.y) > 1 or line.x1 < date.x0


# -- the masthead name ----------------------------------------------------------------

def masthead_lines(pdf: Path, name: str):
    """The masthead name's lines on page 1 (the largest type there)."""
    lines = [ln for ln in read_lines(pdf) if ln.page == 1]
    tallest = max(ln.height for ln in lines)
    return [ln for ln in lines if ln.height > tallest - 1]


def test_a_forty_character_name_shrinks_and_wraps_inside_the_text_block(tmp_path, theme):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1)
    name = ("工业和信息化发展简报" * 4)[:40]
    doc.first(Masthead).name = name
    pdf, word = render_both(doc, theme, tmp_path)
    lines = masthead_lines(pdf, name)
    assert "".join(ln.text for ln in lines) == name
    assert 2 <= len(lines) <= 3
    left, right = text_block_edges(theme.page)
    assert all(ln.x0 >= left - 1 and ln.x1 <= right + 1 for ln in lines)
    size = theme.style("masthead").size
    assert 0.6 * size - 1 <= lines[0].height <= size  # smaller, never tiny
    # The DOCX takes the same decision: its name runs carry the fitted size.
    para = next(p for p in word.paragraphs if p.text == name)
    sizes = {r._r.find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) for r in para.runs}
    assert len(sizes) == 1 and 0.6 * size * 2 <= int(sizes.pop()) < size * 2


def test_a_name_that_fits_keeps_the_theme_size(tmp_path, theme):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1)
    _, word = render_both(doc, theme, tmp_path)
    para = next(p for p in word.paragraphs if p.text == doc.first(Masthead).name)
    assert all(r._r.find(qn("w:rPr")) is None for r in para.runs)


@pytest.mark.parametrize("length, lines, smallest", [(10, 1, 40), (12, 1, 36), (23, 2, 36),
                                                     (40, 3, 24)])
def test_fit_size_prefers_fewest_lines_then_largest_size(length, lines, smallest):
    width, size = 442.0, 40.0
    text = "简" * length
    advances = [display_em(c) for c in text]
    fitted = fit_size(text, advances, width, size)
    assert smallest <= fitted <= size
    assert len(break_lines(text, [a * fitted for a in advances], width, width)) == lines


# -- table cells ----------------------------------------------------------------------

@pytest.mark.parametrize("row", [0, None], ids=["body-cell", "header-cell"])
def test_a_table_cell_taller_than_a_page_splits_over_pages(tmp_path, theme, row):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1)
    table = doc.first(Appendix).blocks[0]
    if row is None:
        table.header[0][0] = RARE * LONG
    else:
        table.rows[row][0] = RARE * LONG
    pdf, word = render_both(doc, theme, tmp_path)
    text = pdf_text(pdf)
    assert text.count(RARE) == LONG
    assert "汽车产量" in text and "数据来源：国家统计局" in text
    pages = {ln.page for ln in read_lines(pdf) if RARE in ln.text}
    assert len(pages) >= 3
    assert docx_text(word).count(RARE) == LONG


def test_a_long_unbroken_latin_cell_lays_out(tmp_path, theme):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1)
    doc.first(Appendix).blocks[0].rows[1][0] = "x" * LONG
    pdf, _ = render_both(doc, theme, tmp_path)
    assert sum(ln.text.count("x") for ln in read_lines(pdf)) >= LONG


# -- the text block's splitting -------------------------------------------------------

@pytest.fixture(scope="module")
def block_parts(theme):
    book = FontBook(theme)
    face = book.face("song", 12)
    return TextBlock(book, [(RARE * 500, face)], Layout(15.6, 12, first_indent=24))


def test_split_uses_the_frames_tolerance(block_parts):
    block = block_parts
    block.wrap(400, 10_000)
    head, tail = block.split(400, 3 * 15.6 - 0.005)  # a hair short of three lines
    assert len(head._lines) == 2
    assert block.split(400, 10_000) == [block]


def test_parts_relaid_at_another_width_keep_their_own_text(block_parts):
    block = block_parts
    block.wrap(400, 10_000)
    head, tail = block.split(400, 100)
    tail._postponed = 1
    again = tail.split(400, 100)
    assert all(not hasattr(p, "_postponed") for p in again)
    parts = [head, *again]
    for part in parts:
        part.wrap(350, 10_000)  # e.g. a table wraps at the cell's inner width
    text = "".join(seg[0] for p in parts for line in p._lines for seg in line.segments)
    assert text == RARE * 500
