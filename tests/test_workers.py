"""The worker pool: results and exceptions come back, and a worker never outlives its process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from concurrent.futures.process import BrokenProcessPool

from jianbao import workers


class Unpicklable(Exception):
    def __init__(self, a, b):  # pickle calls Unpicklable(*args) with one argument: fails
        super().__init__(f"{a}/{b}")


def _boom(arg):
    raise ValueError(f"cannot handle {arg!r}")


def _unpicklable(arg):
    raise Unpicklable(arg, "x")


def test_this_machine_runs_workers() -> None:
    assert workers.available()  # otherwise the parallel paths of the build would not be exercised


def test_a_result_comes_back_with_the_time_it_took() -> None:
    value, seconds = workers.submit(divmod, 43, 2).result()
    assert value == (21, 1) and seconds >= 0


def test_a_task_runs_in_another_process() -> None:
    pid, _ = workers.submit(os.getpid).result()
    assert pid != os.getpid()


def test_an_exception_in_a_worker_is_raised_here_as_itself() -> None:
    with pytest.raises(ValueError, match="cannot handle 'x'"):
        workers.submit(_boom, "x").result()


def test_an_exception_that_cannot_cross_keeps_its_name_and_message_and_the_pool_its_workers() -> None:
    with pytest.raises(RuntimeError, match="Unpicklable: a/x"):
        workers.submit(_unpicklable, "a").result()
    assert workers.submit(divmod, 7, 2).result()[0] == (3, 1)


def test_a_pool_whose_workers_died_is_replaced() -> None:
    killed = {workers.submit(os.getpid).result()[0] for _ in range(20)}
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while True:  # a task sent before the pool noticed fails; once it has, a new pool takes over
        try:
            pid, _ = workers.submit(os.getpid).result()
            break
        except BrokenProcessPool:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert pid not in killed


IDLE_POOL = """
import os, sys, time
from jianbao import workers
workers.start(workers=int(sys.argv[1]))
pids = {workers.submit(os.getpid).result()[0] for _ in range(20)}
print(" ".join(map(str, pids)), flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("size", [1, 2])  # spawned, forked by the fork server
def test_idle_workers_exit_when_their_process_is_killed(tmp_path: Path, size: int) -> None:
    process = subprocess.Popen([sys.executable, "-c", IDLE_POOL, str(size)], stdout=subprocess.PIPE, cwd=tmp_path)
    try:
        pids = [int(p) for p in process.stdout.readline().split()]
        assert pids
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.1)
        assert not any(_alive(p) for p in pids)
    finally:
        if process.poll() is None:
            process.kill()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"
