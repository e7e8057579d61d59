"""The fact store: SQLite in a data directory by default, PostgreSQL for several instances.

`open_store()` opens (and by default migrates) a store and returns a `FactStore`; see
`access_policy.store.interface` for what a store promises and docs/store.md for the schema.
"""

from __future__ import annotations

from pathlib import Path

from access_policy.errors import AccessPolicyError, StoreUnavailableError
from access_policy.store.engine import DEFAULT_DATA_DIR, SQLITE_FILE, build_engines
from access_policy.store.interface import AuditEntry, Change, DecisionLog, FactStore, ImportSummary
from access_policy.store.sql import SqlFactStore

__all__ = [
    "AuditEntry",
    "Change",
    "DEFAULT_DATA_DIR",
    "DecisionLog",
    "FactStore",
    "ImportSummary",
    "SQLITE_FILE",
    "SqlFactStore",
    "migrate",
    "open_store",
]


def open_store(*, data_dir: Path | None = None, database_url: str | None = None, migrate: bool = True) -> SqlFactStore:
    """Open the store in `data_dir` (SQLite, default `./data`) or at `database_url`, migrating it unless told not to."""
    try:
        engines = build_engines(data_dir=data_dir, database_url=database_url)
    except OSError as error:
        raise StoreUnavailableError(f"cannot use the data directory: {error}") from error
    store = SqlFactStore(engines)
    if migrate:
        try:
            _upgrade(engines)
        except AccessPolicyError:
            store.close()
            raise
        except Exception as error:  # noqa: BLE001 - nothing raw leaves the store
            store.close()
            message = str(getattr(error, "orig", None) or error).strip().splitlines()
            raise StoreUnavailableError(
                f"the fact store is unavailable: {message[0] if message else type(error).__name__}"
            ) from error
    else:
        store.ping()
    return store


def migrate(*, data_dir: Path | None = None, database_url: str | None = None) -> str | None:
    """Apply the migrations to a store and return the revision it is at."""
    from access_policy.store.migrate import current_revision

    store = open_store(data_dir=data_dir, database_url=database_url, migrate=True)
    try:
        return current_revision(store._engines)
    finally:
        store.close()


def _upgrade(engines) -> None:
    from access_policy.store.migrate import upgrade

    path = engines.sqlite_path
    if path is not None and not path.parent.exists():
        raise StoreUnavailableError(f"the data directory `{path.parent}` does not exist")
    upgrade(engines)
