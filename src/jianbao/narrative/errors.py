"""The errors a template meets when it asks for figures: one root, one kind the sentence tags catch."""

from __future__ import annotations

from jianbao.errors import JianbaoError
from jianbao.periods import Period


class FigureError(JianbaoError, LookupError):
    """A template asked for a figure that does not exist, or phrased one the wrong way."""

    def __str__(self) -> str:
        return str(self.args[0])


class MissingFigureError(FigureError):
    """A template stated a figure the data does not have; ``{% sentence %}`` and ``{% clause %}`` catch it."""

    def __init__(self, message: str, indicator: str = "", period: Period | None = None, region: str = "") -> None:
        super().__init__(message)
        self.indicator = indicator
        self.period = period
        self.region = region

    def short(self) -> str:
        if self.period is None:
            return str(self)
        where = f" ({self.region})" if self.region else ""
        return f"{self.indicator}{where} for {self.period.code}"
