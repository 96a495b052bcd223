"""The document tree: the one contract between the reader, the transforms and every writer.

Plain dataclasses, importing nothing of the project, so every other part may depend
on it. A digest is one tree: ``Document.parts`` holds the masthead, the key points,
the contents, the chapters, the appendix and the closing block as ordinary nodes,
in reading order. The reader leaves chart and table references as pending nodes
(``ChartRef``, ``TableRef``); the transforms (``jianbao.document.transforms``)
resolve them, number headings, figures and tables, fill the contents, place the
appendix and decide sizes and keep-with-next, once for every writer. A writer
visits each node (``writers.visitor``) and raises ``UnknownNodeError`` on a node
it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union


class UnknownNodeError(TypeError):
    """A writer was given a node type it does not render."""


# -- inline ------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    """A piece of inline text; ``strong``/``emphasis`` map to bold/楷体.

    ``href`` makes the run a hyperlink (DOCX w:hyperlink, PDF link annotation). The
    reader prints a link's URL as text too (“文字（https://…）”), so a printed page
    and a text extract keep it; writers only make the runs clickable.
    """

    text: str
    strong: bool = False
    emphasis: bool = False
    href: str = ""


# -- blocks ------------------------------------------------------------------
@dataclass
class Heading:
    """A chapter (level 1), section (2) or subsection (3) heading.

    ``number`` is the printed label without the title ("一、", "（一）", "1."), set by
    the numbering transform. ``anchor`` names its bookmark (DOCX) and outline entry
    (PDF), set by the contents transform. ``keep_with_next`` keeps it on the page of
    the text that follows.
    """

    level: int
    text: str
    number: str = ""
    anchor: str = ""
    keep_with_next: bool = True

    @property
    def label(self) -> str:
        return f"{self.number}{self.text}"


@dataclass
class Paragraph:
    runs: list[Run]
    # A theme paragraph style name: body, keypoint, or quote (a Markdown block quote:
    # indented, in 楷体). A style the theme lacks is an error in every writer.
    style: str = "body"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def item_label(ordered: bool, index: int, level: int) -> str:
    """The marker of list item ``index`` at nesting ``level``: ●/（1）, ○/①, ■/1) (GB/T 9704 level 4 first)."""
    if level == 0:
        return f"（{index}）" if ordered else "● "
    if level == 1:
        if not ordered:
            return "○ "
        return chr(0x245F + index) if index <= 20 else f"（{index}）"
    return f"{index}) " if ordered else "■ "


@dataclass
class ListItem:
    """One list item: its text, its nesting level (0 = outermost) and its printed marker.

    A second paragraph of an item is an item of its own with an empty label.
    """

    runs: list[Run]
    level: int = 0
    label: str = ""


LIST_LEVELS = 3  # a digest list nests at most this deep (levels 0, 1, 2)


@dataclass
class ListBlock:
    """A list, nested lists flattened into items that keep their level.

    Items may be given as bare run lists (one-level lists): they become
    ``ListItem``s at level 0 labelled as ``ordered`` says.
    """

    items: list[ListItem]
    ordered: bool = False

    def __post_init__(self) -> None:
        self.items = [
            item if isinstance(item, ListItem) else ListItem(list(item), 0, item_label(self.ordered, n, 0))
            for n, item in enumerate(self.items, start=1)
        ]


@dataclass
class Table:
    """A table with header rows; ``numeric[i]`` right-aligns column i.

    ``group_rows`` are the indices of body rows that label a group of the rows after
    them: their one cell spans every column. ``widths`` (shares of the text width, set
    by the layout transform) and ``splits`` (runs over pages with its header repeated,
    rather than kept whole) are decided once for every writer.
    """

    number: int
    caption: str
    header: list[list[str]]
    rows: list[list[str]]
    numeric: list[bool]
    source: str = ""
    widths: list[float] = field(default_factory=list)
    splits: bool = False
    group_rows: list[int] = field(default_factory=list)
    style: str = "table"  # the theme style of its cells (the appendix sets its long table smaller)

    @property
    def label(self) -> str:
        return f"表{self.number}　{self.caption}"

    @property
    def columns(self) -> int:
        return max([len(self.numeric), *(len(r) for r in self.header + self.rows)])


@dataclass
class NativeSeries:
    """One series of a native chart: ``labels`` are the values as published (qualifier, 万 scaling).

    ``axis`` is left or right (a bar_line's line); ``type`` is bar or line.
    """

    name: str
    values: list[float | None]
    labels: list[str]
    axis: str = "left"
    type: str = "bar"


@dataclass
class NativeChart:
    """What a chart shows, for writers that build the chart itself (an editable DOCX chart).

    ``kind`` is the chart spec's type (bar, barh, line, bar_line, pie, donut, stacked_bar);
    ``stacked`` and ``horizontal`` say it once more for writers that only know bars.
    ``remainder``: the last series (stacked) or category (pie, donut) fills to 100.
    """

    kind: str
    categories: list[str]
    series: list[NativeSeries]
    left_unit: str = ""
    right_unit: str = ""
    stacked: bool = False
    horizontal: bool = False
    remainder: bool = False


@dataclass
class Figure:
    """A chart drawn to ``image`` (PNG), at the size the layout transform gives it, in mm.

    ``chart`` holds its data too, when a writer may build the chart natively instead.
    """

    number: int
    caption: str
    image: Path
    width_mm: float
    height_mm: float
    source: str = ""
    chart: NativeChart | None = None

    @property
    def label(self) -> str:
        return f"图{self.number}　{self.caption}"


@dataclass
class ChartRef:
    """A pending ``![caption](chart:id "title")``: the resolve transform makes it a Figure or drops it."""

    id: str
    caption: str
    title: str = ""


@dataclass
class TableRef:
    """A pending ``![caption](table:id "title")``: the resolve transform makes it a Table or drops it."""

    id: str
    caption: str
    title: str = ""


@dataclass
class PageBreak:
    pass


@dataclass
class ThematicBreak:
    """A Markdown thematic break (``---``): a thin rule across the text block."""


Block = Union[Heading, Paragraph, ListBlock, Table, Figure, ChartRef, TableRef, PageBreak, ThematicBreak]


# -- the digest's parts --------------------------------------------------------
@dataclass
class Masthead:
    name: str  # digest name, printed in red
    issue: str  # "第1期" (may include "（总第X期）")
    unit: str  # issuing unit, left
    date: str  # "2025年7月20日", right
    marking: str = ""  # e.g. "内部资料 注意保存", top-left


@dataclass
class KeyPoints:
    """本期要点: a titled box of key-point paragraphs between two rules.

    ``anchor`` names its bookmark and outline entry, as a heading's does.
    """

    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    anchor: str = ""


@dataclass
class ContentsEntry:
    level: int
    label: str  # the heading's printed label, number included
    anchor: str  # the heading's anchor: the entry links to it


@dataclass
class Contents:
    """目录: its entries are filled by the contents transform from the headings' anchors."""

    title: str
    entries: list[ContentsEntry] = field(default_factory=list)


@dataclass
class Chapter:
    """One sector: its level-1 heading plus blocks (sections are headings inside)."""

    heading: Heading
    blocks: list[Block] = field(default_factory=list)
    sector: str = ""


@dataclass
class Appendix:
    """附: the data the text used, after the chapters (the appendix transform places it)."""

    heading: Heading
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Closing:
    """版记 / 报尾: lines such as "报：…", "送：…", and the print run at the right."""

    lines: list[str] = field(default_factory=list)
    print_run: str = ""  # e.g. "共印50份"


Part = Union[Masthead, KeyPoints, Contents, Chapter, Appendix, Closing, PageBreak]

# Every node type a writer must render (the coverage test reads this).
NODE_TYPES: tuple[type, ...] = (
    Run, Heading, Paragraph, ListBlock, ListItem, Table, Figure, PageBreak, ThematicBreak,
    Masthead, KeyPoints, Contents, ContentsEntry, Chapter, Appendix, Closing,
)
# Pending nodes: the transforms replace every one before a writer sees the tree.
PENDING_TYPES: tuple[type, ...] = (ChartRef, TableRef)


@dataclass(frozen=True)
class Pagination:
    """Where jianbao's own layout (the PDF's) put the digest: its page count and each anchor's page.

    The DOCX writer fills its contents' page numbers and its page count from it, so a
    reader who opens the DOCX sees the numbers at once, without Word's update prompt.
    It also breaks its pages before the 版记 as the PDF did (``closing - body_end`` breaks), so
    that the 版记 stands on the same even last page in both files (GB/T 9704 §7.4).
    """

    pages: int
    anchors: dict[str, int] = field(default_factory=dict)
    # The page the 版记 came up on in the flow: where the text before it ends (the next page after
    # a PageBreak before it). 0: no 版记.
    body_end: int = 0
    # The (even) page whose foot the 版记 stands at; 0 when there is none or it flows over pages.
    closing: int = 0


@dataclass
class Metadata:
    title: str
    subject: str = ""
    author: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "zh-CN"
    created: str = ""  # ISO 8601 with its offset (the issue date's midnight), fixed for reproducible bytes


@dataclass
class Document:
    meta: Metadata
    parts: list[Part] = field(default_factory=list)

    def find(self, kind: type) -> list:
        """The parts of one type, in order."""
        return [p for p in self.parts if isinstance(p, kind)]

    def first(self, kind: type):
        """The first part of one type, or None."""
        return next((p for p in self.parts if isinstance(p, kind)), None)

    @property
    def chapters(self) -> list[Chapter]:
        return self.find(Chapter)

    def blocks_in_order(self) -> list[Block]:
        """Every chapter and appendix block in reading order, headings included."""
        out: list[Block] = []
        for part in self.parts:
            if isinstance(part, (Chapter, Appendix)):
                out.append(part.heading)
                out.extend(part.blocks)
        return out

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks_in_order() if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks_in_order() if isinstance(b, Table)]
