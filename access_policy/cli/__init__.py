"""The `access-policy` command line: one typer app, commands grouped by domain in submodules."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

# Typer vendors click in newer releases and uses the click package in older ones: find the base
# of its usage errors through an exception it exports, whichever it is.
if TYPE_CHECKING:  # the interface the type checker knows it by (format_message, exit_code)
    from click import ClickException as _ClickException
else:
    _ClickException = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")

app = typer.Typer(
    name="access-policy",
    help="Decides whether a parent may digitally see an item of their child's health record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"access-policy {version('access-policy')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
) -> None:
    """Decides whether a parent may digitally see an item of their child's health record."""


# Each submodule registers its commands on `app` when imported.
from access_policy.cli import bench as _bench  # noqa: E402,F401
from access_policy.cli import policy as _policy  # noqa: E402,F401
from access_policy.cli import service as _service  # noqa: E402,F401
from access_policy.cli import store as _store  # noqa: E402,F401
from access_policy.cli import workbench as _workbench  # noqa: E402,F401


def main() -> None:
    """Entry point of the console script: usage errors become one line on stderr and exit status 2."""
    try:
        code = app(standalone_mode=False, prog_name="access-policy")
    except _ClickException as error:
        typer.echo(f"error: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
