"""Decimal arithmetic the way Chinese statistics round: half-up (四舍五入).

Which way a *qualified* figure rounds (超过 down, 近 up) is a wording rule and
lives in :mod:`jianbao.figures`; this module only does the arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round to ``decimals`` places, half away from zero (2.25 → 2.3, -2.25 → -2.3)."""
    return round_to(value, decimals, ROUND_HALF_UP)


def round_to(value: Decimal, decimals: int, rounding: str) -> Decimal:
    """Round to ``decimals`` places with one of the ``decimal`` module's rounding modes."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=rounding)


def to_decimal(value: object) -> Decimal:
    """A Decimal from text or a number; floats go through repr so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def stored_decimals(value: Decimal) -> int:
    """How many decimals the value was written with: 455 → 0, 483.8 → 1, 6.0 → 1, 1E+3 → 0."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def shown_decimals(value: Decimal, published: int, qualifier: str = "") -> int:
    """Decimals to print for a rate: the published ones, except that a bound (8%以上, 超过14万家)
    keeps the digits it was stored with — the source wrote "8%以上", not "8.0%以上".

    Levels never pad at all; :func:`jianbao.figures.decimals_shown` applies both rules by kind.
    """
    if not qualifier:
        return published
    return min(stored_decimals(value), published)


def largest_remainder(values: Sequence[Decimal], decimals: int, total: Decimal | int = 100) -> list[Decimal]:
    """The values rounded to ``decimals`` so that the rounded ones add up to ``total`` exactly.

    Hamilton's method: every value is rounded down, then the units still missing
    go one each to the values that lost the most (ties to the earlier value). A
    composition printed this way always sums to its printed total (100.0, not
    100.1). ``total`` must be what the values add up to, give or take rounding.
    """
    unit = Decimal(1).scaleb(-decimals)
    target = Decimal(total)
    if round_to(target, decimals, ROUND_FLOOR) != target:
        raise ValueError(f"a total of {total} cannot be reached with {decimals} decimals")
    floors = [round_to(v, decimals, ROUND_FLOOR) for v in values]
    missing = (target - sum(floors, Decimal(0))) / unit
    if missing != missing.to_integral_value() or not 0 <= missing <= len(values):
        raise ValueError(f"values adding up to {sum(values, Decimal(0))} cannot be rounded to a total of {total}")
    lost = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for i in lost[: int(missing)]:
        floors[i] += unit
    return floors
