"""The errors that are the user's to fix: the CLI prints their message, not a traceback.

Each stage defines its own error next to the code that raises it; this list is
the one place the command line learns which of them to show as messages.
"""

from __future__ import annotations


class JianbaoError(Exception):
    """The root of every error that is the user's to fix (bad data, template, config, theme…).

    The CLI and the API print these as their message, never a traceback.
    """


def user_errors() -> tuple[type[BaseException], ...]:
    from jianbao.atomic import OutputWriteError
    from jianbao.charts.draw import ChartFontError
    from jianbao.charts.spec import SpecError
    from jianbao.config import ConfigError
    from jianbao.data import DataLookupError, DataValidationError
    from jianbao.document.compose import ComposeError
    from jianbao.mail import MailError
    from jianbao.manifest import StaleOutputsError
    from jianbao.narrative.env import TemplateProblem
    from jianbao.narrative.facade import FigureError
    from jianbao.periods import PeriodError
    from jianbao.scaffold import ScaffoldError
    from jianbao.theme import ThemeError

    return (
        ChartFontError,
        ComposeError,
        ConfigError,
        DataLookupError,
        DataValidationError,
        FigureError,
        MailError,
        OutputWriteError,
        PeriodError,
        ScaffoldError,
        SpecError,
        StaleOutputsError,
        TemplateProblem,
        ThemeError,
    )
