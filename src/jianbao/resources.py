"""Where the built-in templates, chart specs, theme and sample data live, and which file wins.

They ship inside the package (``jianbao/builtin``) so that an installed wheel
can scaffold and build a digest outside this repository. A project's
``templates/`` folder mirrors them: a file there replaces the built-in file of
the same name. That rule is decided here, once: ``search_path`` and
``resolve`` are what every loader asks.
"""

from __future__ import annotations

from pathlib import Path

BUILTIN = Path(__file__).resolve().parent / "builtin"
# The built-in Jinja templates sit in builtin/templates; the spec folders and the theme
# of a project's templates/ have their built-in counterparts beside that folder instead.
_SPEC_FOLDERS = ("charts", "tables")
_THEME = "theme.toml"


def builtin_path(*parts: str) -> Path:
    return BUILTIN.joinpath(*parts)


def builtin_file(*parts: str) -> Path:
    """The built-in counterpart of a project's ``templates/<parts>`` (it may not exist)."""
    if parts and parts[0] in (*_SPEC_FOLDERS, _THEME):
        return BUILTIN.joinpath(*parts)
    return BUILTIN.joinpath("templates", *parts)


def builtin_files() -> dict[str, Path]:
    """Every built-in file a project may override, by its name relative to the project's templates/."""
    found: dict[str, Path] = {}
    for parts in ((), *((folder,) for folder in _SPEC_FOLDERS)):
        top = builtin_file(*parts)
        for path in sorted(top.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and "__pycache__" not in path.parts:
                found["/".join((*parts, path.relative_to(top).as_posix()))] = path
    found[_THEME] = builtin_file(_THEME)
    return found


def search_path(templates_dir: Path | None, *parts: str) -> list[Path]:
    """Where ``templates/<parts>`` may be, the winner first: the project's, then the built-in one."""
    builtin = builtin_file(*parts)
    return [templates_dir.joinpath(*parts), builtin] if templates_dir is not None else [builtin]


def resolve(templates_dir: Path | None, *parts: str) -> Path | None:
    """The file ``templates/<parts>`` stands for: the project's if it has one, else the built-in one, else None."""
    return next((path for path in search_path(templates_dir, *parts) if path.is_file()), None)


def is_builtin(path: Path | str) -> bool:
    """True for a file that ships with jianbao: the user changes it by overriding it, never in place."""
    return Path(path).is_relative_to(BUILTIN)
