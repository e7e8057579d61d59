"""The change feed (gap-free, in order, paged), idempotent creates and the audit hash chain."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import text

from access_policy.auditlog.chain import verify
from access_policy.errors import IdempotencyConflictError, InvalidInputError
from access_policy.facts import FactKind
from tests.store.conftest import CLINICIAN, OTHER_CLINICIAN, REGISTER
from tests.store.helpers import CHILD_8, CHILD_13, CHILD_17, assessment, exemption, fh_number, representation


def test_feed_is_gap_free_in_order_and_paged(store, t0):
    store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    store.put_representation(CHILD_17, representation(t0), REGISTER, now=t0)
    for n in range(5):
        store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(f"pw-{n}"), CLINICIAN, now=t0)
    # Rejected writes roll back after taking the lock: they must leave no hole in the positions.
    for _ in range(3):
        with pytest.raises(InvalidInputError):
            store.create_fact(CHILD_17, FactKind.ASSESSMENTS, assessment(), CLINICIAN, now=t0)
    fact, _ = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption("pw-x"), CLINICIAN, now=t0)
    store.revoke_fact(CHILD_8, FactKind.EXEMPTIONS, fact.id, CLINICIAN, now=t0)
    seen, cursor = [], None
    while True:
        page, cursor = store.changes(after=cursor, limit=3)
        if not page:
            break
        seen += page
    assert [c.position for c in seen] == list(range(1, 10))
    assert cursor == 9
    assert seen[-1].action == "revoked" and seen[-1].fact_id == fact.id
    assert store.changes(after=9) == ([], 9)
    with pytest.raises(InvalidInputError):
        store.changes(after=-1)


def test_same_key_same_author_returns_the_first_record(store, t0):
    first, created = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, idempotency_key="k-1", now=t0)
    again, created_again = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, idempotency_key="k-1")
    assert created and not created_again and again == first
    assert len(store.list_facts(CHILD_8, FactKind.EXEMPTIONS)) == 1
    assert store.changes()[1] == 1


def test_same_key_different_request_is_a_conflict(store, t0):
    store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption("pw-1"), CLINICIAN, idempotency_key="k-1", now=t0)
    with pytest.raises(IdempotencyConflictError) as raised:
        store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption("pw-2"), CLINICIAN, idempotency_key="k-1")
    assert raised.value.code == "idempotency-conflict"
    with pytest.raises(IdempotencyConflictError):
        store.create_fact(CHILD_13, FactKind.EXEMPTIONS, exemption("pw-1"), CLINICIAN, idempotency_key="k-1")
    # Another author's key is their own.
    _, created = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption("pw-2"), OTHER_CLINICIAN, idempotency_key="k-1")
    assert created
    assert store.changes()[1] == 2


def test_idempotent_create_of_a_since_revoked_fact_returns_it_revoked(store, t0):
    first, _ = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, idempotency_key="k", now=t0)
    store.revoke_fact(CHILD_8, FactKind.EXEMPTIONS, first.id, CLINICIAN, now=t0)
    again, created = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, idempotency_key="k")
    assert not created and again.id == first.id and again.revoked_at == t0


@pytest.mark.sql_only
def test_audit_chain_links_and_detects_tampering(store):
    for n in range(5):
        store.append_audit(f"d-{n}", CHILD_8 if n % 2 else CHILD_13, {"n": n, "decisions": ["permit"], "å": "ø"})
    entries = store.read_audit()
    assert [e.position for e in entries] == [1, 2, 3, 4, 5]
    assert verify(entries).ok
    assert [e.position for e in store.read_audit(child=CHILD_8)] == [2, 4]
    assert [e.position for e in store.read_audit(after=3)] == [4, 5]
    assert [e.position for e in store.read_audit(limit=2)] == [1, 2]
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET entry = :e WHERE position = 3"), {"e": '{"n":99}'})
    assert verify(store.read_audit()).first_bad_position == 3


def test_audit_entry_must_be_json(store):
    with pytest.raises(InvalidInputError):
        store.append_audit("d-1", CHILD_8, {"at": datetime.datetime.now()})
    assert store.read_audit() == []


def test_a_bulk_batch_with_a_refused_fact_stores_none_of_it(store, t0):
    store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption("pw-0"), CLINICIAN, now=t0)
    items = [
        (CHILD_8, FactKind.EXEMPTIONS, exemption("pw-1"), CLINICIAN),
        (fh_number(), FactKind.ASSESSMENTS, assessment(), CLINICIAN),  # no birth date anywhere: refused
    ]
    with pytest.raises(InvalidInputError):
        store.create_facts_bulk(items, now=t0 + datetime.timedelta(minutes=1))
    assert [fact.scope.pathway.value for fact in store.list_facts(CHILD_8, FactKind.EXEMPTIONS)] == ["pw-0"]
    changes, cursor = store.changes()
    assert [change.position for change in changes] == [1] and cursor == 1
