"""Fitting text into the room it has: the masthead name's size and document properties.

Both writers decide these the same way, so a long digest name or a long keyword list
comes out alike in DOCX and PDF; each writer supplies only its own character widths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from jianbao.writers.text import clean_text
from jianbao.cjk import break_lines

# The masthead name shrinks to no less than this share of the theme's size, then wraps.
MASTHEAD_MIN_SHARE = 0.6
SIZE_STEP = 0.5  # pt
# python-docx refuses a core property (title, subject, keywords…) longer than this.
PROPERTY_LIMIT = 255
KEYWORD_SEPARATOR = ", "
ELLIPSIS = "…"


def fit_size(text: str, advances: Sequence[float], width: float, size: float,
             smallest: float | None = None) -> float:
    """The size to set a one-off line such as the masthead name in, between ``smallest``
    and ``size``: the largest that needs the fewest lines any size in that range needs.

    ``advances`` are the characters' widths at 1 pt. A name that fits stays at
    ``size``; a longer one shrinks to fit one line, and one too long for that at
    ``smallest`` wraps, at the largest size that keeps the fewest lines, so it never
    runs off the page and never shrinks to an unreadable size.
    """
    if smallest is None:
        smallest = size * MASTHEAD_MIN_SHARE
    if not text or width <= 0:
        return size

    def lines(at: float) -> int:
        return len(break_lines(text, [a * at for a in advances], width, width))

    steps = max(0, int((size - smallest) / SIZE_STEP + 1e-9))
    candidates = [size - i * SIZE_STEP for i in range(steps + 1)]
    counts = [lines(at) for at in candidates]
    fewest = min(counts)
    return candidates[counts.index(fewest)]


def fit_property(text: str, limit: int = PROPERTY_LIMIT) -> str:
    """A document property cut to ``limit`` characters, the cut marked with an ellipsis."""
    text = clean_text(text)
    return text if len(text) <= limit else text[:limit - len(ELLIPSIS)] + ELLIPSIS


def keywords_property(keywords: Iterable[str], limit: int | None = None) -> str:
    """Distinct keywords in order, joined; with a ``limit``, as many whole ones as fit.

    A digest repeats a sector's keywords once per chapter of it: each is said once.
    A first keyword longer than the limit is cut like any other property.
    """
    words = list(dict.fromkeys(w for w in (clean_text(k).strip() for k in keywords) if w))
    if limit is None:
        return KEYWORD_SEPARATOR.join(words)
    out = ""
    for word in words:
        joined = f"{out}{KEYWORD_SEPARATOR}{word}" if out else word
        if len(joined) > limit:
            return out or fit_property(word, limit)
        out = joined
    return out
