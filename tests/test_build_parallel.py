"""Parallel builds (charts and the DOCX on the worker pool) give what a sequential build gives,
and no worker outlives the build's process: not after a success, a failure, Ctrl+C or kill -9."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from jianbao import workers
from jianbao.build import build, charts_likely
from jianbao.charts import ChartFontError, draw_charts, load_chart_specs
from jianbao.data import load_dataset
from jianbao.periods import parse_period
from jianbao.project import open_project
from jianbao.resources import builtin_path
from jianbao.scaffold import init_project
from jianbao.theme import load_theme

BROKEN_CHART = """\
type: bar
title: "{year}年规模以上工业增加值增速"
series:
  - indicator: industry_va_growth
categories:
  - label: 上半年😀
"""
JIANBAO = Path(sys.executable).with_name("jianbao")  # the console script of this environment


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_project(tmp_path_factory.mktemp("parallel") / "digest")


def _copy(root: Path, to: Path) -> Path:
    shutil.copytree(root, to, ignore=shutil.ignore_patterns("reports"))
    return to


def _outputs(root: Path, parallel: bool, drawn: bool = True) -> tuple[dict[str, bytes], dict[str, bytes]]:
    result = build(root, None, ("docx", "pdf"), parallel=parallel)
    assert result.charts_drawn >= 8 if drawn else result.charts_drawn == 0
    pngs = {p.name: p.read_bytes() for p in (root / "reports" / ".cache" / "charts").iterdir()}
    return {f.format: f.path.read_bytes() for f in result.files}, pngs


def test_parallel_and_sequential_builds_give_the_same_bytes(sample: Path, tmp_path: Path) -> None:
    workers.shutdown()  # the first parallel build starts the pool, the second finds it warm
    cold = _outputs(root := _copy(sample, tmp_path / "cold"), True)
    warm = _outputs(_copy(sample, tmp_path / "warm"), True)
    rebuilt = _outputs(root, True, drawn=False)  # charts from the cache: a worker lays out the PDF
    sequential = _outputs(_copy(sample, tmp_path / "sequential"), False)
    assert cold == warm == rebuilt == sequential


def test_charts_are_likely_when_none_was_drawn_or_the_data_changed(sample: Path, tmp_path: Path) -> None:
    root = _copy(sample, tmp_path / "likely")
    assert charts_likely(open_project(root))  # nothing drawn yet
    build(root, None, ("docx",))
    os.utime(root / "data" / "highlights" / "industry.yaml")
    assert not charts_likely(open_project(root))  # a text edit
    os.utime(root / "data" / "observations" / "industry.csv")
    assert charts_likely(open_project(root))


def test_charts_missing_from_the_cache_are_drawn_on_the_pool(tmp_path: Path) -> None:
    dataset = load_dataset(builtin_path("sample", "data"))
    period, theme, specs = parse_period("2025H1"), load_theme(), load_chart_specs(None)
    pending = draw_charts(specs, dataset, period, theme, tmp_path / "parallel", parallel=True)
    assert pending._pending is not None  # drawing beside this process
    pending.wait()
    sequential = draw_charts(specs, dataset, period, theme, tmp_path / "sequential")
    assert sorted(pending.drawn) == sorted(sequential.drawn) == sorted(specs)
    assert {k: p.read_bytes() for k, p in pending.items()} == {k: p.read_bytes() for k, p in sequential.items()}


def _broken(sample: Path, to: Path) -> Path:
    root = _copy(sample, to)
    (root / "templates" / "charts").mkdir(parents=True, exist_ok=True)
    (root / "templates" / "charts" / "industry_growth.yaml").write_text(BROKEN_CHART, encoding="utf-8")
    return root


def test_a_chart_failing_in_a_worker_is_the_same_clear_error(sample: Path, tmp_path: Path) -> None:
    messages = {}
    for parallel in (False, True):
        root = _broken(sample, tmp_path / f"broken-{parallel}")
        with pytest.raises(ChartFontError) as caught:
            build(root, None, ("docx", "pdf"), parallel=parallel)
        messages[parallel] = str(caught.value)
        assert not (root / "reports" / "2025H1").exists()  # nothing written
    assert "GRINNING FACE" in messages[True]
    assert messages[True] == messages[False]
    assert _outputs(_copy(sample, tmp_path / "after"), True)  # the pool still works


# -- no process left behind: `jianbao build` in a process of its own ------------------


def _marked(mark: str) -> list[int]:
    """Live processes (not zombies) whose environment carries ``mark``: the build and all it started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if state != "Z" and f"JIANBAO_TEST_MARK={mark}".encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _start(root: Path) -> tuple[subprocess.Popen, str]:
    mark = uuid.uuid4().hex
    process = subprocess.Popen([str(JIANBAO), "build", "--project", str(root)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env={**os.environ, "JIANBAO_TEST_MARK": mark})
    return process, mark


def _left_behind(mark: str, within: float = 10.0) -> list[int]:
    deadline = time.monotonic() + within
    while (alive := _marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def _run(root: Path) -> tuple[int, str, list[int]]:
    process, mark = _start(root)
    output, _ = process.communicate(timeout=120)
    return process.returncode, output.decode(), _left_behind(mark, within=2.0)


def test_no_worker_outlives_a_build(sample: Path, tmp_path: Path) -> None:
    code, output, alive = _run(_copy(sample, tmp_path / "ok"))
    assert code == 0, output
    assert alive == []


def test_no_worker_outlives_a_failed_build(sample: Path, tmp_path: Path) -> None:
    code, output, alive = _run(_broken(sample, tmp_path / "broken"))
    assert code == 1 and "GRINNING FACE" in output
    assert alive == []


def _mid_build(root: Path, signum: int) -> tuple[subprocess.Popen, str, int]:
    """Start a cold build, wait until a worker has drawn its first chart, then send ``signum``."""
    process, mark = _start(root)
    charts = root / "reports" / ".cache" / "charts"
    deadline = time.monotonic() + 60
    while not (charts.is_dir() and any(charts.glob("*.png"))):
        assert process.poll() is None and time.monotonic() < deadline, "the build ended before drawing"
        time.sleep(0.02)
    helpers = len([pid for pid in _marked(mark) if pid != process.pid])
    process.send_signal(signum)
    process.communicate(timeout=60)
    return process, mark, helpers


def test_no_worker_outlives_an_interrupted_build(sample: Path, tmp_path: Path) -> None:
    process, mark, helpers = _mid_build(_copy(sample, tmp_path / "interrupted"), signal.SIGINT)
    assert helpers >= 2  # the build was drawing on workers
    assert process.returncode != 0
    assert _left_behind(mark) == []


def test_no_worker_outlives_a_killed_build(sample: Path, tmp_path: Path) -> None:
    process, mark, helpers = _mid_build(_copy(sample, tmp_path / "killed"), signal.SIGKILL)
    assert helpers >= 2
    assert process.returncode == -signal.SIGKILL
    assert _left_behind(mark) == []
