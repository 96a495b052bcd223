"""Phrase functions, case by case: zero, negatives, exactly 100%, values that round to zero, half-up."""

from decimal import Decimal as D

import pytest

from jianbao.narrative import phrases


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (D("6.4"), 1, "6.4"),
        (D("6"), 1, "6.0"),  # rates keep the trailing zero
        (D("2.25"), 1, "2.3"),  # half-up, not banker's or binary-float rounding
        (D("2.35"), 1, "2.4"),
        (D("-2.25"), 1, "-2.3"),
        (D("-0.04"), 1, "0.0"),  # never "-0.0"
        (D("85.5"), 0, "86"),
        (D("11.175"), 2, "11.18"),
    ],
)
def test_number(value, decimals, expected):
    assert phrases.number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (D("6.4"), {}, "增长6.4%"),
        (D("-1.2"), {}, "下降1.2%"),
        (D("0"), {}, "持平"),
        (D("0.04"), {}, "持平"),  # rounds to zero
        (D("-0.04"), {}, "持平"),
        (D("0.05"), {}, "增长0.1%"),  # half-up boundary
        (D("-0.05"), {}, "下降0.1%"),
        (D("2.25"), {}, "增长2.3%"),
        (D("6"), {}, "增长6.0%"),
        (D("11.18"), {"decimals": 2}, "增长11.18%"),
        (D("100"), {}, "增长100.0%"),  # exactly 100%, in %
        (D("100"), {"in_times": True}, "增长1倍"),  # exactly 100%, in 倍
        (D("99.96"), {"in_times": True}, "增长1倍"),  # rounds to 100.0
        (D("99.94"), {"in_times": True}, "增长99.9%"),
        (D("700"), {"in_times": True}, "增长7倍"),
        (D("150"), {"in_times": True}, "增长1.5倍"),
        (D("75.2"), {"in_times": True}, "增长75.2%"),
        (D("-100"), {"in_times": True}, "下降100.0%"),  # a fall is never in 倍
        (D("7"), {"unit": "倍", "decimals": 0}, "增长7倍"),  # the source's 同比增长7倍 (a multiple)
        (D("10"), {"qualifier": "超过", "decimals": 0}, "增长超过10%"),
        (D("8"), {"qualifier": "以上", "decimals": 0}, "增长8%以上"),
        (D("-3"), {"qualifier": "近", "decimals": 0}, "下降近3%"),
    ],
)
def test_growth(value, kwargs, expected):
    assert phrases.growth(value, **kwargs) == expected


def test_growth_refuses_a_level_unit():
    with pytest.raises(ValueError, match="万辆"):
        phrases.growth(D("1562.1"), unit="万辆")


@pytest.mark.parametrize(
    ("current", "previous", "than", "expected"),
    [
        (D("6.4"), D("6.5"), "一季度", "增速比一季度回落0.1个百分点"),
        (D("6.3"), D("6.5"), "", "增速回落0.2个百分点"),
        (D("6.8"), D("6.5"), "一季度", "增速比一季度加快0.3个百分点"),
        (D("6.5"), D("6.5"), "一季度", "增速与一季度持平"),
        (D("6.54"), D("6.45"), "一季度", "增速与一季度持平"),  # both print as 6.5
        (D("-3.2"), D("-5.0"), "1—4月", "降幅比1—4月收窄1.8个百分点"),
        (D("-2.4"), D("-1.0"), "一季度", "降幅比一季度扩大1.4个百分点"),
        (D("-1.0"), D("-1.0"), "一季度", "降幅与一季度持平"),
        (D("-0.8"), D("1.5"), "一季度", "较一季度由增转降"),
        (D("0.5"), D("-1.2"), "上年同期", "较上年同期由降转增"),
        (D("-0.8"), D("1.5"), "", "由增转降"),
        (D("0.5"), D("-1.2"), "", "由降转增"),
        (D("0"), D("1.5"), "一季度", "较一季度由增长转为持平"),
        (D("0.02"), D("-1.5"), "一季度", "较一季度由下降转为持平"),  # 0.02 prints as 0.0
        (D("1.2"), D("0"), "一季度", "较一季度由持平转为增长"),
        (D("-1.2"), D("0"), "一季度", "较一季度由持平转为下降"),
        (D("0"), D("0"), "一季度", "增速与一季度持平"),
        (D("2.25"), D("2.0"), "一季度", "增速比一季度加快0.3个百分点"),  # compared as printed: 2.3 vs 2.0
    ],
)
def test_rate_change(current, previous, than, expected):
    assert phrases.rate_change(current, previous, than=than) == expected


@pytest.mark.parametrize(
    ("current", "previous", "than", "expected"),
    [
        (D("35.5"), D("34.9"), "上年同期", "比上年同期提高0.6个百分点"),
        (D("34.9"), D("35.5"), "上年同期", "比上年同期下降0.6个百分点"),
        (D("35.5"), D("35.5"), "上年同期", "与上年同期持平"),
        (D("35.5"), D("35.54"), "", "持平"),
    ],
)
def test_point_change(current, previous, than, expected):
    assert phrases.point_change(current, previous, than=than) == expected


@pytest.mark.parametrize(
    ("a", "b", "than", "expected"),
    [
        (D("11.1"), D("6.4"), "同期工业增加值增速", "高于同期工业增加值增速4.7个百分点"),
        (D("6.4"), D("11.1"), "同期工业增加值增速", "低于同期工业增加值增速4.7个百分点"),
        (D("6.4"), D("6.4"), "全国平均水平", "与全国平均水平持平"),
        (D("6.44"), D("6.36"), "全国平均水平", "与全国平均水平持平"),  # both print as 6.4
        (D("-1.2"), D("-3.4"), "全国", "高于全国2.2个百分点"),
        (D("11.1"), D("6.4"), "", "高4.7个百分点"),
        (D("2.25"), D("1"), "全国", "高于全国1.3个百分点"),
    ],
)
def test_compare_rates(a, b, than, expected):
    result = phrases.compare_rates(a, b, than=than)
    assert result == expected
    assert "%" not in result


@pytest.mark.parametrize(
    ("diff", "expected"),
    [(D("14.5"), "高于全国固定资产投资14.5个百分点"), (D("-0.6"), "低于全国固定资产投资0.6个百分点"),
     (D("0"), "与全国固定资产投资持平"), (D("-0.04"), "与全国固定资产投资持平")],
)
def test_difference(diff, expected):
    assert phrases.difference(diff, than="全国固定资产投资") == expected


@pytest.mark.parametrize(
    ("value", "what", "expected"),
    [
        (D("3.4"), "全部规模以上工业", "拉动全部规模以上工业增长3.4个百分点"),
        (D("2.4"), "全部规模以上工业利润", "拉动全部规模以上工业利润增长2.4个百分点"),
        (D("-0.5"), "全部规模以上工业", "拉低全部规模以上工业增速0.5个百分点"),
        (D("0.04"), "全部规模以上工业", "对全部规模以上工业增长无拉动"),
        (D("3.45"), "", "拉动增长3.5个百分点"),
    ],
)
def test_pull(value, what, expected):
    assert phrases.pull(value, what=what) == expected


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (D("86"), {}, "贡献率达86%"),
        (D("86"), {"what": "全部投资"}, "对全部投资增长的贡献率达86%"),
        (D("85.5"), {}, "贡献率达86%"),
        (D("100"), {}, "贡献率达100%"),
        (D("0"), {}, "贡献率为0%"),
        (D("-12"), {}, "贡献率为-12%"),
        (D("52.35"), {"decimals": 1}, "贡献率达52.4%"),
    ],
)
def test_contribution(value, kwargs, expected):
    assert phrases.contribution(value, **kwargs) == expected


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (D("35.5"), {"of": "全部规模以上工业增加值"}, "占全部规模以上工业增加值的35.5%"),
        (D("44.3"), {}, "占比44.3%"),
        (D("100"), {"of": "全国"}, "占全国的100.0%"),
        (D("0.04"), {"of": "全国"}, "占全国的0.0%"),
        (D("51.75"), {"of": "全球"}, "占全球的51.8%"),
    ],
)
def test_share(value, kwargs, expected):
    assert phrases.share(value, **kwargs) == expected


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "qualifier", "expected"),
    [
        (D("1562.1"), "万辆", 1, "", "1562.1万辆"),
        (D("6"), "成", 0, "以上", "六成以上"),
        (D("6.5"), "成", 1, "", "6.5成"),
        (D("1498"), "万辆", 1, "", "1498.0万辆"),
        (D("9055"), "亿元", 0, "", "9055亿元"),
        (D("55788"), "亿元", 0, "", "55788亿元"),  # a magnitude unit is never rescaled
        (D("11.18"), "亿户", 2, "", "11.18亿户"),
        (D("140000"), "家", 0, "", "14万家"),
        (D("140000"), "家", 0, "超过", "超过14万家"),
        (D("140000"), "家", 0, "余", "14万余家"),
        (D("152300"), "家", 0, "", "15.23万家"),  # every published digit kept
        (D("18500"), "个", 0, "", "1.85万个"),
        (D("9999"), "个", 0, "", "9999个"),
        (D("905500000000"), "元", 0, "", "9055亿元"),
        (D("3000"), "个", 0, "余", "3000余个"),
        (D("40"), "万人", 0, "近", "近40万人"),
        (D("40"), "万人", 0, "余", "40万余人"),
        (D("79"), "%", 0, "超过", "超过79%"),
        (D("8"), "%", 0, "以上", "8%以上"),
        (D("5"), "%", 0, "约", "约5%"),
        (D("748"), "EFLOPS", 0, "", "748EFLOPS"),
        (D("4.7"), "个百分点", 1, "", "4.7个百分点"),
        (D("0"), "家", 0, "", "0家"),
        (D("0.04"), "万辆", 1, "", "0.0万辆"),  # rounds to zero
        (D("2.25"), "万辆", 1, "", "2.3万辆"),
    ],
)
def test_level(value, unit, decimals, qualifier, expected):
    assert phrases.level(value, unit, decimals, qualifier) == expected


def test_level_can_keep_a_base_unit_unscaled():
    assert phrases.level(D("16000"), "标箱", 0, scale=False) == "16000标箱"
    assert phrases.level(D("16000"), "标箱", 0) == "1.6万标箱"


def test_unknown_qualifier_is_an_error():
    with pytest.raises(ValueError, match="左右"):
        phrases.level(D("5"), "%", 0, "左右")


@pytest.mark.parametrize(
    ("items", "dun", "and_"),
    [
        (["福建"], "福建", "福建"),
        (["福建", "安徽"], "福建、安徽", "福建和安徽"),
        (["福建", "安徽", "河南", "湖南"], "福建、安徽、河南、湖南", "福建、安徽、河南和湖南"),
    ],
)
def test_lists(items, dun, and_):
    assert phrases.dun_list(items) == dun
    assert phrases.and_list(items) == and_


def test_an_empty_list_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        phrases.and_list([])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([D("6.5"), D("6.3")], "分别增长6.5%和6.3%"),
        ([D("51.7"), D("68.3"), D("64.9")], "分别增长51.7%、68.3%和64.9%"),
        ([D("-1.5"), D("-2.25")], "分别下降1.5%和2.3%"),
        ([D("6.5"), D("-1.2")], "分别增长6.5%和下降1.2%"),
        ([D("6.5"), D("6.5")], "均增长6.5%"),
        ([D("0"), D("0.01")], "均持平"),
        ([D("6.5"), D("0")], "分别增长6.5%和持平"),
        ([D("6.4")], "增长6.4%"),
    ],
)
def test_respectively(values, expected):
    assert phrases.respectively(values) == expected


# -- bounds round the way their claim stays true (超过/超/以上/余/多 down, 近 up, 约 half-up) ------


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (D("7.86"), {"qualifier": "超过"}, "增长超过7.8%"),
        (D("7.86"), {"qualifier": "超"}, "增长超7.8%"),
        (D("8.99"), {"qualifier": "以上", "decimals": 0}, "增长8%以上"),
        (D("7.81"), {"qualifier": "近"}, "增长近7.9%"),
        (D("7.85"), {"qualifier": "约"}, "增长约7.9%"),
        (D("7.84"), {"qualifier": "约"}, "增长约7.8%"),
        (D("-3.66"), {"qualifier": "超过"}, "下降超过3.6%"),  # the fall is more than 3.6
        (D("-3.61"), {"qualifier": "近"}, "下降近3.7%"),
        (D("0.04"), {"qualifier": "超过"}, "持平"),
        (D("759"), {"qualifier": "超过", "in_times": True}, "增长超过7.5倍"),
        (D("7.9"), {"qualifier": "近", "unit": "倍", "decimals": 0}, "增长近8倍"),
    ],
)
def test_growth_rounds_a_bound_toward_its_claim(value, kwargs, expected):
    assert phrases.growth(value, **kwargs) == expected


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "qualifier", "expected"),
    [
        (D("3.6"), "%", 0, "超过", "超过3%"),
        (D("3.6"), "%", 0, "超", "超3%"),
        (D("8.7"), "%", 0, "以上", "8%以上"),
        (D("3000.9"), "个", 0, "余", "3000余个"),
        (D("3000.9"), "个", 0, "多", "3000多个"),
        (D("39.2"), "万人", 0, "近", "近40万人"),
        (D("5.5"), "%", 0, "约", "约6%"),
        (D("145678.9"), "家", 0, "超过", "超过14.5678万家"),
        (D("139999.2"), "家", 0, "近", "近14万家"),
        (D("455"), "万个", 0, "", "455万个"),  # the caller's decimals: figures.decimals_shown gives 0 here
    ],
)
def test_level_rounds_a_bound_toward_its_claim(value, unit, decimals, qualifier, expected):
    assert phrases.level(value, unit, decimals, qualifier) == expected


def test_rate_share_pull_and_contribution_round_a_bound_toward_its_claim():
    assert phrases.rate(D("79.8"), 0, "超过") == "超过79%"
    assert phrases.rate(D("79.2"), 0, "近") == "近80%"
    assert phrases.share(D("51.79"), of="全球", qualifier="超过") == "占全球的超过51.7%"
    assert phrases.share(D("51.71"), qualifier="近") == "占比近51.8%"
    assert phrases.pull(D("3.49"), what="规上工业", qualifier="超过") == "拉动规上工业增长超过3.4个百分点"
    assert phrases.pull(D("3.41"), qualifier="近") == "拉动增长近3.5个百分点"
    assert phrases.contribution(D("80.6"), qualifier="超过") == "贡献率超过80%"  # no 达超过
    assert phrases.contribution(D("89.2"), what="全部投资", qualifier="近") == "对全部投资增长的贡献率近90%"
    assert phrases.contribution(D("85.5"), qualifier="约") == "贡献率约86%"
    assert phrases.number(D("2.29"), 1, "超过") == "2.2"
    assert phrases.number(D("2.21"), 1, "近") == "2.3"


@pytest.mark.parametrize(
    ("values", "qualifiers", "expected"),
    [
        ([D("8"), D("6.5")], ["以上", ""], "分别增长8%以上和6.5%"),  # the bound keeps its 以上 and its digits
        ([D("8"), D("8")], ["以上", "以上"], "均增长8%以上"),
        ([D("10.76"), D("-1.2")], ["超过", ""], "分别增长超过10.7%和下降1.2%"),
        ([D("6"), D("39.2")], ["", "近"], "分别增长6.0%和近39.2%"),
        ([D("6.5"), D("6.3")], None, "分别增长6.5%和6.3%"),
    ],
)
def test_respectively_keeps_each_qualifier(values, qualifiers, expected):
    assert phrases.respectively(values, 1, qualifiers=qualifiers) == expected


def test_respectively_needs_one_qualifier_per_value():
    with pytest.raises(ValueError, match="one qualifier per value"):
        phrases.respectively([D("6.5"), D("6.3")], qualifiers=["以上"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5G用户达到超过12亿户", "5G用户超过12亿户"),
        ("5G用户达超12亿户", "5G用户超过12亿户"),
        ("5G用户达超过12亿户", "5G用户超过12亿户"),
        ("培训人才达近40万人", "培训人才近40万人"),
        ("培训人才达到近40万人", "培训人才近40万人"),
        ("比重达约5%", "比重约5%"),
        ("国内厂商研发的产品达超百款", "国内厂商研发的产品超过百款"),
        ("汽车产量达1562.1万辆，5G基站达到455万个", "汽车产量达1562.1万辆，5G基站达到455万个"),  # plain figures keep 达
        ("达超导材料", "达超导材料"),  # not a qualifier: no number follows
        ("超过12亿户，近40万人", "超过12亿户，近40万人"),
    ],
)
def test_tidy_qualifiers(text, expected):
    assert phrases.tidy_qualifiers(text) == expected
