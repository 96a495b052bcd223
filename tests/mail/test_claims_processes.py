"""Nothing lost, nothing sent twice: real `jianbao send` processes against a real SMTP server on 127.0.0.1.

Each test counts what the server received per recipient and reads what the
ledger says; processes are started, raced and killed (-9) as cron and an
impatient operator would.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from email import message_from_bytes
from email.policy import default as default_policy

from jianbao.mail import Ledger, ledger_path
from mail_support import ALL_RECIPIENTS, PERIOD, Recorder, finish, mail_settings, run_cli, start_cli

HOST = socket.gethostname()


def copies(handler: Recorder) -> dict[str, int]:
    return {r: len(handler.to(r)) for r in ALL_RECIPIENTS}


def rows(built):
    with Ledger(ledger_path(built.project.reports_dir)) as ledger:
        return ledger.history(PERIOD)


def message_id(handler: Recorder, address: str) -> str:
    [received] = handler.to(address)
    return str(message_from_bytes(received.data, policy=default_policy)["Message-ID"])


def test_two_sends_started_together_deliver_each_recipient_once(make_project, smtp_server):
    handler = Recorder(data_delay=0.4)  # each message takes a while, so the two runs overlap for sure
    server = smtp_server(handler=handler)
    built = make_project(sample_data=True, mail=mail_settings(server))

    procs = [start_cli(built, "send"), start_cli(built, "send")]
    results = [finish(p) for p in procs]

    assert copies(handler) == dict.fromkeys(ALL_RECIPIENTS, 1)
    ledger = rows(built)
    assert sorted(r.recipient for r in ledger) == sorted(ALL_RECIPIENTS)
    assert {r.status for r in ledger} == {"delivered"}  # one delivered row each, no claim left behind
    assert [code for code, _, _ in results] == [0, 0]
    outs = [out for _, out, _ in results]
    sender = next(i for i, out in enumerate(outs) if "delivered 3, skipped 0" in out)
    waiter = 1 - sender
    assert "delivered 0, skipped 3 (already delivered)" in outs[waiter]
    assert f"being delivered by {HOST} pid {procs[sender].pid} since" in outs[waiter]  # it waited, then found it done


def test_a_send_still_held_after_the_lease_names_the_holder_and_sends_nothing(make_project, smtp_server):
    # claim_lease = 1 s while the first run needs about 3 s: its heartbeat must keep the claims alive.
    handler = Recorder(data_delay=1.0)
    server = smtp_server(handler=handler)
    built = make_project(sample_data=True, mail=mail_settings(server, claim_lease=1))

    first = start_cli(built, "send")
    handler.wait_for("RCPT li@example.gov.cn")
    second_code, second_out, _ = run_cli(built, "send")
    first_code, first_out, _ = finish(first)

    assert (first_code, second_code) == (0, 1)
    assert "delivered 3" in first_out
    assert f"being delivered by {HOST} pid {first.pid} since" in second_out
    summary = next(line for line in second_out.splitlines() if line.startswith(f"{PERIOD}: "))
    assert summary.startswith(f"{PERIOD}: delivered 0,") and "held by another send" in summary
    assert f"being delivered by {HOST} pid {first.pid} since" in second_out.split(summary)[1]  # the HELD lines
    assert copies(handler) == dict.fromkeys(ALL_RECIPIENTS, 1)
    assert {r.status for r in rows(built)} == {"delivered"} and len(rows(built)) == 3


def test_a_reply_slower_than_data_timeout_is_uncertain_sent_once_and_resent_only_on_request(
    make_project, smtp_server
):
    handler = Recorder(stall_data_once={"wang@example.gov.cn": 4.0})
    server = smtp_server(handler=handler)
    built = make_project(sample_data=True, mail=mail_settings(server, data_timeout=2))

    code, out, err = run_cli(built, "send")

    assert code == 1, out + err
    assert copies(handler) == dict.fromkeys(ALL_RECIPIENTS, 1)  # one copy, not one per retry
    mid = message_id(handler, "wang@example.gov.cn")
    assert f"UNCERTAIN: wang@example.gov.cn {mid}: no reply within 2 s (data_timeout)" in out
    assert "delivered 2, skipped 0 (already delivered), failed 0, uncertain 1" in out
    [row] = [r for r in rows(built) if r.recipient == "wang@example.gov.cn"]
    assert (row.status, row.message_id, row.attempts) == ("uncertain", mid, 1)

    code, out, _ = run_cli(built, "send")  # a rerun never resends what may have arrived
    assert code == 1 and "delivered 0, skipped 2 (already delivered), failed 0, uncertain 1" in out
    assert f"UNCERTAIN: wang@example.gov.cn {mid}" in out
    assert copies(handler) == dict.fromkeys(ALL_RECIPIENTS, 1)

    code, out, _ = run_cli(built, "send", "--resend", "--to", "wang@example.gov.cn")
    assert code == 0 and "delivered 1" in out
    assert copies(handler) == {"li@example.gov.cn": 1, "zhao@example.gov.cn": 1, "wang@example.gov.cn": 2}


def test_kill_9_while_the_server_sits_on_rcpt_then_the_next_send_sends_the_rest_once(make_project, smtp_server):
    handler = Recorder(stall_rcpt_once={"zhao@example.gov.cn": 30.0})
    server = smtp_server(handler=handler)
    built = make_project(sample_data=True, mail=mail_settings(server, timeout=20))

    victim = start_cli(built, "send")
    handler.wait_for("RCPT zhao@example.gov.cn")
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    left = {r.recipient: r for r in rows(built)}
    assert left["zhao@example.gov.cn"].status == "claimed" and left["zhao@example.gov.cn"].owner_pid == victim.pid

    code, out, err = run_cli(built, "send")

    assert code == 0, out + err
    assert "delivered 2, skipped 1 (already delivered)" in out
    assert copies(handler) == dict.fromkeys(ALL_RECIPIENTS, 1)  # zhao's body provably never left: sent now
    zhao = [r for r in rows(built) if r.recipient == "zhao@example.gov.cn"]
    assert [r.status for r in zhao] == ["failed", "delivered"]
    assert f"abandoned: {HOST} pid {victim.pid}" in zhao[0].last_error


def test_kill_9_while_the_server_sits_on_the_reply_to_the_body_is_uncertain_next_time(make_project, smtp_server):
    handler = Recorder(stall_data_once={"zhao@example.gov.cn": 30.0})
    server = smtp_server(handler=handler)
    built = make_project(sample_data=True, mail=mail_settings(server, data_timeout=20))

    victim = start_cli(built, "send")
    handler.wait_for("DATA zhao@example.gov.cn")
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)

    started = time.monotonic()
    code, out, err = run_cli(built, "send")

    assert time.monotonic() - started < 15  # a dead owner on this host is seen at once, not after the lease
    assert code == 1, out + err
    mid = message_id(handler, "zhao@example.gov.cn")
    assert f"UNCERTAIN: zhao@example.gov.cn {mid}: {HOST} pid {victim.pid}" in out
    assert "it may have been delivered" in out
    assert "delivered 1, skipped 1 (already delivered), failed 0, uncertain 1" in out
    assert copies(handler) == dict.fromkeys(ALL_RECIPIENTS, 1)
    assert [r.status for r in rows(built) if r.recipient == "zhao@example.gov.cn"] == ["uncertain"]


def test_a_damaged_ledger_stops_send_and_dry_run_with_one_line_naming_the_file(make_project, smtp_server):
    server = smtp_server()
    built = make_project(sample_data=True, mail=mail_settings(server))
    path = ledger_path(built.project.reports_dir)
    garbage = b"this is not an sqlite database\x00\xff" * 64
    path.write_bytes(garbage)

    for args in (("send",), ("send", "--dry-run")):
        code, out, err = run_cli(built, *args)
        assert code == 1, (args, out, err)
        assert "Traceback" not in err and out == ""
        [line] = err.splitlines()
        assert line.startswith(f"error: {path}: the delivery ledger is damaged")
        assert f"`mv {path} {path}.damaged`" in line and "nothing was sent" in line
        assert "the record of what was already sent is then lost" in line
    assert path.read_bytes() == garbage
    assert server.handler.rcpt_attempts == {}
    assert not list((built.folder / "outbox").glob("*.eml"))
