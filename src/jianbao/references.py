"""How a digest's Markdown places a chart or table: ``![caption](chart:ID "required")`` on a line of its own.

The one definition of the id and the placement line: chart and table specs
check their ids against it, the narrative knows a placement from text by it,
and the document reader and the placement check find placements with it.
"""

from __future__ import annotations

import re

ID = r"[A-Za-z0-9_\-]+"  # letters, digits, _ and -
PLACEMENT = re.compile(rf'^[ \t]*!\[[^\]]*\]\((chart|table):({ID})(?:\s+"([^"]*)")?\)[ \t]*\n?', re.MULTILINE)
