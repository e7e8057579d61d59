"""Service commands: `serve` (the decision service), `token` (a development token), `audit verify`."""

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
) -> None:
    """Run the decision service (uvicorn); stops gracefully on Ctrl-C or SIGTERM.

    Every option can also be set by an ACCESS_POLICY_* environment variable (see the README); an option given here wins.
    """
    import uvicorn

    from access_policy import observe
    from access_policy.policy import load_policy
    from access_policy.service.logs import configure, logging_config
    from api.app import create_app

    if log_format is not None and log_format.lower() not in LOG_FORMATS:
        raise _fail(f"--log-format must be one of {', '.join(LOG_FORMATS)}, not `{log_format}`")
    settings = _settings(
        data_dir, database_url, dev=True if dev else None, policy_dir=policy_dir, host=host, port=port,
        workers=workers, log_format=log_format.lower() if log_format else None, metrics_port=metrics_port,
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
        from access_policy.service.demo import load_demo, demo_instructions

        try:
            families = load_demo(store)
        except AccessPolicyError as error:
            raise _fail(f"cannot load the demo families: {error}", 1) from None
        out.print(demo_instructions(settings, families, settings.host, settings.port), markup=False)
    # Our logging configuration, not uvicorn's: one format, and casbin's per-request lines kept out.
    # uvicorn's access log is off: the service writes its own line with the route template.
    shared = {
        "host": settings.host,
        "port": settings.port,
        "timeout_graceful_shutdown": 10,
        "log_config": logging_config(settings.log_format),
        "access_log": False,
    }
    if settings.workers == 1:
        try:
            application = create_app(settings, store=store, policy=policy)
        except ConfigurationError as error:
            raise _fail(str(error)) from None
        if settings.metrics_port is not None:
            _start_metrics_listener(settings.metrics_port)
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
    uvicorn.run("api.app:app_from_env", factory=True, workers=settings.workers, **shared)


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
    if SCOPE_FACTS_WRITE in scopes and (hpr is None or org is None):
        raise _fail("the facts:write scope needs --hpr and --org: every clinician's record names its author")
    settings = _settings(data_dir, None, dev=True)
    out.print(issue_dev_token(settings, scopes, subject=subject, hpr=hpr, org=org, ttl_seconds=ttl), markup=False)


@audit_app.command("verify")
def audit_verify(data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Check the decision log's hash chain; exit 1 at the first changed, removed or reordered entry."""
    from access_policy.service.audit import verify_audit

    from access_policy.cli.store import open_existing_store

    settings = _settings(data_dir, database_url, dev=True)
    store = open_existing_store(None if settings.database_url else settings.data_dir, settings.database_url)
    try:
        result = verify_audit(store)
    except AccessPolicyError as error:
        raise _fail(f"cannot read the decision log: {error}", 1) from None
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()
    if not result.ok:
        raise _fail(f"the decision log is broken at position {result.first_bad_position}: {result.problem}", 1)
    out.print(f"ok: {result.checked} decision-log entries verified", markup=False)
