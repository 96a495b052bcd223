"""Load a project's data/ folder: catalog, observations and highlights, all validated."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jianbao.data.catalog import load_catalog
from jianbao.data.dataset import Dataset
from jianbao.data.highlights import load_highlights
from jianbao.data.observations import load_observations
from jianbao.data.problems import DataValidationError, Problem, ProblemLog

CATALOG = "catalog.yaml"


def read_data(data_dir: Path, warnings: list[Problem] | None = None) -> tuple[Dataset | None, list[Problem]]:
    """The dataset (None if anything is wrong) and every problem found.

    Files are named as the user sees them, from the data folder down
    (``data/observations/auto.csv``). ``warnings``, when given, receives what
    loads but deserves a look (a value with more digits than it prints with),
    in file order; warnings never stop the data from loading.
    """
    with _collector_paused():
        return _read_data(Path(data_dir), warnings)


def _read_data(data_dir: Path, warnings: list[Problem] | None) -> tuple[Dataset | None, list[Problem]]:
    display = data_dir.name or str(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        problems.append(Problem(display, "", "", f"expected a data folder with {CATALOG}, observations/ "
                                                  "and highlights/, found no such folder"))
        return None, problems
    catalog_display = f"{display}/{CATALOG}"
    catalog = load_catalog(data_dir / CATALOG, ProblemLog(catalog_display, problems))
    found: list[Problem] = []
    observations = load_observations(data_dir / "observations", f"{display}/observations",
                                     catalog, catalog_display, problems, found)
    if warnings is not None:
        warnings += _in_file_order(found)
    highlights = load_highlights(data_dir / "highlights", f"{display}/highlights",
                                 catalog, catalog_display, problems)
    if problems:
        return None, _in_file_order(problems)
    return Dataset(catalog.indicators, catalog.sectors, observations, highlights), problems


def validate_data(data_dir: Path, warnings: list[Problem] | None = None) -> list[Problem]:
    """Every problem in the data folder; empty when it loads cleanly (``warnings``: see read_data)."""
    return read_data(data_dir, warnings)[1]


def load_dataset(data_dir: Path) -> Dataset:
    """The dataset; DataValidationError listing every problem if there are any."""
    dataset, problems = read_data(data_dir)
    if dataset is None:
        raise DataValidationError(problems)
    return dataset


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading makes a few objects per row and frees almost none, so every pass of the cyclic
    garbage collector over the growing heap is wasted: about a tenth of a large load's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Files in the order they were read; within a file, by line or row."""
    first_seen: dict[str, int] = {}
    for problem in problems:
        first_seen.setdefault(problem.file, len(first_seen))

    def where(problem: Problem) -> tuple[int, int]:
        number = problem.location.rpartition(" ")[2]
        return first_seen[problem.file], int(number) if number.isdigit() else 0

    return sorted(problems, key=where)
