"""Assemble the tree: read the Markdown, draw the referenced charts, resolve, append the data, finish.

The narrative's Markdown names charts and tables by id; this is where those
ids meet the chart and table specs. :func:`jianbao.document.placements.place`
has already removed the placements the data cannot fill and refused unknown
ids, so every placement left can be drawn. The transforms then settle numbering,
contents and layout once for every writer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager

from jianbao.charts import DrawnCharts, chart_figure, draw_charts, load_chart_specs, load_table_specs
from jianbao.charts.parallel import SharedDrawing
from jianbao.charts.spec import format_value
from jianbao.figures import SUFFIX_QUALIFIERS, figure_parts
from jianbao.document.compose import read_digest
from jianbao.document.transforms import (
    FigureResolver, TableResolver, finish, place_appendix, resolve, with_body,
)
from jianbao.ir import Appendix, Document, Figure, Heading, KeyPoints, Table
from jianbao.document.placements import references
from jianbao.narrative.render import Narrative
from jianbao.periods import Period
from jianbao.project import Project
from jianbao.reporting import Policy, label
from jianbao.theme import Theme
from jianbao.tables import build_table

APPENDIX_TITLE = "本期数据一览"
APPENDIX_CAPTION = "本期引用数据"
APPENDIX_HEADER = ["指标", "时期", "数值", "来源"]
# 说明 (a source, a derivation) is filled only where a row differs from its group.
COMPACT_HEADER = ("指标", "数值", "单位", "说明")

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
                       appendix(narrative, dataset, project.config.appendix.mode, titles, period))
            doc.meta.keywords = list(project.config.digest.keywords) or [
                *shell.meta.keywords, *(titles[s] for s in narrative.chapters)]
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


def appendix(narrative: Narrative, dataset, mode: str = "compact", titles: dict[str, str] | None = None,
             period: Period | None = None) -> Appendix | None:
    """附: every figure the text used, with its period, value and source (None when it used none).

    Values print as the text prints them (the one formatter: 14万家, 超过79%, 8%以上); a
    figure the catalog derives says so in its source cell: 中国汽车工业协会（根据…计算）.
    ``compact`` groups the rows by chapter, gives units their own column and says the period
    and source a group shares once, in its row; ``full`` is one row per figure with every column.
    """
    if mode == "none" or not narrative.used:
        return None
    if mode == "full":
        rows = [[_name(obs, dataset), obs.period.label(),
                 format_value(obs, dataset.indicator(obs.indicator), with_unit=True), _source(obs, dataset)]
                for obs in narrative.used]
        table = Table(0, APPENDIX_CAPTION, [APPENDIX_HEADER], rows, [False, False, True, False],
                      style="appendix_table")
    else:
        table = _compact_table(narrative, dataset, titles or {}, period)
    return Appendix(Heading(1, APPENDIX_TITLE, "附："), [table])


def _compact_table(narrative: Narrative, dataset, titles: dict[str, str], digest: Period | None) -> Table:
    """One group of rows per chapter. The period and the source most of a group's figures share
    are said once, in its row; a row of another period starts its name with it (1—5月利润总额增速),
    and notes only a source of its own and a derived figure's rule."""
    groups: dict[str, list] = {sector: [] for sector in narrative.chapters}
    for obs in narrative.used:
        groups.setdefault(dataset.indicator(obs.indicator).sector, []).append(obs)
    rows: list[list[str]] = []
    labels: list[int] = []
    for sector, observations in groups.items():
        if not observations:
            continue
        # The value most rows have (the first of them on a tie).
        period = Counter(obs.period.label() for obs in observations).most_common(1)[0][0]
        source = Counter(dataset.indicator(obs.indicator).source for obs in observations).most_common(1)[0][0]
        title = titles.get(sector) or dataset.sectors[sector].name
        labels.append(len(rows))
        rows.append([f"{title}（{'，'.join(x for x in (period, source) if x)}）"])
        # The group's own period first, right under the row that says it; then the others,
        # each with its period before its value.
        for obs in sorted(observations, key=lambda o: o.period.label() != period):
            ind = dataset.indicator(obs.indicator)
            value, unit = figure_parts(obs.value, obs.unit, ind.decimals, ind.kind, obs.qualifier)
            if obs.qualifier in SUFFIX_QUALIFIERS:  # 8%以上 reads as one figure; "8以上 | %" would not
                value, unit = format_value(obs, ind, with_unit=True), ""
            name = _name(obs, dataset)
            if obs.period.label() != period:  # 1—5月规模以上工业利润总额增速: the period leads, as in prose
                name = (label(obs.period, digest) if digest else obs.period.label()) + name
            notes = [ind.source if ind.source != source else "", obs.derived]
            rows.append([name, value, unit, "；".join(x for x in notes if x)])
    header, numeric = list(COMPACT_HEADER), [False, True, False, False]
    if all(row[-1] == "" for i, row in enumerate(rows) if i not in labels):  # no row needs a note
        header.pop()
        numeric.pop()
        rows = [row if i in labels else row[:-1] for i, row in enumerate(rows)]
    return Table(0, APPENDIX_CAPTION, [header], rows, numeric, group_rows=labels, style="appendix_table")


def _name(obs, dataset) -> str:
    name = dataset.indicator(obs.indicator).name
    return f"{name}（{obs.region}）" if obs.region else name


def _source(obs, dataset) -> str:
    source = dataset.indicator(obs.indicator).source
    return f"{source}（{obs.derived}）" if obs.derived else source
