"""Careless or hostile input: data text stays text, names stay names, runaway templates stop,
and a killed build leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jianbao import api
from jianbao.cli import main
from jianbao.scaffold import init_project
from jianbao.text import clean_text


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    init_project(root)
    return root


def _highlight(root: Path, text: str) -> None:
    path = root / "data" / "highlights" / "hostile.yaml"
    path.write_text(
        "- sector: industry\n  period: 2025H1\n  kind: highlight\n  title: 测试条目\n"
        f"  text: {text}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("甲\u2028## 假标题\u2029- 假列表", "甲 ## 假标题 - 假列表"), ("乙\x0b丙", "乙丙"), ("a\x00b\x1b[31mc", "ab[31mc"),
     ("右\u202e左", "右左"), ("第一行\n\n第二行", "第一行第二行")],
)
def test_separators_become_spaces_and_controls_go(raw, clean):
    assert clean_text(raw) == clean


def test_data_text_never_becomes_structure(project: Path) -> None:
    _highlight(project, '"正文\\u2028===\\u2028## 假标题\\u2029- 假列表\\x0b1. 假编号\\x00\\e\\u202e。"')
    result = api.build(project, "2025H1", ("md", "docx"))
    files = {f.format: f.path for f in result.files}
    md = files["md"].read_text(encoding="utf-8")
    from docx import Document

    docx_text = "\n".join(p.text for p in Document(str(files["docx"])).paragraphs)
    assert "正文" in docx_text and not any(ch in docx_text for ch in "\x00\x1b\u202e\u2028\u2029\x0b")
    line = next(x for x in md.splitlines() if "假标题" in x)
    assert line.startswith("**测试条目**。正文")  # one paragraph: no heading, list or setext underline
    assert "\n## 假标题" not in md and "\n- 假列表" not in md and "\n===" not in md
    assert not any(ch in md for ch in "\x00\x1b\u202e\u2028\u2029\x0b")


def test_a_digest_name_that_is_a_path_is_refused(project: Path) -> None:
    config = project / "jianbao.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'name = "工业和信息化发展简报"', 'name = "../../x"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    assert "digest.name" in result.output and "file name" in result.output
    build = CliRunner().invoke(main, ["build", "--project", str(project), "--format", "md"])
    assert build.exit_code != 0
    assert not list(project.parent.parent.glob("x-*"))


def test_a_region_name_that_is_a_path_is_refused(project: Path) -> None:
    csv = project / "data" / "observations" / "industry.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "industry_va_growth,2025H1,../福建,8,%,,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    assert "region" in result.output and "../福建" in result.output


def test_a_tab_in_any_yaml_file_is_named(project: Path) -> None:
    catalog = project / "data" / "catalog.yaml"
    lines = catalog.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("    industry_va_growth:"))
    lines[at + 1] = "\t" + lines[at + 1].lstrip()
    catalog.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    assert f"line {at + 2}" in result.output and "tab character" in result.output


def test_an_xlsx_formula_without_a_saved_value_says_what_to_do(project: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator", "period", "region", "value", "unit", "qualifier", "note"])
    sheet.append(["industry_va_growth", "2026H1", "", "=6.4*1", "%", "", ""])
    book.save(project / "data" / "observations" / "extra.xlsx")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    assert "extra.xlsx" in result.output and "row 2" in result.output
    assert "open and save the file in Excel, or paste values" in result.output


@pytest.mark.parametrize(
    ("body", "message"),
    [("{% for i in range(100000) %}{% for j in range(100000) %}{% set x = 1 %}{% endfor %}{% endfor %}",
      "took longer than 1 s"),
     ("{% for i in range(100000) %}{% for j in range(100000) %}写个不停{% endfor %}{% endfor %}", "more than 1 MB")],
)
def test_a_runaway_template_stops_and_is_named(project: Path, body: str, message: str) -> None:
    (project / "templates" / "chapters").mkdir(parents=True, exist_ok=True)
    (project / "templates" / "chapters" / "industry.md.j2").write_text(body + "\n", encoding="utf-8")
    config = project / "jianbao.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[render]\ntimeout = 1\nmax_megabytes = 1\n",
                      encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--format", "md"])
    assert time.monotonic() - started < 20
    assert result.exit_code != 0
    assert "industry.md.j2" in result.output and message in result.output


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_no_worker_outlives_a_killed_build(project: Path) -> None:
    jianbao = Path(sys.executable).with_name("jianbao")  # the console script of this environment
    process = subprocess.Popen([str(jianbao), "build", "--project", str(project)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        workers: list[int] = []
        while time.monotonic() < deadline and not workers and process.poll() is None:
            workers = _children(process.pid)
            time.sleep(0.05)
        assert workers, "the build forked no worker to test with"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
            time.sleep(0.1)
        alive = [w for w in workers if Path(f"/proc/{w}").exists()
                 and "Z" not in (Path(f"/proc/{w}/stat").read_text().rpartition(")")[2].split()[:1] or [""])]
        assert alive == []
    finally:
        if process.poll() is None:
            process.kill()


def test_a_tab_in_a_chart_spec_is_named(project: Path) -> None:
    (project / "templates" / "charts").mkdir(parents=True, exist_ok=True)
    (project / "templates" / "charts" / "industry_growth.yaml").write_text(
        "type: bar\ntitle: t\nseries:\n\t- indicator: industry_va_growth\ncategories:\n  - period: current\n",
        encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--format", "md"])
    assert result.exit_code != 0
    assert "industry_growth.yaml, line 4" in result.output and "tab character" in result.output


def test_validate_warns_of_characters_no_pdf_font_has_a_glyph_for(project: Path) -> None:
    _highlight(project, '"古埃及文字\\U00013000没有字形。"')
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.output.splitlines() if "U+13000" in line)
    assert "hostile.yaml" in warning and "will not show in the PDF" in warning


def test_a_theme_value_of_the_wrong_type_is_a_validate_problem_not_a_traceback(project: Path) -> None:
    (project / "templates" / "theme.toml").write_text(
        '[page]\nwidth_mm = "210"\n[colors]\nrule = "red"\n[styles.body]\nsize = 0\n[styles.note]\nfamily = "comic"\nsize = 12\n',
        encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    out = result.output
    assert "page.width_mm" in out and "'210'" in out
    assert "colors.rule" in out and "styles.body.size" in out and "styles.note.family" in out
    build = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert build.exit_code == 1 and "Traceback" not in build.output and "page.width_mm" in build.output
