"""The process pool that draws charts and writes a document beside the build.

Portable by construction: several workers start by 'forkserver' on Linux, and a
single one, or any elsewhere, by 'spawn', the platform's default (on macOS a fork
of a process that has loaded system frameworks, as numpy may, is unsafe even from
a fork server); never by a bare fork of a process that may hold threads. So every
task is a module-level function and everything sent to a worker or back pickles.

One pool serves every build of a process (a batch, ``--watch``): its workers
import matplotlib and the writers once, not once per build. It starts on first
use and ends with the process (``concurrent.futures`` shuts it down at exit).
A worker also ends by itself when this process is gone, kill -9 included: a
pool worker waiting for its next task would otherwise wait forever.
"""

from __future__ import annotations

import atexit
import importlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

MAX_WORKERS = 4  # the charts of a digest keep no more busy; each worker holds about 100 MB
# A worker imports the main module first; for the `jianbao` command that is a script importing this.
MAIN_MODULE = "jianbao.cli"

_pool: ProcessPoolExecutor | None = None
_workers = 0  # how many the pool runs


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def size() -> int:
    """How many workers the pool runs."""
    return min(cores(), MAX_WORKERS)


def available() -> bool:
    """Whether workers can help: a second core, and this is no multiprocessing child itself.

    A pool's worker (``benchmarks``' pool of builds, a user's) leaves the cores to
    its pool, and a daemonic one may not start processes at all.
    """
    return cores() > 1 and multiprocessing.parent_process() is None


def started() -> bool:
    """Whether the pool is running: its workers are likely warm."""
    return _pool is not None


def start(preload: Sequence[str] = (), workers: int | None = None) -> None:
    """Start a pool of ``workers`` (default ``size()``) that have imported ``preload`` when work comes.

    Several workers are forked by a fork server (Linux), which imports the modules
    once; a single one, or any elsewhere, is spawned at once and imports them itself,
    so its first task waits for no server. Either way this process goes on at once.
    A pool already running is kept unless it has fewer workers than asked for.
    """
    global _pool, _workers
    count = size() if workers is None else min(workers, size())
    if _pool is not None and _workers >= count:
        return
    if _pool is not None:
        _pool.shutdown(wait=False)  # idle between builds
    method = "forkserver" if sys.platform == "linux" and count > 1 else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([MAIN_MODULE, *preload])
    _pool, _workers = ProcessPoolExecutor(count, context, initializer=_start_worker), count
    if method == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
    else:
        for _ in range(count):
            _pool.submit(_preload, preload)


def submit(fn: Callable[..., Any] | str, /, *args: Any) -> Future:
    """Run ``fn(*args)`` in a worker; the future's result is ``(value, seconds fn took)``.

    ``fn`` may be named "module:function", which spares this process importing it.
    """
    global _pool
    if _pool is None:
        start()
    try:
        return _pool.submit(_call, fn, args)
    except BrokenProcessPool:  # a worker died (killed, out of memory) since the last build: start anew
        _pool = None
        start(workers=_workers)
        return _pool.submit(_call, fn, args)


def shutdown() -> None:
    """Stop the workers now (they finish the task at hand); the next ``submit`` starts a new pool."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else one that keeps its type name and message.

    An exception that cannot be unpickled here would break the whole pool.
    """
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _forget_pool() -> None:
    """In a child forked from this process the pool's threads and pipes are not its own."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


# -- in the worker ----------------------------------------------------------------


def _start_worker() -> None:
    """Ctrl+C is the build's to handle (it cancels what it submitted); outlive no parent; end fast."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()
    atexit.register(_exit_now)


def _exit_now() -> None:
    """Skip tearing down what the worker loaded (fonts, matplotlib), as a forked child does.

    The build process waits for its workers when it exits; the teardown would add a
    quarter of a second to it.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _exit_with_parent() -> None:
    from multiprocessing.connection import wait

    wait([multiprocessing.parent_process().sentinel])  # ready once the parent is gone
    os._exit(1)


def _preload(modules: Sequence[str]) -> None:
    for name in modules:
        importlib.import_module(name)


def _call(fn: Callable[..., Any] | str, args: tuple) -> tuple[Any, float]:
    start = time.perf_counter()
    try:
        if isinstance(fn, str):
            module, _, name = fn.partition(":")
            fn = getattr(importlib.import_module(module), name)
        value = fn(*args)
    except BaseException as exc:
        crossing = portable(exc)
        if crossing is exc:
            raise
        raise crossing from None
    return value, time.perf_counter() - start
