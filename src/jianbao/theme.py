"""Theme: page geometry, text styles, colours and fonts by role, for every writer.

The built-in ``theme.toml`` follows GB/T 9704-2012; a project's
``templates/theme.toml`` is merged over it key by key, so a user changes one
colour without copying the file. PDF fonts are discovered here (theme paths
first, then the system's TrueType CJK fonts through fontconfig) so that the
PDF writer and the chart painter embed the same faces.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jianbao.errors import JianbaoError, problem_list
from jianbao.resources import BUILTIN, builtin_file
from jianbao.theme_schema import theme_problems

FONT_PACKAGES = "fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei fonts-lxgw-wenkai"
# Last resorts for symbols and emoji the CJK faces lack, found through fontconfig;
# a theme's [pdf] fallback_families replaces the list, [[pdf.fonts.fallback]] pins files.
FALLBACK_FAMILIES = ("Symbola", "DejaVu Sans")
SYMBOL_PACKAGE = "fonts-symbola"
LATIN_PACKAGE = "fonts-liberation2"
LATIN = "latin"  # the role of Latin letters and digits (Word's w:ascii font)
PRESETS = ("gov", "classic", "compact")  # builtin/presets/<name>.toml
_REGULAR_STYLES = frozenset({"Regular", "Book", "Normal", "Roman"})


class ThemeError(JianbaoError, ValueError):
    """A theme file is malformed or names something that is not there; ``problems`` lists each one."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class FontNotFoundError(ThemeError):
    """No usable TrueType CJK font for a role: says what to install or configure."""


@dataclass(frozen=True)
class TextStyle:
    family: str
    size: float
    line_spacing: float = 0.0  # fixed pitch in pt; 0 = single
    indent_chars: float = 0.0
    align: str = "left"
    bold: bool = False
    color: str = ""  # empty = colors.text
    space_before: float = 0.0  # pt
    space_after: float = 0.0  # pt


@dataclass(frozen=True)
class FontFace:
    """One TrueType face usable by reportlab and matplotlib.

    ``family`` is the name fontconfig found it by ("" for a file the theme pinned);
    ``stand_in`` marks a face of another design standing in for the role (a 明体 for
    仿宋), which ``jianbao fonts`` and ``validate`` warn about.
    """

    role: str
    file: Path
    index: int = 0
    family: str = ""
    stand_in: bool = False

    @property
    def name(self) -> str:
        """A stable reportlab font name for this face."""
        return f"jb-{self.file.stem}-{self.index}"


@dataclass
class Theme:
    raw: dict[str, Any]
    base_dir: Path = field(default=Path("."))
    font_profile: str = "windows"

    # -- geometry -------------------------------------------------------
    @property
    def page(self) -> dict[str, float]:
        return self.raw["page"]

    @property
    def colors(self) -> dict[str, Any]:
        return self.raw["colors"]

    def tracking(self, size: float) -> float:
        """Space added to each full-width character of text ``size`` pt so that a full line holds
        ``[page] chars_per_line`` of the body's characters (GB/T 9704's 28); 0 without a grid
        or for another size (captions, tables keep their natural pitch)."""
        page = self.page
        per_line = page.get("chars_per_line", 0)
        if not per_line or size != self.style("body").size:
            return 0.0
        width_pt = (page["width_mm"] - page["margin_left_mm"] - page["margin_right_mm"]) * 72 / 25.4
        return width_pt / per_line - size

    @property
    def blocks(self) -> dict[str, float]:
        """Block geometry the text styles cannot say: indents, rule weights, cell padding, limits."""
        return self.raw["blocks"]

    def style(self, name: str) -> TextStyle:
        try:
            spec = dict(self.raw["styles"][name])
        except KeyError:
            raise ThemeError(f"theme: no style [styles.{name}]") from None
        return TextStyle(**spec)  # the schema (theme_schema.py) checked its fields when the theme loaded

    # -- fonts ----------------------------------------------------------
    def docx_font(self, family: str) -> str:
        """The font name a DOCX names for a role under the chosen profile."""
        profiles = self.raw["docx"]["profiles"]
        if self.font_profile not in profiles:
            raise ThemeError(
                f"theme: font_profile {self.font_profile!r} is not one of "
                f"{', '.join(sorted(profiles))} ([docx.profiles.*])"
            )
        return profiles[self.font_profile][family]

    @property
    def docx_latin_font(self) -> str:
        return self.raw["docx"]["latin"]

    def pdf_font(self, role: str) -> FontFace:
        """The TrueType face for a role: a file the theme pins, else the first of the role's
        ``[fonts.<role>] families`` fontconfig has (Chinese or English family name, or a file
        name such as simfang), else a stand-in (``stand_ins``, then any Chinese face)."""
        for cand in self.raw.get("pdf", {}).get("fonts", {}).get(role, []):
            path = Path(cand["file"])
            if not path.is_absolute():
                path = self.base_dir / path
            if _is_truetype(path):
                return FontFace(role, path, int(cand.get("index", 0)))
        wanted = self.raw.get("fonts", {}).get(role, {})
        for stand_in, names in ((False, wanted.get("families", [])), (True, wanted.get("stand_ins", []))):
            for name in names:
                found = _system_family_truetype(name)
                if found:
                    return FontFace(role, found[0], found[1], name, stand_in)
        system = _system_cjk_truetype() if role != LATIN else []
        if system:
            return FontFace(role, system[0][0], system[0][1], "", True)
        if role == LATIN:
            raise FontNotFoundError(
                f"no TrueType Latin serif found for the 'latin' role (tried {', '.join(wanted.get('families', []))}). "
                f"Install one (Debian: apt-get install {LATIN_PACKAGE}) or name a .ttf file in the theme: "
                "[[pdf.fonts.latin]] file = \"…\"")
        raise FontNotFoundError(
            f"no TrueType Chinese font found for the '{role}' role. "
            f"Install one (Debian: apt-get install {FONT_PACKAGES}) "
            f"or name a .ttf/.ttc file in the theme: [[pdf.fonts.{role}]] file = \"…\". "
            "CFF/OTF fonts such as fonts-noto-cjk cannot be embedded by reportlab."
        )

    def font_roles(self) -> list[str]:
        """Every font role the theme names faces for, the Latin one last."""
        roles = [r for r in self.raw.get("fonts", {}) if r != LATIN]
        return [*roles, LATIN] if LATIN in self.raw.get("fonts", {}) else roles

    def pdf_fallback_fonts(self) -> list[FontFace]:
        """TrueType faces tried after every role's for a character none of them has.

        The theme's ``[[pdf.fonts.fallback]]`` files first, then the families named by
        ``[pdf] fallback_families`` (default Symbola, DejaVu Sans) as fontconfig finds
        them; missing ones are skipped, since the glyph check reports what is left.
        """
        pdf = self.raw.get("pdf", {})
        faces: list[FontFace] = []
        for cand in pdf.get("fonts", {}).get("fallback", []):
            path = Path(cand["file"])
            if not path.is_absolute():
                path = self.base_dir / path
            if _is_truetype(path):
                faces.append(FontFace("fallback", path, int(cand.get("index", 0))))
        for family in pdf.get("fallback_families", FALLBACK_FAMILIES):
            found = _system_family_truetype(family)
            if found:
                faces.append(FontFace("fallback", *found))
        return list(dict.fromkeys(faces))


def _is_truetype(path: Path) -> bool:
    """True for a readable file whose header says TrueType outlines (or a TTC)."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError:
        return False
    return magic in (b"\x00\x01\x00\x00", b"true", b"ttcf")


@cache
def _system_cjk_truetype() -> list[tuple[Path, int]]:
    """Chinese TrueType faces fontconfig knows about, in a stable order."""
    if not shutil.which("fc-list"):
        return []
    out = subprocess.run(
        ["fc-list", ":lang=zh:fontformat=TrueType", "file", "index"],
        capture_output=True, text=True, check=False,
    ).stdout
    faces: list[tuple[Path, int]] = []
    for line in out.splitlines():
        file, _, rest = line.partition(":")
        index = int(rest.split("=")[-1]) if "index=" in rest else 0
        path = Path(file.strip())
        if _is_truetype(path):
            faces.append((path, index))
    return sorted(set(faces))


@cache
def _system_family_truetype(family: str) -> tuple[Path, int] | None:
    """The regular TrueType face fontconfig knows by a family name (any of its names, any
    language, compared as fontconfig does: ignoring case and blanks) or, failing that, by its
    file name without extension (simfang, STFANGSO)."""
    wanted = _family_key(family)
    faces = [(not regular, path, index) for path, index, families, regular in _system_truetype_faces()
             if wanted in families]
    if not faces:
        faces = [(False, path, index) for path, index, _, _ in _system_truetype_faces()
                 if path.stem.casefold() == family.casefold()]
    if not faces:
        return None
    _, path, index = min(faces)
    return path, index


def _family_key(name: str) -> str:
    return "".join(name.split()).casefold()


@cache
def _system_truetype_faces() -> list[tuple[Path, int, frozenset[str], bool]]:
    """Every TrueType face fontconfig knows: file, index, its family names (as ``_family_key``)
    and whether it is a regular style. One ``fc-list`` per process serves every look-up."""
    if not shutil.which("fc-list"):
        return []
    out = subprocess.run(["fc-list", "-f", "%{file}\t%{index}\t%{family}\t%{style}\n", ":fontformat=TrueType"],
                         capture_output=True, text=True, check=False).stdout
    found = set()
    for line in out.splitlines():
        file, index, families, style = (line.split("\t") + ["", "", ""])[:4]
        path = Path(file)
        if _is_truetype(path):
            names = frozenset(_family_key(name) for name in families.split(",") if name.strip())
            found.add((path, int(index or 0), names, style.split(",")[0] in _REGULAR_STYLES))
    return sorted(found, key=lambda face: (str(face[0]), face[1]))


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_theme(override: Path | None = None, font_profile: str | None = None) -> Theme:
    """The built-in theme, its preset (``preset = "gov"``, ``"classic"`` or ``"compact"``, see
    builtin/presets/) and a
    project's theme file merged over it in that order, checked against the schema."""
    builtin = builtin_file("theme.toml")
    raw = _read(builtin)
    base_dir, where = builtin.parent, "built-in theme.toml"
    project = _read(override) if override is not None and override.is_file() else {}
    preset = project.get("preset", raw.get("preset"))
    if preset in PRESETS:  # a wrong name is the schema's to report
        raw = _merge(raw, _read(BUILTIN / "presets" / f"{preset}.toml"))
    if project:
        raw = _merge(raw, project)
        base_dir, where = override.parent, str(override)
    problems = theme_problems(raw, where)
    if problems:
        raise ThemeError(problem_list(f"{where}: {len(problems)} problem(s) in the theme", problems), problems)
    profile = font_profile or raw.get("font_profile", "windows")
    return Theme(raw=raw, base_dir=base_dir, font_profile=profile)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path}: {exc}") from None
