"""Draw charts on the second core while the build goes on.

Charts are the largest cost of a cold build (importing matplotlib alone is a
quarter of a second), and the rest of the build (narrate, compose, writer
imports, font parsing) does not need their pixels. So a worker is forked early —
as soon as the theme is known, before the narrative says which charts it wants —
and imports matplotlib while the main process narrates. The jobs (the charts the
cache lacks) are then sent to it; the main process continues and calls ``wait()``
when it has nothing left to do without the pictures.

Both processes claim jobs from one shared counter, so if the main process
already has matplotlib loaded (a batch or ``--watch`` process that drew before)
it draws beside the worker instead of idling; a process without matplotlib only
waits, since importing it there would cost more than the charts left. Each chart
is drawn exactly once, by either process, into the cache; its bytes do not
depend on which.

The worker is a fork, so this is used only where forking is safe: Linux, no other
threads in this process, not itself a multiprocessing child (a pool worker leaves
the other cores to the pool), and more than one core to run on.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Protocol


_NO_MORE = 2**31 - 1  # a claim index beyond any job list


class Job(Protocol):
    def run(self, style) -> None: ...


def can_share() -> bool:
    """Whether a forked chart worker can run beside this process on a core of its own."""
    if sys.platform != "linux" or threading.active_count() > 1:
        return False
    import multiprocessing

    return multiprocessing.parent_process() is None and len(os.sched_getaffinity(0)) > 1


class SharedDrawing:
    """A forked chart worker: warms up at once, draws the jobs ``submit`` sends it."""

    def __init__(self, style) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self._style = style
        self._jobs: list[Job] = []
        self._next = ctx.Value("i", 0)  # index of the next unclaimed job
        self._submitted = False
        self._orders, orders = ctx.Pipe()
        self._worker = ctx.Process(target=self._serve, args=(orders,), name="jianbao-charts", daemon=True)
        self._worker.start()
        orders.close()

    def submit(self, jobs: Sequence[Job], style) -> None:
        """Send the worker its jobs (it may already be drawing when this returns)."""
        self._jobs, self._style = list(jobs), style
        self._submitted = True
        try:
            self._orders.send((self._jobs, style))
        except OSError:  # the worker is gone: wait() reports how it ended
            pass

    def wait(self) -> None:
        """Every job done: draw unclaimed ones here if matplotlib is loaded; raise the first failure."""
        try:
            failures = self._draw_claimed() if "matplotlib" in sys.modules else []
            try:
                failures += self._orders.recv()
            except EOFError:
                self._worker.join()
                failures.append((len(self._jobs), RuntimeError(
                    f"the chart worker process ended without a report (exit code {self._worker.exitcode})")))
        finally:
            self.cancel()
        if failures:
            # The lowest failing job is the one a sequential run would have stopped at:
            # every job before it was claimed earlier, so it was drawn or failed too.
            raise min(failures, key=lambda f: f[0])[1]

    def cancel(self) -> None:
        """Stop the worker (it exits after its current chart) and reap it; safe to call twice."""
        if self._worker.is_alive():
            self._stop_claims()
            if not self._submitted:
                try:
                    self._orders.send(None)
                except OSError:
                    pass
            self._worker.join(timeout=10)
            if self._worker.is_alive():
                self._worker.terminate()
                self._worker.join()
        self._orders.close()

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

    def _serve(self, orders) -> None:
        """In the worker: import matplotlib, take the jobs, draw what it claims, report failures.

        Ctrl+C is the main process's to handle: it cancels the worker.
        """
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            from jianbao.charts.draw import warm_up

            warm_up(self._style)
            order = orders.recv()
            if order is None:
                return
            self._jobs, self._style = order
            failures = self._draw_claimed()
        except BaseException as exc:  # not a chart's error (warm-up, pipe): raised first in the build
            self._stop_claims()
            failures = [(-1, exc)]
        try:
            orders.send([(i, _portable(exc)) for i, exc in failures])
        except OSError:  # the build was cancelled and closed its end
            pass
        orders.close()


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else one that keeps its type name and message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
