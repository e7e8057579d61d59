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
    from access_policy.web import api_module  # the same field names the HTTP API gives

    first = api_module("problems").field_errors(error.errors(include_url=False))[0]
    return f"`{name}`: {first['field'] if first['field'] != 'body' else 'value'}: {first['message']}"


def _facts_from_store(child: str, data_dir: Path | None, database_url: str | None, as_of: datetime.datetime | None) -> ChildFacts:
    from access_policy.cli.store import open_existing_store

    store = open_existing_store(data_dir, database_url)
    try:
        return store.child_facts(child, as_of=as_of)
    except AccessPolicyError as error:
        raise fail(str(error), 1) from None
    finally:
        store.close()


EXAMPLE_FACTS = Path(__file__).resolve().parent.parent / "examples" / "facts.json"


def rules_location(policy: Policy, line: int) -> str:
    """Where a rule row is, as a user finds it: relative to the checkout, or in the installed package."""
    rules = (policy.directory / "rules.csv").resolve()
    package = Path(__file__).resolve().parent.parent
    if rules.is_relative_to(package):
        return f"line {line} of the installed policy {rules}"
    try:
        return f"{rules.relative_to(Path.cwd().resolve())} line {line}"
    except ValueError:
        return f"{rules} line {line}"


@app.command()
def decide(
    requester: Annotated[Optional[str], typer.Option(help="Who wants to see: a person number, or an organisation number.", show_default=False)] = None,
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
    example_facts: Annotated[bool, typer.Option("--example-facts", help="Print an example facts file for --facts and exit.")] = False,
) -> None:
    """Decide whether REQUESTER may see an item of a child's record, and explain why."""
    if example_facts:
        typer.echo(EXAMPLE_FACTS.read_text(encoding="utf-8"), nl=False)  # verbatim: no wrapping or colour
        return
    if requester is None:
        raise fail("missing option `--requester`")
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
        assert child is not None  # exactly one of the two, checked above
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
    where = f" (order {rule.order}, {rules_location(policy, rule.line)})" if rule else ""
    name = f" ({rule.name_no})" if rule else ""
    out.print(f"  rule: {decision.rule}{name}{where}")
    out.print(f"  legal basis: {', '.join(decision.legal_basis) or '—'}")
    for reason in decision.reasons:
        parts = [reason.code] + ([f"fact {reason.fact}"] if reason.fact is not None else []) + ([reason.detail] if reason.detail is not None else [])
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """Show which requests two policies decide differently and which settings differ; exit 1 when they differ."""
    old, new = load_policy_or_exit(old_dir, 2), load_policy_or_exit(new_dir, 2)
    result = analysis.diff(old, new)
    if as_json:
        out.print_json(json.dumps(result.as_dict(examples), ensure_ascii=False))
    else:
        out.print(f"{old.version} → {new.version}: {result.count} of {result.total} request classes decided differently")
        for name, before, after in result.settings:
            out.print(f"setting {name}: {before} → {after}", markup=False)
        if result.changed:
            table = Table()
            for column in ("was", "becomes", "requests", "for example"):
                table.add_column(column, overflow="fold")
            for (old_rule, old_effect, new_rule, new_effect), requests in sorted(result.changed.items(), key=lambda kv: -len(kv[1])):
                shown = "\n".join(analysis.describe(request) for request in requests[:examples])
                table.add_row(f"{old_effect} ({old_rule})", f"{new_effect} ({new_rule})", str(len(requests)), shown)
            out.print(table)
    # Like diff(1): 0 when the policies decide alike with the same settings, 1 when they differ.
    if result.differs:
        raise typer.Exit(1)
