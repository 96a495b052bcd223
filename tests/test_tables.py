"""Table specs → IR tables: header, numeric columns, published figures, caption and source line."""

from __future__ import annotations

from pathlib import Path

import pytest

from jianbao.charts.spec import SpecError, TableSpec, load_spec_file
from jianbao.data import load_dataset
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
    with pytest.raises(SpecError, match=r"bad\.yaml: field 'columns\[0\]\.period': expected data for va_growth in period 2025Q3"):
        build_table(load_spec_file(path, TableSpec), dataset, H1)
