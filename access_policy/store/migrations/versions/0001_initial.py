"""Initial schema: representation snapshots, clinician facts, revocations, change feed, idempotency keys, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Instant = sa.DateTime(timezone=True)
# On SQLite an INTEGER PRIMARY KEY is the rowid itself: one B-tree fewer per feed and log row.
Position = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _author(prefix: str) -> list[sa.Column]:
    return [
        sa.Column(f"{prefix}_hpr", sa.String(9)),
        sa.Column(f"{prefix}_org", sa.String(9)),
        sa.Column(f"{prefix}_system", sa.String(200)),
    ]


def upgrade() -> None:
    op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(sa.table("change_counter", sa.column("id"), sa.column("position")), [{"id": 1, "position": 0}])
    op.create_table(
        "changes",
        sa.Column("position", Position, primary_key=True, autoincrement=False),
        sa.Column("child", sa.String(11), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("fact_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("at", Instant, nullable=False),
    )
    op.create_index("ix_changes_child_position", "changes", ["child", "position"])
    op.create_table(
        "representations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("child", sa.String(11), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False, unique=True),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("address_protection", sa.String(32), nullable=False),
        sa.Column("holders", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("retrieved_at", Instant, nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        *_author("author"),
    )
    op.create_index("ix_representations_child_position", "representations", ["child", "position"])
    op.create_table(
        "representation_confirmations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("representation_id", sa.String(64), sa.ForeignKey("representations.id"), nullable=False),
        sa.Column("child", sa.String(11), nullable=False),
        sa.Column("retrieved_at", Instant, nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        *_author("author"),
    )
    op.create_index(
        "ix_representation_confirmations_representation",
        "representation_confirmations",
        ["representation_id", "recorded_at"],
    )
    op.create_table(
        "facts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("child", sa.String(11), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False, unique=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("valid_from", Instant),
        sa.Column("valid_until", Instant),
        sa.Column("recorded_at", Instant, nullable=False),
        *_author("author"),
    )
    op.create_index("ix_facts_child_position", "facts", ["child", "position"])
    op.create_table(
        "revocations",
        sa.Column("fact_id", sa.String(64), sa.ForeignKey("facts.id"), primary_key=True),
        sa.Column("child", sa.String(11), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False, unique=True),
        sa.Column("revoked_at", Instant, nullable=False),
        *_author("revoked_by"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("author", sa.String(240), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("fact_id", sa.String(64), sa.ForeignKey("facts.id"), nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(
        sa.table("audit_head", sa.column("id"), sa.column("position"), sa.column("hash")),
        [{"id": 1, "position": 0, "hash": "0" * 64}],
    )
    op.create_table(
        "audit_log",
        sa.Column("position", Position, primary_key=True, autoincrement=False),
        sa.Column("decision_id", sa.String(64), nullable=False, unique=True),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.Column("child", sa.String(64), nullable=False),
        sa.Column("entry", sa.Text, nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_child_position", "audit_log", ["child", "position"])


def downgrade() -> None:
    for name in (
        "audit_log",
        "audit_head",
        "idempotency_keys",
        "revocations",
        "facts",
        "representation_confirmations",
        "representations",
        "changes",
        "change_counter",
    ):
        op.drop_table(name)
