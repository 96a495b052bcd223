"""Text rules both writers apply to IR strings, so the two formats say the same thing."""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (e.g. the vertical tab Excel writes for Alt+Enter).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SOURCE_PREFIXES = ("数据来源", "资料来源", "来源")


def clean_text(text: str) -> str:
    """Drop only what XML cannot hold; keep <, &, emoji, tabs and line feeds."""
    return _XML_FORBIDDEN.sub("", text)


def drawable_text(text: str) -> str:
    """clean_text for a drawn page: tabs become spaces, CR/CRLF become line feeds."""
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))


def source_line(source: str) -> str:
    """"国家统计局" → "数据来源：国家统计局"; a text already saying its kind is kept."""
    return source if source.startswith(_SOURCE_PREFIXES) else f"数据来源：{source}"


def list_label(ordered: bool, index: int) -> str:
    """（1） for ordered items (GB/T 9704 level 4), a bullet otherwise (both writers)."""
    return f"（{index}）" if ordered else "● "
