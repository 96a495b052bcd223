"""How small a chart may be printed: the one rule the layout transform and the drawing share.

A chart is drawn at its spec's ``width_mm`` × ``height_mm``, but printed smaller when
``lay_out`` caps it to the figure box (the text block's width, ``[blocks]
figure_max_height_share`` of its height), and the PDF may shrink it further, down to
``[blocks] figure_min_scale``, to keep it on its page. Chart text must still print at
``[charts] font_size`` or more, so the drawing needs the smallest scale the picture can
be printed at, computed here from the same numbers ``lay_out`` uses.

No imports beyond the standard library: the document transform and the chart workers
both import this.
"""

from __future__ import annotations

def figure_box(theme) -> tuple[float, float]:
    """The largest figure the layout prints, in mm: the text block's width, and
    ``figure_max_height_share`` of its height."""
    page, blocks = theme.page, theme.blocks
    width = page["width_mm"] - page["margin_left_mm"] - page["margin_right_mm"]
    height = page["height_mm"] - page["margin_top_mm"] - page["margin_bottom_mm"]
    return width, blocks["figure_max_height_share"] * height


def fit_scale(width_mm: float, height_mm: float, box: tuple[float, float]) -> float:
    """The scale ``lay_out`` prints a figure at: shrunk to fit ``box``, never enlarged."""
    return min(1.0, box[0] / width_mm, box[1] / height_mm)


def smallest_scale(width_mm: float, height_mm: float, box: tuple[float, float], min_scale: float) -> float:
    """The smallest printed size of a figure as a share of its drawn size, in any writer:
    the layout's fit times the PDF's furthest shrink (the DOCX never shrinks)."""
    return fit_scale(width_mm, height_mm, box) * min(1.0, min_scale)
