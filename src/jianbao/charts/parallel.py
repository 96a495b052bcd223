"""Draw charts on the worker pool while the build goes on.

Charts are the largest cost of a cold build, and the rest of the build
(narrate, compose, writer imports, font parsing) does not need their pixels.
So each chart the cache lacks is a job for the pool (``jianbao.workers``),
whose workers draw them side by side into the cache; the build calls ``wait()``
when it has nothing left to do without the pictures. A chart's bytes do not
depend on which process drew it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jianbao import workers
from jianbao.atomic import write_bytes_atomic
from jianbao.charts.draw import ChartStyle, render_png

if TYPE_CHECKING:
    from jianbao.charts.data import ChartData


@dataclass(frozen=True)
class ChartJob:
    """One picture the cache lacks: draw it, store it, drop the stale version."""

    chart_id: str
    data: ChartData
    path: Path

    def run(self, style: ChartStyle) -> None:
        write_bytes_atomic(self.path, render_png(self.data, style))
        for old in self.path.parent.glob(f"{self.chart_id}-*.png"):
            if old != self.path and old.stem.rpartition("-")[0] == self.chart_id:
                old.unlink(missing_ok=True)


class SharedDrawing:
    """Charts being drawn on the pool (``workers.start`` gets it ready before the jobs are known)."""

    def __init__(self) -> None:
        self._jobs: list[Future] = []
        self._queueing: threading.Thread | None = None
        self._failed: BaseException | None = None  # by the queueing

    def submit(self, jobs: Sequence[ChartJob], style: ChartStyle) -> None:
        """Queue the jobs and return: a thread does the queueing, which waits while workers still start."""
        self._queueing = threading.Thread(target=self._queue, args=(jobs, style), name="queue-charts")
        self._queueing.start()

    def wait(self) -> None:
        """Every job done; raises the error of the first failing job, as a sequential run would."""
        try:
            self._join()
            if self._failed is not None:
                raise self._failed
            for future in self._jobs:
                future.result()
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Drop what has not started and wait for the jobs running: none writes after this returns."""
        self._join()
        jobs, self._jobs = self._jobs, []
        for future in jobs:
            future.cancel()
        wait(jobs)

    def _queue(self, jobs: Sequence[ChartJob], style: ChartStyle) -> None:
        try:
            for job in jobs:
                self._jobs.append(workers.submit(job.run, style))
        except BaseException as exc:  # raised by wait(), in the build's thread
            self._failed = exc

    def _join(self) -> None:
        if self._queueing is not None:
            self._queueing.join()
