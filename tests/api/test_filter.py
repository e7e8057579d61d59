"""POST /v1/decisions/filter: the timeline filter over HTTP — auth, 422s, the decision log, fail closed."""

from __future__ import annotations

import datetime

import pytest

from access_policy.decisions import decide_many
from access_policy.facts import Author, ExemptionDraft, FactKind, Item
from access_policy.filter import compile_filter
from tests.api.conftest import HPR, ORG
from tests.api.test_fail_closed import FlakyStore  # noqa: F401 - fixtures below use it
from tests.api.test_fail_closed import flaky, flaky_client  # noqa: F401 - pytest fixtures

URL = "/v1/decisions/filter"


def _exempt(store, family, now, scope) -> str:
    draft = ExemptionDraft(scope=scope, applies_to="all", legal_basis="pbrl-3-4-3", reason="weighty concerns")
    fact, _ = store.create_fact(family.child, FactKind.EXEMPTIONS, draft, Author(hpr=HPR, org=ORG), now=now - datetime.timedelta(minutes=5))
    return fact.id


def _ask(client, token, family, now, requester=None, **extra):
    body = {"requester": requester or family.mother, "child": family.child, "at": now.isoformat(), **extra}
    return client.post(URL, json=body, headers=token("decisions"))


def test_a_holder_gets_the_condition_and_the_horizon_with_no_reasons(client, token, family, now, store, national_policy):
    fact_id = _exempt(store, family, now, {"item": "doc-7"})
    response = _ask(client, token, family, now)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["filter"] == {"mode": "conditions", "show": {"field": "id", "not_in": [{"system": "local", "value": "doc-7"}]}}
    expected = compile_filter(national_policy, store.child_facts(family.child), family.mother, now)
    assert datetime.datetime.fromisoformat(body["valid_until"]) == expected.valid_until
    assert body["valid_until"].endswith("+00:00")
    assert body["policy_version"] == national_policy.version and body["decision_id"]
    text = response.text
    # Nothing beyond the per-item effects: no rule, reason, fact id or legal basis.
    for hidden in (fact_id, "exemption", "pbrl", "reason", "rule"):
        assert hidden not in text


def test_the_http_filter_agrees_with_the_per_item_decisions(client, token, family, now, store, national_policy):
    _exempt(store, family, now, {"pathway": "pw-1", "kinds": ["note"]})
    body = _ask(client, token, family, now).json()
    assert body["filter"]["mode"] == "conditions"
    facts = store.child_facts(family.child)
    compiled = compile_filter(national_policy, facts, family.mother, now)
    assert body["filter"] == compiled.as_dict()
    items = [Item(id=f"d{n}", kind=kind, pathway=pathway) for n, (kind, pathway) in
             enumerate([("note", "pw-1"), ("note", None), ("appointment", "pw-1"), ("note", "pw-2")])]
    decided = [d.permitted for d in decide_many(national_policy, facts, family.mother, items, now)]
    assert [compiled.matches(i) for i in items] == decided == [False, True, True, True]


def test_a_stranger_gets_none_without_a_horizon(client, token, family, now, store):
    _exempt(store, family, now, {"item": "doc-7"})
    body = _ask(client, token, family, now, requester=family.stranger).json()
    assert body["filter"] == {"mode": "none"} and body["valid_until"] is None


def test_the_forms_are_returned_when_asked(client, token, family, now, store):
    _exempt(store, family, now, {"item": "doc-7"})
    body = _ask(client, token, family, now, forms=["sql", "fhir"]).json()
    assert body["forms"]["sql"]["where"] == "NOT COALESCE(((system = %s AND id = %s)), FALSE)"
    assert body["forms"]["sql"]["params"] == ["local", "doc-7"]
    assert body["forms"]["fhir"] == {"expressible": True, "params": [["identifier:not", "local|doc-7"]]}
    assert "forms" not in _ask(client, token, family, now).json()


def test_every_filter_is_recorded_in_the_decision_log(client, token, family, now, store):
    body = _ask(client, token, family, now).json()
    entries = [e for e in store.read_audit(child=family.child) if e.entry["decision_id"] == body["decision_id"]]
    assert len(entries) == 1
    entry = entries[0].entry
    assert entry["requester"] == family.mother and entry["items"] == [] and entry["available"] is True
    assert entry["filter"] == {"mode": "all", "valid_until": body["valid_until"]}


def test_without_a_token_or_the_scope_it_is_refused(client, token, family, now):
    body = {"requester": family.mother, "child": family.child}
    assert client.post(URL, json=body).status_code == 401
    assert client.post(URL, json=body, headers=token("facts:read")).status_code == 403


@pytest.mark.parametrize(("change", "field"), [
    ({"child": "01010112345"}, "child"),
    ({"requester": "123"}, "requester"),
    ({"at": "2026-11-30T12:00:00"}, "at"),
    ({"forms": ["xml"]}, "forms"),
    ({"items": []}, "items"),
])
def test_bad_input_is_a_422_naming_the_field(client, token, family, now, change, field):
    body = {"requester": family.mother, "child": family.child, "at": now.isoformat()} | change
    response = client.post(URL, json=body, headers=token("decisions"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


@pytest.mark.parametrize("failure", ["fail_reads", "fail_audit"])
def test_a_filter_that_cannot_be_read_or_logged_is_a_503_none(flaky_client, flaky, token, family, now, failure):  # noqa: F811
    setattr(flaky, failure, True)
    response = flaky_client.post(URL, json={"requester": family.mother, "child": family.child, "at": now.isoformat()},
                                 headers=token("decisions"))
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["filter"] == {"mode": "none"} and body["valid_until"] is None
    expected = "store-unavailable" if failure == "fail_reads" else "decision-log-unavailable"
    assert body["type"].endswith(expected) and body["status"] == 503
    assert "disk full" not in response.text and "10.0.0.7" not in response.text


def test_inconsistent_facts_give_a_logged_none(flaky_client, flaky, token, family, now, store):  # noqa: F811
    flaky.inconsistent = True
    response = flaky_client.post(URL, json={"requester": family.mother, "child": family.child, "at": now.isoformat()},
                                 headers=token("decisions"))
    assert response.status_code == 200 and response.json()["filter"] == {"mode": "none"}
    entry = [e.entry for e in store.read_audit(child=family.child)][-1]
    assert entry["filter"]["rule"] == "inconsistent-facts"
