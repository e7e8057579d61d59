"""Who may revoke what: the author's organisation; another only with `facts:override` and a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from access_policy.store.schema import revocations
from tests.api.conftest import HPR, ORG
from tests.api.test_facts import BODIES, _body

OTHER_ORG = "983974724"  # a valid organisation number, not the author's
SAME_ORG_COLLEAGUE = "7654321"
OTHER_HPR = "2345678"

KINDS = list(BODIES)


def _create(client, clinician, family, kind) -> dict:
    created = client.post(f"/v1/{kind}", json=_body(kind, family), headers=clinician)
    assert created.status_code == 201, created.text
    return created.json()


def _revoke(client, family, kind, fact_id, headers, reason=None):
    url = f"/v1/{kind}/{fact_id}"
    if reason is None:
        return client.delete(url, headers=headers)
    return client.request("DELETE", url, json={"reason": reason}, headers=headers)


def _stored_revocation(store, fact_id):
    with store.engine.connect() as connection:
        return connection.execute(select(revocations).where(revocations.c.fact_id == fact_id)).first()


def _still_active(client, clinician, family, kind, fact_id) -> bool:
    records = client.post(f"/v1/{kind}/search", json={"child": family.child}, headers=clinician).json()["records"]
    (record,) = [r for r in records if r["id"] == fact_id]
    return record["revoked_at"] is None


@pytest.mark.parametrize("kind", KINDS)
def test_a_colleague_of_the_same_organisation_may_revoke(client, clinician, token, family, store, kind):
    fact = _create(client, clinician, family, kind)
    colleague = token("facts:write", "facts:read", hpr=SAME_ORG_COLLEAGUE, org=ORG)
    revoked = _revoke(client, family, kind, fact["id"], colleague)
    assert revoked.status_code == 200, revoked.text
    revoked_by = revoked.json()["revoked_by"]
    assert (revoked_by["hpr"], revoked_by["org"]) == (SAME_ORG_COLLEAGUE, ORG)
    row = _stored_revocation(store, fact["id"])
    assert row is not None and row.override is False and row.reason is None


@pytest.mark.parametrize("kind", KINDS)
def test_another_organisation_may_not_revoke_and_nothing_changes(client, clinician, token, family, store, kind):
    fact = _create(client, clinician, family, kind)
    feed_before = client.get("/v1/changes", headers=clinician).json()
    other = token("facts:write", "facts:read", hpr=OTHER_HPR, org=OTHER_ORG)
    for reason in (None, "I think it is wrong"):
        refused = _revoke(client, family, kind, fact["id"], other, reason)
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith(":revocation-forbidden")
    assert _still_active(client, clinician, family, kind, fact["id"])
    assert _stored_revocation(store, fact["id"]) is None
    assert client.get("/v1/changes", headers=clinician).json() == feed_before


@pytest.mark.parametrize("kind", KINDS)
def test_an_override_needs_a_reason(client, clinician, token, family, store, kind):
    fact = _create(client, clinician, family, kind)
    overrider = token("facts:write", "facts:read", "facts:override", hpr=OTHER_HPR, org=OTHER_ORG)
    for body in (None, "   "):
        refused = _revoke(client, family, kind, fact["id"], overrider, body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "reason"
    assert _still_active(client, clinician, family, kind, fact["id"])
    assert _stored_revocation(store, fact["id"]) is None


@pytest.mark.parametrize("kind", KINDS)
def test_an_override_with_a_reason_is_recorded_and_logged(client, clinician, token, family, store, kind, caplog):
    fact = _create(client, clinician, family, kind)
    overrider = token("facts:write", "facts:read", "facts:override", hpr=OTHER_HPR, org=OTHER_ORG)
    with caplog.at_level("WARNING", logger="access_policy.service.records"):
        revoked = _revoke(client, family, kind, fact["id"], overrider, "the child moved; the exemption was ours to lift")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_by"]["org"] == OTHER_ORG
    row = _stored_revocation(store, fact["id"])
    assert row.override is True and row.reason == "the child moved; the exemption was ours to lift"
    logged = [r.getMessage() for r in caplog.records if "override" in r.getMessage()]
    assert len(logged) == 1 and fact["id"] in logged[0] and OTHER_ORG in logged[0]
    assert family.child not in logged[0]


def test_an_override_scope_without_facts_write_is_not_enough(client, clinician, token, family):
    fact = _create(client, clinician, family, "exemptions")
    only_override = token("facts:override", hpr=OTHER_HPR, org=OTHER_ORG)
    assert _revoke(client, family, "exemptions", fact["id"], only_override, "reason").status_code == 403
    assert _still_active(client, clinician, family, "exemptions", fact["id"])


def test_a_revoked_exemption_of_another_organisation_stays_honoured(client, clinician, token, family, now):
    """The attack of the report: organisation B lifts A's exemption and the hidden item shows."""
    fact = _create(client, clinician, family, "exemptions")
    decision = {"requester": family.mother, "child": family.child, "item": {"id": "d", "kind": "note", "pathway": "pw-1"}, "at": now.isoformat()}
    assert client.post("/v1/decisions", json=decision, headers=token("decisions")).json()["decision"] == "deny"
    other = token("facts:write", hpr=OTHER_HPR, org=OTHER_ORG)
    assert _revoke(client, family, "exemptions", fact["id"], other).status_code == 403
    assert client.post("/v1/decisions", json=decision, headers=token("decisions")).json()["decision"] == "deny"


def test_the_author_organisation_is_checked_against_the_token_not_the_body(client, clinician, token, family):
    fact = _create(client, clinician, family, "exemptions")
    other = token("facts:write", hpr=OTHER_HPR, org=OTHER_ORG)
    url = f"/v1/exemptions/{fact['id']}"
    forged = client.request("DELETE", url, json={"reason": "r", "org": ORG, "hpr": HPR}, headers=other)
    assert forged.status_code == 422  # unknown fields are refused, never read as an identity
    assert _still_active(client, clinician, family, "exemptions", fact["id"])
