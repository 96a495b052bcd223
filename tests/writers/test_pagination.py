"""Pages a reader finds full: no body page left blank below its text, no widows or orphans.

The sample digest is built as a user builds it. Blank space is measured on the pages
as poppler renders them (pdftoppm): the share of the text block below the last ink.
Widows and orphans are read from ``pdftotext -bbox`` lines: a paragraph's first line
alone at a page's foot, or its last line alone at the next page's top.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from jianbao import api
from jianbao.scaffold import init_project
from jianbao.theme import load_theme

from pdf_lines import line_quality, read_lines, text_block_edges

MAX_BLANK = 0.25
BODY_SIZE = 16.0


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = init_project(tmp_path_factory.mktemp("pages") / "digest")
    result = api.build(root, "2025H1", formats=("pdf",))
    return next(f.path for f in result.files if f.format == "pdf")


def blank_shares(pdf: Path, folder: Path) -> list[float]:
    """For each page, the share of the text block's height below its last ink."""
    page = load_theme().page
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdf), str(folder / "p")], check=True)
    shares = []
    for png in sorted(folder.glob("p-*.pgm")):
        image = Image.open(png)
        width, height = image.size
        top = int(height * page["margin_top_mm"] / page["height_mm"])
        bottom = int(height * (page["height_mm"] - page["margin_bottom_mm"]) / page["height_mm"])
        pixels = image.load()
        last = max((y for y in range(top, bottom) if any(pixels[x, y] < 200 for x in range(0, width, 2))),
                   default=top)
        shares.append((bottom - last) / (bottom - top))
    return shares


def chapter_pages(pdf: Path) -> tuple[list[int], int]:
    """The first page of each chapter and of the appendix (0-based), from the PDF's outline."""
    reader = pypdf.PdfReader(pdf)
    top = [item for item in reader.outline if not isinstance(item, list)][1:]  # after 本期要点
    starts = [reader.get_destination_page_number(item) for item in top]
    return starts[:-1], starts[-1]


def test_no_body_page_is_more_than_a_quarter_blank(sample, tmp_path):
    shares = blank_shares(sample, tmp_path)
    chapters, appendix = chapter_pages(sample)
    last_of_chapter = {start - 1 for start in chapters[1:]} | {appendix - 1}
    body = [n for n in range(chapters[0], appendix) if n not in last_of_chapter]
    blank = {n + 1: round(shares[n], 2) for n in body if shares[n] > MAX_BLANK}
    assert not blank, f"pages more than {MAX_BLANK:.0%} blank: {blank}"


def body_lines(pdf: Path):
    left, right = text_block_edges(load_theme().page)
    indent = left + 2 * BODY_SIZE
    lines = [ln for ln in read_lines(pdf) if ln.alone and abs(ln.height - BODY_SIZE) < 1.5
             and (abs(ln.x0 - left) < 1 or abs(ln.x0 - indent) < 1) and "—" not in ln.text[:1]]
    return lines, left, right


def lines_alone(pdf: Path) -> list[str]:
    """A line per orphan (a paragraph's first line alone at a page's foot) and widow (its last
    line alone at the next page's top)."""
    lines, left, right = body_lines(pdf)
    problems = []
    for before, after in zip(lines, lines[1:]):
        if after.page != before.page + 1:
            continue
        runs_on = abs(after.x0 - left) < 1 and abs(before.x1 - right) < 2  # one paragraph across the break
        if not runs_on:
            continue
        first_alone = abs(before.x0 - left - 2 * BODY_SIZE) < 1  # an indented first line at the foot
        page_after = [ln for ln in lines if ln.page == after.page]
        following = page_after[1] if len(page_after) > 1 else None
        last_alone = abs(after.x1 - right) > 2 and (following is None or abs(following.x0 - left) > 1)
        if first_alone:
            problems.append(f"orphan at the foot of page {before.page}: {before.text[:20]}")
        if last_alone:
            problems.append(f"widow at the top of page {after.page}: {after.text[:20]}")
    return problems


def test_no_paragraph_leaves_one_line_alone_at_a_page_break(sample):
    problems = lines_alone(sample)
    assert not problems, problems


def test_no_paragraph_ends_in_a_line_of_one_or_two_characters(sample):
    """解。 点。 架。 alone on a last line: the line before tightens to take them (pdf_flow.RUNT_CHARS)."""
    runts = line_quality(sample, *text_block_edges(load_theme().page)).runts
    assert not runts, [(r.page, r.text) for r in runts]


def test_a_tightened_line_stays_inside_the_text_block(sample):
    left, right = text_block_edges(load_theme().page)
    lines = [ln for ln in read_lines(sample) if ln.alone and ln.x0 >= left - 1]
    assert lines and max(ln.x1 for ln in lines) <= right + 1.0


def test_reportlab_frame_internals_the_floats_read():
    """FloatingDocTemplate measures the room left as reportlab's Frame.add does (reportlab is pinned)."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Frame, Spacer

    frame = Frame(0, 0, 200, 300, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    assert frame._atTop and frame._getAvailableWidth() == 200 and frame._y - frame._y1p == 300
    assert frame.add(Spacer(10, 120), Canvas("/dev/null"))
    assert not frame._atTop and frame._y - frame._y1p == 180
