"""The files' finish, as a reader's software shows it: title bar, page labels, dates, bookmarks."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import docx
import pypdf
import pytest

from jianbao import api
from jianbao.scaffold import init_project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    root = init_project(tmp_path_factory.mktemp("finish") / "digest")
    result = api.build(root, "2025H1", formats=("docx", "pdf"))
    return {f.format: f.path for f in result.files}


def test_the_pdf_viewer_shows_the_title_and_printed_page_numbers(built):
    reader = pypdf.PdfReader(built["pdf"])
    root = reader.trailer["/Root"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")
    assert root["/PageMode"] == "/UseOutlines"
    assert [reader.page_labels[i] for i in (0, 1, len(reader.pages) - 1)] == ["1", "2", str(len(reader.pages))]


def test_the_creation_date_is_the_issue_day_in_the_configured_time_zone(built):
    reader = pypdf.PdfReader(built["pdf"])
    assert reader.metadata["/CreationDate"] == "D:20250720000000+08'00'"
    created = docx.Document(str(built["docx"])).core_properties.created
    assert created.replace(tzinfo=timezone.utc) == datetime(2025, 7, 19, 16, 0, tzinfo=timezone.utc)


def test_the_key_points_and_the_appendix_have_bookmarks_in_both_files(built):
    reader = pypdf.PdfReader(built["pdf"])
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert top[0].title == "本期要点" and top[-1].title.startswith("附：")
    assert "本期要点" in reader.pages[reader.get_destination_page_number(top[0])].extract_text()
    word = docx.Document(str(built["docx"]))
    marked = [p.text for p in word.paragraphs if p._p.find(docx.oxml.ns.qn("w:bookmarkStart")) is not None]
    assert marked[0] == "本期要点" and marked[-1].startswith("附：")


def test_a_time_zone_that_does_not_exist_is_a_config_error(tmp_path):
    root = init_project(tmp_path / "digest")
    config = root / "jianbao.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[digest]", '[digest]\ntimezone = "Mars/Olympus"', 1),
                      encoding="utf-8")
    with pytest.raises(api.JianbaoError, match="Mars/Olympus"):
        api.build(root, "2025H1", formats=("md",))


def _part(path: Path, name: str) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


def test_the_docx_is_a_word_2013_document_that_compresses_chinese_punctuation(built):
    settings = _part(built["docx"], "word/settings.xml")
    assert 'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"' in settings
    assert '<w:characterSpacingControl w:val="compressPunctuation"/>' in settings


def test_the_docx_says_who_wrote_it_and_counts_its_words(built):
    app = _part(built["docx"], "docProps/app.xml")
    assert "<Application>jianbao</Application>" in app and "Macintosh" not in app
    words = int(app.split("<Words>")[1].split("<")[0])
    word = docx.Document(str(built["docx"]))
    text = "".join(p.text for p in word.paragraphs) + "".join(
        c.text for t in word.tables for row in t.rows for c in row.cells)
    assert 0.5 * len(text) < words <= len(text)


def test_the_font_table_lists_the_fonts_the_styles_name(built):
    table = _part(built["docx"], "word/fontTable.xml")
    for name in ("Times New Roman", "仿宋", "楷体", "黑体", "宋体"):
        assert f'w:name="{name}"' in table
    assert 'w:name="仿宋"><w:altName w:val="FangSong"/><w:charset w:val="86"/>' in table
    assert "明朝" not in table and "Cambria" not in table


def test_captions_number_with_seq_fields_word_can_update(built):
    word = docx.Document(str(built["docx"]))
    captions = [p for p in word.paragraphs if p.style.name == "Caption"]
    figures = [p for p in captions if p.text.startswith("图")]
    tables = [p for p in captions if p.text.startswith("表")]
    assert figures and tables
    for label, group in (("图", figures), ("表", tables)):
        for n, p in enumerate(group, start=1):
            instr = "".join(t.text for t in p._p.iter(docx.oxml.ns.qn("w:instrText")))
            assert instr.strip() == f"SEQ {label} \\* ARABIC" and p.text.startswith(f"{label}{n}　")


def test_keywords_come_from_the_config_when_it_names_them(tmp_path):
    root = init_project(tmp_path / "digest")
    config = root / "jianbao.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[digest]", '[digest]\nkeywords = ["工业运行", "信息通信"]', 1), encoding="utf-8")
    files = {f.format: f.path for f in api.build(root, "2025H1", formats=("docx", "pdf")).files}
    assert docx.Document(str(files["docx"])).core_properties.keywords == "工业运行, 信息通信"
    assert pypdf.PdfReader(files["pdf"]).metadata["/Keywords"] == "工业运行, 信息通信"


def test_the_default_keywords_name_no_internal_ids(built):
    keywords = docx.Document(str(built["docx"])).core_properties.keywords
    assert "工业和信息化发展简报" in keywords and "industry" not in keywords and "telecom" not in keywords


def test_the_masthead_name_is_bold_in_both_files(built):
    word = docx.Document(str(built["docx"]))
    assert word.styles["Masthead"].font.bold
    content = pypdf.PdfReader(built["pdf"]).pages[0].get_contents().get_data()
    assert b"2 Tr" in content  # fill and stroke: the synthetic bold of a face without a bold weight
