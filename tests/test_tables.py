"""Table specs → IR tables: header, numeric columns, published figures, caption and source line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jianbao.charts.spec import MissingData, SpecError, TableSpec, load_spec_file
from jianbao.data import Dataset, Indicator, Observation, Sector, load_dataset
from jianbao.periods import parse_period
from jianbao.resources import builtin_path
from jianbao.tables import build_table, load_table_specs

FIXTURE_DATA = Path(__file__).parent / "charts" / "fixtures" / "data"
H1 = parse_period("2025H1")


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(FIXTURE_DATA)


@pytest.fixture(scope="module")
def sample():
    return load_dataset(builtin_path("sample", "data"))


def spec(**fields) -> TableSpec:
    return TableSpec.model_validate({"id": "t", "title": "{period}指标", **fields})


def test_value_and_growth_columns_with_units_and_missing_cells(dataset):
    table = build_table(
        spec(
            columns=[{"label": "单位", "show": "unit"}, {"label": "数值"}, {"label": "同比增长（%）", "key": "growth"}],
            rows=[
                {"label": "汽车产量", "value": "cars_made", "growth": "cars_made_growth"},
                {"value": "smes_served"},
                {"label": "工业增加值", "growth": "va_growth"},
            ],
        ),
        dataset, H1, number=2,
    )
    assert table.label == "表2　2025年上半年指标"
    assert table.header == [["指标", "单位", "数值", "同比增长（%）"]]
    assert table.numeric == [False, False, True, True]
    assert table.rows == [
        ["汽车产量", "万辆", "1562.1", "12.5"],
        ["累计服务中小企业", "万家", "超过360", "—"],
        ["工业增加值", "—", "—", "6.4"],
    ]
    assert table.source == "中国汽车工业协会、工业和信息化部、国家统计局"


def test_columns_of_periods_and_regions_round_half_up(dataset):
    table = build_table(
        spec(
            stub="项目",
            source="国家统计局",
            columns=[{"label": "一季度", "period": "Q1"}, {"label": "二季度", "period": "Q2"}, {"label": "福建", "region": "福建"}],
            rows=[{"label": "增速", "value": "va_growth"}],
        ),
        dataset, H1,
    )
    assert table.rows == [["增速", "6.5", "6.3", "8以上"]]
    assert table.source == "国家统计局"
    probe = build_table(spec(columns=[{"label": "值"}], rows=[{"value": "rounding_probe"}]), dataset, H1)
    assert probe.rows == [["舍入检验", "2.3"]]


def test_period_column_says_when_each_figure_is_for(sample):
    table = build_table(load_table_specs(None)["telecom_network"], sample, H1)
    assert table.header[0][:2] == ["指标", "时间"]
    assert ["5G基站总数", "截至6月底", "万个", "455"] in table.rows
    assert ["智能算力规模", "截至3月底", "EFLOPS", "748"] in table.rows
    assert ["5G用户普及率", "截至6月底", "%", "超79"] in table.rows


def test_builtin_tables_build_from_the_sample_data(sample):
    specs = load_table_specs(None)
    assert len(specs) >= 3
    for s in specs.values():
        table = build_table(s, sample, H1, number=1)
        assert table.rows and all(len(r) == len(table.header[0]) for r in table.rows)
        assert table.caption.startswith("2025年") and table.source
    sme = build_table(specs["sme_services"], sample, H1)
    assert ["促成交易订单金额", "亿元", "近82"] in sme.rows


def test_project_table_overrides_builtin_by_file_name(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "sme_services.yaml").write_text(
        "title: 我的表\ncolumns: [{label: 数值}]\nrows: [{value: smes_served}]\n", encoding="utf-8"
    )
    assert load_table_specs(tmp_path)["sme_services"].title == "我的表"


def test_errors_name_file_field_and_what_was_expected(tmp_path, dataset):
    path = tmp_path / "bad.yaml"
    path.write_text("title: t\ncolumns: [{label: 数值}]\nrows: [{label: x, valu: cars_made}]\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad\.yaml: 1 problem\(s\)\n  field 'rows\[0\]\.valu': expected a column key \(value\)$"):
        load_spec_file(path, TableSpec)
    path.write_text("title: t\ncolumns: [{label: 数值}]\nrows: [{value: no_such}]\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad\.yaml: field 'rows\[0\]\.value': expected an indicator id of the catalog"):
        build_table(load_spec_file(path, TableSpec), dataset, H1)
    path.write_text("title: t\ncolumns: [{label: 数值, period: Q3}]\nrows: [{value: va_growth}]\n", encoding="utf-8")
    notes: list[str] = []
    with pytest.raises(MissingData, match=r"bad\.yaml: no row has data for 2025H1"):
        build_table(load_spec_file(path, TableSpec), dataset, H1, notes=notes)
    assert notes == ["table bad: left out row '规上工业增加值增速', no va_growth for 2025Q3"]


def _data(figures: dict[tuple[str, str], tuple[str, str, int, str, str]]) -> Dataset:
    """(id, period) → (unit, kind, published decimals, value, qualifier)."""
    catalog = {i: Indicator(i, f"指标{i}", "s", u, k, d, "工业和信息化部") for (i, _), (u, k, d, _, _) in figures.items()}
    observations = [Observation(i, parse_period(p), Decimal(v), u, q) for (i, p), (u, _, _, v, q) in figures.items()]
    return Dataset(catalog, {"s": Sector("s", "s", tuple(catalog))}, observations, [])


def test_cells_round_bounds_toward_their_claim_and_scale_like_the_text():
    data = _data({
        ("over", "2025H1"): ("%", "share", 0, "79.8", "超过"),
        ("above", "2025H1"): ("%", "growth", 0, "8.7", "以上"),
        ("more", "2025H1"): ("个", "count", 0, "3000.8", "余"),
        ("near", "2025H1"): ("万人", "level", 0, "39.2", "近"),
        ("about", "2025H1"): ("%", "share", 0, "5.5", "约"),
        ("firms", "2025H1"): ("家", "count", 0, "140000", "超过"),
        ("apps", "2025H1"): ("万个", "count", 1, "455", ""),
        ("apps_growth", "2025H1"): ("%", "growth", 1, "6", ""),
    })
    table = build_table(spec(
        columns=[{"label": "单位", "show": "unit"}, {"label": "数值"}, {"label": "增长（%）", "key": "growth"}],
        rows=[{"value": i} for i in ("over", "above", "more", "near", "about", "firms")]
        + [{"value": "apps", "growth": "apps_growth"}]), data, H1)
    assert [r[1:] for r in table.rows] == [
        ["%", "超过79", "—"], ["%", "8以上", "—"], ["个", "3000余", "—"], ["万人", "近40", "—"],
        ["%", "约6", "—"], ["万家", "超过14", "—"], ["万个", "455", "6.0"]]
    bare = build_table(spec(columns=[{"label": "数值"}], rows=[{"value": "firms"}]), data, H1)
    assert bare.rows == [["指标firms", "超过14万"]]  # no unit column: the 万 stays with the number


def test_a_figure_in_another_unit_than_the_unit_column_carries_its_own():
    data = _data({("firms", "2025Q1"): ("家", "count", 0, "9800", ""),
                  ("firms", "2025H1"): ("家", "count", 0, "140000", "")})
    table = build_table(spec(columns=[{"label": "单位", "show": "unit"}, {"label": "上半年"},
                                      {"label": "一季度", "period": "Q1"}],
                             rows=[{"value": "firms"}]), data, H1)
    assert table.rows == [["指标firms", "万家", "14", "9800家"]]


def test_a_column_header_names_the_period_of_its_figures(tmp_path, dataset):
    path = tmp_path / "t.yaml"
    path.write_text("title: t\ncolumns: [{label: '{period}增速', key: growth}, {label: 一季度, key: growth, period: Q1}]\n"
                    "rows: [{label: x, growth: va_growth}]\n", encoding="utf-8")
    table = build_table(load_spec_file(path, TableSpec), dataset, H1)
    assert table.header == [["指标", "上半年增速", "一季度"]]
    assert table.rows == [["x", "6.4", "6.5"]]


def test_ytd_is_the_cumulative_period_to_the_digests_end(tmp_path, dataset):
    path = tmp_path / "t.yaml"
    path.write_text("title: t\ncolumns: [{label: 累计, key: growth, period: ytd}]\nrows: [{label: x, growth: va_growth}]\n",
                    encoding="utf-8")
    assert build_table(load_spec_file(path, TableSpec), dataset, H1).rows == [["x", "6.4"]]  # 1—6月 is 上半年
