"""POST /v1/decisions/filter: the timeline filter over HTTP — auth, 422s, the decision log, fail closed."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access_policy.decisions import decide_many
from access_policy.facts import AccessProfileDraft, Author, ExemptionDraft, FactKind, Item
from access_policy.filter import compile_filter
from tests.api.conftest import HPR, ORG, Family
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


# ----------------------------------------------------------------------------- the contract: item by item as /v1/decisions/batch


def _matches(node: dict, item: dict) -> bool:
    """The JSON condition as a journal system would read it from docs/filter.md (independent of the engine's classes)."""
    if "all" in node:
        return all(_matches(part, item) for part in node["all"])
    if "any" in node:
        return any(_matches(part, item) for part in node["any"])
    field = node["field"]
    if field == "created":
        created = item.get("created")
        if created is None:
            return node["or_unknown"]
        at = datetime.datetime.fromisoformat(created)
        return any((w["from"] is None or datetime.datetime.fromisoformat(w["from"]) <= at)
                   and (w["until"] is None or at < datetime.datetime.fromisoformat(w["until"])) for w in node["in_windows"])
    if field == "kind":
        value = item["kind"]
        listed = node.get("in", node.get("not_in"))
        return (value in listed) == ("in" in node)
    system = item.get("system", "local")
    if field == "id":
        key = {"system": system, "value": item["id"]}
    else:
        ref = item.get(field)
        key = None if ref is None else ({"system": system, "value": ref} if isinstance(ref, str) else ref)
    listed = node.get("in", node.get("not_in"))
    return (key in listed) == ("in" in node)


_serial = iter(range(100, 10_000))
_scopes = st.sampled_from([{"item": "d1"}, {"pathway": "pw-1"}, {"referral": "ref-1"}, {"pathway": "pw-1", "kinds": ["note"]},
                           {"pathway": {"system": "974589028", "value": "pw-1"}}])
_items = st.fixed_dictionaries(
    {"id": st.sampled_from(["d1", "d2"]), "kind": st.sampled_from(["note", "appointment", "vaccination"])},
    optional={"pathway": st.sampled_from(["pw-1", "pw-2", {"system": "974589028", "value": "pw-1"}]),
              "referral": st.sampled_from(["ref-1", "ref-2"]), "system": st.just("974589028"),
              "created": st.sampled_from(["2026-11-01T10:00:00+01:00", "2026-11-29T10:00:00+01:00"])},
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scopes=st.lists(_scopes, max_size=3), profile=st.none() | st.lists(st.sampled_from(["note", "appointment"]), max_size=2),
       drawn=st.lists(_items, min_size=1, max_size=8), who=st.sampled_from(["mother", "father", "stranger"]))
def test_the_filter_over_http_agrees_with_the_batch_item_by_item(client, token, store, now, scopes, profile, drawn, who):
    family = Family(now, serial=next(_serial))
    store.put_representation(family.child, family.representation, Author(system="test"))
    for scope in scopes:
        _exempt(store, family, now, scope)
    if profile is not None:
        draft = AccessProfileDraft(representative=family.mother, kinds=tuple(profile))
        store.create_fact(family.child, FactKind.ACCESS_PROFILES, draft, Author(hpr=HPR, org=ORG), now=now - datetime.timedelta(minutes=5))
    requester = getattr(family, who)
    headers = token("decisions")
    shown = client.post(URL, json={"requester": requester, "child": family.child, "at": now.isoformat()}, headers=headers).json()
    batch = client.post("/v1/decisions/batch", json={"requester": requester, "child": family.child, "items": drawn,
                                                     "at": now.isoformat()}, headers=headers).json()["results"]
    mode = shown["filter"]["mode"]
    for entry, result in zip(drawn, batch, strict=True):
        expected = result["decision"] == "permit"
        got = mode == "all" or (mode == "conditions" and _matches(shown["filter"]["show"], entry))
        assert got == expected, (entry, result, shown)
