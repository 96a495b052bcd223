"""render_digest: key points, chapters, the synthetic period's turning data, and errors with file and line."""

import shutil

import pytest

from jianbao.narrative.env import BUILTIN_TEMPLATES, TemplateProblem
from jianbao.narrative.render import render_digest


@pytest.fixture()
def project(tmp_path, fixture_templates):
    """A copy of the fixture templates that a test may edit."""
    folder = tmp_path / "templates"
    shutil.copytree(fixture_templates, folder)
    return folder


def paragraphs(markdown):
    return [p.strip() for p in markdown.split("\n\n")]


def test_key_points_come_first_then_one_level1_heading_per_chapter(dataset, fixture_templates, chapters):
    narrative = render_digest(dataset, "2025H1", chapters, fixture_templates)
    headings = [line for line in narrative.markdown.splitlines() if line.startswith("# ")]
    assert headings == ["# 本期要点", "# 工业经济总体运行", "# 装备制造业"]
    assert narrative.key_points == ["上半年，规上工业增加值同比增长6.4%。", "装备制造业增加值同比增长10.2%。"]
    assert narrative.markdown.startswith(
        "# 本期要点\n\n- 上半年，规上工业增加值同比增长6.4%。\n- 装备制造业增加值同比增长10.2%。\n\n# 工业经济总体运行\n")


def test_the_sample_period_says_what_the_source_says(dataset, fixture_templates, chapters):
    md = render_digest(dataset, "2025H1", chapters, fixture_templates).markdown
    for phrase in [
        "一季度和二季度，规上工业增加值同比分别增长6.5%和6.3%",
        "其中，福建、安徽、河南、湖南实现8%以上的增长。",
        "装备制造业拉动全部规模以上工业增长3.4个百分点。",
        "设备工器具购置投资增速高于全国固定资产投资14.5个百分点，对全部投资增长的贡献率达86%。",
        "累计培育超过14万家专精特新中小企业",
        "汽车产量1562.1万辆，同比增长12.5%。",
        "![汽车产销情况](chart:auto_output)",
        "## 航空装备\n\n大型水陆两栖灭火飞机AG600",
        "## 下一步\n\n实施新一轮稳增长行动。",
    ]:
        assert phrase in md


def test_the_synthetic_period_follows_the_data_down(dataset, fixture_templates, chapters):
    """2026H1 is SYNTHETIC (tests/narrative/fixtures/README.md): rates fall, turn, narrow, widen."""
    md = render_digest(dataset, "2026H1", chapters, fixture_templates).markdown
    for phrase in [
        "同比分别增长1.5%和下降0.8%，二季度较一季度由增转降",  # sign change
        "上半年增速比一季度回落1.2个百分点",  # both positive, slower
        "规上工业企业利润同比下降3.2%，降幅比1—4月收窄1.8个百分点",  # both negative, narrower
        "装备制造业增加值同比下降2.5%，较上年同期由增转降",
        "汽车产量1498.0万辆，同比下降4.1%",
        "比上年同期下降0.6个百分点",  # a share that fell
        "设备工器具购置投资增速低于全国固定资产投资0.6个百分点。",  # a negative gap, and no contribution
        "累计培育15.23万家专精特新中小企业",
    ]:
        assert phrase in md
    for absent in ["None", "增长-", "下降-", "拉动", "贡献率", "其中，", "## 航空装备", "## 下一步"]:
        assert absent not in md


def test_a_widening_fall_says_so(dataset, chapters, project):
    (project / "chapters" / "equipment.md.j2").write_text(
        '{% set headline %}{% endset %}{% set q1 = fig("auto_production_growth", subperiods("quarter")[0]) %}'
        '汽车产量{{ fig("auto_production_growth")|growth }}，{{ fig("auto_production_growth")|change_from(q1) }}。',
        encoding="utf-8")
    md = render_digest(dataset, "2026H1", chapters, project).markdown
    assert "汽车产量下降4.1%，降幅比一季度扩大3.1个百分点。" in md


def test_a_missing_optional_figure_drops_its_sentence(dataset, fixture_templates, chapters):
    md_2025 = render_digest(dataset, "2025H1", chapters, fixture_templates).markdown
    md_2026 = render_digest(dataset, "2026H1", chapters, fixture_templates).markdown
    assert "装备制造业拉动全部规模以上工业增长" in md_2025
    assert "\n装备制造业增加值同比下降2.5%，较上年同期由增转降。\n汽车产量" in md_2026


def test_an_empty_headline_gives_no_key_point(dataset, chapters, project):
    (project / "chapters" / "equipment.md.j2").write_text("{% set headline %} {% endset %}正文。", encoding="utf-8")
    narrative = render_digest(dataset, "2025H1", chapters, project)
    assert narrative.key_points == ["上半年，规上工业增加值同比增长6.4%。"]
    assert "# 装备制造业\n\n正文。\n" in narrative.markdown


def test_used_observations_list_every_figure_the_text_states(dataset, fixture_templates, chapters):
    used = render_digest(dataset, "2025H1", chapters, fixture_templates).used
    keys = {(o.indicator, o.period.code, o.region) for o in used}
    assert ("equipment_va_pull", "2025H1", "") in keys
    assert ("industry_va_growth", "2025H1", "湖南") in keys
    assert ("industry_profit_growth", "2025M01-04", "") in keys
    assert len(keys) == len(used)


def test_a_layout_override_that_extends_the_built_in_one(dataset, chapters, project):
    (project / "layout.md.j2").write_text(
        '{% extends "!layout.md.j2" %}{% block key_points %}# 本期要点\n\n{{ key_points|join("；") }}\n{% endblock %}',
        encoding="utf-8")
    md = render_digest(dataset, "2025H1", chapters, project).markdown
    assert md.startswith("# 本期要点\n\n上半年，规上工业增加值同比增长6.4%。；装备制造业")
    assert "# 装备制造业\n\n装备制造业增加值同比增长10.2%" in md


def test_a_sector_without_a_template_names_the_sector_and_the_expected_paths(dataset, chapters, project):
    chapters = [*chapters, ("sme", "中小企业", "chapters/no_such_sector.md.j2")]
    with pytest.raises(TemplateProblem) as info:
        render_digest(dataset, "2025H1", chapters, project)
    assert str(info.value) == (
        f"sector 'sme' has no chapter template: expected {project / 'chapters' / 'no_such_sector.md.j2'} "
        f"or {BUILTIN_TEMPLATES / 'chapters' / 'no_such_sector.md.j2'}")


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("{% set headline %}{% endset %}\n一\n{{ fig('auto_producton')|growth }}\n", 3,
         "unknown indicator 'auto_producton'"),
        ("{% set headline %}{% endset %}\n{% if %}\n", 2, "syntax error"),
        ("{% set headline %}{% endset %}\n一\n二\n{{ no_such_variable }}\n", 4, "'no_such_variable' is undefined"),
        ("{% set headline %}{% endset %}\n{{ fig('equipment_va_pull')|pull }}\n", 2,
         "no figure for indicator 'equipment_va_pull' (装备制造业拉动规上工业增长), period 2026H1"),
        ("{% set headline %}{{ fig('equipment_va_pull') }}{% endset %}\n", 1, "indicator 'equipment_va_pull'"),
    ],
)
def test_template_errors_name_the_project_file_line_and_what(dataset, chapters, project, text, line, what):
    path = project / "chapters" / "equipment.md.j2"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateProblem) as info:
        render_digest(dataset, "2026H1", chapters, project)
    assert (info.value.file, info.value.line) == (str(path), line)
    assert str(info.value).startswith(f"{path}, line {line}: ")
    assert what in str(info.value)


def test_a_chapter_without_a_headline_gives_no_key_point(dataset, chapters, project):
    (project / "chapters" / "equipment.md.j2").write_text("正文。\n", encoding="utf-8")
    narrative = render_digest(dataset, "2025H1", chapters, project)
    assert "正文。" in narrative.markdown
    assert len(narrative.key_points) == len(chapters) - 1


def test_a_chapter_may_not_write_a_level1_heading(dataset, chapters, project):
    (project / "chapters" / "equipment.md.j2").write_text("{% set headline %}{% endset %}# 标题\n", encoding="utf-8")
    with pytest.raises(TemplateProblem, match="level-1 heading"):
        render_digest(dataset, "2025H1", chapters, project)


def test_data_text_is_escaped_for_markdown_and_key_points_are_plain_text(dataset, chapters, project):
    from markdown_it import MarkdownIt

    (project / "chapters" / "equipment.md.j2").write_text(
        '{% set p = highlights("policy")[0].text %}{% set headline %}**要点**：{{ p }}{% endset %}'
        '{{ p }}\n\n{{ "**加粗**"|markdown }}\n', encoding="utf-8")
    narrative = render_digest(dataset, "2025H1", chapters, project)
    text = "印发《汽车行业数字化转型实施方案》*征求意见稿*，覆盖[整车]与<零部件>_企业_。"
    assert narrative.key_points[1] == "要点：" + text
    html = MarkdownIt("commonmark").render(narrative.markdown)
    assert "<p>印发《汽车行业数字化转型实施方案》*征求意见稿*，覆盖[整车]与&lt;零部件&gt;_企业_。</p>" in html
    assert "<p><strong>加粗</strong></p>" in html
    assert "<li><strong>要点</strong>：印发" in html
