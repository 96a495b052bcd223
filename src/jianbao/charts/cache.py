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

from jianbao import __version__, workers
from jianbao.charts.data import ChartData, chart_data, chart_source, drawn_periods
from jianbao.charts import draw as draw_module
from jianbao.charts import printed as printed_module
from jianbao.charts.draw import ChartStyle, chart_style
from jianbao.charts.parallel import ChartJob, SharedDrawing
from jianbao.charts.spec import ChartSpec
from jianbao.ir import Figure, NativeChart, NativeSeries
from jianbao.periods import Period
from jianbao.reporting import Policy
from jianbao.text import file_name_part


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
    """A change to how charts are painted, or to the print-size rule their text size follows,
    must not be hidden by the cache (editable installs)."""
    digest = hashlib.sha256()
    for module in (draw_module, printed_module):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def draw_chart(spec: ChartSpec, dataset, period: Period, theme, cache_dir: Path) -> Path:
    """The PNG of one chart, drawn now only if the cache does not hold it."""
    return draw_charts([spec], dataset, period, theme, cache_dir)[spec.id]


class DrawnCharts(dict[str, Path]):
    """PNG path by chart id; ``drawn`` lists the ids drawn now (the rest came from the cache).

    When drawn in parallel the paths are known at once but the files exist only
    after ``wait()``; ``cancel()`` stops the drawing (both are no-ops otherwise).
    """

    drawn: list[str]
    _pending: SharedDrawing | None = None

    def wait(self) -> DrawnCharts:
        """Every PNG on disk; raises the error the first failing chart raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.wait()
        return self

    def cancel(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.cancel()


def draw_charts(
    specs: Mapping[str, ChartSpec] | Iterable[ChartSpec],
    dataset,
    period: Period,
    theme,
    cache_dir: Path,
    *,
    parallel: bool = False,
    worker: SharedDrawing | None = None,
    policy: Policy = Policy(),
) -> DrawnCharts:
    """Every chart's PNG by id, drawing only those the cache lacks.

    All data is resolved first, so a spec error surfaces before any drawing. With
    ``parallel`` (where ``workers.available``) the drawing goes on in the worker
    pool — on ``worker`` if the caller started one already, which this takes over —
    while the caller continues; call ``wait()`` before using the files.
    """
    items = list(specs.values()) if isinstance(specs, Mapping) else list(specs)
    style = chart_style(theme)
    resolved = [(spec.id, chart_data(spec, dataset, period, policy)) for spec in items]
    out = DrawnCharts()
    jobs = []
    for chart_id, data in resolved:
        out[chart_id] = path = _cache_path(data, chart_id, style, cache_dir, policy.region)
        if not path.is_file():
            jobs.append(ChartJob(chart_id, data, path))
    out.drawn = [job.chart_id for job in jobs]
    if worker is None and parallel and len(jobs) > 1 and workers.available():
        worker = SharedDrawing()
    if worker is not None and jobs:
        worker.submit(jobs, style)
        out._pending = worker
        return out
    if worker is not None:
        worker.cancel()
    for job in jobs:
        job.run(style)
    return out


def chart_figure(spec: ChartSpec, dataset, period: Period, image: Path, number: int = 0, caption: str = "",
                 policy: Policy = Policy()) -> Figure:
    """The IR figure for a drawn chart: its PNG, size, caption (default: the spec's title), source line."""
    return Figure(
        number=number,
        caption=caption or spec.caption(period, drawn_periods(spec, dataset, period, policy)),
        image=image,
        width_mm=spec.width_mm,
        height_mm=spec.height_mm,
        source=chart_source(spec, dataset, period, policy),
        chart=native_chart(chart_data(spec, dataset, period, policy)),
    )


def native_chart(data: ChartData) -> NativeChart:
    """The chart's data as a plain IR node, so the DOCX writer can build an editable chart of it."""
    return NativeChart(
        kind=data.type,
        categories=list(data.categories),
        series=[NativeSeries(name=s.label, values=list(s.values), labels=list(s.texts), axis=s.axis,
                             type="line" if data.type == "line" or s.axis == "right" else "bar")
                for s in data.series],
        left_unit=data.left_unit,
        right_unit=data.right_unit,
        stacked=data.type == "stacked_bar",
        horizontal=data.type == "barh",
        remainder=data.remainder,
    )


def _cache_path(data: ChartData, chart_id: str, style: ChartStyle, cache_dir: Path, region: str = "") -> Path:
    """A region's charts have a folder of their own: drawing a chart drops its other versions
    (``ChartJob.run``), which must never be another region's, drawn by a build running beside."""
    folder = cache_dir / "charts" / file_name_part(region) if region else cache_dir / "charts"
    return folder / f"{chart_id}-{chart_key(data, style)[:20]}.png"
