"""Guideline authors' commands: `scenarios` (run the Norwegian scenarios) and `docs` (the workbench site)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from access_policy.cli import app
from access_policy.cli.policy import fail, load_policy_or_exit

out = Console(highlight=False, soft_wrap=True)


@app.command()
def scenarios(
    policy_dir: Annotated[Optional[Path], typer.Argument(help="Policy directory (default: the national policy).")] = None,
    features_dir: Annotated[Optional[Path], typer.Argument(help="Feature files (default: the shipped scenarios).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every scenario's result as JSON.")] = False,
) -> None:
    """Run the guideline's Norwegian scenarios against a policy; exit 1 when one fails."""
    from access_policy.scenarios.runner import run_scenarios

    policy = load_policy_or_exit(policy_dir, code=1)
    if features_dir is not None and not features_dir.is_dir():
        raise fail(f"`{features_dir}` is not a directory of feature files")
    results = run_scenarios(policy, features_dir)
    if not results:
        raise fail("no scenarios found", 1)
    failed = [result for result in results if not result.passed]
    if as_json:
        out.print_json(json.dumps({
            "policy_version": policy.version,
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "scenarios": [
                {"feature": r.feature, "line": r.line, "name": r.name, "passed": r.passed, "rules": sorted(r.rules), "error": r.error}
                for r in results
            ],
        }, ensure_ascii=False))
    else:
        for result in failed:
            out.print(f"FAIL {result.feature}:{result.line} {result.name}\n     {result.error}", markup=False)
        out.print(f"{len(results) - len(failed)} of {len(results)} scenarios pass against policy {policy.version} ({policy.directory})", markup=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def docs(
    policy_dir: Annotated[Optional[Path], typer.Argument(help="Policy directory (default: the national policy).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write the site to.")] = Path("site"),
    compare: Annotated[
        Optional[Path],
        typer.Option("--compare", help="A second policy to diff against (default for the national policy: today's Helsenorge practice)."),
    ] = None,
    features_dir: Annotated[Optional[Path], typer.Option("--features", help="Feature files (default: the shipped scenarios).")] = None,
) -> None:
    """Build the guideline author's workbench: a static site with index.html (rules, scenarios, matrix, diff)."""
    from access_policy.workbench.site import build_site

    load_policy_or_exit(policy_dir, code=1)
    if compare is not None:
        load_policy_or_exit(compare, code=1)
    try:
        index = build_site(policy_dir, output, compare_dir=compare, features_dir=features_dir)
    except OSError as error:
        raise fail(f"cannot write the site to `{output}`: {error}", 1) from None
    out.print(f"wrote {index}", markup=False)
