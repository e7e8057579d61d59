"""Readiness tells the truth: 200 only when a decision can be made and logged now.

Each fault is injected into the real SQLite store of the running app; under every one a decision
is a 503 deny (never a permit), `/readyz` says 503, and both recover when the fault is gone.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from typing import Iterator

import pytest
from sqlalchemy import event

from tests.api.conftest import item


@contextlib.contextmanager
def _pragma_on_every_connection(store, pragma: str) -> Iterator[None]:
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.execute(pragma)

    event.listen(store.engine, "connect", on_connect)
    store.engine.dispose()  # pooled connections reopen with the pragma
    try:
        yield
    finally:
        event.remove(store.engine, "connect", on_connect)
        store.engine.dispose()


@contextlib.contextmanager
def read_only(store) -> Iterator[None]:
    """The database refuses writes (as a read-only file or mount does); chmod binds no root process."""
    with _pragma_on_every_connection(store, "PRAGMA query_only = ON"):
        yield


@contextlib.contextmanager
def disk_full(store) -> Iterator[None]:
    """No room left, as on a full disk: SQLite's `max_page_count` a little above the current size,
    then a scratch table filled until SQLite says `database or disk is full`."""
    path = store.engine.url.database
    filler = sqlite3.connect(path, isolation_level=None)
    filler.execute("CREATE TABLE IF NOT EXISTS disk_filler (blob BLOB)")
    pages = filler.execute("PRAGMA page_count").fetchone()[0]
    with _pragma_on_every_connection(store, f"PRAGMA max_page_count = {pages + 64}"):
        filler.execute(f"PRAGMA max_page_count = {pages + 64}")
        for size in (65536, 4096, 256, 16):
            with contextlib.suppress(sqlite3.OperationalError):
                while True:
                    filler.execute("INSERT INTO disk_filler VALUES (zeroblob(?))", (size,))
        try:
            yield
        finally:
            filler.execute("DROP TABLE disk_filler")
            filler.close()


@contextlib.contextmanager
def write_lock_held(store) -> Iterator[None]:
    """Another process's writer holds the database's write lock."""
    holder = sqlite3.connect(store.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextlib.contextmanager
def immutable(store) -> Iterator[None]:
    """The database file and its WAL are immutable (`chattr +i`); skipped where chattr cannot."""
    path = store.engine.url.database
    # Not the -shm file: SQLite maps it into memory, and an immutable mapping is a SIGBUS, not an error.
    files = [path, path + "-wal"]
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    done = []
    try:
        for name in files:
            if subprocess.run(["chattr", "+i", name], capture_output=True).returncode != 0:
                pytest.skip("this filesystem or user cannot make files immutable")
            done.append(name)
        store.engine.dispose()  # Linux checks immutability when a file is opened: reopen them
        yield
    finally:
        for name in done:
            subprocess.run(["chattr", "-i", name], capture_output=True)
        store.engine.dispose()


FAULTS = {"read-only": read_only, "disk-full": disk_full, "write-lock-held": write_lock_held, "immutable": immutable}


@pytest.fixture
def short_lock(monkeypatch):
    from access_policy.store import engine as store_engine

    monkeypatch.setattr(store_engine, "LOCK_TIMEOUT_SECONDS", 1)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_readyz_is_503_exactly_while_a_decision_cannot_be_logged(client, token, store, family, now, short_lock, fault):
    single = {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}
    headers = token("decisions")
    assert client.get("/readyz").status_code == 200
    assert client.post("/v1/decisions", json=single, headers=headers).json()["decision"] == "permit"
    with FAULTS[fault](store):
        ready = client.get("/readyz")
        assert ready.status_code == 503, (fault, ready.text)
        assert ready.json()["type"].endswith(":not-ready") and ready.headers["retry-after"]
        answered = [client.post("/v1/decisions", json=single, headers=headers) for _ in range(5)]
    logged = {entry.decision_id for entry in store.read_audit(limit=10_000)}
    for decided in answered:
        body = decided.json()
        if decided.status_code == 503:
            assert body["decision"] == "deny", (fault, decided.text)
        else:
            # A full disk may still hold a small entry in a page it has: then it must be logged.
            assert fault == "disk-full" and decided.status_code == 200, (fault, decided.text)
            assert body["decision_id"] in logged  # a permit under fault that is not in the log: never
    assert client.get("/readyz").status_code == 200
    assert client.post("/v1/decisions", json=single, headers=headers).json()["decision"] == "permit"


def test_the_probe_changes_nothing(client, store, token):
    head = store.audit_head()
    for _ in range(3):
        assert client.get("/readyz").status_code == 200
    assert store.audit_head() == head
    assert store.read_audit() == [] or all(e.position > 0 for e in store.read_audit())
