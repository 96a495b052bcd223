"""The delivery ledger: who got which documents, so a rerun never mails twice.

An SQLite file under reports/ holds one row per recipient per send: period,
recipient, the documents digest (``Manifest.documents_digest``), message id,
status, attempts, time and last error. Rows are only appended, one committed
transaction per recipient, right after its outcome is known, so a crash loses
at most the recipient in flight and ``--resend`` keeps the earlier history.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

LEDGER_NAME = "delivery.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    period           TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    documents_digest TEXT NOT NULL,
    message_id       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
    attempts         INTEGER NOT NULL,
    time             TEXT NOT NULL,
    last_error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS deliveries_key ON deliveries (period, documents_digest, recipient);
"""


@dataclass(frozen=True)
class Delivery:
    period: str
    recipient: str
    documents_digest: str
    message_id: str
    status: str  # delivered | failed
    attempts: int
    time: str  # ISO 8601, UTC
    last_error: str = ""


def ledger_path(reports_dir: Path) -> Path:
    return reports_dir / LEDGER_NAME


def recipient_key(addr_spec: str) -> str:
    """How the ledger names a recipient: addresses compare case-insensitively, as servers treat them in practice."""
    return addr_spec.lower()


class Ledger:
    """An open ledger; use as a context manager."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=30)
        with self._db:
            self._db.executescript(_SCHEMA)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def delivered(self, period: str, documents_digest: str) -> set[str]:
        """Recipient keys that already received these very documents for this period."""
        rows = self._db.execute(
            "SELECT DISTINCT recipient FROM deliveries"
            " WHERE period = ? AND documents_digest = ? AND status = 'delivered'",
            (period, documents_digest),
        )
        return {r[0] for r in rows}

    def record(
        self, period: str, recipient: str, documents_digest: str, message_id: str, status: str,
        attempts: int, last_error: str = "",
    ) -> Delivery:
        entry = Delivery(
            period=period,
            recipient=recipient_key(recipient),
            documents_digest=documents_digest,
            message_id=message_id,
            status=status,
            attempts=attempts,
            time=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            last_error=last_error,
        )
        with self._db:  # one transaction per recipient
            self._db.execute(
                "INSERT INTO deliveries (period, recipient, documents_digest, message_id, status, attempts, time,"
                " last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.period, entry.recipient, entry.documents_digest, entry.message_id, entry.status,
                 entry.attempts, entry.time, entry.last_error),
            )
        return entry

    def history(self, period: str | None = None) -> list[Delivery]:
        """Every row, oldest first (for reports and tests)."""
        sql = (
            "SELECT period, recipient, documents_digest, message_id, status, attempts, time, last_error"
            " FROM deliveries"
        )
        args: tuple[str, ...] = ()
        if period is not None:
            sql += " WHERE period = ?"
            args = (period,)
        return [Delivery(*row) for row in self._db.execute(sql + " ORDER BY id", args)]
