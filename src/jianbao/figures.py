"""The one figure formatter: how a published figure prints, in the text, tables, charts and appendix.

Every printed figure comes through here, so a reader sees the same digits
wherever the figure appears. The rules (../shared/DESIGN.md, "Domain
conventions"):

- Precision. The catalog's ``decimals`` are the most digits an indicator is
  published with. Rates (kinds in :data:`RATE_KINDS`) always show them, with
  trailing zeros (6.0%); levels show the digits the data holds, up to
  ``decimals``, never padded (455万个 and 483.8万个 under ``decimals: 1``). A
  bound keeps the digits it was stored with (8%以上, never 8.0%以上).
- Rounding. A figure with more digits than it prints is rounded half-up,
  except a bound, which is rounded the way that keeps the claim true: a lower
  bound (超过, 超, 以上, 余, 多) toward zero (超过3.6 → 超过3), an upper bound
  (近) away from zero (近39.6 → 近40); 约 is half-up.
- Scale. Base units (家, 个, 元, 人 …) are scaled to 万/亿 keeping every
  published digit: 140000家 → 14万家, 18500个 → 1.85万个. Units that already
  carry a magnitude (万辆, 亿元), rates and Latin units (EFLOPS) print as stored.
- Qualifiers sit where Chinese puts them: 超过79%, 3000余个, 14万余家, 8%以上.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

from jianbao.numbers import round_to, shown_decimals, stored_decimals

RATE_KINDS = frozenset({"growth", "share", "pp", "pull", "contribution"})  # keep every published digit

PREFIX_QUALIFIERS = ("超过", "超", "近", "约")  # 超过79%, 近40万人
INFIX_QUALIFIERS = ("余", "多")  # 3000余个: between the number and the unit
SUFFIX_QUALIFIERS = ("以上",)  # 8%以上
QUALIFIERS = PREFIX_QUALIFIERS + INFIX_QUALIFIERS + SUFFIX_QUALIFIERS

LOWER_BOUNDS = ("超过", "超", "以上", "余", "多")  # the true value is above the printed one
UPPER_BOUNDS = ("近",)  # the true value is just below the printed one

PP = "个百分点"
CHINESE_TENTHS = "一二三四五六七八九"  # 六成以上
_UNSCALED_PREFIXES = ("万", "亿", "百", "千")  # a unit that already carries a magnitude
_MAGNITUDES = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))


def check_qualifier(qualifier: str) -> None:
    """A qualifier outside the vocabulary is a programming or data error, never printed."""
    if qualifier and qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)}")


def rounding(qualifier: str = "") -> str:
    """The ``decimal`` rounding mode that keeps a figure with this qualifier true."""
    check_qualifier(qualifier)
    if qualifier in LOWER_BOUNDS:
        return ROUND_DOWN  # 超过3.6 → 超过3: still more than 3
    if qualifier in UPPER_BOUNDS:
        return ROUND_UP  # 近39.6 → 近40: still just under 40
    return ROUND_HALF_UP


def round_figure(value: Decimal, decimals: int, qualifier: str = "") -> Decimal:
    """``value`` to ``decimals`` places: half-up, or toward the side a bound claims."""
    rounded = round_to(value, decimals, rounding(qualifier))
    return abs(rounded) if rounded == 0 else rounded  # never "-0.0"


def decimals_shown(value: Decimal, published: int, kind: str, qualifier: str = "") -> int:
    """How many decimals a figure prints (see the module docstring: rates pad, levels and bounds do not)."""
    if kind in RATE_KINDS:
        return shown_decimals(value, published, qualifier)
    return min(stored_decimals(value), published)


def number(value: Decimal, decimals: int, qualifier: str = "") -> str:
    """The digits: rounded as :func:`round_figure` does, exactly ``decimals`` places, no separators."""
    return f"{round_figure(value, decimals, qualifier):f}"


def qualified(digits: str, unit: str, qualifier: str = "") -> str:
    """Place a qualifier where Chinese puts it: 超过79%, 3000余个, 8%以上, 14万余家 (unit 万家)."""
    check_qualifier(qualifier)
    if qualifier in PREFIX_QUALIFIERS:
        return f"{qualifier}{digits}{unit}"
    if qualifier in INFIX_QUALIFIERS:
        # A scaled unit keeps its magnitude before the qualifier: 14万余家.
        magnitude = unit[:1] if unit[:1] in ("万", "亿") and len(unit) > 1 else ""
        return f"{digits}{magnitude}{qualifier}{unit[len(magnitude):]}"
    return f"{digits}{unit}{qualifier}"


def scalable(unit: str) -> bool:
    """A base unit in Chinese (家, 个, 元): printed in 万/亿 once the figure reaches them."""
    return bool(unit) and not unit.startswith(_UNSCALED_PREFIXES) and all(
        "\u4e00" <= ch <= "\u9fff" for ch in unit
    ) and unit not in (PP, "倍")


def _digits_and_magnitude(value: Decimal, unit: str, decimals: int, qualifier: str,
                          scale: bool) -> tuple[str, str]:
    """The printed digits and the magnitude (万, 亿 or "") they are in."""
    rounded = round_figure(value, decimals, qualifier)
    if scale and scalable(unit):
        for factor, name in _MAGNITUDES:
            if abs(rounded) >= factor:
                return f"{(rounded / factor).normalize():f}", name
    return f"{rounded:f}", ""


def format_figure(value: Decimal, unit: str, decimals: int, qualifier: str = "", *,
                  scale: bool = True, with_unit: bool = True) -> str:
    """A figure with exactly ``decimals`` digits (before any 万/亿 scaling), qualifier in place.

    1562.1万辆, 14万余家, 超过79%, 8%以上, 六成以上. ``with_unit=False`` leaves the
    unit out but keeps a magnitude the scaling added, for a cell or label whose
    unit is printed elsewhere: 1562.1, 14万余, 超过360, 8以上.
    """
    digits, magnitude = _digits_and_magnitude(value, unit, decimals, qualifier, scale)
    if not with_unit:
        return qualified(digits + magnitude, "", qualifier)
    tenths = Decimal(digits)
    if unit == "成" and not magnitude and tenths == tenths.to_integral_value() and 1 <= tenths <= 9:
        return qualified(CHINESE_TENTHS[int(tenths) - 1], unit, qualifier)  # 六成以上
    return qualified(digits, magnitude + unit, qualifier)


def figure_text(value: Decimal, unit: str, published: int, kind: str, qualifier: str = "", *,
                scale: bool = True, with_unit: bool = True) -> str:
    """A catalog figure as it prints everywhere: 1562.1万辆, 455万个, 14万余家, 超过79%, 8%以上, 6.0%.

    ``published`` is the catalog's ``decimals`` and ``kind`` its kind; see
    :func:`format_figure` for ``with_unit``.
    """
    decimals = decimals_shown(value, published, kind, qualifier)
    return format_figure(value, unit, decimals, qualifier, scale=scale, with_unit=with_unit)


def figure_parts(value: Decimal, unit: str, published: int, kind: str, qualifier: str = "", *,
                 scale: bool = True) -> tuple[str, str]:
    """The number (with its qualifier) and the unit it is in, for a separate unit column.

    140000家 超过 → ("超过14", "万家"); 8% 以上 → ("8以上", "%"); 3000个 余 → ("3000余", "个").
    """
    decimals = decimals_shown(value, published, kind, qualifier)
    digits, magnitude = _digits_and_magnitude(value, unit, decimals, qualifier, scale)
    return qualified(digits, "", qualifier), magnitude + unit
