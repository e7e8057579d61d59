"""Engines for the two backends: SQLite (embedded default) and PostgreSQL through psycopg 3.

SQLite runs in WAL mode with foreign keys on and `synchronous=FULL` (see docs/store.md: a commit
is on disk before it is acknowledged, even across a power loss). Write transactions start with
`BEGIN IMMEDIATE`, so two writers never both read and then fail to upgrade their lock; a writer
that cannot get the lock within the busy timeout gets `StoreUnavailableError`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from access_policy.errors import InvalidInputError, StoreUnavailableError

DEFAULT_DATA_DIR = Path("data")
SQLITE_FILE = "facts.sqlite3"
# How long a writer waits for another writer's lock before the store reports itself unavailable.
LOCK_TIMEOUT_SECONDS = 15
CONNECT_TIMEOUT_SECONDS = 5
# Marks a connection whose transaction writes: on SQLite it begins with BEGIN IMMEDIATE.
WRITE_OPTION = "access_policy_write"


class WriterLock:
    """Serialises one process's writers to a SQLite file before they reach SQLite's own lock.

    SQLite makes a writer that finds the file locked sleep and retry (the busy handler), so
    threads of one service process contending for it wait far longer than the write takes.
    Queueing them on a lock of our own wakes the next writer as soon as the previous commits;
    SQLite's lock then only arbitrates between processes.
    """

    _by_path: dict[Path, threading.Lock] = {}
    _registry_lock = threading.Lock()

    def __init__(self, path: Path | None):
        if path is None:
            self._lock = None  # PostgreSQL queues writers on row locks itself
            return
        with WriterLock._registry_lock:
            self._lock = WriterLock._by_path.setdefault(path.resolve(), threading.Lock())

    @contextlib.contextmanager
    def held(self, timeout: float | None = None) -> Iterator[float]:
        """Hold the lock for one write transaction (no-op for PostgreSQL); yields the write's deadline.

        The deadline (a `time.monotonic()` value) is `LOCK_TIMEOUT_SECONDS` after the wait began:
        the database's own lock wait gets only what is left of it, so a queued writer waits at
        most the limit in all, not once here and again in SQLite's busy handler.
        """
        timeout = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
        deadline = time.monotonic() + timeout
        if self._lock is None:
            yield deadline
            return
        if not self._lock.acquire(timeout=timeout):
            raise StoreUnavailableError(f"no write lock on the store within {timeout} s")
        try:
            yield deadline
        finally:
            self._lock.release()


@contextlib.contextmanager
def lock_wait_until(connection, deadline: float) -> Iterator[None]:  # noqa: ANN001 - a SQLAlchemy Connection
    """Let SQLite wait for its write lock only until `deadline` in this block (set before the
    transaction begins), then give the pooled connection its full busy timeout back for later reads."""
    if connection.dialect.name != "sqlite":
        yield
        return
    # On the driver's connection: through SQLAlchemy these statements would begin a transaction.
    driver = connection.connection.driver_connection
    remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
    driver.execute(f"PRAGMA busy_timeout = {remaining_ms}")
    try:
        yield
    finally:
        # Best effort: a connection that just failed must not hide the error that broke it.
        with contextlib.suppress(Exception):
            driver.execute(f"PRAGMA busy_timeout = {LOCK_TIMEOUT_SECONDS * 1000}")


@dataclass(frozen=True)
class Engines:
    """The engine and its read and write views, plus the SQLite file when there is one."""

    engine: Engine
    read: Engine
    write: Engine
    sqlite_path: Path | None
    writer_lock: WriterLock = field(default_factory=lambda: WriterLock(None))

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name


def sqlite_url(data_dir: Path) -> str:
    """The SQLAlchemy URL of the store file inside a data directory."""
    return f"sqlite+pysqlite:///{(data_dir / SQLITE_FILE).resolve()}"


def build_engines(*, data_dir: Path | None = None, database_url: str | None = None) -> Engines:
    """Engines for a data directory (SQLite) or a database URL (SQLite or PostgreSQL)."""
    if data_dir is not None and database_url is not None:
        raise InvalidInputError.for_field("database_url", "give a data directory or a database URL, not both")
    if database_url is None:
        directory = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
        directory.mkdir(parents=True, exist_ok=True)
        database_url = sqlite_url(directory)
    try:
        url = make_url(database_url)
    except Exception as error:  # noqa: BLE001 - any parse failure is bad input
        raise InvalidInputError.for_field("database_url", f"not a database URL ({error})") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite(url)
    if backend == "postgresql":
        if url.get_driver_name() not in ("psycopg", ""):
            raise InvalidInputError.for_field("database_url", "use the psycopg 3 driver: `postgresql+psycopg://…`")
        return _postgresql(url.set(drivername="postgresql+psycopg"))
    raise InvalidInputError.for_field("database_url", f"`{backend}` is not supported: use sqlite or postgresql+psycopg")


def _sqlite(url) -> Engines:
    database = url.database
    if not database or database == ":memory:":
        raise InvalidInputError.for_field("database_url", "an in-memory SQLite database would lose every write: give a file")
    path = Path(database)
    # A pool as large as the service's worker threads, so busy moments reuse connections
    # instead of opening (and setting up) overflow ones for each request.
    engine = create_engine(
        url,
        pool_size=20,
        max_overflow=20,
        connect_args={"timeout": LOCK_TIMEOUT_SECONDS, "check_same_thread": False},
        # Statement parameters are person numbers: never in a log line or an error's text.
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Transactions are begun explicitly below (pysqlite's own BEGIN handling is deferred only).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {LOCK_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # 64 MiB of page cache per connection: bulk imports keep their indexes in memory.
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return Engines(engine, engine, engine.execution_options(**{WRITE_OPTION: True}), path, WriterLock(path))


def _postgresql(url) -> Engines:
    # lock_timeout: a writer stuck behind a lock gives up and the store reports itself unavailable.
    options = " ".join(filter(None, [url.query.get("options"), f"-c lock_timeout={LOCK_TIMEOUT_SECONDS * 1000}"]))
    engine = create_engine(
        url.difference_update_query(["options"]),
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options},
        # Statement parameters are person numbers: never in a log line or an error's text.
        hide_parameters=True,
    )
    # child_facts reads in three statements: one snapshot for all.
    read = engine.execution_options(isolation_level="REPEATABLE READ")
    return Engines(engine, read, engine.execution_options(**{WRITE_OPTION: True}), None)
