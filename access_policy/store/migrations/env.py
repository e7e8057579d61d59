"""Alembic environment: migrations run on a connection handed over by `access_policy.store`."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always hands over its connection
    raise RuntimeError("run the migrations with `access-policy migrate`, not the alembic command")

context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
