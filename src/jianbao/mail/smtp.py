"""One SMTP connection: connect, secure, log in, hand over messages.

Failures are sorted into what a retry can fix (4xx replies, dropped
connections, timeouts, a refused connection) and what it cannot (5xx replies,
a server without STARTTLS when it is required, a bad certificate, rejected
credentials). Messages name the server and the reply, never the password.
"""

from __future__ import annotations

import base64
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from jianbao.mail.config import MailSettings
from jianbao.mail.errors import MailConfigError, SmtpConnectError


@dataclass
class DeliveryError(Exception):
    """One message was not accepted; ``transient`` says whether trying again may help.

    ``uncertain`` means the body was transmitted and no final reply came: the
    server may have accepted it, so it must not be sent again automatically.
    """

    reason: str
    transient: bool
    reconnect: bool = False  # the connection is gone or unusable
    uncertain: bool = False

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

    def send(self, sender: str, recipient: str, data: bytes, before_body: Callable[[], None] = lambda: None) -> None:
        """Hand one message for one recipient to the server; DeliveryError when it is not accepted.

        The steps are driven one by one (smtplib's sendmail sends the body and
        waits for the reply in one call) so that "refused before the body" —
        safe to retry — is told apart from "no reply after the body", which is
        uncertain. ``before_body`` runs after the server's 354, before the
        first byte of the body; if it raises, the transaction is abandoned.
        """
        smtp = self._smtp
        if smtp is None:
            raise DeliveryError("not connected", transient=True, reconnect=True)
        try:
            self._envelope(smtp, sender, recipient)
        except _Refused as exc:
            raise _reply_error(exc.what, exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPResponseException as exc:
            raise _reply_error("server reply", exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise DeliveryError(f"connection lost: {_describe(exc)}", transient=True, reconnect=True) from None
        try:
            before_body()
        except BaseException:
            self.abort()  # the server discards a transaction whose body never ends
            raise
        try:
            smtp.send(_body(data))
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            # sendall failed, so the final "." never left: the server cannot have accepted the message.
            self.abort()
            raise DeliveryError(
                f"connection lost while transmitting the message (not completed, so not delivered): {_describe(exc)}",
                transient=True, reconnect=True,
            ) from None
        data_timeout = self.settings.config.data_timeout
        try:
            assert smtp.sock is not None
            smtp.sock.settimeout(data_timeout)
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:  # no reply, a dropped connection, or a garbled reply
            self.abort()
            what = (f"no reply within {data_timeout:g} s (data_timeout)" if _timed_out(exc)
                    else f"connection lost ({_describe(exc)})")
            raise DeliveryError(
                f"{what} after the message was transmitted; it may have been delivered",
                transient=False, reconnect=True, uncertain=True,
            ) from None
        if smtp.sock is not None:
            smtp.sock.settimeout(self.settings.config.timeout)
        if code != 250:
            if code == 421:
                self.close()
            raise _reply_error("message refused", code, reply)

    @staticmethod
    def _envelope(smtp: smtplib.SMTP, sender: str, recipient: str) -> None:
        """MAIL, RCPT, DATA up to the server's 354; a refusal resets the transaction (as sendmail does)."""
        steps: list[tuple[str, Callable[[], tuple[int, bytes]], tuple[int, ...]]] = [
            ("sender refused", lambda: smtp.mail(sender), (250,)),
            ("recipient refused", lambda: smtp.rcpt(recipient), (250, 251)),
            ("message refused", lambda: smtp.docmd("DATA"), (354,)),
        ]
        for what, step, accepted in steps:
            code, reply = step()
            if code in accepted:
                continue
            if code == 421:
                smtp.close()
            else:
                try:
                    smtp.rset()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
            raise _Refused(code, reply, what)

    def abort(self) -> None:
        """Drop the connection without QUIT: after a timeout its state is unknown, and QUIT would wait again."""
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp)
            self._smtp = None


class _Refused(smtplib.SMTPResponseException):
    """A refusal at one envelope step, with what a person reads for that step."""

    def __init__(self, code: int, reply: bytes, what: str) -> None:
        super().__init__(code, reply)
        self.what = what


def _body(data: bytes) -> bytes:
    """The message as DATA carries it: CRLF line ends, leading dots doubled, then the lone dot (RFC 5321 4.5.2)."""
    lines = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    stuffed = re.sub(rb"(?m)^\.", b"..", lines)
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


def _timed_out(exc: BaseException) -> bool:
    """smtplib turns a socket timeout into SMTPServerDisconnected; the timeout is its context."""
    return any(isinstance(e, (socket.timeout, TimeoutError)) for e in (exc, exc.__context__))


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
    if _timed_out(exc):
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
