"""Chart pictures in the PDF without decoding them.

The compressed data of a PNG (its IDAT chunks) is a valid PDF Flate stream once
the PNG predictors are declared (``/DecodeParms << /Predictor 15 ... >>``), so an
8-bit, non-interlaced RGB or grey PNG — what ``charts.draw`` writes — is embedded
as it is. reportlab's own ``Image`` would decode it with Pillow, re-compress the
pixels and ASCII85-encode them: most of the PDF writer's time on a digest with a
dozen charts. Any other PNG falls back to reportlab's way.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFImageXObject, PDFName, PDFStream
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


class _PngXObject(PDFImageXObject):
    """An image XObject whose stream is the PNG's own compressed data."""

    def __init__(self, name: str, png: PngData) -> None:
        self.name = name
        self.png = png
        self.width, self.height = png.width, png.height
        self.mask = None

    def format(self, document) -> bytes:
        png = self.png
        stream = PDFStream(content=png.stream)
        d = stream.dictionary
        d["Type"] = PDFName("XObject")
        d["Subtype"] = PDFName("Image")
        d["Width"] = png.width
        d["Height"] = png.height
        d["BitsPerComponent"] = 8
        d["ColorSpace"] = PDFName(png.color_space)
        d["Filter"] = PDFName("FlateDecode")
        d["DecodeParms"] = PDFDictionary(
            {"Predictor": 15, "Colors": png.colors, "BitsPerComponent": 8, "Columns": png.width})
        d["Length"] = len(png.stream)
        return stream.format(document)


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
            canv.drawImage(str(self.path), 0, 0, self.drawWidth, self.drawHeight, mask="auto")
            return
        name = "png" + hashlib.sha1(data).hexdigest()
        doc = canv._doc  # what Canvas.drawImage does, with our XObject instead of a decoded one
        reg_name = doc.getXObjectName(name)
        if doc.idToObject.get(reg_name) is None:
            xobject = _PngXObject(name, png)
            canv._setXObjects(xobject)
            doc.Reference(xobject, reg_name)
            doc.addForm(name, xobject)
        canv._currentPageHasImages = 1
        canv.saveState()
        canv.scale(self.drawWidth, self.drawHeight)
        canv._code.append(f"/{reg_name} Do")
        canv.restoreState()
        canv._formsinuse.append(name)

