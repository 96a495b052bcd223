"""The gov preset is GB/T 9704's 22 lines of 28 characters; the classic preset keeps the natural pitch.

Both digests are built as a user builds them; lines are read back from the PDF with
``pdftotext -bbox`` (a full line of running text, indented or not, all ideographs) and
the DOCX's document grid from its section properties.
"""

from __future__ import annotations

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


def test_the_gov_docx_has_the_document_grid_of_22_lines_and_28_characters(gov, classic):
    grid = docx.Document(str(gov["docx"])).sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars" and grid.get(qn("w:linePitch")) == "579"
    assert -870 < int(grid.get(qn("w:charSpace"))) < -820  # about -0.21 pt a character, in 4096ths
    plain = docx.Document(str(classic["docx"])).sections[0]._sectPr.find(qn("w:docGrid"))
    assert plain.get(qn("w:type")) == "lines" and plain.get(qn("w:charSpace")) is None


def test_an_unknown_preset_is_a_theme_problem(tmp_path):
    root = init_project(tmp_path / "digest")
    (root / "templates" / "theme.toml").write_text('preset = "fancy"\n', encoding="utf-8")
    report = api.validate(root)
    assert any("preset" in str(p) and "fancy" in str(p) for p in report.problems), report.problems
