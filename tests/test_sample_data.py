"""The sample data set (the sample project's data/) against its source text.

The source is the press conference on industrial and IT development in H1 2025
(tests/sources/, a copy of the shared source). Every figure a reader finds in it
must be an observation, read as published (value, unit, qualifier), and every
figure the source states that follows from others must follow from them.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from jianbao.data import Dataset, Observation, load_dataset
from jianbao.resources import builtin_path

DATA_DIR = builtin_path("sample", "data")
SOURCE = Path(__file__).parent / "sources" / "miit-2025h1-press-conference.zh.txt"

SECTORS = {
    "industry": "工业经济总体运行",
    "equipment": "装备制造业",
    "electronics": "电子信息制造业和软件业",
    "telecom": "信息通信业",
    "consumer": "消费品工业",
    "green": "传统产业绿色化转型",
    "sme": "中小企业",
}

# Observations per sector (regional ones included). Exact, so that a lost or
# duplicated row shows; the closing note of issue 2 reports these numbers.
EXPECTED_COUNTS = {
    "industry": 16,
    "equipment": 30,
    "electronics": 21,
    "telecom": 23,
    "consumer": 11,
    "green": 6,
    "sme": 16,
}

# Digits in the source that are not figures, each pattern with how often it
# occurs there (so the list can neither go stale nor hide a new figure).
NOT_FIGURES = [
    (r"(?<![\d.])5G", 12, "technology name: 5G, 5G-A, “5G+工业互联网”"),
    (r"6G", 2, "technology name"),
    (r"AG600", 1, "aircraft name"),
    (r"AS700D", 1, "airship name"),
    (r"512工程", 1, "programme name: “5G+工业互联网”512工程"),
    (r"“618”", 1, "shopping festival name: the period 2025@618"),
    (r"1—5月", 4, "period 2025M01-05 (and the PPI comparison base)"),
    (r"6月底", 2, "period 2025-06-30"),
    (r"3月底", 1, "period 2025-03-31"),
    (r"在6月组织", 1, "the month the 服务月 was held: period 2025M06"),
    (r"7月18日", 1, "date of the press conference"),
    (r"2025年上半年", 1, "period 2025H1 in the closing note"),
    (r"2025年度", 1, "name: 2025年度视听系统典型案例征集"),
    (r"2025—2027年", 1, "plan name: 制造业绿色低碳发展行动方案（2025—2027年）"),
    (r"到2027年", 1, "period 2027 of the targets"),
    # Tallies of items named right beside them ("机械和电力装备2个行业"): structure, not statistics.
    (r"2个行业", 1, "tally of 机械、电力装备"),
    (r"4个重点行业", 1, "tally of 钢铁、有色金属、石化化工、建材"),
    (r"4个方面", 1, "tally of 原料、用能、工艺、产品"),
    (r"4个特点", 1, "tally of the 一是…四是 list that follows"),
    # A figure said twice is one observation.
    (r"增加值的比重为35\.5%", 1, "equipment_va_share, already said by 谢少锋"),
    (r"电信业务总量同比增长9\.3%(?=记者)", 1, "section heading repeating telecom_business_volume_growth"),
    (r"已连续5年开展", 1, "the reporter's question repeating sme_service_month_years"),
]

# Figures the source gives in words, or (fixed-asset investment) implies; the
# text the source uses for each. They cannot be matched digit for digit.
WORDED = {
    ("equipment_export_price_rising_months", ""): (Decimal(2), "连续两个月回升"),
    ("equipment_key_industries_fai_growth", ""): (Decimal(10), "等制造业固定资产投资实现两位数增长"),
    ("industry_profit_growth", "河南"): (Decimal(10), "江苏实现两位数增长"),
    ("industry_profit_growth", "湖南"): (Decimal(10), "江苏实现两位数增长"),
    ("industry_profit_growth", "湖北"): (Decimal(10), "江苏实现两位数增长"),
    ("industry_profit_growth", "江苏"): (Decimal(10), "江苏实现两位数增长"),
    ("ai_terminal_models", ""): (Decimal(100), "已超百款"),
    ("smart_toilet_global_sales_share", ""): (Decimal(6), "销量已占全球六成以上"),
    ("fixed_asset_investment_growth", ""): (Decimal("2.8"), "增速高于全国固定资产投资14.5个百分点"),
}

# Figures whose qualifier the source sets apart from the number ("仅约为原生铝的5%").
SPLIT = {"recycled_aluminum_emission_ratio": r"约为原生铝的5%"}

PREFIX_QUALIFIERS = ("超过", "超", "近", "约")
INFIX_QUALIFIERS = ("余", "多")


def source_text() -> str:
    """The source with the PDF layout undone: no spaces or line breaks inside numbers or words."""
    return re.sub(r"\s+", "", SOURCE.read_text(encoding="utf-8"))


def figure_text() -> str:
    """The source with every NOT_FIGURES occurrence blanked out."""
    text = source_text()
    for pattern, _, _ in NOT_FIGURES:
        text = re.sub(pattern, "■", text)
    return text


def numbers(text: str) -> list[Decimal]:
    return [Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


def observation_counts(dataset: Dataset) -> dict[str, int]:
    """Observations per sector, in catalog order: the numbers a closing note reports."""
    counts = Counter(dataset.indicator(o.indicator).sector for o in dataset.observations())
    return {sector: counts[sector] for sector in dataset.sectors}


def published_pattern(obs: Observation) -> str:
    """A regex for the figure as the source prints it: 超过374万架, 3000余个, 8%以上, 6.4%."""
    q = obs.qualifier
    number = re.escape(str(obs.value))
    lead = re.escape(q) if q in PREFIX_QUALIFIERS else "(?<!超)(?<!过)(?<!近)(?<!约)"
    infix = re.escape(q) if q in INFIX_QUALIFIERS else ""
    tail = "以上" if q == "以上" else ""
    return rf"{lead}(?<![\d.]){number}{infix}{re.escape(obs.unit)}{tail}"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(DATA_DIR)


# -- structure ---------------------------------------------------------------


def test_sectors_in_order_with_their_names(dataset: Dataset) -> None:
    assert {sid: s.name for sid, s in dataset.sectors.items()} == SECTORS
    assert list(dataset.sectors) == list(SECTORS)


def test_observation_counts_per_sector(dataset: Dataset) -> None:
    assert observation_counts(dataset) == EXPECTED_COUNTS
    assert sum(EXPECTED_COUNTS.values()) == len(dataset.observations()) == 123


def test_every_indicator_has_data_and_a_known_source(dataset: Dataset) -> None:
    observed = {o.indicator for o in dataset.observations()}
    assert set(dataset.catalog) == observed
    sources = {i.source for i in dataset.catalog.values()}
    assert sources == {"国家统计局", "工业和信息化部", "中国汽车工业协会"}
    auto = {i.id for i in dataset.catalog.values() if i.source == "中国汽车工业协会"}
    assert auto == {i for i in dataset.catalog if i.startswith(("auto_", "nev_"))}


def test_every_sector_has_highlights_and_next_steps(dataset: Dataset) -> None:
    for sector in SECTORS:
        items = dataset.highlights(sector, "2025H1")
        kinds = {h.kind for h in items}
        assert "next_step" in kinds and kinds & {"highlight", "policy"}, sector
        assert all(h.sector == sector and h.title and h.text.endswith("。") for h in items)


def test_highlight_text_leaves_the_figures_to_the_observations(dataset: Dataset) -> None:
    """Highlights carry names (AG600, 5G, 2025年度) but no figure a template weaves in."""
    for sector in SECTORS:
        for h in dataset.highlights(sector, "2025H1"):
            text = re.sub(r"\{[a-z][a-z0-9_]*\}", "■", h.text)  # {indicator_id}: the figure comes from data
            for pattern, _, _ in NOT_FIGURES:
                text = re.sub(pattern, "■", text)
            assert numbers(text) == [], h.text


# -- coverage ------------------------------------------------------------------


def test_not_figures_whitelist_matches_the_source() -> None:
    text = source_text()
    found = {pattern: len(re.findall(pattern, text)) for pattern, _, _ in NOT_FIGURES}
    assert found == {pattern: count for pattern, count, _ in NOT_FIGURES}


def test_every_number_of_the_source_is_an_observation(dataset: Dataset) -> None:
    """Each number in the source, as often as it occurs, is the value of an observation."""
    in_source = Counter(numbers(figure_text()))
    in_data = Counter(o.value for o in dataset.observations())
    missing = {value: n - in_data[value] for value, n in in_source.items() if in_data[value] < n}
    assert missing == {}


def test_every_observation_reads_as_published(dataset: Dataset) -> None:
    """Value, unit and qualifier of each observation appear together in the source."""
    text = figure_text()
    unread = []
    for obs in dataset.observations():
        if (obs.indicator, obs.region) in WORDED:
            continue
        pattern = SPLIT.get(obs.indicator) or published_pattern(obs)
        if not re.search(pattern, text):
            unread.append(f"{obs.indicator} {obs.region} {obs.qualifier}{obs.value}{obs.unit}")
    assert unread == []


def test_figures_in_words_match_the_source(dataset: Dataset) -> None:
    text = source_text()
    for (indicator, region), (value, phrase) in WORDED.items():
        observations = dataset.observations(indicator=indicator, region=region)
        assert [o.value for o in observations] == [value], (indicator, region)
        assert phrase in text, phrase


# -- periods, regions, qualifiers ------------------------------------------------


def test_industrial_growth_by_quarter_and_half(dataset: Dataset) -> None:
    assert dataset.value("industry_va_growth", "2025Q1") == Decimal("6.5")
    assert dataset.value("industry_va_growth", "2025Q2") == Decimal("6.3")
    assert dataset.value("industry_va_growth", "2025H1") == Decimal("6.4")
    assert dataset.previous("industry_va_growth", "2025Q2").value == Decimal("6.5")
    # 二季度增速比一季度回落0.2个百分点
    assert dataset.difference(
        "industry_va_growth", "industry_va_growth", "2025Q2", period_b="2025Q1"
    ) == Decimal("-0.2")


def test_provinces_growing_8_percent_or_more(dataset: Dataset) -> None:
    above = dataset.at_least("industry_va_growth", "2025H1", Decimal(8))
    assert [o.region for o in above] == ["福建", "安徽", "河南", "湖南"]
    assert {(o.value, o.unit, o.qualifier) for o in above} == {(Decimal(8), "%", "以上")}
    assert dataset.value("industry_provinces_growing", "2025H1") == 31


def test_provinces_with_double_digit_profit_growth(dataset: Dataset) -> None:
    regional = dataset.regions("industry_profit_growth", "2025M01-05")
    assert [o.region for o in regional] == ["河南", "湖南", "湖北", "江苏"]
    assert {(o.value, o.qualifier) for o in regional} == {(Decimal(10), "以上")}
    assert dataset.get("industry_profit_growth", "2025M01-05") is None  # no national figure in the source
    assert dataset.value("industry_major_provinces_profit_above_avg", "2025M01-05") == 8


@pytest.mark.parametrize(
    ("indicator", "period", "value", "unit", "qualifier"),
    [
        ("g5_base_stations", "2025-06-30", "455", "万个", ""),
        ("g5_user_penetration", "2025-06-30", "79", "%", "超"),
        ("compute_standard_racks", "2025-03-31", "1043", "万架", ""),
        ("intelligent_compute_capacity", "2025-03-31", "748", "EFLOPS", ""),
        ("drone_registered_products", "2025-06-30", "374", "万架", "超过"),
        ("ai_glasses_jd_618_growth", "2025@618", "7", "倍", ""),
        ("scrap_steel_share_target", "2027", "22", "%", ""),
        ("scrap_copper_share_target", "2027", "30", "%", ""),
        ("scrap_aluminum_share_target", "2027", "25", "%", ""),
        ("textile_carbon_intensity_reduction", "2024-2025", "14", "%", "超过"),
        ("universal_service_years", "2016-2025", "10", "年", ""),
        ("mobile_traffic_double_digit_months", "2025H1", "6", "个月", ""),
        ("sme_service_month_years", "2025H1", "5", "年", ""),
        ("elderly_friendly_sites", "2025H1", "3000", "个", "余"),
        ("sme_talent_trained", "2025H1", "40", "万人", "近"),
        ("recycled_aluminum_energy_ratio_low", "2025H1", "5", "%", ""),
        ("recycled_aluminum_energy_ratio_high", "2025H1", "8", "%", ""),
        ("recycled_aluminum_emission_ratio", "2025H1", "5", "%", "约"),
        ("equipment_profit_growth", "2025M01-05", "7.2", "%", ""),
        ("specialized_smes", "2025-07-18", "14", "万家", "超过"),
    ],
)
def test_periods_units_and_qualifiers(
    dataset: Dataset, indicator: str, period: str, value: str, unit: str, qualifier: str
) -> None:
    obs = dataset.get(indicator, period)
    assert obs is not None
    assert (obs.value, obs.unit, obs.qualifier) == (Decimal(value), unit, qualifier)


# -- derived figures equal the published ones -----------------------------------


def test_nev_share_of_new_car_sales(dataset: Dataset) -> None:
    assert dataset.share("nev_sales", "auto_sales", "2025H1") == Decimal("44.3")
    assert dataset.value("nev_sales_share", "2025H1") == Decimal("44.3")


def test_electronics_growth_above_all_industry(dataset: Dataset) -> None:
    gap = dataset.difference("electronics_va_growth", "industry_va_growth", "2025H1")
    assert gap == dataset.value("electronics_va_growth_gap", "2025H1") == Decimal("4.7")


def test_fixed_asset_investment_growth_implied_by_equipment_purchases(dataset: Dataset) -> None:
    purchases = dataset.value("equipment_purchase_investment_growth", "2025H1")
    gap = dataset.value("equipment_purchase_investment_gap", "2025H1")
    fai = dataset.get("fixed_asset_investment_growth", "2025H1")
    assert purchases - gap == fai.value == Decimal("2.8")
    assert "由设备工器具购置投资增速推算" in fai.note
    assert dataset.difference(
        "equipment_purchase_investment_growth", "fixed_asset_investment_growth", "2025H1"
    ) == gap == Decimal("14.5")
