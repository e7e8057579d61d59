"""Service commands: `serve` (the decision service), `token` (a development token), `audit …` (the decision log)."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from access_policy.cli import app
from access_policy.errors import AccessPolicyError, InvalidIdError, PolicyLoadError
from access_policy.service.settings import LOG_FORMATS, ConfigurationError, Settings
from access_policy.service.tokens import SCOPE_FACTS_WRITE, SCOPES

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
        return Settings.from_env(None, data_dir=data_dir, database_url=database_url, **overrides)
    except ConfigurationError as error:
        raise _fail(str(error)) from None


def _open_store(settings: Settings, *, migrate: bool = True):  # noqa: ANN202 - a FactStore
    from access_policy.store import open_store

    try:
        data_dir = None if settings.database_url else settings.data_dir
        return open_store(data_dir=data_dir, database_url=settings.database_url, migrate=migrate)
    except AccessPolicyError as error:
        raise _fail(f"cannot open the store: {error}", 1) from None


def _open_existing(settings: Settings):  # noqa: ANN202 - a FactStore
    """A store that must already exist (read-only commands never create an empty one)."""
    from access_policy.cli.store import open_existing_store

    return open_existing_store(None if settings.database_url else settings.data_dir, settings.database_url)


def _port_in_use(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on, or None when it can (checked as uvicorn will bind it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


def _start_metrics_listener(port: int) -> None:
    """Serve `/metrics` without a token on 127.0.0.1 only (all workers' metrics when several)."""
    from prometheus_client import start_http_server

    from access_policy import observe

    if reason := _port_in_use("127.0.0.1", port):
        raise _fail(f"cannot serve metrics on 127.0.0.1:{port}: {reason}")
    start_http_server(port, addr="127.0.0.1", registry=observe.metrics_registry())


@app.command()
def serve(
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (default 127.0.0.1).", show_default=False)] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to listen on (default 8000).", min=0, max=65535, show_default=False)] = None,
    workers: Annotated[Optional[int], typer.Option(help="Worker processes (default 1).", min=1, max=64, show_default=False)] = None,
    dev: Annotated[bool, typer.Option("--dev", help="Use a local signing key in the data directory (no JWKS).")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="Load the synthetic demo families; print tokens and a ready curl.")] = False,
    policy_dir: Annotated[
        Optional[Path], typer.Option("--policy-dir", help="Policy directory (default: the national policy).", show_default=False)
    ] = None,
    log_format: Annotated[
        Optional[str], typer.Option("--log-format", help="`text` (default) or `json` (one JSON object per line).", show_default=False)
    ] = None,
    metrics_port: Annotated[
        Optional[int],
        typer.Option("--metrics-port", help="Also serve /metrics without a token on 127.0.0.1:PORT (loopback only).", min=1, max=65535, show_default=False),
    ] = None,
    header_timeout: Annotated[
        Optional[float],
        typer.Option("--header-timeout", help="Seconds a connection has to send a request's headers (default 10).", min=0.1, max=300, show_default=False),
    ] = None,
    limit_concurrency: Annotated[
        Optional[int],
        typer.Option("--limit-concurrency", help="Open connections plus running requests; beyond it, 503 (default 1000).", min=1, show_default=False),
    ] = None,
) -> None:
    """Run the decision service (uvicorn); stops gracefully on Ctrl-C or SIGTERM.

    Every option can also be set by an ACCESS_POLICY_* environment variable (see the README); an option given here wins.
    """
    import uvicorn

    from access_policy import observe
    from access_policy.policy import load_policy
    from access_policy.service.logs import configure, logging_config
    from access_policy.web import app_factory, create_app

    if log_format is not None and log_format.lower() not in LOG_FORMATS:
        raise _fail(f"--log-format must be one of {', '.join(LOG_FORMATS)}, not `{log_format}`")
    settings = _settings(
        data_dir, database_url, dev=True if dev else None, policy_dir=policy_dir, host=host, port=port,
        workers=workers, log_format=log_format.lower() if log_format else None, metrics_port=metrics_port,
        header_timeout=header_timeout, limit_concurrency=limit_concurrency,
    )
    if demo and not settings.dev:
        raise _fail("--demo needs --dev: the demo prints tokens signed with the local development key")
    configure(settings.log_format)  # before anything logs, so that startup lines share the format
    if reason := _port_in_use(settings.host, settings.port):
        raise _fail(f"cannot listen on {settings.host}:{settings.port}: {reason}")
    try:
        observe.configure_tracing()
    except observe.TracingUnavailableError as error:
        raise _fail(str(error)) from None
    try:
        policy = load_policy(settings.policy_dir)
    except PolicyLoadError as error:
        raise _fail(f"the policy does not load: {error}", 1) from None
    store = _open_store(settings)
    if demo:
        from access_policy.service.demo import demo_instructions, load_demo

        try:
            families = load_demo(store)
        except AccessPolicyError as error:
            raise _fail(f"cannot load the demo families: {error}", 1) from None
        out.print(demo_instructions(settings, families, settings.host, settings.port), markup=False)
    from access_policy.service.collector import settle_after_startup
    from access_policy.service.server import server_options

    # Our logging configuration, not uvicorn's: one format, and casbin's per-request lines kept out.
    # uvicorn's access log is off: the service writes its own line with the route template.
    shared = {
        "host": settings.host,
        "port": settings.port,
        "timeout_graceful_shutdown": 10,
        "log_config": logging_config(settings.log_format),
        "access_log": False,
        **server_options(settings.header_timeout, settings.limit_concurrency),
    }
    if settings.workers == 1:
        try:
            application = create_app(settings, store=store, policy=policy)
        except ConfigurationError as error:
            raise _fail(str(error)) from None
        if settings.metrics_port is not None:
            _start_metrics_listener(settings.metrics_port)
        settle_after_startup()
        try:
            uvicorn.run(application, **shared)
        finally:
            close = getattr(store, "close", None)
            if callable(close):
                close()
        return
    # Several workers each build their own app (and store connection) from the environment, and
    # write their metrics to one directory so that /metrics adds up every worker's.
    close = getattr(store, "close", None)
    if callable(close):
        close()
    os.environ.update(settings.to_env())
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="access-policy-metrics-")
    if settings.metrics_port is not None:
        _start_metrics_listener(settings.metrics_port)
    uvicorn.run(app_factory(), factory=True, workers=settings.workers, **shared)


@app.command()
def token(
    scope: Annotated[str, typer.Option("--scope", help=f"Space-separated scopes: {' '.join(SCOPES)}.")],
    data_dir: DataDirOption = None,
    hpr: Annotated[Optional[str], typer.Option("--hpr", help="The clinician's HPR number (for facts:write).")] = None,
    org: Annotated[Optional[str], typer.Option("--org", help="The clinician's organisation number (for facts:write).")] = None,
    pid: Annotated[Optional[str], typer.Option("--pid", help="The adolescent's person number (for sharing:write).")] = None,
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
    if hpr is not None and not (hpr.isascii() and hpr.isdigit() and 1 <= len(hpr) <= 9):
        raise _fail(f"--hpr `{hpr}` is not an HPR number (1–9 digits)")
    if org is not None:
        try:
            org = parse_organisation_number(org, "--org")
        except InvalidIdError as error:
            raise _fail(str(error)) from None
    if SCOPE_FACTS_WRITE in scopes and (hpr is None or org is None):
        raise _fail("the facts:write scope needs --hpr and --org: every clinician's record names its author")
    if pid is not None:
        from access_policy.identity import parse_person_id

        try:
            pid = parse_person_id(pid, "--pid").value
        except InvalidIdError as error:
            raise _fail(str(error)) from None
    settings = _settings(data_dir, None, dev=True)
    out.print(issue_dev_token(settings, scopes, subject=subject, hpr=hpr, org=org, pid=pid, ttl_seconds=ttl), markup=False)


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
    from access_policy.auditlog.checkpoints import load_public_key
    from access_policy.errors import CheckpointError

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
    from access_policy.auditlog.checkpoints import read_lines
    from access_policy.errors import CheckpointError

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
    from access_policy.auditlog.export import read_export
    from access_policy.errors import ExportError
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
        store = _open_existing(settings)
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
    from access_policy.auditlog.checkpoints import load_or_create_key, load_private_key
    from access_policy.errors import CheckpointError
    from access_policy.service.audit import Checkpointer

    settings = _settings(data_dir, database_url, dev=True)
    path = settings.audit_key_path()
    assert path is not None  # development settings always have one
    try:
        key = load_or_create_key(path) if settings.audit_key is None else load_private_key(path)
    except CheckpointError as error:
        raise _fail(str(error)) from None
    store = _open_existing(settings)
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
    store = _open_existing(settings)
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
    from access_policy.errors import ExportError
    from access_policy.service.audit import export_audit, pseudonymiser_for

    settings = _settings(data_dir, database_url, dev=True)
    pseudonym = None
    if not identities:
        try:
            pseudonym = pseudonymiser_for(settings, pseudonym_key)
        except ConfigurationError as error:
            raise _fail(str(error)) from None
    store = _open_existing(settings)
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
