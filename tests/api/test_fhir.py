"""FHIR R4: resources mapped to items, and `POST /fhir/Bundle/$filter` agreeing with /v1/decisions item by item."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from access_policy.facts import Author
from access_policy.fhir import SYSTEM_FNR, SYSTEM_ORGANISATION_NUMBER, Unmappable, item_from_resource, parse_resource

from tests.api.conftest import Family

DATA = Path(__file__).parent / "data" / "fhir"
TIMELINE = json.loads((DATA / "timeline.json").read_text(encoding="utf-8"))["bundle"]
RESOURCES = {e["resource"]["id"]: e["resource"] for e in TIMELINE["entry"]}

# id -> (kind, pathway, referral, created date, organisation)
EXPECTED = {
    "doc-1": ("document", "pw-2", "ref-7", "2026-10-01", "974589095"),
    "comp-1": ("document", None, None, "2026-10-02", "974589095"),
    "enc-1": ("appointment", "pw-2", "ref-7", "2026-10-03", "974589095"),
    "apt-1": ("appointment", None, None, "2026-10-04", None),
    "obs-1": ("test_result", None, "lab-order-1", "2026-10-05", None),
    "dr-1": ("test_result", None, None, "2026-10-06", None),
    "mr-1": ("medication", None, None, "2026-10-07", None),
    "ms-1": ("medication", "pw-2", None, "2026-10-08", None),
    "imm-1": ("vaccination", None, None, "2026-10-09", None),
    "ref-7": ("referral", None, "ref-7", "2026-09-01", None),
    "msg-1": ("message", None, "ref-7", "2026-10-10", None),
}


@pytest.mark.parametrize("resource_id", list(EXPECTED))
def test_each_resource_type_maps_to_an_item(resource_id):
    item = item_from_resource(parse_resource(RESOURCES[resource_id]))
    kind, pathway, referral, created, organisation = EXPECTED[resource_id]
    values = (item.pathway.value if item.pathway else None, item.referral.value if item.referral else None)
    assert (item.id, item.kind.value, *values, item.organisation) == (resource_id, kind, pathway, referral, organisation)
    # Ids belong to the resource's source system: its managing organisation's, else `local`.
    assert item.system == (f"{SYSTEM_ORGANISATION_NUMBER}|{organisation}" if organisation else "local")
    assert all(reference.system == item.system for reference in (item.pathway, item.referral) if reference)
    assert item.created is not None and item.created.tzinfo is not None
    assert item.created.date().isoformat() == created


def test_a_resource_that_cannot_be_an_item_is_unmappable():
    with pytest.raises(Unmappable):
        parse_resource(RESOURCES["child"])  # a Patient is not an item
    with pytest.raises(Unmappable):
        parse_resource(RESOURCES["bad"])  # effectiveDateTime "yesterday"
    two_pathways = copy.deepcopy(RESOURCES["enc-1"])
    two_pathways["episodeOfCare"].append({"reference": "EpisodeOfCare/pw-3"})
    with pytest.raises(Unmappable):
        item_from_resource(parse_resource(two_pathways))
    bad_org = copy.deepcopy(RESOURCES["comp-1"])
    bad_org["custodian"]["identifier"]["value"] = "123456789"
    with pytest.raises(Unmappable):
        item_from_resource(parse_resource(bad_org))
    no_id = {k: v for k, v in RESOURCES["imm-1"].items() if k != "id"}
    with pytest.raises(Unmappable):
        item_from_resource(parse_resource(no_id))


def test_references_by_absolute_url_history_and_identifier():
    encounter = copy.deepcopy(RESOURCES["enc-1"])
    encounter["episodeOfCare"] = [{"reference": "https://x.example.no/fhir/EpisodeOfCare/pw-9/_history/3"}]
    encounter["basedOn"] = [{"type": "ServiceRequest", "identifier": {"system": "urn:oid:1.2.3", "value": "ref-id"}}]
    item = item_from_resource(parse_resource(encounter))
    assert (item.pathway.value, item.referral.value) == ("pw-9", "ref-id")


def _parameters(bundle, requester, child, time="2026-11-30T12:00:00+01:00"):
    return {"resourceType": "Parameters", "parameter": [
        {"name": "bundle", "resource": bundle},
        {"name": "requester", "valueIdentifier": {"system": SYSTEM_FNR, "value": requester}},
        {"name": "child", "valueIdentifier": {"system": SYSTEM_FNR, "value": child}},
        {"name": "time", "valueDateTime": time},
    ]}


@pytest.fixture
def exempted(client, clinician, family):
    """The father may not see pathway `pw-2`, in the organisation's system (doc-1, enc-1) and the local one (ms-1)."""
    for pathway in ({"system": f"{SYSTEM_ORGANISATION_NUMBER}|974589095", "value": "pw-2"}, "pw-2"):
        body = {"child": family.child, "scope": {"pathway": pathway}, "applies_to": [family.father], "legal_basis": "pbrl-3-4-3", "reason": "r"}
        assert client.post("/v1/exemptions", json=body, headers=clinician).status_code == 201
    return family


def _filter(client, headers, body):
    return client.post("/fhir/Bundle/$filter", content=json.dumps(body), headers={**headers, "Content-Type": "application/fhir+json"})


def test_the_father_gets_the_bundle_without_the_withheld_pathway_and_no_trace(client, token, exempted):
    response = _filter(client, token("decisions"), _parameters(TIMELINE, exempted.father, exempted.child))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = response.json()
    ids = [e["resource"]["id"] for e in bundle["entry"]]
    assert ids == [i for i in EXPECTED if EXPECTED[i][1] != "pw-2"]
    assert bundle["total"] == len(ids)
    assert "pw-2" not in response.text and "doc-1" not in response.text
    assert {k: v for k, v in bundle.items() if k not in ("entry", "total")} == {
        k: v for k, v in TIMELINE.items() if k not in ("entry", "total")
    }


def test_the_mother_gets_every_item_and_unmappable_entries_are_removed(client, token, exempted):
    bundle = _filter(client, token("decisions"), _parameters(TIMELINE, exempted.mother, exempted.child)).json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == list(EXPECTED)
    assert bundle["total"] == len(EXPECTED)


def test_a_stranger_gets_an_empty_bundle(client, token, exempted):
    bundle = _filter(client, token("decisions"), _parameters(TIMELINE, exempted.stranger, exempted.child)).json()
    assert "entry" not in bundle and bundle["total"] == 0


def test_a_paged_bundle_loses_its_total(client, token, exempted):
    paged = {**TIMELINE, "link": [*TIMELINE["link"], {"relation": "next", "url": "https://journal.example.no/fhir/p2"}]}
    bundle = _filter(client, token("decisions"), _parameters(paged, exempted.father, exempted.child)).json()
    assert "total" not in bundle


def test_a_collection_bundle_is_filtered_too(client, token, exempted):
    collection = {k: v for k, v in TIMELINE.items() if k != "total"} | {"type": "collection"}
    bundle = _filter(client, token("decisions"), _parameters(collection, exempted.father, exempted.child)).json()
    assert bundle["type"] == "collection" and "total" not in bundle
    assert len(bundle["entry"]) == sum(1 for v in EXPECTED.values() if v[1] != "pw-2")


def test_the_filter_is_one_decision_log_entry(client, token, exempted):
    _filter(client, token("decisions"), _parameters(TIMELINE, exempted.father, exempted.child))
    entries = client.post("/v1/audit/search", json={"child": exempted.child}, headers=token("audit:read")).json()["entries"]
    assert entries[-1]["entry"]["items"] == list(EXPECTED)


@pytest.mark.parametrize("mutate", [
    lambda p: p["parameter"].pop(1),  # no requester
    lambda p: p["parameter"][2]["valueIdentifier"].update(system=SYSTEM_ORGANISATION_NUMBER),  # child as organisation
    lambda p: p["parameter"][2]["valueIdentifier"].update(value="12345678901"),
    lambda p: p["parameter"][3].update(valueDateTime="2026-11-30T12:00:00"),  # no time zone
    lambda p: p["parameter"][0]["resource"].update(type="transaction"),
    lambda p: p["parameter"].append({"name": "extra", "valueString": "x"}),
    lambda p: p.update(resourceType="Bundle"),
])
def test_bad_parameters_are_422_problems(client, token, family, mutate):
    body = _parameters(copy.deepcopy(TIMELINE), family.mother, family.child)
    mutate(body)
    response = _filter(client, token("decisions"), body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_no_token_is_401(client, family):
    assert _filter(client, {}, _parameters(TIMELINE, family.mother, family.child)).status_code == 401


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=st.lists(st.sampled_from(list(EXPECTED)), min_size=0, max_size=11, unique=True),
       who=st.sampled_from(["mother", "father", "stranger"]))
def test_the_filter_agrees_with_v1_decisions_item_by_item(client, token, exempted, chosen, who):
    requester = getattr(exempted, who)
    bundle = {**TIMELINE, "entry": [e for e in TIMELINE["entry"] if e["resource"]["id"] in chosen]}
    kept = [e["resource"]["id"] for e in _filter(client, token("decisions"), _parameters(bundle, requester, exempted.child)).json().get("entry", [])]
    items = [item_from_resource(parse_resource(e["resource"])).model_dump(mode="json", exclude_none=True)
             for e in bundle["entry"]]
    if not items:
        assert kept == []
        return
    results = client.post("/v1/decisions/batch", json={"requester": requester, "child": exempted.child, "items": items,
                                                       "at": "2026-11-30T12:00:00+01:00"}, headers=token("decisions")).json()["results"]
    assert kept == [r["item"] for r in results if r["decision"] == "permit"]


# --- Consent --------------------------------------------------------------------------------------

def _search(client, headers, child):
    body = {"resourceType": "Parameters", "parameter": [{"name": "child", "valueIdentifier": {"system": SYSTEM_FNR, "value": child}}]}
    return client.post("/fhir/Consent/_search", json=body, headers=headers)


def test_exemptions_export_as_consents(client, token, clinician, family):
    body = {"scope": {"pathway": "pw-2"}, "applies_to": [family.father], "legal_basis": "pbrl-3-4-3", "reason": "weighty",
            "valid_until": "2027-06-01T00:00:00+02:00"}
    created = client.post("/v1/exemptions", json={"child": family.child} | body, headers=clinician).json()
    everyone = {"scope": {"item": "doc-9"}, "applies_to": "all", "legal_basis": "pbrl-5-1-2", "reason": "danger"}
    client.post("/v1/exemptions", json={"child": family.child} | everyone, headers=clinician)
    response = _search(client, token("facts:read"), family.child)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = response.json()
    assert bundle["type"] == "searchset" and bundle["total"] == 2
    first, second = (e["resource"] for e in bundle["entry"])
    assert first["id"] == created["id"] and first["status"] == "active"
    assert first["patient"]["identifier"] == {"system": SYSTEM_FNR, "value": family.child}
    assert first["provision"]["type"] == "deny"
    assert first["provision"]["actor"][0]["reference"] == {"type": "RelatedPerson", "identifier": {"system": SYSTEM_FNR, "value": family.father}}
    assert first["provision"]["data"] == [{"meaning": "related", "reference": {"reference": "EpisodeOfCare/pw-2"}}]
    assert first["provision"]["period"]["end"].startswith("2027-05-31T22:00:00") or first["provision"]["period"]["end"].startswith("2027-06-01")
    assert first["policyRule"]["coding"][0]["code"] == "pbrl-3-4-3"
    assert first["performer"][0]["identifier"]["value"] == "1234567"
    assert "actor" not in second["provision"]
    assert second["provision"]["data"] == [{"meaning": "instance", "reference": {"identifier": {"value": "doc-9"}}}]
    client.post(f"/v1/exemptions/{created['id']}/revoke", headers=clinician)
    after = _search(client, token("facts:read"), family.child).json()
    assert after["entry"][0]["resource"]["status"] == "inactive"


def test_an_exported_consent_imports_to_the_same_exemption_and_is_honoured(client, token, clinician, family, store, now):
    body = {"scope": {"referral": "ref-7"}, "applies_to": [family.mother], "legal_basis": "pbrl-3-4-3", "reason": "r"}
    original = client.post("/v1/exemptions", json={"child": family.child} | body, headers=clinician).json()
    consent = _search(client, token("facts:read"), family.child).json()["entry"][0]["resource"]
    # Imported into another child's record (as another actor would send it): the same exemption.
    other = Family(now, serial=3)
    store.put_representation(other.child, other.representation, Author(system="test"))
    consent = {**consent, "patient": {"identifier": {"system": SYSTEM_FNR, "value": other.child}}}
    consent["provision"]["actor"][0]["reference"]["identifier"]["value"] = other.mother
    response = client.post("/fhir/Consent", json=consent, headers={**clinician, "Idempotency-Key": "k1"})
    assert response.status_code == 201, response.text
    imported = response.json()
    assert imported["provision"] == consent["provision"] and imported["policyRule"] == consent["policyRule"]
    again = client.post("/fhir/Consent", json=consent, headers={**clinician, "Idempotency-Key": "k1"})
    assert again.status_code == 200 and again.json()["id"] == imported["id"]
    decision = client.post("/v1/decisions", json={"requester": other.mother, "child": other.child,
                                                  "item": {"id": "x", "kind": "note", "referral": "ref-7"},
                                                  "at": "2026-11-30T12:00:00+01:00"}, headers=token("decisions")).json()
    assert (decision["decision"], decision["rule"]) == ("deny", "exemption")
    assert original["id"] != imported["id"]


def _consent(family, **provision):
    return {
        "resourceType": "Consent", "status": "active",
        "extension": [{"url": "urn:access-policy:fhir:extension:reason", "valueString": "r"}],
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"identifier": {"system": SYSTEM_FNR, "value": family.child}},
        "policyRule": {"coding": [{"system": "urn:access-policy:legal-basis", "code": "pbrl-3-4-3"}]},
        "provision": {"type": "deny", "data": [{"meaning": "instance", "reference": {"identifier": {"value": "d"}}}], **provision},
    }


@pytest.mark.parametrize(("change", "field"), [
    (lambda c: c.update(status="proposed"), "status"),
    (lambda c: c["provision"].update(type="permit"), "provision.type"),
    (lambda c: c["provision"].update(purpose=[{"code": "TREAT"}]), "provision.purpose"),
    (lambda c: c["provision"].update(provision=[{"type": "permit"}]), "provision.provision"),
    (lambda c: c["provision"]["data"].append({"meaning": "related", "reference": {"reference": "EpisodeOfCare/x"}}), "provision.data"),
    (lambda c: c["provision"]["data"][0].update(meaning="dependents"), "provision.data"),
    (lambda c: c.update(extension=[]), "extension"),
    (lambda c: c["policyRule"]["coding"][0].update(code="pbrl-3-4-4"), "policyRule"),
    (lambda c: c["patient"]["identifier"].update(value="12345678901"), "patient.identifier.value"),
    (lambda c: c["provision"].update(actor=[{"role": {"text": "x"}, "reference": {"identifier": {"system": "urn:x", "value": "1"}}}]),
     "provision.actor.0.reference.identifier.system"),
])
def test_what_the_engine_cannot_honour_is_refused_not_dropped(client, clinician, family, change, field):
    consent = _consent(family)
    change(consent)
    response = client.post("/fhir/Consent", json=consent, headers=clinician)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert client.post("/v1/exemptions/search", json={"child": family.child}, headers=clinician).json()["records"] == []


def test_consent_endpoints_need_their_scopes(client, token, family):
    assert _search(client, token("decisions"), family.child).status_code == 403
    assert client.post("/fhir/Consent", json=_consent(family), headers=token("facts:write")).status_code == 403  # no hpr/org
    assert client.post("/fhir/Consent", json=_consent(family)).status_code == 401
