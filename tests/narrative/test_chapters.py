"""The built-in chapter templates, read as an analyst reads the digest.

On the sample data (H1 2025) the rendered digest must say what the source says; on the
SYNTHETIC periods in tests/narrative/synthetic/ (2026H1, 2027H1) the same templates must
follow the data: 下降, 回落, 降幅收窄/扩大, 由增转降/由降转增, and no sentence for a figure
the data lacks.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from jianbao.charts.spec import load_chart_specs, load_table_specs
from jianbao.data import load_dataset
from jianbao.narrative.facade import Facade
from jianbao.narrative.render import Narrative, plain_text, render_digest
from jianbao.resources import builtin_path

SAMPLE = builtin_path("sample", "data")
SYNTHETIC = Path(__file__).parent / "synthetic"
SECTORS = ["industry", "equipment", "electronics", "telecom", "consumer", "green", "sme"]


@cache
def narrative(data: Path, period: str, sectors: tuple[str, ...] = tuple(SECTORS)) -> Narrative:
    dataset = load_dataset(data)
    chapters = [(s, dataset.sectors[s].name, f"chapters/{s}.md.j2") for s in sectors]
    return render_digest(dataset, period, chapters, None)


def reader_text(markdown: str) -> str:
    """What a reader sees: each block on one line (soft breaks join CJK), emphasis and escapes gone."""
    blocks = (" ".join(block.splitlines()) if block.startswith("- ") else "".join(block.splitlines())
              for block in markdown.split("\n\n"))
    return "\n\n".join(plain_text(b) if not b.startswith("#") else b for b in blocks)


def chapter_markdown(data: Path, period: str, sector: str) -> str:
    """One chapter of the full digest, from its title to the next title."""
    markdown = narrative(data, period).markdown
    title = load_dataset(data).sectors[sector].name
    body = re.search(rf"^# {re.escape(title)}\n(.*?)(?=^# |\Z)", markdown, re.MULTILINE | re.DOTALL)
    assert body, f"no chapter {title!r} in the digest"
    return body.group(1)


def chapter_text(data: Path, period: str, sector: str) -> str:
    """The reader's text of one chapter."""
    return reader_text(chapter_markdown(data, period, sector))


# ---- the sample digest says what the source says ----------------------------------------------

SOURCE_STATEMENTS = [
    ("industry", r"规上工业增加值同比增长6\.4%"),
    # 一季度和二季度，规上工业增加值同比分别增长6.5%和6.3%
    ("industry", r"一季度和二季度，[^。]*?分别增长6\.5%和6\.3%"),
    ("industry", r"福建、安徽、河南、湖南实现8%以上的增长"),
    ("equipment", r"装备制造业增加值同比增长10\.2%"),
    ("equipment", r"拉动(?:规上|全部规模以上)工业增长3\.4个百分点"),
    ("equipment", r"新能源汽车新车销量占比达44\.3%"),
    ("equipment", r"设备工器具购置投资同比增长17\.3%，增速高于全国固定资产投资14\.5个百分点"),
    ("electronics", r"计算机、通信和其他电子设备制造业增加值同比增长11\.1%，高于同期工业增加值增速4\.7个百分点"),
    ("electronics", r"软件业务收入55788亿元，同比增长11\.2%"),
    ("telecom", r"5G基站总数达到455万个"),
    ("telecom", r"电信业务收入累计达9055亿元"),
    ("sme", r"累计培育超过14万家专精特新中小企业"),
]


@pytest.mark.parametrize(("sector", "statement"), SOURCE_STATEMENTS, ids=[s for _, s in SOURCE_STATEMENTS])
def test_the_sample_digest_states_the_source_figures(sector, statement):
    text = chapter_text(SAMPLE, "2025H1", sector)
    assert re.search(statement, text), f"{sector}: {statement!r} not in\n{text}"


def test_each_chapter_gives_one_key_point_from_its_data():
    points = narrative(SAMPLE, "2025H1").key_points
    assert len(points) == len(SECTORS)
    assert plain_text(points[0]) == "上半年，规上工业增加值同比增长6.4%。"
    assert "装备制造业增加值同比增长10.2%" in plain_text(points[1])


@pytest.mark.parametrize("sector", SECTORS)
def test_every_indicator_of_a_sector_is_used_by_its_chapter(sector):
    dataset = load_dataset(SAMPLE)
    used = {o.indicator for o in narrative(SAMPLE, "2025H1", (sector,)).used}
    missing = set(dataset.sectors[sector].indicators) - used
    assert not missing, f"chapters/{sector}.md.j2 leaves out {sorted(missing)}"


def test_highlights_fill_in_their_figures():
    text = chapter_text(SAMPLE, "2025H1", "equipment")
    assert "“爱达·魔都号”邮轮接待游客超47万人" in text
    assert "{" not in text


def test_every_built_in_chart_and_table_is_placed_and_each_chapter_has_a_chart():
    markdown = narrative(SAMPLE, "2025H1").markdown
    placed = set(re.findall(r"^!\[\]\(((?:chart|table):\w+)\)$", markdown, re.MULTILINE))
    wanted = {f"chart:{i}" for i in load_chart_specs()} | {f"table:{i}" for i in load_table_specs()}
    assert wanted - placed == set()
    assert placed - wanted == set(), "a chapter refers to a chart or table with no spec"
    charts = re.findall(r"\(chart:(\w+)\)", markdown)
    assert len(charts) == len(set(charts)), "a chart placed twice"
    for sector in SECTORS:
        assert "](chart:" in chapter_markdown(SAMPLE, "2025H1", sector), f"{sector} has no chart"


def test_highlights_and_next_steps_of_the_data_are_in_their_chapter():
    dataset = load_dataset(SAMPLE)
    for sector in SECTORS:
        text = chapter_text(SAMPLE, "2025H1", sector)
        for item in Facade(dataset, "2025H1", sector).highlights():
            assert plain_text(item.text) in text, f"{sector}: highlight {item.title!r} missing"
        if dataset.highlights(sector, "2025H1", "next_step"):
            assert "## 下一步工作" in text


# ---- the synthetic periods: the same templates follow the data ---------------------------------

SYNTHETIC_STATEMENTS = [
    # 2026H1: growth slows, turns negative in Q2; a year-ago comparison turns from growth to fall
    ("2026H1", "industry", "上半年，规上工业增加值同比增长1.1%，增速比上年同期回落5.3个百分点。"),
    ("2026H1", "industry", "一季度和二季度，规上工业增加值同比分别增长2.8%和下降0.6%，二季度较一季度由增转降。"),
    ("2026H1", "industry", "全国固定资产投资同比下降1.5%，较上年同期由增转降。"),
    ("2026H1", "industry", "其中，福建、安徽同比分别增长5.2%和4.8%。"),
    ("2026H1", "industry", "24个省份规上工业增加值实现同比增长"),
    ("2026H1", "equipment", "装备制造业增加值同比下降2.5%，较上年同期由增转降"),
    ("2026H1", "equipment", "汽车产销分别完成1498.0万辆和1510.2万辆，同比分别下降4.1%和3.5%。"),
    ("2026H1", "equipment", "新能源汽车新车销量占比达48.4%，比上年同期提高4.1个百分点"),
    ("2026H1", "equipment", "上半年，设备工器具购置投资同比增长1.2%，增速高于全国固定资产投资2.7个百分点。"),
    ("2026H1", "electronics", "高于同期工业增加值增速1.9个百分点"),  # the gap computed when not published
    ("2026H1", "electronics", "利润总额1900亿元，同比下降12.1%"),
    ("2026H1", "telecom", "电信业务总量同比下降1.2%，较上年同期由增转降"),
    ("2026H1", "consumer", "增加值比重比上年同期下降0.6个百分点"),
    # 2027H1: falls narrow and widen, a fall turns into growth
    ("2027H1", "industry", "一季度和二季度，规上工业增加值同比分别下降1.5%和0.9%，二季度降幅比一季度收窄0.6个百分点。"),
    ("2027H1", "industry", "上半年，规上工业增加值同比下降1.2%，较上年同期由增转降。"),
    ("2027H1", "industry", "全国固定资产投资同比下降3.0%，降幅比上年同期扩大1.5个百分点。"),
    ("2027H1", "equipment", "装备制造业增加值同比下降1.0%，降幅比上年同期收窄1.5个百分点。"),
    ("2027H1", "telecom", "电信业务总量同比增长2.0%，较上年同期由降转增。"),
]


@pytest.mark.parametrize(("period", "sector", "statement"), SYNTHETIC_STATEMENTS,
                         ids=[f"{p}-{s}" for p, s, _ in SYNTHETIC_STATEMENTS])
def test_synthetic_periods_are_phrased_as_the_data_moves(period, sector, statement):
    text = chapter_text(SYNTHETIC, period, sector)
    assert statement in text, f"{period} {sector}: {statement!r} not in\n{text}"


# Words that only a sentence about a figure missing from the synthetic period would bring.
DROPPED = [
    ("2026H1", "industry", ["高技术制造业", "电子、电气机械、通用设备等行业利润"]),
    ("2026H1", "equipment", ["拉动全部规模以上工业利润", "PPI", "出口价格指数", "铁路船舶航空航天", "贡献率",
                             "无人驾驶", "邮轮", "出口", "航空装备", "船舶工业。"]),
    ("2026H1", "electronics", ["人工智能终端", "AI眼镜", "开源指令集", "软件业实现利润", "智算云", "产品种类"]),
    ("2026H1", "telecom", ["5G移动电话用户", "千兆", "算力", "流量", "融合应用", "普惠服务", "对外开放"]),
    ("2026H1", "sme", ["小巨人", "融通", "服务月", "培训人才"]),
    ("2027H1", "industry", ["地区运行", "省份", "运行特点", "下一步工作"]),
    ("2027H1", "equipment", ["行业整体情况", "重点领域", "汽车", "发展亮点", "下一步工作"]),
    ("2027H1", "electronics", ["软件", "## "]),
    ("2027H1", "green", ["废铜", "废铝", "政策部署"]),
]


@pytest.mark.parametrize(("period", "sector", "words"), DROPPED, ids=[f"{p}-{s}" for p, s, _ in DROPPED])
def test_a_sentence_or_section_without_its_figure_is_left_out(period, sector, words):
    text = chapter_text(SYNTHETIC, period, sector)
    assert [w for w in words if w in text] == []


DIGESTS = [(SAMPLE, "2025H1"), (SYNTHETIC, "2026H1"), (SYNTHETIC, "2027H1")]
BROKEN = [
    (r"None|nan|Undefined", "a missing value printed"),
    (r"(?:增长|下降|提高|达|为|超过|占)-", "a sign where a word belongs"),
    (r"%%|％", "a doubled or full-width percent sign"),
    (r"\d\s+(?:%|万|亿|个百分点)", "a space between a number and its unit"),
    (r"(?:达|达到|为|占全球|分别|累计|同比|较|比)[，。；、]", "a figure missing after its verb"),
    (r"[，；、]{2}|[，；、]。|。[，；、]|（）", "punctuation around nothing"),
    (r"[,;:](?![0-9])", "half-width punctuation in Chinese text"),
    (r"\*", "emphasis markup that Markdown did not take (CJK punctuation inside **…**)"),
]


@pytest.mark.parametrize(("data", "period"), DIGESTS, ids=[p for _, p in DIGESTS])
def test_no_broken_phrasing_in_any_digest(data, period):
    text = reader_text(narrative(data, period).markdown)
    problems = [(why, m.group(), text[max(0, m.start() - 20):m.end() + 20])
                for pattern, why in BROKEN for m in re.finditer(pattern, text)]
    assert problems == []


@pytest.mark.parametrize(("data", "period"), DIGESTS, ids=[p for _, p in DIGESTS])
def test_no_section_heading_without_text(data, period):
    markdown = narrative(data, period).markdown
    empty = re.findall(r"^## .+\n+(?=#|\Z)", markdown, re.MULTILINE)
    assert empty == []
