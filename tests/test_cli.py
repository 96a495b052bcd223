"""The command line as a user runs it: exit codes and what it prints."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from jianbao.cli import main


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_validate_sample_exits_0_with_a_summary(tmp_path: Path) -> None:
    project = tmp_path / "p"
    assert _run("init", str(project)).exit_code == 0
    result = _run("validate", "--project", str(project))
    assert result.exit_code == 0
    assert result.output.startswith("ok: 7 sectors, ")


def test_validate_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    project = tmp_path / "p"
    _run("init", str(project))
    csv = project / "data" / "observations" / "industry.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines.append("no_such_indicator,2025H1,,1.0,%,,")
    lines.append("industry_va_growth,2025H9,福州,abc,%,,")
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    text = result.output
    assert "no_such_indicator" in text
    assert "2025H9" in text and "'abc'" in text
    assert f"row {len(lines) - 1}" in text and f"row {len(lines)}" in text


def test_init_refuses_an_existing_project(tmp_path: Path) -> None:
    _run("init", str(tmp_path))
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "exists already" in result.output


def test_templates_lists_origin_and_copy_makes_an_override(tmp_path: Path) -> None:
    _run("init", str(tmp_path))
    listing = _run("templates", "--project", str(tmp_path)).output
    assert "built-in  chapters/industry.md.j2" in listing
    assert "built-in  theme.toml" in listing
    copied = _run("templates", "--project", str(tmp_path), "copy", "chapters/industry.md.j2")
    assert copied.exit_code == 0
    assert (tmp_path / "templates" / "chapters" / "industry.md.j2").is_file()
    assert "project   chapters/industry.md.j2" in _run("templates", "--project", str(tmp_path)).output


def test_unknown_period_code_is_a_clear_error(tmp_path: Path) -> None:
    _run("init", str(tmp_path))
    result = CliRunner().invoke(main, ["build", "--project", str(tmp_path), "--period", "2025X1"])
    assert result.exit_code == 1
    assert "2025X1" in result.output and "Traceback" not in result.output


def test_send_before_build_says_to_build(tmp_path: Path) -> None:
    _run("init", str(tmp_path))
    result = CliRunner().invoke(main, ["send", "--project", str(tmp_path), "--dry-run"])
    assert result.exit_code == 1
    assert "jianbao build" in result.output
