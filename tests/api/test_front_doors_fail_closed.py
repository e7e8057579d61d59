"""Fail closed at the AuthZEN and FHIR front doors: facts or the log unavailable = 503, nothing permitted or shown."""

from __future__ import annotations

import pytest

from tests.api.conftest import item
from tests.api.test_authzen import _evaluation
from tests.api.test_fail_closed import FlakyStore
from tests.api.test_fhir import TIMELINE, _filter, _parameters


@pytest.fixture
def flaky(store):
    return FlakyStore(store)


@pytest.fixture
def flaky_client(settings, flaky, national_policy):
    from api.app import create_app
    from tests.api.conftest import TestClient

    with TestClient(create_app(settings, store=flaky, policy=national_policy), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("fault", ["fail_reads", "fail_audit"])
def test_authzen_denies_with_503(flaky_client, flaky, token, family, fault):
    setattr(flaky, fault, True)
    body = _evaluation(family, family.mother, item())  # a permit when the store works
    one = flaky_client.post("/access/v1/evaluation", json=body, headers=token("decisions"))
    assert one.status_code == 503 and one.json()["decision"] is False
    assert one.headers["content-type"] == "application/problem+json"
    many = flaky_client.post("/access/v1/evaluations", json={"evaluations": [body, body]}, headers=token("decisions"))
    assert many.status_code == 503 and [e["decision"] for e in many.json()["evaluations"]] == [False, False]
    search = {"subject": body["subject"], "action": body["action"],
              "resource": {"type": "item", "properties": {"child": family.child}},
              "context": {"candidates": [{"type": "note", "id": "a"}]}}
    found = flaky_client.post("/access/v1/search/resource", json=search, headers=token("decisions"))
    assert found.status_code == 503 and found.json()["results"] == []
    assert "10.0.0.7" not in one.text + many.text + found.text


@pytest.mark.parametrize("fault", ["fail_reads", "fail_audit"])
def test_the_bundle_filter_shows_nothing_with_503(flaky_client, flaky, token, family, fault):
    setattr(flaky, fault, True)
    response = _filter(flaky_client, token("decisions"), _parameters(TIMELINE, family.mother, family.child))
    assert response.status_code == 503
    assert "entry" not in response.json() and "doc-1" not in response.text


def test_consent_search_is_503_when_facts_cannot_be_read(flaky_client, flaky, token, family):
    flaky.fail_reads = True
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "child", "valueIdentifier": {"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": family.child}}]}
    response = flaky_client.post("/fhir/Consent/_search", json=body, headers=token("facts:read"))
    assert response.status_code == 503
    assert "10.0.0.7" not in response.text
