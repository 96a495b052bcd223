"""Assemble the tree: read the Markdown, draw the referenced charts, resolve, append the data, finish.

The narrative's Markdown names charts and tables by id; this is where those
ids meet the chart and table specs. :func:`jianbao.document.placements.place`
has already removed the placements the data cannot fill and refused unknown
ids, so every placement left can be drawn. The transforms then settle numbering,
contents and layout once for every writer.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from jianbao.charts import DrawnCharts, chart_figure, draw_charts, load_chart_specs, load_table_specs
from jianbao.charts.parallel import SharedDrawing
from jianbao.charts.spec import format_value
from jianbao.document.compose import read_digest
from jianbao.document.transforms import (
    FigureResolver, TableResolver, finish, place_appendix, resolve, with_body,
)
from jianbao.ir import Appendix, Document, Figure, Heading, KeyPoints, Table
from jianbao.document.placements import references
from jianbao.narrative.render import Narrative
from jianbao.periods import Period
from jianbao.project import Project
from jianbao.reporting import Policy
from jianbao.theme import Theme
from jianbao.tables import build_table

APPENDIX_TITLE = "本期数据一览"
APPENDIX_HEADER = ["指标", "时期", "数值", "来源"]

Stage = Callable[[str], AbstractContextManager[None]]


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
) -> tuple[Document, DrawnCharts]:
    """The full Document and its charts' PNGs, from a narrative whose placements :func:`place` checked.

    With ``parallel`` (or a ``worker`` started earlier, see ``charts.draw_charts``)
    the charts the cache lacks may still be drawing when this returns (the figures name their files already): call ``wait()`` on the charts
    before a writer reads them, or ``cancel()`` if the build stops.
    """
    chart_specs = load_chart_specs(project.templates_dir)
    table_specs = load_table_specs(project.templates_dir)
    with stage("charts"):
        wanted = [chart_specs[i] for i in references(narrative.markdown, "chart")]
        images = draw_charts(wanted, dataset, period, theme, project.cache_dir, parallel=parallel, worker=worker,
                             policy=policy)

    def figure(chart_id: str, caption: str, title: str) -> Figure:
        return chart_figure(chart_specs[chart_id], dataset, period, images[chart_id], caption=caption, policy=policy)

    def table(table_id: str, caption: str, title: str) -> Table:
        return build_table(table_specs[table_id], dataset, period, 0, caption, policy)

    titles = dict((c[0], c[1]) for c in chapters)
    try:
        with stage("compose"):
            doc = tree(narrative.markdown, shell, narrative.chapters, figure, table, theme,
                       appendix(narrative, dataset))
            doc.meta.keywords = [*shell.meta.keywords, *(titles[s] for s in narrative.chapters)]
    except BaseException:
        images.cancel()
        raise
    return doc, images


def tree(markdown: str, shell: Document, sectors: list[str], figure: FigureResolver, table: TableResolver,
         theme: Theme, appendix: Appendix | None = None) -> Document:
    """The finished tree of a digest's Markdown: read, resolved, appendix placed, numbered, laid out."""
    key_points, chapters = read_digest(markdown, shell.first(KeyPoints).title, sectors)
    doc = with_body(shell, key_points, chapters)
    resolve(doc, figure, table)
    place_appendix(doc, appendix)
    return finish(doc, theme)


def appendix(narrative: Narrative, dataset) -> Appendix | None:
    """附: every figure the text used, with its period, value and source (None when it used none).

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
        return None
    table = Table(0, "本期引用数据", [APPENDIX_HEADER], rows, [False, False, True, False])
    return Appendix(Heading(1, APPENDIX_TITLE, "附："), [table])
