"""The SQL store's plumbing: its engines, transactions that turn database errors into `StoreUnavailableError`, the change-feed lock.

Every write runs in one transaction that first takes the change-feed lock (the one-row
`change_counter`, `SELECT … FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so the
positions it hands out are consecutive and a rolled-back transaction leaves no gap. The parts of
the SQL store (facts, representations, the decision log) build on this class.
"""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from access_policy.errors import AccessPolicyError, StoreUnavailableError
from access_policy.facts import Author
from access_policy.store.engine import Engines, lock_wait_until
from access_policy.store.inputs import one_line
from access_policy.store.schema import change_counter


class SqlPlumbing:
    """Engines and transactions shared by every part of the SQL store."""

    def __init__(self, engines: Engines):
        self._engines = engines

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self._engines.dialect

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and tools that count statements)."""
        return self._engines.engine

    def close(self) -> None:
        """Close every pooled connection."""
        self._engines.engine.dispose()

    def ping(self) -> None:
        """Raise `StoreUnavailableError` unless the store answers."""
        with self._guard(), self._engines.engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        path = self._engines.sqlite_path
        if path is not None and not path.exists():
            # SQLite would quietly create a new, empty file (or keep writing to an unlinked one).
            raise StoreUnavailableError(f"the database file `{path}` is gone")
        try:
            yield
        except AccessPolicyError:
            raise
        except (SQLAlchemyError, sqlite3.Error, psycopg.Error, OSError) as error:
            raise StoreUnavailableError(f"the fact store is unavailable: {one_line(error)}") from error

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._guard(), self._engines.writer_lock.held() as deadline, self._engines.write.connect() as connection:
            with lock_wait_until(connection, deadline), connection.begin():
                if connection.dialect.name == "postgresql":
                    # Every row lock this transaction waits for shares the one deadline.
                    remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
                    connection.execute(text(f"SET LOCAL lock_timeout = {remaining_ms}"))
                yield connection

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._guard(), self._engines.read.connect() as connection, connection.begin():
            yield connection

    @staticmethod
    def _lock_changes(connection: Connection) -> int:
        """Take the change-feed lock; the last position handed out."""
        statement = select(change_counter.c.position).where(change_counter.c.id == 1).with_for_update()
        return connection.execute(statement).scalar_one()

    @staticmethod
    def _advance(connection: Connection, position: int) -> None:
        connection.execute(update(change_counter).where(change_counter.c.id == 1).values(position=position))

    @staticmethod
    def _change(position: int, child: str, kind: str, fact_id: str, action: str, at: datetime.datetime) -> dict[str, Any]:
        """A change-feed row."""
        return {"position": position, "child": child, "kind": kind, "fact_id": fact_id, "action": action, "at": at}


def author_values(prefix: str, author: Author) -> dict[str, str | None]:
    """An author as the columns `<prefix>_hpr`, `_org`, `_system` and `_person`."""
    return {
        f"{prefix}_hpr": author.hpr,
        f"{prefix}_org": author.org,
        f"{prefix}_system": author.system,
        f"{prefix}_person": author.person,
    }


def author_from(row: Any, prefix: str) -> Author | None:
    """The author kept in a row's `<prefix>_…` columns, or None when they are empty."""
    hpr, org, system = getattr(row, f"{prefix}_hpr"), getattr(row, f"{prefix}_org"), getattr(row, f"{prefix}_system")
    person = getattr(row, f"{prefix}_person", None)
    if hpr is None and org is None and system is None and person is None:
        return None
    # Validated when written.
    return Author.model_construct(hpr=hpr, org=org, system=system, person=person)
