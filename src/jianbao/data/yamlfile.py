"""YAML that remembers where things are, so problems can name the line.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`, each
knowing its own line and the line of every key or item. Dates stay text (a
period such as ``2025-06-30`` must not become a ``datetime.date``), and a key
written twice is a problem rather than silently overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from jianbao.data.problems import ProblemLog, read_utf8, shown
from jianbao.text import clean_text, first_tab_line

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class LineDict(dict):
    """A YAML mapping; ``line`` is where it starts, ``lines[key]`` where each key is."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A YAML sequence; ``line`` is where it starts, ``lines[i]`` where item i is."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []


class _Loader(_Base):  # type: ignore[misc, valid-type]
    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, Any, int]] = []  # (line, key, first line)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "found a key that is not text", key_node.start_mark)
        if key in result:
            loader.duplicates.append((line, key, result.lines[key]))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList()
    result.line = node.start_mark.line + 1
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.lines.append(item.start_mark.line + 1)
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_yaml(path: Path, log: ProblemLog) -> tuple[bool, Any]:
    """(ok, document); a syntax error or duplicate key is logged with its line."""
    text = read_utf8(path, log)
    if text is None:
        return False, None
    loader = _Loader(text)
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        what = ": ".join(filter(None, [getattr(exc, "context", None), getattr(exc, "problem", None)]))
        where = f"line {mark.line + 1}" if mark is not None else ""
        tab = first_tab_line(text)
        if tab is not None and (mark is None or mark.line + 1 >= tab):
            log.at_line(tab, "", "expected spaces, found a tab character: YAML indents with spaces only "
                                 "(set your editor to insert spaces)")
            return False, None
        if "cannot start any token" in what:
            what += "; text that starts with %, @ or ` must be quoted, as in unit: \"%\""
        log.add(where, "", f"expected valid YAML, found a syntax error ({what or exc})")
        return False, None
    finally:
        loader.dispose()
    for line, key, first in loader.duplicates:
        log.at_line(line, str(key), f"expected each key once, found it again (first at line {first})")
    return True, document


def check_keys(node: LineDict, log: ProblemLog, prefix: str, required: tuple[str, ...],
               optional: tuple[str, ...] = ()) -> None:
    """Log missing required keys (at the mapping's line) and unknown keys (at theirs)."""
    for key in required:
        if key not in node:
            log.at_line(node.line, prefix + key, "expected this field, found nothing")
    allowed = required + optional
    for key in node:
        if key not in allowed:
            log.at_line(node.line_of(key), prefix + str(key),
                        f"expected one of the fields {', '.join(allowed)}, found an unknown field")


def text(node: LineDict, key: str, log: ProblemLog, field: str, required: bool = True) -> str:
    """A text field; whole numbers are taken as text (title: 618), anything else is logged."""
    value = node.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and clean_text(value):
        return clean_text(value)
    if value is None or value == "":
        if required and key in node:
            log.at_line(node.line_of(key), field, "expected text, found nothing")
        return ""
    log.at_line(node.line_of(key), field, f"expected text, found {shown(value)}")
    return ""
