"""What a chart shows: values, published labels, category names, units, the remainder."""

from __future__ import annotations

import pytest

from jianbao.charts import ChartSpec, SpecError, chart_data, chart_source


def spec(**fields) -> ChartSpec:
    return ChartSpec.model_validate({"id": "t", "title": "t", **fields})


def test_periods_along_the_axis_are_labelled_without_the_year(dataset, period):
    data = chart_data(
        spec(type="line", series=[{"indicator": "va_growth"}], categories=[{"period": "Q1"}, {"period": "Q2"}, {}]),
        dataset, period,
    )
    assert data.categories == ("一季度", "二季度", "上半年")
    assert data.series[0].values == (6.5, 6.3, 6.4)
    assert data.series[0].label == "规上工业增加值增速"
    assert data.left_unit == "%"


def test_indicators_per_category_form_grouped_series(dataset, period):
    data = chart_data(
        spec(type="bar", series=[{"label": "汽车", "indicators": ["cars_made", "cars_sold"]}],
             categories=[{"label": "产量"}, {"label": "销量"}]),
        dataset, period,
    )
    assert data.categories == ("产量", "销量")
    assert data.series[0].texts == ("1562.1", "1565.3")
    assert data.left_unit == "万辆"


def test_labels_are_published_figures_half_up_with_qualifiers(dataset, period):
    data = chart_data(
        spec(type="barh", unit="各异", series=[{"label": "值"}],
             categories=[{"indicator": "rounding_probe"}, {"indicator": "smes_served"}, {"indicator": "va_growth", "region": "福建"}]),
        dataset, period,
    )
    assert data.series[0].texts == ("2.3", "超过360", "8以上")
    assert data.categories == ("舍入检验", "累计服务中小企业", "规上工业增加值增速")


def test_region_names_the_category_when_no_label(dataset, period):
    data = chart_data(spec(type="bar", series=[{"indicator": "va_growth"}], categories=[{"region": "福建"}, {}]), dataset, period)
    assert data.categories == ("福建", "上半年")


def test_remainder_fills_shares_to_100_as_a_last_series_or_slice(dataset, period):
    stacked = chart_data(
        spec(type="stacked_bar", remainder="其他", series=[{"label": "中国", "indicators": ["ship_share", "orders_share"]}],
             categories=[{"label": "完工"}, {"label": "订单"}]),
        dataset, period,
    )
    assert [s.label for s in stacked.series] == ["中国", "其他"]
    assert stacked.series[1].texts == ("48.3", "31.7")
    assert stacked.remainder
    pie = chart_data(spec(type="pie", remainder="其他行业", series=[{}], categories=[{"indicator": "equipment_share"}]), dataset, period)
    assert pie.categories == ("装备制造业增加值占比", "其他行业")
    assert pie.series[0].texts == ("35.5", "64.5")


def test_remainder_refuses_inexact_or_non_percent_parts(dataset, period):
    with pytest.raises(SpecError, match=r"field 'remainder': expected exact shares in % \(found smes_served = 超过360万家\)"):
        chart_data(spec(type="pie", remainder="其他", series=[{}], categories=[{"indicator": "smes_served"}]), dataset, period)


def test_bar_line_takes_each_axis_unit_and_mixed_units_on_one_axis_are_an_error(dataset, period):
    data = chart_data(
        spec(type="bar_line", series=[{"indicator": "cars_made", "label": "产量"},
                                      {"indicator": "cars_made_growth", "label": "增速", "axis": "right"}],
             categories=[{}]),
        dataset, period,
    )
    assert (data.left_unit, data.right_unit) == ("万辆", "%")
    with pytest.raises(SpecError, match=r"field 'unit': expected one unit per axis, or unit set \(the indicators have %, 万辆\)"):
        chart_data(spec(type="bar", series=[{"label": "a", "indicators": ["cars_made", "va_growth"]}],
                        categories=[{"label": "x"}, {"label": "y"}]), dataset, period)


def test_a_category_may_not_name_an_indicator_the_series_already_names(dataset, period):
    with pytest.raises(SpecError, match=r"field 'categories\[0\]\.indicator': expected no indicator \(the series names it\)"):
        chart_data(spec(type="bar", series=[{"indicator": "va_growth"}], categories=[{"indicator": "cars_made"}]), dataset, period)


def test_source_line_defaults_to_catalog_sources_in_order(dataset, period):
    s = spec(type="bar", series=[{"label": "x"}], categories=[{"indicator": "va_growth"}, {"indicator": "cars_made"}, {"indicator": "equipment_share"}])
    assert chart_source(s, dataset, period) == "国家统计局、中国汽车工业协会"
    assert chart_source(s.model_copy(update={"source": "工业和信息化部"}), dataset, period) == "工业和信息化部"
