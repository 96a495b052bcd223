"""Which charts and tables the digest can place: those the data fills; the others drop with a note.

Runs right after the narrative, before any format is written, so the Markdown,
the DOCX and the PDF place the same charts and tables. An id no spec has is
an error naming the template line that placed it; a placement marked
``"required"`` (``![](chart:id "required")``) whose data is missing is an
error too; any other placement whose data is missing is removed with its line.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from jianbao.charts import chart_data, load_chart_specs, load_table_specs
from jianbao.charts.spec import MissingData
from jianbao.document.compose import ComposeError
from jianbao.narrative.render import Narrative
from jianbao.periods import Period
from jianbao.project import Project
from jianbao.references import PLACEMENT
from jianbao.reporting import Policy
from jianbao.resources import search_path
from jianbao.tables import build_table

REQUIRED = "required"


def references(markdown: str, kind: str) -> list[str]:
    """Ids of charts or tables the Markdown places, in order, each once."""
    return list(dict.fromkeys(i for k, i, _ in PLACEMENT.findall(markdown) if k == kind))


def place(project: Project, dataset, period: Period, narrative: Narrative, policy: Policy = Policy()) -> Narrative:
    """The narrative without the placements its data cannot fill, and a note for each one dropped."""
    specs = {"chart": load_chart_specs(project.templates_dir), "table": load_table_specs(project.templates_dir)}
    for kind, known in specs.items():
        unknown = [i for i in references(narrative.markdown, kind) if i not in known]
        if unknown:
            raise ComposeError(
                f"{_where(project, f'{kind}:{unknown[0]}')}: unknown {kind} id {unknown[0]!r} "
                f"(known: {', '.join(sorted(known))})"
            )
    notes = list(narrative.notes)
    missing: dict[tuple[str, str], MissingData | None] = {}

    def check(match: re.Match[str]) -> str:
        kind, ident, title = match.group(1), match.group(2), match.group(3) or ""
        if (kind, ident) not in missing:
            missing[(kind, ident)] = _missing(kind, specs[kind][ident], dataset, period, policy, notes)
        exc = missing[(kind, ident)]
        if exc is None:
            return match.group(0)
        if title == REQUIRED:
            raise ComposeError(f"{_where(project, f'{kind}:{ident}')}: required {kind} {ident!r} has no data: {exc}")
        notes.append(f"{kind} {ident}: left out, {exc.short()}")
        return ""

    markdown = PLACEMENT.sub(check, narrative.markdown)
    return dataclasses.replace(narrative, markdown=markdown, notes=notes)


def _missing(kind: str, spec, dataset, period: Period, policy: Policy, notes: list[str]) -> MissingData | None:
    try:
        if kind == "chart":
            chart_data(spec, dataset, period, policy)
        else:
            build_table(spec, dataset, period, policy=policy, notes=notes)
    except MissingData as exc:
        return exc
    return None


def _where(project: Project, needle: str) -> str:
    """The first template file and line that contains ``needle`` (project files first)."""
    for folder in search_path(project.templates_dir):
        for path in sorted(Path(folder).rglob("*.j2")) if Path(folder).is_dir() else []:
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if needle in line:
                    return f"{path}, line {n}"
    return "the digest Markdown"
