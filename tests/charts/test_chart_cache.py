"""Charts are drawn once per content: text edits redraw nothing, data or theme edits redraw."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from jianbao.charts import chart_figure, draw_chart, draw_charts, load_chart_specs
from jianbao.theme import load_theme

SPECS = load_chart_specs(None)


def test_second_build_takes_every_chart_from_the_cache(sample, period, theme, tmp_path):
    first = draw_charts(SPECS, sample, period, theme, tmp_path)
    assert sorted(first.drawn) == sorted(SPECS)
    assert all(p.is_file() and p.parent == tmp_path / "charts" for p in first.values())
    again = draw_charts(SPECS, sample, period, theme, tmp_path)
    assert again.drawn == []
    assert dict(again) == dict(first)


def test_title_and_source_edits_keep_the_picture(sample, period, theme, tmp_path):
    spec = SPECS["auto_output"]
    path = draw_chart(spec, sample, period, theme, tmp_path)
    edited = spec.model_copy(update={"title": "汽车产销（改）", "source": "某单位"})
    assert draw_chart(edited, sample, period, theme, tmp_path) == path


def test_a_data_change_redraws_and_drops_the_stale_file(dataset, period, theme, tmp_path):
    spec = SPECS["industry_growth"].model_copy(update={"series": [SPECS["industry_growth"].series[0].model_copy(update={"indicator": "va_growth"})]})
    old = draw_chart(spec, dataset, period, theme, tmp_path)
    changed = spec.model_copy(update={"categories": spec.categories[:1]})  # the quarters, without 上半年
    new = draw_chart(changed, dataset, period, theme, tmp_path)
    assert new != old
    assert not old.exists()
    assert [p.name for p in (tmp_path / "charts").iterdir()] == [new.name]


def test_a_theme_colour_change_redraws(sample, period, theme, tmp_path):
    path = draw_chart(SPECS["nev_share"], sample, period, theme, tmp_path)
    override = tmp_path / "theme.toml"
    override.write_text('[colors]\nchart = ["#005BAC", "#E60012", "#999999"]\n', encoding="utf-8")
    assert draw_chart(SPECS["nev_share"], sample, period, load_theme(override), tmp_path) != path


def test_figure_carries_caption_size_and_source(sample, period, theme, tmp_path):
    spec = SPECS["shipbuilding_share"]
    fig = chart_figure(spec, sample, period, draw_chart(spec, sample, period, theme, tmp_path), number=3)
    assert fig.label == "图3　2025年上半年我国造船三大指标占全球比重"
    assert fig.source == "工业和信息化部"
    assert (fig.width_mm, fig.height_mm) == (150, 65)  # the spec default: a third of a page with the caption
    assert fig.image.is_file()
    assert chart_figure(SPECS["nev_share"], sample, period, tmp_path / "x.png", caption="新能源占比").caption == "新能源占比"


def test_a_cache_hit_does_not_import_matplotlib(sample, period, theme, tmp_path):
    draw_charts(SPECS, sample, period, theme, tmp_path)
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from jianbao.charts import draw_charts, load_chart_specs
        from jianbao.data import load_dataset
        from jianbao.periods import parse_period
        from jianbao.resources import builtin_path
        from jianbao.theme import load_theme
        out = draw_charts(load_chart_specs(None), load_dataset(builtin_path("sample", "data")),
                          parse_period("2025H1"), load_theme(), Path({str(tmp_path)!r}))
        assert out.drawn == [], out.drawn
        assert "matplotlib" not in sys.modules
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
