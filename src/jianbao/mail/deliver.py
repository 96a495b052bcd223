"""``send()``: deliver what ``build`` made, once per recipient, and say what happened.

Order matters for safety: the outputs are checked against the manifest, then
the settings, every address and every header of every message — all before
the first byte goes to a server. Each recipient's outcome is committed to the
ledger as soon as it is known, so a rerun resumes where this one stopped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from jianbao.mail.address import parse_address
from jianbao.mail.config import MailConfig, MailSettings, load_mail_settings
from jianbao.mail.errors import MailConfigError, SmtpConnectError
from jianbao.mail.ledger import Ledger, ledger_path, recipient_key
from jianbao.mail.message import build_message, load_attachments, render_content, write_eml
from jianbao.mail.smtp import DeliveryError, SmtpConnection
from jianbao.manifest import check_current
from jianbao.project import Project

Log = Callable[[str], None]
OUTBOX = "outbox"


@dataclass(frozen=True)
class Failure:
    recipient: str
    reason: str
    attempts: int


@dataclass
class SendReport:
    """What one ``send`` did; ``ok`` is False when any recipient failed."""

    period: str
    documents_digest: str
    dry_run: bool = False
    delivered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already delivered these documents
    failed: list[Failure] = field(default_factory=list)
    outbox: list[Path] = field(default_factory=list)  # dry run: the .eml files written
    ledger: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """A few lines for a person or a cron mail: counts, then every failed recipient and why."""
        if self.dry_run:
            lines = [f"{self.period} (dry run): wrote {len(self.outbox)} message(s), sent nothing"]
            lines += [f"  {p}" for p in self.outbox]
        else:
            lines = [
                f"{self.period}: delivered {len(self.delivered)}, skipped {len(self.skipped)} "
                f"(already delivered), failed {len(self.failed)}"
            ]
            lines += [f"  delivered: {r}" for r in self.delivered]
        lines += [f"  skipped: {r} (already delivered; use --resend to send again)" for r in self.skipped]
        lines += [f"  FAILED: {f.recipient}: {f.reason} ({f.attempts} attempt(s))" for f in self.failed]
        if self.ledger is not None and not self.dry_run:
            lines.append(f"  ledger: {self.ledger}")
        return "\n".join(lines)


def send(
    project: Project,
    period: str,
    to: list[str] | None = None,
    dry_run: bool = False,
    resend: bool = False,
    env: Mapping[str, str] | None = None,
    log: Log | None = None,
) -> SendReport:
    """Mail the built documents of ``period`` to each recipient not yet delivered; never builds.

    Raises StaleOutputsError (build first), MailConfigError (settings,
    addresses, templates, headers: nothing sent) and SmtpConnectError (server
    unreachable, no STARTTLS, bad login: nothing sent on that connection).
    Per-recipient refusals do not raise: they are in ``SendReport.failed``.
    """
    say: Log = log or (lambda _line: None)
    env = os.environ if env is None else env
    manifest = check_current(project, period)
    settings = load_mail_settings(project, env)
    config = settings.config
    if config.from_ is None:
        raise MailConfigError("mail.from: required (the sender address, e.g. 简报 <briefing@example.cn>)")
    sender = parse_address(config.from_)
    reply_to = parse_address(config.reply_to) if config.reply_to else None
    recipients = resolve_recipients(config, to)
    attachments = load_attachments(project, manifest)
    content = render_content(project, manifest, attachments)
    messages = [
        (r, build_message(sender=sender, recipient=r, reply_to=reply_to, content=content, attachments=attachments))
        for r in recipients
    ]
    digest = manifest.documents_digest
    report = SendReport(period, digest, dry_run=dry_run, ledger=ledger_path(project.reports_dir))

    if dry_run:
        done = set() if resend else _delivered_readonly(report.ledger, period, digest)
        _write_outbox(project.period_dir(period) / OUTBOX, messages, done, report, say)
        return report

    conn = SmtpConnection(settings)  # checks host and password before the ledger is touched
    with conn, Ledger(report.ledger) as ledger:
        done = set() if resend else ledger.delivered(period, digest)
        pending = []
        for recipient, msg in messages:
            if recipient_key(recipient.addr_spec) in done:
                report.skipped.append(recipient.addr_spec)
            else:
                pending.append((recipient, msg))
        if pending:
            _deliver(conn, sender, pending, ledger, report, say)
    return report


def resolve_recipients(config: MailConfig, to: list[str] | None) -> list[Address]:
    """Expand groups, check every address, drop duplicates; MailConfigError lists every bad entry."""
    entries = list(to) if to else list(config.to)
    if not entries:
        raise MailConfigError("no recipients: set `to` in [mail] of jianbao.toml or pass --to ADDRESS_OR_GROUP")
    problems: list[str] = []
    seen: dict[str, Address] = {}
    for entry in entries:
        members = config.groups.get(entry, [entry])
        for text in members:
            try:
                address = parse_address(text)
            except ValueError as exc:
                problems.append(f"  recipient {entry!r}: {exc}" if text == entry else f"  group {entry!r}: {exc}")
                continue
            seen.setdefault(recipient_key(address.addr_spec), address)
    if problems:
        raise MailConfigError(
            f"{len(problems)} bad recipient(s) (not a group of [mail.groups], or not a valid address); "
            "nothing was sent:\n" + "\n".join(problems)
        )
    return list(seen.values())


def _delivered_readonly(path: Path, period: str, digest: str) -> set[str]:
    """A dry run reads the ledger if there is one, and never creates or writes it."""
    if not path.is_file():
        return set()
    with Ledger(path) as ledger:
        return ledger.delivered(period, digest)


def _write_outbox(
    folder: Path, messages: list[tuple[Address, EmailMessage]], done: set[str], report: SendReport, say: Log
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()  # the outbox shows this dry run only
    for index, (recipient, msg) in enumerate(messages, start=1):
        if recipient_key(recipient.addr_spec) in done:
            report.skipped.append(recipient.addr_spec)
            continue
        path = write_eml(folder, index, recipient, msg)
        report.outbox.append(path)
        say(f"wrote {path}")


def _deliver(
    conn: SmtpConnection,
    sender: Address,
    pending: list[tuple[Address, EmailMessage]],
    ledger: Ledger,
    report: SendReport,
    say: Log,
) -> None:
    """Each message in turn, transient failures retried with backoff, each outcome committed at once."""
    settings = conn.settings
    retry = _Backoff(settings.config.retries, settings.config.retry_delay)
    for recipient, msg in pending:
        rcpt = recipient.addr_spec
        data = msg.as_bytes()
        message_id = str(msg["Message-ID"])
        attempts = 0
        while True:
            attempts += 1
            try:
                if not conn.connected:
                    _connect(conn, retry, say, report)
                conn.send(sender.addr_spec, rcpt, data)
            except DeliveryError as exc:
                reason = _redact(str(exc), settings)
                if exc.transient and attempts <= retry.retries:
                    delay = retry.delay(attempts)
                    say(f"{rcpt}: {reason}; retrying in {delay:g} s")
                    if exc.reconnect:
                        conn.close()
                    time.sleep(delay)
                    continue
                ledger.record(report.period, rcpt, report.documents_digest, message_id, "failed", attempts, reason)
                report.failed.append(Failure(rcpt, reason, attempts))
                say(f"{rcpt}: FAILED: {reason}")
                break
            ledger.record(report.period, rcpt, report.documents_digest, message_id, "delivered", attempts)
            report.delivered.append(rcpt)
            say(f"{rcpt}: delivered ({message_id})")
            break


@dataclass(frozen=True)
class _Backoff:
    retries: int
    first_delay: float

    def delay(self, attempt: int) -> float:
        return self.first_delay * 2 ** (attempt - 1)


def _connect(conn: SmtpConnection, retry: _Backoff, say: Log, report: SendReport) -> None:
    """Connect, retrying what may pass; SmtpConnectError saying what was and was not sent."""
    for attempt in range(1, retry.retries + 2):
        try:
            conn.connect()
            return
        except SmtpConnectError as exc:
            if exc.transient and attempt <= retry.retries:
                delay = retry.delay(attempt)
                say(f"{exc}; retrying in {delay:g} s")
                time.sleep(delay)
                continue
            sent = (
                f"delivered before the failure: {', '.join(report.delivered)} (recorded in the ledger)"
                if report.delivered
                else "nothing was sent"
            )
            raise SmtpConnectError(f"{_redact(str(exc), conn.settings)}; {sent}", transient=exc.transient) from None


def _redact(text: str, settings: MailSettings) -> str:
    """Belt and braces: no server reply or OS message may carry the password into a log or the ledger."""
    if settings.password is not None:
        secret = settings.password.get_secret_value()
        if secret:
            text = text.replace(secret, "***")
    return text
