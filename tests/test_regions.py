"""`build --region`: a region's digest states that region's figures under its own name, and keeps
national figures reachable for comparison; bad regions are clear errors."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jianbao import api
from jianbao.regions import RegionError

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
from regional import NAME, TABLE, write_regional_project  # noqa: E402


@pytest.fixture(scope="module")
def regional(tmp_path_factory) -> Path:
    return write_regional_project(tmp_path_factory.mktemp("regional") / "digest")


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def provincial(root: Path, indicator: str, region: str) -> str:
    with (root / "data" / "observations" / TABLE).open(encoding="utf-8") as fh:
        return next(r["value"] for r in csv.DictReader(fh)
                    if r["indicator"] == indicator and r["region"] == region and r["period"] == "2025H1")


def test_a_regions_digest_states_its_figures_under_its_name(regional):
    result = api.build(regional, "2025H1", ("pdf", "md"), region="湖北")
    folder = regional / "reports" / "2025H1-湖北"
    assert {f.path.parent for f in result.files} == {folder}
    assert all(f.path.name.startswith(f"湖北{NAME}-2025H1.") for f in result.files)
    text = pdf_text(folder / f"湖北{NAME}-2025H1.pdf")
    assert f"湖北{NAME}" in text  # the masthead
    growth = provincial(regional, "equipment_va_growth", "湖北")
    assert f"装备制造业增加值同比增长{growth}%" in text


def test_national_figures_stay_reachable_in_a_regions_template(regional):
    chapter = regional / "templates" / "chapters" / "industry.md.j2"
    chapter.parent.mkdir(parents=True, exist_ok=True)
    chapter.write_text(
        '{% sentence headline %}规上工业增加值同比{{ fig("industry_va_growth")|growth }}，'
        '{{ fig("industry_va_growth")|compare(fig("industry_va_growth", region="全国"), "全国平均水平") }}'
        '{% endsentence %}\n', encoding="utf-8")
    try:
        result = api.build(regional, "2025H1", ("md",), region="广东")
        text = result.files[0].path.read_text(encoding="utf-8")
    finally:
        chapter.unlink()
    own = provincial(regional, "industry_va_growth", "广东")
    assert re.search(rf"规上工业增加值同比增长{re.escape(own)}%，[高低]于全国平均水平[\d.]+个百分点|与全国平均水平持平", text), text


def test_an_unknown_region_names_the_regions_with_data(regional):
    with pytest.raises(RegionError) as caught:
        api.build(regional, "2025H1", ("md",), region="火星")
    message = api.format_error(caught.value)
    assert "火星" in message and "regions with data" in message and "河南" in message
    with pytest.raises(RegionError, match="without / or"):
        api.build(regional, "2025H1", ("md",), region="../河南")
