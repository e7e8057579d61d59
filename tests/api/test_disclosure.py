"""Decisions tell only what the requester may know; no response is cached; logs name request ids."""

from __future__ import annotations

import logging

import pytest

from access_policy.facts import AddressProtection, Author, Representation
from tests.api.conftest import item
from tests.api.test_fail_closed import FlakyStore  # noqa: F401 - fixtures below reuse it
from tests.api.test_fail_closed import flaky, flaky_client  # noqa: F401

EXEMPTION = {"scope": {"pathway": "pw-1"}, "applies_to": "all", "legal_basis": "pbrl-5-1-2", "reason": "danger to the child"}


def _decide(client, headers, family, requester, now, **item_fields):
    body = {"requester": requester, "child": family.child, "item": item(**item_fields), "at": now.isoformat()}
    single = client.post("/v1/decisions", json=body, headers=headers)
    batch = client.post(
        "/v1/decisions/batch",
        json={"requester": requester, "child": family.child, "items": [item(**item_fields)], "at": now.isoformat()},
        headers=headers,
    )
    assert single.status_code == 200 and batch.status_code == 200, (single.text, batch.text)
    return single.json(), batch.json()["results"][0]


def test_an_exemption_is_not_named_to_a_default_caller(client, token, clinician, family, now):
    created = client.post("/v1/exemptions", json={"child": family.child} | EXEMPTION, headers=clinician)
    assert created.status_code == 201, created.text
    fact_id = created.json()["id"]
    for answer in _decide(client, token("decisions"), family, family.mother, now, pathway="pw-1"):
        assert answer["decision"] == "deny"
        assert fact_id not in str(answer)
        assert "pbrl-5-1-2" not in answer["legal_basis"]  # the exemption's own basis tells why
        assert all(set(reason) == {"code"} for reason in answer["reasons"])
    for answer in _decide(client, token("decisions", "decisions:explain"), family, family.mother, now, pathway="pw-1"):
        assert {"code": "exemption", "fact": fact_id, "detail": "pbrl-5-1-2"} in answer["reasons"]
        assert "pbrl-5-1-2" in answer["legal_basis"]


def test_a_stranger_learns_nothing_about_address_protection_or_holders(client, token, store, family, now):
    protected = Representation(
        holders=family.representation.holders, address_protection=AddressProtection.STRENGT_FORTROLIG, retrieved_at=now
    )
    store.put_representation(family.child, protected, Author(system="test"))
    for requester in (family.stranger, family.mother):
        for answer in _decide(client, token("decisions"), family, requester, now):
            assert answer["decision"] == "deny"
            text = str(answer)
            assert "strengtFortrolig" not in text and "fortrolig" not in text.lower().replace("address-protection", "")
            assert "felles" not in text and family.mother not in text and family.father not in text
            assert all(set(reason) == {"code"} for reason in answer["reasons"])
    explained, _ = _decide(client, token("decisions", "decisions:explain"), family, family.mother, now)
    assert {"code": "address-protection", "detail": "strengtFortrolig"} in explained["reasons"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/v1/decisions"),
        ("post", "/v1/exemptions/search"),
        ("get", "/v1/exemptions/ex-1"),
        ("post", "/v1/representation/search"),
        ("get", "/v1/changes"),
        ("get", "/v1/audit"),
        ("get", "/v1/children/123/exemptions"),  # removed: 404 (no person number: the capture would refuse it)
        ("get", "/v1/nowhere"),
    ],
)
def test_every_response_says_no_store(client, token, family, now, method, path):
    headers = token("decisions", "facts:read", "audit:read")
    if path == "/v1/decisions":
        kwargs = {"json": {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}}
    else:
        kwargs = {"json": {"child": family.child}} if method == "post" else {}
    for with_token in (headers, {}):
        response = getattr(client, method)(path.format(child=family.child), headers=with_token, **kwargs)
        assert response.headers["cache-control"] == "no-store", (path, response.status_code)
        assert len(response.headers["x-request-id"]) == 32


def test_a_413_says_no_store_too(client, token, settings):
    response = client.post(
        "/v1/decisions/batch",
        content=b"x" * (settings.max_body_bytes + 1),
        headers=token("decisions") | {"content-type": "application/json"},
    )
    assert response.status_code == 413 and response.headers["cache-control"] == "no-store"


def test_an_unexpected_error_logs_the_request_id_not_the_path(flaky_client, flaky, clinician, family, caplog):  # noqa: F811
    flaky.crash = True
    with caplog.at_level(logging.DEBUG):
        response = flaky_client.post("/v1/exemptions/search", json={"child": family.child}, headers=clinician)
    assert response.status_code == 500
    rid = response.headers["x-request-id"]
    assert response.headers["cache-control"] == "no-store"
    ours = [record for record in caplog.records if not record.name.startswith("httpx")]  # the test's own client
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in ours)
    assert rid in logged and "/v1/exemptions/search" in logged
    assert family.child not in logged
