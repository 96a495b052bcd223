"""`run --each region --engine celery`: real `jianbao worker` processes on a real Redis, mailing through a
real SMTP server on 127.0.0.1. One worker is killed (-9) while the server holds its first message's
reply; the broker gives its unit to the other worker, and the ledger makes sure that nobody is mailed
twice: every region's readers get its digest exactly once, or the unit says why not (uncertain), and a
rerun sends nothing new.
"""

from __future__ import annotations

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller

from jianbao import api
from jianbao.burst import BurstResult
from jianbao.mail import Ledger, ledger_path

sys.path[:0] = [str(Path(__file__).parent / "mail"), str(Path(__file__).parent / "fixtures")]
from mail_support import Recorder, attachments_received, free_port, jianbao_command, mail_settings, toml_value  # noqa: E402
from regional import write_regional_project  # noqa: E402

PERIOD = "2025H1"
REGIONS = ["北京", "天津", "河北", "山西", "上海", "江苏"]
READERS = {region: f"office{i}@example.gov.cn" for i, region in enumerate(REGIONS)}
# Short, so the killed worker's unit moves on in seconds, yet longer than the slowest unit here (a cold
# build is about 8 s) so no unit still running is handed out twice.
VISIBILITY = 30
REDIS = shutil.which("redis-server")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 (no persistence), stopped after the test."""
    assert REDIS, "redis-server is not installed: `bash dev.sh setup` installs it (apt: redis-server)"
    port = free_port()
    proc = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait(10)


@pytest.fixture
def smtp() -> Iterator[tuple[int, Recorder]]:
    """A plain SMTP server whose reply to each message body comes 1.5 s late: a window to kill its sender in."""
    handler = Recorder(data_delay=1.5)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()


class Workers:
    """`jianbao worker` processes, each in its own process group, all killed at teardown."""

    def __init__(self, root: Path, logs: Path) -> None:
        self.root, self.logs, self.procs = root, logs, []

    def start(self) -> subprocess.Popen:
        log = self.logs / f"worker{len(self.procs)}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIANBAO_SMTP_")}
        with open(log, "wb") as out:
            proc = subprocess.Popen([*jianbao_command(), "worker", "--project", str(self.root), "--concurrency", "1"],
                                    stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        proc.log = log  # type: ignore[attr-defined]
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            assert proc.poll() is None, f"the worker exited:\n{log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"the worker never got ready:\n{log.read_text(errors='replace')}"
            time.sleep(0.1)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """kill -9 the worker and anything it started (its process group)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(tmp_path / "digest", tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
    assert all(p.poll() is not None for p in pool.procs)


def regional_project(root: Path, smtp_port: int, broker: str) -> Path:
    """The synthetic regional project bursting six regions, each to its own office, through ``broker``."""
    write_regional_project(root)
    config = root / "jianbao.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("[digest]\n", "[digest]\nregions = " + toml_value(REGIONS) + "\n", 1)
    mail = mail_settings(SimpleNamespace(port=smtp_port))
    lines = ["", "[engine]", f"broker = {toml_value(broker)}", f"visibility_timeout = {VISIBILITY}",
             "", "[mail]", *(f"{k} = {toml_value(v)}" for k, v in mail.items()), "", "[mail.bursts]"]
    lines += [f"{toml_value(r)} = {toml_value([a])}" for r, a in READERS.items()]
    config.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    return root


def sender_pid(handler: Recorder, index: int = 0) -> int:
    """The pid in a message's Message-ID (email.utils.make_msgid: <time.pid.random@host>)."""
    message_id = email.message_from_bytes(handler.received[index].data)["Message-ID"]
    return int(message_id.strip("<>").split(".")[1])


def run_in_thread(root: Path) -> tuple[threading.Thread, list]:
    out: list = []

    def target() -> None:
        try:
            out.append(api.run_each(root, PERIOD, engine="celery"))
        except BaseException as exc:  # shown by the test, not lost in the thread
            out.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, out


def finished(thread: threading.Thread, out: list, timeout: float = 150) -> BurstResult:
    thread.join(timeout)
    assert not thread.is_alive(), f"run_each did not finish in {timeout} s"
    [result] = out
    if isinstance(result, BaseException):
        raise result
    return result


def test_a_killed_worker_s_unit_moves_on_and_nobody_is_mailed_twice(tmp_path, redis_url, smtp, workers):
    smtp_port, handler = smtp
    root = regional_project(tmp_path / "digest", smtp_port, redis_url)
    started = time.monotonic()
    first, second = workers.start(), workers.start()

    thread, out = run_in_thread(root)
    deadline = time.monotonic() + 90
    while not handler.received:  # the first body has arrived; its sender now waits 1.5 s for the reply
        assert time.monotonic() < deadline and thread.is_alive(), f"no message arrived: {out}"
        time.sleep(0.02)
    victim = {p.pid: p for p in workers.procs}[sender_pid(handler)]
    [killed_address] = handler.received[0].rcpt_tos
    workers.kill(victim)
    survivor = second if victim is first else first
    result = finished(thread, out)
    batch = time.monotonic() - started

    assert [u.region for u in result.units] == REGIONS
    assert not any(u.error for u in result.units), result.summary()  # the killed unit was built again elsewhere
    got = attachments_received(handler)
    assert all(len(names) == 1 for names in got.values()), got  # nobody received a message twice
    assert set(got) <= set(READERS.values())
    with Ledger(ledger_path(root / "reports")) as ledger:
        rows = ledger.history(PERIOD)
    assert not [r for r in rows if r.status in ("claimed", "sending")]  # no claim left behind
    for region, address in READERS.items():
        unit = next(u for u in result.units if u.region == region)
        states = {r.status for r in rows if r.region == region and r.recipient == address}
        if "delivered" in states:  # delivered exactly once, to its own readers, its own digest
            assert unit.ok and len(got[address]) == 1, (unit, got.get(address))
            assert region in got[address][0] and ".pdf" in got[address][0] and ".docx" in got[address][0]
            assert not any(other in got[address][0] for other in REGIONS if other != region)
        else:  # or reported: never silently lost
            assert not unit.ok and states & {"failed", "uncertain"}, (unit, states)
    # The victim died awaiting the server's reply to its body: maybe delivered, so uncertain, never resent.
    killed_region = next(r for r, a in READERS.items() if a == killed_address)
    killed_unit = next(u for u in result.units if u.region == killed_region)
    assert "uncertain 1" in killed_unit.mailed and len(got[killed_address]) == 1
    assert sum(u.ok for u in result.units) == len(REGIONS) - 1
    assert survivor.poll() is None

    again = finished(*run_in_thread(root))
    assert attachments_received(handler) == got  # a rerun sends nothing new
    for unit in again.units:
        assert not unit.error, unit
        assert ("skipped 1" in unit.mailed) if unit.region != killed_region else ("uncertain 1" in unit.mailed)
    print(f"\nbatch with a kill: {batch:.1f} s; rerun: {again.seconds:.1f} s")


def test_without_the_extra_the_engine_says_how_to_install_it(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from jianbao.cli import main
    from jianbao.scaffold import init_project

    init_project(tmp_path / "digest")
    monkeypatch.setitem(sys.modules, "celery", None)  # `import celery` now raises ImportError
    result = CliRunner().invoke(main, ["worker", "--project", str(tmp_path / "digest")])
    assert result.exit_code == 1
    assert result.output.strip() == ("error: the Celery engine (`--engine celery`, `jianbao worker`) needs Celery: "
                                     "pip install 'jianbao[celery]'")
