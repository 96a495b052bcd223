"""Loading chart specs: built-ins, project overrides by file name, and errors that name file and field."""

from __future__ import annotations

import pytest

from jianbao.charts import ChartSpec, SpecError, chart_data, load_chart_specs
from jianbao.charts.spec import load_spec_file

SECTORS = ("industry", "equipment", "electronics", "telecom", "consumer", "green", "sme")


@pytest.fixture
def spec_from(tmp_path, write_spec):
    """A ChartSpec from YAML text, loaded from a file in tmp_path."""
    return lambda text, name="c.yaml": load_spec_file(write_spec(tmp_path, name, text), ChartSpec)


def test_builtins_cover_every_chapter_with_eight_charts_or_more(sample):
    specs = load_chart_specs(None)
    assert len(specs) >= 8
    sectors = set()
    for spec in specs.values():
        for s in spec.series:
            sectors.update(sample.indicator(i).sector for i in ([s.indicator] if s.indicator else s.indicators or []))
        sectors.update(sample.indicator(c.indicator).sector for c in spec.categories if c.indicator)
    assert set(SECTORS) <= sectors
    assert {s.type for s in specs.values()} >= {"bar", "barh", "bar_line", "pie", "donut", "stacked_bar"}


def test_project_file_replaces_builtin_of_same_name_and_adds_new(tmp_path, write_spec):
    charts = tmp_path / "charts"
    write_spec(charts, "auto_output.yaml", "type: bar\ntitle: 我的汽车图\nseries: [{indicator: auto_production}]\ncategories: [{}]\n")
    write_spec(charts, "mine.yaml", "type: line\ntitle: 新图\nseries: [{indicator: industry_va_growth}]\ncategories: [{period: Q1}, {period: Q2}]\n")
    specs = load_chart_specs(tmp_path)
    assert specs["auto_output"].title == "我的汽车图"
    assert specs["auto_output"].type == "bar"
    assert specs["mine"].type == "line"
    assert "nev_share" in specs


def test_id_defaults_to_file_name_and_title_fills_period(tmp_path, period, spec_from):
    spec = spec_from('type: bar\ntitle: "{period}汽车产销"\nseries: [{indicator: cars_made}]\ncategories: [{}]\n', "autos.yaml")
    assert spec.id == "autos"
    assert spec.caption(period) == "2025年上半年汽车产销"


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        ("type: radar\ntitle: t\nseries: [{indicator: x}]\ncategories: [{}]\n", "type", "bar"),
        ("type: bar\nseries: [{indicator: x}]\ncategories: [{}]\n", "title", "Field required"),
        ("type: bar\ntitle: t\nseries: [{indicator: x, axis: right}]\ncategories: [{}]\n", "series[0].axis", "expected left (right is only for bar_line)"),
        ("type: bar_line\ntitle: t\nseries: [{indicator: x}]\ncategories: [{}]\n", "series", "expected bars with axis: left and a line with axis: right"),
        ("type: bar\ntitle: t\nremainder: 其他\nseries: [{indicator: x}]\ncategories: [{}]\n", "remainder", "expected only with pie, donut or stacked_bar, not bar"),
        ("type: bar\ntitle: t\nseries: [{indicators: [a, b]}]\ncategories: [{}]\n", "series[0].indicators", "expected one per category (1), found 2"),
        ("type: bar\ntitle: t\ncolour: red\nseries: [{indicator: x}]\ncategories: [{}]\n", "colour", "Extra inputs"),
    ],
)
def test_malformed_spec_names_file_and_field(tmp_path, text, field, says, spec_from):
    with pytest.raises(SpecError) as err:
        spec_from(text, "broken.yaml")
    message = str(err.value)
    assert str(tmp_path / "broken.yaml") in message
    assert f"field '{field}'" in message
    assert says in message


def test_bad_yaml_and_duplicate_ids_are_reported_with_every_file(tmp_path, write_spec):
    charts = tmp_path / "charts"
    write_spec(charts, "a.yaml", "type: bar\ntitle: [unclosed\n")
    write_spec(charts, "b.yaml", "id: nev_share\ntype: bar\ntitle: t\nseries: [{indicator: x}]\ncategories: [{}]\n")
    with pytest.raises(SpecError) as err:
        load_chart_specs(tmp_path)
    assert "a.yaml: not valid YAML" in str(err.value)
    assert "field 'id': 'nev_share' is already the id of" in str(err.value)
    assert "b.yaml" in str(err.value)


def test_unknown_indicator_names_file_field_and_known_ids(tmp_path, dataset, period, spec_from):
    spec = spec_from("type: bar\ntitle: t\nseries: [{indicator: cars_made}]\ncategories: [{}]\n")
    assert chart_data(spec, dataset, period).series[0].values == (1562.1,)
    spec = spec_from("type: bar\ntitle: t\nseries: [{indicator: car_made}]\ncategories: [{}]\n")
    with pytest.raises(SpecError, match=r"c\.yaml: field 'series\[0\]\.indicator': expected an indicator id of the catalog .*found 'car_made'"):
        chart_data(spec, dataset, period)


def test_period_without_data_names_field_and_lists_periods_with_data(tmp_path, dataset, period, spec_from):
    spec = spec_from("type: bar\ntitle: t\nseries: [{indicator: va_growth}]\ncategories: [{period: Q1}, {period: Q3}]\n")
    with pytest.raises(SpecError) as err:
        chart_data(spec, dataset, period)
    assert "c.yaml: field 'categories[1].period': expected data for va_growth in period 2025Q3" in str(err.value)
    assert "periods with data: 2025Q1, 2025H1, 2025Q2" in str(err.value)


def test_bad_period_code_names_field(tmp_path, dataset, period, spec_from):
    spec = spec_from("type: bar\ntitle: t\nseries: [{indicator: va_growth}]\ncategories: [{period: Q9}]\n")
    with pytest.raises(SpecError, match=r"field 'categories\[0\]\.period': expected current, year_ago, previous, ytd, a period code"):
        chart_data(spec, dataset, period)


def test_title_with_unknown_placeholder_is_a_spec_error(tmp_path, period, spec_from):
    spec = spec_from('type: bar\ntitle: "{month}产量"\nseries: [{indicator: x}]\ncategories: [{}]\n')
    with pytest.raises(SpecError, match=r"field 'title': expected text whose only placeholders are"):
        spec.caption(period)
