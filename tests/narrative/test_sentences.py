"""{% sentence %}, {% clause %} and {% section %}: prose that drops what the data lacks and labels every figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from jianbao.narrative.render import render_digest

CHAPTER = [("industry", "工业经济总体运行", "chapters/industry.md.j2")]


def render(dataset, tmp_path: Path, source: str, period: str = "2025H1"):
    (tmp_path / "chapters").mkdir(exist_ok=True)
    (tmp_path / "chapters" / "industry.md.j2").write_text(source, encoding="utf-8")
    return render_digest(dataset, period, CHAPTER, tmp_path)


def body(narrative) -> str:
    return narrative.markdown.split("# 工业经济总体运行\n", 1)[1].strip()


def test_a_sentence_writes_its_figures_period_and_full_stop(dataset, tmp_path):
    n = render(dataset, tmp_path, '{% sentence %}规上工业增加值同比{{ fig("industry_va_growth")|growth }}{% endsentence %}\n')
    assert body(n) == "上半年，规上工业增加值同比增长6.4%。"


def test_a_sentence_without_its_figure_drops_and_says_why(dataset, tmp_path):
    n = render(dataset, tmp_path, '甲。\n\n{% sentence %}拉动{{ fig("industry_va_growth", "2019H1")|growth }}{% endsentence %}\n')
    assert body(n) == "甲。"
    assert any("dropped a sentence" in note and "2019H1" in note for note in n.notes)


def test_a_clause_drops_alone(dataset, tmp_path):
    source = ('{% set va = fig("industry_va_growth") %}{% sentence %}规上工业增加值同比{{ va|growth }}'
              '{% clause %}，{{ va|change_from(fig("industry_va_growth", "2019H1")) }}{% endclause %}{% endsentence %}\n')
    assert body(render(dataset, tmp_path, source)) == "上半年，规上工业增加值同比增长6.4%。"


def test_a_clause_of_another_period_states_its_own_label(dataset, tmp_path):
    source = ('{% sentence %}规上工业增加值同比{{ fig("industry_va_growth")|growth }}'
              '{% clause %}，二季度{{ fig("industry_va_growth", "2025Q2")|growth }}{% endclause %}{% endsentence %}\n')
    assert body(render(dataset, tmp_path, source)) == "上半年，规上工业增加值同比增长6.4%，二季度二季度增长6.3%。"


def test_figures_of_two_periods_outside_a_clause_drop_the_sentence(dataset, tmp_path):
    source = ('{% sentence %}{{ fig("industry_va_growth")|growth }}和'
              '{{ fig("industry_va_growth", "2025Q2")|growth }}{% endsentence %}\n')
    n = render(dataset, tmp_path, "甲。\n" + source)
    assert body(n) == "甲。"
    assert any("outside a {% clause %}" in note for note in n.notes)


def test_a_repeated_label_is_said_once_per_paragraph(dataset, tmp_path):
    va = '{% sentence %}增长{{ fig("industry_va_growth")|growth }}{% endsentence %}\n'
    assert body(render(dataset, tmp_path, va + va + "\n" + va)) == "上半年，增长增长6.4%。\n增长增长6.4%。\n\n上半年，增长增长6.4%。"


def test_the_headline_sentence_is_the_key_point(dataset, tmp_path):
    n = render(dataset, tmp_path, '{% sentence headline %}规上工业增加值同比{{ fig("industry_va_growth")|growth }}{% endsentence %}\n')
    assert n.key_points == ["上半年，规上工业增加值同比增长6.4%。"]
    assert "- 上半年，规上工业增加值同比增长6.4%。" in n.markdown


def test_a_section_without_text_drops_its_heading(dataset, tmp_path):
    source = ('甲。\n\n## 地区运行\n\n{% sentence %}{{ fig("industry_va_growth", "2019H1") }}{% endsentence %}\n\n'
              '![](chart:industry_growth)\n\n### 细项\n\n![](table:key_indicators)\n\n## 重点行业\n\n乙。\n')
    text = body(render(dataset, tmp_path, source))
    assert "地区运行" not in text and "细项" not in text and "chart:industry_growth" not in text
    assert "## 重点行业\n\n乙。" in text


def test_an_empty_chapter_is_left_out_with_a_note(dataset, tmp_path):
    n = render(dataset, tmp_path, '{% sentence %}{{ fig("industry_va_growth", "2019H1") }}{% endsentence %}\n')
    assert "# 工业经济总体运行" not in n.markdown
    assert n.chapters == []
    assert any("left out" in note for note in n.notes)


def test_an_unknown_sentence_flag_is_a_template_error(dataset, tmp_path):
    from jianbao.narrative.env import TemplateProblem

    with pytest.raises(TemplateProblem, match="unknown sentence flag"):
        render(dataset, tmp_path, "{% sentence loud %}甲{% endsentence %}\n")


def test_a_figure_stated_outside_a_sentence_names_the_data_and_the_line(dataset, tmp_path):
    from jianbao.narrative.env import TemplateProblem

    with pytest.raises(TemplateProblem, match="no figure for indicator 'industry_va_growth'") as info:
        render(dataset, tmp_path, '甲。\n{{ fig("industry_va_growth", "2019H1") }}\n')
    assert info.value.line == 2


def test_a_chapter_whose_figures_are_all_older_is_kept_labelled_or_omitted_by_config(dataset, tmp_path):
    source = '{% sentence %}利润同比{{ fig("industry_profit_growth")|growth }}{% endsentence %}\n'
    kept = render(dataset, tmp_path, source)  # a 1—5月 figure in a 上半年 digest
    assert body(kept) == "1—5月，利润同比下降1.1%。"
    (tmp_path / "chapters" / "industry.md.j2").write_text(source, encoding="utf-8")
    omitted = render_digest(dataset, "2025H1", CHAPTER, tmp_path, stale_chapter="omit")
    assert omitted.chapters == []
    assert any("every figure is older than 2025H1" in note for note in omitted.notes)


def test_older_figures_can_be_dropped_by_policy(dataset, tmp_path):
    from jianbao.reporting import Policy

    (tmp_path / "chapters").mkdir(exist_ok=True)
    (tmp_path / "chapters" / "industry.md.j2").write_text(
        '甲。\n{% sentence %}利润同比{{ fig("industry_profit_growth")|growth }}{% endsentence %}\n',
        encoding="utf-8")
    n = render_digest(dataset, "2025H1", CHAPTER, tmp_path, Policy(older="drop"))
    assert body(n) == "甲。"
