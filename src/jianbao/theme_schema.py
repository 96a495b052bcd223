"""The theme's one schema: what every key of theme.toml may hold, checked before any writer reads it.

The built-in theme and a project's override are merged first, then checked
as a whole, so ``width_mm = "210"`` or a style with ``size = 0`` is reported by
``validate`` (every error, each with its key) instead of failing in a writer.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StringConstraints, ValidationError

from jianbao.errors import validation_problems

Family = Literal["song", "fangsong", "kai", "hei", "xiaobiaosong"]
Positive = Annotated[StrictFloat, Field(gt=0)]  # a strict float takes 12 and 10.5, never "12"
NonNegative = Annotated[StrictFloat, Field(ge=0)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Page(_Strict):
    width_mm: Positive
    height_mm: Positive
    margin_top_mm: NonNegative
    margin_bottom_mm: NonNegative
    margin_left_mm: NonNegative
    margin_right_mm: NonNegative
    footer_distance_mm: NonNegative = 7
    chars_per_line: Annotated[StrictInt, Field(ge=0, le=60)] = 0  # a character grid (GB/T 9704: 28); 0 = none


class Colors(_Strict):
    masthead: Color
    rule: Color
    text: Color
    caption: Color
    table_header_fill: Color
    table_rule: Color
    thematic_break: Color
    chart: list[Color] = Field(min_length=1)


class Charts(_Strict):
    font: Family = "hei"
    # pt as printed; below 5 no one reads it, above 16 (the body) no chart fits its labels
    font_size: Annotated[StrictFloat, Field(ge=5, le=16)] = 10.5


class Style(_Strict):
    family: Family
    size: Positive
    line_spacing: NonNegative = 0
    indent_chars: NonNegative = 0
    align: Literal["left", "center", "right", "justify"] = "left"
    bold: StrictBool = False
    color: Color | Literal[""] = ""
    space_before: NonNegative = 0  # pt above the block
    space_after: NonNegative = 0  # pt below the block


class Blocks(_Strict):
    quote_indent_chars: NonNegative
    list_level_indent_chars: NonNegative
    thematic_break_pt: NonNegative
    thematic_break_space_pt: NonNegative
    masthead_rule_pt: NonNegative
    masthead_rule_space_pt: NonNegative
    keypoints_rule_pt: NonNegative
    closing_outer_rule_pt: NonNegative
    closing_inner_rule_pt: NonNegative
    table_rule_pt: NonNegative
    table_cell_pad_x_pt: NonNegative
    table_cell_pad_y_pt: NonNegative
    figure_max_height_share: Annotated[StrictFloat, Field(gt=0, le=1)]
    # charts draw their text at [charts] font_size / figure_min_scale: below 0.5 it would be huge
    figure_min_scale: Annotated[StrictFloat, Field(ge=0.5, le=1)]
    long_table_rows: Annotated[StrictInt, Field(ge=1)]
    contents_levels: Annotated[StrictInt, Field(ge=0, le=3)]
    bookmark_levels: Annotated[StrictInt, Field(ge=0, le=3)]


class Profile(_Strict):
    song: str
    fangsong: str
    kai: str
    hei: str
    xiaobiaosong: str


class Docx(_Strict):
    latin: str
    # native: an editable chart (its data in an embedded workbook); picture: the PNG the PDF shows
    charts: Literal["native", "picture"] = "native"
    profiles: dict[str, Profile] = Field(min_length=1)


class FontFile(_Strict):
    file: str
    index: Annotated[StrictInt, Field(ge=0)] = 0


class Pdf(_Strict):
    fonts: dict[Family | Literal["latin", "fallback"], list[FontFile]] = Field(default_factory=dict)
    fallback_families: list[str] | None = None


class RoleFonts(_Strict):
    families: list[str] = Field(default_factory=list)
    stand_ins: list[str] = Field(default_factory=list)


class ThemeModel(_Strict):
    preset: Literal["gov", "classic", "compact"] = "gov"
    font_profile: str = "windows"
    page: Page
    colors: Colors
    charts: Charts = Field(default_factory=Charts)
    styles: dict[str, Style]
    blocks: Blocks
    docx: Docx
    fonts: dict[Family | Literal["latin"], RoleFonts] = Field(default_factory=dict)
    pdf: Pdf = Field(default_factory=Pdf)


def theme_problems(raw: dict, where: str) -> list[str]:
    """Every key of the merged theme that does not hold what it must, one line each (none when clean)."""
    try:
        model = ThemeModel.model_validate(raw)
    except ValidationError as exc:
        return validation_problems(exc, where)
    if model.font_profile not in model.docx.profiles:
        return [f"{where}: font_profile: expected one of {', '.join(model.docx.profiles)} ([docx.profiles.*]), "
                f"found {model.font_profile!r}"]
    return []
