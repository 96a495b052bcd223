"""Chart pictures in the PDF without decoding them.

The compressed data of a PNG (its IDAT chunks) is a valid PDF Flate stream once
the PNG predictors are declared (``/DecodeParms << /Predictor 15 ... >>``), so an
8-bit, non-interlaced RGB or grey PNG — what ``charts.draw`` writes — is embedded
as it is. reportlab's public way (``Canvas.drawImage``, ``platypus.Image``) decodes
it with Pillow, hashes the pixels, re-compresses them and, by default,
ASCII85-encodes them: measured on the sample project's whole
``jianbao build --format pdf`` (12 charts, warm chart cache, even with ASCII85
turned off) that made the build take about 22% longer (CPU time) than this module,
for a PDF of about the same size. Any other PNG falls back to ``drawImage``.

Only one reportlab internal is used: ``Canvas._doc``, the ``PDFDocument`` the canvas
writes to, to register the stream (``PDFDocument.addForm``, the call ``drawImage``
makes). The stream itself is a plain ``pdfdoc.PDFStream`` and the drawing goes
through public canvas methods (``hasForm``, ``doForm``). pyproject.toml pins
reportlab to the tested minor version, and tests/writers/test_pdf_image.py checks
the internals this relies on.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream
from reportlab.platypus import Flowable

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLORS = {0: ("DeviceGray", 1), 2: ("DeviceRGB", 3)}  # PNG colour type → PDF colour space, components


@dataclass(frozen=True)
class PngData:
    width: int
    height: int
    color_space: str
    colors: int
    stream: bytes  # the IDAT chunks joined: a zlib stream of predictor-filtered rows


def png_data(data: bytes) -> PngData | None:
    """The embeddable parts of an 8-bit non-interlaced RGB/grey PNG, else None."""
    if not data.startswith(_SIGNATURE):
        return None
    pos, header, idat = len(_SIGNATURE), None, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None or not idat:
        return None
    width, height, depth, color_type, _compression, _filter, interlace = header
    if depth != 8 or interlace or color_type not in _COLORS:
        return None
    space, colors = _COLORS[color_type]
    return PngData(width, height, space, colors, b"".join(idat))


def image_stream(png: PngData) -> PDFStream:
    """An image XObject whose content is the PNG's own compressed data.

    ``PDFStream`` applies no filter of its own when the dictionary names one.
    """
    return PDFStream(PDFDictionary({
        "Type": PDFName("XObject"),
        "Subtype": PDFName("Image"),
        "Width": png.width,
        "Height": png.height,
        "BitsPerComponent": 8,
        "ColorSpace": PDFName(png.color_space),
        "Filter": PDFName("FlateDecode"),
        "DecodeParms": PDFDictionary(
            {"Predictor": 15, "Colors": png.colors, "BitsPerComponent": 8, "Columns": png.width}),
    }), content=png.stream)


class PngImage(Flowable):
    """A picture drawn at a fixed size; PNGs that allow it are embedded without decoding."""

    def __init__(self, path: Path | str, width: float, height: float) -> None:
        super().__init__()
        self.path = Path(path)
        self.drawWidth, self.drawHeight = width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.drawWidth, self.drawHeight

    def draw(self) -> None:
        canv = self.canv
        data = self.path.read_bytes()
        png = png_data(data)
        if png is None:
            # An ImageReader, not the path: reportlab then names the image by its
            # pixels, so the PDF does not depend on where the project lies.
            canv.drawImage(ImageReader(str(self.path)), 0, 0, self.drawWidth, self.drawHeight,
                           mask="auto")
            return
        # Named by content, so a picture used twice is embedded once.
        name = "png" + hashlib.sha1(data).hexdigest()
        if not canv.hasForm(name):
            canv._doc.addForm(name, image_stream(png))
        canv.saveState()
        canv.scale(self.drawWidth, self.drawHeight)
        canv.doForm(name)  # "/name Do", and lists the XObject in the page's resources
        canv.restoreState()
