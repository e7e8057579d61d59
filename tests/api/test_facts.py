"""Clinicians' facts and representation over HTTP: create, search with history, read and revoke by id, idempotency, authors."""

from __future__ import annotations

import pytest

from access_policy.identity import parse_person_id

from tests.api.conftest import HPR, ORG, item

BODIES = {
    "exemptions": {"scope": {"pathway": "pw-1"}, "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": "weighty concerns"},
    "assessments": {"scope": {"referral": "ref-1"}, "adolescent_can_consent": True, "parents_informed": False, "note": "talked"},
    "access-profiles": {"kinds": ["appointment"]},  # representative filled in per family
    "necessary-information": {"scope": {"item": "doc-9"}, "applies_to": "all", "legal_basis": "pbrl-3-4-4", "reason": "needed"},
}


def _body(kind: str, family) -> dict:
    body = {"child": family.child} | BODIES[kind]
    if kind == "access-profiles":
        body["representative"] = family.father
    return body


def _search(client, kind: str, child: str, headers) -> list[dict]:
    response = client.post(f"/v1/{kind}/search", json={"child": child}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["records"]


@pytest.mark.parametrize("kind", list(BODIES))
@pytest.mark.parametrize("revoke_with", ["POST", "DELETE"])
def test_create_search_read_and_revoke_keep_history(client, clinician, family, kind, revoke_with):
    base = f"/v1/{kind}"
    created = client.post(base, json=_body(kind, family), headers=clinician)
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["id"] and record["recorded_at"]
    assert record["author"]["hpr"] == HPR and record["author"]["org"] == ORG
    assert created.headers["location"] == f"{base}/{record['id']}"
    assert client.get(f"{base}/{record['id']}", headers=clinician).json() == record

    assert [r["id"] for r in _search(client, kind, family.child, clinician)] == [record["id"]]

    if revoke_with == "POST":
        revoked = client.post(f"{base}/{record['id']}/revoke", headers=clinician)
    else:
        revoked = client.delete(f"{base}/{record['id']}", headers=clinician)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    history = _search(client, kind, family.child, clinician)
    assert len(history) == 1 and history[0]["revoked_at"] is not None


def test_the_author_comes_from_the_token_only(client, clinician, family):
    base = "/v1/exemptions"
    for forged in ({"author": {"hpr": "999", "org": "974589095"}}, {"hpr": "999"}, {"org": "974589095"}, {"id": "mine"}):
        response = client.post(base, json=_body("exemptions", family) | forged, headers=clinician)
        assert response.status_code == 422, forged
        assert response.headers["content-type"] == "application/problem+json"
    assert _search(client, "exemptions", family.child, clinician) == []


def test_facts_write_without_hpr_and_org_is_forbidden(client, token, family):
    for claims in ({}, {"hpr": HPR}, {"org": ORG}):
        response = client.post(
            "/v1/exemptions", json=_body("exemptions", family), headers=token("facts:write", **claims)
        )
        assert response.status_code == 403, claims
    # Nothing was stored, and the change feed is as it was.
    reader = token("facts:read")
    assert _search(client, "exemptions", family.child, reader) == []
    assert [c["kind"] for c in client.get("/v1/changes", headers=reader).json()["changes"]] == ["representation"]


def test_an_exemption_is_honoured_by_the_next_decision(client, clinician, token, family, now):
    decision = {"requester": family.mother, "child": family.child, "item": item(pathway="pw-1"), "at": now.isoformat()}
    assert client.post("/v1/decisions", json=decision, headers=token("decisions")).json()["decision"] == "permit"
    created = client.post("/v1/exemptions", json=_body("exemptions", family), headers=clinician)
    assert created.status_code == 201, created.text
    exemption = created.json()
    denied = client.post("/v1/decisions", json=decision, headers=token("decisions")).json()
    assert denied["decision"] == "deny" and denied["rule"] == "exemption"
    # The full explanation, for the clinician's preview, names the exemption; the default does not.
    explained = client.post("/v1/decisions", json=decision, headers=token("decisions", "decisions:explain")).json()
    assert {"code": "exemption", "fact": exemption["id"], "detail": "pbrl-3-4-3"} in explained["reasons"]
    assert exemption["id"] not in str(denied) and "pbrl-3-4-3" not in denied["legal_basis"]


def test_a_retried_create_with_the_same_idempotency_key_returns_the_first_record(client, clinician, family):
    base = "/v1/exemptions"
    headers = clinician | {"Idempotency-Key": "retry-1"}
    first = client.post(base, json=_body("exemptions", family), headers=headers)
    again = client.post(base, json=_body("exemptions", family), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(_search(client, "exemptions", family.child, clinician)) == 1
    other = client.post(base, json=_body("exemptions", family), headers=clinician | {"Idempotency-Key": "retry-2"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_an_idempotency_key_reused_for_another_body_is_a_conflict(client, clinician, family):
    base = "/v1/exemptions"
    headers = clinician | {"Idempotency-Key": "k"}
    assert client.post(base, json=_body("exemptions", family), headers=headers).status_code == 201
    changed = _body("exemptions", family) | {"reason": "something else"}
    response = client.post(base, json=changed, headers=headers)
    assert response.status_code == 409
    assert response.json()["type"] == "urn:access-policy:problem:idempotency-conflict"


def test_revoking_an_unknown_fact_is_a_404_problem(client, clinician, family):
    response = client.post("/v1/exemptions/ex-nope/revoke", headers=clinician)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:access-policy:problem:fact-not-found"


def test_invalid_child_ids_and_bodies_are_422_problems(client, clinician, family):
    response = client.post("/v1/exemptions/search", json={"child": "12345"}, headers=clinician)
    assert response.json()["errors"][0]["field"] == "child"
    assert client.post("/v1/exemptions/search", json={}, headers=clinician).json()["errors"][0]["field"] == "child"
    bad_scope = _body("exemptions", family) | {"scope": {"item": "a", "pathway": "b"}}
    response = client.post("/v1/exemptions", json=bad_scope, headers=clinician)
    assert response.status_code == 422 and response.json()["errors"]
    bad_basis = _body("exemptions", family) | {"legal_basis": "pbrl-9-9"}
    assert client.post("/v1/exemptions", json=bad_basis, headers=clinician).status_code == 422
    bad_kind = {"child": family.child, "representative": family.father, "kinds": ["x-ray"]}
    assert client.post("/v1/access-profiles", json=bad_kind, headers=clinician).status_code == 422
    no_child = {k: v for k, v in _body("exemptions", family).items() if k != "child"}
    assert client.post("/v1/exemptions", json=no_child, headers=clinician).json()["errors"][0]["field"] == "child"


def test_representation_put_replaces_and_keeps_history(client, token, family, now):
    path = "/v1/representation"
    body = {
        "child": family.child,
        "birth_date": parse_person_id(family.child).birth_date.isoformat(),
        "address_protection": "ugradert",
        "holders": [{"id": family.mother, "responsibility": "mor"}, {"organisation": "974589095", "responsibility": "andre"}],
        "retrieved_at": now.isoformat(),
    }
    response = client.put(path, json=body, headers=token("representation:write"))
    assert response.status_code == 200, response.text
    assert response.json()["changed"] is True
    history = client.post("/v1/representation/search", json={"child": family.child}, headers=token("facts:read")).json()["snapshots"]
    assert len(history) == 2
    decision = {"requester": family.father, "child": family.child, "item": item(), "at": now.isoformat()}
    assert client.post("/v1/decisions", json=decision, headers=token("decisions")).json()["rule"] == "no-parental-responsibility"


def test_representation_birth_date_must_agree_with_the_id(client, token, family, now):
    body = {"child": family.child, "birth_date": "2014-01-01", "holders": [], "retrieved_at": now.isoformat()}
    response = client.put("/v1/representation", json=body, headers=token("representation:write"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "birth_date"
    unknown = {"child": family.child, "holders": [{"id": family.mother, "responsibility": "skilt"}], "retrieved_at": now.isoformat()}
    response = client.put("/v1/representation", json=unknown, headers=token("representation:write"))
    assert response.status_code == 422


def test_the_change_feed_pages_through_creates_and_revocations(client, clinician, token, family):
    reader = token("facts:read")
    start = client.get("/v1/changes", headers=reader).json()
    assert [c["kind"] for c in start["changes"]] == ["representation"]
    record = client.post("/v1/exemptions", json=_body("exemptions", family), headers=clinician).json()
    client.post(f"/v1/exemptions/{record['id']}/revoke", headers=clinician)
    page = client.get("/v1/changes", params={"after": start["next"]}, headers=reader).json()
    assert [(c["kind"], c["id"], c["action"]) for c in page["changes"]] == [
        ("exemptions", record["id"], "created"),
        ("exemptions", record["id"], "revoked"),
    ]
    assert page["changes"][0]["child"] == family.child
    one = client.get("/v1/changes", params={"after": start["next"], "limit": 1}, headers=reader).json()
    assert len(one["changes"]) == 1
    rest = client.get("/v1/changes", params={"after": one["next"]}, headers=reader).json()
    assert [c["action"] for c in rest["changes"]] == ["revoked"]
    empty = client.get("/v1/changes", params={"after": page["next"]}, headers=reader).json()
    assert empty["changes"] == [] and empty["next"] == page["next"]
    assert client.get("/v1/changes", params={"after": "abc"}, headers=reader).status_code == 422


def test_an_unusable_idempotency_key_is_a_422(client, clinician, family):
    response = client.post(
        "/v1/exemptions", json=_body("exemptions", family), headers=clinician | {"Idempotency-Key": "k" * 201}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
