"""The ledger's claims: other hosts' live and expired claims, the database's own guard, old ledger files."""

from __future__ import annotations

import sqlite3
import time

import pytest

from jianbao.mail import Ledger, MailConfigError, Owner, ledger_path, load_mail_settings, send
from jianbao.manifest import check_current
from mail_support import ALL_RECIPIENTS, PERIOD, mail_settings

NO_ENV: dict[str, str] = {}
ELSEWHERE = Owner("worker-2.example", 4242, "their-token")  # another host: its pid cannot be checked from here


def digest_of(built) -> str:
    return check_current(built.project, PERIOD).documents_digest


def foreign_claim(built, recipient: str, lease: float, sending: bool = False) -> None:
    """What a send on another host leaves in the ledger: a claim (and maybe the body on its way)."""
    with Ledger(ledger_path(built.project.reports_dir)) as ledger:
        found = ledger.claim(PERIOD, digest_of(built), {recipient: "<theirs@example.cn>"}, ELSEWHERE, lease)
        if sending:
            ledger.start_sending(found.claimed[recipient], ELSEWHERE, attempts=1)


def history(built):
    with Ledger(ledger_path(built.project.reports_dir)) as ledger:
        return ledger.history(PERIOD)


def test_a_live_claim_of_another_host_is_waited_for_then_named_and_not_sent(make_project, smtp_server):
    server = smtp_server()
    built = make_project(mail_settings(server, claim_lease=1))
    foreign_claim(built, "wang@example.gov.cn", lease=30)
    lines: list[str] = []

    started = time.monotonic()
    report = send(built.project, PERIOD, env=NO_ENV, log=lines.append)

    assert 1 <= time.monotonic() - started < 5  # waited for the lease, then gave up
    assert not report.ok and sorted(report.delivered) == ["li@example.gov.cn", "zhao@example.gov.cn"]
    [held] = report.held
    assert (held.recipient, held.holder) == ("wang@example.gov.cn", "worker-2.example pid 4242")
    assert server.handler.to("wang@example.gov.cn") == []
    assert any("being delivered by worker-2.example pid 4242 since" in line and "waiting up to 1 s" in line
               for line in lines)
    summary = report.summary()
    assert "held by another send 1" in summary
    assert f"HELD: wang@example.gov.cn: being delivered by worker-2.example pid 4242 since {held.since}" in summary


def test_an_expired_claim_that_never_sent_the_body_is_sent_again(make_project, smtp_server):
    server = smtp_server()
    built = make_project(mail_settings(server))
    foreign_claim(built, "wang@example.gov.cn", lease=0.05)
    time.sleep(0.1)

    report = send(built.project, PERIOD, env=NO_ENV)

    assert report.ok and sorted(report.delivered) == sorted(ALL_RECIPIENTS)
    wang = [r for r in history(built) if r.recipient == "wang@example.gov.cn"]
    assert [r.status for r in wang] == ["failed", "delivered"]
    assert "abandoned: worker-2.example pid 4242" in wang[0].last_error


def test_an_expired_claim_that_was_sending_is_uncertain_for_send_and_dry_run(make_project, smtp_server):
    server = smtp_server()
    built = make_project(mail_settings(server))
    foreign_claim(built, "wang@example.gov.cn", lease=0.05, sending=True)
    time.sleep(0.1)

    dry = send(built.project, PERIOD, env=NO_ENV, dry_run=True)
    assert [u.recipient for u in dry.uncertain] == ["wang@example.gov.cn"] and len(dry.outbox) == 2
    assert [r.status for r in history(built) if r.recipient == "wang@example.gov.cn"] == ["sending"]  # dry: no write

    report = send(built.project, PERIOD, env=NO_ENV)

    assert not report.ok and len(report.delivered) == 2
    [uncertain] = report.uncertain
    assert uncertain.message_id == "<theirs@example.cn>" and "worker-2.example pid 4242" in uncertain.reason
    assert server.handler.to("wang@example.gov.cn") == []
    assert [r.status for r in history(built) if r.recipient == "wang@example.gov.cn"] == ["uncertain"]

    resent = send(built.project, PERIOD, env=NO_ENV, resend=True, to=["wang@example.gov.cn"])
    assert resent.ok and len(server.handler.to("wang@example.gov.cn")) == 1


def test_the_database_refuses_two_live_claims_for_one_recipient(make_project):
    built = make_project(mail_settings(None))
    foreign_claim(built, "wang@example.gov.cn", lease=30)

    with sqlite3.connect(ledger_path(built.project.reports_dir)) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO deliveries (period, recipient, documents_digest, message_id, status, attempts, time)"
            " VALUES (?, 'wang@example.gov.cn', ?, '<x@y>', 'claimed', 0, '')",
            (PERIOD, digest_of(built)),
        )


def test_a_ledger_of_the_first_version_is_read_by_a_dry_run_and_upgraded_by_a_send(make_project, smtp_server):
    server = smtp_server()
    built = make_project(mail_settings(server))
    path = ledger_path(built.project.reports_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:  # the schema before claims: only delivered | failed
        db.executescript(
            "CREATE TABLE deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT, period TEXT NOT NULL, recipient TEXT NOT"
            " NULL, documents_digest TEXT NOT NULL, message_id TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN"
            " ('delivered', 'failed')), attempts INTEGER NOT NULL, time TEXT NOT NULL, last_error TEXT NOT NULL"
            " DEFAULT '');"
        )
        db.execute("INSERT INTO deliveries VALUES (1, ?, 'li@example.gov.cn', ?, '<old@x>', 'delivered', 1, 't', '')",
                   (PERIOD, digest_of(built)))
    before = path.read_bytes()

    dry = send(built.project, PERIOD, env=NO_ENV, dry_run=True)
    assert dry.skipped == ["li@example.gov.cn"] and len(dry.outbox) == 2
    assert path.read_bytes() == before  # a dry run never writes, not even to upgrade

    report = send(built.project, PERIOD, env=NO_ENV)
    assert report.skipped == ["li@example.gov.cn"] and len(report.delivered) == 2
    assert [(r.recipient, r.message_id) for r in history(built)][0] == ("li@example.gov.cn", "<old@x>")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (3,)


@pytest.mark.parametrize(("key", "value"), [("data_timeout", 0), ("data_timeout", "ten"), ("claim_lease", 0.5)])
def test_data_timeout_and_claim_lease_are_validated(make_project, key, value):
    built = make_project(mail_settings(None, **{key: value}), build=False)

    with pytest.raises(MailConfigError, match=f"jianbao.toml: mail.{key}:"):
        load_mail_settings(built.project, {})


def test_data_timeout_defaults_to_the_ten_minutes_of_rfc_5321(make_project):
    settings = mail_settings(None)
    built = make_project(settings, build=False)
    assert load_mail_settings(built.project, {}).config.data_timeout == 600
