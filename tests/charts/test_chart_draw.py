"""The pictures: every built-in chart draws from the sample data, readably and reproducibly."""

from __future__ import annotations

import gc
import struct

import pytest
from matplotlib import ft2font
from matplotlib.figure import Figure
from matplotlib.text import Text

from jianbao.charts import ChartFontError, ChartSpec, chart_data, chart_style, load_chart_specs, render_png
from jianbao.charts.draw import painted

SPECS = load_chart_specs(None)


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


@pytest.fixture(scope="module")
def style(theme):
    return chart_style(theme)


@pytest.mark.parametrize("chart_id", sorted(SPECS))
def test_builtin_chart_draws_at_its_size_with_every_glyph_in_the_font(chart_id, sample, period, style):
    spec = SPECS[chart_id]
    data = chart_data(spec, sample, period)
    png = render_png(data, style)  # raises ChartFontError on a missing glyph
    width, height = png_size(png)
    assert abs(width - spec.width_mm / 25.4 * style.dpi) <= 1
    assert abs(height - spec.height_mm / 25.4 * style.dpi) <= 1
    cmap = ft2font.FT2Font(str(style.font_file), face_index=style.font_index).get_charmap()
    drawn = "".join(data.texts()) + "单位：0123456789."
    assert not [ch for ch in drawn if not ch.isspace() and ord(ch) not in cmap]


@pytest.mark.parametrize("chart_id", sorted(SPECS))
def test_builtin_chart_text_is_inside_the_picture_and_does_not_overlap(chart_id, sample, period, style):
    data = chart_data(SPECS[chart_id], sample, period)
    with painted(data, style) as fig:
        fig.canvas.draw()
        frame = fig.bbox
        boxes = []
        for t in fig.findobj(Text):
            if t.get_visible() and t.get_text().strip():
                box = t.get_window_extent()
                assert frame.x0 - 0.5 <= box.x0 and box.x1 <= frame.x1 + 0.5, f"{t.get_text()!r} cut off left/right"
                assert frame.y0 - 0.5 <= box.y0 and box.y1 <= frame.y1 + 0.5, f"{t.get_text()!r} cut off top/bottom"
                boxes.append((t.get_text(), box.shrunk(0.98, 0.9)))
        for i, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[i + 1:]:
                assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"
        drawn = "|".join(t.replace("\n", "") for t, _ in boxes)
        for label in [*data.categories, *(t for s in data.series for t in s.texts)]:
            assert label in drawn  # every category named, every value labelled


def test_same_data_gives_identical_png_bytes(sample, period, style):
    data = chart_data(SPECS["auto_output"], sample, period)
    png = render_png(data, style)
    assert render_png(data, style) == png
    assert b"tEXt" not in png and b"tIME" not in png  # no software or time stamp


def test_every_chart_type_draws(dataset, period, style):
    line = ChartSpec.model_validate({"id": "l", "title": "t", "type": "line",
                                     "series": [{"indicator": "va_growth"}], "categories": [{"period": "Q1"}, {"period": "Q2"}]})
    assert png_size(render_png(chart_data(line, dataset, period), style)) == (1181, 511)  # 150 × 65 mm at 200 dpi
    assert {s.type for s in SPECS.values()} | {"line"} == {"bar", "barh", "line", "bar_line", "pie", "donut", "stacked_bar"}


def test_a_character_missing_from_the_font_is_an_error_not_tofu(dataset, period, style):
    spec = ChartSpec.model_validate({"id": "e", "title": "t", "type": "bar",
                                     "series": [{"indicator": "va_growth"}], "categories": [{"label": "增速😀"}]})
    with pytest.raises(ChartFontError, match="GRINNING FACE"):
        render_png(chart_data(spec, dataset, period), style)


def test_no_figure_outlives_its_drawing(sample, period, style):
    data = chart_data(SPECS["shipbuilding_share"], sample, period)
    for _ in range(50):
        render_png(data, style)
    gc.collect()
    assert [o for o in gc.get_objects() if isinstance(o, Figure)] == []


def test_every_chart_type_of_the_spec_has_a_painter():
    from jianbao.charts.draw import _PAINTERS
    from jianbao.charts.spec import CHART_TYPES

    assert set(_PAINTERS) == set(CHART_TYPES)
