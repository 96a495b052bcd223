"""ChartData → PNG bytes with matplotlib's Agg canvas.

No pyplot: a ``Figure`` with its own ``FigureCanvasAgg`` has no global registry,
so nothing stays open between builds and the figure is freed with its last
reference. matplotlib is imported inside the functions here, so a build whose
charts all come from the cache never pays for the import.

Layout is computed, not searched: every string drawn is known here (ticks are
set explicitly, labels wrapped to a width), so the margins follow from font
sizes without matplotlib's constrained layout, which would cost a second
drawing pass per chart.

Text is one size, ``text_size``: the theme's ``[charts] font_size`` divided by the
smallest scale the picture may be printed at (``charts.printed``), so every label
prints at least that large in the DOCX and the PDF, however the layout caps the
figure or the PDF shrinks it to keep it on its page.

The chart title is not drawn (the document's caption carries it); the unit sits
above the value axis, values label the bars and points, and a legend appears
below the plot when there is more than one series.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jianbao.charts.data import ChartData, SeriesData
from jianbao.charts.printed import figure_box, smallest_scale
from jianbao.errors import JianbaoError

LINE = 1.25  # line height in font sizes
TICK_STEP = 2.0  # value-axis ticks are at least this many font sizes apart
PAD = 4.0  # pt between a tick label and its axis
EDGE = 4.0  # pt of white at each figure edge
DPI = 200
MM = 72 / 25.4  # points per millimetre
LINE_LABEL = 5.0  # pt from a line's point up to its value label
BAR_LINE_SHARE = 0.6  # bar_line: the bars' share of the height their labels and the line's leave
RIM = 1.06  # a pie label's box keeps this many radii from the centre
OPENING = "（《“〈【"  # a line never ends with these
CLOSING = "，。、；：）》”〉】"  # nor starts with these


class ChartFontError(JianbaoError, ValueError):
    """A chart would draw characters its font does not have (tofu)."""


@dataclass(frozen=True)
class ChartStyle:
    """What a theme decides about charts: series colours, text colour, the font face, and
    the print sizes text must hold at (so the cache key changes with them too)."""

    colors: tuple[str, ...]
    text_color: str
    font_file: Path
    font_index: int = 0
    dpi: int = DPI
    font_size: float = 10.5  # pt: the smallest size any chart text is printed at ([charts] font_size)
    box_mm: tuple[float, float] = (math.inf, math.inf)  # the layout's largest figure (printed.figure_box)
    min_scale: float = 1.0  # how far the PDF may shrink a figure ([blocks] figure_min_scale)

    def text_size(self, data: ChartData) -> float:
        """The size chart text is drawn at: ``font_size`` once printed at the smallest scale."""
        return self.font_size / smallest_scale(data.width_mm, data.height_mm, self.box_mm, self.min_scale)

    @property
    def muted(self) -> str:
        """The colour of a remainder (其他): the theme's last chart colour."""
        return self.colors[-1]


def chart_style(theme) -> ChartStyle:
    """The chart style of a theme: the font role is [charts] font (default hei), the smallest
    printed text size [charts] font_size, and the page geometry that may print a chart smaller."""
    charts = theme.raw.get("charts", {})
    face = theme.pdf_font(charts.get("font", "hei"))
    return ChartStyle(tuple(theme.colors["chart"]), theme.colors["text"], face.file, face.index,
                      font_size=float(charts.get("font_size", ChartStyle.font_size)), box_mm=figure_box(theme),
                      min_scale=float(theme.blocks["figure_min_scale"]))


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

    size = style.text_size(data)
    with matplotlib.rc_context(_rc(style, size)):
        fig = Figure(figsize=(data.width_mm / 25.4, data.height_mm / 25.4), dpi=style.dpi)
        FigureCanvasAgg(fig)
        try:
            _PAINTERS[data.type](fig, data, style, size)
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


def _rc(style: ChartStyle, size: float) -> dict:
    family, weight = _face(style.font_file, style.font_index)
    return {
        "font.family": [family],
        "font.weight": weight,
        "axes.titleweight": weight,
        "axes.labelweight": weight,
        "font.size": size,
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
        "legend.fontsize": size,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
    }


# -- painters ----------------------------------------------------------------


def _bar(fig, data: ChartData, style: ChartStyle, size: float) -> None:
    """Grouped vertical bars; bar_line adds the right-axis series as lines in a band above the bars.

    Heights are shared in points, not fractions, so a compact chart keeps room for
    every label: the bars' value labels, a gap, then the line's band and its labels.
    """
    ax = fig.add_subplot()
    left = [s for s in data.series if s.axis == "left"]
    right = [s for s in data.series if s.axis == "right"]
    n = len(left)
    width = 0.8 / n if n > 1 else 0.55
    for i, s in enumerate(left):
        xs = [c + (i - (n - 1) / 2) * width for c in range(len(data.categories))]
        bars = ax.bar(xs, s.values, width * 0.92, color=_color(style, i), label=s.label or None, zorder=2)
        ax.bar_label(bars, labels=list(s.texts), padding=2, fontsize=size)
    ax.grid(axis="y", zorder=0)
    ax.set_xlim(-0.5, len(data.categories) - 0.5)
    names = _category_names(data, size)
    plot = _plot_height(data, size, names)
    label = 2 + size * LINE  # a value label over its bar (bar_label's padding 2)
    values = [v for s in left for v in s.values]
    if not right:
        _finish_columns(fig, ax, data, size, names, _value_axis(ax, values, plot, size, above=label))
        return
    line_room = LINE_LABEL + size * LINE
    free = plot - label - PAD - line_room
    bars_top = free * BAR_LINE_SHARE
    y_labels = _value_axis(ax, values, plot, size, above=plot - bars_top, below=label)
    ax2 = ax.twinx()
    ax2.spines["right"].set_visible(True)
    for i, s in enumerate(right):
        _line(ax2, s, _color(style, n + i), size)
    band = ((bars_top + label + PAD) / plot, 1 - line_room / plot)
    right_labels = _band_axis(ax2, [v for s in right for v in s.values], band, plot, size)
    _unit(ax2, data.right_unit, "right", size)
    _finish_columns(fig, ax, data, size, names, y_labels, right_labels)


def _line_chart(fig, data: ChartData, style: ChartStyle, size: float) -> None:
    ax = fig.add_subplot()
    for i, s in enumerate(data.series):
        _line(ax, s, _color(style, i), size)
    ax.grid(axis="y", zorder=0)
    ax.set_xlim(-0.4, len(data.categories) - 0.6)
    names = _category_names(data, size)
    values = [v for s in data.series for v in s.values]
    y_labels = _value_axis(ax, values, _plot_height(data, size, names), size,
                           above=LINE_LABEL + size * LINE + 2, below=PAD)
    _finish_columns(fig, ax, data, size, names, y_labels)


def _finish_columns(fig, ax, data: ChartData, size: float, names: list[str], y_labels: list[str],
                    right_labels: Sequence[str] = ()) -> None:
    """Categories along the bottom: left unit, category ticks, and room for every label."""
    _unit(ax, data.left_unit, "left", size)
    ax.set_xticks(range(len(names)), names)
    _place(fig, ax, data, size, left=_text_width(y_labels, size), right=_text_width(list(right_labels), size),
           bottom=_lines(names) * size * LINE, top=size * LINE + PAD)


def _barh(fig, data: ChartData, style: ChartStyle, size: float) -> None:
    ax = fig.add_subplot()
    n = len(data.series)
    height = 0.8 / n if n > 1 else 0.55
    rows = len(data.categories)
    for i, s in enumerate(data.series):
        ys = [rows - 1 - c - (i - (n - 1) / 2) * height for c in range(rows)]
        bars = ax.barh(ys, s.values, height * 0.92, color=_color(style, i), label=s.label or None, zorder=2)
        ax.bar_label(bars, labels=list(s.texts), padding=3, fontsize=size)
    names = [_wrap(c, 10) for c in reversed(data.categories)]
    ax.set_yticks(range(rows), names)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.grid(axis="x", zorder=0)
    values = [v for s in data.series for v in s.values]
    top, low = max(values + [0.0]), min(values + [0.0])
    left = _text_width(names, size)
    plot = data.width_mm * MM - _side_margins(left, 0, size)
    # room in points past each end for the value labels (bar_label's padding 3), as on the value axis
    label = 3 + _text_width([t for s in data.series for t in s.texts], size) + PAD
    over, under = (label if top > 0 else 0.0), (label if low < 0 else 0.0)
    per_pt = (top - low) / max(plot - over - under, 1.0) if top > low else 1.0 / plot
    ax.set_xlim(low - under * per_pt, top + over * per_pt)
    ticks, texts = _axis_ticks(ax.get_xlim(), plot, lambda tick_texts: _text_width(tick_texts, size) + size)
    ax.set_xticks(ticks, texts)
    if data.left_unit:
        ax.set_title(_unit_text(data.left_unit), loc="right", fontsize=size, pad=PAD)
    _place(fig, ax, data, size, left=left, right=0, bottom=size * LINE, top=size * LINE + PAD)


def _stacked(fig, data: ChartData, style: ChartStyle, size: float) -> None:
    ax = fig.add_subplot()
    bottoms = [0.0] * len(data.categories)
    last = len(data.series) - 1
    for i, s in enumerate(data.series):
        color = style.muted if data.remainder and i == last else _color(style, i)
        bars = ax.bar(range(len(data.categories)), s.values, 0.55, bottom=bottoms, color=color,
                      label=s.label or None, zorder=2, edgecolor="white", linewidth=0.6)
        ax.bar_label(bars, labels=list(s.texts), label_type="center", fontsize=size, color="white")
        bottoms = [b + v for b, v in zip(bottoms, s.values)]
    ax.grid(axis="y", zorder=0)
    ax.set_xlim(-0.5, len(data.categories) - 0.5)
    names = _category_names(data, size)
    y_labels = _value_axis(ax, bottoms, _plot_height(data, size, names), size, above=PAD)
    _finish_columns(fig, ax, data, size, names, y_labels)


def _pie(fig, data: ChartData, style: ChartStyle, size: float) -> None:
    """Slices clockwise from twelve o'clock, each labelled just outside the rim with its name and value.

    A label sits where its box clears the rim (not its centre: a label below the pie
    would cover the slice above it), and the radius is the largest that keeps every
    label inside the picture.
    """
    s = data.series[0]
    colors = [style.colors[i % max(1, len(style.colors) - 1)] for i in range(len(s.values))]
    if data.remainder:
        colors[-1] = style.muted
    unit = data.left_unit if data.left_unit == "%" else ""
    labels = [f"{c}\n{t}{unit}" for c, t in zip(data.categories, s.texts)]
    width, height = data.width_mm * MM, data.height_mm * MM
    total = sum(s.values) or 1.0
    angles, done = [], 0.0
    for v in s.values:  # each slice's middle, clockwise from twelve o'clock
        angles.append(math.radians(90 - 360 * (done + v / 2) / total))
        done += v
    boxes = [(_text_width([t], size), _lines([t]) * size * LINE) for t in labels]
    # at most the radius that leaves a line of text above and below: pies and donuts alike in size
    radius = min(_pie_radius(angles, boxes, width / 2 - EDGE, height / 2 - EDGE),
                 (height / 2 - EDGE - size * LINE) / RIM)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ring = {"width": 0.42} if data.type == "donut" else {}
    _, texts = ax.pie(s.values, labels=labels, colors=colors, startangle=90, counterclock=False,
                      wedgeprops={"edgecolor": "white", "linewidth": 1.0, **ring}, textprops={"fontsize": size})
    for text, angle, (_, box_h) in zip(texts, angles, boxes):
        out = _label_distance(angle, box_h, radius) / radius
        text.set_position((out * math.cos(angle), out * math.sin(angle)))
        text.set_horizontalalignment("left" if math.cos(angle) >= 0 else "right")
        text.set_verticalalignment("center")
    if data.type == "donut" and s.label:
        ax.text(0, 0, _wrap(s.label, 5), ha="center", va="center", fontsize=size)
    # one data unit is the radius: the axes span the figure, centred on the pie
    ax.set_xlim(-width / 2 / radius, width / 2 / radius)
    ax.set_ylim(-height / 2 / radius, height / 2 / radius)
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


def _line(ax, s: SeriesData, color: str, size: float) -> None:
    xs = range(len(s.values))
    ax.plot(xs, s.values, color=color, marker="o", markersize=4, linewidth=1.6, label=s.label or None, zorder=3)
    for x, y, text in zip(xs, s.values, s.texts):
        ax.annotate(text, (x, y), xytext=(0, 5), textcoords="offset points", ha="center", va="bottom",
                    fontsize=size, color=color)


def _ticks(limits: tuple[float, float], nbins: int = 5) -> list[float]:
    from matplotlib.ticker import MaxNLocator

    low, high = limits
    return [t for t in MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high) if low <= t <= high]


def _tick_text(value: float) -> str:
    return f"{value:.10g}"


def _axis_ticks(limits: tuple[float, float], length: float,
                room: Callable[[list[str]], float]) -> tuple[list[float], list[str]]:
    """Ticks across ``limits`` (an axis ``length`` pt long): as many, up to six, as leave
    ``room(texts)`` pt from one to the next, so tick labels never touch at a large text size."""
    span = limits[1] - limits[0]
    for nbins in (5, 4, 3, 2, 1):
        ticks = _ticks(limits, nbins)
        if len(ticks) < 2:
            break
        gap, need = (ticks[1] - ticks[0]) / span * length, room([_tick_text(t) for t in ticks])
        if gap >= need:
            break
    else:  # the locator keeps two ticks at least: keep every k-th of them
        ticks = ticks[::math.ceil(need / gap)]
    return ticks, [_tick_text(t) for t in ticks]


def _value_axis(ax, values: list[float], plot: float, size: float, *, above: float,
                below: float | None = None) -> list[str]:
    """Limits from zero leaving ``above`` pt over the highest value (``below``, default ``above``,
    under the lowest when it is negative) for value labels, in a plot ``plot`` pt high;
    explicit ticks up to the highest value's labels; returns the tick texts."""
    top, low = max(values + [0.0]), min(values + [0.0])
    if top == low:
        ax.set_ylim(0.0, 1.0)
        ticks, texts = _axis_ticks((0.0, 1.0), plot, lambda _: size * TICK_STEP)
        ax.set_yticks(ticks, texts)
        return texts
    over = above if top > 0 else 0.0
    under = (above if below is None else below) if low < 0 else 0.0
    per_pt = (top - low) / max(plot - over - under, 1.0)
    bottom = low - under * per_pt
    ax.set_ylim(bottom, top + over * per_pt)
    ticked = (bottom, top + min(over, size * LINE + 2) * per_pt)  # not over a bar_line's band
    ticks, texts = _axis_ticks(ticked, (ticked[1] - ticked[0]) / per_pt, lambda _: size * TICK_STEP)
    ax.set_yticks(ticks, texts)
    return texts


def _band_axis(ax, values: list[float], band: tuple[float, float], plot: float, size: float) -> list[str]:
    """bar_line's right axis: scaled so the line runs in ``band`` (shares of the plot's height,
    above the bars), ticked only across its values."""
    low, high = min(values), max(values)
    span = (high - low) or max(abs(high), 1.0) * 0.5
    lo_frac, hi_frac = band
    scale = span / (hi_frac - lo_frac)
    bottom = low - lo_frac * scale
    ax.set_ylim(bottom, bottom + scale)
    margin = 0.1 * scale
    limits = (low - margin, high + margin)
    ticks, texts = _axis_ticks(limits, (limits[1] - limits[0]) / scale * plot, lambda _: size * TICK_STEP)
    ax.set_yticks(ticks, texts)
    if ticks:
        ax.spines["right"].set_bounds(ticks[0], ticks[-1])
    return texts


def _category_names(data: ChartData, size: float) -> list[str]:
    """Category labels for under the axis, wrapped to the room each has."""
    n = len(data.categories)
    room = (data.width_mm * MM - 70) / n
    per_line = max(2, math.floor(room * 0.92 / size))
    return [_wrap(c, per_line) for c in data.categories]


def _lines(texts: Sequence[str]) -> int:
    """The most lines any of the texts takes."""
    return max((t.count("\n") + 1 for t in texts), default=1)


def _label_distance(angle: float, box_h: float, radius: float) -> float:
    """Points from a pie's centre to a label's anchor such that the label's box (growing
    sideways away from the pie, centred on the anchor vertically) stays RIM radii out."""
    clear = RIM * radius
    sin, cos = abs(math.sin(angle)), abs(math.cos(angle))
    # the box's corner nearest the centre, (d·cos, d·sin − h/2), on the circle of radius ``clear``
    d = (box_h * sin + math.sqrt(max(4 * clear ** 2 - (box_h * cos) ** 2, 0.0))) / 2
    if d * sin < box_h / 2 and cos > 0:  # the box straddles the anchor's level: its near side counts
        d = max(d, clear / cos)
    return d


def _pie_radius(angles: list[float], boxes: list[tuple[float, float]], half_w: float, half_h: float) -> float:
    """The largest radius (pt) at which the pie and every label (width, height in pt, at its
    slice's angle) fit a picture of half-width ``half_w`` and half-height ``half_h``."""

    def fits(r: float) -> bool:
        for angle, (w, h) in zip(angles, boxes):
            d = _label_distance(angle, h, r)
            if d * abs(math.sin(angle)) + h / 2 > half_h or d * abs(math.cos(angle)) + w > half_w:
                return False
        return True

    low, high = 1.0, min(half_w, half_h)
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if fits(mid) else (low, mid)
    return low


def _unit_text(unit: str) -> str:
    return f"单位：{unit}" if unit else ""


def _unit(ax, unit: str, side: str, size: float) -> None:
    """The unit above the value axis, at its end (Chinese chart convention)."""
    if unit:
        ax.set_title(_unit_text(unit), loc=side, fontsize=size, pad=PAD)


def _has_legend(data: ChartData) -> bool:
    return len(data.series) > 1 and any(s.label for s in data.series)


def _margins(data: ChartData, size: float, bottom: float, top: float) -> tuple[float, float]:
    """Points below the plot (edge, ``bottom`` for the category labels, the legend row) and above
    it (edge, ``top`` for the unit)."""
    return EDGE + PAD + bottom + (size * LINE + 2 * PAD if _has_legend(data) else 0), EDGE + top


def _side_margins(left: float, right: float, size: float) -> float:
    """Points left and right of the plot together, for tick labels ``left`` and ``right`` pt wide."""
    return EDGE + left + PAD + 3 + EDGE + (right + PAD + 3 if right else size)


def _plot_height(data: ChartData, size: float, names: Sequence[str]) -> float:
    """The plot's height in points in a chart with categories along the bottom."""
    below, above = _margins(data, size, _lines(names) * size * LINE, size * LINE + PAD)
    return data.height_mm * MM - below - above


def _place(fig, ax, data: ChartData, size: float, *, left: float, right: float, bottom: float, top: float) -> None:
    """Position the axes from margins in points, adding the legend row below when there is one."""
    legend = _has_legend(data)
    width, height = data.width_mm * MM, data.height_mm * MM
    below, above = _margins(data, size, bottom, top)
    left_pt = EDGE + left + PAD + 3
    right_pt = _side_margins(left, right, size) - left_pt
    fig.subplots_adjust(left=left_pt / width, right=1 - right_pt / width,
                        bottom=below / height, top=1 - above / height)
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

    A line never starts with closing punctuation (，。、）…) nor ends with opening punctuation
    (（《“…), which moves to the next line instead.
    """
    total = sum(_char_width(c) for c in text)
    if total <= per_line:
        return text
    target = math.ceil(total / math.ceil(total / per_line))
    lines, line, width = [], "", 0.0
    for ch in text:
        w = _char_width(ch)
        if line and width + w > target + 0.01 and ch not in CLOSING:
            carried = len(line) - len(line.rstrip(OPENING))
            if carried < len(line):
                lines.append(line[:len(line) - carried])
                line = line[len(line) - carried:]
                width = sum(_char_width(c) for c in line)
        line += ch
        width += w
    lines.append(line)
    return "\n".join(lines)
