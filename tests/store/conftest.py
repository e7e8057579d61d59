"""Store fixtures: every test runs against SQLite (in tmp_path) and PostgreSQL (in its own schema)."""

from __future__ import annotations

import datetime
import secrets
import urllib.parse
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy

from access_policy.facts import Author
from access_policy.store import SqlFactStore, open_store

CLINICIAN = Author(hpr="1234567", org="974589095")
OTHER_CLINICIAN = Author(hpr="7654321", org="974589095")
REGISTER = Author(system="folkeregisteret-sync")


class Backend:
    """Where a test's store lives: open it (again) by URL, from this process or a child process."""

    def __init__(self, name: str, url: str):
        self.name = name
        self.url = url

    def open(self, *, migrate: bool = True) -> SqlFactStore:
        """A new store object over the same database."""
        return open_store(database_url=self.url, migrate=migrate)


def _schema_url(base_url: str, schema: str) -> str:
    options = urllib.parse.quote(f"-csearch_path={schema}")
    return f"{base_url}{'&' if '?' in base_url else '?'}options={options}"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path: Path) -> Iterator[Backend]:
    """A fresh, empty database on each backend: a SQLite file, or a PostgreSQL schema of its own."""
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
def store(backend: Backend) -> Iterator[SqlFactStore]:
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
