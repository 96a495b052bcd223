"""Characters the PDF's CJK faces lack: drawn from a symbol or emoji face, or reported.

Symbola (Debian's fonts-symbola, in dev.sh) is the fallback CI installs; the tests that
need it are skipped where fontconfig does not know it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from jianbao.theme import load_theme
from jianbao.writers.pdf import render_pdf
from jianbao.writers.pdf_fonts import MissingGlyph, invisible, missing_glyphs

from ir_samples import sample_document

PRIVATE = "\U000F0001"  # a private-use code point: no font has it


def test_the_symbol_fallback_is_installed():
    """dev.sh installs fonts-symbola; the emoji tests below need it, so its absence is a failure."""
    assert any("Symbola" in str(f.file) for f in load_theme().pdf_fallback_fonts()), \
        "fonts-symbola is not installed: run bash dev.sh setup"


def no_fallback_theme(tmp_path: Path):
    override = tmp_path / "theme.toml"
    override.write_text("[pdf]\nfallback_families = []\n", encoding="utf-8")
    return load_theme(override)


def test_missing_glyphs_names_the_character_its_code_point_and_where(tmp_path):
    found = missing_glyphs(load_theme(), [
        ("data/highlights.csv row 3, text", f"增长{PRIVATE}个百分点{PRIVATE}"),
        ("jianbao.toml: digest.name", "工业和信息化发展简报"),
        ("templates/chapters/industry.md.j2", f"a{PRIVATE}"),
    ])
    assert found == [MissingGlyph("data/highlights.csv row 3, text", PRIVATE, 2),
                     MissingGlyph("templates/chapters/industry.md.j2", PRIVATE, 1)]
    first = found[0]
    assert first.code_point == "U+F0001"
    message = str(first)
    assert message.startswith("data/highlights.csv row 3, text: U+F0001")
    assert "(2 times)" in message and "fonts-symbola" in message


def test_space_and_characters_without_ink_are_never_reported():
    text = "甲 乙\t丙\n\u200d\ufe0f\u202e\u00ad"
    assert missing_glyphs(load_theme(), [("x", text)]) == []
    assert all(invisible(c) for c in "\u200d\ufe0f\u202e\u00ad\U000E0101")
    assert not any(invisible(c) for c in "中a😀，")


def test_without_a_fallback_font_emoji_are_reported(tmp_path):
    found = missing_glyphs(no_fallback_theme(tmp_path), [("title", "简报😀")])
    assert [(m.char, m.code_point, m.name) for m in found] == [("😀", "U+1F600",
                                                                "GRINNING FACE")]


def test_symbola_covers_emoji_and_symbols():
    assert missing_glyphs(load_theme(), [("t", "😀☃✓①→")]) == []


def test_the_pdf_draws_emoji_from_the_fallback_and_they_read_back(tmp_path):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1,
                          extra_text="表情😀雪人☃\u202e反转\u202c结束")
    data, _ = render_pdf(doc, load_theme())
    path = tmp_path / "emoji.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    assert "Symbola" in fonts
    for row in fonts.splitlines()[2:]:
        assert row.split()[-5] == "yes", row  # embedded, the fallback too
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    # Beyond U+FFFF the text maps back through UTF-16 (reportlab alone gives "ὠ");
    # the bidi controls are not drawn.
    assert "表情😀雪人☃反转结束" in text


def test_a_pdf_without_fallbacks_still_builds(tmp_path):
    doc = sample_document(tmp_path, paragraphs_per_chapter=1, extra_text=f"表情😀{PRIVATE}")
    data, pages = render_pdf(doc, no_fallback_theme(tmp_path))
    assert data.startswith(b"%PDF") and pages > 1
