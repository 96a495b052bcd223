"""Parallel builds (forked chart and PDF workers) give what a sequential build gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jianbao.build import build
from jianbao.charts import ChartFontError, draw_charts, load_chart_specs
from jianbao.data import load_dataset
from jianbao.periods import parse_period
from jianbao.resources import builtin_path
from jianbao.scaffold import init_project
from jianbao.theme import load_theme
from test_forked import children

BROKEN_CHART = """\
type: bar
title: "{year}年规模以上工业增加值增速"
series:
  - indicator: industry_va_growth
categories:
  - label: 上半年😀
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_project(tmp_path_factory.mktemp("parallel") / "digest")


def _copy(root: Path, to: Path) -> Path:
    shutil.copytree(root, to, ignore=shutil.ignore_patterns("reports"))
    return to


def test_parallel_and_sequential_builds_give_the_same_bytes(sample: Path, tmp_path: Path) -> None:
    results = {}
    for parallel in (True, False):
        root = _copy(sample, tmp_path / f"parallel-{parallel}")
        result = build(root, None, ("docx", "pdf"), parallel=parallel)
        assert result.charts_drawn >= 8
        pngs = {p.name: p.read_bytes() for p in (root / "reports" / ".cache" / "charts").iterdir()}
        results[parallel] = ({f.format: f.path.read_bytes() for f in result.files}, pngs)
    assert results[True] == results[False]
    assert children() == []


def test_charts_missing_from_the_cache_are_drawn_by_a_worker_forked_on_demand(tmp_path: Path) -> None:
    dataset = load_dataset(builtin_path("sample", "data"))
    period, theme, specs = parse_period("2025H1"), load_theme(), load_chart_specs(None)
    pending = draw_charts(specs, dataset, period, theme, tmp_path / "parallel", parallel=True)
    assert pending._pending is not None  # drawing beside this process
    pending.wait()
    sequential = draw_charts(specs, dataset, period, theme, tmp_path / "sequential")
    assert sorted(pending.drawn) == sorted(sequential.drawn) == sorted(specs)
    assert {k: p.read_bytes() for k, p in pending.items()} == {k: p.read_bytes() for k, p in sequential.items()}
    assert children() == []


def test_a_failing_chart_in_the_worker_is_the_same_clear_error(sample: Path, tmp_path: Path) -> None:
    messages = {}
    for parallel in (False, True):
        root = _copy(sample, tmp_path / f"broken-{parallel}")
        (root / "templates" / "charts").mkdir(parents=True, exist_ok=True)
        (root / "templates" / "charts" / "industry_growth.yaml").write_text(BROKEN_CHART, encoding="utf-8")
        with pytest.raises(ChartFontError) as caught:
            build(root, None, ("docx", "pdf"), parallel=parallel)
        messages[parallel] = str(caught.value)
        assert not (root / "reports" / "2025H1").exists()  # nothing written
    assert "GRINNING FACE" in messages[True]
    assert messages[True] == messages[False]
    assert children() == []


def test_a_failing_template_stops_the_early_workers(sample: Path, tmp_path: Path) -> None:
    root = _copy(sample, tmp_path / "template")
    chapter = root / "templates" / "chapters" / "industry.md.j2"
    chapter.parent.mkdir(parents=True, exist_ok=True)
    chapter.write_text("{{ fig('no_such_indicator') | growth }}\n", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_indicator"):
        build(root, None, ("docx", "pdf"), parallel=True)
    assert children() == []
