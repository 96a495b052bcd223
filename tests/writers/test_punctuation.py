"""Adjacent full-width punctuation is compressed in the PDF, as the font's own glyphs allow.

A closing mark whose glyph sits in the left half of its box (”, ）) gives up its
blank right half before another mark; so does any mark before an opening one whose
glyph sits in the right half (“, （). A mark the font centres keeps its whole box.
"""

from __future__ import annotations

import pytest

from jianbao.theme import load_theme
from jianbao.writers.pdf_flow import Layout, TextBlock
from jianbao.writers.pdf_fonts import FontBook

SIZE = 16.0


@pytest.fixture(scope="module")
def book():
    return FontBook(load_theme())


def width(book: FontBook, text: str) -> float:
    """The set width of ``text`` in the body face, in em."""
    face = book.face("fangsong", SIZE)
    block = TextBlock(book, [(text, face)], Layout(SIZE * 1.8, SIZE, align="left"))
    return block.natural_width() / SIZE


@pytest.mark.parametrize("pair", ["”“", "）（", "”）", "（“", "》（"])
def test_two_marks_in_a_row_take_one_and_a_half_em(book, pair):
    assert width(book, pair) == pytest.approx(1.5, abs=0.01)


def test_a_mark_before_an_ideograph_keeps_its_box(book):
    assert width(book, "”好") == pytest.approx(2.0, abs=0.01)


def test_a_mark_the_font_centres_is_not_squeezed(book):
    """AR PL UMing centres 。 (a Taiwanese habit) and sets ， at the left: 。， keeps two em."""
    font = book.font("fangsong")
    centred = not book.half_blank(font, "。")[1] and not book.half_blank(font, "，")[0]
    assert width(book, "。，") == pytest.approx(2.0 if centred else 1.5, abs=0.01)


def test_the_compressed_line_is_drawn_as_measured(book, tmp_path):
    """The kern is drawn as character spacing: the text after "”“" starts where it was measured."""
    face = book.face("fangsong", SIZE)
    block = TextBlock(book, [("甲”“乙", face)], Layout(SIZE * 1.8, SIZE, align="left"))
    block.wrap(400, 100)
    line = block._lines[0]
    drawn = sum(book.advance(f.font, c, f.size) + spacing for chars, f, spacing in line.segments for c in chars)
    assert drawn == pytest.approx(line.width, abs=0.01)
    assert drawn == pytest.approx(3.5 * SIZE, abs=0.01)
