"""AuthZEN 1.0 front door: the specification's own examples, the same decisions as /v1/decisions, the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from access_policy.store.memory import MemoryFactStore
from tests.api.conftest import item


@pytest.fixture
def store() -> MemoryFactStore:
    """AuthZEN's answers need some store, not a database: the one in memory."""
    return MemoryFactStore()

DATA = Path(__file__).parent / "data" / "authzen"


def _load(name: str, family) -> dict:
    text = (DATA / name).read_text(encoding="utf-8")
    for role in ("mother", "father", "child"):
        text = text.replace("{" + role + "}", getattr(family, role))
    return json.loads(text)


@pytest.fixture
def exempted(client, clinician, family):
    """The father may not see pathway `pw-2`."""
    body = {"child": family.child, "scope": {"pathway": "pw-2"}, "applies_to": [family.father], "legal_basis": "pbrl-3-4-3", "reason": "r"}
    response = client.post("/v1/exemptions", json=body, headers=clinician)
    assert response.status_code == 201, response.text
    return family


def _decisions(answer: dict) -> list[bool]:
    return [e["decision"] for e in answer["evaluations"]]


def test_the_spec_access_evaluation_example(client, token, family):
    example = _load("evaluation.json", family)
    response = client.post("/access/v1/evaluation", json=example["request"], headers={**token("decisions"), "X-Request-ID": "bfe9eb29"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-request-id"] == "bfe9eb29"
    assert response.json()["decision"] is example["response"]["decision"]


def test_the_spec_defaults_example(client, token, family):
    example = _load("evaluations_defaults.json", family)
    answer = client.post("/access/v1/evaluations", json=example["request"], headers=token("decisions")).json()
    assert _decisions(answer) == _decisions(example["response"])
    assert answer["evaluations"][2]["context"]["error"]["status"] == 400
    assert "can_edit" in answer["evaluations"][2]["context"]["error"]["message"]


@pytest.mark.parametrize("semantic", ["execute_all", "deny_on_first_deny", "permit_on_first_permit"])
def test_the_spec_semantics_examples(client, token, exempted, semantic):
    example = _load(f"semantics_{semantic}.json", exempted)
    response = client.post("/access/v1/evaluations", json=example["request"], headers=token("decisions"))
    assert response.status_code == 200, response.text
    assert _decisions(response.json()) == _decisions(example["response"])


def test_the_spec_pagination_example(client, token, family):
    example = _load("search_resource.json", family)
    first = client.post("/access/v1/search/resource", json=example["request"], headers=token("decisions"))
    assert first.status_code == 200, first.text
    page1 = first.json()
    expected1, expected2 = example["responses"]
    assert page1["results"] == expected1["results"]
    assert {k: page1["page"][k] for k in ("count", "total")} == expected1["page"]
    assert page1["page"]["next_token"]
    follow = {**example["request"], "page": {"token": page1["page"]["next_token"]}}
    # The spec's second request repeats everything but the token; `limit` too.
    follow["page"]["limit"] = 2
    page2 = client.post("/access/v1/search/resource", json=follow, headers=token("decisions")).json()
    assert page2["results"] == expected2["results"]
    assert page2["page"] == expected2["page"]


def test_a_page_token_for_another_request_is_a_400(client, token, family):
    example = _load("search_resource.json", family)
    page1 = client.post("/access/v1/search/resource", json=example["request"], headers=token("decisions")).json()
    changed = {**example["request"], "subject": {"type": "person", "id": family.father},
               "page": {"token": page1["page"]["next_token"], "limit": 2}}
    response = client.post("/access/v1/search/resource", json=changed, headers=token("decisions"))
    assert response.status_code == 400
    garbage = {**example["request"], "page": {"token": "²", "limit": 2}}
    assert client.post("/access/v1/search/resource", json=garbage, headers=token("decisions")).status_code == 400


def test_search_hides_what_the_father_may_not_see_and_without_candidates_answers_with_the_filter(client, token, exempted):
    body = {
        "subject": {"type": "person", "id": exempted.father}, "action": {"name": "can_read"},
        "resource": {"type": "item", "properties": {"child": exempted.child}},
        "context": {"time": "2026-11-30T12:00+01:00", "candidates": [
            {"type": "note", "id": "a", "properties": {"pathway": "pw-2"}}, {"type": "note", "id": "b"},
            {"type": "appointment", "id": "c"}]},
    }
    answer = client.post("/access/v1/search/resource", json=body, headers=token("decisions")).json()
    assert [r["id"] for r in answer["results"]] == ["b", "c"]
    assert answer["page"] == {"next_token": "", "count": 2, "total": 2}
    only_notes = {**body, "resource": {"type": "note", "properties": {"child": exempted.child}}}
    assert [r["id"] for r in client.post("/access/v1/search/resource", json=only_notes, headers=token("decisions")).json()["results"]] == ["b"]
    del body["context"]["candidates"]
    empty = client.post("/access/v1/search/resource", json=body, headers=token("decisions")).json()
    # No items to list (the engine stores none): nothing is listed, and the filter says what to show.
    assert empty["results"] == [] and empty["page"] == {"next_token": "", "count": 0, "total": 0}
    assert "limitation" in empty["context"]
    assert empty["context"]["filter"] == {"mode": "conditions", "show": {
        "field": "pathway", "not_in": [{"system": "local", "value": "pw-2"}]}}
    notes = {**body, "resource": {"type": "note", "properties": {"child": exempted.child}}}
    narrowed = client.post("/access/v1/search/resource", json=notes, headers=token("decisions")).json()["context"]["filter"]
    assert narrowed == {"mode": "conditions", "show": {"all": [
        {"field": "kind", "in": ["note"]}, {"field": "pathway", "not_in": [{"system": "local", "value": "pw-2"}]}]}}


def test_search_without_candidates_for_a_stranger_is_a_definite_nothing(client, token, exempted):
    body = {"subject": {"type": "person", "id": exempted.stranger}, "action": {"name": "can_read"},
            "resource": {"type": "item", "properties": {"child": exempted.child}}}
    answer = client.post("/access/v1/search/resource", json=body, headers=token("decisions")).json()
    assert answer["results"] == [] and answer["context"]["filter"] == {"mode": "none"}
    assert "limitation" not in answer["context"]


def test_a_search_is_one_filter_in_the_decision_log(client, token, exempted):
    body = {"subject": {"type": "person", "id": exempted.father}, "action": {"name": "can_read"},
            "resource": {"type": "item", "properties": {"child": exempted.child}},
            "context": {"candidates": [{"type": "note", "id": "a", "properties": {"pathway": "pw-2"}}]}}
    answer = client.post("/access/v1/search/resource", json=body, headers=token("decisions")).json()
    audit = client.post("/v1/audit/search", json={"child": exempted.child}, headers=token("audit:read")).json()
    logged = [e["entry"] for e in audit["entries"] if e["decision_id"] == answer["context"]["decision_id"]]
    assert len(logged) == 1 and logged[0]["requester"] == exempted.father
    assert logged[0]["filter"]["mode"] == "conditions" and logged[0]["items"] == []


def test_the_discovery_document(client):
    meta = client.get("/.well-known/authzen-configuration").json()
    assert meta["policy_decision_point"] == "http://testserver"
    assert meta["access_evaluation_endpoint"] == "http://testserver/access/v1/evaluation"
    assert meta["access_evaluations_endpoint"].endswith("/access/v1/evaluations")
    assert meta["search_resource_endpoint"].endswith("/access/v1/search/resource")
    assert "search_subject_endpoint" not in meta and "search_action_endpoint" not in meta


def _evaluation(family, requester, entry, at="2026-11-30T12:00:00+01:00"):
    properties = {"child": family.child, **{k: entry[k] for k in ("pathway", "referral") if k in entry}}
    return {"subject": {"type": "person", "id": requester}, "action": {"name": "can_read"},
            "resource": {"type": entry["kind"], "id": entry["id"], "properties": properties}, "context": {"time": at}}


def test_reasons_only_for_callers_entitled_to_them(client, token, exempted):
    body = _evaluation(exempted, exempted.father, item("x", pathway="pw-2"))
    plain = client.post("/access/v1/evaluation", json=body, headers=token("decisions")).json()
    assert plain["decision"] is False and "reason" not in plain["context"]
    assert "exemption" not in json.dumps(plain)
    explained = client.post("/access/v1/evaluation", json=body, headers=token("decisions", "decisions:explain")).json()
    assert explained["context"]["reason"]["rule"] == "exemption"
    assert "pbrl-3-4-3" in explained["context"]["reason"]["legal_basis"]


def test_each_evaluation_is_in_the_decision_log(client, token, exempted):
    body = _evaluation(exempted, exempted.father, item("logged-1", pathway="pw-2"))
    answer = client.post("/access/v1/evaluation", json=body, headers=token("decisions")).json()
    audit = client.post("/v1/audit/search", json={"child": exempted.child}, headers=token("audit:read")).json()
    logged = [e for e in audit["entries"] if e["decision_id"] == answer["context"]["decision_id"]]
    assert len(logged) == 1
    entry = logged[0]["entry"]
    assert (entry["requester"], entry["items"], entry["outcomes"]) == (exempted.father, ["logged-1"], [["deny", "exemption"]])


@pytest.mark.parametrize(("body", "field"), [
    ({}, "subject"),
    ({"subject": {"type": "user", "id": "alice@example.com"}}, "subject.type"),
    ({"subject": {"type": "person", "id": "12345678901"}}, "subject.id"),
    ({"subject": {"type": "person"}}, "subject.id"),
])
def test_bad_requests_are_400_problems(client, token, family, body, field):
    full = {**_evaluation(family, family.mother, item()), **body}
    if body == {}:
        del full["subject"]
    response = client.post("/access/v1/evaluation", json=full, headers=token("decisions"))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field
    assert family.child not in response.text or field == "subject"


def test_an_unknown_resource_property_is_refused_not_ignored(client, token, family):
    body = _evaluation(family, family.mother, item())
    body["resource"]["properties"]["sensitivity"] = "high"
    response = client.post("/access/v1/evaluation", json=body, headers=token("decisions"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "resource.properties.sensitivity"
    body["resource"]["properties"].pop("sensitivity")
    body["resource"]["properties"]["system"] = "urn:oid:2.16.578.1.12.4.1.4.101"
    response = client.post("/access/v1/evaluation", json=body, headers=token("decisions"))
    assert response.status_code == 200, response.text  # the source system is honoured
    body["resource"]["properties"]["system"] = "not a system"
    response = client.post("/access/v1/evaluation", json=body, headers=token("decisions"))
    assert response.status_code == 400
    assert "system" in response.json()["errors"][0]["field"]


def test_unknown_top_level_fields_are_ignored_as_the_spec_says(client, token, family):
    body = {**_evaluation(family, family.mother, item()), "extension": {"x": 1}}
    assert client.post("/access/v1/evaluation", json=body, headers=token("decisions")).json()["decision"] is True


def test_no_token_is_401_and_the_wrong_scope_403(client, token, family):
    body = _evaluation(family, family.mother, item())
    assert client.post("/access/v1/evaluation", json=body).status_code == 401
    assert client.post("/access/v1/evaluations", json=body, headers=token("facts:read")).status_code == 403


KINDS = ["appointment", "test_result", "document", "note", "referral", "medication", "vaccination", "message"]
entries = st.lists(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["d1", "d2", "d3"]), "kind": st.sampled_from(KINDS)},
        optional={"pathway": st.sampled_from(["pw-2", "pw-9"]), "referral": st.sampled_from(["r-1"])},
    ),
    min_size=1, max_size=8,
)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=entries, who=st.sampled_from(["mother", "father", "stranger"]))
def test_authzen_agrees_with_v1_decisions_item_by_item(client, token, exempted, entries, who):
    requester = getattr(exempted, who)
    headers = token("decisions", "decisions:explain")
    body = {"subject": {"type": "person", "id": requester}, "action": {"name": "can_read"},
            "context": {"time": "2026-11-30T12:00:00+01:00"},
            "evaluations": [{"resource": _evaluation(exempted, requester, e)["resource"]} for e in entries]}
    answer = client.post("/access/v1/evaluations", json=body, headers=headers).json()["evaluations"]
    batch = client.post("/v1/decisions/batch", json={"requester": requester, "child": exempted.child, "items": entries,
                                                    "at": "2026-11-30T12:00:00+01:00"}, headers=headers).json()["results"]
    assert len(answer) == len(batch)
    for mine, theirs in zip(answer, batch):
        assert mine["decision"] is (theirs["decision"] == "permit")
        assert mine["context"]["reason"]["rule"] == theirs["rule"]


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=entries, who=st.sampled_from(["mother", "father", "stranger"]), kind=st.sampled_from(["item", "note", "referral"]))
def test_resource_search_agrees_with_v1_decisions_item_by_item(client, token, exempted, entries, who, kind):
    requester = getattr(exempted, who)
    unique = [dict(e, id=f"{e['id']}-{n}") for n, e in enumerate(entries)]
    candidates = [_evaluation(exempted, requester, e)["resource"] for e in unique]
    for candidate in candidates:
        del candidate["properties"]["child"]
    body = {"subject": {"type": "person", "id": requester}, "action": {"name": "can_read"},
            "resource": {"type": kind, "properties": {"child": exempted.child}},
            "context": {"time": "2026-11-30T12:00:00+01:00", "candidates": candidates}}
    found = client.post("/access/v1/search/resource", json=body, headers=token("decisions")).json()
    batch = client.post("/v1/decisions/batch", json={"requester": requester, "child": exempted.child, "items": unique,
                                                    "at": "2026-11-30T12:00:00+01:00"}, headers=token("decisions")).json()["results"]
    expected = [e["id"] for e, r in zip(unique, batch) if r["decision"] == "permit" and kind in ("item", e["kind"])]
    assert [r["id"] for r in found["results"]] == expected
    assert found["page"]["total"] == len(expected)


def test_no_person_number_reaches_a_log_line(client, token, exempted, caplog):
    import logging

    from tests.api.test_fhir import TIMELINE, _filter, _parameters

    with caplog.at_level(logging.DEBUG):
        ok = _evaluation(exempted, exempted.father, item("x", pathway="pw-2"))
        client.post("/access/v1/evaluation", json=ok, headers=token("decisions"))
        client.post("/access/v1/evaluations", json={"evaluations": [ok, {**ok, "subject": {"type": "person", "id": "1" * 11}}]},
                    headers=token("decisions"))
        client.post("/access/v1/evaluation", json={**ok, "resource": {"type": "x"}}, headers=token("decisions"))
        _filter(client, token("decisions"), _parameters(TIMELINE, exempted.father, exempted.child))
        _filter(client, token("decisions"), _parameters(TIMELINE, exempted.father, "12345678901"))
    for person in (exempted.child, exempted.father, exempted.mother, "12345678901", "1" * 11):
        assert person not in caplog.text


def test_the_demo_prints_an_authzen_request_that_answers_as_it_says(settings, store, national_policy):
    import shlex

    from access_policy.service.demo import demo_instructions, load_demo
    from api.app import create_app
    from tests.api.conftest import TestClient

    demo = load_demo(store)
    text = demo_instructions(settings, demo, "127.0.0.1", 8000)
    line = next(line for line in text.splitlines() if "/access/v1/evaluation" in line)
    expected = text.splitlines()[text.splitlines().index(line) - 1].rsplit("expect decision ", 1)[1]
    words = shlex.split(line)
    body = json.loads(words[words.index("-d") + 1])
    headers = {"Authorization": words[words.index("-H") + 1].split(": ", 1)[1]}
    with TestClient(create_app(settings, store=store, policy=national_policy)) as client:
        answer = client.post("/access/v1/evaluation", json=body, headers=headers).json()
    assert json.dumps(answer["decision"]) == expected


@pytest.mark.parametrize("raw", [b"\xff\xfe", b"[" * 5000 + b"]" * 5000, b"{", b"[]", b'"x"'])
def test_bodies_that_are_not_a_json_object_are_400(client, token, raw):
    response = client.post("/access/v1/evaluation", content=raw, headers={**token("decisions"), "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "body"


def test_the_request_id_comes_back_on_every_answer_even_a_401(client, token, family):
    body = _evaluation(family, family.mother, item())
    for headers, status in (({}, 401), (token("facts:read"), 403), (token("decisions"), 200)):
        response = client.post("/access/v1/evaluation", json=body, headers={**headers, "X-Request-ID": "req-42"})
        assert response.status_code == status
        assert response.headers["x-request-id"] == "req-42"
    odd = client.post("/access/v1/evaluation", json=body, headers={**token("decisions"), "X-Request-ID": "x" * 300})
    # An id that is not short and safe is not echoed: the service answers with one of its own.
    assert odd.headers["x-request-id"] != "x" * 300
