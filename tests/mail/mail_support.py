"""Helpers for the mail tests: a small built project and real SMTP servers on 127.0.0.1.

The project holds real DOCX and PDF bytes (python-docx, reportlab) and a real
manifest written by ``manifest.write_manifest``, so ``check_current`` passes
exactly as it would after ``jianbao build``. The servers are aiosmtpd
Controllers whose handler records every envelope and can answer scripted
replies per recipient (451 once, 550 always, a dropped connection).
"""

from __future__ import annotations

import asyncio
import email
import io
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import AuthResult, LoginPassword
from docx import Document as DocxDocument
from reportlab.pdfgen import canvas

from jianbao import __version__
from jianbao.manifest import Manifest, Output, Summary, input_hashes, sha256_file, write_manifest
from jianbao.project import Project, open_project

PERIOD = "2025H1"
DIGEST_NAME = "工业和信息化发展简报"
DOCX_NAME = f"{DIGEST_NAME}-{PERIOD}.docx"
PDF_NAME = f"{DIGEST_NAME}-{PERIOD}.pdf"
SENDER = f"{DIGEST_NAME} <briefing@example.cn>"
KEY_POINTS = [
    "规模以上工业增加值同比增长6.4%，增速比一季度回落0.1个百分点",
    "汽车产销量分别完成1562.1万辆和1565.3万辆",
    "<b>标记</b> & “引号”不得被当作HTML",
]
USER = "briefing@example.cn"
PASSWORD = "S3cret-口令-9f2e"  # must never appear anywhere jianbao writes (UTF-8: AUTH PLAIN by hand)
ASCII_PASSWORD = "S3cret-9f2e-ascii"  # smtplib's own login path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def docx_bytes(text: str) -> bytes:
    doc = DocxDocument()
    doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pdf_bytes(text: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


@dataclass
class Built:
    """A project folder with a current build of PERIOD."""

    root: Path

    @property
    def project(self) -> Project:
        return open_project(self.root)

    @property
    def folder(self) -> Path:
        return self.root / "reports" / PERIOD

    def write_config(self, mail: dict[str, Any]) -> None:
        lines = [
            "[digest]",
            f'name = "{DIGEST_NAME}"',
            'unit = "工业和信息化运行监测中心编印"',
            "",
            "[[chapters]]",
            'sector = "industry"',
            "",
            "[mail]",
        ]
        lines += [f"{key} = {toml_value(value)}" for key, value in mail.items()]
        (self.root / "jianbao.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def build(self, content: str = "第1期") -> None:
        """What `jianbao build` leaves behind: both documents and a manifest of current inputs."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / DOCX_NAME).write_bytes(docx_bytes(content))
        (self.folder / PDF_NAME).write_bytes(pdf_bytes(content))
        project = self.project
        manifest = Manifest(
            period=PERIOD,
            jianbao=__version__,
            inputs=input_hashes(project),
            summary=Summary(DIGEST_NAME, "第1期", "2025年上半年", "2025年7月20日", list(KEY_POINTS)),
            outputs=[
                Output("docx", DOCX_NAME, sha256_file(self.folder / DOCX_NAME)),
                Output("pdf", PDF_NAME, sha256_file(self.folder / PDF_NAME), pages=1),
            ],
        )
        write_manifest(self.folder, manifest)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    authenticated: bool | None
    tls: bool


@dataclass
class Recorder:
    """An aiosmtpd handler: records what it accepts; replies, drops and delays are scripted per recipient.

    ``events`` logs "RCPT addr" and "DATA addr" as the server sees them (DATA:
    the whole body has arrived), so a test can act at a precise moment.
    """

    once: dict[str, list[str]] = field(default_factory=dict)  # address → replies to give before accepting
    always: dict[str, str] = field(default_factory=dict)  # address → reply every time
    drop_rcpt_once: set[str] = field(default_factory=set)  # close the connection at RCPT (before DATA), once
    drop_data_once: set[str] = field(default_factory=set)  # close the connection after the body, once
    data_once: dict[str, list[str]] = field(default_factory=dict)  # replies to the end of DATA before accepting
    stall_rcpt_once: dict[str, float] = field(default_factory=dict)  # seconds to sit on RCPT before replying
    stall_data_once: dict[str, float] = field(default_factory=dict)  # seconds to sit on the body's reply (kept)
    data_delay: float = 0.0  # seconds before every reply to the end of DATA
    received: list[Received] = field(default_factory=list)
    rcpt_attempts: dict[str, int] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.events.append(f"RCPT {address}")
        self.rcpt_attempts[address] = self.rcpt_attempts.get(address, 0) + 1
        if address in self.stall_rcpt_once:
            await asyncio.sleep(self.stall_rcpt_once.pop(address))
        if address in self.drop_rcpt_once:
            self.drop_rcpt_once.discard(address)
            server.transport.close()
            return "421 closing"
        if address in self.always:
            return self.always[address]
        if self.once.get(address):
            return self.once[address].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            self.events.append(f"DATA {address}")
        dropping = self.drop_data_once & set(envelope.rcpt_tos)
        if dropping:
            self.drop_data_once -= dropping
            server.transport.close()
            return "421 closing"
        refusing = next((a for a in envelope.rcpt_tos if self.data_once.get(a)), None)
        if refusing:
            return self.data_once[refusing].pop(0)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content,
                     session.authenticated, session.ssl is not None)
        )
        stall = sum(self.stall_data_once.pop(a, 0.0) for a in envelope.rcpt_tos) + self.data_delay
        if stall:
            await asyncio.sleep(stall)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    def wait_for(self, event: str, timeout: float = 15.0) -> None:
        """Block the test until the server has seen ``event`` (e.g. "DATA li@example.gov.cn")."""
        deadline = time.monotonic() + timeout
        while event not in self.events:
            if time.monotonic() > deadline:
                raise AssertionError(f"the server never saw {event!r}; it saw {self.events}")
            time.sleep(0.02)


@dataclass
class Server:
    port: int
    handler: Recorder
    cafile: Path | None = None


def password_authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password in (PASSWORD.encode(), ASCII_PASSWORD.encode())
    )
    return AuthResult(success=ok, handled=False)


def mail_settings(server: Server | None = None, **extra: Any) -> dict[str, Any]:
    """[mail] for a plain local server, fast retries; ``extra`` overrides."""
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port if server else 25,
        "security": "none",
        "from": SENDER,
        "reply_to": "analyst@example.cn",
        "to": ["leaders", "王主任 <wang@example.gov.cn>"],
        "groups": {"leaders": ["li@example.gov.cn", "zhao@example.gov.cn"]},
        "timeout": 5,
        "retries": 2,
        "retry_delay": 0.01,
    }
    settings.update(extra)
    return settings


ALL_RECIPIENTS = ["li@example.gov.cn", "zhao@example.gov.cn", "wang@example.gov.cn"]


def jianbao_command() -> list[str]:
    """The venv's `jianbao` console script, as cron runs it (or the same entry point through this Python)."""
    script = Path(sys.executable).with_name("jianbao")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from jianbao.cli import main; main()"]


def start_cli(built: Built, *args: str) -> subprocess.Popen[str]:
    """`jianbao send ...` as a separate process against ``built``; no SMTP variables from the outer environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIANBAO_SMTP_")}
    return subprocess.Popen(
        [*jianbao_command(), *args, "--project", str(built.root), "--period", PERIOD],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 25.0) -> tuple[int, str, str]:
    """Wait for a process started by start_cli: (exit code, stdout, stderr)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"jianbao did not finish in {timeout} s:\n{out}\n{err}") from None
    return proc.returncode, out, err


def run_cli(built: Built, *args: str, timeout: float = 25.0) -> tuple[int, str, str]:
    return finish(start_cli(built, *args), timeout)


def attachments_received(handler: Recorder) -> dict[str, list[str]]:
    """Recipient → the attachment file names of each message the server accepted for it."""
    out: dict[str, list[str]] = {}
    for message in handler.received:
        parsed = email.message_from_bytes(message.data)
        names = [str(make_header(decode_header(part.get_filename()))) for part in parsed.walk()
                 if part.get_filename()]
        for rcpt in message.rcpt_tos:
            out.setdefault(rcpt, []).append(" ".join(sorted(names)))
    return out
