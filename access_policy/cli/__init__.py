"""The `access-policy` command line: one typer app, commands grouped by domain in submodules."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="access-policy",
    help="Decides whether a parent may digitally see an item of their child's health record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each submodule registers its commands on `app` when imported.
from access_policy.cli import bench as _bench  # noqa: E402,F401
from access_policy.cli import policy as _policy  # noqa: E402,F401
from access_policy.cli import service as _service  # noqa: E402,F401
from access_policy.cli import store as _store  # noqa: E402,F401


def main() -> None:
    """Entry point of the console script."""
    app()
