"""DOCX, PDF and HTML show the same digest: the same text in the same order, contents, bookmarks and numbers.

The sample digest and every period fixture are built as a user builds them; a tree
holding every node type goes to the writers directly. Each DOCX is read with
python-docx (body paragraphs and table cells in document order), each PDF with
poppler (``pdftotext -raw``: the drawing order) and pypdf (outline, links), each HTML
page with lxml (its blocks in document order, its ids and ``#`` links).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import docx
import lxml.html
import pypdf
import pytest
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from jianbao import api
from jianbao.scaffold import init_project
from jianbao.theme import load_theme
from jianbao.writers.docx import render_docx
from jianbao.writers.html import render_html
from jianbao.writers.pdf import render_pdf

from test_period_digests import CASES, load_case, make_project

sys.path.insert(0, str(Path(__file__).resolve().parent / "writers"))
from ir_samples import every_node_document  # noqa: E402

PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$")
CAPTION = re.compile(r"^(图|表)(\d+)[\s\u3000]")
FORMATS = ("docx", "pdf", "html")


def squash(text: str) -> str:
    return "".join(text.replace("\u200b", "").split())


@dataclass
class Read:
    """What a reader of one file sees."""

    items: list[str]  # paragraphs, headings and contents entries in order (DOCX); the text (PDF)
    contents: list[str]  # the headings the contents entries link to, in order
    bookmarks: list[tuple[int, str]]  # (level, title) of every bookmarked heading, in order
    captions: list[str]  # 图1, 表1, … in order
    floats: list[tuple[str, re.Pattern]] = ()  # (图 or 表, its caption, picture or cells and source) in order


def _table_pattern(caption: str, rows: list[str], header_rows: int, source: str) -> re.Pattern:
    """A table as the PDF text shows it: its header rows may repeat before any row (a table over pages)."""
    header = "".join(rows[:header_rows])
    again = f"(?:{re.escape(header)})?" if header else ""
    return re.compile(re.escape(caption + header) + "".join(again + re.escape(r) for r in rows[header_rows:])
                      + re.escape(source))


def read_docx(path: Path) -> Read:
    word = docx.Document(str(path))
    blocks = list(word.iter_inner_content())
    items, contents, bookmarks, captions, floats = [], [], [], [], []
    names: dict[str, str] = {}  # bookmark name → heading
    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        if isinstance(block, DocxTable):  # a table without a caption (the 版记)
            items += [squash(c.text) for row in block.rows for c in dict.fromkeys(row.cells, None)]
            continue
        style = block.style.name.lower()
        match = CAPTION.match(block.text) if style == "caption" else None
        if match:  # a figure or table with its caption and source: a float, which the PDF may move
            captions.append(match.group(1) + match.group(2))
            caption, rows, header_rows = squash(block.text), [], 0
            if match.group(1) == "表" and i < len(blocks) and isinstance(blocks[i], DocxTable):
                table = blocks[i]
                i += 1
                # a cell spanning columns is listed once per column: read it once
                rows = ["".join(squash(c.text) for c in dict.fromkeys(row.cells, None)) for row in table.rows]
                header_rows = sum(1 for row in table.rows
                                  if row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None)
            source = ""
            if i < len(blocks) and isinstance(blocks[i], DocxParagraph) and blocks[i].style.name == "Source":
                source = squash(blocks[i].text)
                i += 1
            floats.append((match.group(1), _table_pattern(caption, rows, header_rows, source)))
            continue
        # a contents entry without its page number (the PDF's is text between items; the HTML has none)
        items.append(squash(block.text.split("\t")[0] if style.startswith("toc ") else block.text))
        if style.startswith("toc "):
            contents += [link.get(qn("w:anchor")) for link in block._p.iter(qn("w:hyperlink"))]
        mark = block._p.find(qn("w:bookmarkStart"))
        if mark is not None and (style.startswith("heading ") or style == "key points title"):
            bookmarks.append((int(style.split()[1]) if style.startswith("heading ") else 1, squash(block.text)))
            names[mark.get(qn("w:name"))] = squash(block.text)
    return Read([i for i in items if i], [names.get(a, a) for a in contents], bookmarks, captions, floats)


def read_pdf(path: Path) -> Read:
    raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    lines = [ln for ln in raw.replace("\f", "\n").splitlines() if not PAGE_NUMBER.match(ln)]
    reader = pypdf.PdfReader(path)
    at: dict[tuple[int, float], str] = {}  # (page, top) of each outline entry → its title

    def walk(items, level: int):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, level + 1)
            else:
                at[(reader.get_destination_page_number(item), round(float(item.top), 1))] = squash(item.title)
                yield level, squash(item.title)

    bookmarks = list(walk(reader.outline, 1))
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    contents = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            dest = annot.get_object().get("/Dest")
            if dest is not None:
                target = (pages[dest[0].idnum], round(float(dest[3]), 1))
                contents.append(at.get(target, str(target)))

    captions = [m.group(1) + m.group(2) for ln in lines if (m := CAPTION.match(ln))]
    return Read([squash("\n".join(lines))], contents, bookmarks, captions)


HTML_BLOCKS = {"p", "h1", "h2", "h3", "h4", "li"}
HTML_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "keypoints-title": 1}  # heading class → bookmark level


def read_html(path: Path) -> Read:
    """The page's blocks in document order, as ``read_docx`` reads the DOCX's paragraphs: a figure or
    table (caption, cells, source) is one float; the 版记's print run joins its last line, as they
    share the DOCX's last cell."""
    root = lxml.html.fromstring(path.read_bytes())
    ids = {el.get("id"): squash(el.text_content()) for el in root.iter() if el.get("id")}
    items, contents, bookmarks, captions, floats = [], [], [], [], []
    for el in root.iter("figure", *HTML_BLOCKS):
        if el.tag != "figure" and el.xpath("ancestor::figure"):
            continue  # read with its figure
        if el.tag == "figure":
            match = CAPTION.match(el.find("figcaption").text_content())
            caption = squash(match.string)
            captions.append(match.group(1) + match.group(2))
            rows = ["".join(squash(c.text_content()) for c in tr.iter("th", "td")) for tr in el.iter("tr")]
            header_rows = len(el.xpath(".//thead/tr"))
            source = "".join(squash(p.text_content()) for p in el.xpath("./p[@class='source']"))
            floats.append((match.group(1), _table_pattern(caption, rows, header_rows, source)))
            continue
        text = squash(el.text_content())
        if "print-run" in el.classes and el.xpath("ancestor::footer") and items:
            items[-1] += text
            continue
        items.append(text)
        if el.xpath("ancestor::nav"):
            contents += [ids.get(a.get("href")[1:], a.get("href")) for a in el.iter("a")]
        level = next((HTML_HEADINGS[c] for c in el.classes if c in HTML_HEADINGS), None)
        if level is not None and el.get("id"):
            bookmarks.append((level, text))
    return Read([i for i in items if i], contents, bookmarks, captions, floats)


def same_text_in_same_order(word: Read, pdf: Read) -> None:
    """Each figure and table (caption, picture or cells, source) is found whole in the PDF, in order
    among its kind (the PDF may set the text after one first, to fill a page); the rest of the
    DOCX is found in the rest of the PDF in order, with only contents page numbers between."""
    text = pdf.items[0]
    last: dict[str, int] = {}
    spans = []
    for kind, pattern in word.floats:
        found = pattern.search(text)
        assert found, f"the PDF lacks the {kind} {pattern.pattern[:60]!r} whole"
        assert found.start() >= last.get(kind, 0), f"the PDF sets {pattern.pattern[:30]!r} before an earlier {kind}"
        last[kind] = found.start()
        spans.append(found.span())
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    at = 0
    for item in word.items:
        found = text.find(item, at)
        assert found >= 0, f"the PDF lacks {item[:60]!r} after …{text[max(0, at - 40):at]!r}"
        gap = text[at:found]
        assert re.fullmatch(r"\d*", gap), f"the PDF has {gap[:80]!r} the DOCX lacks, before {item[:40]!r}"
        at = found + len(item)
    assert text[at:] == "", f"the PDF ends with {text[at:][:80]!r} the DOCX lacks"


def check_parity(docx_path: Path, pdf_path: Path) -> None:
    word, pdf = read_docx(docx_path), read_pdf(pdf_path)
    same_text_in_same_order(word, pdf)
    assert word.contents and word.contents == pdf.contents
    assert word.bookmarks and word.bookmarks == pdf.bookmarks
    for kind in ("图", "表"):  # each numbering in order; a table may float past a figure
        assert [c for c in word.captions if c[0] == kind] == [c for c in pdf.captions if c[0] == kind]


def check_html_parity(html_path: Path, docx_path: Path, pdf_path: Path) -> None:
    """The HTML against the PDF as the DOCX is compared with it, and block for block with the DOCX."""
    page, word, pdf = read_html(html_path), read_docx(docx_path), read_pdf(pdf_path)
    same_text_in_same_order(page, pdf)
    assert page.contents and page.contents == pdf.contents == word.contents
    assert page.bookmarks and page.bookmarks == pdf.bookmarks == word.bookmarks
    assert page.captions == word.captions
    assert page.items == word.items
    assert [(kind, p.pattern) for kind, p in page.floats] == [(kind, p.pattern) for kind, p in word.floats]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Path, Path, Path]]:
    """The sample digest and each period fixture, as (docx, pdf, html)."""
    base = tmp_path_factory.mktemp("parity")
    out = {}
    sample = init_project(base / "sample")
    result = api.build(sample, None, formats=FORMATS)
    out["sample"] = tuple(next(f.path for f in result.files if f.format == fmt) for fmt in FORMATS)
    for case in CASES:
        spec = load_case(case)
        root = make_project(base / case, case, spec)
        result = api.build(root, spec["period"], formats=FORMATS)
        out[case] = tuple(next(f.path for f in result.files if f.format == fmt) for fmt in FORMATS)
    return out


@pytest.mark.parametrize("name", ["sample", *CASES])
def test_docx_and_pdf_show_the_same_digest(built, name):
    check_parity(*built[name][:2])


@pytest.mark.parametrize("name", ["sample", *CASES])
def test_html_shows_the_same_digest_as_docx_and_pdf(built, name):
    docx_path, pdf_path, html_path = built[name]
    check_html_parity(html_path, docx_path, pdf_path)


def test_the_sample_has_what_the_parity_compares(built):
    word = read_docx(built["sample"][0])
    assert len(word.contents) == 8  # seven chapters and the appendix
    assert {level for level, _ in word.bookmarks} >= {1, 2}
    assert any(c.startswith("图") for c in word.captions) and any(c.startswith("表") for c in word.captions)


def test_every_node_type_looks_alike_in_both_writers(tmp_path):
    """The coverage tree (every node type: quotes, nested lists, rules, links, appendix) through both writers."""
    doc, _ = every_node_document(tmp_path)
    theme = load_theme()
    docx_path, pdf_path = tmp_path / "all.docx", tmp_path / "all.pdf"
    docx_path.write_bytes(render_docx(doc, theme))
    pdf_path.write_bytes(render_pdf(doc, theme)[0])
    check_parity(docx_path, pdf_path)
    html_path = tmp_path / "all.html"
    html_path.write_bytes(render_html(doc, theme))
    check_html_parity(html_path, docx_path, pdf_path)


def test_a_difference_is_caught(built, tmp_path):
    """The comparison is not vacuous: a PDF missing one sentence fails it, and so do figures out of order."""
    word = read_docx(built["sample"][0])
    pdf = read_pdf(built["sample"][1])
    victim = word.items[len(word.items) // 2]
    broken = Read([pdf.items[0].replace(victim, "", 1)], pdf.contents, pdf.bookmarks, pdf.captions)
    with pytest.raises(AssertionError):
        same_text_in_same_order(word, broken)
    swapped = Read(word.items, word.contents, word.bookmarks, word.captions, word.floats[::-1])
    with pytest.raises(AssertionError):
        same_text_in_same_order(swapped, pdf)


def test_an_html_difference_is_caught(built, tmp_path):
    """The HTML reader is not vacuous: a page missing one paragraph, or with a heading's anchor lost, fails."""
    docx_path, pdf_path, html_path = built["sample"]
    page = html_path.read_text(encoding="utf-8")
    victim = next(m for m in re.finditer(r'<p class="body">(.*?)</p>', page)).group(0)
    broken = tmp_path / "broken.html"
    broken.write_text(page.replace(victim, "", 1), encoding="utf-8")
    with pytest.raises(AssertionError):
        check_html_parity(broken, docx_path, pdf_path)
    anchor = re.search(r'<h2 class="h1" id="([^"]+)"', page).group(1)
    broken.write_text(page.replace(f'id="{anchor}"', "", 1), encoding="utf-8")
    with pytest.raises(AssertionError):
        check_html_parity(broken, docx_path, pdf_path)
