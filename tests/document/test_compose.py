"""Markdown from the narrative stage becomes the IR: numbering, references, runs."""

from pathlib import Path

import pytest

from jianbao.document.assemble import tree
from jianbao.document.compose import ComposeError
from jianbao.document.transforms import chinese_number
from jianbao.ir import (
    Closing, Contents, Document, Figure, Heading, KeyPoints, ListBlock, Masthead, Metadata, Paragraph, Run, Table,
)
from jianbao.theme import load_theme

SHELL = Document(Metadata("t"), [Masthead("简报", "第1期", "单位", "2025年7月20日"), KeyPoints("本期要点"),
                                 Contents("目　录"), Closing()])


def _figure(chart_id: str, caption: str, title: str = "") -> Figure:
    return Figure(0, caption or f"spec title {chart_id}", Path(f"{chart_id}.png"), 150, 80, "数据来源：工业和信息化部")


def _table(table_id: str, caption: str, title: str = "") -> Table:
    return Table(0, caption or table_id, [["指标", "数值"]], [["a", "1.0"]], [False, True])


def _compose(md: str, sectors=("industry", "equipment")) -> Document:
    return tree(md, SHELL, list(sectors), _figure, _table, load_theme())


MD = """# 本期要点

- 规上工业增加值同比**增长6.4%**
- 装备制造业增加值同比增长10.2%

# 工业经济总体运行

上半年，规上工业
增加值同比增长6.4%。

![一季度和二季度增速](chart:industry_growth)

## 重点行业

### 电子行业

![](table:key_indicators)

# 装备制造业

5G and
AI 终端 *百款*。

![汽车产销](chart:auto)

| 指标 | 数值 |
|---|---:|
| 汽车产量 | 1562.1 |
"""


def test_key_points_become_keypoint_paragraphs() -> None:
    doc = _compose(MD)
    key_points = doc.first(KeyPoints).paragraphs
    assert [p.text for p in key_points] == ["规上工业增加值同比增长6.4%", "装备制造业增加值同比增长10.2%"]
    assert all(p.style == "keypoint" for p in key_points)
    assert Run("增长6.4%", strong=True) in key_points[0].runs


def test_chapters_sections_figures_and_tables_are_numbered_across_the_document() -> None:
    doc = _compose(MD)
    assert [c.heading.label for c in doc.chapters] == ["一、工业经济总体运行", "二、装备制造业"]
    assert [c.sector for c in doc.chapters] == ["industry", "equipment"]
    first = doc.chapters[0].blocks
    assert first[0] == Paragraph([Run("上半年，规上工业增加值同比增长6.4%。")])
    assert isinstance(first[1], Figure) and first[1].label == "图1　一季度和二季度增速"
    assert isinstance(first[2], Heading) and (first[2].level, first[2].label) == (2, "（一）重点行业")
    assert isinstance(first[3], Heading) and (first[3].level, first[3].label) == (3, "1.电子行业")
    assert isinstance(first[4], Table) and first[4].label == "表1　key_indicators"
    second = doc.chapters[1].blocks
    assert second[0].text == "5G and AI 终端 百款。"
    assert Run("百款", emphasis=True) in second[0].runs
    assert second[1].label == "图2　汽车产销"
    assert second[2].number == 2 and second[2].numeric == [False, True] and second[2].rows == [["汽车产量", "1562.1"]]


def test_lists_keep_items() -> None:
    doc = _compose("# 工业\n\n- 甲\n- 乙\n\n1. 丙\n", sectors=["industry"])
    assert doc.chapters[0].blocks == [
        ListBlock([[Run("甲")], [Run("乙")]]),
        ListBlock([[Run("丙")]], ordered=True),
    ]


def test_chapter_count_must_match_config() -> None:
    with pytest.raises(ComposeError, match="1 chapters, the config lists 2"):
        _compose("# 工业\n\n文字。\n")


def test_text_before_first_heading_is_an_error() -> None:
    with pytest.raises(ComposeError, match="before the first level-1 heading"):
        _compose("孤立的文字\n\n# 工业\n", sectors=["industry"])


@pytest.mark.parametrize("n, text", [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"), (100, "一百"),
                                     (105, "一百零五"), (110, "一百一十"), (140, "一百四十"), (1001, "一千零一")])
def test_chinese_numbers(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_bold_closed_after_chinese_punctuation_is_still_bold() -> None:
    doc = _compose("# 工业\n\n**政策落实。**工信部深入落实**稳增长**政策。\n", sectors=["industry"])
    assert doc.chapters[0].blocks[0].runs == [
        Run("政策落实。", strong=True),
        Run("工信部深入落实"),
        Run("稳增长", strong=True),
        Run("政策。"),
    ]
