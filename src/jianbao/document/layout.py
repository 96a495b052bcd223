"""Layout decisions both writers make alike, so a table looks the same in DOCX and PDF."""

from __future__ import annotations


def column_widths(natural: list[float], total: float) -> list[float]:
    """Share ``total`` among columns whose unwrapped widths are ``natural``.

    When everything fits, each column grows in proportion. Otherwise columns
    narrower than a fair share keep their natural width (short labels and
    numbers never wrap) and the wide ones share what is left equally (max-min
    fairness: a medium column is not squeezed to feed a very long one).
    """
    if not natural:
        return []
    if not any(natural):
        return [total / len(natural)] * len(natural)
    if sum(natural) <= total:
        return [total * w / sum(natural) for w in natural]
    widths = list(natural)
    wide = list(range(len(natural)))
    remaining = total
    while wide:
        share = remaining / len(wide)
        narrow = [i for i in wide if natural[i] <= share]
        if not narrow:
            for i in wide:
                widths[i] = share
            break
        for i in narrow:
            remaining -= natural[i]
            wide.remove(i)
    return widths
