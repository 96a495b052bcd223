"""Decimal arithmetic the way Chinese statistics round: half-up (四舍五入)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round to ``decimals`` places, half away from zero (2.25 → 2.3, -2.25 → -2.3)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    """A Decimal from text or a number; floats go through repr so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def shown_decimals(value: Decimal, published: int, qualifier: str = "") -> int:
    """Decimals to print: the published ones, except that a bound (8%以上, 超过14万家)
    keeps the digits it was stored with — the source wrote "8%以上", not "8.0%以上"."""
    if not qualifier:
        return published
    exponent = value.as_tuple().exponent
    stored = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(stored, published)
