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
