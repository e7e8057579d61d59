"""Service commands: `serve` (the decision service), `token` (a development token), `audit verify`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from access_policy.cli import app
from access_policy.errors import AccessPolicyError, InvalidIdError, PolicyLoadError
from access_policy.service.settings import ConfigurationError, Settings
from access_policy.service.scopes import ALL_SCOPES as SCOPES

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
    header_timeout: Annotated[
        float, typer.Option("--header-timeout", help="Seconds a connection has to send a request's headers.", min=0.1, max=300)
    ] = 10.0,
    limit_concurrency: Annotated[
        int, typer.Option("--limit-concurrency", help="Open connections plus running requests; beyond it, 503.", min=1)
    ] = 1000,
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
    from access_policy.service.server import server_options

    shared = {
        "host": host, "port": port, "timeout_graceful_shutdown": 10, "log_level": "info", "access_log": False,
        **server_options(header_timeout, limit_concurrency),
    }
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


@audit_app.command("verify")
def audit_verify(data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Check the decision log's hash chain; exit 1 at the first changed, removed or reordered entry."""
    from access_policy.service.audit import verify_audit

    settings = _settings(data_dir, database_url, dev=True)
    store = _open_store(settings, migrate=False)
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
