"""Demo mode: load the synthetic demo families into the store and say how to try the service."""

from __future__ import annotations

import json
import shlex
from typing import Any

from access_policy.facts import LOCAL_SYSTEM
from access_policy.service.settings import Settings
from access_policy.service.tokens import SCOPES, issue_dev_token
from access_policy.store.interface import FactStore

DEMO_TOKEN_TTL = 12 * 3600


def load_demo(store: FactStore) -> Any:
    """Store the demo families (fresh register data each start) and return the demo set.

    Facts are created with idempotency keys naming the child and the fact, so starting the demo
    again on the same data directory does not repeat them.
    """
    from access_policy.synthetic import REGISTER_AUTHOR, demo_families

    demo = demo_families()
    for family in demo.families:
        store.put_representation(family.child, family.representation, REGISTER_AUTHOR)
        for index, (kind, draft, author) in enumerate(family.facts):
            store.create_fact(family.child, kind, draft, author, idempotency_key=f"demo:{family.child}:{kind.value}:{index}")
    return demo


def _plain(value: Any) -> Any:
    # Items carry `{system, value}` references now: a request body shows them as the API reads them.
    return value.model_dump(mode="json", exclude_defaults=True)


def _curl(base: str, token: str, body: dict[str, Any], path: str = "/v1/decisions") -> str:
    return (
        f"curl -s -X POST {base}{path} -H {shlex.quote('Authorization: Bearer ' + token)} "
        f"-H 'Content-Type: application/json' -d {shlex.quote(json.dumps(body, ensure_ascii=False, default=_plain))}"
    )


def demo_instructions(settings: Settings, demo: Any, host: str, port: int) -> str:
    """What to print at a demo start: the families, tokens per role and ready `curl` commands."""
    from access_policy.synthetic import CLINICIANS

    clinician = CLINICIANS[0]
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://{shown_host}:{port}"
    decisions = issue_dev_token(settings, ["decisions"], subject="demo-journal", ttl_seconds=DEMO_TOKEN_TTL)
    tokens = {
        "journal system (decisions)": decisions,
        "clinician (facts:read facts:write)": issue_dev_token(
            settings, ["facts:read", "facts:write"], subject="demo-clinician", hpr=clinician.hpr, org=clinician.org,
            ttl_seconds=DEMO_TOKEN_TTL,
        ),
        "register sync (representation:write)": issue_dev_token(
            settings, ["representation:write"], subject="demo-register-sync", ttl_seconds=DEMO_TOKEN_TTL
        ),
        "auditor (audit:read)": issue_dev_token(settings, ["audit:read"], subject="demo-auditor", ttl_seconds=DEMO_TOKEN_TTL),
        "all scopes": issue_dev_token(
            settings, SCOPES, subject="demo-admin", hpr=clinician.hpr, org=clinician.org, ttl_seconds=DEMO_TOKEN_TTL
        ),
    }
    lines = [f"Demo: {len(demo.families)} synthetic families loaded into {settings.data_dir}.", ""]
    for family in demo.families:
        people = ", ".join(f"{role} {number}" for role, number in family.people.items())
        lines.append(f"  {family.name}: {family.description} ({people})")
    lines += ["", "Tokens (valid 12 hours; `access-policy token --scope …` makes more):"]
    for role, token in tokens.items():
        lines.append(f"  {role}:\n    {token}")
    lines += ["", "Requests that show each rule of the national policy (requester, child, item → expected):"]
    for case in demo.cases:
        lines.append(f"  {case.description}: {case.requester}, {case.child}, {case.item.id} → {case.effect} ({case.rule})")
    shown = [c for c in demo.cases if c.rule in ("main-rule", "exemption")][:2]
    lines += ["", "Try a decision (copy and paste once the service is up):"]
    for case in shown:
        body = {"requester": case.requester, "child": case.child, "item": case.item.model_dump(mode="json", exclude_none=True)}
        if not body["item"].get("labels"):
            body["item"].pop("labels", None)
        lines += [f"  # {case.description}: expect {case.effect}", "  " + _curl(base, decisions, body)]
    if shown:
        case = shown[-1]
        properties: dict[str, Any] = {"child": case.child}
        if case.item.system != LOCAL_SYSTEM:
            properties["system"] = case.item.system
        if case.item.pathway is not None:
            properties["pathway"] = case.item.pathway.value
        authzen = {
            "subject": {"type": "person", "id": case.requester},
            "action": {"name": "can_read"},
            "resource": {"type": case.item.kind.value, "id": case.item.id, "properties": properties},
        }
        lines += [f"  # the same through AuthZEN: expect decision {str(case.effect == 'permit').lower()}",
                  "  " + _curl(base, decisions, authzen, "/access/v1/evaluation")]
    lines += ["", f"Interactive API documentation (works offline): {base}/docs", ""]
    return "\n".join(lines)
