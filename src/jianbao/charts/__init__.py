"""Charts drawn from the Dataset by YAML specs (matplotlib is imported only to draw)."""

from jianbao.charts.cache import DrawnCharts, chart_figure, chart_key, draw_chart, draw_charts
from jianbao.charts.data import ChartData, SeriesData, chart_data, chart_source
from jianbao.charts.draw import ChartFontError, ChartStyle, chart_style, render_png
from jianbao.charts.spec import ChartSpec, SpecError, TableSpec, load_chart_specs, load_table_specs

__all__ = [
    "ChartData",
    "ChartFontError",
    "ChartSpec",
    "ChartStyle",
    "DrawnCharts",
    "SeriesData",
    "SpecError",
    "TableSpec",
    "chart_figure",
    "chart_data",
    "chart_key",
    "chart_source",
    "chart_style",
    "draw_chart",
    "draw_charts",
    "load_chart_specs",
    "load_table_specs",
    "render_png",
]

