"""The 版记 stands at the foot of the digest's last page, an even one (GB/T 9704 §7.4: the last face
of a digest printed on both sides), in the PDF and in the DOCX as LibreOffice lays it out.

Each case is a small tree whose body ends where the case says; what a reader sees is read back
from the pages: the lines' positions (``pdftotext -bbox``) and the rules drawn (a rendered page).
All DOCX files go through one LibreOffice run.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
import numpy as np
import pytest
from docx.oxml.ns import qn
from PIL import Image

from jianbao.document.transforms import finish
from jianbao.ir import (
    Chapter, Closing, Document, Heading, Masthead, Metadata, PageBreak, Pagination, Paragraph, Run,
)
from jianbao.theme import load_theme
from jianbao.writers.docx import render_docx
from jianbao.writers.pdf import render_pdf

from ir_samples import source_paragraphs
from pdf_lines import MM, TextLine, read_lines, text_block_edges

LINES = ["报：部领导。", "送：各司局，各省、自治区、直辖市工业和信息化主管部门。"]
PRINT_RUN = "共印50份"
CLOSING_TEXTS = (*LINES, PRINT_RUN)


def tree(blocks: list, closing: Closing | None = None, before_closing: list | None = None) -> Document:
    """A digest of one chapter of ``blocks`` and the 版记 (``before_closing``: parts between them)."""
    parts = [Masthead("工业和信息化发展简报", "第3期", "运行监测协调局编", "2025年7月20日"),
             Chapter(Heading(1, "工业经济总体运行", "一、"), blocks), *(before_closing or []),
             closing or Closing(list(LINES), print_run=PRINT_RUN)]
    meta = Metadata(title="工业和信息化发展简报", created="2025-07-20T00:00:00Z")
    return finish(Document(meta, parts), load_theme())


def prose(count: int) -> list[Paragraph]:
    return [Paragraph([Run(p)]) for p in source_paragraphs()[:count]]


def one_liners(count: int) -> list[Paragraph]:
    """Paragraphs of one line each (the body's 28 characters hold them in either reader)."""
    return [Paragraph([Run(f"第{i + 1}项工作按计划推进。")]) for i in range(count)]


CASES = {
    # The body ends on page 1, with room: an odd page, so the 版记 moves to page 2.
    "odd": lambda: tree(prose(2)),
    # The body ends on page 2 with room: the 版记 stands at its foot.
    "even": lambda: tree([*prose(1), PageBreak(), *prose(1)]),
    # The body fills page 2 but for two lines, less than the 版记 needs: page 3 stays blank and
    # the 版记 stands on page 4.
    "full": lambda: tree([*prose(1), PageBreak(), *one_liners(20)]),
    # The tree breaks the page before the 版记: it comes up on page 2, even, and stays there.
    "break": lambda: tree(prose(2), before_closing=[PageBreak()]),
}
# (body_end, closing) of each case's PDF pagination: where the 版记 came up, where it stands.
EXPECTED = {"odd": (1, 2), "even": (2, 2), "full": (2, 4), "break": (2, 2)}


@dataclass
class Case:
    pagination: Pagination
    pdf: Path
    docx: bytes
    libreoffice: Path  # the DOCX converted to PDF by LibreOffice


@pytest.fixture(scope="module")
def theme():
    return load_theme()


@pytest.fixture(scope="module")
def cases(tmp_path_factory, theme) -> dict[str, Case]:
    """Every case rendered to PDF and DOCX (with the PDF's pagination), and the case ``alone``: the
    odd case's DOCX without one. One LibreOffice run converts every DOCX."""
    folder = tmp_path_factory.mktemp("closing")
    docs = {name: make() for name, make in CASES.items()}
    built: dict[str, tuple[Pagination, Path, bytes]] = {}
    for name, doc in docs.items():
        rendered = render_pdf(doc, theme)
        path = folder / f"{name}.pdf"
        path.write_bytes(rendered[0])
        built[name] = (rendered.pagination, path, render_docx(doc, theme, pagination=rendered.pagination))
    built["alone"] = (built["odd"][0], built["odd"][1], render_docx(docs["odd"], theme))
    for name, (_, _, data) in built.items():
        (folder / f"{name}.docx").write_bytes(data)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required to lay the DOCX out"
    profile = tmp_path_factory.mktemp("lo-profile")
    out = folder / "libreoffice"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *(str(folder / f"{name}.docx") for name in built)],
                   check=True, capture_output=True, timeout=240, env={**os.environ, "HOME": str(profile)})
    return {name: Case(p, path, data, out / f"{name}.pdf") for name, (p, path, data) in built.items()}


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def closing_lines(pdf: Path) -> list[TextLine]:
    lines = [ln for ln in read_lines(pdf) if ln.text in CLOSING_TEXTS]
    assert sorted(ln.text for ln in lines) == sorted(CLOSING_TEXTS), [ln.text for ln in lines]
    return lines


def rules(pdf: Path, page: int, dpi: int = 144) -> list[tuple[float, float, float]]:
    """(y from the top, left x, right x) in pt of each horizontal rule longer than half the page,
    as the page renders: the 版记's rules."""
    png = subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-gray", "-png", str(pdf)],
                         capture_output=True, check=True).stdout
    dark = np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 128
    found: list[tuple[float, float, float]] = []
    for y in np.flatnonzero(dark.sum(axis=1) > dark.shape[1] / 2):
        xs = np.flatnonzero(dark[y])
        if found and y * 72 / dpi - found[-1][0] <= 1.5:  # one rule, a few pixel rows thick
            continue
        found.append((y * 72 / dpi, xs[0] * 72 / dpi, (xs[-1] + 1) * 72 / dpi))
    return found


def assert_at_the_foot_of_the_last_even_page(pdf: Path, theme) -> int:
    """The 版记's lines and rules on the last page, an even one, its last rule at the text block's
    foot and its lines inset one character; returns the page count."""
    pages = page_count(pdf)
    assert pages % 2 == 0, f"{pdf.name}: the digest ends on page {pages}, an odd page"
    lines = closing_lines(pdf)
    assert {ln.page for ln in lines} == {pages}, [(ln.text, ln.page) for ln in lines]
    page = theme.page
    foot = (page["height_mm"] - page["margin_bottom_mm"]) * MM
    pitch = theme.style("body").line_spacing
    lowest = max(ln.y for ln in lines)
    assert foot - pitch < lowest <= foot, (pdf.name, lowest, foot)
    left, right = text_block_edges(page)
    size = theme.style("closing").size
    for ln in lines:
        if ln.text == PRINT_RUN:
            assert abs(ln.x1 - (right - size)) < 1.5, (pdf.name, ln)
        else:
            assert abs(ln.x0 - (left + size)) < 1.5, (pdf.name, ln)
    drawn = rules(pdf, pages)
    assert len(drawn) == len(LINES) + 1, drawn  # the outer rules and one between the lines
    for y, x0, x1 in drawn:
        assert abs(x0 - left) < 1.5 and abs(x1 - right) < 1.5, (pdf.name, drawn)
    assert drawn[0][0] < min(ln.y for ln in lines) and lowest < drawn[-1][0] <= foot + 1.5, (drawn, lowest)
    assert foot - drawn[-1][0] < 1.5, (pdf.name, drawn[-1], foot)
    return pages


@pytest.mark.parametrize("name", list(CASES))
def test_the_pdf_sets_the_closing_at_the_foot_of_an_even_last_page(cases, theme, name):
    case = cases[name]
    pages = assert_at_the_foot_of_the_last_even_page(case.pdf, theme)
    assert (case.pagination.body_end, case.pagination.closing) == EXPECTED[name]
    assert case.pagination.pages == pages == EXPECTED[name][1]


@pytest.mark.parametrize("name", list(CASES))
def test_libreoffice_sets_the_docx_closing_where_the_pdf_does(cases, theme, name):
    case = cases[name]
    assert assert_at_the_foot_of_the_last_even_page(case.libreoffice, theme) == page_count(case.pdf)


def test_the_rest_of_an_odd_page_and_a_whole_blank_page_stay_empty(cases):
    """Odd: the body's last line is on page 1, nothing else is on page 2. Full: page 3 only has its number."""
    for name, blank in (("odd", None), ("full", 3)):
        for pdf in (cases[name].pdf, cases[name].libreoffice):
            lines = read_lines(pdf)
            last = max(ln.page for ln in lines)
            body = [ln for ln in lines if ln.text not in CLOSING_TEXTS and not ln.text.startswith("—")]
            assert max(ln.page for ln in body) == cases[name].pagination.body_end < last, (pdf, name)
            if blank:
                assert [ln.text for ln in lines if ln.page == blank] == [f"—{blank}—"], (pdf, name)


def test_a_docx_rendered_alone_sets_the_closing_at_the_foot_of_the_page_it_lands_on(cases, theme):
    """Without the PDF's pagination the DOCX cannot know its pages: the 版记 stands at the foot of the
    page the text ends on, here the first (odd) one."""
    pdf = cases["alone"].libreoffice
    assert page_count(pdf) == 1
    lines = closing_lines(pdf)
    foot = (theme.page["height_mm"] - theme.page["margin_bottom_mm"]) * MM
    assert {ln.page for ln in lines} == {1}
    assert foot - theme.style("body").line_spacing < max(ln.y for ln in lines) <= foot
    word = docx.Document(io.BytesIO(cases["alone"].docx))
    assert not any(p.paragraph_format.page_break_before for p in word.paragraphs)


def test_a_closing_taller_than_a_page_flows_in_both(tmp_path, theme):
    """The PDF flows it from where the text ends, records no page it stands on, and the DOCX keeps
    it in the flow (no floating table), with pagination or without."""
    lines = [f"送：第{i + 1}批各司局，各省、自治区、直辖市工业和信息化主管部门。" for i in range(30)]
    closing = Closing(lines, print_run=PRINT_RUN)
    doc = tree(prose(1), closing=closing)
    rendered = render_pdf(doc, theme)
    assert rendered.pagination.closing == 0 and rendered.pagination.body_end == 1
    path = tmp_path / "tall.pdf"
    path.write_bytes(rendered[0])
    first = next(ln for ln in read_lines(path) if ln.text.startswith("送：第1批"))
    assert first.page == 1  # straight after the text, not moved to an even page
    for pagination in (rendered.pagination, None):
        tables = docx.Document(io.BytesIO(render_docx(doc, theme, pagination=pagination))).tables
        assert tables[-1]._tbl.tblPr.find(qn("w:tblpPr")) is None
