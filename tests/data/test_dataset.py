from decimal import Decimal

import pytest

from jianbao.data import DataLookupError, Dataset, Indicator, Observation, Sector
from jianbao.periods import parse_period


def test_sectors_and_indicators_in_file_order(good):
    assert list(good.sectors) == ["industry", "equipment"]
    assert good.sectors["equipment"] == Sector(
        "equipment", "装备工业", ("auto_production", "auto_sales", "nev_sales", "g5_users"))
    assert good.indicator("nev_sales") == Indicator(
        "nev_sales", "新能源汽车销量", "equipment", "万辆", "level", 1, "中国汽车工业协会", "含出口")


def test_look_ups(good):
    observation = good.get("auto_production", "2025H1")
    assert observation.value == Decimal("1562.1")  # "1,562.1": thousands separator dropped
    assert (observation.unit, observation.region, observation.qualifier) == ("万辆", "", "")
    assert observation.origin == "data/observations/equipment.csv:2"
    assert good.value("g5_users", parse_period("2025-06-30")) == Decimal("11.18")
    assert str(good.value("industry_va_growth", "2024H1")) == "6.0"  # published precision kept
    assert good.get("industry_va_growth", "2025H1", "福建").qualifier == "以上"
    assert good.get("industry_va_growth", "2023H1") is None
    assert good.get("industry_va_growth", "2025H1", "全国") == good.get("industry_va_growth", "2025H1")


def test_missing_observation_and_unknown_ids_are_named(good):
    with pytest.raises(DataLookupError) as info:
        good.value("industry_va_growth", "2025Q3", "福建")
    assert str(info.value) == "no observation of industry_va_growth for 2025Q3 (福建)"
    assert (info.value.indicator, info.value.period.code, info.value.region) == ("industry_va_growth", "2025Q3", "福建")
    with pytest.raises(DataLookupError, match="^no observation of auto_sales for 2025Q1 \\(全国\\)$"):
        good.value("auto_sales", "2025Q1")
    with pytest.raises(DataLookupError, match="^unknown indicator 'industry_growth': not in the catalog$"):
        good.get("industry_growth", "2025H1")
    with pytest.raises(DataLookupError, match="unknown sector 'telecom'"):
        good.highlights("telecom", "2025H1")


def test_observations_filter_in_data_order(good):
    national = good.observations("industry_va_growth", region="")
    assert [o.period.code for o in national] == ["2025H1", "2025Q1", "2025Q2", "2024H1", "2025M06"]
    assert [o.indicator for o in good.observations(period="2025H1", region="")] == [
        "auto_production", "auto_sales", "nev_sales", "industry_va_growth", "electronics_va_growth"]


def test_periods_sorted(good):
    assert [p.code for p in good.periods("industry_va_growth")] == [
        "2024H1", "2025Q1", "2025H1", "2025Q2", "2025M06"]
    assert [p.code for p in good.periods()][-2:] == ["2025-06-30", "2025"]


def test_latest_period_prefers_the_first_kind_on_a_tie_and_ignores_targets(good):
    # 2025H1, 2025Q2, 2025M06 and 2025-06-30 all end on June 30; the 2025 target is not data.
    assert good.latest_period().code == "2025H1"
    assert good.latest_period(("month", "quarter", "half")).code == "2025M06"
    assert good.latest_period(("quarter",)).code == "2025Q2"
    assert good.latest_period(("cumulative",)).code == "2025M01-05"
    with pytest.raises(DataLookupError, match="no observations for a period of kind years"):
        good.latest_period(("years",))
    with pytest.raises(ValueError, match="unknown period kind\\(s\\) halves"):
        good.latest_period(("halves",))


def test_year_ago_and_previous(good):
    assert good.year_ago("industry_va_growth", "2025H1").value == Decimal("6.0")
    assert good.year_ago("auto_production", "2025H1").value == Decimal("1389.1")
    assert good.previous("industry_va_growth", "2025Q2").value == Decimal("6.5")
    assert good.previous("industry_va_growth", "2025H1") is None  # no 2024H2
    assert good.year_ago("industry_va_growth", "2025H1", "福建") is None


def test_regions_ranking_and_threshold(good):
    assert [o.region for o in good.regions("industry_va_growth", "2025H1")] == ["福建", "安徽", "河南", "湖北", "山西"]
    assert [o.region for o in good.ranking("industry_va_growth", "2025H1")] == ["河南", "福建", "安徽", "湖北", "山西"]
    assert [o.region for o in good.ranking("industry_va_growth", "2025H1", descending=False, top=2)] == ["山西", "福建"]
    # 湖北 "近8%" is just under 8, so it does not reach 8.
    assert [o.region for o in good.at_least("industry_va_growth", "2025H1", 8)] == ["福建", "安徽", "河南"]
    assert [o.region for o in good.at_least("industry_va_growth", "2025H1", "8.5")] == ["河南"]


def test_difference_in_points_and_share(good):
    assert good.difference("electronics_va_growth", "industry_va_growth", "2025H1") == Decimal("4.7")
    assert good.difference("industry_va_growth", "industry_va_growth", "2025H1", "2025Q1") == Decimal("-0.1")
    assert good.share("nev_sales", "auto_sales", "2025H1") == Decimal("44.3")
    assert good.share("nev_sales", "auto_sales", "2025H1", decimals=2) == Decimal("44.32")
    with pytest.raises(ValueError, match="cannot subtract industry_va_growth \\(%\\) and auto_sales \\(万辆\\)"):
        good.difference("industry_va_growth", "auto_sales", "2025H1")


def _tiny(values: dict[str, tuple[str, int]]) -> Dataset:
    """A dataset built in code: indicator id → (2025H1 value, published decimals)."""
    catalog = {i: Indicator(i, i, "s", "%", "share", d, "src") for i, (_, d) in values.items()}
    period = parse_period("2025H1")
    observations = [Observation(i, period, Decimal(v), "%") for i, (v, _) in values.items()]
    return Dataset(catalog, {"s": Sector("s", "s", tuple(values))}, observations, [])


def test_arithmetic_rounds_half_up_on_decimals():
    data = _tiny({"part": ("9", 0), "whole": ("400", 0), "a": ("7.35", 1), "b": ("5.1", 1), "c": ("1.005", 3)})
    assert data.share("part", "whole", "2025H1") == Decimal("2.3")  # 2.25; round() would give 2.2
    assert data.difference("a", "b", "2025H1") == Decimal("2.3")  # 2.25 to one published decimal
    assert data.difference("c", "b", "2025H1") == Decimal("-4.095")  # to the larger precision
    assert data.difference("b", "a", "2025H1") == Decimal("-2.3")  # half away from zero


def test_share_of_zero_is_an_error():
    data = _tiny({"part": ("1", 0), "whole": ("0", 0)})
    with pytest.raises(ValueError, match="cannot take a share of whole for 2025H1: it is zero"):
        data.share("part", "whole", "2025H1")


def test_highlights_by_sector_period_and_kind(good):
    assert [h.text for h in good.highlights("industry", "2025H1")] == ["工业经济稳中向好。", "着力扩大有效需求。"]
    first = good.highlights("industry", "2025H1", kind="highlight")[0]
    assert (first.title, first.origin) == ("工业生产", "data/highlights/industry.yaml:1")
    assert [h.kind for h in good.highlights("equipment", "2025H1")] == ["policy"]
    assert good.highlights("equipment", "2025Q1") == []
