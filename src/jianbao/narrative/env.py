"""The sandboxed Jinja2 environment every digest template runs in.

Templates are looked up in the project's ``templates/`` first and then among
the built-in ones, so a project file replaces the built-in file of the same
name (mkdocs' ``custom_dir``). The name prefix ``!`` loads the built-in file
only, so an override can extend the file it replaces and change one block
(Sphinx's ``{% extends "!layout.html" %}``).

Every failure while loading or rendering becomes one exception type,
:class:`TemplateProblem`, naming the template file (the project's file when
the template came from the project), the line and what went wrong.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import BaseLoader, FileSystemLoader, StrictUndefined, Template, TemplateNotFound
from jinja2.environment import TemplateModule
from jinja2.sandbox import SandboxedEnvironment

from jianbao.errors import JianbaoError
from jianbao.resources import builtin_file, search_path

BUILTIN_TEMPLATES = builtin_file()
BUILTIN_PREFIX = "!"


class TemplateProblem(JianbaoError):
    """A template failed to load or render; ``str()`` reads "FILE, line N: what"."""

    def __init__(self, what: str, file: str | None = None, line: int | None = None) -> None:
        self.what = what
        self.file = file
        self.line = line
        where = ", ".join(p for p in (file, f"line {line}" if line else None) if p)
        super().__init__(f"{where}: {what}" if where else what)


class OverrideLoader(BaseLoader):
    """Project templates shadow built-in ones; ``!name`` always means the built-in file."""

    def __init__(self, project_templates: Path | None) -> None:
        self.searchpath = search_path(project_templates)  # the project's folder first, the built-in one last
        self.loaders = [FileSystemLoader(folder) for folder in self.searchpath]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template.startswith(BUILTIN_PREFIX):
            return self.loaders[-1].get_source(environment, template[len(BUILTIN_PREFIX) :])
        for loader in self.loaders:
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                pass
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        return sorted({name for loader in self.loaders for name in loader.list_templates()})


def make_environment(project_templates: Path | None, *, autoescape: bool = False) -> SandboxedEnvironment:
    """A sandboxed, StrictUndefined environment over project + built-in templates.

    ``autoescape=True`` is for HTML templates (mail bodies); Markdown templates
    render unescaped. Lines keep Jinja's trim_blocks/lstrip_blocks so block
    tags on their own line leave no blank lines behind in the Markdown.
    """
    return SandboxedEnvironment(
        loader=OverrideLoader(project_templates),
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class RenderLimits:
    """How long one template may render and how much it may write (``[render]`` in jianbao.toml)."""

    seconds: float = 60
    max_bytes: int = 20_000_000


class RenderLimitError(JianbaoError):
    """A template ran past its time or size limit (a loop that never ends, output that never stops)."""


def render_module(template: Template, context: Mapping[str, Any], limits: RenderLimits = RenderLimits()
                  ) -> TemplateModule:
    """Render ``template`` as a module (its output and its top-level variables) within ``limits``.

    The output is gathered chunk by chunk so that a runaway loop stops at the
    size limit; a loop that writes nothing stops at the time limit.
    """
    ctx = template.new_context(dict(context))
    chunks: list[str] = []
    size = 0
    with time_limit(limits.seconds):
        for chunk in template.root_render_func(ctx):
            size += len(chunk)
            if size > limits.max_bytes:
                raise RenderLimitError(f"the template wrote more than {limits.max_bytes // 1_000_000} MB: a loop "
                                       "that never ends? ([render] max_megabytes in jianbao.toml sets the limit)")
            chunks.append(chunk)
    return TemplateModule(template, ctx, chunks)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise RenderLimitError in this code after ``seconds`` (POSIX main thread; elsewhere the size limit holds)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise RenderLimitError(f"the template took longer than {seconds:g} s to render: a loop that never ends? "
                               "([render] timeout in jianbao.toml sets the limit)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_template(env: jinja2.Environment, name: str, context: Mapping[str, Any],
                    limits: RenderLimits = RenderLimits()) -> str:
    """Render ``name`` with ``context`` within ``limits``; any failure becomes a TemplateProblem."""
    with template_problems(name):
        return str(render_module(env.get_template(name), context, limits))


class template_problems:
    """Context manager turning Jinja2 and render-time errors into TemplateProblem.

    ``name`` is the template being rendered, reported when the failing
    template cannot be found from the traceback.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or isinstance(exc, TemplateProblem) or not isinstance(exc, Exception):
            return False
        raise problem_from(exc, self.name) from exc


def problem_from(exc: Exception, name: str) -> TemplateProblem:
    """Locate ``exc`` in the template that raised it: file from the error or the traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateProblem(f"syntax error: {exc.message}", exc.filename or exc.name or name, exc.lineno)
    if isinstance(exc, TemplateNotFound):
        what = f"template not found: {exc.name}"
    elif isinstance(exc, jinja2.UndefinedError):
        what = f"undefined: {exc.message}"
    elif isinstance(exc, jinja2.TemplateError):
        what = exc.message or type(exc).__name__
    else:
        what = str(exc) or type(exc).__name__
    file, line = template_frame(exc)
    return TemplateProblem(what, file or name, line)


def template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template frame of a traceback, as template file and line.

    A traceback from ``Template.render`` has been rewritten by Jinja2 to
    template lines already; one from ``Template.make_module`` still holds the
    compiled frames, which know their template and map their own line numbers.
    """
    file = line = None
    tb = exc.__traceback__
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            file, line = template.filename, template.get_corresponding_lineno(tb.tb_lineno)
        elif tb.tb_frame.f_code.co_name in _JINJA_FRAMES or tb.tb_frame.f_code.co_name.startswith("block '"):
            file, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return file, line


# Names Jinja2's debug module gives the frames it rewrites to template lines.
_JINJA_FRAMES = ("template", "top-level template code")
