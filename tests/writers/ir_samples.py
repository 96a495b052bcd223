"""Small Document IR samples for the writer tests (shared by the PDF and DOCX tests).

``sample_document`` is a complete digest in miniature: masthead, key points, chapters
of real Chinese prose from the press-conference source (so line breaking meets real
punctuation and numbers), a table, a figure, a list, a page break, an appendix and
the closing block.
"""

from __future__ import annotations

import re
from pathlib import Path

from jianbao.document.transforms import finish
from jianbao.ir import (
    Appendix, Block, Chapter, Closing, Contents, Document, Figure, Heading, KeyPoints, ListBlock, ListItem,
    Masthead, Metadata, PageBreak, Paragraph, Run, Table, ThematicBreak,
)
from jianbao.theme import Theme, load_theme

SOURCE = Path(__file__).resolve().parents[1] / "sources" / "miit-2025h1-press-conference.zh.txt"
CHAPTER_TITLES = ["工业经济总体运行", "装备制造业", "信息通信业", "软件和信息技术服务业"]
KEY_FIGURES = ["6.4%", "6.5%", "6.3%", "35.5%", "16.4%"]
# The source was extracted from a PDF: spaces around numbers and between ideographs.
_STRAY_SPACE = re.compile(r"(?<![A-Za-z0-9]) +| +(?![A-Za-z0-9])")
HOSTILE = "比较<b>标签</b> & “引号” a<b\x0bc>d 😀 结束"


def source_paragraphs() -> list[str]:
    """The source's prose paragraphs, hard line breaks removed (long ones only)."""
    text = SOURCE.read_text(encoding="utf-8")
    paras = [_STRAY_SPACE.sub("", "".join(line.strip() for line in block.splitlines()))
             for block in text.split("\n\n")]
    return [p for p in paras if len(p) >= 60]


def write_png(path: Path, width: int = 300, height: int = 180) -> Path:
    """A plain chart-sized PNG (the writers only place images)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i, h in enumerate((60, 120, 90, 150)):
        draw.rectangle([30 + i * 65, height - 10 - h, 70 + i * 65, height - 10], fill="#C00000")
    image.save(path, format="PNG")
    return path


def digest(meta: Metadata, masthead: Masthead, key_points=(), chapters=(), appendix: Appendix | None = None,
           closing: Closing | None = None, toc: bool = True, theme: Theme | None = None) -> Document:
    """A finished tree from the digest's parts, as ``document.assemble.tree`` would give the writers."""
    parts: list = [masthead]
    if key_points:
        parts.append(KeyPoints("本期要点", list(key_points)))
    if toc:
        parts.append(Contents("目　录"))
    parts.extend(chapters)
    if appendix is not None:
        parts += [PageBreak(), appendix]
    if closing is not None:
        parts.append(closing)
    return finish(Document(meta, parts), theme or load_theme())


def sample_document(image_dir: Path, paragraphs_per_chapter: int = 6,
                    extra_text: str = "") -> Document:
    """A digest of four chapters; ``extra_text`` is appended as a highlight paragraph."""
    paras = source_paragraphs()
    image = write_png(image_dir / "chart.png")
    chapters: list[Chapter] = []
    numbers = "一二三四五六七八九十"
    for i, title in enumerate(CHAPTER_TITLES):
        chunk = paras[i * paragraphs_per_chapter:(i + 1) * paragraphs_per_chapter]
        blocks: list = [Heading(2, "总体情况", "（一）")]
        blocks.append(Paragraph([Run("上半年规上工业增加值同比增长"), Run("6.4%", strong=True),
                                 Run("，一季度和二季度分别增长"), Run("6.5%", emphasis=True),
                                 Run("和6.3%。")]))
        blocks += [Paragraph([Run(p)]) for p in chunk[:3]]
        blocks.append(Heading(3, "重点行业", "1."))
        blocks += [Paragraph([Run(p)]) for p in chunk[3:]]
        if i == 0:
            blocks.append(Table(
                1, "2025年上半年工业增加值增速",
                header=[["指标", "一季度", "二季度", "上半年"]],
                rows=[["规模以上工业增加值", "6.5", "6.3", "6.4"],
                      ["装备制造业增加值占比", "—", "—", "35.5"],
                      ["高技术制造业增加值占比", "—", "—", "16.4"]],
                numeric=[False, True, True, True], source="国家统计局"))
            blocks.append(Figure(1, "2025年上半年汽车产销情况", image, 150, 80,
                                 source="工业和信息化部"))
        if i == 1:
            blocks.append(ListBlock([[Run("福建、安徽、河南、湖南增长8%以上")],
                                     [Run("河南、湖南、湖北、江苏利润两位数增长")]],
                                    ordered=True))
            blocks.append(ListBlock([[Run("新能源汽车产销"), Run("超过690万辆", strong=True)]]))
        if i == 2 and extra_text:
            blocks.append(Paragraph([Run(extra_text)]))
        if i == 2:
            blocks.append(PageBreak())
        chapters.append(Chapter(Heading(1, title, f"{numbers[i]}、"), blocks, sector=f"s{i}"))
    return digest(
        meta=Metadata(title="工业和信息化发展简报 2025年上半年", subject="2025年上半年工业和信息化发展",
                      author="工业和信息化部运行监测协调局", keywords=["工业", "信息化", "简报"],
                      created="2025-07-20T00:00:00Z"),
        masthead=Masthead("工业和信息化发展简报", "第3期（总第27期）", "运行监测协调局编",
                          "2025年7月20日", marking="内部资料　注意保存"),
        key_points=[Paragraph([Run("上半年规上工业增加值同比增长6.4%，装备制造业增加值占规上工业35.5%。")],
                              style="keypoint"),
                    Paragraph([Run("31个省份规上工业增加值全部实现同比增长，其中福建、安徽、河南、湖南增长8%以上。")],
                              style="keypoint")],
        chapters=chapters,
        appendix=Appendix(Heading(1, "数据表", "附："),
                          [Table(2, "主要指标", header=[["指标", "数值", "单位", "来源"]],
                                 rows=[["规模以上工业增加值增速", "6.4", "%", "国家统计局"],
                                       ["汽车产量", "1562.1", "万辆", "工业和信息化部"]],
                                 numeric=[False, True, False, False], source="数据来源：国家统计局")]),
        closing=Closing(["报：部领导。", "送：各司局，各省、自治区、直辖市工业和信息化主管部门。"],
                        print_run="共印50份"),
    )


def every_node_document(folder: Path) -> tuple[Document, list[str]]:
    """A tiny document holding every block type and every inline variant, and the texts each shows."""
    image = write_png(folder / "chart.png")
    blocks: list[Block] = [
        Heading(2, "节标题甲", "（一）"),
        Heading(3, "小节标题乙", "1."),
        Paragraph([Run("正文丙，"), Run("加粗丁", strong=True), Run("，"), Run("强调戊", emphasis=True), Run("，"),
                   Run("粗强调己", strong=True, emphasis=True), Run("，"),
                   Run("链接庚（https://www.miit.gov.cn/）", href="https://www.miit.gov.cn/"), Run("。")]),
        Paragraph([Run("引文辛。")], style="quote"),
        ListBlock([ListItem([Run("外层壬")], 0, "● "), ListItem([Run("内层癸")], 1, "○ "),
                   ListItem([Run("三层子")], 2, "1) "), ListItem([Run("续段丑")], 0, "")]),
        ListBlock([[Run("有序寅")]], ordered=True),
        ThematicBreak(),
        Table(1, "表格卯", [["指标辰", "数值"]], [["巳", "6.4"]], [False, True], source="国家统计局"),
        Figure(1, "图形午", image, 100, 60, source="工业和信息化部"),
        PageBreak(),
        Paragraph([Run("分页后未。")]),
    ]
    texts = ["（一）节标题甲", "1.小节标题乙", "正文丙，加粗丁，强调戊，粗强调己，链接庚（https://www.miit.gov.cn/）。",
             "引文辛。", "●外层壬", "○内层癸", "1)三层子", "续段丑", "（1）有序寅", "表1　表格卯", "指标辰", "巳",
             "图1", "图形午", "数据来源：工业和信息化部", "分页后未。", "要点申。"]
    doc = digest(
        Metadata("覆盖", created="2025-07-20T00:00:00Z"),
        Masthead("简报", "第1期", "单位", "2025年7月20日"),
        key_points=[Paragraph([Run("要点申。")], style="keypoint")],
        chapters=[Chapter(Heading(1, "章标题"), blocks, "s")],
        appendix=Appendix(Heading(1, "数据", "附："), [Table(0, "附表酉", [["指标"]], [["戌"]], [False])]),
        closing=Closing(["报：部领导。"]),
    )
    return doc, texts + ["附：数据", "表2　附表酉", "目　录"]
