"""What a chart shows: values, published labels, category names, units, the remainder."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jianbao.charts import ChartSpec, SpecError, chart_data, chart_source
from jianbao.data import Dataset, Indicator, Observation, Sector


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


# -- labels through the one figure formatter; remainders that add up ---------------------------


def _data(figures: dict[str, tuple[str, str, int, str, str]], period) -> Dataset:
    """id → (unit, kind, published decimals, value, qualifier), all for ``period``."""
    catalog = {i: Indicator(i, f"指标{i}", "s", u, k, d, "工业和信息化部") for i, (u, k, d, _, _) in figures.items()}
    observations = [Observation(i, period, Decimal(v), u, q) for i, (u, _, _, v, q) in figures.items()]
    return Dataset(catalog, {"s": Sector("s", "s", tuple(catalog))}, observations, [])


def test_labels_round_bounds_toward_their_claim_and_keep_scaling(period):
    data = _data({
        "over": ("%", "share", 0, "79.8", "超过"),
        "over2": ("%", "share", 0, "3.6", "超"),
        "above": ("%", "growth", 0, "8.7", "以上"),
        "more": ("个", "count", 0, "3000.8", "余"),
        "many": ("个", "count", 0, "3000.8", "多"),
        "near": ("%", "share", 0, "39.2", "近"),
        "about": ("%", "share", 0, "5.5", "约"),
        "firms": ("家", "count", 0, "140000", "超过"),
        "level": ("万个", "level", 1, "455", ""),
        "rate": ("%", "growth", 1, "6", ""),
    }, period)
    ids = ["over", "over2", "above", "more", "many", "near", "about", "firms", "level", "rate"]
    chart = chart_data(spec(type="bar", unit="各异", series=[{"label": "值"}],
                            categories=[{"indicator": i} for i in ids]), data, period)
    assert chart.series[0].texts == (
        "超过79", "超3", "8以上", "3000余", "3000多", "近40", "约6", "超过14万", "455", "6.0")


def test_pie_slices_add_up_to_100_when_parts_hold_more_digits_than_they_print(period):
    # Each part alone prints half-up (35.5, 27.2) and 100 − 62.60 = 37.4: 100.1 in all. Rounded
    # together by largest remainder the printed slices add up to exactly 100.0.
    data = _data({"a": ("%", "share", 1, "35.45", ""), "b": ("%", "share", 1, "27.15", "")}, period)
    pie = chart_data(spec(type="pie", remainder="其他", series=[{}], categories=[{"indicator": "a"}, {"indicator": "b"}]),
                     data, period)
    assert pie.categories == ("指标a", "指标b", "其他")
    assert pie.series[0].texts == ("35.5", "27.1", "37.4")
    assert sum(Decimal(t) for t in pie.series[0].texts) == 100


def test_stacked_bar_remainders_add_up_per_category(period):
    data = _data({"a": ("%", "share", 1, "51.75", ""), "b": ("%", "share", 1, "68.25", ""),
                  "c": ("%", "share", 1, "64.9", "")}, period)
    stacked = chart_data(spec(type="stacked_bar", remainder="其他", series=[{"label": "中国", "indicators": ["a", "b", "c"]}],
                              categories=[{"label": "x"}, {"label": "y"}, {"label": "z"}]), data, period)
    china, rest = stacked.series
    assert china.texts == ("51.8", "68.3", "64.9")
    assert rest.texts == ("48.2", "31.7", "35.1")
    assert [Decimal(a) + Decimal(b) for a, b in zip(china.texts, rest.texts)] == [100, 100, 100]


def test_a_remainder_of_whole_percents_prints_like_its_parts(period):
    data = _data({"a": ("%", "share", 0, "62", ""), "b": ("%", "share", 0, "30", "")}, period)
    donut = chart_data(spec(type="donut", remainder="其他", series=[{}], categories=[{"indicator": "a"}, {"indicator": "b"}]),
                       data, period)
    assert donut.series[0].texts == ("62", "30", "8")


def test_each_quarter_expands_to_the_quarters_so_far_and_repeats_no_period(dataset, period):
    from jianbao.periods import parse_period

    chart = spec(type="bar", series=[{"indicator": "va_growth"}], categories=[{"each": "quarter"}, {"period": "current"}])
    assert chart_data(chart, dataset, period).categories == ("一季度", "二季度", "上半年")
    q2 = chart_data(chart, dataset, parse_period("2025Q2"))  # the digest's quarter is drawn once
    assert q2.categories == ("一季度", "二季度")


def test_too_few_categories_drop_the_chart(dataset):
    from jianbao.charts.spec import MissingData
    from jianbao.periods import parse_period

    chart = spec(type="bar", min_categories=2, series=[{"indicator": "va_growth"}],
                 categories=[{"each": "quarter"}, {"period": "current"}])
    with pytest.raises(MissingData, match="at least 2 categories"):
        chart_data(chart, dataset, parse_period("2025Q1"))


def test_last_n_periods_of_the_digest_kind(dataset):
    from jianbao.periods import parse_period

    chart = spec(type="line", series=[{"indicator": "va_growth"}], categories=[{"last": 4}])
    data = chart_data(chart, dataset, parse_period("2025Q2"))  # 2024Q3 and 2024Q4 have no data: left out
    assert data.categories == ("一季度", "二季度")


def test_a_missing_figure_is_missing_data_not_a_crash(dataset, period):
    from jianbao.charts.spec import MissingData

    chart = spec(type="bar", series=[{"indicator": "va_growth"}], categories=[{"period": "year_ago"}])
    with pytest.raises(MissingData) as info:
        chart_data(chart, dataset, period)
    assert info.value.short() == "no va_growth for year_ago of 2025H1"


def test_a_caption_names_the_period_of_the_figures_drawn(dataset, period):
    chart = spec(type="bar", title="{period}增速", series=[{"indicator": "va_growth"}], categories=[{"period": "Q1"}])
    from jianbao.charts.data import drawn_periods

    assert chart.caption(period, drawn_periods(chart, dataset, period)) == "2025年一季度增速"
