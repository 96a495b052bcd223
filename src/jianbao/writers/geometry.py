"""Block geometry both writers read from the theme's ``[blocks]`` table.

The text styles (``[styles.*]``) say face, size, pitch and first-line indent; what
they cannot say — how far a quote or a nested list item is indented, how heavy
the rule of a Markdown ``---`` is — lives here, once, so the DOCX and the PDF agree.
"""

from __future__ import annotations

from jianbao.theme import Theme

DEFAULTS = {
    "quote_indent_chars": 2.0,  # a block quote, left and right, in characters of its size
    "list_level_indent_chars": 2.0,  # each nested list level, in characters of the body size
    "thematic_break_pt": 0.5,  # the rule's weight
    "thematic_break_space_pt": 6.0,  # space above and below the rule
}


def block_geometry(theme: Theme) -> dict[str, float]:
    """The theme's ``[blocks]`` values, defaults for any it leaves out."""
    blocks = theme.raw.get("blocks", {})
    return {key: float(blocks.get(key, default)) for key, default in DEFAULTS.items()}
