"""`--each region`: every region's digest of one period, each built (and mailed) as one unit.

A unit is (period, region). Units are independent: each is published into its own
folder (reports/<period>-<region>/) and claimed in the ledger per recipient, so they
run in any order, on a local process pool (``jianbao.workers``) or on Celery workers
(``jianbao.engine_celery``), and a rerun redoes only what is missing.

The data is loaded once per process: the burst's own process reads it to know the
period and the regions, and each worker keeps what it loaded for the units after its
first (``unit_dataset``), as long as the data files are unchanged.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from jianbao import workers
from jianbao.errors import JianbaoError, format_error
from jianbao.project import Project, open_project

BURST_WORKER = ("jianbao.burst", "jianbao.build", "jianbao.writers.pdf", "jianbao.writers.docx",
                "matplotlib.backends.backend_agg", "matplotlib.figure")

_datasets: dict[str, tuple[tuple, object]] = {}  # data folder → (files' stat, Dataset), in this process


@dataclass
class UnitResult:
    """What became of one region's digest: built (its files), mailed (the send summary), or why not."""

    region: str
    files: list[str] = field(default_factory=list)
    pages: int | None = None
    error: str = ""  # why the build or the send failed, as the CLI prints it
    mailed: str = ""  # the send's summary; "" when not sent
    mail_ok: bool = True  # False: some recipient failed, is uncertain or held
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error and self.mail_ok


@dataclass
class BurstResult:
    period: str
    units: list[UnitResult]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(u.ok for u in self.units)

    def summary(self) -> str:
        built = [u for u in self.units if not u.error]
        failed = [u for u in self.units if not u.ok]
        rate = len(built) / self.seconds if self.seconds else 0.0
        lines = [f"{self.period}: {len(built)} of {len(self.units)} digests built in {self.seconds:.1f} s "
                 f"({rate:.2f} a second)"]
        lines += [f"  FAILED {u.region}: {u.error or u.mailed.splitlines()[0]}" for u in failed]
        return "\n".join(lines)


def unit_dataset(project: Project):
    """The project's data, loaded once per process while its files are unchanged."""
    from jianbao.data import load_dataset
    from jianbao.data.observations import table_files

    folder = project.data_dir
    files = [folder / "catalog.yaml", *table_files(folder / "observations"),
             *sorted((folder / "highlights").glob("*"))]
    stamp = tuple((str(p), s.st_mtime_ns, s.st_size) for p in files if p.is_file() for s in [p.stat()])
    cached = _datasets.get(str(folder))
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_dataset(folder))
        _datasets[str(folder)] = cached
    return cached[1]


def run_unit(root: str, period: str, region: str, formats: tuple[str, ...], mail: Mapping[str, object] | None,
             dataset=None) -> UnitResult:
    """Build one region's digest, then mail it when ``mail`` says how (``to``, ``dry_run``, ``resend``).

    Errors of the unit are its result, not raised, so one bad region never stops a burst.
    """
    from jianbao.build import build

    start = time.perf_counter()
    result = UnitResult(region)
    try:
        project = open_project(root)
        built = build(project, period, formats, parallel=False, region=region,
                      dataset=dataset if dataset is not None else unit_dataset(project))
        result.files = [str(f.path) for f in built.files]
        result.pages = next((f.pages for f in built.files if f.pages), None)
        if mail is not None:
            from jianbao.mail import send

            report = send(project, period, region=region, env=os.environ, **mail)
            result.mailed, result.mail_ok = report.summary(), report.ok
    except JianbaoError as exc:
        result.error = format_error(exc)
    result.seconds = time.perf_counter() - start
    return result


def plan(project: Project | Path | str, period: str | None = None,
         regions: list[str] | None = None) -> tuple[Project, object, str, list[str]]:
    """A burst's units: (project, its data, the period code, the region names), resolved once here so
    that every engine (local pool, Celery) runs the very same units."""
    from jianbao.build import resolve_period
    from jianbao.regions import burst_regions

    if not isinstance(project, Project):
        project = open_project(project)
    dataset = unit_dataset(project)
    code = resolve_period(project, dataset, period).code
    names = burst_regions(regions if regions is not None else project.config.digest.regions, dataset,
                          project.data_dir / "observations")
    return project, dataset, code, names


def burst(
    project: Project | Path | str,
    period: str | None = None,
    formats: tuple[str, ...] = ("docx", "pdf"),
    *,
    jobs: int | None = None,
    mail: Callable[[str], Mapping[str, object] | None] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_unit: Callable[[UnitResult], None] | None = None,
    regions: list[str] | None = None,
) -> BurstResult:
    """Build every region's digest of ``period`` (default: the latest with data) on ``jobs`` processes
    (default: one per core; 1 builds in this process).

    ``regions`` defaults to ``[digest] regions``, else every region with data. ``mail(region)``
    gives a unit's send options, or None to build it only. ``on_start`` hears how many units there
    are, ``on_unit`` of each as it ends (a progress bar).
    """
    start = time.perf_counter()
    count = workers.size() if jobs is None else max(1, jobs)
    pooled = count > 1 and workers.available()
    if pooled:  # first: the workers import while this process reads the data
        workers.start(BURST_WORKER, workers=count)
    project, dataset, code, names = plan(project, period, regions)
    results: list[UnitResult] = []
    if on_start:
        on_start(len(names))

    def done(result: UnitResult) -> None:
        results.append(result)
        if on_unit:
            on_unit(result)

    if not pooled or len(names) < 2:
        for name in names:
            done(run_unit(str(project.root), code, name, formats, mail(name) if mail else None, dataset))
    else:
        futures = {workers.submit(run_unit, str(project.root), code, name, formats, mail(name) if mail else None):
                   name for name in names}
        try:
            for future in as_completed(futures):
                try:
                    done(future.result()[0])
                except BrokenProcessPool:  # a worker was killed: its unit and those queued behind it
                    done(UnitResult(futures[future], error="its worker process died (killed, or out of "
                                                           "memory); run the burst again to finish it"))
        finally:
            for future in futures:
                future.cancel()
    order = {name: i for i, name in enumerate(names)}
    results.sort(key=lambda r: order[r.region])
    return BurstResult(code, results, time.perf_counter() - start)
