"""Column widths: what fits grows in proportion; short columns keep their width when space is short."""

import pytest

from jianbao.document.transforms import column_widths


@pytest.mark.parametrize(
    "natural, total, expected",
    [
        ([10, 30], 80, [20, 60]),  # fits: proportional growth
        ([300, 40, 40], 200, [120, 40, 40]),  # too wide: the short columns keep theirs
        ([300, 100, 40], 200, [80, 80, 40]),  # the rest share what is left in proportion
        ([0, 0], 100, [50, 50]),
        ([], 100, []),
    ],
)
def test_column_widths(natural, total, expected) -> None:
    widths = column_widths(natural, total)
    assert widths == pytest.approx(expected)
    assert sum(widths) == pytest.approx(total if natural else 0)
