"""Policy commands: `decide` (one decision, explained), `verify` (properties) and `diff` (two policies)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table

from access_policy import analysis
from access_policy.cli import app
from access_policy.decisions import Decision, decide_many
from access_policy.errors import AccessPolicyError, InvalidIdError, PolicyLoadError
from access_policy.facts import LOCAL_SYSTEM, ChildFacts, Item, ItemKind
from access_policy.identity import parse_party_id
from access_policy.policy import Policy, load_policy

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

PolicyDirOption = Annotated[
    Optional[Path], typer.Option("--policy-dir", help="Policy directory (default: the national policy).", show_default=False)
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear line on stderr and return the exit to raise."""
    err.print(f"error: {message}", markup=False)
    return typer.Exit(code)


def load_policy_or_exit(directory: Path | None, code: int = 2) -> Policy:
    """Load a policy, or exit with its load error on one line."""
    try:
        return load_policy(directory)
    except PolicyLoadError as error:
        raise fail(str(error), code) from None


def parse_time(value: str | None, name: str) -> datetime.datetime:
    """An RFC 3339 instant with an offset (now when absent)."""
    if value is None:
        return datetime.datetime.now(datetime.timezone.utc)
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"`{name}`: `{value}` is not an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise fail(f"`{name}`: `{value}` needs a UTC offset, e.g. 2026-11-30T12:00:00+01:00")
    return parsed


def _read_json(path: Path, name: str) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise fail(f"`{name}`: cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise fail(f"`{name}`: {path} is not JSON ({error.msg} at line {error.lineno})") from None


def _validation_message(error: ValidationError, name: str) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"`{name}`: {where or 'value'}: {first['msg']}"


def _facts_from_store(child: str, data_dir: Path | None, database_url: str | None, as_of: datetime.datetime | None) -> ChildFacts:
    from access_policy.store import open_store  # the store is only needed for this path

    try:
        store = open_store(data_dir=data_dir, database_url=database_url)
        try:
            return store.child_facts(child, as_of=as_of)
        finally:
            store.close()
    except AccessPolicyError as error:
        raise fail(str(error), 1) from None


@app.command()
def decide(
    requester: Annotated[str, typer.Option(help="Who wants to see: a person number, or an organisation number.")],
    facts_file: Annotated[Optional[Path], typer.Option("--facts", help="A JSON file with the child's facts.")] = None,
    child: Annotated[Optional[str], typer.Option(help="Read the child's facts from the store instead of --facts.")] = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="SQLite data directory (with --child).")] = None,
    database_url: Annotated[Optional[str], typer.Option(help="Database URL (with --child).")] = None,
    as_of: Annotated[Optional[str], typer.Option(help="Use the facts as they were recorded at this time (with --child).")] = None,
    item_id: Annotated[Optional[str], typer.Option("--item", help="The item's id.")] = None,
    kind: Annotated[Optional[ItemKind], typer.Option(help="The item's kind.")] = None,
    pathway: Annotated[Optional[str], typer.Option(help="The item's care pathway.")] = None,
    referral: Annotated[Optional[str], typer.Option(help="The item's referral.")] = None,
    system: Annotated[str, typer.Option(help="The item's source system: `local`, an organisation number or a URI.")] = LOCAL_SYSTEM,
    items_file: Annotated[Optional[Path], typer.Option("--items", help="A JSON file with a list of items.")] = None,
    at: Annotated[Optional[str], typer.Option(help="Decision time, RFC 3339 with offset (default: now).")] = None,
    policy_dir: PolicyDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decisions as JSON.")] = False,
) -> None:
    """Decide whether REQUESTER may see an item of a child's record, and explain why."""
    policy = load_policy_or_exit(policy_dir)
    when = parse_time(at, "at")
    try:
        requester = parse_party_id(requester)
    except InvalidIdError as error:
        raise fail(str(error)) from None
    if (facts_file is None) == (child is None):
        raise fail("give exactly one of --facts FILE or --child ID")
    if facts_file is not None:
        try:
            facts = ChildFacts.model_validate(_read_json(facts_file, "facts"))
        except ValidationError as error:
            raise fail(_validation_message(error, "facts")) from None
    else:
        facts = _facts_from_store(child, data_dir, database_url, parse_time(as_of, "as-of") if as_of else None)
    if (items_file is None) == (item_id is None):
        raise fail("give exactly one of --item ID (with --kind) or --items FILE")
    try:
        if items_file is not None:
            items = TypeAdapter(list[Item]).validate_python(_read_json(items_file, "items"))
        else:
            if kind is None:
                raise fail("--item needs --kind")
            items = [Item(id=item_id, system=system, kind=kind, pathway=pathway, referral=referral)]
    except ValidationError as error:
        raise fail(_validation_message(error, "items")) from None
    decisions = decide_many(policy, facts, requester, items, when)
    if as_json:
        results = [{"item": item.id, **decision.as_dict()} for item, decision in zip(items, decisions)]
        out.print_json(json.dumps({"at": when.isoformat(), "results": results}))
        return
    for item, decision in zip(items, decisions):
        _explain(policy, item, decision)


def _explain(policy: Policy, item: Item, decision: Decision) -> None:
    colour = "green" if decision.permitted else "red"
    out.print(f"[bold]{item.id}[/bold] ({item.kind.value}): [bold {colour}]{decision.effect.value}[/bold {colour}]")
    rule = policy.rule(decision.rule)
    where = f" (order {rule.order}, {policy.directory.name}/rules.csv line {rule.line})" if rule else ""
    name = f" ({rule.name_no})" if rule else ""
    out.print(f"  rule: {decision.rule}{name}{where}")
    out.print(f"  legal basis: {', '.join(decision.legal_basis) or '—'}")
    for reason in decision.reasons:
        parts = [reason.code] + [f"fact {reason.fact}"] * (reason.fact is not None) + [reason.detail] * (reason.detail is not None)
        out.print(f"  because: {' · '.join(parts)}", markup=False)
    out.print(f"  policy version: {decision.policy_version}")


@app.command()
def verify(
    policy_dir: Annotated[Optional[Path], typer.Argument(help="Policy directory (default: the national policy).")] = None,
) -> None:
    """Load a policy and check, over every reachable request and generated facts, the properties the law requires."""
    policy = load_policy_or_exit(policy_dir, code=1)
    checks = analysis.verify(policy)
    table = Table(title=f"policy {policy.version} ({policy.directory})")
    table.add_column("check")
    table.add_column("property")
    table.add_column("result")
    for check in checks:
        table.add_row(check.id, check.description, "[green]pass[/green]" if check.passed else "[red]FAIL[/red]")
    out.print(table)
    failed = [check for check in checks if not check.passed]
    for check in failed:
        err.print(f"{check.id}: {len(check.counterexamples)} counterexample(s), e.g. {check.counterexamples[0]}", markup=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def diff(
    old_dir: Annotated[Path, typer.Argument(help="The policy as it is.")],
    new_dir: Annotated[Path, typer.Argument(help="The policy as proposed.")],
    examples: Annotated[int, typer.Option(help="Example requests shown per change.")] = 1,
) -> None:
    """Show which requests two policies decide differently, grouped by old and new rule."""
    old, new = load_policy_or_exit(old_dir, 1), load_policy_or_exit(new_dir, 1)
    result = analysis.diff(old, new)
    out.print(f"{old.version} → {new.version}: {result.count} of {result.total} request classes decided differently")
    if not result.changed:
        return
    table = Table()
    for column in ("was", "becomes", "requests", "for example"):
        table.add_column(column, overflow="fold")
    for (old_rule, old_effect, new_rule, new_effect), requests in sorted(result.changed.items(), key=lambda kv: -len(kv[1])):
        shown = "\n".join(analysis.describe(request) for request in requests[:examples])
        table.add_row(f"{old_effect} ({old_rule})", f"{new_effect} ({new_rule})", str(len(requests)), shown)
    out.print(table)
