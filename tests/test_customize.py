"""Customization as a user does it: overrides, a new sector, reference.docx, theme, watch, wheel."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from docx.shared import RGBColor

from jianbao.build import build
from jianbao.errors import JianbaoError
from jianbao.scaffold import copy_template, init_project

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return init_project(tmp_path / "digest")


def _md(root: Path) -> str:
    result = build(root, None, ("md",))
    return result.files[0].path.read_text(encoding="utf-8")


def _chapters(markdown: str) -> dict[str, str]:
    parts = markdown.split("\n# ")[1:]
    return {p.split("\n", 1)[0]: p for p in parts}


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_overriding_one_chapter_changes_that_chapter_only(project: Path) -> None:
    before = _chapters(_md(project))
    _write(
        project / "templates" / "chapters" / "sme.md.j2",
        "{% set headline %}中小企业服务成效明显。{% endset %}\n"
        "本章由项目模板改写：累计服务中小企业{{ fig('smes_served') | level }}。\n",
    )
    after = _chapters(_md(project))
    assert list(after) == list(before)
    changed = [title for title in before if before[title] != after[title]]
    assert changed == ["中小企业"]
    assert "本章由项目模板改写：累计服务中小企业超过360万家。" in after["中小企业"]


def test_extending_the_builtin_layout_changes_one_block(project: Path) -> None:
    _write(
        project / "templates" / "layout.md.j2",
        '{% extends "!layout.md.j2" %}\n'
        "{% block key_points %}# 本期要点\n\n- 本期共{{ chapters | length }}个章节。\n{% endblock %}\n",
    )
    markdown = _md(project)
    assert "- 本期共7个章节。" in markdown
    assert "\n# 工业经济总体运行\n" in markdown


def _add_energy_sector(root: Path) -> None:
    catalog = root / "data" / "catalog.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8")
        + "\nenergy:\n  name: 新型储能\n  indicators:\n"
        "    storage_capacity:\n      name: 新型储能装机规模\n      unit: 万千瓦\n      kind: level\n"
        "      decimals: 0\n      source: 国家能源局\n"
        "    storage_capacity_growth:\n      name: 新型储能装机规模增速\n      unit: \"%\"\n      kind: growth\n"
        "      decimals: 1\n      source: 国家能源局\n",
        encoding="utf-8",
    )
    _write(
        root / "data" / "observations" / "energy.csv",
        "indicator,period,region,value,unit,qualifier,note\n"
        "storage_capacity,2025H1,,9491,万千瓦,,示例数据\n"
        "storage_capacity,2024H1,,4444,万千瓦,,示例数据\n"
        "storage_capacity_growth,2025H1,,113.6,%,,示例数据\n",
    )
    _write(
        root / "templates" / "chapters" / "energy.md.j2",
        "{% sentence headline %}新型储能装机规模达到{{ fig('storage_capacity') }}{% clause %}，"
        "同比{{ fig('storage_capacity_growth')|growth }}{% endclause %}{% endsentence %}\n\n![](chart:energy_storage)\n",
    )
    _write(
        root / "templates" / "charts" / "energy_storage.yaml",
        "title: 新型储能装机规模\ntype: bar\nseries:\n  - indicator: storage_capacity\n"
        "categories:\n  - {period: year_ago}\n  - {period: current}\n",
    )
    config = root / "jianbao.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("[closing]", '[[chapters]]\nsector = "energy"\n\n[closing]')
    config.write_text(text, encoding="utf-8")


def test_a_new_sector_by_config_catalog_data_and_template_is_a_new_chapter(project: Path) -> None:
    _add_energy_sector(project)
    result = build(project, None, ("docx", "pdf"))
    pdf = next(f.path for f in result.files if f.format == "pdf")
    text = _pdf_text(pdf)
    assert "八、新型储能" in text
    assert "新型储能装机规模达到9491万千瓦，同比增长113.6%" in text
    assert "新型储能装机规模" in text  # the chart's caption
    docx = DocxDocument(str(next(f.path for f in result.files if f.format == "docx")))
    headings = [p.text for p in docx.paragraphs if p.style.name == "Heading 1"]
    assert "八、新型储能" in headings
    captions = [p.text for p in docx.paragraphs if "新型储能装机规模" in p.text and p.text.startswith("图")]
    assert captions


def test_reference_docx_gives_its_heading_style(project: Path) -> None:
    reference = DocxDocument()
    heading = reference.styles["Heading 1"]
    heading.font.color.rgb = RGBColor(0x00, 0x66, 0x33)
    heading.font.size = 228600  # 18 pt in EMU
    reference.save(str(project / "templates" / "reference.docx"))
    result = build(project, None, ("docx",))
    out = DocxDocument(str(result.files[0].path))
    style = out.styles["Heading 1"]
    assert style.font.color.rgb == RGBColor(0x00, 0x66, 0x33)
    assert style.font.size.pt == 18


def _masthead_pixels(pdf: Path, tmp: Path, rgb: tuple[int, int, int]) -> int:
    import numpy
    from PIL import Image

    tmp.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp / "page")], check=True)
    image = numpy.asarray(Image.open(next(tmp.glob("page*.png"))).convert("RGB"), dtype=int)
    top = image[: image.shape[0] // 4]
    return int((numpy.abs(top - numpy.array(rgb)).max(axis=2) < 40).sum())


def test_theme_colour_shows_in_the_pdf_masthead(project: Path, tmp_path: Path) -> None:
    default = build(project, None, ("pdf",)).files[0].path
    assert _masthead_pixels(default, tmp_path / "a", (0xC0, 0x00, 0x00)) > 50
    _write(project / "templates" / "theme.toml", '[colors]\nmasthead = "#1F3FBF"\nrule = "#1F3FBF"\n')
    blue = build(project, None, ("pdf",)).files[0].path
    assert _masthead_pixels(blue, tmp_path / "b", (0x1F, 0x3F, 0xBF)) > 50
    assert _masthead_pixels(blue, tmp_path / "b", (0xC0, 0x00, 0x00)) == 0


@pytest.mark.parametrize(
    "source, expected",
    [
        ("{% set headline %}x{% endset %}\n第二行\n{% if %}\n", "line 3"),
        ("{% set headline %}x{% endset %}\n\n{{ fig('no_such_indicator') | growth }}\n", "no_such_indicator"),
        ("{% set headline %}x{% endset %}\n\n\n![](chart:no_such_chart)\n", "line 4"),
    ],
)
def test_template_mistakes_name_the_project_file_and_line(project: Path, source: str, expected: str) -> None:
    path = project / "templates" / "chapters" / "industry.md.j2"
    _write(path, source)
    with pytest.raises(JianbaoError) as info:
        build(project, None, ("docx",))
    message = str(info.value)
    assert str(path) in message
    assert expected in message


def test_a_sector_without_template_names_sector_and_expected_path(project: Path) -> None:
    _add_energy_sector(project)
    (project / "templates" / "chapters" / "energy.md.j2").unlink()
    with pytest.raises(JianbaoError) as info:
        build(project, None, ("md",))
    message = str(info.value)
    assert "'energy'" in message and str(project / "templates" / "chapters" / "energy.md.j2") in message


def test_watch_rebuilds_after_a_template_edit(project: Path) -> None:
    chapter = copy_template(project, "chapters/green.md.j2")  # as a user starts: copy, then edit
    jianbao = Path(sys.executable).with_name("jianbao")
    proc = subprocess.Popen(
        [str(jianbao), "build", "--watch", "--format", "md", "--project", str(project)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        _wait_for(lines, "watching")
        chapter.write_text(
            "{% set headline %}绿色转型稳步推进。{% endset %}\n监视模式下改写的绿色化转型章节。\n", encoding="utf-8"
        )
        _wait_for(lines, "rebuilt")
        md = next((project / "reports" / "2025H1").glob("*.md")).read_text(encoding="utf-8")
        assert "监视模式下改写的绿色化转型章节。" in md
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for(lines: queue.Queue[str], word: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    seen = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        seen.append(line)
        if word in line:
            return
    raise AssertionError(f"no {word!r} from --watch within {seconds} s; it printed: {''.join(seen)}")


def test_init_and_build_from_the_installed_wheel(tmp_path: Path) -> None:
    """The wheel carries the built-in templates, chart specs, theme and sample data."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)], check=True)
    wheel = next(dist.glob("jianbao-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", str(wheel)], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([str(venv / "bin" / "jianbao"), "init", "digest"], cwd=work, check=True, env=env)
    built = subprocess.run(
        [str(venv / "bin" / "jianbao"), "build"], cwd=work / "digest", check=True, env=env,
        capture_output=True, text=True,
    )
    outputs = sorted(p.suffix for p in (work / "digest" / "reports" / "2025H1").iterdir())
    assert outputs == [".docx", ".json", ".pdf"], built.stdout
    assert "pages" in built.stdout
