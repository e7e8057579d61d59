"""Decisions over HTTP: one item, a batch in request order that agrees with single decisions, bad input."""

from __future__ import annotations

import datetime
import json

from access_policy.decisions import decide
from access_policy.facts import Author, Holder, Item, Representation, Responsibility
from access_policy.identity import make_person_id
from tests.api.conftest import item

KINDS = ["appointment", "test_result", "document", "note", "referral", "medication", "vaccination", "message"]


def test_a_holder_of_parental_responsibility_sees_an_item(client, token, family, now):
    body = {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}
    response = client.post("/v1/decisions", json=body, headers=token("decisions"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["decision"] == "permit"
    assert answer["rule"] == "main-rule"
    assert answer["legal_basis"] == ["pbrl-3-4-1", "pbrl-5-1-4"]
    assert {"code": "parental-responsibility"} in answer["reasons"]
    assert answer["policy_version"] and answer["decision_id"]
    # Who else holds responsibility (`felles`) is part of the full explanation only.
    explained = client.post("/v1/decisions", json=body, headers=token("decisions", "decisions:explain")).json()
    assert {"code": "parental-responsibility", "detail": "felles"} in explained["reasons"]


def test_a_parent_without_responsibility_is_denied(client, token, family, now):
    body = {"requester": family.stranger, "child": family.child, "item": item(), "at": now.isoformat()}
    answer = client.post("/v1/decisions", json=body, headers=token("decisions")).json()
    assert (answer["decision"], answer["rule"]) == ("deny", "no-parental-responsibility")


def test_at_defaults_to_now(client, token, store):
    today = datetime.datetime.now(datetime.timezone.utc)
    child = make_person_id(today.date().replace(year=today.year - 5, day=1), 77)
    parent = make_person_id(datetime.date(1990, 1, 1), 78)
    representation = Representation(holders=(Holder(id=parent, responsibility=Responsibility.MOR),), retrieved_at=today)
    store.put_representation(child, representation, Author(system="test"))
    answer = client.post("/v1/decisions", json={"requester": parent, "child": child, "item": item()}, headers=token("decisions")).json()
    assert answer["decision"] == "permit", answer


def _batch_items(count: int) -> list[dict[str, object]]:
    items = []
    for n in range(count):
        entry = item(f"doc-{n}", KINDS[n % len(KINDS)])
        if n % 3 == 0:
            entry["pathway"] = f"pw-{n % 7}"
        if n % 5 == 0:
            entry["referral"] = f"ref-{n % 11}"
        items.append(entry)
    return items


def test_a_batch_of_10000_items_answers_in_order_and_agrees_with_single_decisions(
    client, token, clinician, family, now, store, national_policy
):
    # Facts that make the answers differ per item: an exemption for a pathway, one for an item
    # (father only), a profile limiting the father to some kinds.
    child = family.child
    facts = [
        ("exemptions", {"scope": {"pathway": "pw-3"}, "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": "r"}),
        ("exemptions", {"scope": {"item": "doc-42"}, "applies_to": [family.father], "legal_basis": "pbrl-5-1-2", "reason": "r"}),
        ("access-profiles", {"representative": family.father, "kinds": ["appointment", "note", "vaccination"]}),
    ]
    for kind, body in facts:
        assert client.post(f"/v1/{kind}", json={"child": child} | body, headers=clinician).status_code == 201
    items = _batch_items(10_000)
    # The full explanation, compared with the engine's own (the default is redacted: test_disclosure).
    headers = token("decisions", "decisions:explain")
    for requester in (family.mother, family.father):
        body = {"requester": requester, "child": child, "items": items, "at": now.isoformat()}
        response = client.post("/v1/decisions/batch", json=body, headers=headers)
        assert response.status_code == 200, response.text[:500]
        results = response.json()["results"]
        assert [r["item"] for r in results] == [i["id"] for i in items]
        assert {r["decision"] for r in results} == {"permit", "deny"}
        # Every item against a single decision of the engine over the same stored facts ...
        facts = store.child_facts(child)
        for entry, result in zip(items, results, strict=True):
            single = decide(national_policy, facts, requester, Item(**entry), now).as_dict()
            assert [result[f] for f in ("decision", "rule", "legal_basis", "reasons")] == [
                single[f] for f in ("decision", "rule", "legal_basis", "reasons")
            ], entry
        # ... and a sample across the kinds, pathways and referrals against single requests over HTTP.
        for index in list(range(0, 10_000, 97)) + [42, 3, 10, 9_999]:
            single = client.post(
                "/v1/decisions",
                json={"requester": requester, "child": child, "item": items[index], "at": now.isoformat()},
                headers=headers,
            ).json()
            for field in ("decision", "rule", "legal_basis", "reasons"):
                assert single[field] == results[index][field], (index, field)


def test_every_batch_result_agrees_with_the_engine_directly(client, token, clinician, family, now, store, national_policy):
    created = client.post(
        "/v1/exemptions",
        json={"child": family.child, "scope": {"referral": "ref-4"}, "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": "r"},
        headers=clinician,
    )
    assert created.status_code == 201, created.text
    items = _batch_items(2_000)
    body = {"requester": family.mother, "child": family.child, "items": items, "at": now.isoformat()}
    results = client.post("/v1/decisions/batch", json=body, headers=token("decisions")).json()["results"]
    facts = store.child_facts(family.child)
    for entry, result in zip(items, results, strict=True):
        expected = decide(national_policy, facts, family.mother, Item(**entry), now)
        assert (result["decision"], result["rule"]) == (expected.effect.value, expected.rule)


def test_an_empty_batch_answers_an_empty_list(client, token, family, now):
    body = {"requester": family.mother, "child": family.child, "items": [], "at": now.isoformat()}
    response = client.post("/v1/decisions/batch", json=body, headers=token("decisions"))
    assert response.status_code == 200
    assert response.json()["results"] == []


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:access-policy:problem:")
    assert body["title"] and body["detail"]
    return body


def test_malformed_json_is_a_422_problem(client, token):
    headers = token("decisions") | {"content-type": "application/json"}
    body = _problem(client.post("/v1/decisions", content=b'{"requester": ', headers=headers), 422)
    assert body["errors"][0]["field"] == "body"


def test_invalid_ids_and_unknown_kinds_name_the_fields(client, token, family):
    body = {"requester": "12345678901", "child": "not-a-number", "item": item(kind="x-ray")}
    problem = _problem(client.post("/v1/decisions", json=body, headers=token("decisions")), 422)
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {"requester", "child", "item.kind"}
    assert problem["type"] == "urn:access-policy:problem:invalid-input"


def test_an_invalid_organisation_inside_a_batch_names_the_item(client, token, family):
    items = [item("a"), item("b", organisation="123456789")]
    body = {"requester": family.mother, "child": family.child, "items": items}
    problem = _problem(client.post("/v1/decisions/batch", json=body, headers=token("decisions")), 422)
    assert [error["field"] for error in problem["errors"]] == ["items.1.organisation"]
    assert "123456789" in problem["errors"][0]["message"]


def test_unknown_fields_and_naive_times_are_rejected(client, token, family):
    base = {"requester": family.mother, "child": family.child, "item": item()}
    for body in (base | {"extra": 1}, base | {"item": item(colour="red")}, base | {"at": "2026-11-30T12:00:00"}):
        _problem(client.post("/v1/decisions", json=body, headers=token("decisions")), 422)


def test_more_items_than_the_limit_is_a_413(client, token, family):
    items = [item(f"d{n}") for n in range(10_001)]
    body = {"requester": family.mother, "child": family.child, "items": items}
    problem = _problem(client.post("/v1/decisions/batch", json=body, headers=token("decisions")), 413)
    assert problem["type"] == "urn:access-policy:problem:request-too-large"


def test_a_body_over_the_size_limit_is_a_413(client, token, family, settings):
    padding = "x" * (settings.max_body_bytes + 1)
    headers = token("decisions") | {"content-type": "application/json"}
    response = client.post("/v1/decisions", content=json.dumps({"pad": padding}).encode(), headers=headers)
    _problem(response, 413)


def test_a_streamed_body_over_the_limit_is_a_413(client, token, settings):
    chunk = b"x" * 1024 * 1024

    def stream():
        for _ in range(settings.max_body_bytes // len(chunk) + 2):
            yield chunk

    headers = token("decisions") | {"content-type": "application/json"}
    _problem(client.post("/v1/decisions", content=stream(), headers=headers), 413)


def test_a_batch_body_is_not_read_before_the_token_is_checked(client):
    response = client.post("/v1/decisions/batch", content=b'{"items": [', headers={"content-type": "application/json"})
    assert response.status_code == 401
