"""Where the built-in templates, chart specs, theme and sample data live.

They ship inside the package (``jianbao/builtin``) so that an installed wheel
can scaffold and build a digest outside this repository.
"""

from __future__ import annotations

from pathlib import Path

BUILTIN = Path(__file__).resolve().parent / "builtin"


def builtin_path(*parts: str) -> Path:
    return BUILTIN.joinpath(*parts)
