"""The HTML page: the sample digest as a reader opens it in a browser, and the page in a real one.

The sample is built as a user builds it (``api.build`` with html, docx and pdf); the DOCX is
the reference for what the page must hold. Then a headless chromium (tests/browser.py) loads
the file at 360 px, the narrowest phone, and at a desktop's width.
"""

from __future__ import annotations

import base64
import re
import sys
from pathlib import Path

import docx
import lxml.html
import pytest

from jianbao import api
from jianbao.ir import Chapter, Heading, Paragraph, Run, Table
from jianbao.manifest import read_manifest
from jianbao.scaffold import init_project
from jianbao.theme import load_theme
from jianbao.writers.html import render_html

from ir_samples import every_node_document

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from browser import browser, set_width  # noqa: E402,F401  (browser is a fixture)

PNG = b"\x89PNG\r\n\x1a\n"
DATA_PNG = "data:image/png;base64,"
HOSTILE = "<script>alert('x')</script>比较<a&b>运算\"引号\"结束。"


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict:
    root = init_project(tmp_path_factory.mktemp("html") / "digest")
    result = api.build(root, "2025H1", ("html", "docx", "pdf"))
    paths = {f.format: f.path for f in result.files}
    raw = paths["html"].read_bytes()
    return {"root": root, "paths": paths, "raw": raw, "page": lxml.html.fromstring(raw),
            "word": docx.Document(str(paths["docx"]))}


def test_the_page_is_one_self_contained_chinese_page(sample):
    raw, page = sample["raw"], sample["page"]
    assert raw.startswith(b"<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert page.xpath("//meta[@name='viewport']/@content") == ["width=device-width, initial-scale=1"]
    assert page.xpath("//meta[@charset]/@charset") == ["utf-8"]
    assert "工业和信息化发展简报" in page.findtext(".//title")
    assert len(page.xpath("//style")) == 1 and not page.xpath("//link | //script | //iframe | //object")
    manifest = read_manifest(sample["paths"]["html"].parent)
    record = next(o for o in manifest.outputs if o.format == "html")
    assert record.file.endswith(".html") and record.pages is None


def test_the_page_holds_every_heading_caption_key_point_and_cell(sample):
    """What the DOCX shows as headings, captions and table cells, and the manifest's key points."""
    text = squash(sample["page"].text_content())
    word = sample["word"]
    headings = [p.text for p in word.paragraphs if p.style.name.lower().startswith("heading")]
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert len(headings) > 20 and len(captions) > 5
    for expected in headings + captions:
        assert squash(expected) in text, expected
    page_headings = [squash(h.text_content()) for h in sample["page"].xpath("//h2[@class='h1']")]
    assert page_headings == [squash(h) for h in headings if re.match(r"^[一二三四五六七八九十]+、|^附", h)]
    cells = {squash(c.text) for t in word.tables for row in t.rows for c in row.cells} - {""}
    page_cells = {squash(c.text_content()) for c in sample["page"].iter("td", "th")}
    closing = {squash(c.text) for c in word.tables[-1].columns[0].cells}  # the 版记, not a table in HTML
    assert cells - closing <= page_cells
    for point in read_manifest(sample["paths"]["html"].parent).summary.key_points:
        assert squash(point) in text, point
    for line in closing:
        assert line in text


def test_every_figure_is_an_inline_png_with_its_size_and_caption(sample):
    page = sample["page"]
    figures = page.xpath("//figure[@class='figure']")
    word_figures = [p.text for p in sample["word"].paragraphs if p.style.name == "Caption" and p.text[0] == "图"]
    assert len(figures) == len(word_figures) > 0
    for figure in figures:
        (img,) = figure.iter("img")
        src = img.get("src")
        assert src.startswith(DATA_PNG)
        assert base64.b64decode(src[len(DATA_PNG):], validate=True).startswith(PNG)
        assert int(img.get("width")) > 100 and int(img.get("height")) > 50
        caption = figure.findtext("figcaption")
        assert re.match(r"^图\d+\u3000", caption) and img.get("alt") == caption.split("\u3000", 1)[1]


def test_the_contents_link_to_headings_on_the_page(sample):
    page = sample["page"]
    ids = {el.get("id") for el in page.iter() if el.get("id")}
    links = page.xpath("//nav[@class='contents']//a/@href")
    assert len(links) == 8  # seven chapters and the appendix
    for href in links:
        assert href.startswith("#") and href[1:] in ids, href
    targets = [squash(page.get_element_by_id(h[1:]).text_content()) for h in links]
    assert targets == [squash(a.text_content()) for a in page.xpath("//nav[@class='contents']//a")]
    assert page.xpath("//h2[@class='keypoints-title']/@id")  # 本期要点 has its anchor, as its bookmark


def test_the_page_loads_nothing_from_outside(sample):
    page, raw = sample["page"], sample["raw"].decode("utf-8")
    for src in page.xpath("//@src"):
        assert src.startswith(DATA_PNG), src[:60]
    for href in page.xpath("//@href"):
        assert href.startswith("#"), href
    style = page.findtext(".//style")
    assert "url(" not in style and "@import" not in style
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|file:|//)""", raw)


def test_hostile_text_is_escaped(tmp_path):
    """A highlight with markup (see tests/test_build.py): shown as text, never run or parsed as tags."""
    root = init_project(tmp_path / "hostile")
    highlights = root / "data" / "highlights" / "industry.yaml"
    text = HOSTILE.replace('"', '\\"')
    highlights.write_text(
        highlights.read_text(encoding="utf-8")
        + f'\n- sector: industry\n  period: 2025H1\n  kind: highlight\n  title: 测试\n  text: "{text}\\v后🚀"\n',
        encoding="utf-8",
    )
    result = api.build(root, None, ("html",))
    raw = result.files[0].path.read_bytes().decode("utf-8")
    assert "<script" not in raw and "<a&b>" not in raw
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in raw
    page = lxml.html.fromstring(raw)
    assert not page.xpath("//script") and not page.xpath("//a[not(@href)]")
    assert squash(HOSTILE + "后🚀") in squash(page.text_content())


def test_same_tree_same_bytes(tmp_path):
    doc, _ = every_node_document(tmp_path)
    theme = load_theme()
    assert render_html(doc, theme) == render_html(doc, theme)


def test_only_safe_links_are_clickable(tmp_path):
    doc, _ = every_node_document(tmp_path)
    chapter = next(p for p in doc.parts if isinstance(p, Chapter))
    chapter.blocks.append(Paragraph([Run("坏链接", href="javascript:alert(1)"), Run("邮件", href="mailto:a@b.cn")]))
    page = lxml.html.fromstring(render_html(doc, load_theme()))
    hrefs = set(page.xpath("//a/@href"))
    assert "mailto:a@b.cn" in hrefs and not any(h.lower().startswith("javascript") for h in hrefs)
    assert "坏链接" in page.text_content()


# -- in a real browser -------------------------------------------------------------
def _layout(driver) -> dict:
    return driver.execute_script("""
        const root = document.documentElement;
        return {inner: window.innerWidth, scroll: root.scrollWidth,
                images: Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.getBoundingClientRect().right]),
                wraps: Array.from(document.querySelectorAll('.table-wrap')).map(w => [w.scrollWidth, w.clientWidth]),
                widest: Math.max(...Array.from(document.querySelectorAll('main *')).map(e => e.getBoundingClientRect().right))};
    """)


def test_the_page_fits_a_phone_and_shows_every_chart(sample, browser):
    browser.get(sample["paths"]["html"].as_uri())
    layout = _layout(browser)
    assert layout["inner"] == 360
    assert layout["scroll"] <= layout["inner"], layout["scroll"]
    assert layout["images"] and all(done and width > 0 and right <= 360 for done, width, right in layout["images"])
    set_width(browser, 1000)
    wide = _layout(browser)
    assert wide["inner"] == 1000 and wide["scroll"] <= 1000
    set_width(browser, 360)


def test_a_wide_table_scrolls_in_its_box_and_a_long_run_wraps(tmp_path, browser):
    """A table of many numeric columns and a 200-character token: the page itself never scrolls."""
    doc, _ = every_node_document(tmp_path)
    chapter = next(p for p in doc.parts if isinstance(p, Chapter))
    columns = 14
    chapter.blocks += [
        Heading(2, "宽表", "（二）"),
        Table(9, "十四列的表", [["指标", *(f"2025年{m}月" for m in range(1, columns))]],
              [["规模以上工业增加值增速", *("1234567.8" for _ in range(1, columns))]],
              [False, *([True] * (columns - 1))], widths=[1 / columns] * columns),
        Paragraph([Run("长串" + "A" * 200 + "https://example.com/" + "x" * 120)]),
    ]
    page = tmp_path / "wide.html"
    page.write_bytes(render_html(doc, load_theme()))
    browser.get(page.as_uri())
    layout = _layout(browser)
    assert layout["scroll"] <= layout["inner"] == 360
    assert any(scroll > client for scroll, client in layout["wraps"])  # the wide one scrolls inside its box
