"""Derived figures declared in the catalog (derive:), the checks on them, and the digits warning."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from jianbao import figures
from jianbao.cli import main
from jianbao.data import load_dataset, validate_data
from jianbao.data.catalog import Derivation
from jianbao.narrative import phrases

CATALOG = """\
auto:
  name: 汽车
  indicators:
    nev_sales:
      name: 新能源汽车销量
      unit: 万辆
      kind: level
      decimals: 1
      source: 中国汽车工业协会
    auto_sales:
      name: 汽车销量
      unit: 万辆
      kind: level
      decimals: 1
      source: 中国汽车工业协会
    nev_sales_share:
      name: 新能源汽车新车销量占比
      unit: "%"
      kind: share
      decimals: 1
      source: 中国汽车工业协会
      derive: {share: [nev_sales, auto_sales]}
    ice_sales:
      name: 燃油汽车销量
      unit: 万辆
      kind: level
      decimals: 1
      source: 中国汽车工业协会
      derive: {remainder: [nev_sales], total: auto_sales}
    ice_sales_share:
      name: 燃油汽车新车销量占比
      unit: "%"
      kind: share
      decimals: 1
      source: 中国汽车工业协会
      derive: {remainder: [nev_sales_share]}
    nev_to_ice:
      name: 新能源汽车与燃油汽车销量之比
      unit: 倍
      kind: multiple
      decimals: 2
      source: 中国汽车工业协会
      derive: {ratio: [nev_sales, ice_sales]}
industry:
  name: 工业
  indicators:
    industry_va_growth:
      name: 规模以上工业增加值增速
      unit: "%"
      kind: growth
      decimals: 1
      source: 国家统计局
    electronics_va_growth:
      name: 电子信息制造业增加值增速
      unit: "%"
      kind: growth
      decimals: 1
      source: 国家统计局
    electronics_va_growth_gap:
      name: 电子信息制造业增加值增速高于全部工业
      unit: 个百分点
      kind: pp
      decimals: 1
      source: 国家统计局
      derive: {difference: [electronics_va_growth, industry_va_growth]}
    g5_base_stations:
      name: 5G基站
      unit: 万个
      kind: level
      decimals: 1
      source: 工业和信息化部
    other_base_stations:
      name: 其他基站
      unit: 万个
      kind: level
      decimals: 1
      source: 工业和信息化部
    base_stations:
      name: 基站总数
      unit: 万个
      kind: level
      decimals: 1
      source: 工业和信息化部
      derive: {sum: [g5_base_stations, other_base_stations]}
"""

OBSERVATIONS = """\
indicator,period,region,value,unit,qualifier,note
nev_sales,2025H1,,693.7,万辆,,
auto_sales,2025H1,,1565.3,万辆,,
nev_sales,2024H1,,494.4,万辆,,
auto_sales,2024H1,,1404.7,万辆,,
nev_sales_share,2024H1,,35.0,%,,as published (the exact share is 35.2)
nev_sales,2025Q1,,307.5,万辆,,
auto_sales,2025Q1,,0,万辆,,a zero whole derives no share
industry_va_growth,2025H1,,6.4,%,,
electronics_va_growth,2025H1,,11.1,%,,
industry_va_growth,2025H1,福建,8,%,以上,
electronics_va_growth,2025H1,福建,12.5,%,,
industry_va_growth,2025Q1,,6.5,%,,
electronics_va_growth,2025Q1,,6.5,%,,
g5_base_stations,2025-06-30,,455,万个,,
other_base_stations,2025-06-30,,28,万个,,
g5_base_stations,2025-03-31,,439.5,万个,,
other_base_stations,2025-03-31,,28,万个,,
"""


def write_data(root: Path, catalog: str, observations: str = "indicator,period,region,value,unit,qualifier,note\n") -> Path:
    data = root / "data"
    (data / "observations").mkdir(parents=True, exist_ok=True)
    (data / "catalog.yaml").write_text(catalog, encoding="utf-8")
    (data / "observations" / "x.csv").write_text(observations, encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def derived(tmp_path_factory):
    return load_dataset(write_data(tmp_path_factory.mktemp("derive"), CATALOG, OBSERVATIONS))


def test_a_share_is_derived_when_the_data_does_not_store_it(derived):
    share = derived.get("nev_sales_share", "2025H1")
    assert share.value == Decimal("44.3")  # 100 × 693.7 / 1565.3 = 44.317…, half-up to 1 decimal
    assert (share.unit, share.qualifier, share.derived) == ("%", "", "根据新能源汽车销量、汽车销量计算")
    assert figures.figure_text(share.value, share.unit, 1, "share") == "44.3%"
    assert derived.catalog["nev_sales_share"].derive == Derivation("share", ("nev_sales", "auto_sales"))


def test_a_stored_figure_wins_over_its_derivation(derived):
    stored = derived.get("nev_sales_share", "2024H1")
    assert (stored.value, stored.derived) == (Decimal("35.0"), "")
    assert stored.origin == "data/observations/x.csv:6"


def test_derived_figures_are_ordinary_for_look_ups(derived):
    assert [p.code for p in derived.periods("nev_sales_share")] == ["2024H1", "2025H1"]
    assert [o.period.code for o in derived.observations("nev_sales_share")] == ["2024H1", "2025H1"]
    assert derived.value("nev_sales_share", "2025H1") == Decimal("44.3")
    assert derived.year_ago("nev_sales_share", "2025H1").value == Decimal("35.0")
    assert derived.get("nev_sales_share", "2025Q1") is None  # a share of zero derives nothing


def test_a_difference_of_rates_is_in_points(derived):
    gap = derived.get("electronics_va_growth_gap", "2025H1")
    assert (gap.value, gap.unit) == (Decimal("4.7"), "个百分点")
    assert gap.derived == "根据电子信息制造业增加值增速、规模以上工业增加值增速计算"
    assert phrases.difference(gap.value, 1, than="全部工业") == "高于全部工业4.7个百分点"
    assert figures.figure_text(gap.value, gap.unit, 1, "pp") == "4.7个百分点"
    assert figures.figure_text(derived.value("electronics_va_growth_gap", "2025Q1"), gap.unit, 1, "pp") == "0.0个百分点"


def test_a_qualified_input_derives_nothing(derived):
    # 福建's 8%以上 is a bound: 12.5 − 8 = 4.5 would claim a gap the data does not give.
    assert derived.get("electronics_va_growth_gap", "2025H1", "福建") is None
    assert derived.regions("electronics_va_growth_gap", "2025H1") == []


def test_chains_resolve_in_dependency_order(derived):
    ice = derived.get("ice_sales", "2025H1")
    assert (ice.value, ice.derived) == (Decimal("871.6"), "根据新能源汽车销量、汽车销量计算")
    assert derived.value("ice_sales_share", "2025H1") == Decimal("55.7")  # 100 − the derived 44.3
    assert derived.value("ice_sales_share", "2024H1") == Decimal("65.0")  # 100 − the stored 35.0
    assert derived.value("nev_to_ice", "2025H1") == Decimal("0.80")  # 693.7 / 871.6 = 0.7958…
    assert derived.value("nev_to_ice", "2025Q1") == Decimal("-1")  # arithmetic, not sense: 307.5 / (0 − 307.5)


def test_a_derived_level_keeps_the_digits_its_inputs_hold(derived):
    total = derived.get("base_stations", "2025-06-30")
    assert total.value == Decimal("483")
    assert figures.figure_text(total.value, total.unit, 1, "level") == "483万个"  # never 483.0万个
    march = derived.get("base_stations", "2025-03-31")
    assert figures.figure_text(march.value, march.unit, 1, "level") == "467.5万个"


def test_share_and_difference_methods_use_the_same_arithmetic(derived):
    assert derived.share("nev_sales", "auto_sales", "2025H1", decimals=2) == Decimal("44.32")
    assert derived.difference("electronics_va_growth", "industry_va_growth", "2025H1") == Decimal("4.7")
    assert Derivation("remainder", ("a", "b")).apply([Decimal("35.5"), Decimal("27.1")]) == Decimal("37.4")
    assert Derivation("sum", ("a", "b", "c")).apply([Decimal(1), Decimal(2), Decimal("3.5")]) == Decimal("6.5")
    with pytest.raises(ZeroDivisionError):
        Derivation("ratio", ("a", "b")).apply([Decimal(1), Decimal(0)])


# -- the catalog checks derive, with lines -----------------------------------------------------

HEAD = """\
s:
  name: 部门
  indicators:
    a:
      name: 甲
      unit: 万辆
      kind: level
      decimals: 1
      source: 协会
    b:
      name: 乙
      unit: 辆
      kind: level
      decimals: 0
      source: 协会
    r:
      name: 增速
      unit: "%"
      kind: growth
      decimals: 1
      source: 协会
    x:
      name: 派生
"""  # x starts at line 22; name is line 23, unit 24, derive 28


def derive_problems(tmp_path: Path, unit: str, derive: str, kind: str = "share") -> list[str]:
    catalog = HEAD + f'      unit: "{unit}"\n      kind: {kind}\n      decimals: 1\n      source: 协会\n      derive: {derive}\n'
    return [str(p) for p in validate_data(write_data(tmp_path, catalog))]


F = "data/catalog.yaml, line 28, field 's.indicators.x.derive"


@pytest.mark.parametrize(
    ("unit", "derive", "problems"),
    [
        ("%", "{mean: [a, a]}", [f"{F}.mean': expected one of share, ratio, difference, sum, remainder (or total, "
                                 "with remainder), found 'mean'"]),
        ("%", "{}", [f"{F}': expected exactly one of share, ratio, difference, sum, remainder, found none"]),
        ("%", "{share: [a, r], ratio: [a, r]}",
         [f"{F}': expected exactly one of share, ratio, difference, sum, remainder, found 'share' and 'ratio'"]),
        ("%", "share", [f"{F}': expected a mapping of one of share, ratio, difference, sum, remainder to indicator "
                        "ids (like {share: [part, whole]}), found 'share'"]),
        ("%", "{share: a}", [f"{F}.share': expected a list of indicator ids, found 'a'"]),
        ("%", "{share: [a]}", [f"{F}.share': expected 2 indicator ids (part, whole), found 1"]),
        ("%", "{share: [a, a, a]}", [f"{F}.share': expected 2 indicator ids (part, whole), found 3"]),
        ("万辆", "{sum: [a]}", [f"{F}.sum': expected at least 2 indicator ids (two or more parts), found 1"]),
        ("%", "{share: [a, nope]}", [f"{F}.share[1]': expected an indicator id of the catalog, found 'nope'"]),
        ("%", "{share: [x, a]}", [f"{F}.share[0]': expected another indicator, found 'x' itself"]),
        ("%", "{share: [a, 3]}", [f"{F}.share[1]': expected an indicator id of the catalog, found 3"]),
        ("%", "{share: [a, b]}", [f"{F}': expected inputs in one unit for a share, found a in 万辆 and b in 辆"]),
        ("万辆", "{share: [a, a]}",
         ["data/catalog.yaml, line 24, field 's.indicators.x.unit': expected '%' (the unit of a share of a, a), "
          "found '万辆'"]),
        ("%", "{difference: [r, r]}",
         ["data/catalog.yaml, line 24, field 's.indicators.x.unit': expected '个百分点' (the unit of a difference "
          "of r, r), found '%'"]),
        ("万辆", "{remainder: [a]}",
         [f"{F}': expected parts in % for a remainder of 100 (or a total: id), found a in 万辆"]),
        ("万辆", "{share: [a, a], total: a}",
         ["data/catalog.yaml, line 28, field 's.indicators.x.derive.total': expected total only with remainder, "
          "not with share"]),
        ("万辆", "{remainder: [a], total: b}",
         [f"{F}': expected inputs in one unit for a remainder, found a in 万辆 and b in 辆"]),
        ("倍", "{ratio: [a, b]}", []),  # a ratio may be of any units
    ],
)
def test_derive_problems_name_line_field_expected_and_found(tmp_path, unit, derive, problems):
    kind = "multiple" if unit == "倍" else "share"
    assert derive_problems(tmp_path, unit, derive, kind) == problems


def test_a_cycle_of_derivations_is_a_problem(tmp_path):
    catalog = HEAD + """\
      unit: 万辆
      kind: level
      decimals: 1
      source: 协会
      derive: {sum: [a, y]}
    y:
      name: 又一派生
      unit: 万辆
      kind: level
      decimals: 1
      source: 协会
      derive:
        sum: [a, x]
"""
    assert [str(p) for p in validate_data(write_data(tmp_path, catalog))] == [
        "data/catalog.yaml, line 28, field 's.indicators.x.derive': expected derivations that do not go round in "
        "a circle, found x → y → x",
    ]


def test_a_derive_list_names_the_line_of_the_bad_item(tmp_path):
    catalog = HEAD + """\
      unit: "%"
      kind: share
      decimals: 1
      source: 协会
      derive:
        share:
          - a
          - nope
"""
    assert [str(p) for p in validate_data(write_data(tmp_path, catalog))] == [
        "data/catalog.yaml, line 31, field 's.indicators.x.derive.share[1]': expected an indicator id of the "
        "catalog, found 'nope'",
    ]


# -- validate warns about digits that will print rounded -------------------------------------

DIGITS = """\
indicator,period,region,value,unit,qualifier,note
r,2025H1,,6.4,%,,
r,2025Q1,,3.14159,%,,
b,2025H1,,1200,辆,,
a,2025H1,,1562.15,万辆,超过,
"""


def test_more_digits_than_published_is_a_warning_not_a_problem(tmp_path):
    data = write_data(tmp_path, HEAD.rsplit("    x:", 1)[0], DIGITS)
    warnings: list = []
    assert validate_data(data, warnings) == []
    assert [str(w) for w in warnings] == [
        "data/observations/x.csv, row 3, field 'value': 3.14159 has 5 decimals; r is published with 1 — it will "
        "print rounded",
        "data/observations/x.csv, row 5, field 'value': 1562.15 has 2 decimals; a is published with 1 — it will "
        "print rounded",
    ]
    assert load_dataset(data).value("r", "2025Q1") == Decimal("3.14159")


def test_validate_prints_warnings_after_problems_and_exits_0_with_only_warnings(tmp_path):
    project = tmp_path / "p"
    assert CliRunner().invoke(main, ["init", str(project)]).exit_code == 0
    csv = project / "data" / "observations" / "industry.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines.append("industry_va_growth,2024H1,,6.03,%,,")
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 0
    warning = (f"warning: data/observations/industry.csv, row {len(lines)}, field 'value': 6.03 has 2 decimals; "
               "industry_va_growth is published with 1 — it will print rounded")
    assert warning in result.output
    assert "1 warning(s)" in result.output and "ok: 7 sectors" in result.output

    lines.append("no_such_indicator,2025H1,,1.0,%,,")
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    out = result.output
    assert out.index("no_such_indicator") < out.index(warning) < out.index("1 problem(s) found")
