"""The gov preset is GB/T 9704's 22 lines of 28 characters; the classic preset keeps the natural pitch.

Both digests are built as a user builds them; lines are read back from the PDF with
``pdftotext -bbox`` (a full line of running text, indented or not, all ideographs) and
the DOCX's document grid from its section properties.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from jianbao import api
from jianbao.scaffold import init_project
from jianbao.theme import load_theme

from pdf_lines import line_quality, text_block_edges


def build(root: Path, preset: str | None) -> dict[str, Path]:
    if preset:
        (root / "templates" / "theme.toml").write_text(f'preset = "{preset}"\n', encoding="utf-8")
    return {f.format: f.path for f in api.build(root, "2025H1", formats=("docx", "pdf")).files}


@pytest.fixture(scope="module")
def gov(tmp_path_factory):
    return build(init_project(tmp_path_factory.mktemp("gov") / "digest"), None)


@pytest.fixture(scope="module")
def classic(tmp_path_factory):
    return build(init_project(tmp_path_factory.mktemp("classic") / "digest"), "classic")


def characters_per_line(pdf: Path) -> Counter:
    """How many characters the full lines of running text that are all ideographs hold (an
    indented first line counts its two characters of indent)."""
    left, right = text_block_edges(load_theme().page)
    counts: Counter = Counter()
    for line in line_quality(pdf, left, right).full:
        text = line.text.replace(" ", "")
        if any(ch.isascii() for ch in text):
            continue
        counts[len(text) + (2 if line.x0 > left + 16 else 0)] += 1
    return counts


def test_the_gov_preset_sets_28_characters_a_line(gov):
    counts = characters_per_line(gov["pdf"])
    assert counts.most_common(1)[0][0] == 28, counts
    assert counts[28] / sum(counts.values()) > 0.6, counts  # the others moved a mark by 禁则 or compression


def test_the_classic_preset_keeps_the_natural_27(classic):
    assert characters_per_line(classic["pdf"]).most_common(1)[0][0] == 27


def test_the_gov_docx_sets_22_lines_and_28_characters(gov, classic, tmp_path):
    """The line grid in the section, the characters by condensed spacing of the body's size, as
    LibreOffice (a second reader) lays them out: most full lines of the body hold 28."""
    word = docx.Document(str(gov["docx"]))
    grid = word.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    spacing = word.styles["Body Text"].element.find(qn("w:rPr")).find(qn("w:spacing"))
    assert int(spacing.get(qn("w:val"))) == -5  # a quarter point less per character: 28 in 156 mm
    assert docx.Document(str(classic["docx"])).styles["Body Text"].element.find(qn("w:rPr")).find(
        qn("w:spacing")) is None
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(gov["docx"])], check=True, capture_output=True, timeout=240)
    counts = characters_per_line(tmp_path / (gov["docx"].stem + ".pdf"))
    assert counts.most_common(1)[0][0] == 28, counts


def test_an_unknown_preset_is_a_theme_problem(tmp_path):
    root = init_project(tmp_path / "digest")
    (root / "templates" / "theme.toml").write_text('preset = "fancy"\n', encoding="utf-8")
    report = api.validate(root)
    assert any("preset" in str(p) and "fancy" in str(p) for p in report.problems), report.problems


def test_the_compact_preset_sets_the_sample_in_at_most_18_pages(tmp_path):
    """An in-house 行业简报: 小四 at 1.5 lines, 37 characters a line; the sample with its appendix in
    at most 18 pages (the gov preset's 3号 type needs 28)."""
    root = init_project(tmp_path / "digest")
    (root / "templates" / "theme.toml").write_text('preset = "compact"\n', encoding="utf-8")
    built = api.build(root, "2025H1", formats=("pdf",)).files[0]
    assert built.pages <= 18, built.pages
    left, right = text_block_edges(load_theme(root / "templates" / "theme.toml").page)
    counts: Counter = Counter()
    for line in line_quality(built.path, left, right).full:
        text = line.text.replace(" ", "")
        if not any(ch.isascii() for ch in text):
            counts[len(text) + (2 if line.x0 > left + 12 else 0)] += 1
    assert counts.most_common(1)[0][0] == 37, counts
