"""``send()``: deliver what ``build`` made, once per recipient, and say what happened.

Order matters for safety: the outputs are checked against the manifest, then
the settings, every address and every header of every message — all before
the first byte goes to a server. Then every recipient to send is claimed in
the ledger at once (see ledger.py); recipients another send holds are waited
for, up to ``claim_lease``, and named if they stay held. Each step of each
recipient is committed as soon as it happens, so a rerun resumes where this
one stopped and never sends twice what may already have arrived.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from jianbao.errors import problem_list
from jianbao.mail.address import parse_address
from jianbao.mail.config import MailConfig, MailSettings, load_mail_settings
from jianbao.mail.errors import MailConfigError, SmtpConnectError
from jianbao.mail.ledger import ClaimLost, ClaimRound, Delivery, Ledger, Owner, ledger_path, recipient_key
from jianbao.mail.message import build_message, load_attachments, load_output, mailed_formats, render_content, write_eml
from jianbao.mail.smtp import DeliveryError, SmtpConnection
from jianbao.manifest import check_current
from jianbao.project import Project

Log = Callable[[str], None]
OUTBOX = "outbox"
_POLL = 0.25  # seconds between looks at recipients another send holds


@dataclass(frozen=True)
class Failure:
    recipient: str
    reason: str
    attempts: int


@dataclass(frozen=True)
class Uncertain:
    """The server may have the message: a person checks by Message-ID, then resends or leaves it."""

    recipient: str
    message_id: str
    reason: str
    since: str  # ISO 8601, UTC


@dataclass(frozen=True)
class Held:
    """A recipient another send was delivering all the while this one waited."""

    recipient: str
    holder: str  # host pid N
    since: str  # ISO 8601, UTC


@dataclass
class SendReport:
    """What one ``send`` did; ``ok`` is False when any recipient failed, is uncertain, or stayed held."""

    period: str
    documents_digest: str
    dry_run: bool = False
    delivered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already delivered these documents
    failed: list[Failure] = field(default_factory=list)
    uncertain: list[Uncertain] = field(default_factory=list)  # not sent again without --resend
    held: list[Held] = field(default_factory=list)  # another send holds them: not sent by this one
    outbox: list[Path] = field(default_factory=list)  # dry run: the .eml files written
    ledger: Path | None = None
    region: str = ""  # the digest's region; "" national

    @property
    def unit(self) -> str:
        """The digest as messages name it: 2025H1, or 2025H1 河南."""
        return f"{self.period} {self.region}" if self.region else self.period

    @property
    def ok(self) -> bool:
        return not (self.failed or self.uncertain or self.held)

    def summary(self) -> str:
        """A few lines for a person or a cron mail: counts, then every recipient that needs a look and why."""
        if self.dry_run:
            lines = [f"{self.unit} (dry run): wrote {len(self.outbox)} message(s), sent nothing"]
            lines += [f"  {p}" for p in self.outbox]
        else:
            held = f", held by another send {len(self.held)}" if self.held else ""
            lines = [
                f"{self.unit}: delivered {len(self.delivered)}, skipped {len(self.skipped)} "
                f"(already delivered), failed {len(self.failed)}, uncertain {len(self.uncertain)}{held}"
            ]
            lines += [f"  delivered: {r}" for r in self.delivered]
        lines += [f"  skipped: {r} (already delivered; use --resend to send again)" for r in self.skipped]
        lines += [f"  FAILED: {f.recipient}: {f.reason} ({f.attempts} attempt(s))" for f in self.failed]
        lines += [f"  UNCERTAIN: {u.recipient} {u.message_id}: {u.reason} (since {u.since})" for u in self.uncertain]
        if self.uncertain:
            lines.append(
                "  uncertain: the server may have these messages, so they are not sent again: look for the "
                "Message-ID in the recipient's mailbox or the server's log; if it did not arrive, "
                f"`jianbao send --period {self.period}{f' --region {self.region}' if self.region else ''} "
                "--resend --to ADDRESS`"
            )
        lines += [
            f"  HELD: {h.recipient}: being delivered by {h.holder} since {h.since}; not sent by this run"
            for h in self.held
        ]
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
    region: str = "",
) -> SendReport:
    """Mail the built documents of ``period`` (a ``region``'s digest, or the national one) to each
    recipient not yet delivered; never builds. A region's readers are its ``[mail.bursts]`` entry.

    Raises StaleOutputsError (build first), MailConfigError (settings,
    addresses, templates, headers: nothing sent) and SmtpConnectError (server
    unreachable, no STARTTLS, bad login: nothing sent on that connection),
    LedgerError (the ledger is damaged or cannot be opened: nothing sent).
    Per-recipient outcomes do not raise: they are in ``SendReport.failed``,
    ``.uncertain`` (may have arrived: not sent again) and ``.held``.
    """
    say: Log = log or (lambda _line: None)
    env = os.environ if env is None else env
    settings = load_mail_settings(project, env)
    config = settings.config
    manifest = check_current(project, period, mailed_formats(config), region=region)
    if config.from_ is None:
        raise MailConfigError("mail.from: required (the sender address, e.g. 简报 <briefing@example.cn>)")
    sender = parse_address(config.from_)
    reply_to = parse_address(config.reply_to) if config.reply_to else None
    recipients = resolve_recipients(config, to, region)
    attachments = load_attachments(project, manifest)
    page = load_output(project, manifest, "html") if config.body == "digest" else None
    content = render_content(project, manifest, attachments, page, sender.domain)
    messages = [
        (r, build_message(sender=sender, recipient=r, reply_to=reply_to, content=content, attachments=attachments))
        for r in recipients
    ]
    digest = manifest.documents_digest
    report = SendReport(period, digest, dry_run=dry_run, ledger=ledger_path(project.reports_dir), region=region)
    by_key = {recipient_key(r.addr_spec): (r, msg) for r, msg in messages}

    if dry_run:
        found = _survey(report.ledger, period, digest, list(by_key), resend, region)
        report.skipped = [by_key[key][0].addr_spec for key in found.skipped]
        report.uncertain = [_uncertain(row, by_key) for row in found.uncertain]
        _write_outbox(project.period_dir(period, region) / OUTBOX, messages,
                      set(found.skipped) | {row.recipient for row in found.uncertain}, report, say)
        return report

    conn = SmtpConnection(settings)  # checks host and password before the ledger is touched
    owner = Owner.this_process()
    with conn, Ledger(report.ledger) as ledger, ledger.session(owner, config.claim_lease):
        _claim_and_deliver(conn, ledger, owner, sender, by_key, resend, report, say)
    return report


def mark_delivered(project: Project, period: str, to: list[str], region: str = "") -> list[str]:
    """Record that the ``uncertain`` deliveries to ``to`` arrived (after a person checked by Message-ID).

    Returns the addresses changed; later sends skip them. Nothing is sent.
    """
    if not to:
        raise MailConfigError("--mark-delivered needs --to ADDRESS: the recipients whose message you found")
    manifest = check_current(project, period, region=region)
    config = load_mail_settings(project, os.environ).config
    keys = {recipient_key(r.addr_spec): r.addr_spec for r in resolve_recipients(config, to, region)}
    path = ledger_path(project.reports_dir)
    if not path.is_file():
        return []
    with Ledger(path) as ledger:
        return [keys[k] for k in ledger.mark_delivered(period, manifest.documents_digest, list(keys), region)]


def _claim_and_deliver(
    conn: SmtpConnection,
    ledger: Ledger,
    owner: Owner,
    sender: Address,
    by_key: Mapping[str, tuple[Address, EmailMessage]],
    resend: bool,
    report: SendReport,
    say: Log,
) -> None:
    """Claim what is free and deliver it; wait (up to the lease) for what another send holds, then look again."""
    lease = conn.settings.config.claim_lease
    deadline = time.monotonic() + lease
    waiting = list(by_key)
    told: set[str] = set()
    while waiting:
        found = ledger.claim(
            report.period, report.documents_digest, {key: str(by_key[key][1]["Message-ID"]) for key in waiting},
            owner, lease, resend, report.region,
        )
        report.skipped += [by_key[key][0].addr_spec for key in found.skipped]
        report.uncertain += [_uncertain(row, by_key) for row in found.uncertain]
        claimed = [(*by_key[key], row_id) for key, row_id in found.claimed.items()]
        if claimed:
            _deliver(conn, sender, claimed, ledger, owner, report, say)
        waiting = [row.recipient for row in found.held]
        if waiting and time.monotonic() >= deadline:
            report.held = [Held(by_key[row.recipient][0].addr_spec, row.owner, row.claimed_at) for row in found.held]
            return
        for row in found.held:
            if row.recipient not in told:
                told.add(row.recipient)
                say(f"{by_key[row.recipient][0].addr_spec}: being delivered by {row.owner} since {row.claimed_at}; "
                    f"waiting up to {lease:g} s (claim_lease)")
        if waiting:
            time.sleep(_POLL)


def resolve_recipients(config: MailConfig, to: list[str] | None, region: str = "") -> list[Address]:
    """Expand groups, check every address, drop duplicates; MailConfigError lists every bad entry.

    Without ``to``: a region's digest goes to its ``[mail.bursts]`` entry, the national one to ``to``.
    """
    entries = list(to) if to else list(config.bursts.get(region, []) if region else config.to)
    if not entries and region:
        raise MailConfigError(f"no recipients for region {region!r}: add {region} = [\"group or address\"] "
                              "to [mail.bursts] of jianbao.toml or pass --to ADDRESS_OR_GROUP")
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
                problems.append(f"recipient {entry!r}: {exc}" if text == entry else f"group {entry!r}: {exc}")
                continue
            seen.setdefault(recipient_key(address.addr_spec), address)
    if problems:
        raise MailConfigError(problem_list(
            f"{len(problems)} bad recipient(s) (not a group of [mail.groups], or not a valid address); "
            "nothing was sent:", problems))
    return list(seen.values())


def _survey(path: Path, period: str, digest: str, keys: list[str], resend: bool, region: str) -> ClaimRound:
    """A dry run reads the ledger if there is one, and never creates or writes it."""
    if not path.is_file():
        return ClaimRound()
    with Ledger(path, readonly=True) as ledger:
        return ledger.survey(period, digest, keys, resend, region)


def _uncertain(row: Delivery, by_key: Mapping[str, tuple[Address, EmailMessage]]) -> Uncertain:
    return Uncertain(by_key[row.recipient][0].addr_spec, row.message_id, row.last_error, row.time)


def _write_outbox(
    folder: Path, messages: list[tuple[Address, EmailMessage]], not_sent: set[str], report: SendReport, say: Log
) -> None:
    """One .eml per message a send would transmit now (not those delivered or uncertain: ``not_sent``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()  # the outbox shows this dry run only
    for index, (recipient, msg) in enumerate(messages, start=1):
        if recipient_key(recipient.addr_spec) in not_sent:
            continue
        path = write_eml(folder, index, recipient, msg)
        report.outbox.append(path)
        say(f"wrote {path}")


def _deliver(
    conn: SmtpConnection,
    sender: Address,
    claimed: list[tuple[Address, EmailMessage, int]],
    ledger: Ledger,
    owner: Owner,
    report: SendReport,
    say: Log,
) -> None:
    """Each claimed message in turn; what failed before the body is retried, what may have arrived never is."""
    settings = conn.settings
    retry = _Backoff(settings.config.retries, settings.config.retry_delay)
    for recipient, msg, row in claimed:
        rcpt = recipient.addr_spec
        data = msg.as_bytes()
        message_id = str(msg["Message-ID"])
        attempts = 0
        while True:
            attempts += 1
            try:
                if not conn.connected:
                    _connect(conn, retry, say, report)
                conn.send(sender.addr_spec, rcpt, data, before_body=partial(ledger.start_sending, row, owner, attempts))
            except ClaimLost:
                reason = "its claim in the ledger lapsed before the message was transmitted; nothing was sent"
                report.failed.append(Failure(rcpt, reason, attempts))
                say(f"{rcpt}: FAILED: {reason}")
                break
            except DeliveryError as exc:
                reason = _redact(str(exc), settings)
                if exc.uncertain:
                    since = ledger.update(row, "uncertain", attempts, reason)
                    report.uncertain.append(Uncertain(rcpt, message_id, reason, since))
                    say(f"{rcpt}: UNCERTAIN: {reason} ({message_id})")
                    break
                if exc.transient and attempts <= retry.retries:
                    ledger.update(row, "claimed", attempts, reason)  # a definite "not accepted": still ours to retry
                    delay = retry.delay(attempts)
                    say(f"{rcpt}: {reason}; retrying in {delay:g} s")
                    if exc.reconnect:
                        conn.close()
                    time.sleep(delay)
                    continue
                ledger.update(row, "failed", attempts, reason)
                report.failed.append(Failure(rcpt, reason, attempts))
                say(f"{rcpt}: FAILED: {reason}")
                break
            ledger.update(row, "delivered", attempts)
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
            if report.uncertain:
                sent += "; uncertain (may have been delivered): " + ", ".join(
                    f"{u.recipient} {u.message_id}" for u in report.uncertain
                )
            raise SmtpConnectError(f"{_redact(str(exc), conn.settings)}; {sent}", transient=exc.transient) from None


def _redact(text: str, settings: MailSettings) -> str:
    """Belt and braces: no server reply or OS message may carry the password into a log or the ledger."""
    if settings.password is not None:
        secret = settings.password.get_secret_value()
        if secret:
            text = text.replace(secret, "***")
    return text
