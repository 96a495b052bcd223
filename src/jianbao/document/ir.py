"""The document IR: the one contract between composing and the two writers.

Plain dataclasses only. Both writers render every node type here; a writer that
meets a node it does not know raises ``UnknownNodeError`` instead of skipping it.
Numbering (一、, （一）, 图1, 表1) is assigned by the composer, so the writers
never count and both formats number alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from jianbao.document.text import list_label


class UnknownNodeError(TypeError):
    """A writer was given a node type it does not render."""


@dataclass(frozen=True)
class Run:
    """A piece of inline text; ``strong``/``emphasis`` map to bold/italic-or-kai.

    ``href`` makes the run a hyperlink (DOCX w:hyperlink, PDF link annotation). The
    composer prints a link's URL as text too (“文字（https://…）”), so a printed page
    and a text extract keep it; writers only make the runs clickable.
    """

    text: str
    strong: bool = False
    emphasis: bool = False
    href: str = ""


@dataclass
class Heading:
    """A chapter (level 1), section (2) or subsection (3) heading.

    ``number`` is the printed label without the title, e.g. "一、", "（一）", "1.".
    """

    level: int
    text: str
    number: str = ""

    @property
    def label(self) -> str:
        return f"{self.number}{self.text}"


@dataclass
class Paragraph:
    runs: list[Run]
    # A theme paragraph style name: body, keypoint, or quote (a Markdown block quote:
    # indented, in 楷体). A style the theme lacks is an error in both writers.
    style: str = "body"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class ListItem:
    """One list item: its text, its nesting level (0 = outermost) and its printed marker.

    The composer assigns ``label`` ("● ", "（1）", "①" …) so both writers mark alike; a
    second paragraph of an item is an item of its own with an empty label.
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
            item if isinstance(item, ListItem) else ListItem(list(item), 0, list_label(self.ordered, n))
            for n, item in enumerate(self.items, start=1)
        ]


@dataclass
class Table:
    """A table with header rows; ``numeric[i]`` right-aligns column i."""

    number: int
    caption: str
    header: list[list[str]]
    rows: list[list[str]]
    numeric: list[bool]
    source: str = ""

    @property
    def label(self) -> str:
        return f"表{self.number}　{self.caption}"


@dataclass
class Figure:
    """A chart drawn to ``image`` (PNG) with its size in millimetres."""

    number: int
    caption: str
    image: Path
    width_mm: float
    height_mm: float
    source: str = ""

    @property
    def label(self) -> str:
        return f"图{self.number}　{self.caption}"


@dataclass
class PageBreak:
    pass


@dataclass
class ThematicBreak:
    """A Markdown thematic break (``---``): a thin rule across the text block."""


Block = Union[Heading, Paragraph, ListBlock, Table, Figure, PageBreak, ThematicBreak]


@dataclass
class Chapter:
    """One sector: its level-1 heading plus blocks (sections are headings inside)."""

    heading: Heading
    blocks: list[Block] = field(default_factory=list)
    sector: str = ""


@dataclass
class Masthead:
    name: str  # digest name, printed in red
    issue: str  # "第1期" (may include "（总第X期）")
    unit: str  # issuing unit, left
    date: str  # "2025年7月20日", right
    marking: str = ""  # e.g. "内部资料 注意保存", top-left


@dataclass
class Closing:
    """版记 / 报尾: lines such as "报：…", "送：…", and the print run at the right."""

    lines: list[str] = field(default_factory=list)
    print_run: str = ""  # e.g. "共印50份"


@dataclass
class Metadata:
    title: str
    subject: str = ""
    author: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "zh-CN"
    created: str = ""  # ISO 8601 UTC, fixed per build input for reproducible bytes


@dataclass
class Document:
    meta: Metadata
    masthead: Masthead
    key_points: list[Paragraph] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    appendix: list[Block] = field(default_factory=list)  # 附：数据表 (heading + tables)
    closing: Closing = field(default_factory=Closing)
    toc: bool = True
    key_points_title: str = "本期要点"
    toc_title: str = "目　录"

    def blocks_in_order(self) -> list[Block]:
        """Every chapter block in reading order (for parity checks and counting)."""
        out: list[Block] = []
        for ch in self.chapters:
            out.append(ch.heading)
            out.extend(ch.blocks)
        return out

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks_in_order() if isinstance(b, Figure)]

