"""Fail closed: an unreadable store or an unwritable decision log gives 503 with deny for every item."""

from __future__ import annotations

import pytest

from access_policy.errors import InconsistentFactsError, StoreUnavailableError
from api.app import create_app
from tests.api.conftest import TestClient, item


class FlakyStore:
    """The real store, with switches that make reads, the decision log or everything fail."""

    def __init__(self, store):
        self._store = store
        self.fail_reads = False
        self.fail_audit = False
        self.crash = False
        self.inconsistent = False

    def __getattr__(self, name):
        return getattr(self._store, name)

    def child_facts(self, child, **kwargs):
        if self.inconsistent:
            raise InconsistentFactsError("assessment `as-1` no longer fits the corrected birth date")
        if self.fail_reads:
            raise StoreUnavailableError("connection refused by 10.0.0.7:5432 (user=secret)")
        return self._store.child_facts(child, **kwargs)

    def child_version(self, child):
        # The fact cache asks for the version before every use of cached facts.
        if self.fail_reads:
            raise StoreUnavailableError("connection refused by 10.0.0.7:5432 (user=secret)")
        if self.inconsistent:
            return "changed"  # the stored facts changed (and now contradict each other)
        return self._store.child_version(child)

    def change_mark(self):
        # The fact cache reads the store's change mark before the child's version: an outage
        # fails it too, and a change of the stored facts moves it.
        if self.fail_reads:
            raise StoreUnavailableError("connection refused by 10.0.0.7:5432 (user=secret)")
        if self.inconsistent:
            return "changed"
        return self._store.change_mark()

    def append_audit(self, *args, **kwargs):
        if self.fail_audit or self.fail_reads:
            raise StoreUnavailableError("disk full")
        return self._store.append_audit(*args, **kwargs)

    async def append_audit_async(self, *args, **kwargs):
        if self.fail_audit or self.fail_reads:
            raise StoreUnavailableError("disk full")
        return await self._store.append_audit_async(*args, **kwargs)

    def ping(self):
        if self.fail_reads:
            raise StoreUnavailableError("connection refused")
        return self._store.ping()

    def list_facts(self, *args, **kwargs):
        if self.fail_reads:
            raise StoreUnavailableError("connection refused")
        if self.crash:
            raise RuntimeError("secret internals: /srv/keys")
        return self._store.list_facts(*args, **kwargs)


@pytest.fixture
def flaky(store):
    return FlakyStore(store)


@pytest.fixture
def flaky_client(settings, flaky, national_policy):
    with TestClient(create_app(settings, store=flaky, policy=national_policy), raise_server_exceptions=False) as client:
        yield client


def _single(family, now):
    return {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}


def _batch(family, now, count=5):
    return {"requester": family.mother, "child": family.child, "items": [item(f"d{n}") for n in range(count)], "at": now.isoformat()}


@pytest.mark.parametrize("failure", ["fail_reads", "fail_audit"])
def test_a_decision_that_cannot_be_read_or_logged_is_a_503_deny(flaky_client, flaky, token, family, now, failure):
    assert flaky_client.post("/v1/decisions", json=_single(family, now), headers=token("decisions")).json()["decision"] == "permit"
    setattr(flaky, failure, True)
    response = flaky_client.post("/v1/decisions", json=_single(family, now), headers=token("decisions"))
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["decision"] == "deny"
    assert body["status"] == 503 and body["type"].startswith("urn:access-policy:problem:")
    expected = "store-unavailable" if failure == "fail_reads" else "decision-log-unavailable"
    assert body["rule"] == expected and body["reasons"] == [{"code": expected}]
    assert "10.0.0.7" not in response.text and "secret" not in response.text

    batch = flaky_client.post("/v1/decisions/batch", json=_batch(family, now), headers=token("decisions"))
    assert batch.status_code == 503
    results = batch.json()["results"]
    assert [r["item"] for r in results] == [f"d{n}" for n in range(5)]
    assert {r["decision"] for r in results} == {"deny"}

    setattr(flaky, failure, False)
    assert flaky_client.post("/v1/decisions", json=_single(family, now), headers=token("decisions")).json()["decision"] == "permit"


def test_a_decision_that_could_not_be_logged_is_not_in_the_log(flaky_client, flaky, token, family, now):
    flaky.fail_audit = True
    denied = flaky_client.post("/v1/decisions", json=_single(family, now), headers=token("decisions")).json()
    flaky.fail_audit = False
    entries = flaky_client.post("/v1/audit/search", json={"child": family.child}, headers=token("audit:read")).json()["entries"]
    assert denied["decision_id"] not in [e["decision_id"] for e in entries]


def test_readyz_fails_while_the_store_is_down_and_recovers_by_itself(flaky_client, flaky):
    assert flaky_client.get("/readyz").status_code == 200
    flaky.fail_reads = True
    down = flaky_client.get("/readyz")
    assert down.status_code == 503 and down.headers["content-type"] == "application/problem+json"
    assert flaky_client.get("/healthz").status_code == 200  # liveness says nothing about the store
    flaky.fail_reads = False
    assert flaky_client.get("/readyz").status_code == 200


def test_a_vanished_data_directory_fails_closed_and_recovers(client, token, family, now, settings):
    headers = token("decisions")  # made first: the signing key lives in the data directory
    away = settings.data_dir.with_name("away")
    settings.data_dir.rename(away)
    try:
        assert client.get("/readyz").status_code == 503
        response = client.post("/v1/decisions/batch", json=_batch(family, now, 3), headers=headers)
        assert response.status_code == 503
        assert [r["decision"] for r in response.json()["results"]] == ["deny"] * 3
    finally:
        away.rename(settings.data_dir)
    assert client.get("/readyz").status_code == 200
    assert client.post("/v1/decisions", json=_single(family, now), headers=headers).json()["decision"] == "permit"


def test_other_endpoints_answer_a_503_problem_when_the_store_is_down(flaky_client, flaky, clinician, family):
    flaky.fail_reads = True
    response = flaky_client.post("/v1/exemptions/search", json={"child": family.child}, headers=clinician)
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["type"] == "urn:access-policy:problem:store-unavailable"
    assert "connection refused" not in response.text


def test_an_unexpected_error_is_a_500_problem_without_internals(flaky_client, flaky, clinician, family):
    flaky.crash = True
    response = flaky_client.post("/v1/exemptions/search", json={"child": family.child}, headers=clinician)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:access-policy:problem:internal-error"
    assert "secret" not in response.text and "/srv" not in response.text


def test_inconsistent_facts_give_a_logged_deny(flaky_client, flaky, token, family, now):
    flaky.inconsistent = True
    response = flaky_client.post("/v1/decisions/batch", json=_batch(family, now, 2), headers=token("decisions"))
    assert response.status_code == 200
    body = response.json()
    assert [(r["decision"], r["rule"]) for r in body["results"]] == [("deny", "inconsistent-facts")] * 2
    flaky.inconsistent = False
    entries = flaky_client.post("/v1/audit/search", json={"child": family.child}, headers=token("audit:read")).json()["entries"]
    assert entries[-1]["decision_id"] == body["decision_id"]
    assert entries[-1]["entry"]["outcomes"] == [["deny", "inconsistent-facts"]]
