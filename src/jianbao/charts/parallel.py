"""Draw charts on the second core while the build goes on.

Charts are the largest cost of a cold build (importing matplotlib alone is a
quarter of a second), and the rest of the build (narrate, compose, writer
imports, font parsing) does not need their pixels. So a worker (``jianbao.forked``)
is forked early and imports matplotlib while the main process narrates; the jobs
(the charts the cache lacks) are sent to it once known, and the main process
calls ``wait()`` when it has nothing left to do without the pictures.

Both processes claim jobs from one shared counter, so if the main process
already has matplotlib loaded (a batch or ``--watch`` process that drew before)
it draws beside the worker instead of idling; a process without matplotlib only
waits, since importing it there would cost more than the charts left. Each chart
is drawn exactly once, by either process, into the cache; its bytes do not
depend on which.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Protocol

from jianbao.forked import Forked, portable

_NO_MORE = 2**31 - 1  # a claim index beyond any job list


class Job(Protocol):
    def run(self, style) -> None: ...


class SharedDrawing:
    """A forked chart worker: warms up at once, draws the jobs ``submit`` sends it."""

    def __init__(self, style) -> None:
        import multiprocessing

        from jianbao.charts.draw import warm_up

        self._style = style
        self._jobs: list[Job] = []
        self._next = multiprocessing.get_context("fork").Value("i", 0)  # the next unclaimed job
        self._worker = Forked(lambda: warm_up(style), self._work, "jianbao-charts")

    def submit(self, jobs: Sequence[Job], style) -> None:
        """Send the worker its jobs (it may already be drawing when this returns)."""
        self._jobs, self._style = list(jobs), style
        self._worker.send((self._jobs, style))

    def wait(self) -> None:
        """Every job done: draw unclaimed ones here if matplotlib is loaded; raise the first failure."""
        try:
            failures = self._draw_claimed() if "matplotlib" in sys.modules else []
            failures += self._worker.result()
        finally:
            self.cancel()
        if failures:
            # The lowest failing job is the one a sequential run would have stopped at:
            # every job before it was claimed earlier, so it was drawn or failed too.
            raise min(failures, key=lambda f: f[0])[1]

    def cancel(self) -> None:
        """Let no one claim another job, and reap the worker; safe to call twice."""
        self._stop_claims()
        self._worker.cancel()

    def _work(self, order) -> list[tuple[int, BaseException]]:
        """In the worker: draw what it claims; the failures go back to the main process."""
        self._jobs, self._style = order
        return [(i, portable(exc)) for i, exc in self._draw_claimed()]

    def _claim(self) -> int | None:
        with self._next.get_lock():
            i = self._next.value
            if i >= len(self._jobs):
                return None
            self._next.value = i + 1
            return i

    def _stop_claims(self) -> None:
        with self._next.get_lock():
            self._next.value = _NO_MORE

    def _draw_claimed(self) -> list[tuple[int, BaseException]]:
        failures: list[tuple[int, BaseException]] = []
        while (i := self._claim()) is not None:
            try:
                self._jobs[i].run(self._style)
            except Exception as exc:  # reported, and no one claims further jobs
                failures.append((i, exc))
                self._stop_claims()
        return failures
