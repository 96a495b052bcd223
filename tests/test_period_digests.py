"""Digests of every kind of period, end to end: what a reader of the md, DOCX and PDF sees.

Each case in tests/fixtures/periods/ (every figure there is SYNTHETIC; see its README) is
laid over a copy of the sample project and built once for its period: a month (2026M03),
a quarter from cumulative months (2026Q1), a quarter from quarter codes (2026Q1), 1—9月
(2026M01-09), a year (2025) and a half-year at the edges of the phrasing rules (2026H1).
The case's ``case.toml`` says what a reader must see (``present``), must never see
(``absent``), which period label each figure must be said with (``labelled``), which chart
values must add up (``composition``) and which share the catalog derives (``derive``).

Four readers look at each digest: the Markdown as written, the DOCX through python-docx
(every paragraph, table cells included), the DOCX through LibreOffice headless (converted
to text once for all cases) and the PDF through poppler's pdftotext. Whitespace is removed
before searching, since the PDF breaks lines inside sentences.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from docx import Document as DocxDocument
from docx.oxml.ns import qn

from jianbao import api
from jianbao.scaffold import init_project

CASES_DIR = Path(__file__).resolve().parent / "fixtures" / "periods"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "case.toml").is_file())
READERS = ("md", "docx", "docx-libreoffice", "pdf")
DOCUMENT_READERS = ("docx", "docx-libreoffice", "pdf")

# A period label as a reader sees it in front of a figure: 一季度, 前三季度, 上半年, 全年,
# 1—8月(份), 3月(份), 截至9月底 / 9月末, 年末 / 年底, 7月18日.
LABEL = re.compile(
    r"前三季度|[一二三四]季度|[上下]半年|全年|年末|年底"
    r"|\d{1,2}—\d{1,2}月份?|\d{1,2}月(?:份|底|末|\d{1,2}日)?"
)
LABEL_WINDOW = 60  # characters before a figure searched for its period label
PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$")


@dataclass
class Digest:
    case: str
    spec: dict
    root: Path
    error: str | None = None
    files: dict[str, Path] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # reader → text, whitespace removed
    reader_errors: dict[str, str] = field(default_factory=dict)


# ---- making and reading the digests ------------------------------------------------------------


def load_case(case: str) -> dict:
    with open(CASES_DIR / case / "case.toml", "rb") as f:
        return tomllib.load(f)


def squash(text: str) -> str:
    """The text with every whitespace character (and zero-width space, soft hyphen) removed."""
    return "".join(text.replace("\u200b", "").replace("\u00ad", "").split())


def make_project(root: Path, case: str, spec: dict) -> Path:
    """A copy of the sample project with the case's rows and highlights laid over its data,
    numbered from the case's period (第1期) and dated by the case."""
    init_project(root)
    folder = CASES_DIR / case
    shutil.copyfile(folder / "observations.csv", root / "data" / "observations" / f"synthetic_{case}.csv")
    if (folder / "highlights.yaml").is_file():
        shutil.copyfile(folder / "highlights.yaml", root / "data" / "highlights" / f"synthetic_{case}.yaml")
    _set_issue(root / "jianbao.toml", spec["period"], spec.get("issue_date"))
    return root


def _set_issue(config: Path, period: str, day) -> None:
    text = config.read_text(encoding="utf-8")
    text, found = re.subn(r"(?m)^first_period\s*=.*$", f'first_period = "{period}"', text)
    if not found:
        text, found = re.subn(r"(?m)^\[digest\]\s*$", f'[digest]\nfirst_period = "{period}"', text, count=1)
    assert found, f"{config}: no [digest] table to set first_period in"
    text = re.sub(r"(?m)^first_issue\s*=.*$", "first_issue = 1", text)
    if day is not None:
        line = f'"{period}" = {day.isoformat()}'
        text, found = re.subn(r"(?m)^\[digest\.dates\]\s*$", f"[digest.dates]\n{line}", text, count=1)
        if not found:
            text += f"\n[digest.dates]\n{line}\n"
    config.write_text(text, encoding="utf-8")
    digest = tomllib.loads(text)["digest"]
    assert digest["first_period"] == period and digest.get("first_issue", 1) == 1


def docx_text(path: Path) -> str:
    """Every paragraph of the body as python-docx reads it, table cells and text boxes included."""
    body = DocxDocument(str(path)).element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def docx_outline(path: Path) -> list[tuple[int | None, str]]:
    """The body in reading order: (heading level, text) for headings, (None, text) for anything
    a reader sees under a heading (a paragraph with text, a picture, a table)."""
    doc = DocxDocument(str(path))
    names = {s.style_id: s.name for s in doc.styles}
    items: list[tuple[int | None, str]] = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            items.append((None, "[table]"))
            continue
        if child.tag != qn("w:p"):
            continue
        text = "".join(t.text or "" for t in child.iter(qn("w:t"))).strip()
        style = child.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        name = names.get(style.get(qn("w:val")), "") if style is not None else ""
        level = re.fullmatch(r"Heading (\d)", name)
        if level and text:
            items.append((int(level.group(1)), text))
        elif text or child.find(f".//{qn('w:drawing')}") is not None:
            items.append((None, text or "[picture]"))
    return items


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    return "\n".join(line for line in out.splitlines() if not PAGE_NUMBER.fullmatch(line))


def libreoffice_texts(docx: dict[str, Path], workdir: Path) -> dict[str, str]:
    """Each DOCX converted to text by LibreOffice headless, all in one run of soffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is required to read the DOCX a second way")
    inputs, out, profile = workdir / "in", workdir / "out", workdir / "profile"
    inputs.mkdir(parents=True)
    copies = []
    for case, path in docx.items():  # two cases share a period, so their files share a name
        copies.append(inputs / f"{case}.docx")
        shutil.copyfile(path, copies[-1])
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(out), *map(str, copies)],
        check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(profile)},
    )
    texts = {}
    for case in docx:
        result = out / f"{case}.txt"
        if not result.is_file():
            raise RuntimeError(f"LibreOffice wrote no {result.name}")
        texts[case] = result.read_text(encoding="utf-8-sig")
    return texts


def build_case(root: Path, case: str) -> Digest:
    spec = load_case(case)
    digest = Digest(case, spec, root)
    make_project(root, case, spec)
    try:
        result = api.build(root, spec["period"], formats=tuple(spec.get("formats", ("md", "docx", "pdf"))))
    except Exception as e:  # the failure is what the tests report, case by case
        digest.error = f"{type(e).__name__}: {e}"
        return digest
    digest.files = {f.format: f.path for f in result.files}
    for reader, read, fmt in (("md", lambda p: p.read_text(encoding="utf-8"), "md"),
                              ("docx", docx_text, "docx"), ("pdf", pdf_text, "pdf")):
        if fmt not in digest.files:
            digest.reader_errors[reader] = f"the build wrote no {fmt} file"
            continue
        try:
            digest.texts[reader] = squash(read(digest.files[fmt]))
        except Exception as e:
            digest.reader_errors[reader] = f"{type(e).__name__}: {e}"
    return digest


@pytest.fixture(scope="module")
def digests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Digest]:
    """Every case built once; the DOCX files then read by LibreOffice in one conversion."""
    base = tmp_path_factory.mktemp("periods")
    built = {case: build_case(base / case, case) for case in CASES}
    docx = {case: d.files["docx"] for case, d in built.items() if "docx" in d.files}
    if docx:
        try:
            for case, text in libreoffice_texts(docx, base / "libreoffice").items():
                built[case].texts["docx-libreoffice"] = squash(text)
        except Exception as e:
            detail = getattr(e, "stderr", b"") or b""
            message = f"{type(e).__name__}: {e} {detail.decode(errors='replace')[-500:]}".strip()
            for case in docx:
                built[case].reader_errors["docx-libreoffice"] = message
    for d in built.values():
        if "docx" not in d.files:
            d.reader_errors.setdefault("docx-libreoffice", "the build wrote no docx file")
    return built


def text_of(digests: dict[str, Digest], case: str, reader: str) -> str:
    d = digests[case]
    if d.error is not None:
        pytest.fail(f"{case} ({d.spec['period']}): the build failed: {d.error}")
    if reader in d.reader_errors:
        pytest.fail(f"{case}: the {reader} reader failed: {d.reader_errors[reader]}")
    return d.texts[reader]


# ---- searching ---------------------------------------------------------------------------------


def pattern(needle: str) -> re.Pattern[str]:
    """What counts as the needle in squashed text.

    A number does not match inside a longer number ("6.4%" is not in "16.4%"); a Latin word
    ("None", "nan") does not match inside a longer word and matches in any case ("NaN").
    """
    n = squash(needle)
    body = re.escape(n)
    if n.isascii() and n.isalpha():
        return re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])", re.IGNORECASE)
    if n[:1].isdigit():
        body = rf"(?<![0-9.]){body}"
    return re.compile(body)


def contains(text: str, needle: str) -> bool:
    return pattern(needle).search(text) is not None


def context(text: str, needle: str, width: int = 30) -> str:
    m = pattern(needle).search(text)
    return text[max(0, m.start() - width):m.end() + width] if m else ""


def wanted(spec: dict, reader: str) -> list[str | list[str]]:
    items = list(spec.get("present", []))
    if reader in DOCUMENT_READERS:
        items += spec.get("present_documents", [])
    return items


# ---- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_the_digest_builds(digests, case: str) -> None:
    d = digests[case]
    assert d.error is None, f"{case} ({d.spec['period']}): the build failed: {d.error}"
    assert set(d.files) >= set(d.spec.get("formats", ("md", "docx", "pdf")))


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("case", CASES)
def test_a_reader_sees_every_expected_figure_and_label(digests, case: str, reader: str) -> None:
    text = text_of(digests, case, reader)
    missing = []
    for item in wanted(digests[case].spec, reader):
        options = [item] if isinstance(item, str) else list(item)
        if not any(contains(text, o) for o in options):
            missing.append(" or ".join(options))
    assert not missing, f"{case} ({reader}): not found: {missing}"


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("case", CASES)
def test_a_reader_never_sees_another_periods_figure_or_a_mistake(digests, case: str, reader: str) -> None:
    text = text_of(digests, case, reader)
    found = {n: context(text, n) for n in digests[case].spec.get("absent", []) if contains(text, n)}
    assert not found, f"{case} ({reader}): must not appear: {found}"


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("case", CASES)
def test_each_figure_is_said_with_its_own_period(digests, case: str, reader: str) -> None:
    """The period label nearest before each occurrence of the figure is the figure's own."""
    text = text_of(digests, case, reader)
    problems = []
    for item in digests[case].spec.get("labelled", []):
        figure, labels = item["figure"], item["labels"]
        occurrences = list(pattern(figure).finditer(text))
        if not occurrences:
            problems.append(f"{figure}: not found")
        for m in occurrences:
            window = text[max(0, m.start() - LABEL_WINDOW):m.start()]
            said = LABEL.findall(window)
            if said and said[-1] not in labels:
                problems.append(f"{figure} is said with {said[-1]!r}, expected {' or '.join(labels)}: "
                                f"…{window[-40:]}{figure}")
    assert not problems, f"{case} ({reader}): " + "; ".join(problems)


@pytest.mark.parametrize("case", CASES)
def test_no_section_is_left_empty(digests, case: str) -> None:
    """A section whose sentences and charts all dropped drops its heading too."""
    d = digests[case]
    if d.error is not None:
        pytest.fail(f"{case} ({d.spec['period']}): the build failed: {d.error}")
    items = docx_outline(d.files["docx"])
    empty = []
    for i, (level, text) in enumerate(items):
        if level is None:
            continue
        following = items[i + 1] if i + 1 < len(items) else None
        if following is None or (following[0] is not None and following[0] <= level):
            empty.append(f"{text} (followed by {following[1] if following else 'the end'})")
    assert not empty, f"{case} (docx): headings with nothing under them: {empty}"


COMPOSITIONS = [(case, c) for case in CASES for c in load_case(case).get("composition", [])]


@pytest.mark.parametrize(("case", "composition"), COMPOSITIONS,
                         ids=[f"{case}-{c['chart']}" for case, c in COMPOSITIONS])
def test_a_composition_chart_adds_up_to_100(digests, case: str, composition: dict) -> None:
    """The value labels a reader sees on a pie: each part as published, together 100."""
    from jianbao.charts import chart_data, load_chart_specs
    from jianbao.data import load_dataset
    from jianbao.periods import parse_period
    from jianbao.project import open_project

    project = open_project(digests[case].root)
    spec = load_chart_specs(project.templates_dir)[composition["chart"]]
    data = chart_data(spec, load_dataset(project.data_dir), parse_period(digests[case].spec["period"]))
    texts = [t for s in data.series for t in s.texts]
    assert sum(Decimal(t) for t in texts) == 100, f"{composition['chart']}: {texts} do not add up to 100"
    assert texts == composition["texts"]


DERIVED = [case for case in CASES if "derive" in load_case(case)]


def add_derive_rule(catalog: Path, indicator: str, rule: dict) -> None:
    """Declare ``derive: <rule>`` on the catalog entry of ``indicator``, keeping the file as it is."""
    data = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    entry = next((s["indicators"][indicator] for s in data.values()
                  if isinstance(s, dict) and indicator in (s.get("indicators") or {})), None)
    assert entry is not None, f"{catalog}: no indicator {indicator}"
    if entry.get("derive") == rule:
        return  # the catalog declares it already
    assert "derive" not in entry, f"{catalog}: {indicator} derives {entry['derive']!r} already"
    lines = catalog.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if re.fullmatch(rf"\s+{indicator}:\s*", line))
    indent = re.match(r"\s*", lines[at + 1]).group(0)
    flow = "{" + ", ".join(f"{k}: [{', '.join(v)}]" for k, v in rule.items()) + "}"
    lines.insert(at + 1, f"{indent}derive: {flow}\n")
    catalog.write_text("".join(lines), encoding="utf-8")
    assert yaml.safe_load(catalog.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize("case", DERIVED)
def test_a_share_the_catalog_derives_is_printed(tmp_path: Path, case: str) -> None:
    spec = load_case(case)
    derive = spec["derive"]
    root = make_project(tmp_path / case, case, spec)
    add_derive_rule(root / "data" / "catalog.yaml", derive["indicator"], derive["rule"])
    result = api.build(root, spec["period"], formats=("md", "docx", "pdf"))
    files = {f.format: f.path for f in result.files}
    texts = {"md": squash(files["md"].read_text(encoding="utf-8")), "docx": squash(docx_text(files["docx"])),
             "pdf": squash(pdf_text(files["pdf"]))}
    missing = {reader: [n for n in derive["present"] if not contains(text, n)] for reader, text in texts.items()}
    assert not any(missing.values()), f"{case}: derived {derive['indicator']} not printed: {missing}"


def test_validate_with_a_period_says_what_each_chapter_will_lack(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from jianbao.cli import main

    spec = load_case("month")
    root = make_project(tmp_path / "month", "month", spec)
    result = CliRunner().invoke(main, ["validate", "--project", str(root), "--period", spec["period"]])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note: chapter ")]
    assert notes, result.output
    assert any("left out" in n or "dropped a sentence" in n for n in notes)
    assert f"for a digest of {spec['period']}" in result.output.splitlines()[-1]
    nothing = CliRunner().invoke(main, ["validate", "--project", str(root), "--period", "2030M03"])
    assert nothing.exit_code == 1
    assert "no figure of period 2030M03" in nothing.output
