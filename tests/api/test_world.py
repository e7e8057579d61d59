"""The register's full picture over HTTP, decided by the real engine: sharing from 16, care orders, status, ids that change, refusals.

Facts are checked against the child's age when they are recorded (the real clock), so every
child here is born relative to today and every decision is asked at the real time.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from access_policy.facts import Author, Holder, Representation, Responsibility
from access_policy.identity import make_person_id

from tests.api.conftest import ORG, item

UTC = datetime.timezone.utc
CARE_SERVICE = "974589095"  # a valid organisation number, here a child welfare service
MOTHER = make_person_id(datetime.date(1985, 6, 1), 70)
FATHER = make_person_id(datetime.date(1984, 2, 2), 71)
STRANGER = make_person_id(datetime.date(1980, 1, 1), 72)


def _born(years: int, serial: int, **kwargs: Any) -> str:
    """A child who is `years` old today (100 days past the birthday)."""
    return make_person_id(datetime.date.today() - relativedelta(years=years, days=100), serial, **kwargs)


def _now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


def _store_family(store, child: str, *holders: Holder, **representation: Any) -> None:
    holders = holders or (
        Holder(id=MOTHER, responsibility=Responsibility.FELLES),
        Holder(id=FATHER, responsibility=Responsibility.FELLES),
    )
    store.put_representation(
        child,
        Representation(holders=holders, retrieved_at=_now() - datetime.timedelta(hours=1), **representation),
        Author(system="test"),
    )


def _decide(client, token, requester: str, child: str, **item_fields: Any) -> dict:
    body = {"requester": requester, "child": child, "item": item(**item_fields), "at": _now().isoformat()}
    response = client.post("/v1/decisions", json=body, headers=token("decisions"))
    assert response.status_code == 200, response.text
    return response.json()


def _refused(response, field: str) -> None:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:access-policy:problem:fact-refused", problem
    assert [e["field"] for e in problem["errors"]] == [field], problem


# ----------------------------------------------------------------------------- sharing from 16


@pytest.fixture
def teen(store) -> str:
    child = _born(16, 80)
    _store_family(store, child)
    return child


def test_the_adolescent_shares_with_a_parent_and_withdraws_it(client, token, teen):
    adolescent = token("sharing:write", pid=teen)
    assert _decide(client, token, MOTHER, teen)["rule"] == "child-16-17"
    created = client.post("/v1/sharing-grants", json={"child": teen, "grantee": MOTHER, "scope": {"all": True}}, headers=adolescent)
    assert created.status_code == 201, created.text
    grant = created.json()
    assert grant["author"]["person"] == teen and grant["author"].get("hpr") is None
    shown = _decide(client, token, MOTHER, teen)
    assert (shown["decision"], shown["rule"]) == ("permit", "shared-by-adolescent")
    assert _decide(client, token, FATHER, teen)["decision"] == "deny"  # shared with the mother only

    # The portal lists the grants it gave; another person's token may not.
    assert [g["id"] for g in client.post("/v1/sharing-grants/search", json={"child": teen}, headers=adolescent).json()["records"]] == [grant["id"]]
    other = token("sharing:write", pid=MOTHER)
    assert client.post("/v1/sharing-grants/search", json={"child": teen}, headers=other).status_code == 403
    assert client.get(f"/v1/sharing-grants/{grant['id']}", headers=other).status_code == 403
    # Only the adolescent withdraws: not the mother, not a clinician.
    assert client.post(f"/v1/sharing-grants/{grant['id']}/revoke", headers=other).status_code == 403
    assert client.post(f"/v1/sharing-grants/{grant['id']}/revoke", headers=token("facts:write", hpr="1234567", org=ORG)).status_code == 403
    withdrawn = client.post(f"/v1/sharing-grants/{grant['id']}/revoke", json={"reason": "changed my mind"}, headers=adolescent)
    assert withdrawn.status_code == 200 and withdrawn.json()["revoked_by"]["person"] == teen
    assert _decide(client, token, MOTHER, teen)["rule"] == "child-16-17"


def test_sharing_needs_the_adolescent_s_own_token(client, token, teen):
    body = {"child": teen, "grantee": MOTHER, "scope": {"all": True}}
    assert client.post("/v1/sharing-grants", json=body, headers=token("sharing:write")).status_code == 403  # no pid
    assert client.post("/v1/sharing-grants", json=body, headers=token("sharing:write", pid=MOTHER)).status_code == 403
    assert client.post("/v1/sharing-grants", json=body, headers=token("facts:write", hpr="1234567", org=ORG)).status_code == 403
    # A `pid` that is no national id at all is a malformed token: 401, like any other bad claim.
    assert client.post("/v1/sharing-grants", json=body, headers=token("sharing:write", pid="12345")).status_code == 401


def test_sharing_is_refused_outside_16_17_and_with_anyone_but_a_holder(client, token, store, teen):
    adolescent = token("sharing:write", pid=teen)
    _refused(client.post("/v1/sharing-grants", json={"child": teen, "grantee": STRANGER, "scope": {"all": True}}, headers=adolescent), "grantee")
    _refused(client.post("/v1/sharing-grants", json={"child": teen, "grantee": teen, "scope": {"all": True}}, headers=adolescent), "grantee")
    ended = _born(16, 81)
    _store_family(store, ended, Holder(id=MOTHER, responsibility=Responsibility.MOR, valid_until=_now() - datetime.timedelta(days=1)))
    body = {"child": ended, "grantee": MOTHER, "scope": {"all": True}}
    _refused(client.post("/v1/sharing-grants", json=body, headers=token("sharing:write", pid=ended)), "grantee")
    for years, serial in ((15, 82), (18, 83)):
        child = _born(years, serial)
        _store_family(store, child)
        body = {"child": child, "grantee": MOTHER, "scope": {"all": True}}
        _refused(client.post("/v1/sharing-grants", json=body, headers=token("sharing:write", pid=child)), "child")


# ----------------------------------------------------------------------------- care orders


def test_a_care_order_suspends_the_parents_and_lets_the_service_see(client, token, clinician, store):
    child = _born(8, 84)
    _store_family(store, child)
    assert _decide(client, token, MOTHER, child)["decision"] == "permit"
    body = {"child": child, "organisation": CARE_SERVICE, "valid_from": (_now() - datetime.timedelta(days=1)).isoformat()}
    created = client.post("/v1/care-orders", json=body, headers=clinician)
    assert created.status_code == 201, created.text
    assert _decide(client, token, MOTHER, child)["rule"] == "care-order"
    service = _decide(client, token, CARE_SERVICE, child)
    assert service["decision"] == "permit", service
    assert client.post(f"/v1/care-orders/{created.json()['id']}/revoke", headers=clinician).status_code == 200
    assert _decide(client, token, MOTHER, child)["decision"] == "permit"


def test_a_care_order_needs_a_start_and_a_child_under_18(client, clinician, store):
    adult = _born(18, 85)
    _store_family(store, adult)
    _refused(client.post("/v1/care-orders", json={"child": adult, "organisation": CARE_SERVICE, "valid_from": _now().isoformat()}, headers=clinician), "child")
    child = _born(8, 86)
    _store_family(store, child)
    assert client.post("/v1/care-orders", json={"child": child, "organisation": CARE_SERVICE}, headers=clinician).status_code == 422


# ----------------------------------------------------------------------------- refusals (a fact that cannot mean anything)


def _exemption(child: str, **fields: Any) -> dict:
    return {"child": child, "scope": {"pathway": "pw-1"}, "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": "r"} | fields


def test_facts_that_cannot_apply_at_the_child_s_age_are_refused_with_the_field(client, clinician, store):
    six, thirteen, sixteen, adult = _born(6, 87), _born(13, 88), _born(16, 89), _born(18, 90)
    for child in (six, thirteen, sixteen, adult):
        _store_family(store, child)
    post = lambda kind, body: client.post(f"/v1/{kind}", json=body, headers=clinician)  # noqa: E731
    _refused(post("exemptions", _exemption(six, legal_basis="pbrl-3-4-2")), "legal_basis")  # the wish: 12–15 only
    _refused(post("exemptions", _exemption(sixteen, legal_basis="pbrl-3-4-3")), "legal_basis")  # weighty concerns: under 16
    _refused(post("exemptions", _exemption(adult, legal_basis="pbrl-5-1-2")), "legal_basis")  # no representative from 18
    assert post("exemptions", _exemption(sixteen, legal_basis="pbrl-5-1-2")).status_code == 201
    assert post("exemptions", _exemption(thirteen, legal_basis="pbrl-3-4-2")).status_code == 201
    # Withholding from the patient: only pbrl-5-1-2, never in one record with representatives, and from 12.
    _refused(post("exemptions", _exemption(thirteen, applies_to=[thirteen])), "legal_basis")
    _refused(post("exemptions", _exemption(thirteen, applies_to=[thirteen, MOTHER], legal_basis="pbrl-5-1-2")), "applies_to")
    _refused(post("exemptions", _exemption(six, applies_to=[six], legal_basis="pbrl-5-1-2")), "applies_to")
    assert post("exemptions", _exemption(thirteen, applies_to=[thirteen], legal_basis="pbrl-5-1-2")).status_code == 201
    # A period already over.
    _refused(post("exemptions", _exemption(thirteen, valid_until=(_now() - datetime.timedelta(minutes=1)).isoformat())), "valid_until")
    # Grey zone 12–15; differentiated access under 16; necessary information under 18.
    assessment = {"scope": {"pathway": "pw-2"}, "parents_informed": False}
    _refused(post("assessments", {"child": six} | assessment), "child")
    _refused(post("assessments", {"child": sixteen} | assessment), "child")
    _refused(post("access-profiles", {"child": sixteen, "representative": MOTHER, "kinds": ["appointment"]}), "child")
    _refused(post("access-profiles", {"child": six, "representative": six, "kinds": ["appointment"]}), "representative")
    necessary = {"scope": {"item": "doc-1"}, "applies_to": "all", "reason": "r"}
    _refused(post("necessary-information", {"child": adult} | necessary), "child")
    _refused(post("necessary-information", {"child": thirteen} | necessary | {"applies_to": [thirteen]}), "applies_to")
    assert post("necessary-information", {"child": sixteen} | necessary).status_code == 201


def test_a_child_without_a_known_birth_date_gets_no_age_bound_fact(client, clinician):
    from tests.store.helpers import fh_number

    _refused(client.post("/v1/exemptions", json=_exemption(fh_number()), headers=clinician), "child")


def test_withholding_from_the_adolescent_is_honoured_and_the_parents_keep_access(client, token, clinician, store):
    child = _born(16, 91)
    _store_family(store, child)
    assert _decide(client, token, child, child, pathway="pw-1")["rule"] == "own-record-16"
    body = _exemption(child, applies_to=[child], legal_basis="pbrl-5-1-2")
    assert client.post("/v1/exemptions", json=body, headers=clinician).status_code == 201
    assert _decide(client, token, child, child, pathway="pw-1")["rule"] == "withheld-from-patient"
    assert _decide(client, token, child, child, pathway="pw-9")["decision"] == "permit"


# ----------------------------------------------------------------------------- revocation with a body


def test_revoking_an_assessment_may_release_what_was_confided(client, clinician, store):
    child = _born(13, 92)
    _store_family(store, child)
    body = {"child": child, "scope": {"pathway": "pw-2"}, "parents_informed": False}
    first = client.post("/v1/assessments", json=body, headers=clinician).json()
    second = client.post("/v1/assessments", json=body, headers=clinician).json()
    released = client.post(f"/v1/assessments/{first['id']}/revoke", json={"release_confided": True}, headers=clinician)
    assert released.status_code == 200 and released.json()["release_confided"] is True
    kept = client.request("DELETE", f"/v1/assessments/{second['id']}", json={"reason": "the wish ended"}, headers=clinician)
    assert kept.status_code == 200 and kept.json()["release_confided"] is False
    stored = {r["id"]: r["release_confided"] for r in client.post("/v1/assessments/search", json={"child": child}, headers=clinician).json()["records"]}
    assert stored == {first["id"]: True, second["id"]: False}


def test_a_revocation_body_is_checked(client, clinician, store):
    child = _born(13, 93)
    _store_family(store, child)
    exemption = client.post("/v1/exemptions", json=_exemption(child), headers=clinician).json()
    _refused(client.post(f"/v1/exemptions/{exemption['id']}/revoke", json={"release_confided": True}, headers=clinician), "release_confided")
    assert client.post(f"/v1/exemptions/{exemption['id']}/revoke", json={"reason": "x" * 1001}, headers=clinician).status_code == 422
    assert client.post(f"/v1/exemptions/{exemption['id']}/revoke", json={"why": "x"}, headers=clinician).status_code == 422
    # A record is revoked through its own kind only; an unknown id says nothing about any child.
    assert client.post(f"/v1/assessments/{exemption['id']}/revoke", headers=clinician).status_code == 404
    assert client.post(f"/v1/exemptions/{exemption['id']}/revoke", headers=clinician).json()["revoked_at"]


# ----------------------------------------------------------------------------- the register's picture through PUT


def _put(client, token, child: str, **fields: Any):
    body = {"child": child, "retrieved_at": (_now() - datetime.timedelta(minutes=5)).isoformat()} | fields
    return client.put("/v1/representation", json=body, headers=token("representation:write"))


def test_register_status_death_and_holder_records_reach_the_engine(client, token):
    child = _born(8, 94)
    holders = [{"id": MOTHER, "responsibility": "felles"}, {"id": FATHER, "responsibility": "felles"}]
    assert _put(client, token, child, holders=holders).status_code == 200
    assert _decide(client, token, MOTHER, child)["decision"] == "permit"
    died = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    stored = _put(client, token, child, holders=holders, status="doed", death_date=died)
    assert stored.status_code == 200 and stored.json()["representation"]["status"] == "doed"
    assert _decide(client, token, MOTHER, child)["rule"] == "child-deceased"
    other = _born(8, 95)
    ended = (_now() - datetime.timedelta(days=1)).isoformat()
    holders = [
        {"id": MOTHER, "responsibility": "felles", "address_protection": "fortrolig"},
        {"id": FATHER, "responsibility": "felles", "valid_until": ended},
    ]
    assert _put(client, token, other, holders=holders).status_code == 200
    assert _decide(client, token, MOTHER, other)["rule"] == "requester-address-protection"
    assert _decide(client, token, FATHER, other)["rule"] == "no-parental-responsibility"
    assert _put(client, token, other, status="sovende").json()["errors"][0]["field"] == "status"
    assert _put(client, token, other, death_date=died).json()["errors"][0]["field"] == "death_date"  # needs status doed
    assert _put(client, token, other, former_ids=[other]).json()["errors"][0]["field"] == "former_ids"


def test_facts_recorded_under_a_former_id_follow_the_child_to_the_new_one(client, token, clinician):
    birth = datetime.date.today() - relativedelta(years=9, days=100)
    d_number, new_id = make_person_id(birth, 96, d_number=True), make_person_id(birth, 96)
    holders = [{"id": MOTHER, "responsibility": "felles"}, {"id": FATHER, "responsibility": "felles"}]
    assert _put(client, token, d_number, holders=holders).status_code == 200
    exemption = client.post("/v1/exemptions", json=_exemption(d_number, applies_to=[FATHER]), headers=clinician).json()
    assert _put(client, token, new_id, holders=holders, former_ids=[d_number]).status_code == 200
    for asked in (new_id, d_number):
        found = client.post("/v1/exemptions/search", json={"child": asked}, headers=clinician).json()
        assert found["child"] == new_id and [r["id"] for r in found["records"]] == [exemption["id"]]
    assert _decide(client, token, FATHER, new_id, pathway="pw-1")["rule"] == "exemption"
    assert _decide(client, token, MOTHER, new_id, pathway="pw-1")["decision"] == "permit"
    history = client.post("/v1/representation/search", json={"child": d_number}, headers=token("facts:read")).json()
    assert history["child"] == new_id and len(history["snapshots"]) == 2
    # A fact written under the former id now is recorded under the current one.
    later = client.post("/v1/exemptions", json=_exemption(d_number, scope={"item": "doc-3"}), headers=clinician)
    assert later.status_code == 201
    feed = client.get("/v1/changes", headers=token("facts:read")).json()["changes"]
    assert [c["child"] for c in feed if c["id"] == later.json()["id"]] == [new_id]
    # The decision log, read by either id, has the decisions asked under both.
    _decide(client, token, MOTHER, d_number)
    auditor = token("audit:read")
    for asked in (new_id, d_number):
        entries = client.post("/v1/audit/search", json={"child": asked}, headers=auditor).json()["entries"]
        assert {e["child"] for e in entries} == {new_id, d_number}
        assert [e["position"] for e in entries] == sorted(e["position"] for e in entries)
        first = client.post("/v1/audit/search", json={"child": asked, "limit": 1}, headers=auditor).json()
        rest = client.post("/v1/audit/search", json={"child": asked, "after": first["next"]}, headers=auditor).json()
        assert first["entries"] + rest["entries"] == entries


def test_an_exemption_under_a_parent_s_former_id_holds_under_the_new_one(client, token, clinician):
    child = _born(9, 97)
    father_before = make_person_id(datetime.date(1984, 2, 2), 71, d_number=True)
    assert _put(client, token, child, holders=[{"id": father_before, "responsibility": "far"}]).status_code == 200
    client.post("/v1/exemptions", json=_exemption(child, applies_to=[father_before]), headers=clinician)
    holders = [{"id": FATHER, "responsibility": "far", "former_ids": [father_before]}]
    assert _put(client, token, child, holders=holders).status_code == 200
    assert _decide(client, token, FATHER, child, pathway="pw-1")["rule"] == "exemption"
    assert _decide(client, token, FATHER, child, pathway="pw-2")["decision"] == "permit"
