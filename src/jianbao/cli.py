"""The command line: options only; the work is done by the public API.

Heavy modules are imported inside each command, so `jianbao validate` or
`jianbao templates` never pays for matplotlib, reportlab or python-docx.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jianbao.errors import JianbaoError, format_error

PROJECT_OPTION = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The digest project folder (holds jianbao.toml).",
)


REGION_OPTION = click.option("--region", help="Build the digest of one region (a name in the data, e.g. 河南).")
EACH_OPTION = click.option("--each", type=click.Choice(["region"]),
                           help="Every region's digest of the period: [digest] regions, else every region with data.")
JOBS_OPTION = click.option("--jobs", type=click.IntRange(min=1), help="Processes for --each (default: one per core).")


def _fail(exc: JianbaoError) -> None:
    """An error that is the user's to fix: its message, not a traceback."""
    click.echo(format_error(exc), err=True)
    sys.exit(1)


@click.group()
@click.version_option(package_name="jianbao")
def main() -> None:
    """jianbao (简报): build a Chinese briefing digest from indicator data, and mail it."""


@main.command()
@PROJECT_OPTION
@click.option("--period", help="Also check a digest of this period (e.g. 2025M01-09): list what each chapter will lack.")
def validate(project_dir: Path, period: str | None) -> None:
    """Check catalog, observations, highlights and config; list every problem."""
    from jianbao.api import validate as run_validate

    try:
        report = run_validate(project_dir, period)
    except JianbaoError as exc:
        _fail(exc)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    for warning in report.warnings:  # after the problems; warnings alone never fail
        click.echo(f"warning: {warning}", err=True)
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) found", err=True)
        sys.exit(1)
    if report.warnings:
        click.echo(f"{len(report.warnings)} warning(s)", err=True)
    for lack in report.lacks:
        click.echo(f"note: {lack}")
    click.echo(report.summary)


@main.command()
@PROJECT_OPTION
def fonts(project_dir: Path) -> None:
    """Show which installed face serves each font role (仿宋, 宋体, 楷体, 黑体, 小标宋, Latin)."""
    from jianbao.api import fonts as find_fonts

    try:
        faces, warnings = find_fonts(project_dir)
    except JianbaoError as exc:
        _fail(exc)
    for face in faces:
        found = face.family or "pinned in the theme"
        mark = "  (stand-in)" if face.stand_in else ""
        click.echo(f"{face.role:<13}{found}  {face.file}" + (f" #{face.index}" if face.index else "") + mark)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@main.command()
@PROJECT_OPTION
@click.option("--period", help="Period code such as 2025H1, 2025Q2, 2025M05 (default: latest with data).")
@click.option("--format", "formats", default="docx,pdf", show_default=True, help="Comma-separated: docx,pdf,md,html.")
@click.option("--watch", is_flag=True, help="Rebuild whenever data, templates, theme or config change.")
@REGION_OPTION
@EACH_OPTION
@JOBS_OPTION
def build(project_dir: Path, period: str | None, formats: str, watch: bool, region: str | None, each: str | None,
          jobs: int | None) -> None:
    """Build the digest into reports/<period>/, a region's into reports/<period>-<region>/ (never mails)."""
    from jianbao.api import build as run_build
    from jianbao.build import parse_formats

    try:
        fmts = parse_formats(formats)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    _one_of_region_or_each(region, each)
    if watch:
        from jianbao.watch import watch_and_build

        watch_and_build(project_dir, period, fmts, log=click.echo)
        return
    try:
        if each:
            sys.exit(_burst(project_dir, period, fmts, jobs))
        run_build(project_dir, period, fmts, log=click.echo, region=region)
    except JianbaoError as exc:
        _fail(exc)


def _one_of_region_or_each(region: str | None, each: str | None) -> None:
    if region and each:
        raise click.UsageError("--region and --each region are exclusive: one region's digest, or every region's")


def _burst(project_dir: Path, period: str | None, formats: tuple[str, ...], jobs: int | None) -> int:
    """Every region's digest with a progress bar, then a summary; the exit status (1 if any unit failed)."""
    from jianbao.api import burst

    return _with_progress(lambda **progress: burst(project_dir, period, formats, jobs=jobs, **progress))


def _mail_command(name: str, help_text: str):
    """`send` and `run` share their options and their report; only the API call differs."""

    def command(project_dir: Path, period: str, to: tuple[str, ...], dry_run: bool, resend: bool, region: str | None,
                mark_delivered: bool = False, each: str | None = None, jobs: int | None = None,
                engine: str = "local") -> None:
        from jianbao import api

        _one_of_region_or_each(region, each)
        try:
            if mark_delivered:
                marked = api.mark_delivered(project_dir, period, list(to), region or "")
                click.echo(f"marked delivered: {', '.join(marked)}" if marked else "nothing uncertain to mark")
                return
            if each:
                sys.exit(_run_each(project_dir, period, list(to) or None, dry_run, resend, jobs, engine))
            report = getattr(api, name)(
                project_dir, period, list(to) or None, dry_run=dry_run, resend=resend, log=click.echo,
                region=region or "",
            )
        except JianbaoError as exc:
            _fail(exc)
        click.echo(report.summary())
        sys.exit(0 if report.ok else 1)

    command.__doc__ = help_text
    if name == "send":
        command = click.option("--mark-delivered", is_flag=True,
                               help="After checking by Message-ID: record uncertain deliveries to --to as delivered.")(command)
    else:
        command = click.option("--engine", type=click.Choice(["local", "celery"]), default="local", show_default=True,
                               help="With --each: local processes, or Celery workers through [engine] broker.")(command)
        command = JOBS_OPTION(EACH_OPTION(command))
    for decorator in (
        REGION_OPTION,
        click.option("--resend", is_flag=True, help="Send again to recipients already delivered or uncertain."),
        click.option("--dry-run", is_flag=True, help="Write .eml files to reports/<period>/outbox/; send nothing."),
        click.option("--to", "to", multiple=True, help="Address or group (repeatable); default: [mail] to."),
        click.option("--period", default="latest", show_default=True, help="Period code, or latest."),
        PROJECT_OPTION,
    ):
        command = decorator(command)
    return main.command(name)(command)


def _run_each(project_dir: Path, period: str, to: list[str] | None, dry_run: bool, resend: bool, jobs: int | None,
              engine: str) -> int:
    """`run --each region`: every region built and mailed, with a progress bar and a summary."""
    from jianbao import api

    return _with_progress(lambda **progress: api.run_each(project_dir, period, to, dry_run=dry_run, resend=resend,
                                                          jobs=jobs, engine=engine, **progress))


def _with_progress(run) -> int:
    """A burst under a progress bar (``run(on_start=…, on_unit=…)``), then its summary; the exit status."""
    with click.progressbar(length=1, label="digests", show_pos=True, show_eta=True, file=sys.stderr) as bar:
        def on_start(count: int) -> None:
            bar.length = max(count, 1)

        result = run(on_start=on_start, on_unit=lambda _unit: bar.update(1))
    click.echo(result.summary())
    for unit in result.units:
        if unit.mailed:
            click.echo(unit.mailed)
    return 0 if result.ok else 1


_mail_command("send", "Mail what `jianbao build` made for the period (never builds).")
_mail_command("run", "Build, then send (for cron). Nothing is mailed unless the build succeeded.")


@main.command()
@PROJECT_OPTION
@click.option("--period", help="Only the digests of this period code.")
def status(project_dir: Path, period: str | None) -> None:
    """List every digest built under reports/: done, running, failed, uncertain or built (not mailed)."""
    from jianbao import api

    try:
        units = api.status(project_dir, period)
    except JianbaoError as exc:
        _fail(exc)
    for unit in units:
        click.echo(unit.line())
    if not units:
        click.echo("no digest built yet: run `jianbao build`")
    sys.exit(1 if any(u.state in ("failed", "uncertain") for u in units) else 0)


@main.command()
@PROJECT_OPTION
@click.option("--period", help="Period code to preview (default: latest with data).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it local).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
def serve(project_dir: Path, period: str | None, host: str, port: int) -> None:
    """Preview the digest in a browser; it reloads itself on every edit of data, templates or config."""
    from jianbao.api import serve as run_serve

    try:
        run_serve(project_dir, period, host=host, port=port, log=click.echo)
    except JianbaoError as exc:
        _fail(exc)


@main.command()
@PROJECT_OPTION
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True,
              help="Units at once (1: one process; more: a prefork pool).")
def worker(project_dir: Path, concurrency: int) -> None:
    """Run a Celery worker for `run --each region --engine celery` ([engine] broker) until stopped."""
    from jianbao.engine_celery import worker as run_worker

    try:
        run_worker(project_dir, concurrency)
    except JianbaoError as exc:
        _fail(exc)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a digest project in DIRECTORY with the sample data."""
    from jianbao.scaffold import init_project

    try:
        created = init_project(directory)
    except JianbaoError as exc:
        _fail(exc)
    click.echo(f"created {created}: jianbao.toml, data/, templates/, reports/")
    click.echo(f"next: cd {directory} && jianbao build")


@main.group(invoke_without_command=True)
@PROJECT_OPTION
@click.pass_context
def templates(ctx: click.Context, project_dir: Path) -> None:
    """List every template and where it comes from (built-in or project)."""
    ctx.obj = project_dir
    if ctx.invoked_subcommand is None:
        from jianbao.scaffold import list_templates

        for name, origin in list_templates(project_dir):
            click.echo(f"{origin:<9} {name}")


@templates.command("copy")
@click.argument("name")
@click.pass_obj
def templates_copy(project_dir: Path, name: str) -> None:
    """Copy the built-in template NAME into the project's templates/ for editing."""
    from jianbao.scaffold import copy_template

    try:
        path = copy_template(project_dir, name)
    except JianbaoError as exc:
        _fail(exc)
    click.echo(f"copied to {path}")
