"""Text rules every writer applies to the tree's strings before putting them in a file."""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (e.g. the vertical tab Excel writes for Alt+Enter).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Drop only what XML cannot hold; keep <, &, emoji, tabs and line feeds."""
    return _XML_FORBIDDEN.sub("", text)


def drawable_text(text: str) -> str:
    """clean_text for a drawn page: tabs become spaces, CR/CRLF become line feeds."""
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
