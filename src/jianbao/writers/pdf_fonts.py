"""TrueType CJK fonts for the PDF: registration with reportlab, glyph fallback, widths.

Faces come from ``Theme.pdf_font`` (theme files first, then the system's fonts), so a
missing font raises the theme's ``FontNotFoundError`` naming what to install. Each face
is parsed once per process; reportlab embeds and subsets it per document.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from jianbao.theme import FontNotFoundError, TextStyle, Theme

# Order in which other roles are tried for a glyph the wanted face lacks (WQY has most).
_FALLBACK_ORDER = ("hei", "song", "kai", "fangsong", "xiaobiaosong")


@dataclass(frozen=True)
class Face:
    """One way to draw a character: font, size, bold (stroke and fill), colour."""

    font: str
    size: float
    bold: bool
    color: Color


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
        self._faces: dict[tuple[str, float, bool, str], Face] = {}

    def font(self, family: str) -> str:
        """The registered reportlab font name for a role (raises FontNotFoundError)."""
        font = self._by_family.get(family)
        if font is None:
            face = self.theme.pdf_font(family)
            font = _register(face.name, str(face.file), face.index)
            self._by_family[family] = font
            self._by_name[font.fontName] = font
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

    def glyph_font(self, font: str, ch: str) -> str:
        """``font`` if it has a glyph for ``ch``, else the first role's font that has one."""
        key = (font, ch)
        found = self._glyph_font.get(key)
        if found is None:
            found = font
            code = ord(ch)
            if code not in self._by_name[font].face.charToGlyph and not ch.isspace():
                for family in _FALLBACK_ORDER:
                    try:
                        other = self._by_name[self.font(family)]
                    except FontNotFoundError:  # a role without any font: try the next
                        continue
                    if code in other.face.charToGlyph:
                        found = other.fontName
                        break
            self._glyph_font[key] = found
        return found

    def advance(self, font: str, ch: str, size: float) -> float:
        face = self._by_name[font].face
        return face.charWidths.get(ord(ch), face.defaultWidth) * size / 1000.0

    def text_width(self, text: str, face: Face) -> float:
        """Width of ``text`` drawn in ``face`` with glyph fallback."""
        return sum(self.advance(self.glyph_font(face.font, c), c, face.size) for c in text)

