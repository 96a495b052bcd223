"""Fonts are found by role through fontconfig, by Chinese or English family name or file name.

A face is "installed" the way a user installs one: a TrueType file in a folder
fontconfig reads (a private fonts.conf that includes the system's), renamed with
fontTools so that it carries the family name a Chinese office has (仿宋_GB2312).
`jianbao fonts` then runs as a user runs it. The digest's PDF sets Latin letters
and digits in a proportional serif, read back from the PDF's own font objects.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pypdf
import pytest
from fontTools.ttLib import TTFont

from jianbao import api
from jianbao.scaffold import init_project

DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def jianbao(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from jianbao.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def install_face(folder: Path, file_name: str, family: str) -> dict[str, str]:
    """A copy of DejaVu Sans named ``family`` as ``folder/file_name``, and an environment whose
    fontconfig sees that folder besides the system's fonts."""
    folder.mkdir(parents=True, exist_ok=True)
    font = TTFont(DEJAVU)
    names = font["name"]
    names.names = [r for r in names.names if r.nameID not in (1, 4, 6, 16)]
    for lang in (0x409, 0x804):  # English and zh-CN records, as a Chinese Windows font has
        for name_id in (1, 4, 16):
            names.setName(family, name_id, 3, 1, lang)
    names.setName("Renamed-Regular", 6, 3, 1, 0x409)
    font.save(folder / file_name)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n  <dir>{folder}</dir>\n"
        f"  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return init_project(tmp_path_factory.mktemp("fonts") / "digest")


def role_line(out: str, role: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(role + " "))


def test_an_installed_fangsong_gb2312_serves_the_fangsong_role(project, tmp_path):
    env = install_face(tmp_path / "fonts", "fs.ttf", "仿宋_GB2312")
    done = jianbao("fonts", "--project", str(project), env=env)
    assert done.returncode == 0, done.stderr
    line = role_line(done.stdout, "fangsong")
    assert "仿宋_GB2312" in line and str(tmp_path / "fonts" / "fs.ttf") in line and "stand-in" not in line
    assert "'fangsong'" not in done.stderr  # no stand-in warning for it any more


def test_a_face_is_found_by_its_file_name_too(project, tmp_path):
    env = install_face(tmp_path / "fonts", "simfang.ttf", "Some Vendor FangSong Name")
    line = role_line(jianbao("fonts", "--project", str(project), env=env).stdout, "fangsong")
    assert "simfang" in line and str(tmp_path / "fonts" / "simfang.ttf") in line


def test_without_a_fangsong_face_the_stand_in_is_named_and_warned_about(project):
    done = jianbao("fonts", "--project", str(project), env=dict(os.environ))
    assert "(stand-in)" in role_line(done.stdout, "fangsong")
    assert "font role 'fangsong'" in done.stderr and "仿宋_GB2312" in done.stderr
    assert "Liberation Serif" in role_line(done.stdout, "latin")


def test_a_theme_can_still_pin_a_file(project, tmp_path):
    pinned = tmp_path / "mine.ttf"
    pinned.write_bytes(DEJAVU.read_bytes())
    theme = project / "templates" / "theme.toml"
    theme.write_text(f'[[pdf.fonts.kai]]\nfile = "{pinned}"\n', encoding="utf-8")
    try:
        faces, _ = api.fonts(project)
    finally:
        theme.unlink()
    kai = next(f for f in faces if f.role == "kai")
    assert kai.file == pinned and not kai.stand_in


def test_the_pdf_sets_latin_letters_and_digits_in_a_proportional_serif(project):
    result = api.build(project, None, formats=("pdf",))
    pdf = next(f.path for f in result.files if f.format == "pdf")
    fonts = {}
    for page in pypdf.PdfReader(pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    latin = [f for name, f in fonts.items() if "LiberationSerif" in name]
    assert latin, f"no Liberation Serif among {sorted(fonts)}"
    widths = {float(w) for f in latin for w in f.get("/Widths", [])}
    assert len(widths) > 5  # proportional: "i" and "m" differ, unlike the 明体's half-em ASCII
