"""Highlights (data/highlights/*.yaml): the qualitative items of a sector and period."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jianbao.data.catalog import Catalog
from jianbao.data.problems import Problem, ProblemLog, bad_period, shown
from jianbao.data.yamlfile import LineDict, LineList, check_keys, load_yaml, text
from jianbao.periods import Period, PeriodError, parse_period

HIGHLIGHT_KINDS = ("highlight", "next_step", "policy")
_FIELDS = ("sector", "period", "kind", "text")


@dataclass(frozen=True)
class Highlight:
    sector: str
    period: Period
    kind: str
    text: str
    title: str = ""
    origin: str = ""  # "data/highlights/x.yaml:12"


def highlight_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in (".yaml", ".yml"))


def load_highlights(folder: Path, display: str, catalog: Catalog, catalog_display: str,
                    problems: list[Problem]) -> list[Highlight]:
    """Every valid highlight in file order; every problem logged."""
    highlights: list[Highlight] = []
    for path in highlight_files(folder):
        log = ProblemLog(f"{display}/{path.name}", problems)
        ok, document = load_yaml(path, log)
        if not ok or document is None:
            continue
        if not isinstance(document, LineList):
            log.at_line(getattr(document, "line", 1), "",
                        f"expected a list of highlights (items starting with '- '), found {shown(document)}")
            continue
        for line, item in zip(document.lines, document):
            highlight = _highlight(item, line, log, catalog, catalog_display)
            if highlight is not None:
                highlights.append(highlight)
    return highlights


def _highlight(item: object, line: int, log: ProblemLog, catalog: Catalog,
               catalog_display: str) -> Highlight | None:
    if not isinstance(item, LineDict):
        log.at_line(line, "", f"expected a highlight with {', '.join(_FIELDS)}, found {shown(item)}")
        return None
    count = len(log.problems)
    check_keys(item, log, "", _FIELDS, ("title",))
    sector = text(item, "sector", log, "sector")
    if sector and catalog.readable and sector not in catalog.sectors:
        log.at_line(item.line_of("sector"), "sector",
                    f"expected a sector of {catalog_display} ({', '.join(catalog.sectors)}), found {sector!r}")
    code = text(item, "period", log, "period")
    period = None
    if code:
        try:
            period = parse_period(code)
        except PeriodError as exc:
            log.at_line(item.line_of("period"), "period", bad_period(code, exc))
    kind = text(item, "kind", log, "kind")
    if kind and kind not in HIGHLIGHT_KINDS:
        log.at_line(item.line_of("kind"), "kind", f"expected one of {', '.join(HIGHLIGHT_KINDS)}, found {kind!r}")
    body = text(item, "text", log, "text")
    title = text(item, "title", log, "title", required=False)
    if len(log.problems) > count or period is None:
        return None
    return Highlight(sector, period, kind, body, title, origin=f"{log.file}:{item.line}")
