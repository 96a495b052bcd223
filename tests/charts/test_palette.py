"""Chart series stay apart in black and white: every pair of theme colours differs in lightness.

A digest is often printed on a grey-scale printer; two series that are red and blue on
screen must not become one grey. Lightness is CIE L* (0 black … 100 white).
"""

from __future__ import annotations

from itertools import combinations

from jianbao.theme import load_theme

MIN_DIFFERENCE = 10.0


def lightness(color: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    y = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def test_every_pair_of_series_colours_differs_in_grey():
    colors = load_theme().colors["chart"]
    close = [(a, b, round(abs(lightness(a) - lightness(b)), 1)) for a, b in combinations(colors, 2)
             if abs(lightness(a) - lightness(b)) < MIN_DIFFERENCE]
    assert not close, f"series colours that print as the same grey: {close}"


def test_lightness_is_cie_l_star():
    assert round(lightness("#000000")) == 0 and round(lightness("#FFFFFF")) == 100
    assert round(lightness("#777777")) == 50
