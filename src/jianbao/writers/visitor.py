"""The one traversal every writer shares: ``visit`` calls ``visit_<NodeType>``, or raises.

A writer subclasses ``Visitor`` and defines a method per node type of ``jianbao.ir``
(the coverage test checks that each writer has them all). A node without a
method, or a pending reference the transforms should have resolved, is an
``UnknownNodeError`` in every writer alike, never silently skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jianbao.ir import UnknownNodeError


class Visitor:
    """Dispatch on a node's exact type name; ``name`` says which writer refused a node."""

    name = "writer"

    def visit(self, node: Any) -> Any:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise UnknownNodeError(f"the {self.name} cannot render a {type(node).__name__} node")
        return method(node)

    def visit_all(self, nodes: Iterable[Any]) -> list[Any]:
        return [self.visit(node) for node in nodes]
