"""附：本期数据一览 as a reader finds it in the DOCX: grouped, with units apart, each fact said once."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from jianbao import api
from jianbao.scaffold import init_project


def build(root: Path, mode: str | None) -> docx.document.Document:
    if mode is not None:
        config = root / "jianbao.toml"
        config.write_text(config.read_text(encoding="utf-8") + f'\n[appendix]\nmode = "{mode}"\n', encoding="utf-8")
    result = api.build(root, "2025H1", formats=("docx",))
    return docx.Document(str(next(f.path for f in result.files if f.format == "docx")))


def appendix_rows(word) -> list[list[str]]:
    table = word.tables[-2]  # the last is the 版记
    return [[c.text for c in dict.fromkeys(row.cells)] for row in table.rows]


@pytest.fixture(scope="module")
def compact(tmp_path_factory):
    return build(init_project(tmp_path_factory.mktemp("appendix") / "digest"), None)


def test_the_compact_appendix_groups_by_chapter_with_units_apart(compact):
    rows = appendix_rows(compact)
    assert rows[0][:3] == ["指标", "数值", "单位"]
    groups = [r[0] for r in rows[1:] if len(r) == 1]
    chapters = [p.text.split("、", 1)[1] for p in compact.paragraphs if p.style.name == "Heading 1" and "、" in p.text]
    assert [g.split("（")[0] for g in groups] == chapters
    figures = [r for r in rows[1:] if len(r) > 1]
    assert len(figures) > 50
    assert all(not r[2] or not any(ch.isdigit() for ch in r[2]) for r in figures)  # the unit column holds units
    assert any(r[1] == "1562.1" and r[2] == "万辆" for r in figures)
    assert any(r[0].startswith("1—5月") for r in figures)  # a row of another period says so first


def test_a_period_or_source_the_group_shares_is_said_once(compact):
    cells = [c for r in appendix_rows(compact)[1:] for c in r]
    figures = [r for r in appendix_rows(compact)[1:] if len(r) > 1]
    assert sum(c == "2025年上半年" for c in cells) < len(figures) / 4
    assert sum("工业和信息化部" in c for c in cells) < len(figures) / 4


def test_full_mode_is_one_row_per_figure_with_every_column(tmp_path):
    rows = appendix_rows(build(init_project(tmp_path / "digest"), "full"))
    assert rows[0] == ["指标", "时期", "数值", "来源"]
    assert all(len(r) == 4 for r in rows)


def test_none_mode_has_no_appendix_and_no_contents_entry_for_it(tmp_path):
    word = build(init_project(tmp_path / "digest"), "none")
    assert not any(p.text.startswith("附：") for p in word.paragraphs)
