"""The forked worker: its result or its exception comes back, and it never outlives its use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jianbao.forked import Forked, can_fork


def children() -> list[int]:
    """Live child processes of this process (zombies count: they were not reaped)."""
    pids = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        pids += [int(p) for p in (task / "children").read_text().split()]
    return pids


class Unpicklable(Exception):
    def __init__(self, a, b):  # pickle calls Unpicklable(*args) with one argument: fails
        super().__init__(f"{a}/{b}")


def _boom(arg):
    raise ValueError(f"cannot handle {arg!r}")


def _unpicklable(arg):
    raise Unpicklable(arg, "x")


def test_this_machine_can_fork() -> None:
    assert can_fork()  # otherwise the parallel paths below would not be exercised


def test_result_comes_back_from_the_warmed_worker() -> None:
    state = {}
    worker = Forked(lambda: state.setdefault("warm", "yes"), lambda arg: (state.get("warm"), arg * 2), "test")
    worker.send(21)
    assert worker.result() == ("yes", 42)  # warm_up ran in the worker before run
    assert state == {} and children() == []


def test_an_exception_in_the_worker_is_raised_here_as_itself() -> None:
    worker = Forked(lambda: None, _boom, "test")
    worker.send("x")
    with pytest.raises(ValueError, match="cannot handle 'x'"):
        worker.result()
    assert children() == []


def test_an_exception_that_cannot_cross_keeps_its_name_and_message() -> None:
    worker = Forked(lambda: None, _unpicklable, "test")
    worker.send("a")
    with pytest.raises(RuntimeError, match="Unpicklable: a/x"):
        worker.result()
    assert children() == []


def test_a_failing_warm_up_is_raised_when_the_result_is_asked_for() -> None:
    worker = Forked(lambda: _boom("warm-up"), lambda arg: arg, "test")
    worker.send(1)
    with pytest.raises(ValueError, match="warm-up"):
        worker.result()
    assert children() == []


def test_cancel_before_and_after_input_leaves_no_process() -> None:
    idle = Forked(lambda: None, lambda arg: arg, "test")
    idle.cancel()
    idle.cancel()
    busy = Forked(lambda: None, lambda arg: arg, "test")
    busy.send(1)
    busy.cancel()
    assert children() == []
