"""Draw charts only when what they show changed.

The cache key hashes the ChartData (every number, label and unit drawn), the
chart style (colours, font file identity, dpi), the drawing code itself and the
jianbao and matplotlib versions. Titles and source lines are not in the picture, so editing text
redraws nothing, and computing a key never imports matplotlib.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.metadata import version
from pathlib import Path

from jianbao import __version__
from jianbao.atomic import write_bytes_atomic
from jianbao.charts.data import ChartData, chart_data, chart_source
from jianbao.charts import draw as draw_module
from jianbao.charts.draw import ChartStyle, chart_style, render_png
from jianbao.charts.spec import ChartSpec
from jianbao.document.ir import Figure
from jianbao.periods import Period


def chart_key(data: ChartData, style: ChartStyle) -> str:
    """A hex digest naming the picture; equal keys mean identical PNG bytes."""
    stat = style.font_file.stat()
    payload = {
        "data": dataclasses.asdict(data),
        "style": {**dataclasses.asdict(style), "font_file": str(style.font_file)},
        "font": [stat.st_size, stat.st_mtime_ns],
        "versions": [__version__, _matplotlib_version(), _painter_digest()],
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


@cache
def _matplotlib_version() -> str:
    return version("matplotlib")


@cache
def _painter_digest() -> str:
    """A change to how charts are painted must not be hidden by the cache (editable installs)."""
    return hashlib.sha256(Path(draw_module.__file__).read_bytes()).hexdigest()


def draw_chart(spec: ChartSpec, dataset, period: Period, theme, cache_dir: Path) -> Path:
    """The PNG of one chart, drawn now only if the cache does not hold it."""
    return _draw(chart_data(spec, dataset, period), spec.id, chart_style(theme), cache_dir)[0]


class DrawnCharts(dict[str, Path]):
    """PNG path by chart id; ``drawn`` lists the ids drawn now (the rest came from the cache)."""

    drawn: list[str]


def draw_charts(
    specs: Mapping[str, ChartSpec] | Iterable[ChartSpec], dataset, period: Period, theme, cache_dir: Path
) -> DrawnCharts:
    """Every chart's PNG by id, drawing only those the cache lacks.

    All data is resolved first, so a spec error surfaces before any drawing.
    """
    items = list(specs.values()) if isinstance(specs, Mapping) else list(specs)
    style = chart_style(theme)
    resolved = [(spec.id, chart_data(spec, dataset, period)) for spec in items]
    out = DrawnCharts()
    out.drawn = []
    for chart_id, data in resolved:
        out[chart_id], new = _draw(data, chart_id, style, cache_dir)
        if new:
            out.drawn.append(chart_id)
    return out


def build_figure(
    spec: ChartSpec, dataset, period: Period, theme, cache_dir: Path, number: int = 0, caption: str = ""
) -> Figure:
    """The IR figure for a chart: PNG (cached), size, caption (default: the spec's title), source line."""
    return Figure(
        number=number,
        caption=caption or spec.caption(period),
        image=draw_chart(spec, dataset, period, theme, cache_dir),
        width_mm=spec.width_mm,
        height_mm=spec.height_mm,
        source=chart_source(spec, dataset, period),
    )


def _draw(data: ChartData, chart_id: str, style: ChartStyle, cache_dir: Path) -> tuple[Path, bool]:
    key = chart_key(data, style)[:20]
    path = cache_dir / "charts" / f"{chart_id}-{key}.png"
    if path.is_file():
        return path, False
    write_bytes_atomic(path, render_png(data, style))
    for old in path.parent.glob(f"{chart_id}-*.png"):
        if old != path and old.stem.rpartition("-")[0] == chart_id:
            old.unlink(missing_ok=True)
    return path, True
