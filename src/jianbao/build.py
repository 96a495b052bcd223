"""`jianbao build`: load → narrate → compose (with charts) → write, atomically.

Every output is rendered in memory first; only when all requested formats
rendered are they published, with the manifest, as one set
(:func:`jianbao.manifest.publish`: a staging folder swapped with
reports/<period>/), so a failed or killed build leaves the previous outputs
as they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jianbao import __version__
from jianbao.config import ConfigError
from jianbao.ir import Document, Masthead
from jianbao.document.shell import document_shell
from jianbao.manifest import Manifest, Output, Summary, input_hashes, publish, sha256_bytes
from jianbao.periods import Period, parse_period
from jianbao.project import Project, open_project
from jianbao.text import file_name_part

FORMATS = ("docx", "pdf", "md")
_documents_built = 0  # DOCX/PDF builds so far in this process (see _early_workers)


@dataclass
class BuiltFile:
    format: str
    path: Path
    pages: int | None = None


@dataclass
class BuildResult:
    period: Period
    files: list[BuiltFile]
    timings: dict[str, float] = field(default_factory=dict)  # stage → seconds
    charts_drawn: int = 0  # charts not taken from the cache
    notes: list[str] = field(default_factory=list)  # what was left out for want of data, and why


@dataclass
class _Stages:
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def parse_formats(text: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"--format: expected a comma-separated list of {', '.join(FORMATS)}, got {text!r}")
    return formats


def resolve_period(project: Project, dataset, period: str | None) -> Period:
    """A period code, or the latest period that has data when None or "latest"."""
    if period in (None, "", "latest"):
        return dataset.latest_period()
    return parse_period(period)


def output_name(project: Project, period: Period, fmt: str) -> str:
    return f"{file_name_part(project.config.digest.name)}-{period.code}.{fmt}"


def build(
    project: Project | Path | str = ".",
    period: str | None = None,
    formats: tuple[str, ...] = ("docx", "pdf"),
    log: Callable[[str], None] | None = None,
    *,
    parallel: bool = True,
) -> BuildResult:
    """Build the digest of ``period`` (default: the latest with data) into reports/<period>/.

    ``parallel`` lets forked workers draw the charts the cache lacks and lay out the
    PDF beside the rest of the build, where that is safe (see ``jianbao.forked``);
    the outputs are the same bytes either way.
    """
    from jianbao.data import load_dataset
    from jianbao.document.placements import place
    from jianbao.narrative.render import render_digest
    from jianbao.theme import load_theme

    stages = _Stages()
    if not isinstance(project, Project):
        project = open_project(project)
    config = project.config
    documents = "docx" in formats or "pdf" in formats
    chart_worker = pdf_worker = charts = None
    try:
        with stages.stage("load"):
            dataset = load_dataset(project.data_dir)
            the_period = resolve_period(project, dataset, period)
            theme = load_theme(project.templates_dir / "theme.toml", config.digest.font_profile)
            if parallel and documents:
                chart_worker, pdf_worker = _early_workers(project, theme, formats)
        chapters = chapters_of(project, dataset)
        shell = document_shell(config, the_period)
        with stages.stage("narrate"):
            narrative = render_digest(dataset, the_period, chapters, project.templates_dir,
                                      config.periods.policy(), config.periods.stale_chapter, config.render.limits())
            narrative = place(project, dataset, the_period, narrative, config.periods.policy())
        notes = narrative.notes
        rendered: dict[str, tuple[bytes, int | None]] = {}
        if "md" in formats:
            rendered["md"] = (narrative.markdown.encode("utf-8"), None)
        charts_drawn = 0
        if documents:
            from jianbao.document.assemble import assemble

            doc, charts = assemble(project, dataset, the_period, theme, shell, chapters, narrative, stages.stage,
                                   parallel, chart_worker, config.periods.policy())
            # Work that needs no pictures goes first, while charts may still be drawing.
            with stages.stage("prepare"):
                writers = _prepare_writers(tuple(f for f in formats if f != "pdf" or pdf_worker is None), theme)
            with stages.stage("charts"):
                charts.wait()
            charts_drawn = len(charts.drawn)
            if pdf_worker is not None:
                pdf_worker.send(doc)  # laid out on the other core while this one writes the DOCX
            if "docx" in formats:
                with stages.stage("docx"):
                    reference = project.templates_dir / "reference.docx"
                    rendered["docx"] = (writers["docx"](doc, theme, reference if reference.is_file() else None), None)
            if pdf_worker is not None:
                rendered["pdf"] = pdf_worker.result()
                stages.timings["pdf"] = pdf_worker.seconds
            elif "pdf" in formats:
                with stages.stage("pdf"):
                    rendered["pdf"] = writers["pdf"](doc, theme)
    finally:  # a failed build leaves no worker behind
        for worker in (charts, chart_worker, pdf_worker):
            if worker is not None:
                worker.cancel()
    with stages.stage("write"):
        files = _write(project, the_period, shell, rendered, narrative.key_points)
    if log:
        for line in summarize_notes(notes, the_period):
            log(line)
        for f in files:
            pages = f" ({f.pages} pages)" if f.pages else ""
            log(f"wrote {f.path}{pages}")
    return BuildResult(the_period, files, stages.timings, charts_drawn, notes)


def summarize_notes(notes: list[str], period: Period) -> list[str]:
    """Chapters, charts, tables and rows left out, one line each; dropped sentences as a count."""
    sentences = [n for n in notes if ": dropped a " in n]
    lines = [f"note: {n}" for n in notes if n not in sentences]
    if sentences:
        lines.append(f"note: {len(sentences)} sentence(s) or clause(s) left out for want of data "
                     f"(`jianbao validate --period {period.code}` lists them)")
    return lines


def _early_workers(project: Project, theme, formats: tuple[str, ...]):
    """Workers forked now, to pay their fixed costs while the text is narrated.

    The PDF worker imports reportlab and parses the fonts, then lays out the PDF
    while this process writes the DOCX. The chart worker imports matplotlib; it is
    forked now only when the chart cache is empty (a first build, or a batch of new
    projects), since then charts are certain to be drawn; otherwise one is forked
    later if the narrative asks for charts the cache lacks.
    """
    from jianbao.charts.draw import chart_style, warm_up
    from jianbao.forked import Forked, can_fork

    global _documents_built
    _documents_built += 1
    if not can_fork():
        return None, None
    if _documents_built == 2:
        # A second build in one process (a batch, --watch): load matplotlib, reportlab and
        # the fonts here once, so every later worker is forked warm, and this process
        # draws charts beside the chart worker instead of waiting for it.
        warm_up(chart_style(theme))
        _prepare_writers(formats, theme)
    pdf_worker = None
    if "pdf" in formats:
        pdf_worker = Forked(lambda: _prepare_writers(("pdf",), theme),
                            lambda doc: _prepare_writers(("pdf",), theme)["pdf"](doc, theme),  # warm: no work
                            "jianbao-pdf")
    cached = project.cache_dir / "charts"
    if cached.is_dir() and any(cached.iterdir()):
        return None, pdf_worker
    from jianbao.charts.parallel import SharedDrawing

    return SharedDrawing(chart_style(theme)), pdf_worker


def _prepare_writers(formats: tuple[str, ...], theme) -> dict[str, Callable]:
    """Import the writers and parse the PDF fonts: work that needs no chart pictures.

    Font files are parsed once per process (``pdf_fonts`` caches them), so doing it
    here only moves the work to where charts may still be drawing on the other core.
    A missing font is left for the PDF writer to report with its clear message.
    """
    writers: dict[str, Callable] = {}
    if "docx" in formats:
        from jianbao.writers.docx import render_docx

        writers["docx"] = render_docx
    if "pdf" in formats:
        from jianbao.theme import FontNotFoundError
        from jianbao.writers.pdf import render_pdf
        from jianbao.writers.pdf_fonts import FontBook

        writers["pdf"] = render_pdf
        book = FontBook(theme)
        for family in sorted({theme.style(name).family for name in theme.raw.get("styles", {})} | {"kai"}):
            try:
                book.font(family)
            except FontNotFoundError:
                pass
    return writers


def chapter_problems(project: Project, dataset) -> list[str]:
    """A line per configured chapter whose sector the catalog does not have."""
    return [
        f"jianbao.toml: chapters.{i}.sector: {ch.sector!r} is not a sector of "
        f"{project.data_dir / 'catalog.yaml'} (known: {', '.join(dataset.sectors)})"
        for i, ch in enumerate(project.config.chapters)
        if ch.sector not in dataset.sectors
    ]


def chapters_of(project: Project, dataset) -> list[tuple[str, str, str]]:
    """(sector id, title, template name) per configured chapter; unknown sectors are config errors."""
    problems = chapter_problems(project, dataset)
    if problems:
        head = f"{project.root / 'jianbao.toml'}: {len(problems)} problem(s)"
        raise ConfigError("\n  ".join([head, *problems]))
    return [
        (ch.sector, ch.title or dataset.sectors[ch.sector].name, ch.template or f"chapters/{ch.sector}.md.j2")
        for ch in project.config.chapters
    ]


def _write(
    project: Project,
    period: Period,
    shell: Document,
    rendered: dict[str, tuple[bytes, int | None]],
    key_points: list[str],
) -> list[BuiltFile]:
    """Publish the rendered formats and the manifest into reports/<period>/ as one set.

    The other formats' files and records stay as they were (see ``manifest.publish``),
    so ``--format md`` after a full build leaves the documents sendable.
    """
    folder = project.period_dir(period.code)
    built = [(fmt, output_name(project, period, fmt), *rendered[fmt]) for fmt in FORMATS if fmt in rendered]
    outputs = [Output(fmt, name, sha256_bytes(data), pages) for fmt, name, data, pages in built]
    summary = Summary(
        name=project.config.digest.name,
        issue=shell.first(Masthead).issue,
        period_label=period.label(),
        date=shell.first(Masthead).date,
        key_points=key_points,
    )
    manifest = Manifest(period.code, __version__, input_hashes(project), summary, outputs)
    publish(folder, {name: data for _fmt, name, data, _pages in built}, manifest)
    return [BuiltFile(fmt, folder / name, pages) for fmt, name, _data, pages in built]

