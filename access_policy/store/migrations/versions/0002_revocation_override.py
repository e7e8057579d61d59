"""Revocations record why and whether another organisation's fact was revoked under an override.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: a NOT NULL column with a default needs no table copy.
    op.add_column("revocations", sa.Column("reason", sa.Text, nullable=True))
    op.add_column("revocations", sa.Column("override", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("revocations") as batch:
        batch.drop_column("override")
        batch.drop_column("reason")
