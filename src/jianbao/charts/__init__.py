"""Charts drawn from the Dataset by YAML specs.

The names below are imported on first use, so a chart worker that unpickles a
job imports only what drawing needs (not the specs' pydantic models, not the
cache), and matplotlib is imported only to draw.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jianbao.charts.cache import DrawnCharts, chart_figure, chart_key, draw_chart, draw_charts
    from jianbao.charts.data import ChartData, SeriesData, chart_data, chart_source
    from jianbao.charts.draw import ChartFontError, ChartStyle, chart_style, render_png
    from jianbao.charts.spec import ChartSpec, SpecError, TableSpec, load_chart_specs, load_table_specs

_MODULES = {
    "cache": ("DrawnCharts", "chart_figure", "chart_key", "draw_chart", "draw_charts"),
    "data": ("ChartData", "SeriesData", "chart_data", "chart_source"),
    "draw": ("ChartFontError", "ChartStyle", "chart_style", "render_png"),
    "spec": ("ChartSpec", "SpecError", "TableSpec", "load_chart_specs", "load_table_specs"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"jianbao.charts.{module}"), name)
