"""Imports point one way: no package or top-level module of jianbao imports another in a cycle.

The graph is read from the source (every ``import``/``from … import``, also those
inside functions), at the level of jianbao's subpackages and top-level modules.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def unit(module: str) -> str:
    """jianbao.writers.pdf → jianbao.writers; jianbao.ir → jianbao.ir; jianbao → jianbao."""
    return ".".join(module.split(".")[:2])


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in (SRC / "jianbao").rglob("*.py"):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module] if node.module != "jianbao" else [f"jianbao.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] == "jianbao" and unit(target) != unit(module):
                    graph[unit(module)].add(unit(target))
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as a path (first node repeated at the end), or []."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_no_package_imports_another_in_a_cycle():
    cycle = find_cycle(import_graph())
    assert not cycle, " → ".join(cycle)


def test_the_tree_is_at_the_bottom_and_writers_see_only_the_tree_theme_and_text_rules():
    graph = import_graph()
    assert graph.get("jianbao.ir", set()) == set()
    assert graph["jianbao.writers"] <= {"jianbao.ir", "jianbao.cjk", "jianbao.theme", "jianbao.errors"}


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []
