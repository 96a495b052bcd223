"""Chart text as the reader sees it: at least [charts] font_size (五号, 10.5 pt) on paper.

A chart is a PNG drawn at its spec's size, then printed at the size each writer gives it:
``lay_out`` caps it to the text block, and the PDF may shrink a float down to ``[blocks]
figure_min_scale`` to keep it on its page. So what a reader sees is measured from the
built files: the drawn font size (from the painted figure whose pixels are the ones
embedded) × printed width / drawn width, where the drawn width is the PNG's pixels at its
dpi and the printed width is the picture's placement matrix on the PDF page (through the
form XObject it is drawn in) or its extent in EMU in the DOCX.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import shutil
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from matplotlib.text import Text
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from jianbao import api
from jianbao.charts import chart_data, chart_style, load_chart_specs
from jianbao.charts.draw import painted
from jianbao.data import load_dataset
from jianbao.periods import parse_period
from jianbao.project import open_project
from jianbao.resources import builtin_path
from jianbao.scaffold import init_project
from jianbao.theme import load_theme
from jianbao.theme_schema import theme_problems

FONT_SIZE = 10.5  # 五号: the built-in theme's [charts] font_size
EMU_PER_PT = 12700
PERIODS = Path(__file__).resolve().parents[1] / "fixtures" / "periods"
MANY_FIGURES = "ytd_sep"  # the period case with the most charts (7)
NS = {
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


@dataclass(frozen=True)
class Drawn:
    """One chart as drawn: its PNG, the pixels, the smallest text in it (pt at drawn size), and
    what a reader could not read (text cut off at the edge, or overlapping other text)."""

    chart_id: str
    png_sha: str
    pixels_sha: str
    width_px: int
    dpi: float
    smallest_pt: float
    unreadable: tuple[str, ...]

    @property
    def width_pt(self) -> float:
        return self.width_px / self.dpi * 72


@dataclass(frozen=True)
class Printed:
    """One chart picture in a built document, and the size its smallest text prints at."""

    chart: Drawn
    where: str
    width_pt: float

    @property
    def scale(self) -> float:
        return self.width_pt / self.chart.width_pt

    @property
    def text_pt(self) -> float:
        return self.chart.smallest_pt * self.scale


@dataclass
class Built:
    charts: dict[str, Drawn]
    pdf: list[Printed]
    docx: list[Printed]
    figures_mm: dict[str, float]  # chart id → the laid-out width (what the DOCX prints)


# ---- measuring ------------------------------------------------------------------------------


def drawn_charts(root: Path, period: str) -> dict[str, Drawn]:
    """Every chart the build drew (the project's chart cache), painted again to read its text sizes.

    The repaint must give the cached pixels, so the sizes read are those of the picture embedded.
    """
    project = open_project(root)
    dataset = load_dataset(project.data_dir)
    style = chart_style(load_theme(project.templates_dir / "theme.toml", project.config.digest.font_profile))
    specs = load_chart_specs(project.templates_dir)
    out: dict[str, Drawn] = {}
    for path in sorted((project.cache_dir / "charts").glob("*.png")):
        chart_id = path.stem.rpartition("-")[0]
        data = chart_data(specs[chart_id], dataset, parse_period(period), project.config.periods.policy())
        png = path.read_bytes()
        image = Image.open(io.BytesIO(png))
        pixels = image.convert("RGB").tobytes()
        with painted(data, style) as fig:
            canvas = fig.canvas
            canvas.draw()
            repaint = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
            assert repaint.convert("RGB").tobytes() == pixels, f"{chart_id}: the repaint is not the picture built"
            texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
            unreadable = _unreadable(fig, texts)
        out[chart_id] = Drawn(chart_id, _sha(png), _sha(pixels), image.width, float(image.info["dpi"][0]),
                              min(t.get_fontsize() for t in texts), tuple(unreadable))
    return out


def _unreadable(fig, texts: list[Text]) -> list[str]:
    """Texts not wholly inside the picture, and pairs of texts that overlap (as test_chart_draw checks)."""
    frame, out, boxes = fig.bbox, [], []
    for t in texts:
        box = t.get_window_extent()
        if not (frame.x0 - 0.5 <= box.x0 and box.x1 <= frame.x1 + 0.5
                and frame.y0 - 0.5 <= box.y0 and box.y1 <= frame.y1 + 0.5):
            out.append(f"{t.get_text()!r} cut off")
        boxes.append((t.get_text(), box.shrunk(0.98, 0.9)))
    for i, (a, box_a) in enumerate(boxes):
        out += [f"{a!r} overlaps {b!r}" for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]
    return out


def pdf_pictures(path: Path, charts: dict[str, Drawn]) -> list[Printed]:
    """Each image drawn on a page, by the current transformation matrix where it is painted."""
    reader = PdfReader(path)
    by_pixels = {c.pixels_sha: c for c in charts.values()}
    out: list[Printed] = []

    def walk(stream, resources, ctm: list[float], page: int) -> None:
        saved: list[list[float]] = []
        xobjects = (resources or {}).get("/XObject", {})
        for operands, op in ContentStream(stream, reader).operations:
            if op == b"q":
                saved.append(ctm)
            elif op == b"Q":
                ctm = saved.pop()
            elif op == b"cm":
                ctm = _times([float(x) for x in operands], ctm)
            elif op == b"Do":
                xobject = xobjects[operands[0]].get_object()
                if xobject["/Subtype"] == "/Form":
                    matrix = [float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                    walk(xobject, xobject.get("/Resources"), _times(matrix, ctm), page)
                elif xobject["/Subtype"] == "/Image":
                    chart = by_pixels[_sha(xobject.get_data())]
                    assert int(xobject["/Width"]) == chart.width_px
                    # an unrotated picture: the matrix's x scale is its printed width
                    assert abs(ctm[1]) < 1e-9 and abs(ctm[2]) < 1e-9
                    out.append(Printed(chart, f"PDF page {page}", ctm[0]))

    for number, page in enumerate(reader.pages, 1):
        if "/XObject" in page["/Resources"]:  # parsing a page of text only is slow and finds nothing
            walk(page.get_contents(), page["/Resources"], [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], number)
    return out


def docx_pictures(path: Path, charts: dict[str, Drawn]) -> list[Printed]:
    """Each picture of the body, by its extent (EMU)."""
    by_png = {c.png_sha: c for c in charts.values()}
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        rels = etree.fromstring(package.read("word/_rels/document.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        out = []
        for drawing in body.iter(f"{{{NS['wp']}}}inline", f"{{{NS['wp']}}}anchor"):
            blip = drawing.find(".//a:blip", NS)
            png = package.read("word/" + targets[blip.get(f"{{{NS['r']}}}embed")])
            extent = drawing.find("wp:extent", NS)
            out.append(Printed(by_png[_sha(png)], "DOCX", int(extent.get("cx")) / EMU_PER_PT))
    return out


def _times(m: list[float], n: list[float]) -> list[float]:
    """The PDF matrix product m × n (m applied first)."""
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
            m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
            m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(root: Path, period: str | None = None) -> Built:
    # the DOCX's charts as pictures: their print size is what is measured (native charts are
    # drawn by the reader's program at [charts] font_size, tests/writers/test_docx_charts.py)
    theme = root / "templates" / "theme.toml"
    existing = theme.read_text(encoding="utf-8") if theme.is_file() else ""
    theme.write_text(existing + '\n[docx]\ncharts = "picture"\n', encoding="utf-8")
    result = api.build(root, period, formats=("docx", "pdf"))
    files = {f.path.suffix: f.path for f in result.files}
    charts = drawn_charts(root, result.period.code)
    docx = docx_pictures(files[".docx"], charts)
    return Built(charts, pdf_pictures(files[".pdf"], charts), docx,
                 {p.chart.chart_id: p.width_pt * 25.4 / 72 for p in docx})


# ---- the digests ----------------------------------------------------------------------------


def sample_project(root: Path) -> Path:
    init_project(root)
    return root


def shrinking_project(root: Path) -> Path:
    """The sample under a theme whose PDF may shrink figures to 0.8, with one chart drawn wider
    (170 mm) than the text block (156 mm), so the layout caps it."""
    init_project(root)
    (root / "templates" / "theme.toml").write_text("[blocks]\nfigure_min_scale = 0.8\n", encoding="utf-8")
    spec = builtin_path("charts", "industry_growth.yaml").read_text(encoding="utf-8")
    (root / "templates" / "charts").mkdir(exist_ok=True)
    (root / "templates" / "charts" / "industry_growth.yaml").write_text(spec + "width_mm: 170\n", encoding="utf-8")
    return root


def period_project(root: Path, case: str) -> tuple[Path, str]:
    """The sample with a period case of tests/fixtures/periods laid over it (as test_period_digests does)."""
    init_project(root)
    folder = PERIODS / case
    period = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))["period"]
    shutil.copyfile(folder / "observations.csv", root / "data" / "observations" / f"synthetic_{case}.csv")
    if (folder / "highlights.yaml").is_file():
        shutil.copyfile(folder / "highlights.yaml", root / "data" / "highlights" / f"synthetic_{case}.yaml")
    config = root / "jianbao.toml"
    config.write_text(re.sub(r"(?m)^first_period\s*=.*$", f'first_period = "{period}"',
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    return root, period


@pytest.fixture(scope="module")
def digests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    base = tmp_path_factory.mktemp("print_size")
    root, period = period_project(base / MANY_FIGURES, MANY_FIGURES)
    return {
        "sample": build(sample_project(base / "sample")),
        "shrinking": build(shrinking_project(base / "shrinking")),
        MANY_FIGURES: build(root, period),
    }


# ---- what the reader sees -------------------------------------------------------------------


@pytest.mark.parametrize("digest", ["sample", "shrinking", MANY_FIGURES])
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_every_chart_text_prints_at_five_hao_or_larger(digests, digest, fmt):
    built = digests[digest]
    printed: list[Printed] = getattr(built, fmt)
    assert sorted(p.chart.chart_id for p in printed) == sorted(built.charts)  # every chart, once
    small = [f"{p.chart.chart_id} ({p.where}): {p.text_pt:.2f} pt" for p in printed
             if p.text_pt < FONT_SIZE - 1e-6]
    assert not small, f"chart text printed below {FONT_SIZE} pt: {small}"


@pytest.mark.parametrize("digest", ["sample", "shrinking", MANY_FIGURES])
def test_the_larger_text_still_fits_every_chart_of_the_digest(digests, digest):
    """No label cut off or overlapping another, with this digest's data and text size (13.1 pt
    drawn under the shrinking theme)."""
    unreadable = {c.chart_id: c.unreadable for c in digests[digest].charts.values() if c.unreadable}
    assert not unreadable


def test_the_sample_has_every_builtin_chart_and_a_fixture_many(digests):
    assert sorted(digests["sample"].charts) == sorted(load_chart_specs(None))
    assert len(digests[MANY_FIGURES].charts) >= 7


def test_the_shrinking_theme_does_shrink_and_cap_so_the_rule_is_exercised(digests):
    built = digests["shrinking"]
    assert built.figures_mm["industry_growth"] == pytest.approx(156)  # capped to the text block
    laid_out = {p.chart.chart_id: p.width_pt for p in built.docx}
    shrunk = [p for p in built.pdf if p.width_pt < laid_out[p.chart.chart_id] - 0.01]
    assert shrunk, "no figure of this digest shrinks in the PDF: the test no longer covers the PDF's scaling"
    for p in shrunk:
        assert p.width_pt >= 0.8 * laid_out[p.chart.chart_id] - 1e-6, f"{p.chart.chart_id} shrunk below 0.8"


def test_at_the_default_theme_chart_text_prints_at_exactly_five_hao(digests):
    """figure_min_scale = 1: no PDF shrink, so charts draw at 10.5 pt and print the same in both formats."""
    built = digests["sample"]
    for p in [*built.pdf, *built.docx]:
        assert p.text_pt == pytest.approx(FONT_SIZE, abs=0.01), f"{p.chart.chart_id} ({p.where})"


def test_compact_charts_take_at_most_a_third_of_the_text_block():
    """65 mm by default (60 for two bars): with its caption, about a third of the page."""
    theme = load_theme()
    page = theme.page
    text_h = page["height_mm"] - page["margin_top_mm"] - page["margin_bottom_mm"]
    specs = load_chart_specs(None)
    heights = {spec.height_mm for spec in specs.values()}
    assert max(heights) <= text_h / 3, heights


# ---- the rule and its key -------------------------------------------------------------------


def test_text_is_drawn_for_the_smallest_scale_the_layout_and_the_pdf_allow(tmp_path):
    override = tmp_path / "theme.toml"
    override.write_text("[charts]\nfont_size = 12.0\n[blocks]\nfigure_min_scale = 0.8\n", encoding="utf-8")
    style = chart_style(load_theme(override))
    sample = load_dataset(builtin_path("sample", "data"))
    spec = load_chart_specs(None)["industry_growth"].model_copy(update={"width_mm": 170.0})
    data = chart_data(spec, sample, parse_period("2025H1"))
    fit = 156 / 170  # capped to the text block's width
    assert style.text_size(data) == pytest.approx(12.0 / (fit * 0.8))
    with painted(data, style) as fig:
        fig.canvas.draw()
        sizes = {t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()}
    assert min(sizes) * fit * 0.8 == pytest.approx(12.0)


@pytest.mark.parametrize("charts, says", [
    ({"font_size": 3.0}, "font_size"),
    ({"font_size": "10.5"}, "font_size"),
])
def test_chart_font_size_is_a_checked_theme_key(charts, says):
    raw = dict(load_theme().raw)
    raw["charts"] = {**raw["charts"], **charts}
    problems = theme_problems(raw, "theme.toml")
    assert problems and says in problems[0]


def test_pie_and_donut_labels_clear_the_rim(sample):
    """A label below a pie is anchored by its box, not its centre, so it never covers a slice."""
    style = chart_style(load_theme())
    for chart_id in ("industry_va_structure", "nev_share"):
        data = chart_data(load_chart_specs(None)[chart_id], sample, parse_period("2025H1"))
        with painted(data, style) as fig:
            fig.canvas.draw()
            ax = fig.axes[0]
            centre = ax.transData.transform((0, 0))
            radius = ax.transData.transform((1, 0))[0] - centre[0]
            labels = [t for t in ax.texts if "\n" in t.get_text()]
            assert len(labels) == len(data.categories)
            for label in labels:
                box = label.get_window_extent()
                nearest_x = min(max(centre[0], box.x0), box.x1)
                nearest_y = min(max(centre[1], box.y0), box.y1)
                assert math.dist((nearest_x, nearest_y), centre) > radius, f"{chart_id}: {label.get_text()!r}"
