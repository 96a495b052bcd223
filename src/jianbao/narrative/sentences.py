"""Template tags that let a chapter read as prose: sentences and clauses that drop themselves.

``{% sentence %}规上工业增加值同比{{ va|growth }}{% endsentence %}`` writes
"上半年，规上工业增加值同比增长6.4%。": the tag puts the period label of the
first figure it states in front and the full stop at the end, so a template
names no period. When a figure the sentence needs is missing the whole
sentence drops (and the build notes why). ``{% sentence headline %}`` also
makes the sentence the chapter's 本期要点 line; ``{% sentence bare %}`` writes
no label and lets its figures be of several periods (the template words the
time itself: 力争到2027年…, 一季度和二季度…分别…).

``{% clause %}，拉动…{{ pull|pull("全部规模以上工业") }}{% endclause %}`` inside a
sentence drops alone. A clause whose figure is of another period than the
sentence's states its own label after its leading punctuation
("1—9月，…增长7.9%，上半年拉动…"), so no figure is ever read under another
period's label. A sentence whose own figures (outside clauses) disagree on the
period drops instead: put the odd one in a clause.

A ``## 重点行业`` section left with no text (chart and table placements alone
do not count) is removed with its heading by :func:`drop_empty_sections`.

The state lives in a :class:`Scope` (one per chapter render) that the
figure filters report to through :func:`state`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

from jianbao.narrative.errors import MissingFigureError
from jianbao.periods import Period
from jianbao.references import PLACEMENT
from jianbao.reporting import same

# The lead label of a sentence is wrapped in these (private-use) marks until the
# chapter is finished, so a label repeated by the next sentence of the same
# paragraph can be dropped ("上半年，A。上半年，B。" → "上半年，A。B。").
LABEL_OPEN, LABEL_CLOSE = "\ue000", "\ue001"
_LABELLED = re.compile(f"{LABEL_OPEN}([^{LABEL_CLOSE}]*){LABEL_CLOSE}，?")
_OPENING_PUNCT = "，；、：,;"
_CLOSING = "。！？；…"


@dataclass
class _Frame:
    """One sentence or clause being rendered: the periods of the figures it states."""

    periods: list[Period] = field(default_factory=list)
    said: Period | None = None  # the period a clause last named, when not the sentence's own


@dataclass
class Scope:
    """What one chapter's render learns: stated periods, headline sentences, notes."""

    digest: Period
    label: Callable[[Period], str]  # how a period is named in this digest (the digest's year dropped)
    frames: list[_Frame] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stated: list[Period] = field(default_factory=list)  # every figure printed, in order

    def state(self, period: Period) -> None:
        self.stated.append(period)
        if self.frames:
            self.frames[-1].periods.append(period)


_scope: ContextVar[Scope | None] = ContextVar("jianbao_sentence_scope", default=None)


@contextmanager
def scope(s: Scope) -> Iterator[Scope]:
    token = _scope.set(s)
    try:
        yield s
    finally:
        _scope.reset(token)


def state(period: Period) -> None:
    """A figure of ``period`` is printed: the enclosing sentence or clause takes note."""
    s = _scope.get()
    if s is not None:
        s.state(period)


def one_line(text: str) -> str:
    """Template lines joined into one line of text (Chinese joins without spaces)."""
    return "".join(line.strip() for line in str(text).splitlines())


class SentenceExtension(Extension):
    """``{% sentence %}``, ``{% clause %}`` and ``{% section %}`` (see the module docstring)."""

    tags = {"sentence", "clause"}

    def parse(self, parser: Parser) -> nodes.Node:
        token = next(parser.stream)
        tag = token.value
        args: list[nodes.Expr] = []
        if tag == "sentence":
            flags = []
            while parser.stream.current.type == "name":
                flag = next(parser.stream).value
                if flag not in ("headline", "bare"):
                    parser.fail(f"unknown sentence flag {flag!r}: expected headline or bare", token.lineno)
                flags.append(nodes.Const(flag))
            args.extend(flags)
        body = parser.parse_statements((f"name:end{tag}",), drop_needle=True)
        return nodes.CallBlock(self.call_method(f"_{tag}", args), [], [], body).set_lineno(token.lineno)

    def _sentence(self, *flags: str, caller: Callable[[], str]) -> str:
        s = _scope.get()
        if s is None:  # outside a chapter render (e.g. a mail template): plain text
            return one_line(caller())
        frame = _Frame()
        text = _render(s, frame, caller, "sentence")
        lead = frame.periods[0] if frame.periods else None
        if text and lead is not None and "bare" not in flags and any(not same(p, lead) for p in frame.periods):
            odd = next(p for p in frame.periods if not same(p, lead))
            s.notes.append(f"dropped a sentence that states figures of {lead.code} and {odd.code} outside a "
                           "{% clause %}")
            return ""
        text = text.lstrip(_OPENING_PUNCT)  # the first part was a clause that dropped
        if not text:
            return ""
        if text[-1] not in _CLOSING:
            text += "。"
        if lead is not None and "bare" not in flags:
            text = f"{LABEL_OPEN}{s.label(lead)}{LABEL_CLOSE}，{text}"
        if "headline" in flags:
            s.headlines.append(finish(text))
        if s.frames:  # a sentence inside a sentence counts for the outer one too
            s.frames[-1].periods.extend(frame.periods)
            return text
        # Its own line (Jinja's trim_blocks ate the template's): a blank line after it still parts paragraphs.
        return text + "\n"

    def _clause(self, *, caller: Callable[[], str]) -> str:
        s = _scope.get()
        if s is None:
            return one_line(caller())
        parent = s.frames[-1] if s.frames else None
        frame = _Frame()
        text = _render(s, frame, caller, "clause")
        if not text or not frame.periods or parent is None:
            return text
        if not parent.periods:  # the clause holds the sentence's first figure: it leads
            parent.periods.extend(frame.periods)
            return text
        said = parent.said or parent.periods[0]  # the label in force at this point of the sentence
        own = next((p for p in frame.periods if not same(p, said)), None)
        if own is None:
            return text
        parent.said = own
        cut = len(text) - len(text.lstrip(_OPENING_PUNCT))
        return text[:cut] + s.label(own) + text[cut:]


def _render(s: Scope, frame: _Frame, caller: Callable[[], str], what: str) -> str:
    """The body on one line, with ``frame`` collecting its figures' periods; "" when a figure is missing."""
    s.frames.append(frame)
    try:
        return one_line(caller())
    except MissingFigureError as missing:
        s.notes.append(f"dropped a {what}: no figure {missing.short()}")
        return ""
    finally:
        s.frames.pop()


def finish(markdown: str) -> str:
    """Drop a lead label that repeats the previous sentence's in the same paragraph; remove the marks."""
    out = []
    for paragraph in re.split(r"(\n\s*\n)", markdown):
        previous = None

        def once(m: re.Match[str]) -> str:
            nonlocal previous
            label = m.group(1)
            if label == previous:
                return ""
            previous = label
            return m.group(0).replace(LABEL_OPEN, "").replace(LABEL_CLOSE, "")

        out.append(_LABELLED.sub(once, paragraph))
    return "".join(out)



_HEADING = re.compile(r"^(#{1,6})[ \t]")


def drop_empty_sections(markdown: str) -> str:
    """Remove each ``##`` (or deeper) section whose span holds no text, with its placements."""
    lines = markdown.split("\n")
    keep = [True] * len(lines)
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if not m or len(m.group(1)) < 2:
            continue
        end = next((j for j in range(i + 1, len(lines))
                    if (h := _HEADING.match(lines[j])) and len(h.group(1)) <= len(m.group(1))), len(lines))
        span = lines[i + 1:end]
        if not any(t.strip() and not _HEADING.match(t) and not PLACEMENT.match(t) for t in span):
            keep[i:end] = [False] * (end - i)
    return "\n".join(line for line, k in zip(lines, keep) if k)
