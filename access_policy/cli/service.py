"""Service commands: `serve` (the decision service), `token` (a development token), `audit …` (the decision log)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from access_policy.cli import app
from access_policy.errors import AccessPolicyError, InvalidIdError, PolicyLoadError
from access_policy.service.settings import ConfigurationError, Settings
from access_policy.service.tokens import SCOPES

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DataDirOption = Annotated[
    Optional[Path],
    typer.Option("--data-dir", help="Data directory: the SQLite store and the development signing key (default: ./data).", show_default=False),
]
DatabaseUrlOption = Annotated[
    Optional[str],
    typer.Option("--database-url", help="A PostgreSQL URL, for several instances sharing one store.", show_default=False),
]

audit_app = typer.Typer(help="The decision log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


def _fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear line on stderr and return the exit to raise."""
    err.print(f"error: {message}", markup=False)
    return typer.Exit(code)


def _settings(data_dir: Path | None, database_url: str | None, **overrides: object) -> Settings:
    if data_dir is not None and database_url is not None:
        raise _fail("give either --data-dir or --database-url, not both")
    try:
        return Settings.from_env(data_dir=data_dir, database_url=database_url, **overrides)
    except ConfigurationError as error:
        raise _fail(str(error)) from None


def _open_store(settings: Settings, *, migrate: bool = True):  # noqa: ANN202 - a FactStore
    from access_policy.store import open_store

    try:
        data_dir = None if settings.database_url else settings.data_dir
        return open_store(data_dir=data_dir, database_url=settings.database_url, migrate=migrate)
    except AccessPolicyError as error:
        raise _fail(f"cannot open the store: {error}", 1) from None


@app.command()
def serve(
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    dev: Annotated[bool, typer.Option("--dev", help="Use a local signing key in the data directory (no JWKS).")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="Load the synthetic demo families; print tokens and a ready curl.")] = False,
    policy_dir: Annotated[
        Optional[Path], typer.Option("--policy-dir", help="Policy directory (default: the national policy).", show_default=False)
    ] = None,
) -> None:
    """Run the decision service (uvicorn); stops gracefully on Ctrl-C or SIGTERM."""
    import uvicorn

    from access_policy.policy import load_policy
    from api.app import create_app

    if demo and not dev:
        raise _fail("--demo needs --dev: the demo prints tokens signed with the local development key")
    settings = _settings(data_dir, database_url, dev=True if dev else None, policy_dir=policy_dir)
    try:
        policy = load_policy(settings.policy_dir)
    except PolicyLoadError as error:
        raise _fail(f"the policy does not load: {error}", 1) from None
    store = _open_store(settings)
    if demo:
        from access_policy.service.demo import load_demo, demo_instructions

        try:
            families = load_demo(store)
        except AccessPolicyError as error:
            raise _fail(f"cannot load the demo families: {error}", 1) from None
        out.print(demo_instructions(settings, families, host, port), markup=False)
    # No access log: request paths and queries carry children's person numbers.
    shared = {"host": host, "port": port, "timeout_graceful_shutdown": 10, "log_level": "info", "access_log": False}
    if workers == 1:
        try:
            application = create_app(settings, store=store, policy=policy)
        except ConfigurationError as error:
            raise _fail(str(error)) from None
        try:
            uvicorn.run(application, **shared)
        finally:
            close = getattr(store, "close", None)
            if callable(close):
                close()
        return
    # Several workers each build their own app (and store connection) from the environment.
    close = getattr(store, "close", None)
    if callable(close):
        close()
    os.environ.update(settings.to_env())
    uvicorn.run("api.app:app_from_env", factory=True, workers=workers, **shared)


@app.command()
def token(
    scope: Annotated[str, typer.Option("--scope", help=f"Space-separated scopes: {' '.join(SCOPES)}.")],
    data_dir: DataDirOption = None,
    hpr: Annotated[Optional[str], typer.Option("--hpr", help="The clinician's HPR number (for facts:write).")] = None,
    org: Annotated[Optional[str], typer.Option("--org", help="The clinician's organisation number (for facts:write).")] = None,
    ttl: Annotated[int, typer.Option("--ttl", help="Seconds until the token expires.", min=1)] = 3600,
    subject: Annotated[str, typer.Option("--subject", help="The token's subject (the calling system).")] = "dev-client",
) -> None:
    """Print a token that `serve --dev` with the same data directory accepts."""
    from access_policy.identity import parse_organisation_number
    from access_policy.service.tokens import issue_dev_token

    scopes = scope.split()
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise _fail(f"unknown scope `{' '.join(unknown) or scope}` (known: {' '.join(SCOPES)})")
    if hpr is not None and not (hpr.isdigit() and 1 <= len(hpr) <= 9):
        raise _fail(f"--hpr `{hpr}` is not an HPR number (1–9 digits)")
    if org is not None:
        try:
            org = parse_organisation_number(org, "--org")
        except InvalidIdError as error:
            raise _fail(str(error)) from None
    settings = _settings(data_dir, None, dev=True)
    out.print(issue_dev_token(settings, scopes, subject=subject, hpr=hpr, org=org, ttl_seconds=ttl), markup=False)


PublicKeyOption = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--public-key",
        help="A checkpoint key's public half (PEM; `audit public-key` prints it); repeat for retired keys. "
        "Default: the configured signing key.",
        show_default=False,
    ),
]


def _close(store: object) -> None:
    close = getattr(store, "close", None)
    if callable(close):
        close()


def _public_keys(settings: Settings, paths: list[Path] | None) -> list:
    """The keys that check checkpoints: the given files, else the configured (or development) signing key if present."""
    from access_policy.auditlog.checkpoints import CheckpointError, load_public_key

    if not paths:
        default = settings.audit_key_path()
        if default is None or (not default.exists() and settings.audit_key is None):
            return []
        paths = [default]
    try:
        return [load_public_key(path) for path in paths]
    except CheckpointError as error:
        raise _fail(str(error)) from None


def _read_checkpoints(path: Path | None) -> list:
    from access_policy.auditlog.checkpoints import CheckpointError, read_lines

    if path is None:
        return []
    try:
        with path.open(encoding="utf-8") as handle:
            return list(read_lines(handle, str(path)))
    except (OSError, UnicodeDecodeError) as error:
        raise _fail(f"cannot read `{path}`: {str(error).splitlines()[0]}") from None
    except CheckpointError as error:
        raise _fail(str(error)) from None


@audit_app.command("verify")
def audit_verify(
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    public_key: PublicKeyOption = None,
    checkpoints: Annotated[
        Optional[Path],
        typer.Option("--checkpoints", help="Signed checkpoints held outside the database (JSON lines).", show_default=False),
    ] = None,
    export: Annotated[
        Optional[Path],
        typer.Option("--export", help="Check an exported file (`audit export`) instead of the store.", show_default=False),
    ] = None,
) -> None:
    """Check the decision log's hash chain and signed checkpoints; exit 1 at the first changed, removed, reordered or cut-off entry."""
    from access_policy.auditlog.export import ExportError, read_export
    from access_policy.service.audit import verify_audit, verify_entries

    settings = _settings(data_dir, database_url, dev=True)
    keys = _public_keys(settings, public_key)
    held = _read_checkpoints(checkpoints)
    if held and not keys:
        raise _fail("--checkpoints needs --public-key: a checkpoint counts only once its signature checks")
    what = "decision-log entries"
    if export is not None:
        what = "exported entries"
        try:
            with export.open(encoding="utf-8") as handle:
                result = verify_entries(read_export(handle, str(export)), public_key=keys or None, checkpoints=held)
        except (OSError, UnicodeDecodeError) as error:
            raise _fail(f"cannot read `{export}`: {str(error).splitlines()[0]}") from None
        except ExportError as error:
            raise _fail(f"the export is not readable: {error}", 1) from None
    else:
        store = _open_store(settings, migrate=False)
        try:
            result = verify_audit(store, public_key=keys or None, checkpoints=held)
        except AccessPolicyError as error:
            raise _fail(f"cannot read the decision log: {error}", 1) from None
        finally:
            _close(store)
    if not result.ok:
        where = f" at position {result.first_bad_position}" if result.first_bad_position is not None else ""
        raise _fail(f"the decision log is broken{where}: {result.problem}", 1)
    notes = [f"{result.anchored} signed checkpoints matched" if keys else "no public key: checkpoints not checked"]
    if result.linked_only:
        notes.append(f"{result.linked_only} pseudonymised version-1 entries checked by their links only")
    out.print(f"ok: {result.checked} {what} verified ({'; '.join(notes)})", markup=False)


@audit_app.command("checkpoint")
def audit_checkpoint(data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Sign the decision log's head now and store the checkpoint (the service also does this at an interval)."""
    from access_policy.auditlog.checkpoints import CheckpointError, load_or_create_key, load_private_key
    from access_policy.service.audit import Checkpointer

    settings = _settings(data_dir, database_url, dev=True)
    path = settings.audit_key_path()
    assert path is not None  # development settings always have one
    try:
        key = load_or_create_key(path) if settings.audit_key is None else load_private_key(path)
    except CheckpointError as error:
        raise _fail(str(error)) from None
    store = _open_store(settings, migrate=False)
    try:
        signed = Checkpointer(store, key, file=settings.checkpoint_file).checkpoint()
    except AccessPolicyError as error:
        raise _fail(f"cannot write the checkpoint: {error}", 1) from None
    finally:
        _close(store)
    if signed is None:
        out.print("no checkpoint: the decision log is empty", markup=False)
        return
    out.print(signed.to_line(), markup=False)


@audit_app.command("checkpoints")
def audit_checkpoints(
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    output: Annotated[Optional[Path], typer.Option("--output", help="Write to this file instead of stdout.", show_default=False)] = None,
) -> None:
    """Export the stored signed checkpoints as JSON lines, for a party outside the service to hold."""
    settings = _settings(data_dir, database_url, dev=True)
    store = _open_store(settings, migrate=False)
    try:
        held = store.checkpoints()
    except AccessPolicyError as error:
        raise _fail(f"cannot read the checkpoints: {error}", 1) from None
    finally:
        _close(store)
    _write_lines((checkpoint.to_line() + "\n" for checkpoint in held), output)


@audit_app.command("public-key")
def audit_public_key(data_dir: DataDirOption = None) -> None:
    """Print the public key (PEM) that verifies this service's checkpoints."""
    from access_policy.auditlog.checkpoints import public_pem

    keys = _public_keys(_settings(data_dir, None, dev=True), None)
    if not keys:
        raise _fail("no checkpoint signing key yet: it is created by `serve --dev` or `audit checkpoint`")
    out.print(public_pem(keys[0]), end="", markup=False)


@audit_app.command("export")
def audit_export(
    after: Annotated[int, typer.Option("--after", help="Export the entries after this position (0: from the start).", min=0)],
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    output: Annotated[Optional[Path], typer.Option("--output", help="Write to this file instead of stdout.", show_default=False)] = None,
    identities: Annotated[
        bool,
        typer.Option(
            "--identities",
            help="Export the requesters' and children's person numbers instead of pseudonyms. Needs audit "
            "privileges: the output identifies children and parents, so handle it as health data.",
        ),
    ] = False,
    pseudonym_key: Annotated[
        Optional[Path],
        typer.Option("--pseudonym-key", help="The HMAC key of the pseudonyms (default: the configured one).", show_default=False),
    ] = None,
) -> None:
    """Export the decision log as JSON lines for a SIEM, person numbers replaced by keyed pseudonyms."""
    from access_policy.auditlog.export import ExportError
    from access_policy.service.audit import export_audit, pseudonymiser_for

    settings = _settings(data_dir, database_url, dev=True)
    pseudonym = None
    if not identities:
        try:
            pseudonym = pseudonymiser_for(settings, pseudonym_key)
        except ConfigurationError as error:
            raise _fail(str(error)) from None
    store = _open_store(settings, migrate=False)
    try:
        _write_lines(export_audit(store, after, pseudonym), output)
    except AccessPolicyError as error:
        raise _fail(f"cannot read the decision log: {error}", 1) from None
    except ExportError as error:
        raise _fail(str(error), 1) from None
    finally:
        _close(store)


def _write_lines(lines, output: Path | None) -> None:  # noqa: ANN001 - an iterable of str
    """Write lines to a file (replaced only when complete) or to stdout."""
    import sys

    if output is None:
        for line in lines:
            sys.stdout.write(line)
        sys.stdout.flush()
        return
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(line)
        partial.replace(output)
    except OSError as error:
        raise _fail(f"cannot write `{output}`: {str(error).splitlines()[0]}") from None
    finally:
        partial.unlink(missing_ok=True)
