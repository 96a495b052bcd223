"""TrueType CJK fonts for the PDF: registration with reportlab, glyph fallback, widths.

Faces come from ``Theme.pdf_font`` (theme files first, then the system's fonts), so a
missing font raises the theme's ``FontNotFoundError`` naming what to install. A
character a face lacks is drawn in another role's face, then in a symbol or emoji
face (``Theme.pdf_fallback_fonts``); ``missing_glyphs`` lists what none of them has,
for ``jianbao validate`` to warn about. Each face is parsed once per process;
reportlab embeds and subsets it per document.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from jianbao.writers.text import drawable_text
from jianbao.theme import LATIN, SYMBOL_PACKAGE, FontNotFoundError, TextStyle, Theme

# A glyph whose ink keeps this share of its box clear on one side leaves that half blank.
HALF_BLANK_EDGE = 0.45
# Order in which other roles are tried for a glyph the wanted face lacks (WQY has most).
_FALLBACK_ORDER = ("hei", "song", "kai", "fangsong", "xiaobiaosong")


def latin(ch: str) -> bool:
    """ASCII letters, digits and signs: set in the Latin face, as Word sets w:ascii text.

    The space keeps the Chinese face's half em, so "— 1 —" and a space between words read as spaces.
    """
    return "!" <= ch <= "~"


def invisible(ch: str) -> bool:
    """A format character (bidi control, zero-width joiner, soft hyphen) or a variation
    selector: no ink of its own.

    The PDF never draws these: reportlab does not shape text, so they would do nothing
    but take room (AR PL UMing gives U+200D a whole em) or show as a box.
    """
    code = ord(ch)
    return (unicodedata.category(ch) == "Cf" or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF)


@dataclass(frozen=True)
class Face:
    """One way to draw a character: font, size, bold (stroke and fill), colour."""

    font: str
    size: float
    bold: bool
    color: Color


def _utf16_to_unicode_cmap() -> None:
    """Make reportlab map characters beyond U+FFFF (emoji) to text as UTF-16.

    reportlab writes each ToUnicode entry as ``%04X``, so U+1F600 reads back as
    U+1F60 ("ὠ") and the text is neither extractable nor searchable; PDF wants a
    surrogate pair, <D83DDE00>. Patched only while reportlab still does that.
    """
    original = ttfonts.makeToUnicodeCMap
    if "<1F600>" not in original("probe", [0x1F600]):
        return

    def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
        cmap = original(fontname, subset)
        for i, code in enumerate(subset):
            if code > 0xFFFF:
                utf16 = chr(code).encode("utf-16-be").hex().upper()
                cmap = cmap.replace("<%02X> <%04X>" % (i, code), f"<{i:02X}> <{utf16}>", 1)
        return cmap

    ttfonts.makeToUnicodeCMap = to_unicode_cmap


_utf16_to_unicode_cmap()


@lru_cache(maxsize=None)
def _ink_extent(file: str, index: int, ch: str) -> tuple[float, float] | None:
    """Where a glyph's ink starts and ends, as shares of its advance (None: no such glyph or no ink)."""
    font = _tools_font(file, index)
    name = font.getBestCmap().get(ord(ch))
    if name is None or "glyf" not in font:
        return None
    glyph = font["glyf"][name]
    advance = font["hmtx"][name][0]
    if not advance or not hasattr(glyph, "xMin"):
        return None
    return glyph.xMin / advance, glyph.xMax / advance


@lru_cache(maxsize=None)
def _tools_font(file: str, index: int):
    """The face parsed lazily by fontTools (reportlab keeps no glyph outlines): only what is read is parsed."""
    from fontTools.ttLib import TTFont as FontToolsFont

    return FontToolsFont(file, fontNumber=index, lazy=True)


@lru_cache(maxsize=None)
def _register(name: str, file: str, index: int) -> TTFont:
    """Parse and register a face once per process (reportlab subsets per document)."""
    font = TTFont(name, file, subfontIndex=index)
    pdfmetrics.registerFont(font)
    return font


class FontBook:
    """The theme's fonts by role, with per-character fallback to another role."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._by_family: dict[str, TTFont] = {}
        self._by_name: dict[str, TTFont] = {}
        self._glyph_font: dict[tuple[str, str], str] = {}
        self._first_with: dict[str, str | None] = {}
        self._roles: list[str] | None = None  # role fonts in fallback order
        self._fallbacks: list[str] | None = None  # symbol and emoji faces
        self._faces: dict[tuple[str, float, bool, str], Face] = {}
        self._latin: str | None | bool = False  # False until looked up; None when there is none
        self._files: dict[str, tuple[str, int]] = {}  # font name → (file, face index)

    def font(self, family: str) -> str:
        """The registered reportlab font name for a role (raises FontNotFoundError)."""
        font = self._by_family.get(family)
        if font is None:
            face = self.theme.pdf_font(family)
            font = _register(face.name, str(face.file), face.index)
            self._by_family[family] = font
            self._by_name[font.fontName] = font
            self._files[font.fontName] = (str(face.file), face.index)
        return font.fontName

    def color(self, value: str) -> Color:
        return HexColor(value or self.theme.colors["text"])

    def face(self, family: str, size: float, bold: bool = False, color: str = "") -> Face:
        key = (family, size, bold, color)
        face = self._faces.get(key)
        if face is None:
            face = Face(self.font(family), size, bold, self.color(color))
            self._faces[key] = face
        return face

    def style_face(self, style: TextStyle, *, bold: bool | None = None,
                   family: str | None = None, color: str | None = None) -> Face:
        return self.face(
            family or style.family,
            style.size,
            style.bold if bold is None else bold,
            style.color if color is None else color,
        )

    def latin_font(self) -> str | None:
        """The Latin role's font, or None when no Latin face is installed (the CJK face then sets ASCII)."""
        if self._latin is False:
            try:
                self._latin = self.font(LATIN)
            except FontNotFoundError:
                self._latin = None
        return self._latin

    def glyph_font(self, font: str, ch: str) -> str:
        """The Latin face for ASCII; else ``font`` if it has a glyph for ``ch``, else the first
        font that has one: the other roles' faces, then the symbol and emoji fallbacks
        (``font`` if none has)."""
        key = (font, ch)
        found = self._glyph_font.get(key)
        if found is None:
            found = font
            latin_font = self.latin_font() if latin(ch) else None
            if latin_font is not None and self._has(latin_font, ch):
                found = latin_font
            elif not self._has(font, ch) and not ch.isspace():
                found = self._font_with(ch) or font
            self._glyph_font[key] = found
        return found

    def has_glyph(self, ch: str) -> bool:
        """Does any face the PDF may draw with (a role's or a fallback) have ``ch``?"""
        return self._font_with(ch) is not None

    def _has(self, font: str, ch: str) -> bool:
        return ord(ch) in self._by_name[font].face.charToGlyph

    def _font_with(self, ch: str) -> str | None:
        """The first role font, then fallback font, with a glyph for ``ch``."""
        if ch in self._first_with:
            return self._first_with[ch]
        found = next((f for f in self._role_fonts() if self._has(f, ch)), None)
        if found is None:
            found = next((f for f in self._fallback_fonts() if self._has(f, ch)), None)
        self._first_with[ch] = found
        return found

    def _role_fonts(self) -> list[str]:
        if self._roles is None:
            self._roles = []
            for family in _FALLBACK_ORDER:
                try:
                    self._roles.append(self.font(family))
                except FontNotFoundError:  # a role without any font: try the next
                    continue
        return self._roles

    def _fallback_fonts(self) -> list[str]:
        """The symbol and emoji faces, parsed only when a character needs them."""
        if self._fallbacks is None:
            self._fallbacks = []
            for face in self.theme.pdf_fallback_fonts():
                try:
                    font = _register(face.name, str(face.file), face.index)
                except (TTFError, OSError):  # an unreadable fallback is skipped
                    continue
                self._by_name[font.fontName] = font
                self._files[font.fontName] = (str(face.file), face.index)
                self._fallbacks.append(font.fontName)
        return self._fallbacks

    def half_blank(self, font: str, ch: str) -> tuple[bool, bool]:
        """(leading, trailing): does the glyph leave the left or the right half of its box blank?

        Read from the font itself, since fonts place full-width punctuation differently
        (a Taiwanese 明体 centres 。, a mainland face sets it at the left).
        """
        extent = _ink_extent(*self._files[font], ch)
        if extent is None:
            return False, False
        start, end = extent
        return start >= HALF_BLANK_EDGE, end <= 1 - HALF_BLANK_EDGE

    def advance(self, font: str, ch: str, size: float) -> float:
        face = self._by_name[font].face
        return face.charWidths.get(ord(ch), face.defaultWidth) * size / 1000.0

    def text_width(self, text: str, face: Face) -> float:
        """Width of ``text`` drawn in ``face`` with glyph fallback."""
        return sum(self.advance(self.glyph_font(face.font, c), c, face.size) for c in text)


@dataclass(frozen=True)
class MissingGlyph:
    """A character no PDF face has, where it occurs (the caller's label) and how often."""

    where: str
    char: str
    count: int = 1

    @property
    def code_point(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def name(self) -> str:
        return unicodedata.name(self.char, "unnamed character")

    def __str__(self) -> str:
        times = f" ({self.count} times)" if self.count > 1 else ""
        return (f"{self.where}: {self.code_point} {self.name} {self.char!r}{times} is in no "
                "PDF font and will not show in the PDF; install a font that has it "
                f"(for symbols and emoji, Debian's {SYMBOL_PACKAGE}) or name one in the "
                "theme: [[pdf.fonts.fallback]] file = \"…\"")


def missing_glyphs(theme: Theme, pieces: Iterable[tuple[str, str]]) -> list[MissingGlyph]:
    """Characters of ``pieces`` (``(where, text)`` pairs) that no face of the theme has.

    The faces are those the PDF writer draws with: every role's font and the symbol
    and emoji fallbacks. White space and characters without ink (``invisible``) are
    never reported. One entry per place and character, in order of first occurrence.
    Raises ``FontNotFoundError`` when the theme has no usable font at all.
    """
    book = FontBook(theme)
    book.font("song")  # no Chinese font at all: say what to install, as the build would
    counts: dict[tuple[str, str], int] = {}
    for where, text in pieces:
        for ch in drawable_text(text):
            if ch.isspace() or invisible(ch) or book.has_glyph(ch):
                continue
            counts[(where, ch)] = counts.get((where, ch), 0) + 1
    return [MissingGlyph(where, ch, n) for (where, ch), n in counts.items()]
