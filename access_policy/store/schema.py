"""The store's tables as SQLAlchemy Core objects (the migrations in `migrations/` create them).

Facts are append-only: rows of `representations`, `facts`, `revocations`, `id_links`, `changes`,
`audit_log` and `audit_checkpoints` are inserted and never updated or deleted. The only rows updated in place are the
two one-row counters, `change_counter` and `audit_head`: updating them in the writing
transaction is the lock that keeps the change feed and the audit chain gap-free and ordered.
"""

from __future__ import annotations

import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator

UTC = datetime.timezone.utc


class UTCDateTime(TypeDecorator):
    """An aware instant stored in UTC (timestamptz on PostgreSQL, fixed-width text on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    # SQLAlchemy's stubs name the value's type per TypeDecorator; this one takes and gives datetimes.
    def process_bind_param(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a stored instant must carry a UTC offset")
        value = value.astimezone(UTC)
        # SQLite keeps the text form; all-UTC naive values compare correctly as text.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if isinstance(value, str):  # func.max() over SQLite text can skip the type's processor
            value = datetime.datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# On SQLite an INTEGER PRIMARY KEY is the rowid itself: one B-tree fewer per feed and log row.
_Position = BigInteger().with_variant(Integer, "sqlite")

metadata = MetaData()


def _author_columns(prefix: str) -> list[Column]:
    return [
        Column(f"{prefix}_hpr", String(9)),
        Column(f"{prefix}_org", String(9)),
        Column(f"{prefix}_system", String(200)),
        # The adolescent, when they author a fact themselves (sharing grants) or withdraw it.
        Column(f"{prefix}_person", String(11)),
    ]


change_counter = Table(
    "change_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
)

changes = Table(
    "changes",
    metadata,
    Column("position", _Position, primary_key=True, autoincrement=False),
    Column("child", String(11), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("fact_id", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_changes_child_position", "child", "position"),
)

representations = Table(
    "representations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("child", String(11), nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("birth_date", Date, nullable=False),
    Column("address_protection", String(32), nullable=False),
    Column("holders", Text, nullable=False),
    # Register status (folkeregisterpersonstatus), date of death and the child's earlier ids (JSON list).
    Column("status", String(32), nullable=False, server_default="bosatt"),
    Column("death_date", Date),
    Column("former_ids", Text),
    Column("content_hash", String(64), nullable=False),
    Column("retrieved_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    *_author_columns("author"),
    Index("ix_representations_child_position", "child", "position"),
)

representation_confirmations = Table(
    "representation_confirmations",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("representation_id", String(64), ForeignKey("representations.id"), nullable=False),
    Column("child", String(11), nullable=False),
    Column("retrieved_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    *_author_columns("author"),
    Index("ix_representation_confirmations_representation", "representation_id", "recorded_at"),
)

facts = Table(
    "facts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("child", String(11), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("body", Text, nullable=False),
    Column("valid_from", UTCDateTime),
    Column("valid_until", UTCDateTime),
    Column("recorded_at", UTCDateTime, nullable=False),
    *_author_columns("author"),
    Index("ix_facts_child_position", "child", "position"),
)

revocations = Table(
    "revocations",
    metadata,
    Column("fact_id", String(64), ForeignKey("facts.id"), primary_key=True),
    Column("child", String(11), nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("revoked_at", UTCDateTime, nullable=False),
    *_author_columns("revoked_by"),
    # Why it was revoked, and whether by another organisation than the author's (`facts:override`).
    Column("reason", Text),
    Column("override", Boolean, nullable=False, server_default=false()),
    # Revoking a grey-zone assessment may release what was confided while the wish applied.
    Column("release_confided", Boolean, nullable=False, server_default=false()),
)

id_links = Table(
    "id_links",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("former", String(11), nullable=False),
    Column("current", String(11), nullable=False),
    # The child whose representation reported the link (for the child's own ids: the child).
    Column("child", String(11), nullable=False),
    Column("representation_id", String(64), ForeignKey("representations.id"), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("child", "former", "current", name="uq_id_links_child_former_current"),
    Index("ix_id_links_former", "former"),
    Index("ix_id_links_current", "current"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("author", String(240), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("fact_id", String(64), ForeignKey("facts.id"), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("position", _Position, primary_key=True, autoincrement=False),
    Column("decision_id", String(64), nullable=False, unique=True),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("child", String(64), nullable=False),
    Column("entry", Text, nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # How `hash` was computed (access_policy.auditlog.chain): 1 for entries written before it was recorded.
    Column("hash_version", Integer, nullable=False, server_default="1"),
    # Version 2: the random salt of the entry's body digest (NULL for version 1).
    Column("salt", String(32)),
    Index("ix_audit_log_child_position", "child", "position"),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("log_id", String(64), nullable=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("signature", String(200), nullable=False),
    Index("ix_audit_checkpoints_tree_size", "tree_size"),
)
