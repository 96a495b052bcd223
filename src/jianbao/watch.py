"""`jianbao build --watch`: rebuild when data, templates, theme or config change.

watchfiles reports changes (inotify on Linux); each rebuild prints how long it
took. Charts come from the cache, so a text-only edit redraws none. A failed
rebuild prints its error and keeps watching: the previous outputs stay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from jianbao.build import build
from jianbao.errors import JianbaoError, format_error
from jianbao.project import open_project


def watch_and_build(
    project_dir: Path,
    period: str | None,
    formats: tuple[str, ...],
    log: Callable[[str], None] = print,
    stop_event=None,
) -> None:
    from watchfiles import watch

    root = project_dir.resolve()
    _rebuild(root, period, formats, log)
    paths = [p for p in (root / "jianbao.toml", root / "data", root / "templates") if p.exists()]
    watching = False
    # yield_on_timeout: the first (empty) yield comes once the watches are in place, so
    # "watching" is printed only when an edit from then on is sure to be seen.
    for changes in watch(*paths, stop_event=stop_event, debounce=200, yield_on_timeout=True, rust_timeout=300):
        if not changes:
            if not watching:
                log(f"watching {', '.join(str(p) for p in paths)} (Ctrl+C to stop)")
                watching = True
            continue
        names = sorted({Path(p).name for _, p in changes})
        log(f"changed: {', '.join(names)}")
        _rebuild(root, period, formats, log)


def _rebuild(root: Path, period: str | None, formats: tuple[str, ...], log: Callable[[str], None]) -> None:
    start = time.perf_counter()
    try:
        result = build(open_project(root), period, formats, log=log)
    except JianbaoError as exc:
        log(format_error(exc))
        return
    log(f"rebuilt {result.period.code} in {time.perf_counter() - start:.2f} s ({result.charts_drawn} charts drawn)")
