"""What a reader sees of a built digest's pages, as numbers (the closing notes' before/after).

    python benchmarks/layout.py reports/2025H1

Reads the folder's PDF and DOCX with the tests' own readers (pdftoppm for blank space,
pdftotext -bbox for widows, orphans, runt last lines and characters per line, pypdf, python-docx).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "writers")]

import docx  # noqa: E402
import pypdf  # noqa: E402
from test_pagination import MAX_BLANK, blank_shares, chapter_pages, lines_alone  # noqa: E402
from pdf_lines import line_quality, text_block_edges  # noqa: E402
from test_presets import characters_per_line  # noqa: E402

from jianbao.theme import load_theme  # noqa: E402


def pdf_measures(pdf: Path) -> dict:
    reader = pypdf.PdfReader(pdf)

    def flat(items):
        return [leaf for item in items for leaf in (flat(item) if isinstance(item, list) else [item])]

    chapters, appendix = chapter_pages(pdf)
    with tempfile.TemporaryDirectory() as folder:
        shares = blank_shares(pdf, Path(folder))
    last_of_chapter = {start - 1 for start in chapters[1:]} | {appendix - 1}
    body = range(chapters[0], appendix)
    alone = lines_alone(pdf)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    return {
        "pages": len(reader.pages),
        "appendix_pages": len(reader.pages) - appendix,
        f"body_pages_over_{MAX_BLANK:.0%}_blank": [n + 1 for n in body
                                                   if n not in last_of_chapter and shares[n] > MAX_BLANK],
        "white_pages_in_body": round(sum(shares[n] for n in body), 1),
        "orphans": sum(p.startswith("orphan") for p in alone),
        "widows": sum(p.startswith("widow") for p in alone),
        "chars_per_full_line": characters_per_line(pdf).most_common(1)[0][0],
        "runt_last_lines": len(line_quality(pdf, *text_block_edges(load_theme().page)).runts),
        "bookmarks": len(flat(reader.outline)),
        "contents_links": sum(1 for page in reader.pages for annot in page.get("/Annots") or []
                              if annot.get_object().get("/Dest") is not None),
        "latin_font_embedded": "LiberationSerif" in fonts,
    }


def docx_measures(path: Path) -> dict:
    word = docx.Document(str(path))
    contents = [p.text for p in word.paragraphs if p.style.name.startswith("toc")]
    with zipfile.ZipFile(path) as package:
        settings = package.read("word/settings.xml").decode()
        document = package.read("word/document.xml").decode()
    return {
        "contents_entries": len(contents),
        "contents_numbers": sum(p.split("\t")[-1].strip().isdigit() for p in contents),
        "updateFields": "updateFields" in settings,
        "compatibilityMode": re.search(r'compatibilityMode" w:uri="[^"]*" w:val="(\d+)"', settings).group(1),
        "seq_fields": document.count(" SEQ "),
    }


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    print({**pdf_measures(next(folder.glob("*.pdf"))), **docx_measures(next(folder.glob("*.docx")))})
