"""One root for the user's errors, and one text for them from the CLI and from the API."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import jianbao
from jianbao import api
from jianbao.cli import main
from jianbao.config import ConfigError
from jianbao.errors import JianbaoError, format_error
from jianbao.scaffold import init_project

# Control flow inside one stage: caught there, never shown to the user.
# UnknownNodeError is a writer meeting a node it lacks: a bug in jianbao, not in the input.
INTERNAL = {"ClaimLost", "DeliveryError", "_Refused", "_WorkbookError", "UnknownNodeError"}


def _jianbao_exceptions() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(jianbao.__path__, "jianbao."):
        module = importlib.import_module(info.name)
        found += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                  if issubclass(obj, BaseException) and obj.__module__ == module.__name__]
    return found


def test_every_error_of_jianbao_is_a_jianbao_error_but_internal_control_flow() -> None:
    exceptions = _jianbao_exceptions()
    assert len(exceptions) > 10
    stray = [f"{e.__module__}.{e.__qualname__}" for e in exceptions
             if not issubclass(e, JianbaoError) and e.__name__ not in INTERNAL]
    assert stray == []


def test_format_error_says_where_first_and_indents_the_details() -> None:
    assert format_error(ConfigError("a.toml: 2 problem(s)\n  x: bad\nnot indented")) == (
        "error: a.toml: 2 problem(s)\n  x: bad\n  not indented")
    assert format_error(ConfigError("")) == "error: ConfigError"


@pytest.mark.parametrize("config", [
    '[digest]\nfirst_issue = 0\nnumbering = "weekly"\n\n[[chapters]]\nsector = "industry"\nextra = 1\n',
    "chapters = [\n",
    None,
])
def test_the_cli_prints_what_format_error_gives_the_api(tmp_path: Path, config: str | None) -> None:
    project = init_project(tmp_path / "p")
    if config is None:
        (project / "jianbao.toml").unlink()
    else:
        (project / "jianbao.toml").write_text(config, encoding="utf-8")
    with pytest.raises(JianbaoError) as info:
        api.build(project, None, ("md",))
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--format", "md"])
    assert result.exit_code == 1
    assert result.output == format_error(info.value) + "\n"
    assert result.output.startswith(f"error: {project / 'jianbao.toml'}: ")
