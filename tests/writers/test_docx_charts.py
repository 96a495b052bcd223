"""Native DOCX charts ([docx] charts = "native"): chart parts with their data in a workbook, that
LibreOffice draws; ``charts = "picture"`` gives the PNGs again.

The sample is built once and converted by LibreOffice once (module fixtures): a chart whose
category and value labels come out in the converted PDF's text was drawn from the chart part.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from lxml import etree
from openpyxl import load_workbook

from jianbao import api
from jianbao.ir import Chapter, Document, Figure, Heading, Metadata, NativeChart, NativeSeries
from jianbao.scaffold import init_project
from jianbao.theme import load_theme
from jianbao.writers.docx import render_docx
from jianbao.writers.docx_charts import chart_xml

NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
CHART_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
PACKAGE_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
SAMPLE_FIGURES = 11


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = init_project(tmp_path_factory.mktemp("native") / "digest")
    result = api.build(root, "2025H1", ("docx",))
    return next(f.path for f in result.files if f.format == "docx")


@pytest.fixture(scope="module")
def converted(built: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The squashed text of each page of the DOCX as LibreOffice prints it."""
    out = tmp_path_factory.mktemp("soffice")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{out / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(built)],
                   check=True, capture_output=True, timeout=240)
    pdf = out / built.with_suffix(".pdf").name
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(page.split()) for page in text.split("\f")]


def charts_of(word) -> list:
    """The chart parts in the body's order."""
    rels = word.part.rels
    ids = [c.get(f"{{{NS['r']}}}id") for c in word.element.body.iter(f"{{{NS['c']}}}chart")]
    return [rels[rid].target_part for rid in ids]


def workbook_of(part):
    (rel,) = [r for r in part.rels.values() if r.reltype == PACKAGE_RT]
    return load_workbook(io.BytesIO(rel.target_part.blob)).active


def expected_labels(xml: etree._Element) -> tuple[list[str], list[str]]:
    """Categories, and each value label as the chart prints it (its number format, or its own text)."""
    categories = [v.text for v in xml.find(".//c:cat//c:strCache", NS).iterfind("c:pt/c:v", NS)]
    values = []
    for ser in xml.iterfind(".//c:ser", NS):
        labels = ser.find("c:dLbls", NS)
        code = labels.find("c:numFmt", NS).get("formatCode").split('"')[0]
        decimals = len(code.partition(".")[2])
        own = {int(d.find("c:idx", NS).get("val")): "".join(t.text for t in d.iterfind(".//a:t", NS))
               for d in labels.iterfind("c:dLbl", NS)}
        for pt in ser.iterfind("c:val//c:pt", NS):
            k = int(pt.get("idx"))
            values.append(own.get(k) or f"{float(pt.find('c:v', NS).text):.{decimals}f}")
    return categories, values


def _shown(label: str, text: str) -> bool:
    """The label is in the text whole, or wrapped onto two lines (both halves there)."""
    label = "".join(label.split())
    return label in text or any(label[:k] in text and label[k:] in text for k in range(2, len(label) - 1))


def test_every_figure_is_a_chart_part_with_its_workbook(built: Path) -> None:
    word = docx.Document(str(built))
    parts = charts_of(word)
    assert len(parts) == SAMPLE_FIGURES
    assert not [r for r in word.part.rels.values() if r.reltype.endswith("/image")]
    assert len({p.partname for p in parts}) == SAMPLE_FIGURES
    kinds = set()
    for part in parts:
        assert part.content_type == "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
        xml = etree.fromstring(part.blob)
        kinds.update(etree.QName(g).localname for g in xml.find(".//c:plotArea", NS) if g.tag.endswith("Chart"))
        rid = xml.find("c:externalData", NS).get(f"{{{NS['r']}}}id")
        assert part.rels[rid].reltype == PACKAGE_RT
        sheet = workbook_of(part)
        categories = [v.text for v in xml.find(".//c:cat//c:strCache", NS).iterfind("c:pt/c:v", NS)]
        assert [sheet.cell(k + 2, 1).value for k in range(len(categories))] == categories
        for col, ser in enumerate(xml.iterfind(".//c:ser", NS), start=2):
            assert ser.find("c:tx//c:v", NS).text == sheet.cell(1, col).value
            ref = ser.find("c:val//c:f", NS).text
            letter = chr(ord("A") + col - 1)
            assert ref == f"Sheet1!${letter}$2:${letter}${len(categories) + 1}"
            cached = [float(v.text) for v in ser.iterfind("c:val//c:pt/c:v", NS)]
            assert [sheet.cell(k + 2, col).value for k in range(len(categories))] == pytest.approx(cached)
    assert kinds == {"barChart", "lineChart", "pieChart", "doughnutChart"}


def test_chart_text_is_in_the_theme_font_and_size(built: Path) -> None:
    part = charts_of(docx.Document(str(built)))[0]
    xml = etree.fromstring(part.blob)
    default = xml.find("c:txPr//a:defRPr", NS)
    assert default.get("sz") == "1050"  # [charts] font_size 10.5 pt
    assert default.find("a:ea", NS).get("typeface") == "黑体"
    colors = [c.get("val") for c in xml.iterfind(".//c:ser/c:spPr//a:srgbClr", NS)]
    assert colors[0] == "C00000"  # [colors] chart, first


def test_libreoffice_draws_every_chart(built: Path, converted: list[str]) -> None:
    word = docx.Document(str(built))
    captions = [p.text.split("　", 1)[1] for p in word.paragraphs if p.style.name == "Caption"
                and p.text.startswith("图")]
    assert len(captions) == SAMPLE_FIGURES
    for caption, part in zip(captions, charts_of(word)):
        pages = [t for t in converted if "".join(caption.split()) in t]
        assert pages, f"no page with {caption}"
        categories, values = expected_labels(etree.fromstring(part.blob))
        missing = [t for t in categories + values if not any(_shown(t, page) for page in pages)]
        assert not missing, f"{caption}: {missing}"


def test_published_texts_label_their_points(built: Path) -> None:
    """超过510 cannot come from a number format: the point carries its text."""
    texts = []
    for part in charts_of(docx.Document(str(built))):
        texts += [t.text for t in etree.fromstring(part.blob).iterfind(".//c:dLbl//a:t", NS)]
    assert {"超过510", "超过86", "近82"} <= set(texts)


def test_two_builds_give_the_same_bytes(built: Path, tmp_path: Path) -> None:
    """The workbooks are pinned too (openpyxl stamps the clock)."""
    again = tmp_path / "again"
    shutil.copytree(built.parents[2], again, ignore=shutil.ignore_patterns("reports"))
    result = api.build(again, "2025H1", ("docx",))
    assert result.files[0].path.read_bytes() == built.read_bytes()


def test_picture_in_the_theme_gives_pictures(tmp_path: Path) -> None:
    root = init_project(tmp_path / "digest")
    (root / "templates" / "theme.toml").write_text('[docx]\ncharts = "picture"\n', encoding="utf-8")
    path = api.build(root, "2025H1", ("docx",)).files[0].path
    word = docx.Document(str(path))
    assert not charts_of(word)
    assert len(word.inline_shapes) == SAMPLE_FIGURES
    assert len([r for r in word.part.rels.values() if r.reltype.endswith("/image")]) == SAMPLE_FIGURES


def test_a_bad_charts_value_is_a_theme_error(tmp_path: Path) -> None:
    override = tmp_path / "theme.toml"
    override.write_text('[docx]\ncharts = "svg"\n', encoding="utf-8")
    with pytest.raises(Exception, match="charts"):
        load_theme(override)


# -- every kind, from the tree (the sample has no line chart) ----------------------------------
def _chart(kind: str) -> NativeChart:
    series = [NativeSeries("产量", [1.5, 2.25, None], ["1.5", "2.3", ""], "left", "line" if kind == "line" else "bar")]
    if kind in ("bar_line", "stacked_bar", "line"):
        axis, typ = ("right", "line") if kind == "bar_line" else ("left", series[0].type)
        series.append(NativeSeries("增速", [10.0, -2.0, 3.5], ["10.0", "-2.0", "3.5"], axis, typ))
    return NativeChart(kind, ["甲", "乙", "丙"], series, "万辆", "%" if kind == "bar_line" else "",
                       stacked=kind == "stacked_bar", horizontal=kind == "barh")


@pytest.mark.parametrize("kind,groups", [
    ("bar", ["barChart"]), ("barh", ["barChart"]), ("line", ["lineChart"]), ("bar_line", ["barChart", "lineChart"]),
    ("stacked_bar", ["barChart"]), ("pie", ["pieChart"]), ("donut", ["doughnutChart"]),
])
def test_each_kind_has_its_plot_groups_and_axes(kind: str, groups: list[str]) -> None:
    xml = etree.fromstring(chart_xml(_chart(kind), load_theme(), "rId1"))
    plot = xml.find(".//c:plotArea", NS)
    assert [etree.QName(g).localname for g in plot if g.tag.endswith("Chart")] == groups
    axes = [etree.QName(a).localname for a in plot if a.tag.endswith("Ax")]
    if kind in ("pie", "donut"):
        assert axes == []
        assert (plot.find(".//c:holeSize", NS) is not None) == (kind == "donut")
    elif kind == "bar_line":
        assert axes == ["catAx", "valAx", "catAx", "valAx"]
        assert plot.findall("c:valAx", NS)[1].find("c:crosses", NS).get("val") == "max"
    else:
        assert axes == ["catAx", "valAx"]
    bar = plot.find("c:barChart", NS)
    if bar is not None:
        assert bar.find("c:barDir", NS).get("val") == ("bar" if kind == "barh" else "col")
        assert bar.find("c:grouping", NS).get("val") == ("stacked" if kind == "stacked_bar" else "clustered")
        assert (bar.find("c:overlap", NS) is not None) == (kind == "stacked_bar")
    # a missing value is left out of the cache (a gap), not drawn as 0
    first = xml.find(".//c:ser/c:val//c:numCache", NS)
    assert [p.get("idx") for p in first.iterfind("c:pt", NS)] == ["0", "1"]
    # 2.25 published as 2.3 by the format "0.0", no label of its own
    assert first.getparent().getparent().getparent().find("c:dLbls/c:numFmt", NS).get("formatCode").startswith("0.0")


def test_a_line_chart_renders_in_a_document(tmp_path: Path) -> None:
    png = tmp_path / "x.png"
    png.write_bytes(b"")  # never read: the chart is native
    figure = Figure(1, "产量", png, 150, 65, "来源", chart=_chart("line"))
    doc = Document(Metadata("t"), [Chapter(Heading(1, "章", "一、"), [figure], "s")])
    word = docx.Document(io.BytesIO(render_docx(doc, load_theme())))
    (part,) = charts_of(word)
    assert workbook_of(part)["A2"].value == "甲"
    assert workbook_of(part)["C4"].value == 3.5
