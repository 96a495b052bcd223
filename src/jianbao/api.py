"""The public Python API behind the command line: validate, build, send, run.

Everything the CLI does can be done from Python with these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jianbao.build import BuildResult, build, chapter_problems, resolve_period
from jianbao.project import Project, open_project

__all__ = ["BuildResult", "ValidationReport", "build", "run", "send", "validate"]


@dataclass
class ValidationReport:
    problems: list = field(default_factory=list)
    summary: str = ""
    warnings: list = field(default_factory=list)  # worth a look, never a failure (digits that print rounded)


def validate(project: Project | Path | str = ".", period: str | None = None) -> ValidationReport:
    """Every problem in the project's data (and config), or a one-line summary when clean."""
    from jianbao.data import load_dataset, validate_data
    from jianbao.periods import parse_period

    if not isinstance(project, Project):
        project = open_project(project)
    warnings: list = []
    problems = validate_data(project.data_dir, warnings)
    if problems:
        return ValidationReport(problems, warnings=warnings)
    dataset = load_dataset(project.data_dir)
    config_problems = chapter_problems(project, dataset)
    if config_problems:
        return ValidationReport(config_problems, warnings=warnings)
    observations = dataset.observations()
    if period:
        wanted = parse_period(period)
        observations = [o for o in observations if o.period == wanted]
        if not observations:
            return ValidationReport([f"{project.data_dir}: no observations for period {wanted.code}"],
                                    warnings=warnings)
    periods = {o.period for o in observations}
    summary = (
        f"ok: {len(dataset.sectors)} sectors, {len(dataset.catalog)} indicators, "
        f"{len(observations)} observations in {len(periods)} periods"
        + (f" for {period}" if period else "")
        + f" ({project.data_dir})"
    )
    return ValidationReport([], summary, warnings)


def send(
    project: Project | Path | str = ".",
    period: str | None = "latest",
    to: list[str] | None = None,
    *,
    dry_run: bool = False,
    resend: bool = False,
    env: Mapping[str, str] | None = None,
    log: Callable[[str], None] | None = None,
):
    """Mail the built documents of ``period`` to each recipient once; never builds."""
    from jianbao.data import load_dataset
    from jianbao.mail import send as mail_send

    if not isinstance(project, Project):
        project = open_project(project)
    code = resolve_period(project, load_dataset(project.data_dir), period).code
    return mail_send(project, code, to=to, dry_run=dry_run, resend=resend, env=env, log=log)


def run(
    project: Project | Path | str = ".",
    period: str | None = "latest",
    to: list[str] | None = None,
    *,
    dry_run: bool = False,
    resend: bool = False,
    env: Mapping[str, str] | None = None,
    log: Callable[[str], None] | None = None,
):
    """Build both documents, then send them: for cron. A failed build mails nothing."""
    if not isinstance(project, Project):
        project = open_project(project)
    result = build(project, period, ("docx", "pdf"), log=log)
    return send(project, result.period.code, to, dry_run=dry_run, resend=resend, env=env, log=log)
