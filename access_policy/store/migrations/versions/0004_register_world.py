"""The register's full picture: child status, death date and id history; id links; adolescents as authors; released confidences.

Existing rows keep working: every child stored before this revision is `bosatt` with no earlier
ids, every author column for a person is empty, and no revocation released anything.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Instant = sa.DateTime(timezone=True)
_AUTHORED = (
    ("representations", "author"),
    ("representation_confirmations", "author"),
    ("facts", "author"),
    ("revocations", "revoked_by"),
)


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: nullable columns, or NOT NULL with a default, need no table copy.
    op.add_column("representations", sa.Column("status", sa.String(32), nullable=False, server_default="bosatt"))
    op.add_column("representations", sa.Column("death_date", sa.Date, nullable=True))
    op.add_column("representations", sa.Column("former_ids", sa.Text, nullable=True))
    for table, prefix in _AUTHORED:
        op.add_column(table, sa.Column(f"{prefix}_person", sa.String(11), nullable=True))
    op.add_column(
        "revocations", sa.Column("release_confided", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.create_table(
        "id_links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("former", sa.String(11), nullable=False),
        sa.Column("current", sa.String(11), nullable=False),
        sa.Column("child", sa.String(11), nullable=False),
        sa.Column("representation_id", sa.String(64), sa.ForeignKey("representations.id"), nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.UniqueConstraint("child", "former", "current", name="uq_id_links_child_former_current"),
    )
    op.create_index("ix_id_links_former", "id_links", ["former"])
    op.create_index("ix_id_links_current", "id_links", ["current"])


def downgrade() -> None:
    op.drop_table("id_links")
    with op.batch_alter_table("revocations") as batch:
        batch.drop_column("release_confided")
        batch.drop_column("revoked_by_person")
    for table, prefix in _AUTHORED[:3]:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(f"{prefix}_person")
    with op.batch_alter_table("representations") as batch:
        batch.drop_column("former_ids")
        batch.drop_column("death_date")
        batch.drop_column("status")
