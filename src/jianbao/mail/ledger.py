"""The delivery ledger: who got which documents, and who is sending what right now.

An SQLite file under reports/ holds one row per recipient per send attempt
run: period, region (a region's digest; "" national), recipient, the documents digest (``Manifest.documents_digest``),
message id, status, attempts, time, last error, and the owner (host, pid) and
lease of a claim. A row moves through these states, each change committed at
once::

    claimed ──▶ sending ──▶ delivered | failed | uncertain
       │                  (4xx after the body: back to claimed, retried)
       └──▶ (withdrawn: the row is deleted when the run stops before trying)

- ``claimed``: taken atomically (one ``BEGIN IMMEDIATE`` transaction for all
  recipients of a run) before any SMTP byte for it; nothing of the message
  body has gone to a server, so if the owner dies the recipient is free again.
- ``sending``: set right after the server's 354, before the body goes out; if
  the owner dies from here on, the message may have been delivered.
- ``uncertain``: the body was transmitted (or was being transmitted) and no
  final reply came: a timeout, a dropped connection, a dead owner. Never sent
  again unless a person asks (``--resend``).

A claim lives while its lease runs (renewed by a heartbeat thread every third
of it) and, on the owner's own host, while its pid is alive. A unique partial
index makes two live claims for one recipient impossible, whatever the code
above it does. The lease is wall-clock time: hosts sharing a ledger need
synchronised clocks, and SQLite needs a local disk (not NFS) to lock.
"""

from __future__ import annotations

import os
import secrets
import shlex
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path

from jianbao.mail.errors import LedgerError

LEDGER_NAME = "delivery.sqlite3"
SCHEMA_VERSION = 3
IN_FLIGHT = ("claimed", "sending")
STATUSES = (*IN_FLIGHT, "delivered", "failed", "uncertain")

_CREATE = f"""
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    period           TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    documents_digest TEXT NOT NULL,
    message_id       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN {STATUSES!r}),
    attempts         INTEGER NOT NULL,
    time             TEXT NOT NULL,
    last_error       TEXT NOT NULL DEFAULT '',
    owner_host       TEXT NOT NULL DEFAULT '',
    owner_pid        INTEGER NOT NULL DEFAULT 0,
    owner_token      TEXT NOT NULL DEFAULT '',
    claimed_at       TEXT NOT NULL DEFAULT '',
    lease_until      REAL NOT NULL DEFAULT 0,
    region           TEXT NOT NULL DEFAULT ''
);
"""
_INDEXES = f"""
CREATE INDEX IF NOT EXISTS deliveries_unit ON deliveries (period, region, documents_digest, recipient);
CREATE UNIQUE INDEX IF NOT EXISTS deliveries_live ON deliveries (period, region, documents_digest, recipient)
    WHERE status IN {IN_FLIGHT!r};
"""
# Version 2 keyed deliveries by period alone; version 3 by period and region (a region's digest).
_V2_INDEXES = ("deliveries_key", "deliveries_in_flight")
_V1_COLUMNS = "id, period, recipient, documents_digest, message_id, status, attempts, time, last_error"
# A read-only look at a version-1 file (no claims) reads the columns it lacks as these.
_V2_DEFAULTS = {"owner_host": "''", "owner_pid": "0", "claimed_at": "''", "lease_until": "0", "region": "''"}


@dataclass(frozen=True)
class Delivery:
    period: str
    recipient: str
    documents_digest: str
    message_id: str
    status: str  # claimed | sending | delivered | failed | uncertain
    attempts: int
    time: str  # ISO 8601, UTC: the last change
    last_error: str = ""
    owner_host: str = ""
    owner_pid: int = 0
    claimed_at: str = ""  # ISO 8601, UTC
    lease_until: float = 0.0  # Unix time
    region: str = ""  # the digest's region; "" national

    @property
    def owner(self) -> str:
        return str(Owner(self.owner_host, self.owner_pid, ""))


@dataclass(frozen=True)
class Owner:
    """Who holds a claim: a host, a pid, and a token unique to one run (pids are reused)."""

    host: str
    pid: int
    token: str

    @classmethod
    def this_process(cls) -> Owner:
        return cls(socket.gethostname(), os.getpid(), secrets.token_hex(8))

    def __str__(self) -> str:
        return f"{self.host} pid {self.pid}"


@dataclass
class ClaimRound:
    """What one claim transaction found and took, by recipient key."""

    claimed: dict[str, int] = field(default_factory=dict)  # recipient → row id, now ours
    skipped: list[str] = field(default_factory=list)  # already delivered these documents
    uncertain: list[Delivery] = field(default_factory=list)  # may have been delivered: a person decides
    held: list[Delivery] = field(default_factory=list)  # a live claim of another run


class ClaimLost(Exception):
    """Our claim was taken over (its lease lapsed): the body must not be sent."""


def ledger_path(reports_dir: Path) -> Path:
    return reports_dir / LEDGER_NAME


def recipient_key(addr_spec: str) -> str:
    """How the ledger names a recipient: addresses compare case-insensitively, as servers treat them in practice."""
    return addr_spec.lower()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def claim_is_live(row: Delivery, now: float) -> bool:
    """A claim lives while its lease runs and, if the owner is on this host, while its process does."""
    if row.lease_until <= now:
        return False
    return _pid_alive(row.owner_host, row.owner_pid) is not False


def _pid_alive(host: str, pid: int) -> bool | None:
    """None when it cannot be known here (another host, or no signal 0: on Windows it would kill)."""
    if host != socket.gethostname() or os.name != "posix" or pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def damaged_message(path: Path, exc: BaseException) -> str:
    """One line: which file, why, how to move it aside, and what that costs."""
    here = shlex.quote(str(path))
    aside = shlex.quote(f"{path}.damaged")
    return (
        f"{path}: the delivery ledger is damaged ({exc}); nothing was sent. To start a new ledger move it aside "
        f"with `mv {here} {aside}` — the record of what was already sent is then lost and the next send mails "
        "every recipient again, so first check with the recipients (or the mail server's log) what arrived"
    )


class Ledger:
    """An open ledger; use as a context manager. ``readonly`` never creates, migrates or writes the file."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        try:
            if readonly:
                self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                                           isolation_level=None)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"{path}: cannot open the delivery ledger: {exc}; nothing was sent") from None
        try:
            self._check_and_migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            if _is_damage(exc):
                raise LedgerError(damaged_message(path, exc)) from None
            raise LedgerError(f"{path}: cannot use the delivery ledger: {exc}; nothing was sent") from None
        except BaseException:
            self._db.close()
            raise

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _check_and_migrate(self) -> None:
        """Refuse a damaged file before anything is sent; bring a version-1 file (no claims) up to date."""
        problems = [row[0] for row in self._db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(problems[:3]))
        if self._version() < SCHEMA_VERSION and not self.readonly:
            with self._write():
                if self._version() < SCHEMA_VERSION:  # another process may have just done it
                    self._migrate()
        if self._version() > SCHEMA_VERSION:
            raise LedgerError(f"{self.path}: written by a newer jianbao (ledger version {self._version()}); "
                              "upgrade jianbao; nothing was sent")
        self._columns = {row[1] for row in self._db.execute("PRAGMA table_info(deliveries)")}

    def _migrate(self) -> None:
        exists = self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'").fetchone()
        if exists and self._version() == 2:  # add the region, key by it
            self._db.execute("ALTER TABLE deliveries ADD COLUMN region TEXT NOT NULL DEFAULT ''")
            for index in _V2_INDEXES:
                self._db.execute(f"DROP INDEX IF EXISTS {index}")
        elif exists:  # version 1: its CHECK allows only delivered | failed, so rebuild the table
            self._db.execute("ALTER TABLE deliveries RENAME TO deliveries_v1")
            self._db.execute(_CREATE)
            self._db.execute(f"INSERT INTO deliveries ({_V1_COLUMNS}) SELECT {_V1_COLUMNS} FROM deliveries_v1")
            self._db.execute("DROP TABLE deliveries_v1")
        else:
            self._db.execute(_CREATE)
        for statement in _INDEXES.split(";"):
            if statement.strip():
                self._db.execute(statement)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taken before reading so that check-then-claim is atomic across processes."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _select(self) -> str:
        names = [f.name for f in fields(Delivery)]
        cols = ", ".join(name if name in self._columns else f"{_V2_DEFAULTS[name]} AS {name}" for name in names)
        return f"SELECT id, {cols} FROM deliveries"

    def _rows(self, period: str, documents_digest: str, region: str) -> dict[str, list[tuple[int, Delivery]]]:
        """Every row of these documents as (row id, Delivery), by recipient, oldest first."""
        found: dict[str, list[tuple[int, Delivery]]] = {}
        if not self._columns:  # a read-only look at a file without the table
            return found
        where = " WHERE period = ? AND documents_digest = ?" + (" AND region = ?" if "region" in self._columns else "")
        args = (period, documents_digest, region) if "region" in self._columns else (period, documents_digest)
        if "region" not in self._columns and region:
            return found  # an old file has no region's deliveries
        for row in self._db.execute(self._select() + where + " ORDER BY id", args):
            found.setdefault(row[2], []).append((row[0], Delivery(*row[1:])))
        return found

    def survey(self, period: str, documents_digest: str, keys: list[str], resend: bool,
               region: str = "") -> ClaimRound:
        """What a send would find now, without writing (for a dry run): nothing is claimed."""
        found = self._rows(period, documents_digest, region)
        result = ClaimRound()
        now = time.time()
        for key in keys:
            verdict, _, row = _verdict(found.get(key, []), now, resend)
            if verdict == "skipped":
                result.skipped.append(key)
            elif verdict == "uncertain":
                result.uncertain.append(row)
            elif verdict == "died-sending" and not resend:
                result.uncertain.append(_settled(row, now_iso()))
        return result

    def claim(
        self, period: str, documents_digest: str, wanted: Mapping[str, str], owner: Owner, lease: float,
        resend: bool = False, region: str = "",
    ) -> ClaimRound:
        """Claim every recipient (key → Message-ID) that is free, in one transaction; say what the others are.

        A claim left by a dead owner is settled first: still ``claimed`` (no
        body sent) it becomes ``failed`` and the recipient is free again;
        ``sending`` it becomes ``uncertain``.
        """
        result = ClaimRound()
        with self._write():
            found = self._rows(period, documents_digest, region)
            now = time.time()
            stamp = now_iso()
            for key, message_id in wanted.items():
                verdict, row_id, row = _verdict(found.get(key, []), now, resend)
                if verdict.startswith("died-"):
                    settled = _settled(row, stamp)
                    self._db.execute(
                        "UPDATE deliveries SET status = ?, last_error = ?, time = ?, lease_until = 0 WHERE id = ?",
                        (settled.status, settled.last_error, stamp, row_id),
                    )
                    keep_uncertain = settled.status == "uncertain" and not resend
                    verdict, row = ("uncertain", settled) if keep_uncertain else ("free", None)
                if verdict == "skipped":
                    result.skipped.append(key)
                elif verdict == "uncertain":
                    result.uncertain.append(row)
                elif verdict == "held":
                    result.held.append(row)
                else:
                    cursor = self._db.execute(
                        "INSERT INTO deliveries (period, region, recipient, documents_digest, message_id, status,"
                        " attempts, time, owner_host, owner_pid, owner_token, claimed_at, lease_until)"
                        " VALUES (?, ?, ?, ?, ?, 'claimed', 0, ?, ?, ?, ?, ?, ?)",
                        (period, region, key, documents_digest, message_id, stamp, owner.host, owner.pid, owner.token,
                         stamp, now + lease),
                    )
                    assert cursor.lastrowid is not None
                    result.claimed[key] = cursor.lastrowid
        return result

    def start_sending(self, row_id: int, owner: Owner, attempts: int) -> None:
        """Mark that the body is about to go out; ClaimLost if the claim is no longer ours to use."""
        with self._write():
            cursor = self._db.execute(
                "UPDATE deliveries SET status = 'sending', attempts = ?, time = ?"
                " WHERE id = ? AND owner_token = ? AND status = 'claimed' AND lease_until > ?",
                (attempts, now_iso(), row_id, owner.token, time.time()),
            )
            if cursor.rowcount != 1:
                raise ClaimLost(f"claim {row_id} was taken over or has expired")

    def update(self, row_id: int, status: str, attempts: int, last_error: str = "") -> str:
        """Record an outcome (or, after a definite 4xx, ``claimed`` again for the retry); return its time.

        A final state ends the lease.
        """
        assert status in STATUSES
        ending = status not in IN_FLIGHT
        stamp = now_iso()
        with self._write():
            self._db.execute(
                "UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, time = ?"
                + (", lease_until = 0" if ending else "") + " WHERE id = ?",
                (status, attempts, last_error, stamp, row_id),
            )
        return stamp

    def renew(self, owner: Owner, lease: float) -> None:
        """Push the lease of every claim ``owner`` holds ``lease`` seconds ahead (the heartbeat's beat)."""
        with self._write():
            self._db.execute(
                f"UPDATE deliveries SET lease_until = ? WHERE owner_token = ? AND status IN {IN_FLIGHT!r}",
                (time.time() + lease, owner.token),
            )

    def release(self, owner: Owner, stopped_by: str = "") -> None:
        """End of a run: withdraw claims never used; a body in flight when the run stopped is uncertain."""
        why = (f"the send stopped{f' ({stopped_by})' if stopped_by else ''} while the message was being "
               "transmitted or awaited the server's final reply; it may have been delivered")
        with self._write():
            self._db.execute("DELETE FROM deliveries WHERE owner_token = ? AND status = 'claimed'", (owner.token,))
            self._db.execute(
                "UPDATE deliveries SET status = 'uncertain', last_error = ?, time = ?, lease_until = 0"
                " WHERE owner_token = ? AND status = 'sending'",
                (why, now_iso(), owner.token),
            )

    @contextmanager
    def session(self, owner: Owner, lease: float) -> Iterator[None]:
        """Keep ``owner``'s claims alive while the block runs; release them however it ends."""
        heartbeat = _Heartbeat(self.path, owner, lease)
        heartbeat.start()
        stopped_by = ""
        try:
            yield
        except BaseException as exc:
            stopped_by = type(exc).__name__
            raise
        finally:
            heartbeat.stop()
            self.release(owner, stopped_by)

    def mark_delivered(self, period: str, documents_digest: str, keys: list[str], region: str = "") -> list[str]:
        """A person checked: the ``uncertain`` deliveries of ``keys`` did arrive. The keys changed, in order."""
        marked = []
        with self._write():
            found = self._rows(period, documents_digest, region)
            for key in keys:
                rows = [(i, r) for i, r in found.get(key, []) if r.status == "uncertain"]
                if rows:
                    row_id, row = rows[-1]
                    self._db.execute(
                        "UPDATE deliveries SET status = 'delivered', last_error = ?, time = ? WHERE id = ?",
                        (f"marked delivered by a person after a check ({row.last_error})", now_iso(), row_id))
                    marked.append(key)
        return marked

    def history(self, period: str | None = None) -> list[Delivery]:
        """Every row, oldest first (for reports and tests)."""
        if not self._columns:
            return []
        sql, args = self._select(), ()
        if period is not None:
            sql, args = sql + " WHERE period = ?", (period,)
        return [Delivery(*row[1:]) for row in self._db.execute(sql + " ORDER BY id", args)]


def _verdict(rows: list[tuple[int, Delivery]], now: float, resend: bool) -> tuple[str, int, Delivery | None]:
    """One recipient's rows, oldest first → (verdict, row id, row).

    Verdicts: held (a live claim of another run), died-claimed / died-sending
    (a claim whose owner stopped), skipped (delivered), uncertain, free.
    """
    active = next(((i, r) for i, r in rows if r.status in IN_FLIGHT), None)
    if active is not None:
        row_id, row = active
        return ("held" if claim_is_live(row, now) else f"died-{row.status}"), row_id, row
    if not resend:
        if any(r.status == "delivered" for _, r in rows):
            return "skipped", 0, None
        if rows and rows[-1][1].status == "uncertain":
            return "uncertain", rows[-1][0], rows[-1][1]
    return "free", 0, None


def settled_status(row: Delivery) -> str:
    """What a claim whose owner stopped becomes when the next send settles it (see ``_settled``)."""
    return "failed" if row.status == "claimed" else "uncertain"


def _settled(row: Delivery | None, stamp: str) -> Delivery:
    """A claim whose owner stopped: ``claimed`` (no body sent) → failed, ``sending`` → uncertain; with why."""
    assert row is not None and row.status in IN_FLIGHT
    who = f"{row.owner} (claimed {row.claimed_at})"
    if settled_status(row) == "failed":
        why = f"abandoned: {who} stopped before the message was transmitted; free to send again"
        return replace(row, status="failed", time=stamp, last_error=why)
    return replace(row, status="uncertain", time=stamp, last_error=(
        f"{who} stopped while the message was being transmitted or awaited the server's final reply; "
        "it may have been delivered"))


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Not a database or corrupt, as opposed to busy, locked or read-only (OperationalError)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return not isinstance(exc, sqlite3.OperationalError)


class _Heartbeat(threading.Thread):
    """Renews a run's claims every third of the lease, on its own connection, so a slow server never lets them lapse."""

    def __init__(self, path: Path, owner: Owner, lease: float) -> None:
        super().__init__(name="jianbao-ledger-heartbeat", daemon=True)
        self._path, self._owner, self._lease = path, owner, lease
        self._stopping = threading.Event()

    def run(self) -> None:
        # A beat that fails (busy, gone) is tried again; start_sending refuses a claim that lapsed meanwhile.
        try:
            ledger = Ledger(self._path)
        except LedgerError:
            return
        with ledger:
            while not self._stopping.wait(self._lease / 3):
                try:
                    ledger.renew(self._owner, self._lease)
                except sqlite3.Error:
                    continue

    def stop(self) -> None:
        self._stopping.set()
        self.join()
