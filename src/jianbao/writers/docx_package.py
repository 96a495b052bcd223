"""Document properties and byte-stable packaging of the DOCX.

python-docx stamps zip entries with the wall clock and, for a new document,
the core properties with "now"; both are pinned here so the same IR gives the
same bytes (python-docx issue #1042).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from docx.document import Document as DocxDocument

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


def save_deterministic(document: DocxDocument) -> bytes:
    """The package as bytes, entries in python-docx's order with a fixed timestamp."""
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
            dst.writestr(info, src.read(item))
    return out.getvalue()
