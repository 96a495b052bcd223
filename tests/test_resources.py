"""One rule for which file a project's templates/ name means: the project's, else the built-in one."""

from __future__ import annotations

from pathlib import Path

from jianbao.resources import BUILTIN, builtin_files, is_builtin, resolve, search_path


def test_a_project_file_beats_the_built_in_one_and_a_missing_one_falls_back(tmp_path: Path) -> None:
    own = tmp_path / "charts" / "nev_share.yaml"
    own.parent.mkdir()
    own.write_text("type: bar\n", encoding="utf-8")
    assert resolve(tmp_path, "charts", "nev_share.yaml") == own
    assert resolve(tmp_path, "charts", "telecom_users.yaml") == BUILTIN / "charts" / "telecom_users.yaml"
    assert resolve(tmp_path, "layout.md.j2") == BUILTIN / "templates" / "layout.md.j2"
    assert resolve(None, "theme.toml") == BUILTIN / "theme.toml"
    assert resolve(tmp_path, "reference.docx") is None  # no built-in counterpart


def test_search_path_lists_the_project_first(tmp_path: Path) -> None:
    assert search_path(tmp_path) == [tmp_path, BUILTIN / "templates"]
    assert search_path(None, "tables") == [BUILTIN / "tables"]


def test_every_built_in_file_is_named_as_a_project_would_override_it() -> None:
    files = builtin_files()
    assert {"layout.md.j2", "chapters/industry.md.j2", "charts/nev_share.yaml", "tables/key_indicators.yaml",
            "theme.toml"} <= set(files)
    assert all(resolve(None, *name.split("/")) == path and is_builtin(path) for name, path in files.items())
