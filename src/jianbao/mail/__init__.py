"""Mail delivery: config, message building, SMTP with retries, the delivery ledger.

``send(project, period, ...)`` is the public entry point; ``SendReport.summary()``
is what the command line prints.
"""

from jianbao.mail.config import MailConfig, MailSettings, load_mail_settings
from jianbao.mail.deliver import Failure, Held, SendReport, Uncertain, mark_delivered, resolve_recipients, send
from jianbao.mail.errors import LedgerError, MailConfigError, MailError, SmtpConnectError
from jianbao.mail.ledger import Delivery, Ledger, Owner, ledger_path

__all__ = [
    "mark_delivered",
    "Delivery",
    "Failure",
    "Held",
    "Ledger",
    "LedgerError",
    "MailConfig",
    "MailConfigError",
    "MailError",
    "MailSettings",
    "Owner",
    "SendReport",
    "SmtpConnectError",
    "Uncertain",
    "ledger_path",
    "load_mail_settings",
    "resolve_recipients",
    "send",
]
