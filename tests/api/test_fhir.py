"""FHIR R4: resources mapped to items, and `POST /fhir/Bundle/$filter` agreeing with /v1/decisions item by item."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from access_policy.fhir import SYSTEM_FNR, SYSTEM_ORGANISATION_NUMBER, Unmappable, item_from_resource, parse_resource

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
    assert (item.id, item.kind.value, item.pathway, item.referral, item.organisation) == (
        resource_id, kind, pathway, referral, organisation
    )
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
    assert (item.pathway, item.referral) == ("pw-9", "ref-id")


def _parameters(bundle, requester, child, time="2026-11-30T12:00:00+01:00"):
    return {"resourceType": "Parameters", "parameter": [
        {"name": "bundle", "resource": bundle},
        {"name": "requester", "valueIdentifier": {"system": SYSTEM_FNR, "value": requester}},
        {"name": "child", "valueIdentifier": {"system": SYSTEM_FNR, "value": child}},
        {"name": "time", "valueDateTime": time},
    ]}


@pytest.fixture
def exempted(client, clinician, family):
    """The father may not see pathway `pw-2`."""
    body = {"scope": {"pathway": "pw-2"}, "applies_to": [family.father], "legal_basis": "pbrl-3-4-3", "reason": "r"}
    assert client.post(f"/v1/children/{family.child}/exemptions", json=body, headers=clinician).status_code == 201
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
    entries = client.get(f"/v1/audit?child={exempted.child}", headers=token("audit:read")).json()["entries"]
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
