"""Render the digest's Markdown: each chapter template, then the layout around them.

A chapter template writes its body, and supplies its 本期要点 sentence with a
top-level ``{% set headline %}…{% endset %}``: one render gives both (the
body is the template's output, the headline its exported variable). The
layout (``layout.md.j2``) then places ``# 本期要点`` — the bullet list from
``key_points.md.j2`` — and one ``# <title>`` per chapter. A project overrides
any of the three by file name, or extends the built-in one with ``!``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Template, TemplateNotFound
from markdown_it import MarkdownIt
from jinja2.sandbox import SandboxedEnvironment

from jianbao.data import Dataset, Observation
from jianbao.narrative.env import (
    BUILTIN_TEMPLATES,
    OverrideLoader,
    TemplateProblem,
    make_environment,
    template_problems,
)
from jianbao.narrative.facade import FILTERS, Facade, UsedObservations
from jianbao.periods import Period, parse_period

LAYOUT = "layout.md.j2"
HEADLINE = "headline"

_LEVEL1 = re.compile(r"^ {0,3}#(?:[ \t]|$)", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
# ASCII punctuation that Markdown could read as markup; a backslash escape is always valid.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&#~])")


class Markdown(str):
    """Text that is Markdown already (a rendered chapter, a headline): printed as it is."""


def escape_markdown(text: str) -> str:
    """Data text as literal Markdown: 标准*草案* stays asterisks, not emphasis."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _finalize(value: object) -> object:
    """Every ``{{ … }}`` that prints plain text (data, names, phrases) prints it escaped."""
    if isinstance(value, str) and not isinstance(value, Markdown):
        return escape_markdown(value)
    return value


@dataclass(frozen=True)
class Narrative:
    markdown: str
    key_points: list[str]  # plain text (for mail and the manifest): one sentence per chapter that has one
    used: list[Observation]  # every observation the templates used, in first-use order


@dataclass(frozen=True)
class ChapterText:
    """One rendered chapter as the layout sees it."""

    sector: str
    title: str
    body: Markdown
    headline: Markdown


def make_digest_environment(project_templates: Path | None) -> SandboxedEnvironment:
    """The template environment with the phrase filters (|growth, |level, |compare …) installed.

    Text printed by ``{{ … }}`` is escaped for Markdown, so data text never turns
    into markup; ``|markdown`` marks a string that is meant as Markdown.
    """
    env = make_environment(project_templates)
    env.finalize = _finalize
    env.filters.update(FILTERS)
    env.filters["markdown"] = Markdown
    return env


def render_digest(
    dataset: Dataset,
    period: Period | str,
    chapters: list[tuple[str, str, str]],
    project_templates: Path | None,
) -> Narrative:
    """The digest's Markdown for ``period``: key points, then (sector, title, template) chapters."""
    period = parse_period(period)
    env = make_digest_environment(project_templates)
    used = UsedObservations()
    texts = [
        render_chapter(env, dataset, period, sector, title, name, used) for sector, title, name in chapters
    ]
    key_points = [t.headline for t in texts if t.headline]
    context = {
        "chapters": texts,
        "key_points": key_points,
        "period": period,
        "period_label": period.label,
    }
    with template_problems(LAYOUT):
        markdown = env.get_template(LAYOUT).render(context)
    return Narrative(_tidy(markdown), [plain_text(p) for p in key_points], used.list())


def render_chapter(
    env: SandboxedEnvironment,
    dataset: Dataset,
    period: Period,
    sector: str,
    title: str,
    name: str,
    used: UsedObservations,
) -> ChapterText:
    template = _chapter_template(env, sector, name)
    facade = Facade(dataset, period, sector, used)
    with template_problems(name):
        module = template.make_module(facade.context())
        body = str(module)
    headline = getattr(module, HEADLINE, None)
    if headline is None:
        raise TemplateProblem(
            f"chapter of sector {sector!r} sets no headline for 本期要点: add "
            "{% set headline %}…{% endset %} at the top level of the template",
            template.filename or name,
        )
    if _LEVEL1.search(body):
        raise TemplateProblem(
            "a chapter template must not write a level-1 heading ('# '): the layout writes the chapter "
            "title; use '## ' for sections",
            template.filename or name,
        )
    return ChapterText(sector, title, Markdown(_tidy(body)), Markdown(_one_line(str(headline))))


def _chapter_template(env: SandboxedEnvironment, sector: str, name: str) -> Template:
    try:
        with template_problems(name):
            return env.get_template(name)
    except TemplateProblem as problem:
        if not isinstance(problem.__cause__, TemplateNotFound) or problem.__cause__.name != name:
            raise
    loader = env.loader
    places = [str(BUILTIN_TEMPLATES / name)]
    if isinstance(loader, OverrideLoader) and loader.project is not None:
        places.insert(0, str(Path(loader.project.searchpath[0]) / name))
    raise TemplateProblem(f"sector {sector!r} has no chapter template: expected {' or '.join(places)}") from None


def plain_text(markdown: str) -> str:
    """Inline Markdown as the text a reader sees: escapes undone, emphasis marks dropped."""
    tokens = MarkdownIt("commonmark").parseInline(markdown)
    children = tokens[0].children or [] if tokens else []
    return "".join(t.content for t in children if t.type in ("text", "code_inline"))


def _one_line(text: str) -> str:
    """A headline written over several template lines is one sentence (Chinese joins without spaces)."""
    return "".join(line.strip() for line in text.splitlines())


def _tidy(markdown: str) -> str:
    """At most one blank line between blocks, no trailing spaces, one final newline."""
    lines = "\n".join(line.rstrip() for line in markdown.strip().splitlines())
    return _BLANK_RUNS.sub("\n\n", lines) + "\n"
