"""Alembic migrations of the fact store, run programmatically by `access_policy.store.migrate`."""
