"""Apply the shipped Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from access_policy.store.engine import Engines

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: PostgreSQL advisory lock that keeps two instances from migrating at once.
_MIGRATION_LOCK = 7_244_190_311


def alembic_config() -> Config:
    """An Alembic configuration pointing at the migrations inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def upgrade(engines: Engines, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction, serialised across processes."""
    config = alembic_config()
    with engines.write.connect() as connection:
        with connection.begin():
            # SQLite: the write connection began with BEGIN IMMEDIATE, which is the lock.
            if engines.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, revision)


def current_revision(engines: Engines) -> str | None:
    """The schema revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engines.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
