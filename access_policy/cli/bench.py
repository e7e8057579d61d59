"""Bench commands: `bench` (the engine, its peers and the service, measured side by side)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from access_policy.cli import app

out = Console(highlight=False, soft_wrap=True)
if not out.is_terminal:
    # Piped into a file or a log: wide enough that the table keeps one line per figure.
    out = Console(highlight=False, soft_wrap=True, width=180)


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Smaller sizes, up to 100,000 children: under 2 minutes on 2 cores.")] = False,
    output: Annotated[Path, typer.Option("--output", help="Directory for results-<mode>.json and .md.")] = Path("bench-results"),
    plot: Annotated[Path | None, typer.Option("--plot", help="Also draw decision time against children stored to this PNG.", show_default=False)] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Sample the service under load with py-spy (if installed) into this directory.", show_default=False),
    ] = None,
) -> None:
    """Measure the engine, naive casbin, Cedar and the service on the same decisions; print and write the results."""
    import shlex
    import sys

    from access_policy.bench import report
    from access_policy.bench.config import FULL, QUICK
    from access_policy.bench.runner import run

    config = QUICK if quick else FULL
    command = "access-policy " + " ".join(shlex.quote(arg) for arg in sys.argv[1:])
    results, machine, versions = run(config, progress=lambda line: out.print(f"[dim]…[/] {line}"), profile_dir=profile)
    data = report.as_dict(results, machine, versions, command)
    report.print_tables(results, out)
    json_path, md_path = report.write(data, output)
    out.print(f"wrote {json_path} and {md_path} ({machine['seconds']:.0f} s)", markup=False)
    if plot is not None:
        from access_policy.bench.plot import draw

        draw(data, plot)
        out.print(f"wrote {plot}", markup=False)
