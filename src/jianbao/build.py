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
from dataclasses import dataclass, field, replace
from pathlib import Path

from jianbao import __version__, workers
from jianbao.config import ConfigError
from jianbao.ir import Document, Masthead
from jianbao.document.shell import document_shell
from jianbao.manifest import Manifest, Output, Summary, input_hashes, publish, sha256_bytes
from jianbao.periods import Period, parse_period
from jianbao.project import Project, open_project
from jianbao.regions import check_regional_title, checked_region
from jianbao.text import file_name_part

FORMATS = ("docx", "pdf", "md", "html")
# What the pool's workers import before their first task (``workers.start``): to draw charts in a
# build that draws charts; to lay out the PDF in one that does not.
CHART_WORKER = ("jianbao.charts.parallel", "matplotlib.backends.backend_agg", "matplotlib.figure", "PIL.Image")
PDF_WORKER = ("jianbao.build", "jianbao.writers.pdf")
PDF_WRITER = "jianbao.writers.pdf:render_pdf"


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
    region: str = ""  # the digest's region; "" national


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


def output_name(project: Project, period: Period, fmt: str, region: str = "") -> str:
    return f"{file_name_part(project.config.digest.title(region))}-{period.code}.{fmt}"


def build(
    project: Project | Path | str = ".",
    period: str | None = None,
    formats: tuple[str, ...] = ("docx", "pdf"),
    log: Callable[[str], None] | None = None,
    *,
    parallel: bool = True,
    region: str | None = None,
    dataset=None,
) -> BuildResult:
    """Build the digest of ``period`` (default: the latest with data) into reports/<period>/, or
    a ``region``'s digest into reports/<period>-<region>/.

    ``dataset`` is the project's data when the caller loaded it already (a burst loads it once).

    A DOCX build lays out the PDF too, unpublished unless asked for: the DOCX contents carry
    the PDF's page numbers (``ir.Pagination``).

    ``parallel`` lets the worker pool (``jianbao.workers``) draw the charts the cache
    lacks, or parse the PDF fonts and lay out the PDF while this process narrates, where
    there is a core to spare; the outputs are the same bytes either way.
    """
    stages = _Stages()
    if not isinstance(project, Project):
        project = open_project(project)
    documents = "docx" in formats or "pdf" in formats
    tree = documents or "html" in formats  # the HTML needs the tree and its charts, not the PDF's layout
    pdf_worker = False  # a worker parses the PDF fonts from the start, then lays out the PDF
    if parallel and tree and workers.available():  # first: the workers import while this process works
        if charts_likely(project):
            workers.start(CHART_WORKER)
        elif documents:
            workers.start(PDF_WORKER, workers=1)
            pdf_worker = True

    from jianbao.data import load_dataset
    from jianbao.document.placements import place
    from jianbao.narrative.render import render_digest
    from jianbao.theme import load_theme

    config = project.config
    charts = job = None
    try:
        with stages.stage("load"):
            if dataset is None:
                dataset = load_dataset(project.data_dir)
            the_period = resolve_period(project, dataset, period)
            region = checked_region(dataset, region, project.data_dir / "observations")
            policy = replace(config.periods.policy(), region=region)
            check_regional_title(config.digest.title(region))
            theme = load_theme(project.templates_dir / "theme.toml", config.digest.font_profile)
            if pdf_worker:
                workers.submit(parse_pdf_fonts, theme)
        chapters = chapters_of(project, dataset)
        shell = document_shell(config, the_period, region)
        with stages.stage("narrate"):
            narrative = render_digest(dataset, the_period, chapters, project.templates_dir,
                                      policy, config.periods.stale_chapter, config.render.limits())
            narrative = place(project, dataset, the_period, narrative, policy)
        notes = narrative.notes
        rendered: dict[str, tuple[bytes, int | None]] = {}
        if "md" in formats:
            rendered["md"] = (narrative.markdown.encode("utf-8"), None)
        charts_drawn = 0
        if tree:
            from jianbao.charts.parallel import SharedDrawing
            from jianbao.document.assemble import assemble

            # Once the pool runs, even one chart is drawn there: its workers are warm.
            drawing = SharedDrawing() if parallel and workers.started() else None
            doc, charts = assemble(project, dataset, the_period, theme, shell, chapters, narrative, stages.stage,
                                   parallel, drawing, policy)
            # The DOCX takes its contents' page numbers from the PDF's layout, so the PDF is laid out
            # first, in a build of either document. A worker that parsed the fonts meanwhile lays it
            # out when no charts are drawn; else this process, which parsed them while charts drew.
            in_worker = pdf_worker and workers.started()
            with stages.stage("prepare"):
                writers = _prepare_writers(theme, pdf=documents and not in_worker)
            with stages.stage("charts"):
                charts.wait()
            charts_drawn = len(charts.drawn)
            if documents:
                if in_worker:
                    job = workers.submit(PDF_WRITER, doc, theme)
                    pdf, stages.timings["pdf"] = job.result()
                else:
                    with stages.stage("pdf"):
                        pdf = writers["pdf"](doc, theme)
                if "pdf" in formats:
                    rendered["pdf"] = pdf
                if "docx" in formats:
                    reference = project.templates_dir / "reference.docx"
                    with stages.stage("docx"):
                        rendered["docx"] = (writers["docx"](doc, theme, reference if reference.is_file() else None,
                                                            pagination=pdf.pagination), None)
            if "html" in formats:
                with stages.stage("html"):
                    rendered["html"] = (writers["html"](doc, theme), None)
    finally:  # a failed build drops the work it queued; charts being drawn finish first
        for pending in (charts, job):
            if pending is not None:
                pending.cancel()
    with stages.stage("write"):
        files = _write(project, the_period, shell, rendered, narrative.key_points, region)
    if log:
        for line in summarize_notes(notes, the_period):
            log(line)
        for f in files:
            pages = f" ({f.pages} pages)" if f.pages else ""
            log(f"wrote {f.path}{pages}")
    return BuildResult(the_period, files, stages.timings, charts_drawn, notes, region)


def summarize_notes(notes: list[str], period: Period) -> list[str]:
    """Chapters, charts, tables and rows left out, one line each; dropped sentences as a count."""
    sentences = [n for n in notes if ": dropped a " in n]
    lines = [f"note: {n}" for n in notes if n not in sentences]
    if sentences:
        lines.append(f"note: {len(sentences)} sentence(s) or clause(s) left out for want of data "
                     f"(`jianbao validate --period {period.code}` lists them)")
    return lines


def charts_likely(project: Project) -> bool:
    """Whether this build will likely draw charts: the chart cache is empty (a first build, a batch
    of new projects), or what charts show (the catalog, observations, chart specs, the theme)
    changed since it was last drawn into. Highlights are text only.

    A guess from file times, to set up the pool for the work ahead: a wrong one costs time only.
    """
    pictures = list((project.cache_dir / "charts").glob("*.png"))
    if not pictures:
        return True
    drawn = max(p.stat().st_mtime for p in pictures)
    data, templates = project.data_dir, project.templates_dir
    inputs = [data / "catalog.yaml", *(data / "observations").rglob("*"), *(templates / "charts").glob("*"),
              templates / "theme.toml"]
    return any(p.is_file() and p.stat().st_mtime > drawn for p in inputs)


def _prepare_writers(theme, *, pdf: bool) -> dict[str, Callable]:
    """Import the writers, and parse the PDF fonts when this process lays out the PDF: work that
    needs no chart pictures.

    Font files are parsed once per process, so doing it here only moves the work to
    where charts may still be drawing on the other cores.
    """
    from jianbao.writers.docx import render_docx
    from jianbao.writers.html import render_html
    from jianbao.writers.pdf import render_pdf

    if pdf:
        parse_pdf_fonts(theme)
    return {"docx": render_docx, "pdf": render_pdf, "html": render_html}


def parse_pdf_fonts(theme) -> None:
    """Parse the theme's PDF fonts, once per process (``pdf_fonts`` caches them).

    A missing font is left for the PDF writer to report with its clear message.
    """
    from jianbao.theme import FontNotFoundError
    from jianbao.writers.pdf_fonts import FontBook

    book = FontBook(theme)
    for family in sorted({theme.style(name).family for name in theme.raw.get("styles", {})} | {"kai"}):
        try:
            book.font(family)
        except FontNotFoundError:
            pass


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
    region: str = "",
) -> list[BuiltFile]:
    """Publish the rendered formats and the manifest into reports/<period>/ as one set.

    The other formats' files and records stay as they were (see ``manifest.publish``),
    so ``--format md`` after a full build leaves the documents sendable.
    """
    folder = project.period_dir(period.code, region)
    built = [(fmt, output_name(project, period, fmt, region), *rendered[fmt]) for fmt in FORMATS if fmt in rendered]
    outputs = [Output(fmt, name, sha256_bytes(data), pages) for fmt, name, data, pages in built]
    summary = Summary(
        name=project.config.digest.title(region),
        issue=shell.first(Masthead).issue,
        period_label=period.label(),
        date=shell.first(Masthead).date,
        key_points=key_points,
    )
    manifest = Manifest(period.code, __version__, input_hashes(project), summary, outputs, region)
    publish(folder, {name: data for _fmt, name, data, _pages in built}, manifest)
    return [BuiltFile(fmt, folder / name, pages) for fmt, name, _data, pages in built]

