"""Decision log: a hash version and salt per entry (RFC 8785, two-level hash), and signed checkpoints of the head.

Entries already stored keep hash version 1 and verify as before; new entries are written with
version 2 (see access_policy/auditlog/chain.py).

Revision ID: 0003
Revises: 0001 (0002 once the revocation-reason migration is in the same history)
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("hash_version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("salt", sa.String(32)))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("log_id", sa.String(64), nullable=False),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
    )
    op.create_index("ix_audit_checkpoints_tree_size", "audit_checkpoints", ["tree_size"])


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("salt")
        batch.drop_column("hash_version")
