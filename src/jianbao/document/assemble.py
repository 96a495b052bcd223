"""Assemble the Document: draw the referenced charts, build the tables, compose, append data.

The narrative's Markdown names charts and tables by id; this is where those
ids meet the chart and table specs. An unknown id is reported with the
template file and line that wrote it, since that is where the user fixes it.
A chart or table whose figures the data lacks drops with its placement and a
note in ``notes``, unless the placement is marked ``"required"``
(``![](chart:id "required")``), which makes the missing data an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from jianbao.charts import DrawnCharts, chart_figure, draw_charts, load_chart_specs, load_table_specs
from jianbao.charts.parallel import SharedDrawing
from jianbao.charts import chart_data
from jianbao.charts.spec import MissingData, format_value
from jianbao.document.compose import ComposeError, compose
from jianbao.document.ir import Block, Document, Figure, Heading, PageBreak, Table
from jianbao.narrative.env import BUILTIN_TEMPLATES
from jianbao.narrative.render import Narrative
from jianbao.periods import Period
from jianbao.project import Project
from jianbao.reporting import Policy
from jianbao.tables import build_table

APPENDIX_TITLE = "本期数据一览"
APPENDIX_HEADER = ["指标", "时期", "数值", "来源"]

REQUIRED = "required"

Stage = Callable[[str], AbstractContextManager[None]]


def references(markdown: str, kind: str) -> list[str]:
    """Ids of charts or tables the Markdown places, in order, each once."""
    return list(dict.fromkeys(re.findall(rf"\]\({kind}:([A-Za-z0-9_\-]+)\)", markdown)))


def assemble(
    project: Project,
    dataset,
    period: Period,
    theme,
    shell: Document,
    chapters: list[tuple[str, str, str]],
    narrative: Narrative,
    stage: Stage,
    parallel: bool = False,
    worker: SharedDrawing | None = None,
    policy: Policy = Policy(),
    notes: list[str] | None = None,
) -> tuple[Document, DrawnCharts]:
    """The full Document and its charts' PNGs.

    With ``parallel`` (or a ``worker`` started earlier, see ``charts.draw_charts``)
    the charts the cache lacks may still be drawing when this returns (the figures name their files already): call ``wait()`` on the charts
    before a writer reads them, or ``cancel()`` if the build stops.
    """
    chart_specs = load_chart_specs(project.templates_dir)
    table_specs = load_table_specs(project.templates_dir)
    for kind, known in (("chart", chart_specs), ("table", table_specs)):
        unknown = [i for i in references(narrative.markdown, kind) if i not in known]
        if unknown:
            raise ComposeError(
                f"{_where(project, f'{kind}:{unknown[0]}')}: unknown {kind} id {unknown[0]!r} "
                f"(known: {', '.join(sorted(known))})"
            )
    notes = [] if notes is None else notes
    missing: dict[str, MissingData] = {}
    with stage("charts"):
        wanted = []
        for chart_id in references(narrative.markdown, "chart"):
            try:
                chart_data(chart_specs[chart_id], dataset, period, policy)
                wanted.append(chart_specs[chart_id])
            except MissingData as exc:
                missing[chart_id] = exc
        images = draw_charts(wanted, dataset, period, theme, project.cache_dir, parallel=parallel, worker=worker,
                             policy=policy)

    def dropped(kind: str, ident: str, title: str, exc: MissingData) -> None:
        if title == REQUIRED:
            raise ComposeError(f"{_where(project, f'{kind}:{ident}')}: required {kind} {ident!r} has no data: {exc}")
        notes.append(f"{kind} {ident}: left out, {exc}")

    def figure(chart_id: str, caption: str, title: str) -> Figure | None:
        if chart_id in missing:
            return dropped("chart", chart_id, title, missing[chart_id])
        return chart_figure(chart_specs[chart_id], dataset, period, images[chart_id], caption=caption, policy=policy)

    def table(table_id: str, caption: str, title: str) -> Table | None:
        try:
            return build_table(table_specs[table_id], dataset, period, 0, caption, policy, notes)
        except MissingData as exc:
            return dropped("table", table_id, title, exc)

    titles = dict((c[0], c[1]) for c in chapters)
    try:
        with stage("compose"):
            doc = compose(narrative.markdown, shell, narrative.chapters, figure, table)
            tables = sum(isinstance(b, Table) for b in doc.blocks_in_order())
            doc.appendix = appendix(narrative, dataset, tables + 1)
            doc.meta.keywords = [*shell.meta.keywords, *(titles[s] for s in narrative.chapters)]
    except BaseException:
        images.cancel()
        raise
    return doc, images


def appendix(narrative: Narrative, dataset, number: int) -> list[Block]:
    """附 (on a new page): every figure the text used, with its period, value and source.

    Values print as the text prints them (the one formatter: 14万家, 超过79%, 8%以上);
    a figure the catalog derives says so in its source cell: 中国汽车工业协会（根据…计算）.
    """
    rows = []
    for obs in narrative.used:
        ind = dataset.indicator(obs.indicator)
        name = f"{ind.name}（{obs.region}）" if obs.region else ind.name
        source = f"{ind.source}（{obs.derived}）" if obs.derived else ind.source
        rows.append([name, obs.period.label(), format_value(obs, ind, with_unit=True), source])
    if not rows:
        return []
    table = Table(number, "本期引用数据", [APPENDIX_HEADER], rows, [False, False, True, False])
    return [PageBreak(), Heading(1, APPENDIX_TITLE, "附："), table]


def _where(project: Project, needle: str) -> str:
    """The first template file and line that contains ``needle`` (project files first)."""
    for folder in (project.templates_dir, BUILTIN_TEMPLATES):
        for path in sorted(Path(folder).rglob("*.j2")) if Path(folder).is_dir() else []:
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if needle in line:
                    return f"{path}, line {n}"
    return "the digest Markdown"
