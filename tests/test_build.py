"""`jianbao build` end to end on the sample project: what a reader of the files sees."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader

from jianbao.build import build
from jianbao.manifest import check_current, read_manifest
from jianbao.project import open_project
from jianbao.scaffold import init_project

CHAPTERS = [
    "一、工业经济总体运行",
    "二、装备制造业",
    "三、电子信息制造业和软件业",
    "四、信息通信业",
    "五、消费品工业",
    "六、传统产业绿色化转型",
    "七、中小企业",
]

# The key figures of issue 3, as a reader finds them in each format.
KEY_FIGURES = [
    "规上工业增加值同比增长6.4%",
    "5G基站总数达到455万个",
    "电信业务收入累计达9055亿元",
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    root = init_project(tmp_path_factory.mktemp("sample") / "digest")
    result = build(root, None, ("docx", "pdf", "md"))
    return root, result


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _squash(text: str) -> str:
    """The text without white space and without the page numbers ("— 8 —") a page break puts mid-sentence."""
    return re.sub(r"—\d+—", "", "".join(text.split()))


def test_build_writes_all_formats_and_a_manifest(sample) -> None:
    root, result = sample
    assert result.period.code == "2025H1"
    folder = root / "reports" / "2025H1"
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert names == [
        "manifest.json",
        "工业和信息化发展简报-2025H1.docx",
        "工业和信息化发展简报-2025H1.md",
        "工业和信息化发展简报-2025H1.pdf",
    ]
    manifest = read_manifest(folder)
    assert manifest is not None and manifest.summary.issue == "第1期"
    assert len(manifest.summary.key_points) == 7
    assert check_current(open_project(root), "2025H1").period == "2025H1"
    pdf = next(f for f in result.files if f.format == "pdf")
    assert 6 <= pdf.pages <= 40
    umask = os.umask(0)
    os.umask(umask)
    assert pdf.path.stat().st_mode & 0o777 == 0o666 & ~umask  # readable like any file, not 0600


def test_pdf_holds_chapters_and_key_figures(sample) -> None:
    root, result = sample
    pdf = next(f.path for f in result.files if f.format == "pdf")
    text = _squash(_pdf_text(pdf))
    for heading in CHAPTERS:
        assert heading in text
    for figure in KEY_FIGURES:
        assert figure in text
    outline = [o.title for o in PdfReader(pdf).outline if not isinstance(o, list)]
    assert [t for t in outline if t in CHAPTERS] == CHAPTERS


def test_docx_holds_chapters_in_order_and_one_chart_per_chart(sample) -> None:
    root, result = sample
    docx = next(f.path for f in result.files if f.format == "docx")
    document = DocxDocument(str(docx))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h for h in headings if h in CHAPTERS] == CHAPTERS
    inlines = document.inline_shapes
    md = next(f.path for f in result.files if f.format == "md").read_text(encoding="utf-8")
    assert len(inlines) == md.count("](chart:") >= 8
    # native charts by default ([docx] charts), each a chart part (tests/writers/test_docx_charts.py)
    charts = [r for r in document.part.rels.values() if r.reltype.endswith("/chart")]
    assert len(charts) == len(inlines)


def test_two_builds_give_identical_bytes(sample, tmp_path: Path) -> None:
    root, first = sample
    again = tmp_path / "again"
    shutil.copytree(root, again, ignore=shutil.ignore_patterns("reports"))
    second = build(again, None, ("docx", "pdf"))
    for a in first.files:
        if a.format == "md":
            continue
        b = next(f for f in second.files if f.format == a.format)
        assert a.path.read_bytes() == b.path.read_bytes(), a.format


def test_failed_build_keeps_previous_outputs(sample, tmp_path: Path) -> None:
    root, _ = sample
    copy = tmp_path / "broken"
    shutil.copytree(root, copy)
    before = {p.name: p.read_bytes() for p in (copy / "reports" / "2025H1").iterdir() if p.is_file()}
    chapter = copy / "templates" / "chapters" / "industry.md.j2"
    chapter.parent.mkdir(parents=True, exist_ok=True)
    chapter.write_text("{{ fig('no_such_indicator') | growth }}\n", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_indicator"):
        build(copy, None, ("docx", "pdf"))
    after = {p.name: p.read_bytes() for p in (copy / "reports" / "2025H1").iterdir() if p.is_file()}
    assert after == before


KEY_STATEMENTS = [  # issue 3's statements as a reader finds them in both formats
    "规上工业增加值同比增长6.4%",
    "装备制造业增加值同比增长10.2%",
    "新能源汽车新车销量占比达44.3%",
    "5G基站总数达到455万个",
    "电信业务收入累计达9055亿元",
]


def test_libreoffice_reads_the_docx(sample, tmp_path: Path) -> None:
    root, result = sample
    docx = next(f.path for f in result.files if f.format == "docx")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(docx)],
        check=True, capture_output=True, timeout=240,
    )
    text = _squash(_pdf_text(tmp_path / (docx.stem + ".pdf")))
    for heading in CHAPTERS:
        assert heading in text
    for statement in KEY_STATEMENTS:
        assert statement in text
    # The DOCX's tables and captions keep their own line pitch off the body's line grid, so a second
    # reader lays the digest on about as many pages as jianbao's PDF (the contents' numbers are the PDF's).
    pdf = next(f for f in result.files if f.format == "pdf")
    assert abs(len(PdfReader(str(tmp_path / (docx.stem + ".pdf"))).pages) - pdf.pages) <= 1


def test_hostile_highlight_text_survives_in_both_formats(tmp_path: Path) -> None:
    root = init_project(tmp_path / "hostile")
    highlights = root / "data" / "highlights" / "industry.yaml"
    highlights.write_text(
        highlights.read_text(encoding="utf-8")
        + '\n- sector: industry\n  period: 2025H1\n  kind: highlight\n  title: 测试\n'
        '  text: "比较<a&b>运算\\v换行后的文字🚀结束。"\n',
        encoding="utf-8",
    )
    result = build(root, None, ("docx", "pdf"))
    pdf = next(f.path for f in result.files if f.format == "pdf")
    docx = next(f.path for f in result.files if f.format == "docx")
    assert "比较<a&b>运算换行后的文字" in _squash(_pdf_text(pdf))
    body = "".join(p.text for p in DocxDocument(str(docx)).paragraphs)
    assert "比较<a&b>运算换行后的文字🚀结束。" in body


def _contents_pages(docx_path: Path) -> list[tuple[str, str]]:
    """(entry, page number) of each contents line of the DOCX, as python-docx reads them."""
    word = DocxDocument(str(docx_path))
    return [tuple(p.text.split("\t")) for p in word.paragraphs if p.style.name.startswith("toc")]


def _pdf_contents_pages(pdf_path: Path) -> dict[str, str]:
    """Entry → page number, from the PDF's clickable contents: each link's target page."""
    reader = PdfReader(str(pdf_path))
    pages = {}
    for outline in reader.outline:
        if not isinstance(outline, list):
            pages[outline.title] = str(reader.get_destination_page_number(outline) + 1)
    return pages


def test_built_docx_contents_show_the_pdfs_page_numbers(sample) -> None:
    root, _ = sample
    folder = root / "reports" / "2025H1"
    entries = _contents_pages(next(folder.glob("*.docx")))
    pdf_pages = _pdf_contents_pages(next(folder.glob("*.pdf")))
    assert len(entries) == 8
    for label, page in entries:
        assert pdf_pages[label] == page, (label, page, pdf_pages)


def test_a_docx_only_build_still_numbers_its_contents(tmp_path: Path) -> None:
    root = init_project(tmp_path / "digest")
    build(root, None, ("docx",))
    folder = root / "reports" / "2025H1"
    assert [p.suffix for p in folder.iterdir() if p.suffix in (".docx", ".pdf")] == [".docx"]
    docx_path = next(folder.glob("*.docx"))
    entries = _contents_pages(docx_path)
    assert entries and all(page.isdigit() for _, page in entries)
    with zipfile.ZipFile(docx_path) as z:
        assert b"updateFields" not in z.read("word/settings.xml")
