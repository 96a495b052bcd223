"""The template-facing functions and filters: figures by id, default periods, missing figures, usage."""

import dataclasses
from decimal import Decimal as D

import pytest

from jianbao.narrative.facade import FILTERS, Facade, Figure, FigureError, MissingFigure
from jianbao.narrative.render import make_digest_environment


def render(dataset, source, period="2025H1", sector="equipment"):
    facade = Facade(dataset, period, sector)
    env = make_digest_environment(None)
    return env.from_string(source).render(facade.context()), facade


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ fig("industry_va_growth") }}', "6.4%"),
        ('{{ fig("industry_va_growth")|growth }}', "增长6.4%"),
        ('{{ fig("industry_va_growth", "2025Q1")|growth }}', "增长6.5%"),
        ('{{ fig("industry_va_growth", region="福建") }}', "8%以上"),  # a bound keeps its printed digits
        ('{{ fig("industry_va_growth", region="福建")|growth }}', "增长8%以上"),
        ('{{ fig("auto_production") }}', "1562.1万辆"),
        ('{{ fig("auto_production")|level }}', "1562.1万辆"),
        ('{{ fig("sme_specialized_count") }}', "超过14万家"),
        ('{{ fig("sme_specialized_count").short_label }}', "截至6月底"),
        ('{{ fig("industry_profit_growth").label }}', "2025年1—5月"),
        ('{{ fig("equipment_va_pull")|pull("全部规模以上工业") }}', "拉动全部规模以上工业增长3.4个百分点"),
        ('{{ fig("equipment_va_pull")|pp }}', "3.4个百分点"),
        ('{{ fig("equipment_purchase_contribution")|contribution("全部投资") }}', "对全部投资增长的贡献率达86%"),
        ('{{ fig("equipment_va_share")|share("全部规模以上工业增加值") }}', "占全部规模以上工业增加值的35.5%"),
        ('{{ fig("equipment_purchase_gap")|compare("全国固定资产投资") }}', "高于全国固定资产投资14.5个百分点"),
        ('{{ fig("equipment_va_growth")|compare(fig("industry_va_growth"), "同期工业增加值增速") }}',
         "高于同期工业增加值增速3.8个百分点"),
        ('{{ fig("industry_va_growth")|compare(fig("equipment_va_growth")) }}', "低于装备制造业增加值增速3.8个百分点"),
        ('{{ fig("industry_va_growth")|change_from(fig("industry_va_growth", "2025Q1")) }}', "增速比一季度回落0.1个百分点"),
        ('{{ fig("industry_va_growth")|change_from(fig("industry_va_growth", "2025Q1"), "前期") }}', "增速比前期回落0.1个百分点"),
        ('{{ series("industry_va_growth", subperiods("quarter"))|growths }}', "分别增长6.5%和6.3%"),
        ('{{ series("industry_va_growth", subperiods("quarter"))|map(attribute="short_label")|and_list }}', "一季度和二季度"),
        ('{{ regions("industry_va_growth")|names|dun_list }}', "福建、安徽、河南、湖南"),
        ('{{ regions("industry_va_growth")|names|and_list }}', "福建、安徽、河南和湖南"),
        ('{{ at_least("industry_va_growth", fig("industry_va_growth", region="福建"))|length }}', "4"),
        ('{{ ranking("industry_va_growth", top=2)|names|dun_list }}', "福建、安徽"),
        ('{{ [fig("equipment_va_growth"), fig("industry_va_growth")]|and_list }}', "10.2%和6.4%"),
        ("{{ period_label() }}/{{ period_label(year=False) }}", "2025年上半年/上半年"),
        ('{{ period_label(period.previous()) }}', "2024年下半年"),
        ('{{ indicator("auto_production").name }}', "汽车产量"),
        ('{{ fig("auto_production").name }}/{{ fig("industry_va_growth", region="湖南").name }}', "汽车产量/湖南"),
        ('{{ highlights("highlight")|map(attribute="title")|join }}', "航空装备"),
        ('{{ sector.name }}', "装备制造业"),
        ('{% if has("equipment_va_pull") %}有{% endif %}', "有"),
        ('{% if has("equipment_va_pull", "2026H1") %}有{% else %}无{% endif %}', "无"),
        ('{% if fig("equipment_va_pull", "2026H1") %}有{% else %}无{% endif %}', "无"),
    ],
)
def test_template_reads(dataset, source, expected):
    assert render(dataset, source)[0] == expected


def test_the_default_period_falls_back_to_the_latest_period_inside_the_digest_period(dataset):
    facade = Facade(dataset, "2025H1")
    assert facade.fig("industry_profit_growth").period.code == "2025M01-05"  # not 1—4月
    assert facade.fig("sme_specialized_count").period.code == "2025-06-30"
    assert facade.has("industry_profit_growth")
    assert not facade.has("industry_profit_growth", "2025H1")  # an explicit period is exact
    assert isinstance(facade.fig("industry_profit_growth", "2025H1"), MissingFigure)


@pytest.mark.parametrize(
    ("period", "id", "expected"),
    [
        ("2025H1", "little_giants", "2025-07-18"),  # a stock reported after the period closed (目前)
        ("2026H1", "little_giants", None),  # … but not a year later
        ("2025H1", "carbon_intensity_reduction", "2024-2025"),  # a span of years holding the period (近两年)
        ("2026H1", "carbon_intensity_reduction", None),
        ("2025H1", "scrap_steel_share_target", "2027"),  # the nearest target ahead
        ("2028H1", "scrap_steel_share_target", "2030"),
        ("2025H1", "auto_production_growth", "2025H1"),  # the period itself beats its quarters
    ],
)
def test_the_default_period_of_stocks_spans_and_targets(dataset, period, id, expected):
    figure = Facade(dataset, period).fig(id)
    assert (figure.period.code if figure else None) == expected


def test_default_periods_read_naturally(dataset):
    text, _ = render(dataset, '{{ fig("little_giants") }}；{{ fig("scrap_steel_share_target").label }}达到'
                              '{{ fig("scrap_steel_share_target") }}；{{ fig("carbon_intensity_reduction") }}')
    assert text == "1.46万家；2027年达到22%；超过14%"


def test_regional_figures_take_the_period_the_digest_means(dataset):
    text, _ = render(dataset, '{% set r = regions("industry_profit_growth") %}{{ r[0].short_label }}，'
                              '{{ r|names|dun_list }}利润实现{{ r[0] }}的增长')
    assert text == "1—5月，河南、湖南利润实现10%以上的增长"
    assert render(dataset, '{{ regions("industry_profit_growth", "2025M01-04")|length }}')[0] == "0"
    assert render(dataset, '{{ regions("industry_profit_growth")|length }}', period="2026H1")[0] == "0"


def test_every_observation_a_template_used_is_recorded_once_in_order(dataset):
    _, facade = render(dataset, '{{ fig("auto_production") }}{{ fig("industry_va_growth")|growth }}'
                                '{% if has("equipment_va_pull") %}{% endif %}{{ fig("auto_production") }}')
    assert [(o.indicator, o.period.code) for o in facade.used.list()] == [
        ("auto_production", "2025H1"), ("industry_va_growth", "2025H1")]


def test_regional_lookups_record_what_they_return(dataset):
    _, facade = render(dataset, '{{ regions("industry_va_growth")|names|dun_list }}')
    assert [o.region for o in facade.used.list()] == ["福建", "安徽", "河南", "湖南"]


def test_a_figure_of_zero_is_still_true(dataset):
    figure = Facade(dataset, "2025H1").fig("auto_production")
    zero = Figure(dataclasses.replace(figure.observation, value=D(0)), figure.indicator)
    assert zero and str(zero) == "0万辆"  # a level prints the digits it holds


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{{ fig("equipment_va_pull", "2026H1") }}',
         "no figure for indicator 'equipment_va_pull' (装备制造业拉动规上工业增长), period 2026H1 (2026年上半年)"),
        ('{{ fig("equipment_va_pull", "2026H1")|pull }}', "period 2026H1"),
        ('{{ fig("equipment_va_pull", "2026H1").value }}', "no figure for indicator 'equipment_va_pull'"),
        ('{{ fig("industry_va_growth", region="北京")|growth }}', "region 北京"),
        ('{{ fig("auto_producton") }}', "unknown indicator 'auto_producton': not in the catalog (did you mean auto_production"),
        ('{{ has("nope") }}', "unknown indicator 'nope'"),
        ('{{ fig("auto_production")|growth }}', "|growth needs a figure in % or 倍; auto_production (汽车产量) is in 万辆"),
        ('{{ fig("industry_va_growth")|pull }}', "|pull needs a figure in 个百分点"),
        ('{{ 6.4|growth }}', "|growth expects a figure from fig(...)"),
    ],
)
def test_misuse_is_an_error_naming_the_indicator(dataset, source, message):
    with pytest.raises(FigureError) as info:
        render(dataset, source)
    assert message in str(info.value)


def test_every_filter_refuses_a_missing_figure(dataset):
    missing = Facade(dataset, "2026H1").fig("equipment_va_pull")
    present = Facade(dataset, "2025H1").fig("equipment_va_pull")
    for name, function in FILTERS.items():
        argument = [missing] if name in ("growths", "each_growth", "names", "and_list", "dun_list") else missing
        extra = (present,) if name in ("change_from", "compare") else ()
        with pytest.raises(FigureError, match="equipment_va_pull"):
            function(argument, *extra)
