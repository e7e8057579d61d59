"""Store commands: `migrate` (apply the schema migrations) and `import-representation` (bulk register data)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from access_policy.cli import app
from access_policy.errors import AccessPolicyError, InvalidInputError
from access_policy.service.settings import ENV_PREFIX

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

DataDirOption = Annotated[
    Optional[Path],
    typer.Option("--data-dir", help="Data directory holding the SQLite store (default: ./data).", show_default=False),
]
DatabaseUrlOption = Annotated[
    Optional[str],
    typer.Option("--database-url", help="Database URL, e.g. postgresql+psycopg://user@host/db.", show_default=False),
]


def _fail(message: str, code: int) -> typer.Exit:
    """Print one line on stderr and return the exit to raise."""
    _err.print(f"error: {' '.join(message.split())}", markup=False)
    return typer.Exit(code)


def store_location(data_dir: Path | None, database_url: str | None) -> tuple[Path | None, str | None]:
    """Where the store is: the options given, else ACCESS_POLICY_DATABASE_URL or ACCESS_POLICY_DATA_DIR (the URL wins, as in `serve`)."""
    if data_dir is not None and database_url is not None:
        raise _fail("give either --data-dir or --database-url, not both", 2)
    if data_dir is None and database_url is None:
        database_url = os.environ.get(ENV_PREFIX + "DATABASE_URL") or None
        if database_url is None and (directory := os.environ.get(ENV_PREFIX + "DATA_DIR")):
            data_dir = Path(directory)
    return data_dir, database_url


def _open(data_dir: Path | None, database_url: str | None):  # noqa: ANN202 - a SqlFactStore
    from access_policy.store import open_store

    data_dir, database_url = store_location(data_dir, database_url)
    try:
        return open_store(data_dir=data_dir, database_url=database_url)
    except InvalidInputError as error:
        raise _fail(str(error), 2) from None
    except AccessPolicyError as error:
        raise _fail(f"cannot open the store: {error}", 1) from None


def open_existing_store(data_dir: Path | None, database_url: str | None):  # noqa: ANN201 - a SqlFactStore
    """Open a store that must already exist, for read-only commands: never create an empty one.

    Exit 2 (one line) when the data directory, its database file, the database or its schema is
    missing; exit 1 when an existing store cannot be reached.
    """
    from access_policy.store import open_store
    from access_policy.store.engine import DEFAULT_DATA_DIR, SQLITE_FILE
    from access_policy.store.migrate import current_revision

    data_dir, database_url = store_location(data_dir, database_url)
    where = database_url and _without_password(database_url)
    if database_url is None:
        directory = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
        if not directory.is_dir():
            raise _fail(f"the data directory `{directory}` does not exist; give --data-dir of an existing store", 2)
        if not (directory / SQLITE_FILE).is_file():
            raise _fail(f"`{directory}` holds no store ({SQLITE_FILE}); give --data-dir of an existing store", 2)
        where = str(directory)
    try:
        store = open_store(data_dir=None if database_url else data_dir, database_url=database_url, migrate=False)
    except AccessPolicyError as error:
        if "does not exist" in str(error):
            raise _fail(f"the database at `{where}` does not exist", 2) from None
        raise _fail(f"cannot open the store: {error}", 1) from None
    try:
        revision = current_revision(store._engines)
    except Exception:  # noqa: BLE001 - an unreadable revision table is no store
        revision = None
    if revision is None:
        store.close()
        raise _fail(f"`{where}` holds no access-policy store; run `access-policy migrate` to create one", 2)
    return store


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL is shown as the scheme only
        return url.split("://", 1)[0] + "://…"


@app.command()
def migrate(data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Apply the store's schema migrations (they also run whenever a store is opened)."""
    from access_policy.store.migrate import current_revision

    store = _open(data_dir, database_url)
    try:
        revision = current_revision(store._engines)
    except Exception as error:  # noqa: BLE001 - report in one line
        raise _fail(f"cannot read the schema revision: {error}", 1) from None
    finally:
        store.close()
    _out.print(f"store schema at revision {revision}", markup=False)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


@app.command("import-representation")
def import_representation(
    file: Annotated[Path, typer.Argument(help="JSON lines: `child` plus the representation PUT body.", show_default=False)],
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    batch_size: Annotated[int, typer.Option(help="Children per transaction.", min=1, max=50_000)] = 2000,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Import representation from the population register, one child per line; idempotent.

    Rejected lines are reported on stderr with their line number; the others go in. Exit 0 when every line was imported
    (or already there), 1 when some were rejected, 2 on bad usage.
    """
    if not file.is_file():
        raise _fail(f"`{file}` is not a readable file", 2)
    store = _open(data_dir, database_url)
    try:
        total = _count_lines(file)
        with file.open("r", encoding="utf-8", errors="replace") as lines:
            if quiet:
                summary = store.import_representations(lines, batch_size=batch_size)
            else:
                columns = (
                    TextColumn("importing"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    TimeRemainingColumn(),
                )
                with Progress(*columns, console=_err, transient=False) as bar:
                    task = bar.add_task("import", total=total)
                    summary = store.import_representations(
                        lines, batch_size=batch_size, progress=lambda done: bar.advance(task, done)
                    )
    except AccessPolicyError as error:
        raise _fail(f"import stopped: {error} (batches committed before it are kept; run again to finish)", 1) from None
    finally:
        store.close()
    for number, reason in summary.rejections:
        _err.print(f"line {number}: {' '.join(reason.split())}", markup=False)
    _out.print(
        f"imported {summary.imported}, unchanged {summary.unchanged}, refreshed {summary.refreshed}, "
        f"rejected {summary.rejected}",
        markup=False,
    )
    if summary.rejected:
        raise typer.Exit(1)
