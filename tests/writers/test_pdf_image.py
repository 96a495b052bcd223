"""Chart PNGs go into the PDF as they are, and read back as the same pixels."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from jianbao.writers.pdf_image import PngImage, png_data


def _png(path: Path, mode: str) -> Path:
    picture = Image.new("RGB", (64, 40), "white")
    for x in range(64):
        for y in range(0, 40, 3):
            picture.putpixel((x, y), (x * 4, 200 - y * 4, 90))
    picture.convert(mode).save(path, format="png")
    return path


def _pdf_pixels(pngs: list[Path]) -> list[bytes]:
    buf = io.BytesIO()
    SimpleDocTemplate(buf, invariant=1).build([PngImage(p, 128, 80) for p in pngs])
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    return [img.image.convert("RGB").tobytes() for page in reader.pages for img in page.images]


def test_rgb_and_grey_pngs_are_embedded_undecoded_with_the_same_pixels(tmp_path: Path) -> None:
    rgb, grey = _png(tmp_path / "rgb.png", "RGB"), _png(tmp_path / "grey.png", "L")
    for path in (rgb, grey):
        data = png_data(path.read_bytes())
        assert data is not None and (data.width, data.height) == (64, 40)
    expected = [Image.open(p).convert("RGB").tobytes() for p in (rgb, grey)]
    assert _pdf_pixels([rgb, grey]) == expected


def test_other_pngs_fall_back_to_reportlab(tmp_path: Path) -> None:
    rgba, palette = _png(tmp_path / "rgba.png", "RGBA"), _png(tmp_path / "p.png", "P")
    assert png_data(rgba.read_bytes()) is None and png_data(palette.read_bytes()) is None
    assert png_data(b"not a png") is None
    assert len(_pdf_pixels([rgba, palette])) == 2  # drawn the way reportlab's Image draws them


def test_the_same_picture_twice_is_embedded_once(tmp_path: Path) -> None:
    rgb = _png(tmp_path / "rgb.png", "RGB")
    buf = io.BytesIO()
    SimpleDocTemplate(buf, invariant=1).build([PngImage(rgb, 128, 80), PngImage(rgb, 64, 40)])
    assert buf.getvalue().count(b"/Subtype /Image") == 1


# Canary: pdf_image writes the PNG's own data through one reportlab internal,
# ``Canvas._doc``, and a few pdfdoc pieces. If a reportlab release changes them,
# these fail: check pdf_image.py against the new release before widening the pin
# in pyproject.toml (or fall back to ``Canvas.drawImage``).

def test_reportlab_internals_pdf_image_relies_on(tmp_path: Path) -> None:
    from reportlab.pdfbase.pdfdoc import PDFDocument
    from reportlab.pdfgen.canvas import Canvas

    from jianbao.writers.pdf_image import image_stream

    png = png_data(_png(tmp_path / "rgb.png", "RGB").read_bytes())
    assert png is not None
    buf = io.BytesIO()
    canv = Canvas(buf, invariant=1)
    doc = canv._doc
    assert isinstance(doc, PDFDocument)
    assert not canv.hasForm("pic")
    doc.addForm("pic", image_stream(png))
    assert canv.hasForm("pic")
    # A stream whose dictionary names its filter is written as given: no re-compression.
    written = image_stream(png).format(doc)
    assert png.stream in written and b"/Length %d" % len(png.stream) in written
    canv.doForm("pic")
    canv.showPage()
    canv.save()
    pdf = buf.getvalue()
    assert pdf.count(png.stream) == 1
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    resources = page["/Resources"]
    assert list(resources["/XObject"]) == ["/" + doc.getXObjectName("pic")]
    # drawImage flags pages as having images (the /ProcSet); doForm relies on
    # reportlab flagging every page so.
    assert "/ImageC" in resources["/ProcSet"]
