"""Store fixtures: one parametrised `backend`, so each contract test runs against every store.

A test that asks for `store` runs against the in-memory store, SQLite (in tmp_path) and
PostgreSQL (in its own schema). A test that asks for `backend` itself (to reopen the database,
from this process or another), or is marked `sql_only` (migrations, SQL durability, statement
counts), runs against the two SQL backends only.
"""

from __future__ import annotations

import datetime
import inspect
import secrets
import urllib.parse
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy

from access_policy.facts import Author
from access_policy.store import FactStore, open_store
from access_policy.store.memory import MemoryFactStore

CLINICIAN = Author(hpr="1234567", org="974589095")
OTHER_CLINICIAN = Author(hpr="7654321", org="974589095")
REGISTER = Author(system="folkeregisteret-sync")


SQL_BACKENDS = ("sqlite", "postgresql")
BACKENDS = ("memory", *SQL_BACKENDS)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "sql_only: a test of the SQL store itself, not run against the memory store")


def pytest_generate_tests(metafunc) -> None:
    """Run each test that needs a store against every backend, or the SQL ones where it is about SQL."""
    if "backend" not in metafunc.fixturenames:
        return
    asks_for_backend = "backend" in inspect.signature(metafunc.function).parameters
    sql_only = asks_for_backend or metafunc.definition.get_closest_marker("sql_only") is not None
    metafunc.parametrize("backend", SQL_BACKENDS if sql_only else BACKENDS, indirect=True)


class Backend:
    """Where a test's store lives: open it (again) by URL, from this process or a child process."""

    def __init__(self, name: str, url: str):
        self.name = name
        self.url = url
        self._memory: MemoryFactStore | None = None

    def open(self, *, migrate: bool = True) -> FactStore:
        """A new store object over the same database (the one store, in memory)."""
        if self.name == "memory":
            self._memory = self._memory or MemoryFactStore()
            return self._memory
        return open_store(database_url=self.url, migrate=migrate)


def _schema_url(base_url: str, schema: str) -> str:
    options = urllib.parse.quote(f"-csearch_path={schema}")
    return f"{base_url}{'&' if '?' in base_url else '?'}options={options}"


@pytest.fixture
def backend(request, tmp_path: Path) -> Iterator[Backend]:
    """A fresh, empty store on each backend: in memory, a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "memory":
        yield Backend("memory", "memory://")
        return
    if request.param == "sqlite":
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        yield Backend("sqlite", f"sqlite+pysqlite:///{data_dir / 'facts.sqlite3'}")
        return
    base_url = request.getfixturevalue("postgres_url")
    schema = f"store_test_{secrets.token_hex(6)}"
    admin = sqlalchemy.create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield Backend("postgresql", _schema_url(base_url, schema))
    finally:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(backend: Backend) -> Iterator[FactStore]:
    """A migrated, empty store on the parametrised backend."""
    opened = backend.open()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def t0() -> datetime.datetime:
    """A fixed recording time: 1 November 2026, 09:00 UTC."""
    return datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.timezone.utc)
