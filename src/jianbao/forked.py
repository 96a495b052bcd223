"""Work on the second core: a forked process that warms up now and runs one call later.

A build's slow parts each begin with a fixed cost that needs nothing from the
narrative: importing matplotlib before charts, importing reportlab and parsing
the CJK fonts before the PDF. Forked as soon as the theme is known, a worker pays
that cost while the main process narrates and composes; it then gets its input
(pickled through a pipe) and sends back its result, or the exception it raised,
which the main process raises as its own.

Forking is used only where it is safe and useful (``can_fork``): Linux, no other
threads in this process, not itself a multiprocessing child (a pool worker leaves
the other cores to the pool), and more than one core to run on.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """Whether a forked worker can run beside this process on a core of its own."""
    if sys.platform != "linux" or threading.active_count() > 1:
        return False
    import multiprocessing

    return multiprocessing.parent_process() is None and len(os.sched_getaffinity(0)) > 1


def portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else one that keeps its type name and message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class Forked:
    """A forked worker: ``warm_up()`` at once, then ``run(arg)`` for the one ``arg`` it is sent.

    ``warm_up`` and ``run`` are inherited through the fork (closures are fine); only
    ``arg``, the result and an exception cross the pipe. ``seconds`` is how long
    ``run`` took in the worker, known after ``result()``.
    """

    def __init__(self, warm_up: Callable[[], None], run: Callable[[Any], Any], name: str) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child, warm_up, run, os.getpid()), name=name, daemon=True)
        self._process.start()
        child.close()
        self.seconds = 0.0
        self._sent = False

    def send(self, arg: Any) -> None:
        self._sent = True
        try:
            self._conn.send((arg,))
        except OSError:  # the worker is gone: result() says how it ended
            pass

    def result(self) -> Any:
        """What ``run`` returned, or its exception raised here; the worker is reaped either way."""
        try:
            try:
                ok, value, self.seconds = self._conn.recv()
            except EOFError:
                self._process.join()
                raise RuntimeError(
                    f"the {self._process.name} worker process ended without a result "
                    f"(exit code {self._process.exitcode})") from None
        finally:
            self.cancel()
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop and reap the worker; safe to call twice, and after ``result()``.

        A worker still warming up is terminated (it has written nothing); one that got
        its input is left to finish, so it never leaves half-written files behind.
        """
        if self._process.is_alive():
            if not self._sent:
                self._process.terminate()
            self._process.join(timeout=30)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
        self._conn.close()


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (kill -9 of ``jianbao build`` included).

    Without it a worker whose parent was killed waits forever for its input: the
    fork gave it a copy of the parent's end of the pipe, so it never sees EOF.
    """
    import ctypes

    PR_SET_PDEATHSIG = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _serve(conn, warm_up: Callable[[], None], run: Callable[[Any], Any], parent: int) -> None:
    """In the worker. Ctrl+C is the main process's to handle: it cancels the worker."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start = time.perf_counter()
    try:
        warm_up()
        order = conn.recv()
        if order is None:
            return
        start = time.perf_counter()
        reply = (True, run(order[0]), time.perf_counter() - start)
    except EOFError:  # cancelled before any input
        return
    except BaseException as exc:
        reply = (False, portable(exc), time.perf_counter() - start)
    try:
        conn.send(reply)
    except OSError:  # cancelled meanwhile
        pass
    except Exception as exc:  # the result itself would not pickle
        conn.send((False, portable(exc), time.perf_counter() - start))
    finally:
        conn.close()
