"""One SMTP connection: connect, secure, log in, hand over messages.

Failures are sorted into what a retry can fix (4xx replies, dropped
connections, timeouts, a refused connection) and what it cannot (5xx replies,
a server without STARTTLS when it is required, a bad certificate, rejected
credentials). Messages name the server and the reply, never the password.
"""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from dataclasses import dataclass

from jianbao.mail.config import MailSettings
from jianbao.mail.errors import MailConfigError, SmtpConnectError


@dataclass
class DeliveryError(Exception):
    """One message was not accepted; ``transient`` says whether trying again may help."""

    reason: str
    transient: bool
    reconnect: bool = False  # the connection is gone or unusable

    def __str__(self) -> str:
        return self.reason


def tls_context(settings: MailSettings) -> ssl.SSLContext:
    """System CAs, plus the configured ``cafile`` (a private CA, or a test CA)."""
    context = ssl.create_default_context()
    if settings.config.cafile is not None:
        try:
            context.load_verify_locations(cafile=str(settings.config.cafile))
        except (OSError, ssl.SSLError) as exc:
            raise MailConfigError(f"mail.cafile: cannot load {settings.config.cafile}: {exc}") from None
    return context


class SmtpConnection:
    """A logged-in SMTP session; reconnects on demand. Use as a context manager."""

    def __init__(self, settings: MailSettings) -> None:
        settings.require_server()
        self.settings = settings
        self.where = f"{settings.host}:{settings.port} (security={settings.security})"
        self._context = tls_context(settings) if settings.security != "none" else None
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._smtp is not None

    def connect(self) -> None:
        """Open, secure and log in; SmtpConnectError (retry-worthy or not) otherwise."""
        self.close()
        s = self.settings
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.config.timeout, context=self._context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.config.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise _connect_error(self.where, exc) from None
        try:
            self._secure_and_login(smtp)
        except BaseException:
            _quietly_close(smtp)
            raise
        self._smtp = smtp

    def _secure_and_login(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        try:
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise SmtpConnectError(
                        f"{self.where}: the server does not offer STARTTLS, which security = \"starttls\" "
                        "requires (use security = \"ssl\" for an implicit-TLS port, or "
                        "\"none\" only on a trusted network)"
                    )
                smtp.starttls(context=self._context)
                smtp.ehlo()
            if s.username:
                assert s.password is not None  # require_server checked it
                _login(smtp, s.username, s.password.get_secret_value())
        except smtplib.SMTPAuthenticationError as exc:
            raise SmtpConnectError(
                f"{self.where}: login as {s.username!r} refused: {_reply(exc.smtp_code, exc.smtp_error)} "
                f"(password from ${s.password_source})"
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise SmtpConnectError(f"{self.where}: {exc}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise _connect_error(self.where, exc) from None

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Hand one message for one recipient to the server; DeliveryError when it is not accepted."""
        if self._smtp is None:
            raise DeliveryError("not connected", transient=True, reconnect=True)
        try:
            self._smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(recipient, next(iter(exc.recipients.values()), (0, b"")))
            raise _reply_error("recipient refused", code, text) from None
        except smtplib.SMTPSenderRefused as exc:
            raise _reply_error("sender refused", exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPDataError as exc:
            raise _reply_error("message refused", exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPResponseException as exc:
            raise _reply_error("server reply", exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise DeliveryError(f"connection lost: {_describe(exc)}", transient=True, reconnect=True) from None

    def close(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp)
            self._smtp = None


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """smtplib's login encodes credentials as ASCII; AUTH PLAIN carries UTF-8 (RFC 4616), so use it for the rest."""
    if (username + password).isascii():
        smtp.login(username, password)
        return
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError(
            "a non-ASCII user name or password needs AUTH PLAIN, which the server does not offer"
        )
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _reply(code: int, text: bytes | str) -> str:
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {shown}".strip()


def _reply_error(what: str, code: int, text: bytes | str) -> DeliveryError:
    # 421 means the server is closing the channel: reconnect before trying again.
    return DeliveryError(f"{what}: {_reply(code, text)}", transient=400 <= code < 500, reconnect=code == 421)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    return str(exc) or type(exc).__name__


def _connect_error(where: str, exc: BaseException) -> SmtpConnectError:
    """Certificate and TLS problems are permanent; refusals, timeouts and 4xx greetings may pass."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SmtpConnectError(
            f"{where}: TLS certificate not trusted: {exc.verify_message} (set mail.cafile for a private CA)"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return SmtpConnectError(f"{where}: {_reply(code, exc.smtp_error)}", transient=400 <= code < 500)
    transient = not isinstance(exc, (ssl.SSLError, socket.gaierror))
    return SmtpConnectError(f"{where}: cannot connect: {_describe(exc)}", transient=transient)


def _quietly_close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
