"""The public Python API behind the command line: validate, build, send, run.

Everything the CLI does can be done from Python with these functions. What
the user can fix (data, templates, config, theme, mail settings) raises a
:class:`JianbaoError`; ``format_error(exc)`` is the very text the CLI prints
for it, so a caller shows the same message.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jianbao.build import BuildResult, build, chapter_problems, resolve_period
from jianbao.burst import burst
from jianbao.errors import JianbaoError, format_error
from jianbao.project import Project, open_project

__all__ = ["BuildResult", "JianbaoError", "ValidationReport", "build", "burst", "format_error", "mark_delivered",
           "run", "run_each", "send", "serve", "status", "validate"]


@dataclass
class ValidationReport:
    problems: list = field(default_factory=list)
    summary: str = ""
    warnings: list = field(default_factory=list)  # worth a look, never a failure (digits that print rounded)
    lacks: list = field(default_factory=list)  # with a period: what its digest will leave out, and why


def validate(project: Project | Path | str = ".", period: str | None = None) -> ValidationReport:
    """Every problem in the project's data (and config), or a one-line summary when clean.

    With ``period``, also what a digest of that period will lack (``lacks``): the
    sentences, charts, tables and chapters left out for want of data.
    """
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
    from jianbao.theme import ThemeError, load_theme

    try:
        theme = load_theme(project.templates_dir / "theme.toml", project.config.digest.font_profile)
    except ThemeError as exc:
        return ValidationReport(exc.problems, warnings=warnings)
    warnings += glyph_warnings(project, dataset, theme)
    observations = dataset.observations()
    lacks: list[str] = []
    if period:
        wanted = parse_period(period)
        observations = _reported(project, dataset, wanted)
        if not observations:
            return ValidationReport([f"{project.data_dir}: no figure of period {wanted.code} ({wanted.label()}) "
                                     "or one a digest of it would state"], warnings=warnings)
        lacks = digest_notes(project, dataset, wanted)
    periods = {o.period for o in observations}
    summary = (
        f"ok: {len(dataset.sectors)} sectors, {len(dataset.catalog)} indicators, "
        f"{len(observations)} observations in {len(periods)} periods"
        + (f" for a digest of {period}" if period else "")
        + f" ({project.data_dir})"
    )
    return ValidationReport([], summary, warnings, lacks)


def fonts(project: Project | Path | str = ".") -> tuple[list, list[str]]:
    """The face that serves each font role of the project's theme (``theme.FontFace``, in role
    order) and a warning per role served by a stand-in or by nothing."""
    from jianbao.theme import FontNotFoundError, load_theme

    if not isinstance(project, Project):
        project = open_project(project)
    theme = load_theme(project.templates_dir / "theme.toml", project.config.digest.font_profile)
    faces = []
    for role in theme.font_roles():
        try:
            faces.append(theme.pdf_font(role))
        except FontNotFoundError:
            continue  # said by font_warnings
    return faces, font_warnings(theme)


def font_warnings(theme) -> list[str]:
    """A line per font role served by a stand-in (a face of another design) or by nothing."""
    from jianbao.theme import FontNotFoundError

    lines = []
    for role in theme.font_roles():
        try:
            face = theme.pdf_font(role)
        except FontNotFoundError as exc:
            lines.append(str(exc))
            continue
        if face.stand_in:
            wanted = ", ".join(theme.raw.get("fonts", {}).get(role, {}).get("families", [])) or "none named"
            lines.append(f"font role '{role}' is set in {face.family or face.file.name} ({face.file}), a stand-in: "
                         f"none of its faces is installed ({wanted}); install one, or pin a file in the "
                         f"theme: [[pdf.fonts.{role}]] file = \"…\"")
    return lines


def glyph_warnings(project: Project, dataset, theme) -> list[str]:
    """A line per character of the data or config that no PDF font has (it would not show), with where it is."""
    from jianbao.theme import FontNotFoundError
    from jianbao.writers.pdf_fonts import missing_glyphs

    config = project.config
    pieces = [(f"{h.origin}, text", f"{h.title}{h.text}") for h in dataset.highlights_all()]
    pieces += [(f"catalog {i.id}, name", f"{i.name}{i.unit}") for i in dataset.catalog.values()]
    pieces += [(f"{o.origin}, region", o.region) for o in dataset.observations() if o.region]
    digest = config.digest
    pieces += [(f"jianbao.toml digest.{key}", getattr(digest, key)) for key in ("name", "unit", "author", "marking")]
    pieces += [(f"jianbao.toml closing.lines[{n}]", line) for n, line in enumerate(config.closing.lines)]
    try:
        return [str(m) for m in missing_glyphs(theme, pieces)]
    except FontNotFoundError as exc:
        return [str(exc)]


def _reported(project: Project, dataset, period):
    """The figures a digest of ``period`` would state, by the reporting rule (one per indicator and region)."""
    from jianbao.reporting import reported

    policy = project.config.periods.policy()
    regions = {(o.indicator, o.region) for o in dataset.observations()}
    found = (reported(dataset, indicator, period, region, policy) for indicator, region in sorted(regions))
    return [o for o in found if o is not None]


def digest_notes(project: Project, dataset, period) -> list[str]:
    """What each chapter of a digest of ``period`` will lack: sentences, charts, tables, whole chapters.

    The narrative is rendered and the placements checked as ``build`` does, without drawing anything.
    """
    from jianbao.build import chapters_of
    from jianbao.document.placements import place
    from jianbao.narrative.render import render_digest

    policy = project.config.periods.policy()
    narrative = render_digest(dataset, period, chapters_of(project, dataset), project.templates_dir, policy,
                              project.config.periods.stale_chapter, project.config.render.limits())
    return place(project, dataset, period, narrative, policy).notes


def send(
    project: Project | Path | str = ".",
    period: str | None = "latest",
    to: list[str] | None = None,
    *,
    dry_run: bool = False,
    resend: bool = False,
    env: Mapping[str, str] | None = None,
    log: Callable[[str], None] | None = None,
    region: str = "",
):
    """Mail the built documents of ``period`` (a ``region``'s, else the national digest) to each
    recipient once; never builds."""
    from jianbao.data import load_dataset
    from jianbao.mail import send as mail_send

    if not isinstance(project, Project):
        project = open_project(project)
    code = resolve_period(project, load_dataset(project.data_dir), period).code
    return mail_send(project, code, to=to, dry_run=dry_run, resend=resend, env=env, log=log, region=region)


def mark_delivered(project: Project | Path | str = ".", period: str | None = "latest",
                   to: list[str] | None = None, region: str = "") -> list[str]:
    """After a person checked by Message-ID: record ``uncertain`` deliveries to ``to`` as delivered."""
    from jianbao.data import load_dataset
    from jianbao.mail import mark_delivered as mail_mark

    if not isinstance(project, Project):
        project = open_project(project)
    code = resolve_period(project, load_dataset(project.data_dir), period).code
    return mail_mark(project, code, to or [], region)


def run(
    project: Project | Path | str = ".",
    period: str | None = "latest",
    to: list[str] | None = None,
    *,
    dry_run: bool = False,
    resend: bool = False,
    env: Mapping[str, str] | None = None,
    log: Callable[[str], None] | None = None,
    region: str = "",
):
    """Build both documents, then send them: for cron. A failed build mails nothing."""
    if not isinstance(project, Project):
        project = open_project(project)
    result = build(project, period, _mailed_formats(project, env), log=log, region=region)
    return send(project, result.period.code, to, dry_run=dry_run, resend=resend, env=env, log=log,
                region=result.region)


def serve(project: Project | Path | str = ".", period: str | None = None, *, host: str = "127.0.0.1",
          port: int = 8000, log: Callable[[str], None] | None = None) -> None:
    """Preview the digest at http://host:port/ and rebuild it on every edit until stopped (``jianbao.serve``).

    The HTML is rebuilt first and the open pages reload; the DOCX and PDF follow in a
    thread. A failed build shows its error in the page, which recovers after the fix.
    """
    from jianbao.serve import serve as run_server

    root = project.root if isinstance(project, Project) else open_project(project).root  # fails early on a bad project
    run_server(Path(root), period, host, port, log)


def status(project: Project | Path | str = ".", period: str | None = None) -> list:
    """Every digest unit built under reports/ (of ``period``), and where its mail stands (``jianbao.status``)."""
    from jianbao.status import unit_status

    if not isinstance(project, Project):
        project = open_project(project)
    return unit_status(project, period)


def run_each(
    project: Project | Path | str = ".",
    period: str | None = "latest",
    to: list[str] | None = None,
    *,
    dry_run: bool = False,
    resend: bool = False,
    jobs: int | None = None,
    engine: str = "local",
    on_start: Callable[[int], None] | None = None,
    on_unit: Callable | None = None,
):
    """Build every region's digest of ``period`` and mail each to its own readers (``[mail.bursts]``,
    or ``to`` for all): on local processes, or through the Celery broker of ``[engine]``.

    A region without readers is built and not mailed. Each delivery is claimed in the
    ledger first, so a rerun, or a unit run again after a worker died, mails nobody twice.
    """
    from jianbao.mail.config import load_mail_settings

    if not isinstance(project, Project):
        project = open_project(project)
    from jianbao.mail.message import mailed_formats

    config = load_mail_settings(project, os.environ).config
    bursts, formats = config.bursts, mailed_formats(config)
    options = {"to": to, "dry_run": dry_run, "resend": resend}

    def mail(region: str):
        return options if to or region in bursts else None

    if engine == "celery":
        from jianbao.engine_celery import run_each as celery_run_each

        return celery_run_each(project, period, mail, formats=formats, on_start=on_start, on_unit=on_unit)
    return burst(project, period, formats, jobs=jobs, mail=mail, on_start=on_start, on_unit=on_unit)


def _mailed_formats(project: Project, env: Mapping[str, str] | None) -> tuple[str, ...]:
    """What `run` builds: what a send mails (the HTML digest too for ``[mail] body = "digest"``)."""
    from jianbao.mail.config import load_mail_settings
    from jianbao.mail.message import mailed_formats

    return mailed_formats(load_mail_settings(project, os.environ if env is None else env).config)
