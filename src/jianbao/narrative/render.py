"""Render the digest's Markdown: each chapter template, then the layout around them.

A chapter template writes its body with ``{% sentence %}`` tags (see
:mod:`jianbao.narrative.sentences`); the sentences it marks ``headline`` are
its 本期要点 line (a top-level ``{% set headline %}…{% endset %}`` still works
for older templates). The layout (``layout.md.j2``) then places ``# 本期要点``
— the bullet list from ``key_points.md.j2`` — and one ``# <title>`` per
chapter. A project overrides any of the three by file name, or extends the
built-in one with ``!``.

A chapter left with no text (its figures all missing, or, when
``[periods] stale_chapter = "omit"``, all older than the digest period) is
left out, and the build notes it. What was dropped and why is returned as
``notes`` for the build and ``validate --period`` to print.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Template, TemplateNotFound
from markdown_it import MarkdownIt
from jinja2.sandbox import SandboxedEnvironment

from jianbao.data import Dataset, Observation
from jianbao.narrative.env import (
    OverrideLoader,
    TemplateProblem,
    make_environment,
    RenderLimits,
    render_module,
    render_template,
    template_frame,
    template_problems,
)
from jianbao.narrative import sentences
from jianbao.narrative.errors import MissingFigureError
from jianbao.narrative.phrases import tidy_qualifiers
from jianbao.narrative.facade import FILTERS, Facade, UsedObservations, escape_markdown
from jianbao.periods import Period, parse_period
from jianbao.reporting import Policy, is_older, label
from jianbao.resources import is_builtin

LAYOUT = "layout.md.j2"
HEADLINE = "headline"

STALE_CHAPTER = ("keep", "omit")
_LEVEL1 = re.compile(r"^ {0,3}#(?:[ \t]|$)", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


class Markdown(str):
    """Text that is Markdown already (a rendered chapter, a headline): printed as it is."""


def _finalize(value: object) -> object:
    """``{{ … }}`` prints text as it is and anything else (a figure) escaped.

    Data text reaches templates escaped already (highlights, names), and
    macros and sentence tags return Markdown, so no ``|markdown`` is needed.
    """
    if isinstance(value, str) or value is None:
        return value
    return escape_markdown(str(value))


@dataclass(frozen=True)
class Narrative:
    markdown: str
    key_points: list[str]  # plain text (for mail and the manifest): one sentence per chapter that has one
    used: list[Observation]  # every observation the templates used, in first-use order
    notes: list[str] = dataclasses.field(default_factory=list)  # what was dropped or left out, and why
    chapters: list[str] = dataclasses.field(default_factory=list)  # sectors of the chapters printed


@dataclass(frozen=True)
class ChapterText:
    """One rendered chapter as the layout sees it."""

    sector: str
    title: str
    body: Markdown
    headline: Markdown
    notes: tuple[str, ...] = ()
    stated: tuple[Period, ...] = ()  # the periods of every figure the chapter printed


def make_digest_environment(project_templates: Path | None) -> SandboxedEnvironment:
    """The template environment with the phrase filters (|growth, |level, |compare …) installed.

    Text printed by ``{{ … }}`` is escaped for Markdown, so data text never turns
    into markup; ``|markdown`` marks a string that is meant as Markdown.
    """
    env = make_environment(project_templates)
    env.finalize = _finalize
    env.add_extension(sentences.SentenceExtension)
    env.filters.update(FILTERS)
    env.filters["markdown"] = Markdown  # kept for older templates: macros need it no more
    return env


def render_digest(
    dataset: Dataset,
    period: Period | str,
    chapters: list[tuple[str, str, str]],
    project_templates: Path | None,
    policy: Policy = Policy(),
    stale_chapter: str = "keep",
    limits: RenderLimits = RenderLimits(),
) -> Narrative:
    """The digest's Markdown for ``period``: key points, then (sector, title, template) chapters."""
    period = parse_period(period)
    env = make_digest_environment(project_templates)
    used = UsedObservations()
    texts, notes = [], []
    for sector, title, name in chapters:
        chapter = render_chapter(env, dataset, period, sector, title, name, used, policy, limits)
        notes += [f"chapter {sector}: {n}" for n in chapter.notes]
        if not chapter.body.strip():
            notes.append(f"chapter {sector}: left out, no figure of {period.code} or before it to state")
        elif stale_chapter == "omit" and chapter.stated and all(is_older(p, period) for p in chapter.stated):
            notes.append(f"chapter {sector}: left out, every figure is older than {period.code} "
                         "([periods] stale_chapter = \"omit\")")
        else:
            texts.append(chapter)
    key_points = [t.headline for t in texts if t.headline]
    context = {
        "chapters": texts,
        "key_points": key_points,
        "period": period,
        "period_label": period.label,
    }
    markdown = render_template(env, LAYOUT, context, limits)
    return Narrative(_tidy(markdown), [plain_text(p) for p in key_points], used.list(), notes,
                     [t.sector for t in texts])


def render_chapter(
    env: SandboxedEnvironment,
    dataset: Dataset,
    period: Period,
    sector: str,
    title: str,
    name: str,
    used: UsedObservations,
    policy: Policy = Policy(),
    limits: RenderLimits = RenderLimits(),
) -> ChapterText:
    template = _chapter_template(env, sector, name)
    facade = Facade(dataset, period, sector, used, policy)
    scope = sentences.Scope(period, lambda p: _label(p, period))
    with sentences.scope(scope), template_problems(template.filename or name):
        try:
            module = render_module(template, facade.context(), limits)
        except MissingFigureError as missing:
            raise _missing_problem(missing, sector, name, period) from None
        body = str(module)
    old_style = getattr(module, HEADLINE, None)
    headline = "".join(scope.headlines) if old_style is None else sentences.one_line(old_style)
    if _LEVEL1.search(body):
        raise TemplateProblem(
            "a chapter template must not write a level-1 heading ('# '): the layout writes the chapter "
            "title; use '## ' for sections",
            template.filename or name,
        )
    body = tidy_qualifiers(sentences.drop_empty_sections(sentences.finish(body)))
    return ChapterText(sector, title, Markdown(_tidy(body) if body.strip() else ""),
                       Markdown(tidy_qualifiers(sentences.finish(headline))), tuple(scope.notes),
                       tuple(scope.stated))


def _label(period: Period, digest: Period) -> str:
    """How a sentence names a figure's period: without the year when it is the digest's; 3月份 for a month."""
    text = label(period, digest)
    return text + "份" if period.kind == "month" and text.endswith("月") else text


def _missing_problem(missing: MissingFigureError, sector: str, name: str, period: Period) -> TemplateProblem:
    """A figure a template states outside any sentence: say what the user can do, in their own files.

    For a built-in template the advice names no line inside the package: the
    user adds data, drops the chapter or overrides the template.
    """
    file, line = template_frame(missing)
    what = (f"chapter {sector!r} needs {missing.indicator} for {period.code} ({period.label()}), and the data "
            f"has no figure of it for that period: add the figure to data/observations, "
            f"drop the chapter from jianbao.toml")
    if file is None or is_builtin(file):
        return TemplateProblem(f"{what}, or override the template (jianbao templates copy {name})",
                               f"built-in template {name}")
    return TemplateProblem(f"{missing}", file, line)


def _chapter_template(env: SandboxedEnvironment, sector: str, name: str) -> Template:
    try:
        with template_problems(name):
            return env.get_template(name)
    except TemplateProblem as problem:
        if not isinstance(problem.__cause__, TemplateNotFound) or problem.__cause__.name != name:
            raise
    assert isinstance(env.loader, OverrideLoader)  # make_environment's loader: it knows where to look
    places = [str(folder / name) for folder in env.loader.searchpath]
    raise TemplateProblem(f"sector {sector!r} has no chapter template: expected {' or '.join(places)}") from None


def plain_text(markdown: str) -> str:
    """Inline Markdown as the text a reader sees: escapes undone, emphasis marks dropped."""
    tokens = MarkdownIt("commonmark").parseInline(markdown)
    children = tokens[0].children or [] if tokens else []
    return "".join(t.content for t in children if t.type in ("text", "code_inline"))




def _tidy(markdown: str) -> str:
    """At most one blank line between blocks, no trailing spaces, one final newline."""
    lines = "\n".join(line.rstrip() for line in markdown.strip().splitlines())
    return _BLANK_RUNS.sub("\n\n", lines) + "\n"


