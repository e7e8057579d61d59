"""The decision log over SQLAlchemy Core: append with group commit, read, the head, signed checkpoints.

A part of the SQL store: it uses the store's plumbing (`SqlPlumbing`: a transaction that turns
database errors into `StoreUnavailableError`). The chain itself — canonical JSON, hashes,
the verifier — is `access_policy.auditlog.chain`; appends are serialised by the one-row
`audit_head` (`SELECT … FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so positions
are gap-free across processes.
"""

from __future__ import annotations

import datetime
import secrets
import time
from typing import Any, Sequence

from sqlalchemy import insert, select, text

from access_policy import observe
from access_policy.auditlog.chain import (
    CURRENT_HASH_VERSION,
    GENESIS_HASH,
    UTC,
    AuditEntry,
    body_digest_of_text,
    hash_v2,
    parse_entry,
)
from access_policy.auditlog.checkpoints import Checkpoint
from access_policy.auditlog.writer import GroupCommit
from access_policy.errors import InvalidInputError, StoreUnavailableError
from access_policy.store.bulk import insert_rows
from access_policy.store.engine import lock_wait_until
from access_policy.store.inputs import audit_entry_text
from access_policy.store.schema import audit_checkpoints, audit_head, audit_log
from access_policy.store.sql_plumbing import SqlPlumbing

MAX_AUDIT_PAGE = 10_000
# Readiness's write probe: how long it waits for the write lock, and how large a row it writes
# (larger than a page, so a database that cannot grow fails it).
PROBE_TIMEOUT_SECONDS = 1.0
PROBE_BYTES = 16 * 1024


# The head's statements on the driver's cursor, by paramstyle (False: SQLite `?`, True: psycopg `%s`).
_HEAD_SQL = {
    False: {
        "verify": "UPDATE audit_head SET position = ?, hash = ? WHERE id = 1 AND position = ? AND hash = ?",
        "read": "SELECT position, hash FROM audit_head WHERE id = 1",
        "write": "UPDATE audit_head SET position = ?, hash = ? WHERE id = 1",
    },
    True: {
        "verify": "UPDATE audit_head SET position = %s, hash = %s WHERE id = 1 AND position = %s AND hash = %s",
        "read": "SELECT position, hash FROM audit_head WHERE id = 1 FOR UPDATE",
        "write": "UPDATE audit_head SET position = %s, hash = %s WHERE id = 1",
    },
}


class _Queued:
    """A validated entry waiting for the group commit: its id, child, entry, stored text and salt."""

    __slots__ = ("decision_id", "child", "entry", "text", "salt")

    def __init__(self, decision_id: str, child: str, entry: Any, text: str, salt: str):
        self.decision_id, self.child, self.entry, self.text, self.salt = decision_id, child, entry, text, salt


class SqlDecisionLog(SqlPlumbing):
    """The `DecisionLog` part of the SQL store."""

    def _decision_log_init(self) -> None:
        # Late-bound, so a test can replace `_commit_audit` on one store.
        self._audit_writer: GroupCommit[_Queued, AuditEntry] = GroupCommit(self._timed_commit_audit)
        # (position, hash) of the head as this store's last commit left it; None: read it.
        self._audit_known_head: tuple[int, str] | None = None

    def append_audit(self, decision_id: str, child: str, entry: dict[str, Any]) -> AuditEntry:
        """Append a decision-log entry to the hash chain; returns once it is committed (group commit)."""
        return self._audit_writer.submit(self._queued(decision_id, child, entry))

    async def append_audit_async(self, decision_id: str, child: str, entry: dict[str, Any]) -> AuditEntry:
        """As `append_audit`, awaited: the caller holds no thread while its group is written and flushed."""
        return await self._audit_writer.submit_async(self._queued(decision_id, child, entry))

    @staticmethod
    def _queued(decision_id: str, child: str, entry: dict[str, Any]) -> _Queued:
        text = audit_entry_text(decision_id, child, entry)
        # Hash what will be read back: the stored text parsed again (e.g. a tuple reads back as a list).
        return _Queued(decision_id, child, parse_entry(text), text, secrets.token_hex(16))

    def _timed_commit_audit(self, batch: Sequence[_Queued]) -> list[AuditEntry]:
        started = time.perf_counter()
        stored = self._commit_audit(batch)
        observe.audit_group_committed(len(batch), time.perf_counter() - started)
        return stored

    def _commit_audit(self, batch: Sequence[_Queued]) -> list[AuditEntry]:
        """Write queued entries, in queue order, to the chain in one transaction.

        The head the last commit left is kept in memory (only the writer thread commits) and
        verified by the head's own update: `UPDATE … WHERE position = :known AND hash = :known`
        changes one row only when no other process (or store) appended since. Then a group
        costs one update and one insert; otherwise the head is read under its lock and the
        group hashed again. Statements go to the driver's cursor: SQLAlchemy's per-statement
        work cost more than SQLite's own in the writer thread, which shares the interpreter
        with the event loop.
        """
        known = self._audit_known_head
        self._audit_known_head = None  # until this commit is known to have succeeded
        with self._write() as connection:
            cursor = connection.connection.cursor()
            sql = _HEAD_SQL[connection.dialect.name == "postgresql"]
            try:
                # Stored at microsecond precision on both backends: hash what will be read back.
                recorded_at = datetime.datetime.now(UTC)
                rows, stored = self._chained(batch, known, recorded_at) if known is not None else ([], [])
                if known is not None:
                    cursor.execute(sql["verify"], (stored[-1].position, stored[-1].hash, known[0], known[1]))
                if known is None or cursor.rowcount != 1:
                    cursor.execute(sql["read"])
                    head = cursor.fetchone()
                    if head is None:  # the migration writes the head row; without it nothing can be chained
                        raise StoreUnavailableError("the decision log's head row is missing")
                    position, previous = head
                    rows, stored = self._chained(batch, (int(position), str(previous)), recorded_at)
                    cursor.execute(sql["write"], (stored[-1].position, stored[-1].hash))
            finally:
                cursor.close()
            insert_rows(connection, audit_log, rows)
        self._audit_known_head = (stored[-1].position, stored[-1].hash)
        return stored

    @staticmethod
    def _chained(
        batch: Sequence[_Queued], head: tuple[int, str], recorded_at: datetime.datetime
    ) -> tuple[list[dict[str, Any]], list[AuditEntry]]:
        """The rows and entries of a group appended after `head` (position, hash)."""
        position, previous = head
        rows, stored = [], []
        for queued in batch:
            position += 1
            body = body_digest_of_text(queued.child, queued.text, queued.salt)
            digest = hash_v2(previous, position, queued.decision_id, recorded_at, body)
            rows.append(
                {
                    "position": position,
                    "decision_id": queued.decision_id,
                    "recorded_at": recorded_at,
                    "child": queued.child,
                    "entry": queued.text,
                    "previous_hash": previous,
                    "hash": digest,
                    "hash_version": CURRENT_HASH_VERSION,
                    "salt": queued.salt,
                }
            )
            stored.append(
                AuditEntry(
                    position, queued.decision_id, recorded_at, queued.child, queued.entry, previous, digest,
                    CURRENT_HASH_VERSION, queued.salt,
                )
            )
            previous = digest
        return rows, stored

    def probe_write(self, timeout: float = PROBE_TIMEOUT_SECONDS) -> None:
        """Raise `StoreUnavailableError` unless a decision could be logged now; changes nothing.

        Writes a decision-log row as large as a big entry and rolls it back: a read-only or
        full database, a lost file or a write lock held past `timeout` all fail here as they
        would fail the next decision. Readiness asks this, not only whether reads answer.
        """
        with (
            self._guard(),
            self._engines.writer_lock.held(timeout) as deadline,
            self._engines.write.connect() as connection,
            lock_wait_until(connection, deadline),
        ):
            transaction = connection.begin()
            try:
                if connection.dialect.name == "postgresql":
                    remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
                    connection.execute(text(f"SET LOCAL lock_timeout = {remaining_ms}"))
                connection.execute(select(audit_head.c.position).where(audit_head.c.id == 1).with_for_update()).one()
                connection.execute(
                    insert(audit_log),
                    [
                        {
                            "position": -1,
                            "decision_id": "readiness-probe",
                            "recorded_at": datetime.datetime.now(UTC),
                            "child": "-",
                            "entry": "x" * PROBE_BYTES,
                            "previous_hash": GENESIS_HASH,
                            "hash": GENESIS_HASH,
                        }
                    ],
                )
            finally:
                transaction.rollback()

    def audit_head(self) -> tuple[int, str]:
        """The position and hash of the last decision-log entry, as the chain's head records them."""
        with self._read() as connection:
            head = connection.execute(select(audit_head.c.position, audit_head.c.hash).where(audit_head.c.id == 1)).one()
        return int(head.position), str(head.hash)

    def read_audit(self, *, child: str | None = None, after: int | None = None, limit: int = 1000) -> list[AuditEntry]:
        """Decision-log entries in order, optionally for one child; an entry that is not JSON reads as `Unreadable`."""
        if not isinstance(limit, int) or not 1 <= limit <= MAX_AUDIT_PAGE:
            raise InvalidInputError.for_field("limit", f"must be between 1 and {MAX_AUDIT_PAGE}")
        if after is not None and (not isinstance(after, int) or after < 0):
            raise InvalidInputError.for_field("after", "must be a whole number ≥ 0")
        statement = select(audit_log).where(audit_log.c.position > (after or 0))
        if child is not None:
            statement = statement.where(audit_log.c.child == child)
        statement = statement.order_by(audit_log.c.position).limit(limit)
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return [
            AuditEntry(
                r.position, r.decision_id, r.recorded_at, r.child, parse_entry(r.entry), r.previous_hash, r.hash,
                r.hash_version, r.salt,
            )
            for r in rows
        ]

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Store a signed checkpoint of the head (it was signed outside the database)."""
        with self._write() as connection:
            connection.execute(
                insert(audit_checkpoints),
                [
                    {
                        "log_id": checkpoint.log_id,
                        "tree_size": checkpoint.tree_size,
                        "timestamp": checkpoint.timestamp,
                        "root_hash": checkpoint.root_hash,
                        "signature": checkpoint.signature,
                    }
                ],
            )

    def checkpoints(self) -> list[Checkpoint]:
        """Every stored checkpoint, oldest first."""
        statement = select(audit_checkpoints).order_by(audit_checkpoints.c.tree_size, audit_checkpoints.c.id)
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return [Checkpoint(r.log_id, int(r.tree_size), int(r.timestamp), r.root_hash, r.signature) for r in rows]
