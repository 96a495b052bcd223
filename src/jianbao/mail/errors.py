"""Mail errors: each message is safe to print (it never holds the password)."""

from __future__ import annotations

from jianbao.errors import JianbaoError


class MailError(JianbaoError, RuntimeError):
    """Mail could not be sent at all; nothing was marked delivered by the failing step."""


class MailConfigError(MailError, ValueError):
    """[mail] settings, recipients, templates or header values are invalid: nothing was sent."""


class SmtpConnectError(MailError):
    """The SMTP server could not be reached, secured or logged into: nothing was sent on that connection.

    ``transient`` says whether trying again later may help (refused, timed out,
    a 4xx greeting) or not (no STARTTLS, untrusted certificate, bad login).
    """

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class LedgerError(MailError):
    """The delivery ledger cannot be opened or is damaged: nothing was sent, since it could not be recorded."""
