"""A store that cannot answer raises `StoreUnavailableError`, never a raw database error."""

from __future__ import annotations

import shutil
import sqlite3
import time

import pytest
import sqlalchemy

from access_policy.errors import StoreUnavailableError
from access_policy.facts import FactKind
from access_policy.store import engine as store_engine
from access_policy.store import open_store

from tests.store.conftest import CLINICIAN
from tests.store.helpers import CHILD_8, exemption


def test_postgresql_on_a_closed_port():
    with pytest.raises(StoreUnavailableError):
        open_store(database_url="postgresql+psycopg://root@127.0.0.1:9/test")


def test_sqlite_in_a_removed_directory(tmp_path):
    data = tmp_path / "data"
    store = open_store(data_dir=data)
    store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN)
    shutil.rmtree(data)
    for action in (
        store.ping,
        lambda: store.child_facts(CHILD_8),
        lambda: store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN),
        lambda: store.changes(),
    ):
        with pytest.raises(StoreUnavailableError):
            action()
    store.close()
    with pytest.raises(StoreUnavailableError):
        open_store(database_url=f"sqlite:///{data / 'facts.sqlite3'}")


def test_tables_gone_is_unavailable(backend, store):
    with store.engine.begin() as connection:
        connection.execute(sqlalchemy.text("DROP TABLE revocations"))
    with pytest.raises(StoreUnavailableError):
        store.child_facts(CHILD_8)


def test_a_writer_locked_out_too_long_gives_up(backend, monkeypatch):
    monkeypatch.setattr(store_engine, "LOCK_TIMEOUT_SECONDS", 1)
    store = backend.open()
    try:
        if backend.name == "sqlite":
            holder = sqlite3.connect(store.engine.url.database, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
        else:
            holder = store.engine.connect()
            holder.begin()
            holder.execute(sqlalchemy.text("SELECT position FROM change_counter FOR UPDATE"))
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError):
            store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN)
        assert time.monotonic() - started < 10
        holder.rollback() if backend.name == "postgresql" else holder.execute("ROLLBACK")
        holder.close()
        # Reads never wait for writers.
        assert store.child_facts(CHILD_8).exemptions == ()
        store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN)
    finally:
        store.close()


def test_a_queued_writer_waits_at_most_the_limit_in_all(tmp_path, monkeypatch):
    """The limit covers the wait for the process's writer lock and SQLite's lock together, not each."""
    import threading

    monkeypatch.setattr(store_engine, "LOCK_TIMEOUT_SECONDS", 2)
    store = open_store(data_dir=tmp_path / "data")
    holder = sqlite3.connect(store.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's writer, for the whole test
    in_process = threading.Event()

    def queue_ahead() -> None:
        with store._engines.writer_lock.held():  # a writer of this process ahead in the queue
            in_process.set()
            time.sleep(1.5)

    ahead = threading.Thread(target=queue_ahead)
    ahead.start()
    try:
        in_process.wait()
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError):
            store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN)
        waited = time.monotonic() - started
        # 2 s in all; without a shared deadline it was 1.5 s in the queue and then 2 s more in SQLite.
        assert waited < 3.2, waited
    finally:
        ahead.join()
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


def test_the_write_probe_passes_changes_nothing_and_fails_while_the_log_is_locked(backend):
    store = backend.open()
    try:
        head = store.audit_head()
        store.probe_write()
        assert store.audit_head() == head and store.read_audit() == []
        if backend.name == "sqlite":
            holder = sqlite3.connect(store.engine.url.database, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
        else:
            holder = store.engine.connect()
            holder.begin()
            holder.execute(sqlalchemy.text("SELECT position FROM audit_head FOR UPDATE"))
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError):
            store.probe_write(timeout=0.5)
        assert time.monotonic() - started < 5
        holder.rollback() if backend.name == "postgresql" else holder.execute("ROLLBACK")
        holder.close()
        store.probe_write()
    finally:
        store.close()
