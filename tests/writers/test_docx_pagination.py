"""The DOCX's contents carry jianbao's own page numbers (the PDF's), so Word asks nothing on open."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile

import docx
from docx.oxml.ns import qn

from jianbao.theme import load_theme
from jianbao.writers.docx import render_docx
from jianbao.writers.pdf import render_pdf

from ir_samples import sample_document


def toc_numbers(data: bytes) -> list[tuple[str, str]]:
    """(entry, page number shown) of each contents paragraph, as python-docx reads them."""
    word = docx.Document(io.BytesIO(data))
    return [tuple(p.text.split("\t")) for p in word.paragraphs if p.style.name.startswith("toc")]


def test_the_contents_show_the_pdfs_page_numbers_and_word_need_not_update(tmp_path):
    theme = load_theme()
    doc = sample_document(tmp_path)
    pdf = render_pdf(doc, theme)
    path = tmp_path / "digest.pdf"
    path.write_bytes(pdf[0])
    data = render_docx(doc, theme, pagination=pdf.pagination)
    entries = toc_numbers(data)
    assert entries and all(page.isdigit() for _, page in entries)
    layout = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "2", str(path), "-"],
                            capture_output=True, text=True, check=True).stdout
    for label, page in entries:
        assert re.search(re.escape(label) + r"[\s.·]*" + page + r"\s*$", layout, re.M), (label, page)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"updateFields" not in z.read("word/settings.xml")
        assert f"<Pages>{pdf[1]}</Pages>".encode() in z.read("docProps/app.xml")


def test_without_a_pagination_word_is_asked_to_fill_the_numbers(tmp_path):
    data = render_docx(sample_document(tmp_path), load_theme())
    assert all(page == "" for _, page in toc_numbers(data))
    settings = docx.Document(io.BytesIO(data)).settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"
