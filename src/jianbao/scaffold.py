"""`jianbao init` and `jianbao templates`: new projects and template overrides.

A project's templates/ folder mirrors the built-in template folder: a file
there with the same relative name replaces the built-in one. Chart and table
specs and the theme are overridable the same way (charts/, tables/, theme.toml).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from jianbao.config import CONFIG_NAME
from jianbao.errors import JianbaoError
from jianbao.resources import builtin_files, builtin_path


class ScaffoldError(JianbaoError, ValueError):
    """init or templates copy cannot do what was asked (the message says why)."""


def list_templates(project_dir: Path) -> list[tuple[str, str]]:
    """(name, origin) for every template: "built-in", "project" (overrides) or "project+" (new)."""
    builtin = builtin_files()
    own = _project_files(project_dir / "templates")
    rows = [(name, "project" if name in own else "built-in") for name in builtin]
    rows += [(name, "project+") for name in own if name not in builtin]
    return sorted(rows)


def _project_files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "README.md" and not p.name.startswith(".")
    }


def copy_template(project_dir: Path, name: str) -> Path:
    builtin = builtin_files()
    if name not in builtin:
        raise ScaffoldError(f"no built-in template {name!r}; `jianbao templates` lists them")
    target = project_dir / "templates" / name
    if target.exists():
        raise ScaffoldError(f"{target} exists already: edit it there")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(builtin[name], target)
    return target


def init_project(directory: Path) -> Path:
    """A new project in ``directory``: config, the sample data, templates/ and reports/."""
    directory = directory.resolve()
    if (directory / CONFIG_NAME).exists():
        raise ScaffoldError(f"{directory / CONFIG_NAME} exists already: not overwriting a project")
    sample = builtin_path("sample")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample / CONFIG_NAME, directory / CONFIG_NAME)
    shutil.copytree(sample / "data", directory / "data", dirs_exist_ok=True)
    shutil.copytree(sample / "templates", directory / "templates", dirs_exist_ok=True)
    (directory / "reports").mkdir(exist_ok=True)
    return directory
