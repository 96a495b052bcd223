"""The one figure formatter: precision by kind, claim-keeping rounding of bounds, 万/亿 scaling,
and the same printed figure in the text, a table, a chart label and the data appendix."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from jianbao import figures
from jianbao.charts import ChartSpec, chart_data
from jianbao.charts.spec import TableSpec
from jianbao.data import Dataset, Indicator, Observation, Sector
from jianbao.data.catalog import Derivation
from jianbao.document.assemble import appendix
from jianbao.narrative import phrases
from jianbao.numbers import largest_remainder
from jianbao.periods import parse_period
from jianbao.tables import build_table

H1 = parse_period("2025H1")


@pytest.mark.parametrize(
    ("value", "unit", "published", "kind", "qualifier", "expected"),
    [
        # Levels print the digits the data holds, up to the published ones, never padded.
        ("455", "万个", 1, "level", "", "455万个"),
        ("483.8", "万个", 1, "level", "", "483.8万个"),
        ("1649", "万辆", 1, "level", "", "1649万辆"),
        ("1562.1", "万辆", 1, "level", "", "1562.1万辆"),
        ("2.4", "亿户", 2, "level", "", "2.4亿户"),
        ("11.18", "亿户", 2, "level", "", "11.18亿户"),
        ("3", "倍", 1, "multiple", "", "3倍"),
        ("22", "%", 1, "target", "", "22%"),
        ("1562.14", "万辆", 1, "level", "", "1562.1万辆"),  # more digits than published: half-up
        ("1562.15", "万辆", 1, "level", "", "1562.2万辆"),
        # Rates keep every published digit, with trailing zeros.
        ("6", "%", 1, "growth", "", "6.0%"),
        ("35", "%", 1, "share", "", "35.0%"),
        ("3", "个百分点", 1, "pp", "", "3.0个百分点"),
        ("3", "个百分点", 1, "pull", "", "3.0个百分点"),
        ("86", "%", 0, "contribution", "", "86%"),
        ("2.25", "%", 1, "growth", "", "2.3%"),
        # A bound keeps the digits it was stored with (never 8.0%以上) ...
        ("8", "%", 1, "growth", "以上", "8%以上"),
        ("79", "%", 1, "share", "超过", "超过79%"),
        ("7.5", "%", 1, "growth", "超过", "超过7.5%"),
        # ... and more digits than published round the way the claim stays true.
        ("3.6", "%", 0, "share", "超过", "超过3%"),
        ("3.6", "%", 0, "share", "超", "超3%"),
        ("8.9", "%", 0, "growth", "以上", "8%以上"),
        ("3000.7", "个", 0, "count", "余", "3000余个"),
        ("3000.7", "个", 0, "count", "多", "3000多个"),
        ("39.2", "万人", 0, "level", "近", "近40万人"),
        ("5.4", "%", 0, "share", "约", "约5%"),
        ("5.5", "%", 0, "share", "约", "约6%"),
        ("6.4", "%", 0, "share", "", "6%"),
        # 万/亿 scaling of base units keeps every digit and places the qualifier.
        ("140000", "家", 0, "count", "", "14万家"),
        ("140000", "家", 0, "count", "超过", "超过14万家"),
        ("140000", "家", 0, "count", "余", "14万余家"),
        ("140000", "家", 0, "count", "以上", "14万家以上"),
        ("18500", "个", 0, "count", "", "1.85万个"),
        ("905500000000", "元", 0, "level", "", "9055亿元"),
        ("139999.8", "家", 0, "count", "超过", "超过13.9999万家"),  # down first, then scaled
        ("6", "成", 0, "share", "以上", "六成以上"),
        ("748", "EFLOPS", 0, "level", "", "748EFLOPS"),
    ],
)
def test_figure_text(value, unit, published, kind, qualifier, expected):
    assert figures.figure_text(D(value), unit, published, kind, qualifier) == expected


@pytest.mark.parametrize(
    ("value", "unit", "published", "kind", "qualifier", "text", "parts"),
    [
        ("140000", "家", 0, "count", "超过", "超过14万", ("超过14", "万家")),
        ("140000", "家", 0, "count", "余", "14万余", ("14余", "万家")),
        ("8", "%", 1, "growth", "以上", "8以上", ("8以上", "%")),
        ("3000", "个", 0, "count", "余", "3000余", ("3000余", "个")),
        ("455", "万个", 1, "level", "", "455", ("455", "万个")),
        ("6", "%", 1, "growth", "", "6.0", ("6.0", "%")),
        ("3.6", "%", 0, "share", "超过", "超过3", ("超过3", "%")),
        ("39.2", "万人", 0, "level", "近", "近40", ("近40", "万人")),
        ("6", "成", 0, "share", "以上", "6以上", ("6以上", "成")),
    ],
)
def test_without_the_unit_and_in_parts(value, unit, published, kind, qualifier, text, parts):
    assert figures.figure_text(D(value), unit, published, kind, qualifier, with_unit=False) == text
    assert figures.figure_parts(D(value), unit, published, kind, qualifier) == parts


def test_scale_can_be_turned_off():
    assert figures.figure_text(D("16000"), "标箱", 0, "level", scale=False) == "16000标箱"
    assert figures.figure_parts(D("16000"), "标箱", 0, "level", scale=False) == ("16000", "标箱")


@pytest.mark.parametrize(
    ("value", "published", "kind", "qualifier", "expected"),
    [("455", 1, "level", "", 0), ("483.8", 1, "count", "", 1), ("483.85", 1, "level", "", 1),
     ("6", 1, "growth", "", 1), ("8", 1, "growth", "以上", 0), ("3.6", 0, "share", "超过", 0),
     ("1E+3", 2, "level", "", 0)],
)
def test_decimals_shown(value, published, kind, qualifier, expected):
    assert figures.decimals_shown(D(value), published, kind, qualifier) == expected


def test_negative_bounds_round_their_magnitude_and_zero_has_no_sign():
    assert figures.number(D("-3.66"), 1, "超过") == "-3.6"
    assert figures.number(D("-3.62"), 1, "近") == "-3.7"
    assert figures.number(D("-0.04"), 1) == "0.0"
    assert figures.number(D("-0.04"), 1, "超过") == "0.0"


def test_an_unknown_qualifier_is_an_error():
    with pytest.raises(ValueError, match="左右"):
        figures.figure_text(D("5"), "%", 0, "share", "左右")


@pytest.mark.parametrize(
    ("values", "decimals", "total", "expected"),
    [
        (["35.5", "27.1", "37.4"], 1, 100, ["35.5", "27.1", "37.4"]),  # already exact: unchanged
        (["35.45", "27.15", "37.40"], 1, 100, ["35.5", "27.1", "37.4"]),  # half-up each would be 100.1
        (["33.3333", "33.3333", "33.3334"], 1, 100, ["33.3", "33.3", "33.4"]),
        (["33.3333", "33.3333", "33.3334"], 0, 100, ["33", "33", "34"]),
        (["1.004", "2.004", "3.002"], 2, "6.01", ["1.01", "2.00", "3.00"]),  # a tie: the earlier value
        (["600.4", "399.6"], 0, 1000, ["600", "400"]),
    ],
)
def test_largest_remainder_sums_to_the_total(values, decimals, total, expected):
    rounded = largest_remainder([D(v) for v in values], decimals, D(str(total)))
    assert [f"{v:f}" for v in rounded] == expected
    assert sum(rounded) == D(str(total))


def test_largest_remainder_refuses_an_unreachable_total():
    with pytest.raises(ValueError, match="cannot be rounded to a total of 100"):
        largest_remainder([D("10"), D("20")], 1, 100)
    with pytest.raises(ValueError, match="cannot be reached with 0 decimals"):
        largest_remainder([D("50.5"), D("50")], 0, D("100.5"))


# -- one figure, four places ------------------------------------------------------------------

_FIGURES = {
    # id: (unit, kind, decimals, value, qualifier)
    "firms": ("家", "count", 0, "140000", ""),
    "firms_more": ("家", "count", 0, "140000", "余"),
    "served": ("万家", "count", 0, "360.7", "超过"),
    "trained": ("万人", "level", 0, "39.2", "近"),
    "rate": ("%", "growth", 1, "8.96", "以上"),
    "about": ("%", "share", 0, "5.5", "约"),
    "apps": ("万个", "count", 1, "455", ""),
    "flat": ("%", "growth", 1, "6", ""),
}

# What the text, the appendix, a table cell with a unit column and a chart label print.
_PRINTED = {
    "firms": ("14万家", "14", "万家", "14万"),
    "firms_more": ("14万余家", "14余", "万家", "14万余"),
    "served": ("超过360万家", "超过360", "万家", "超过360"),
    "trained": ("近40万人", "近40", "万人", "近40"),
    "rate": ("8.9%以上", "8.9以上", "%", "8.9以上"),
    "about": ("约6%", "约6", "%", "约6"),
    "apps": ("455万个", "455", "万个", "455"),
    "flat": ("6.0%", "6.0", "%", "6.0"),
}


@pytest.fixture(scope="module")
def four_places() -> Dataset:
    catalog = {i: Indicator(i, f"指标{i}", "s", unit, kind, d, "工业和信息化部")
               for i, (unit, kind, d, _, _) in _FIGURES.items()}
    observations = [Observation(i, H1, D(v), unit, q) for i, (unit, _, _, v, q) in _FIGURES.items()]
    return Dataset(catalog, {"s": Sector("s", "部门", tuple(catalog))}, observations, [])


@pytest.mark.parametrize("indicator", sorted(_FIGURES))
def test_text_table_chart_and_appendix_print_a_figure_alike(four_places, indicator):
    text, number, unit, label = _PRINTED[indicator]
    obs = four_places.get(indicator, H1)
    ind = four_places.indicator(indicator)
    decimals = figures.decimals_shown(obs.value, ind.decimals, ind.kind, obs.qualifier)
    assert phrases.level(obs.value, obs.unit, decimals, obs.qualifier) == text
    assert figures.figure_text(obs.value, obs.unit, ind.decimals, ind.kind, obs.qualifier) == text

    [row] = appendix(SimpleNamespace(used=[obs]), four_places, "full").blocks[0].rows
    assert row == [ind.name, "2025年上半年", text, "工业和信息化部"]

    table = build_table(TableSpec.model_validate({
        "id": "t", "title": "t", "columns": [{"label": "单位", "show": "unit"}, {"label": "数值"}],
        "rows": [{"value": indicator}]}), four_places, H1)
    assert table.rows == [[ind.name, unit, number]]
    bare = build_table(TableSpec.model_validate({
        "id": "t", "title": "t", "columns": [{"label": "数值"}], "rows": [{"value": indicator}]}), four_places, H1)
    assert bare.rows == [[ind.name, label]]

    chart = chart_data(ChartSpec.model_validate({
        "id": "c", "title": "c", "type": "bar", "series": [{"label": "值"}],
        "categories": [{"indicator": indicator}]}), four_places, H1)
    assert chart.series[0].texts == (label,)


def test_the_appendix_marks_a_figure_the_catalog_derived():
    catalog = {
        "nev": Indicator("nev", "新能源汽车销量", "s", "万辆", "level", 1, "中国汽车工业协会"),
        "cars": Indicator("cars", "汽车销量", "s", "万辆", "level", 1, "中国汽车工业协会"),
        "share": Indicator("share", "新能源汽车新车销量占比", "s", "%", "share", 1, "中国汽车工业协会",
                           derive=Derivation("share", ("nev", "cars"))),
    }
    observations = [Observation("nev", H1, D("693.7"), "万辆"), Observation("cars", H1, D("1565.3"), "万辆")]
    data = Dataset(catalog, {"s": Sector("s", "汽车", tuple(catalog))}, observations, [])
    used = [data.get("share", H1), data.get("nev", H1)]
    assert appendix(SimpleNamespace(used=used), data, "full").blocks[0].rows == [
        ["新能源汽车新车销量占比", "2025年上半年", "44.3%", "中国汽车工业协会（根据新能源汽车销量、汽车销量计算）"],
        ["新能源汽车销量", "2025年上半年", "693.7万辆", "中国汽车工业协会"],
    ]
    compact = appendix(SimpleNamespace(used=used, chapters=["s"]), data, "compact", {"s": "汽车产业"}).blocks[0]
    assert compact.header == [["指标", "数值", "单位", "说明"]]
    assert compact.rows == [
        ["汽车产业（2025年上半年，中国汽车工业协会）"],
        ["新能源汽车新车销量占比", "44.3", "%", "根据新能源汽车销量、汽车销量计算"],
        ["新能源汽车销量", "693.7", "万辆", ""],
    ]
    assert compact.group_rows == [0]
