"""ChartData → PNG bytes with matplotlib's Agg canvas.

No pyplot: a ``Figure`` with its own ``FigureCanvasAgg`` has no global registry,
so nothing stays open between builds and the figure is freed with its last
reference. matplotlib is imported inside the functions here, so a build whose
charts all come from the cache never pays for the import.

Layout is computed, not searched: every string drawn is known here (ticks are
set explicitly, labels wrapped to a width), so the margins follow from font
sizes without matplotlib's constrained layout, which would cost a second
drawing pass per chart.

The chart title is not drawn (the document's caption carries it); the unit sits
above the value axis, values label the bars and points, and a legend appears
below the plot when there is more than one series.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jianbao.charts.data import ChartData, SeriesData
from jianbao.errors import JianbaoError

FONT_SIZE = 9.0  # pt at print size: ticks, categories, legend
LABEL_SIZE = 8.0  # value labels, unit
LINE = 1.25  # line height in font sizes
PAD = 4.0  # pt between a tick label and its axis
EDGE = 4.0  # pt of white at each figure edge
DPI = 200
MM = 72 / 25.4  # points per millimetre
BAR_LINE_BAND = (0.72, 0.92)  # bar_line: the line's values span this part of the height, above the bars


class ChartFontError(JianbaoError, ValueError):
    """A chart would draw characters its font does not have (tofu)."""


@dataclass(frozen=True)
class ChartStyle:
    """What a theme decides about charts: series colours, text colour, the font face."""

    colors: tuple[str, ...]
    text_color: str
    font_file: Path
    font_index: int = 0
    dpi: int = DPI

    @property
    def muted(self) -> str:
        """The colour of a remainder (其他): the theme's last chart colour."""
        return self.colors[-1]


def chart_style(theme) -> ChartStyle:
    """The chart style of a theme; the font role is [charts] font (default hei)."""
    family = theme.raw.get("charts", {}).get("font", "hei")
    face = theme.pdf_font(family)
    return ChartStyle(tuple(theme.colors["chart"]), theme.colors["text"], face.file, face.index)


def render_png(data: ChartData, style: ChartStyle) -> bytes:
    """Draw the chart as an 8-bit RGB PNG; deterministic bytes (no timestamp or software metadata).

    The Agg buffer is encoded directly rather than through ``savefig``: one drawing
    pass, and no alpha channel (the background is opaque white), so the PDF writer
    can embed the PNG's compressed data as it is instead of decoding and re-encoding
    it, and no soft mask is needed.
    """
    from PIL import Image

    with painted(data, style) as fig, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        canvas = fig.canvas
        canvas.draw()
        rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        picture = rgba.convert("RGB")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        raise ChartFontError(f"{style.font_file}: {'; '.join(dict.fromkeys(missing))}")
    buf = io.BytesIO()
    picture.save(buf, format="png", dpi=(style.dpi, style.dpi))
    return buf.getvalue()


@contextmanager
def painted(data: ChartData, style: ChartStyle) -> Iterator:
    """The painted (not yet rendered) Figure, under the chart's rc settings; cleared on exit."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc(style)):
        fig = Figure(figsize=(data.width_mm / 25.4, data.height_mm / 25.4), dpi=style.dpi)
        FigureCanvasAgg(fig)
        try:
            _PAINTERS[data.type](fig, data, style)
            yield fig
        finally:
            fig.clear()


@cache
def _face(font_file: Path, index: int) -> tuple[str, int | str]:
    """Register the file with matplotlib (once per process); the face's family name and weight."""
    from matplotlib import font_manager, ft2font

    manager = font_manager.fontManager
    if not any(Path(f.fname) == font_file for f in manager.ttflist):
        manager.addfont(str(font_file))
    name = ft2font.FT2Font(str(font_file), face_index=index).family_name
    weights = [f.weight for f in manager.ttflist if f.name == name and Path(f.fname) == font_file]
    return name, (weights[0] if weights else "normal")


def _rc(style: ChartStyle) -> dict:
    family, weight = _face(style.font_file, style.font_index)
    return {
        "font.family": [family],
        "font.weight": weight,
        "axes.titleweight": weight,
        "axes.labelweight": weight,
        "font.size": FONT_SIZE,
        "text.color": style.text_color,
        "axes.labelcolor": style.text_color,
        "axes.edgecolor": "#808080",
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": False,
        "xtick.color": style.text_color,
        "ytick.color": style.text_color,
        "xtick.major.size": 0,
        "xtick.major.pad": PAD,
        "ytick.major.size": 3,
        "ytick.major.width": 0.6,
        "ytick.major.pad": PAD,
        "grid.color": "#D9D9D9",
        "grid.linewidth": 0.5,
        "legend.frameon": False,
        "legend.fontsize": FONT_SIZE,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
    }


# -- painters ----------------------------------------------------------------


def _bar(fig, data: ChartData, style: ChartStyle) -> None:
    """Grouped vertical bars; bar_line adds the right-axis series as lines in a band above the bars."""
    ax = fig.add_subplot()
    left = [s for s in data.series if s.axis == "left"]
    right = [s for s in data.series if s.axis == "right"]
    n = len(left)
    width = 0.8 / n if n > 1 else 0.55
    for i, s in enumerate(left):
        xs = [c + (i - (n - 1) / 2) * width for c in range(len(data.categories))]
        bars = ax.bar(xs, s.values, width * 0.92, color=_color(style, i), label=s.label or None, zorder=2)
        ax.bar_label(bars, labels=list(s.texts), padding=2, fontsize=LABEL_SIZE)
    ax.grid(axis="y", zorder=0)
    ax.set_xlim(-0.5, len(data.categories) - 0.5)
    y_labels = _value_axis(ax, [v for s in left for v in s.values], 1.65 if right else 1.15)
    right_labels: list[str] = []
    if right:
        ax2 = ax.twinx()
        ax2.spines["right"].set_visible(True)
        for i, s in enumerate(right):
            _line(ax2, s, _color(style, n + i))
        right_labels = _band_axis(ax2, [v for s in right for v in s.values])
        _unit(ax2, data.right_unit, "right")
    _finish_columns(fig, ax, data, y_labels, right_labels)


def _line_chart(fig, data: ChartData, style: ChartStyle) -> None:
    ax = fig.add_subplot()
    for i, s in enumerate(data.series):
        _line(ax, s, _color(style, i))
    ax.grid(axis="y", zorder=0)
    ax.set_xlim(-0.4, len(data.categories) - 0.6)
    values = [v for s in data.series for v in s.values]
    y_labels = _value_axis(ax, values, 1.2)
    _finish_columns(fig, ax, data, y_labels)


def _finish_columns(fig, ax, data: ChartData, y_labels: list[str], right_labels: Sequence[str] = ()) -> None:
    """Categories along the bottom: left unit, category ticks, and room for every label."""
    _unit(ax, data.left_unit, "left")
    lines = _category_ticks(ax, data)
    _place(fig, ax, data, left=_text_width(y_labels, FONT_SIZE), right=_text_width(list(right_labels), FONT_SIZE),
           bottom=lines * FONT_SIZE * LINE, top=LABEL_SIZE * LINE + PAD)


def _barh(fig, data: ChartData, style: ChartStyle) -> None:
    ax = fig.add_subplot()
    n = len(data.series)
    height = 0.8 / n if n > 1 else 0.55
    rows = len(data.categories)
    for i, s in enumerate(data.series):
        ys = [rows - 1 - c - (i - (n - 1) / 2) * height for c in range(rows)]
        bars = ax.barh(ys, s.values, height * 0.92, color=_color(style, i), label=s.label or None, zorder=2)
        ax.bar_label(bars, labels=list(s.texts), padding=3, fontsize=LABEL_SIZE)
    names = [_wrap(c, 10) for c in reversed(data.categories)]
    ax.set_yticks(range(rows), names)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.grid(axis="x", zorder=0)
    values = [v for s in data.series for v in s.values]
    top, low = max(values + [0.0]), min(values + [0.0])
    ax.set_xlim(low * 1.2, top * 1.18 if top > 0 else 1.0)
    ticks = _ticks(ax.get_xlim())
    ax.set_xticks(ticks, [_tick_text(t) for t in ticks])
    if data.left_unit:
        ax.set_title(_unit_text(data.left_unit), loc="right", fontsize=LABEL_SIZE, pad=PAD)
    _place(fig, ax, data, left=_text_width(names, FONT_SIZE), right=0,
           bottom=FONT_SIZE * LINE, top=LABEL_SIZE * LINE + PAD)


def _stacked(fig, data: ChartData, style: ChartStyle) -> None:
    ax = fig.add_subplot()
    bottoms = [0.0] * len(data.categories)
    last = len(data.series) - 1
    for i, s in enumerate(data.series):
        color = style.muted if data.remainder and i == last else _color(style, i)
        bars = ax.bar(range(len(data.categories)), s.values, 0.55, bottom=bottoms, color=color,
                      label=s.label or None, zorder=2, edgecolor="white", linewidth=0.6)
        ax.bar_label(bars, labels=list(s.texts), label_type="center", fontsize=LABEL_SIZE, color="white")
        bottoms = [b + v for b, v in zip(bottoms, s.values)]
    ax.grid(axis="y", zorder=0)
    ax.set_xlim(-0.5, len(data.categories) - 0.5)
    y_labels = _value_axis(ax, bottoms, 1.05)
    _finish_columns(fig, ax, data, y_labels)


def _pie(fig, data: ChartData, style: ChartStyle) -> None:
    """Slices clockwise from twelve o'clock, each labelled outside with its name and value."""
    s = data.series[0]
    colors = [style.colors[i % max(1, len(style.colors) - 1)] for i in range(len(s.values))]
    if data.remainder:
        colors[-1] = style.muted
    unit = data.left_unit if data.left_unit == "%" else ""
    labels = [f"{c}\n{t}{unit}" for c, t in zip(data.categories, s.texts)]
    height = data.height_mm * MM
    # room above and below for a two-line label just outside the rim
    radius = (height / 2 - EDGE - FONT_SIZE * LINE) / 1.12
    frac = 2 * radius / height
    ax = fig.add_axes((0.0, (1 - frac) / 2, 1.0, frac))
    ring = {"width": 0.42} if data.type == "donut" else {}
    ax.pie(s.values, labels=labels, colors=colors, startangle=90, counterclock=False, labeldistance=1.12,
           wedgeprops={"edgecolor": "white", "linewidth": 1.0, **ring}, textprops={"fontsize": FONT_SIZE})
    if data.type == "donut" and s.label:
        ax.text(0, 0, _wrap(s.label, 5), ha="center", va="center", fontsize=FONT_SIZE)
    ax.set_aspect("equal")


_PAINTERS = {
    "bar": _bar,
    "bar_line": _bar,
    "barh": _barh,
    "line": _line_chart,
    "stacked_bar": _stacked,
    "pie": _pie,
    "donut": _pie,
}


# -- helpers -------------------------------------------------------------------


def _color(style: ChartStyle, i: int) -> str:
    return style.colors[i % len(style.colors)]


def _line(ax, s: SeriesData, color: str) -> None:
    xs = range(len(s.values))
    ax.plot(xs, s.values, color=color, marker="o", markersize=4, linewidth=1.6, label=s.label or None, zorder=3)
    for x, y, text in zip(xs, s.values, s.texts):
        ax.annotate(text, (x, y), xytext=(0, 5), textcoords="offset points", ha="center", va="bottom",
                    fontsize=LABEL_SIZE, color=color)


def _ticks(limits: tuple[float, float]) -> list[float]:
    from matplotlib.ticker import MaxNLocator

    low, high = limits
    return [t for t in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high) if low <= t <= high]


def _tick_text(value: float) -> str:
    return f"{value:.10g}"


def _value_axis(ax, values: list[float], headroom: float) -> list[str]:
    """Limits from zero with room for the value labels; explicit ticks; returns the tick texts."""
    top, low = max(values + [0.0]), min(values + [0.0])
    ax.set_ylim(low * 1.15, top * headroom if top > 0 else 1.0)
    ticks = _ticks(ax.get_ylim())
    texts = [_tick_text(t) for t in ticks]
    ax.set_yticks(ticks, texts)
    return texts


def _band_axis(ax, values: list[float]) -> list[str]:
    """bar_line's right axis: scaled so the line runs in BAR_LINE_BAND, ticked only across its values."""
    low, high = min(values), max(values)
    span = (high - low) or max(abs(high), 1.0) * 0.5
    lo_frac, hi_frac = BAR_LINE_BAND
    scale = span / (hi_frac - lo_frac)
    bottom = low - lo_frac * scale
    ax.set_ylim(bottom, bottom + scale)
    margin = 0.1 * scale
    ticks = _ticks((low - margin, high + margin))
    texts = [_tick_text(t) for t in ticks]
    ax.set_yticks(ticks, texts)
    if ticks:
        ax.spines["right"].set_bounds(ticks[0], ticks[-1])
    return texts


def _category_ticks(ax, data: ChartData) -> int:
    """Category labels under the axis, wrapped to the room each has; returns the most lines used."""
    n = len(data.categories)
    room = (data.width_mm * MM - 70) / n
    per_line = max(2, math.floor(room * 0.92 / FONT_SIZE))
    names = [_wrap(c, per_line) for c in data.categories]
    ax.set_xticks(range(n), names)
    return max(name.count("\n") + 1 for name in names)


def _unit_text(unit: str) -> str:
    return f"单位：{unit}" if unit else ""


def _unit(ax, unit: str, side: str) -> None:
    """The unit above the value axis, at its end (Chinese chart convention)."""
    if unit:
        ax.set_title(_unit_text(unit), loc=side, fontsize=LABEL_SIZE, pad=PAD)


def _place(fig, ax, data: ChartData, *, left: float, right: float, bottom: float, top: float) -> None:
    """Position the axes from margins in points, adding the legend row below when there is one."""
    legend = len(data.series) > 1 and any(s.label for s in data.series)
    width, height = data.width_mm * MM, data.height_mm * MM
    below = EDGE + PAD + bottom + (FONT_SIZE * LINE + 2 * PAD if legend else 0)
    left_pt = EDGE + left + PAD + 3
    right_pt = EDGE + (right + PAD + 3 if right else FONT_SIZE)
    fig.subplots_adjust(left=left_pt / width, right=1 - right_pt / width,
                        bottom=below / height, top=1 - (EDGE + top) / height)
    if legend:
        handles, labels = [], []
        for a in fig.axes:
            h, lab = a.get_legend_handles_labels()
            handles += h
            labels += lab
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, EDGE / height),
                   ncols=min(len(labels), 4), borderaxespad=0, handlelength=1.6, columnspacing=1.6)


def _char_width(ch: str) -> float:
    """Approximate advance in ems: full width for CJK and full-width forms, about half for the rest."""
    return 1.0 if ord(ch) >= 0x2E80 else 0.6


def _text_width(texts: list[str], size: float) -> float:
    """Width in points of the widest line among the texts."""
    return max((sum(_char_width(c) for c in line) * size for t in texts for line in t.split("\n")), default=0.0)


def _wrap(text: str, per_line: int) -> str:
    """Break a label into lines of at most ``per_line`` ems, balanced so no line is a lone word.

    A line never starts with closing punctuation (，。、）…).
    """
    total = sum(_char_width(c) for c in text)
    if total <= per_line:
        return text
    target = math.ceil(total / math.ceil(total / per_line))
    lines, line, width = [], "", 0.0
    for ch in text:
        w = _char_width(ch)
        if line and width + w > target + 0.01 and ch not in "，。、；：）》”":
            lines.append(line)
            line, width = "", 0.0
        line += ch
        width += w
    lines.append(line)
    return "\n".join(lines)
