"""Every endpoint × {no token, bad signature, expired, wrong audience, wrong issuer, each scope}: 401/403/2xx."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dateutil.relativedelta import relativedelta

from access_policy.facts import Author, Holder, Representation, Responsibility
from access_policy.identity import make_person_id
from access_policy.service.settings import Settings
from access_policy.service.tokens import SCOPES, issue_dev_token
from api.app import create_app
from tests.api.conftest import HPR, ORG, Family, TestClient, item, open_test_store

NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
FAMILY = Family(NOW, serial=5)
C = FAMILY.child

FACT_BODIES = {
    "exemptions": {"scope": {"item": "doc-1"}, "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": "r"},
    "assessments": {"scope": {"pathway": "pw-1"}, "adolescent_can_consent": True, "parents_informed": False},
    "access-profiles": {"representative": FAMILY.mother, "kinds": ["appointment"]},
    "necessary-information": {"scope": {"item": "doc-2"}, "applies_to": "all", "legal_basis": "pbrl-3-4-4", "reason": "r"},
}
REPRESENTATION = {"child": C, "holders": [{"id": FAMILY.mother, "responsibility": "felles"}], "retrieved_at": NOW.isoformat()}
# An adolescent of 16 (on the day the tests run: sharing is checked against the time it is recorded).
TEEN = make_person_id(datetime.date.today() - relativedelta(years=16, days=100), 66)
SHARING = {"child": TEEN, "grantee": FAMILY.mother, "scope": {"all": True}}
CARE_ORDER = {"organisation": ORG, "valid_from": NOW.isoformat()}

# (method, path, body, required scope, status when allowed); {id:KIND} is filled with a stored fact.
ENDPOINTS: list[tuple[str, str, Any, str | None, int]] = [
    ("POST", "/v1/decisions", {"requester": FAMILY.mother, "child": C, "item": item(), "at": NOW.isoformat()}, "decisions", 200),
    ("POST", "/v1/decisions/batch", {"requester": FAMILY.mother, "child": C, "items": [item()], "at": NOW.isoformat()}, "decisions", 200),
    *[("POST", f"/v1/{kind}", {"child": C} | body, "facts:write", 201) for kind, body in FACT_BODIES.items()],
    ("POST", "/v1/care-orders", {"child": C} | CARE_ORDER, "facts:write", 201),
    ("POST", "/v1/sharing-grants", SHARING, "sharing:write", 201),
    *[("POST", f"/v1/{kind}/search", {"child": C}, "facts:read", 200) for kind in (*FACT_BODIES, "care-orders")],
    ("POST", "/v1/sharing-grants/search", {"child": TEEN}, ("facts:read", "sharing:write"), 200),
    *[("GET", f"/v1/{kind}/{{id:{kind}}}", None, "facts:read", 200) for kind in (*FACT_BODIES, "care-orders")],
    ("GET", "/v1/sharing-grants/{id:sharing-grants}", None, ("facts:read", "sharing:write"), 200),
    *[("POST", f"/v1/{kind}/{{id:{kind}}}/revoke", None, "facts:write", 200) for kind in (*FACT_BODIES, "care-orders")],
    *[("DELETE", f"/v1/{kind}/{{id:{kind}}}", None, "facts:write", 200) for kind in FACT_BODIES],
    ("POST", "/v1/sharing-grants/{id:sharing-grants}/revoke", {"reason": "changed my mind"}, "sharing:write", 200),
    ("PUT", "/v1/representation", REPRESENTATION, "representation:write", 200),
    ("POST", "/v1/representation/search", {"child": C}, "facts:read", 200),
    ("GET", "/v1/changes", None, "facts:read", 200),
    ("GET", "/v1/audit", None, "audit:read", 200),
    ("POST", "/v1/audit/search", {"child": C}, "audit:read", 200),
    ("GET", "/v1/audit/verify", None, "audit:read", 200),
    ("GET", "/v1/audit/export?after=0", None, "audit:read", 200),
    ("GET", "/healthz", None, None, 200),
    ("GET", "/readyz", None, None, 200),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory, national_policy):
    """One app for the whole table: a stored family and one fact of each kind to revoke."""
    settings = Settings(dev=True, data_dir=tmp_path_factory.mktemp("auth") / "data").checked()
    store = open_test_store(settings.data_dir)
    store.put_representation(C, FAMILY.representation, Author(system="test"))
    teen = Representation(holders=(Holder(id=FAMILY.mother, responsibility=Responsibility.FELLES),), retrieved_at=NOW)
    store.put_representation(TEEN, teen, Author(system="test"))
    app = create_app(settings, store=store, policy=national_policy)
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = {"Authorization": "Bearer " + issue_dev_token(settings, ["facts:write"], hpr=HPR, org=ORG)}
        bodies = FACT_BODIES | {"care-orders": CARE_ORDER}
        ids = {kind: client.post(f"/v1/{kind}", json={"child": C} | body, headers=headers).json()["id"] for kind, body in bodies.items()}
        teen_headers = {"Authorization": "Bearer " + issue_dev_token(settings, ["sharing:write"], pid=TEEN)}
        ids["sharing-grants"] = client.post("/v1/sharing-grants", json=SHARING, headers=teen_headers).json()["id"]
        yield settings, client, ids, store
    close = getattr(store, "close", None)
    if callable(close):
        close()


def _tokens(settings: Settings) -> dict[str, dict[str, str] | None]:
    """The token variants of the table, as headers (None: no Authorization header)."""
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    all_scopes = list(SCOPES)
    forged = jwt.decode(issue_dev_token(settings, all_scopes, hpr=HPR, org=ORG, pid=TEEN), options={"verify_signature": False})
    variants: dict[str, dict[str, str] | None] = {
        "no token": None,
        "not a bearer": {"Authorization": "Basic dXNlcjpwYXNz"},
        "garbage": bearer("not.a.jwt"),
        "bad signature": bearer(jwt.encode(forged, Ed25519PrivateKey.generate(), algorithm="EdDSA")),
        "expired": bearer(issue_dev_token(
            settings, all_scopes, hpr=HPR, org=ORG, ttl_seconds=60,
            now=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2),
        )),
        "wrong audience": bearer(issue_dev_token(dataclasses.replace(settings, audience="someone-else"), all_scopes, hpr=HPR, org=ORG)),
        "wrong issuer": bearer(issue_dev_token(dataclasses.replace(settings, issuer="someone-else"), all_scopes, hpr=HPR, org=ORG)),
        "facts:write without hpr/org": bearer(issue_dev_token(settings, ["facts:write"])),
    }
    for scope in SCOPES:
        claims = {"hpr": HPR, "org": ORG} if scope == "facts:write" else {"pid": TEEN} if scope == "sharing:write" else {}
        variants[f"scope {scope}"] = bearer(issue_dev_token(settings, [scope], **claims))
    return variants


def _expected(variant: str, required: str | tuple[str, ...] | None, allowed: int) -> int:
    if required is None:
        return allowed  # /healthz and /readyz need no token
    if not variant.startswith("scope ") and variant != "facts:write without hpr/org":
        return 401
    if variant == "facts:write without hpr/org":
        return 403  # facts:write without the author claims, or not the scope at all
    required = (required,) if isinstance(required, str) else required
    return allowed if variant.removeprefix("scope ") in required else 403


def _snapshot(store) -> tuple:
    """Everything a request could change: the change feed, the decision log's head, each kind's records."""
    from access_policy.facts import FactKind

    return (
        store.changes(limit=10_000),
        store.audit_head(),
        store.representation_history(C),
        [store.list_facts(C, kind) for kind in FactKind],
    )


@pytest.mark.parametrize(("method", "path", "body", "required", "allowed"), ENDPOINTS, ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS])
def test_every_endpoint_answers_each_token_as_the_contract_says(world, method, path, body, required, allowed):
    settings, client, ids, store = world
    for kind, fact_id in ids.items():
        path = path.replace(f"{{id:{kind}}}", fact_id)
    variants = _tokens(settings)
    # The refused variants first: none of them may change anything (nor log a decision) ...
    order = sorted(variants, key=lambda v: _expected(v, required, allowed) == allowed)
    before = _snapshot(store)
    for variant in order:
        headers = variants[variant]
        expected = _expected(variant, required, allowed)
        if expected == allowed and required is not None:
            assert _snapshot(store) == before, (method, path, "a refused request changed the store")
        response = client.request(method, path, json=body, headers=headers or {})
        assert response.status_code == expected, (variant, response.text)
        if expected == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "urn:access-policy:problem:unauthenticated"
        elif expected == 403:
            assert response.json()["type"] == "urn:access-policy:problem:forbidden"
    if required is not None:
        # ... and the snapshot check could fail: the allowed request itself is seen (or reads only).
        changed = _snapshot(store) != before
        reads_only = method == "GET" or path.endswith("/search")
        revokes = method == "DELETE" or path.endswith("/revoke")
        if revokes:
            # `POST …/revoke` and `DELETE` name the same record; the second finds it revoked already.
            kind, fact_id = path.removeprefix("/v1/").removesuffix("/revoke").split("/")
            assert store.find_fact(kind, fact_id)[1].revoked_at is not None, (method, path)
        else:
            assert changed == (not reads_only), (method, path, changed)


def test_a_token_with_every_scope_reaches_every_endpoint(world):
    settings, client, ids, _store = world
    headers = {"Authorization": "Bearer " + issue_dev_token(settings, list(SCOPES), hpr=HPR, org=ORG, pid=TEEN)}
    for method, path, body, _required, allowed in ENDPOINTS:
        for kind, fact_id in ids.items():
            path = path.replace(f"{{id:{kind}}}", fact_id)
        assert client.request(method, path, json=body, headers=headers).status_code == allowed, path
