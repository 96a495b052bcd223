"""`run --each region --engine celery`: the units of a burst on Celery workers, through a broker.

A unit is (period, region), exactly as ``jianbao.burst`` runs it on local processes:
``burst.plan`` resolves the period and the regions, one task per unit calls
``burst.run_unit`` on a worker, and the caller collects the results into the same
``BurstResult``. Workers run ``jianbao worker --project DIR`` and must see the project
folder (a shared local disk, or a file system with working POSIX locks): they build
into it and claim every delivery in its SQLite ledger.

Delivery is "at least once" on the broker's side and "at most once" per recipient on
the ledger's: tasks are acknowledged late, so a unit whose worker is killed is given to
another worker after ``visibility_timeout``; that second run rebuilds, then finds the
recipients already delivered (skipped), freed (the dead claim was only ``claimed``:
mailed now), or ``uncertain`` (the body may have gone out: reported, never resent).

Celery is an optional extra, imported only here and only when used, so jianbao works
without it and ``--engine celery`` without it says how to install it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jianbao.burst import BurstResult, UnitResult, plan, run_unit
from jianbao.errors import JianbaoError
from jianbao.project import Project, open_project

if TYPE_CHECKING:
    from celery import Celery

TASK = "jianbao.unit"
QUEUE = "jianbao"  # its own queue, so a Celery app of another project on the same Redis never takes our units
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
POLL = 0.2  # seconds between looks at the pending results


class EngineError(JianbaoError):
    """The Celery engine cannot run: the extra is missing, or the broker cannot be reached."""


def _celery():
    try:
        import celery
    except ImportError:
        raise EngineError("the Celery engine (`--engine celery`, `jianbao worker`) needs Celery: "
                          "pip install 'jianbao[celery]'") from None
    return celery


def make_app(project: Project) -> Celery:
    """The project's Celery app, configured from ``[engine]``, with the unit task registered."""
    celery = _celery()
    conf = project.config.engine
    broker = conf.broker or DEFAULT_BROKER
    app = celery.Celery("jianbao", broker=broker, backend=conf.backend or broker, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        # Acknowledge a unit only when it has ended, so a worker killed mid-unit leaves it to another.
        task_acks_late=True,
        # A prefork child that dies (OOM, kill -9) while its parent lives: requeue its unit at once.
        task_reject_on_worker_lost=True,
        # One unit reserved per process: a unit waits in the broker, not behind a slow one on a busy worker.
        worker_prefetch_multiplier=1,
        # Redis gives an unacknowledged unit to another worker after visibility_timeout. It must be longer
        # than the slowest unit (build + send, retries included): else a unit still running is started
        # again, rebuilt twice, and its twin reports the first one's live claims as held (the ledger
        # still mails nobody twice). The sweep that finds such units runs every restore interval,
        # each time (throttle 1), so a dead worker's unit moves on within about visibility_timeout + 10 s.
        broker_transport_options={
            "visibility_timeout": conf.visibility_timeout,
            "unacked_restore_interval": max(1, min(10, int(conf.visibility_timeout / 10))),
            "unacked_restore_throttle": 1,
        },
        # A broker that blinks must not cancel a unit mid-send (that would make its recipient uncertain):
        # the unit finishes, its late ack may be lost, and its redelivery finds the ledger's records.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_connection_retry_on_startup=True,
        result_expires=7 * 86400,
    )
    app.task(name=TASK, bind=False)(_unit_task)
    return app


def _unit_task(root: str, period: str, region: str, formats: list[str],
               mail: Mapping[str, object] | None) -> dict[str, Any]:
    """One unit on a worker; its UnitResult as a dict (JSON travels, a dataclass does not)."""
    return asdict(run_unit(root, period, region, tuple(formats), mail))


def worker(project: Project | Path | str, concurrency: int = 1, loglevel: str = "INFO") -> None:
    """Run a worker for ``project``'s broker until stopped (``jianbao worker``).

    One process ("solo" pool) when ``concurrency`` is 1: nothing forks, and kill -9 ends the
    whole worker; otherwise a prefork pool of that many processes.
    """
    if not isinstance(project, Project):
        project = open_project(project)
    app = make_app(project)
    pool = "solo" if concurrency == 1 else "prefork"
    app.worker_main(["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", f"--pool={pool}",
                     f"--queues={QUEUE}", f"--hostname=jianbao.{os.getpid()}@%h",
                     "--without-gossip", "--without-mingle"])


def run_each(
    project: Project | Path | str,
    period: str | None,
    mail: Callable[[str], Mapping[str, object] | None],
    *,
    formats: tuple[str, ...] = ("docx", "pdf"),
    regions: list[str] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_unit: Callable[[UnitResult], None] | None = None,
    stall_timeout: float | None = None,
) -> BurstResult:
    """Send one task per unit to the workers and wait for every result.

    ``mail(region)`` gives a unit's send options, or None to build it only. A unit that
    gives no result for ``stall_timeout`` seconds after the last unit ended (default:
    twice ``visibility_timeout`` and ten minutes, room for one redelivery) is reported as
    failed, not waited for forever; what it did is in the ledger (`jianbao status`).
    """
    start = time.perf_counter()
    if not isinstance(project, Project):
        project = open_project(project)
    app = make_app(project)  # first: without Celery, say so before loading any data
    project, _, code, names = plan(project, period, regions)
    if stall_timeout is None:
        stall_timeout = 2 * project.config.engine.visibility_timeout + 600
    root = str(project.root)
    try:
        with app.connection_for_write() as connection:  # fail in a second, not after the publish retries
            connection.ensure_connection(max_retries=1)
        pending = {app.send_task(TASK, args=[root, code, name, list(formats), mail(name)]): name for name in names}
    except Exception as exc:  # kombu raises its own OperationalError, redis-py its ConnectionError
        why = " ".join(str(exc).split())
        raise EngineError(f"cannot send the units to the broker {_shown(app)}: {why}; is it running "
                          "(`redis-server --port 6379`)?") from None
    if on_start:
        on_start(len(names))
    results: list[UnitResult] = []

    def done(result: UnitResult) -> None:
        results.append(result)
        if on_unit:
            on_unit(result)

    last_progress = time.monotonic()
    try:
        while pending:
            for handle, name in list(pending.items()):
                if not handle.ready():
                    continue
                del pending[handle]
                last_progress = time.monotonic()
                if handle.successful():
                    done(UnitResult(**handle.result))
                else:
                    done(UnitResult(name, error=f"error: the worker's task failed: {handle.result!r}"))
                handle.forget()
            if pending and time.monotonic() - last_progress > stall_timeout:
                for handle, name in pending.items():
                    done(UnitResult(name, error=f"error: no result from any worker in {stall_timeout:.0f} s "
                                                f"(task {handle.id}); see `jianbao status`"))
                pending.clear()
            if pending:
                time.sleep(POLL)
    finally:
        for handle in pending:  # interrupted (Ctrl+C): the units already sent still run; stop those not started
            handle.revoke()
    order = {name: i for i, name in enumerate(names)}
    results.sort(key=lambda r: order[r.region])
    return BurstResult(code, results, time.perf_counter() - start)


def _shown(app: Celery) -> str:
    """The broker's URL without its password."""
    return app.connection_for_write().as_uri()
