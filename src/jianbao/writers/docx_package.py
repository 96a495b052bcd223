"""Document properties, settings and byte-stable packaging of the DOCX.

python-docx stamps zip entries with the wall clock and, for a new document,
the core properties with "now"; both are pinned here so the same IR gives the
same bytes (python-docx issue #1042). Its template also says it was written by
"Microsoft Macintosh Word" in Word 2010's compatibility mode, with one page, no
words and a Japanese font table: those parts are written anew here, as Word and
WPS write them for a Chinese document.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from jianbao.ir import Metadata
from jianbao.writers.fit import PROPERTY_LIMIT, fit_property, keywords_property

FALLBACK_CREATED = datetime(2000, 1, 1, tzinfo=UTC)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # what Word itself writes


def created_at(meta: Metadata) -> datetime:
    """The document's fixed creation time in UTC (meta.created is ISO 8601 with its offset)."""
    if not meta.created:
        return FALLBACK_CREATED
    stamp = datetime.fromisoformat(meta.created.replace("Z", "+00:00"))
    return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def set_properties(document: DocxDocument, meta: Metadata) -> None:
    """Title, subject, author, keywords, language and fixed timestamps.

    Each text property is kept within python-docx's limit of 255 characters (it
    refuses longer ones): a digest of many chapters has a long keyword list.
    """
    props = document.core_properties
    stamp = created_at(meta).replace(tzinfo=None)  # python-docx writes naive as UTC "Z"
    props.title = fit_property(meta.title)
    props.subject = fit_property(meta.subject)
    props.author = fit_property(meta.author)
    props.last_modified_by = fit_property(meta.author)
    props.keywords = keywords_property(meta.keywords, PROPERTY_LIMIT)
    props.language = meta.language
    props.comments = ""
    props.category = ""
    props.revision = 1
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp


def set_compatibility(document: DocxDocument) -> None:
    """Word 2013+ layout (no [兼容模式] in the title bar) and punctuation compression, as Word sets for Chinese."""
    settings = document.settings.element
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    control = settings.find(qn("w:characterSpacingControl"))
    if control is not None:
        control.set(qn("w:val"), "compressPunctuation")


# Chinese fonts a document may name: their English names (w:altName) and GB2312 charset.
_CHINESE_FONTS = {
    "宋体": "SimSun", "仿宋": "FangSong", "楷体": "KaiTi", "黑体": "SimHei", "仿宋_GB2312": "FangSong_GB2312",
    "楷体_GB2312": "KaiTi_GB2312", "方正小标宋简体": "FZXiaoBiaoSong-B05S",
}


def font_table(names: list[str]) -> bytes:
    """word/fontTable.xml naming the fonts the styles use: Chinese ones with charset 86 (GB2312)."""
    fonts = []
    for name in names:
        if any(ord(c) > 0x2E7F for c in name):
            alt = _CHINESE_FONTS.get(name)
            alt_xml = f"<w:altName w:val={quoteattr(alt)}/>" if alt else ""
            fonts.append(f"<w:font w:name={quoteattr(name)}>{alt_xml}<w:charset w:val=\"86\"/>"
                         "<w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>")
        else:
            fonts.append(f"<w:font w:name={quoteattr(name)}><w:charset w:val=\"00\"/>"
                         "<w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font>")
    return ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            + "".join(fonts) + "</w:fonts>").encode("utf-8")


def app_properties(text: str, paragraphs: int, pages: int | None) -> bytes:
    """docProps/app.xml: jianbao as the application, and the counts Word shows in 文件→信息.

    Words count as Word counts Chinese: each ideograph one word, each run of
    Latin letters or digits one word. ``pages`` is jianbao's own pagination (the PDF's).
    """
    words = len(re.findall(r"[\u2e80-\u9fff\uf900-\ufaff]|[A-Za-z0-9.%]+", text))
    characters = len(re.sub(r"\s", "", text))
    pages_xml = f"<Pages>{pages}</Pages>" if pages else ""
    return ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"<Template>Normal.dotm</Template><TotalTime>0</TotalTime>{pages_xml}<Words>{words}</Words>"
            f"<Characters>{characters}</Characters><Application>jianbao</Application>"
            f"<DocSecurity>0</DocSecurity><Paragraphs>{paragraphs}</Paragraphs><ScaleCrop>false</ScaleCrop>"
            f"<LinksUpToDate>false</LinksUpToDate><CharactersWithSpaces>{len(text)}</CharactersWithSpaces>"
            "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>").encode("utf-8")


def save_deterministic(document: DocxDocument, parts: dict[str, bytes] | None = None) -> bytes:
    """The package as bytes, entries in python-docx's order with a fixed timestamp.

    ``parts`` replaces whole entries (``docProps/app.xml``, ``word/fontTable.xml``).
    """
    parts = parts or {}
    raw = io.BytesIO()
    document.save(raw)
    raw.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, parts.get(item.filename) or src.read(item))
    return out.getvalue()
