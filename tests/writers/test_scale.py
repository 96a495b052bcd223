"""A digest of any length: contents over several pages, properties within their limits.

5× the sample's chapters goes through the whole build (``jianbao init`` with its
``[[chapters]]`` repeated); 20× is a synthetic IR document given to the writers
directly, since chapter numbering (一 … 九十九) stops at 99 chapters.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import docx
import pypdf
import pytest

from jianbao.build import build
from jianbao.document.transforms import finish
from jianbao.ir import Appendix, Chapter, Heading
from jianbao.scaffold import init_project
from jianbao.theme import load_theme
from jianbao.writers.docx import render_docx
from jianbao.writers.fit import PROPERTY_LIMIT
from jianbao.writers.pdf import render_pdf

from ir_samples import sample_document

_CHAPTER_BLOCK = re.compile(r'\[\[chapters\]\]\nsector = "\w+"\n+')


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def contents_pages(pdf: Path, title: str = "目") -> dict[str, tuple[int, int]]:
    """Each contents entry → (page it is listed on, page number it gives), from the PDF."""
    texts = page_texts(pdf)
    start = next(i for i, t in enumerate(texts) if re.search(rf"^\s*{title}\s+录\s*$", t, re.M))
    entries: dict[str, tuple[int, int]] = {}
    for page in range(start, len(texts)):
        found = re.findall(r"^\s*(\S.*?\S)\s+(\d+)\s*$", texts[page], re.M)
        found = [(label, n) for label, n in found if not label.startswith("—")]
        if not found:
            break
        for label, number in found:
            entries[label] = (page + 1, int(number))
    return entries


def first_page_with_line(texts: list[str], line: str, after: int) -> int:
    return next(i + 1 for i, t in enumerate(texts) if i >= after
                and any(ln.strip() == line for ln in t.splitlines()))


def check_contents(pdf: Path, labels: list[str]) -> None:
    """The contents span several pages, list every chapter once, with its true page."""
    entries = contents_pages(pdf)
    assert list(entries) == labels
    listed_on = {page for page, _ in entries.values()}
    assert len(listed_on) >= 2
    texts = page_texts(pdf)
    for label, (_, number) in list(entries.items())[:: max(1, len(entries) // 12)]:
        assert number == first_page_with_line(texts, label, max(listed_on)), label


# -- 5× and 20× through the build ---------------------------------------------------------------

@pytest.fixture(scope="module", params=[5, 20], ids=["5x", "20x"])
def many_times(request, tmp_path_factory):
    """The sample project with its seven chapters repeated 5 and 20 times, built as a user builds it."""
    root = init_project(tmp_path_factory.mktemp("scale") / "digest")
    config = root / "jianbao.toml"
    toml = config.read_text(encoding="utf-8")
    blocks = _CHAPTER_BLOCK.findall(toml)
    assert len(blocks) == 7
    toml = toml.replace("".join(blocks), "".join(blocks) * request.param)
    config.write_text(toml, encoding="utf-8")
    result = build(root, None, ("docx", "pdf"))
    files = {f.format: f.path for f in result.files}
    return files["pdf"], files["docx"], 7 * request.param


def test_many_times_the_chapters_build_with_contents_over_pages(many_times):
    pdf, _, chapters = many_times
    entries = contents_pages(pdf)
    assert len(entries) == chapters + 1  # and the appendix
    check_contents(pdf, list(entries))
    top = [o for o in pypdf.PdfReader(pdf).outline if not isinstance(o, list)]
    assert [o.title for o in top] == ["本期要点", *entries]


def test_many_times_the_chapters_docx_keeps_its_properties_in_limits(many_times):
    _, path, chapters = many_times
    word = docx.Document(str(path))
    props = word.core_properties
    for value in (props.title, props.subject, props.keywords, props.author):
        assert len(value) <= PROPERTY_LIMIT
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) >= chapters


# -- 20× in the writers -----------------------------------------------------------------

@pytest.fixture(scope="module")
def twenty_times(tmp_path_factory):
    """140 chapters (the sample's seven sectors twenty times over), cycling the IR
    sample's chapters, with a title and keyword list far beyond DOCX's limits."""
    folder = tmp_path_factory.mktemp("scale20")
    base = sample_document(folder, paragraphs_per_chapter=1)
    chapters = []
    for i in range(140):
        cycle, n = divmod(i, len(base.chapters))
        model = base.chapters[n]
        heading = Heading(1, f"{model.heading.text}（{cycle + 1}）", f"{i + 1}、")
        chapters.append(Chapter(heading, model.blocks[:3], sector=model.sector))
    first = base.parts.index(base.chapters[0])
    doc = replace(base, parts=[*base.parts[:first], *chapters, *base.parts[first + len(base.chapters):]])
    finish(doc, load_theme())
    doc.meta = replace(base.meta, title="工业和信息化发展简报" * 30,
                       keywords=[c.heading.text for c in chapters] + ["工业"] * 20)
    return doc, folder


def test_twenty_times_the_chapters_pdf_contents_run_over_pages(twenty_times):
    doc, folder = twenty_times
    data, pages = render_pdf(doc, load_theme())
    path = folder / "digest20.pdf"
    path.write_bytes(data)
    labels = [c.heading.label for c in doc.chapters] + [doc.first(Appendix).heading.label]
    check_contents(path, labels)
    assert len({page for page, _ in contents_pages(path).values()}) >= 4
    assert pypdf.PdfReader(path).metadata.title == doc.meta.title


def test_twenty_times_the_chapters_docx_cuts_properties_sensibly(twenty_times):
    doc, _ = twenty_times
    word = docx.Document(io.BytesIO(render_docx(doc, load_theme())))
    props = word.core_properties
    assert len(props.title) <= PROPERTY_LIMIT and props.title.endswith("…")
    assert doc.meta.title.startswith(props.title[:-1])
    keywords = props.keywords.split(", ")
    assert len(props.keywords) <= PROPERTY_LIMIT
    assert keywords == [c.heading.text for c in doc.chapters][:len(keywords)]  # whole, in order
