"""Create, read back, revoke: the store's basic contract on every backend."""

from __future__ import annotations

import datetime

import pytest

from access_policy.errors import FactNotFoundError, InvalidInputError
from access_policy.facts import (
    AccessProfileDraft,
    ExemptionDraft,
    FactKind,
    Holder,
    Representation,
    Scope,
)
from access_policy.identity import make_person_id
from tests.store.conftest import CLINICIAN, REGISTER

CHILD = make_person_id(datetime.date(2016, 4, 2), 10)
MOTHER = make_person_id(datetime.date(1984, 7, 9), 20)
FATHER = make_person_id(datetime.date(1982, 1, 30), 21)


def _representation(at: datetime.datetime) -> Representation:
    return Representation(
        holders=(Holder(id=MOTHER, responsibility="felles"), Holder(id=FATHER, responsibility="felles")),
        retrieved_at=at,
    )


def test_a_new_store_is_empty(store):
    facts = store.child_facts(CHILD)
    assert facts.representation is None
    assert facts.exemptions == ()
    assert store.changes() == ([], 0)
    store.ping()


def test_create_read_back_and_revoke(store, t0):
    stored, changed = store.put_representation(CHILD, _representation(t0), REGISTER, now=t0)
    assert changed and stored.id and stored.recorded_at == t0
    draft = ExemptionDraft(scope=Scope(pathway="pw-1"), applies_to=(FATHER,), legal_basis="pbrl-3-4-3", reason="vurdert")
    exemption, created = store.create_fact(CHILD, FactKind.EXEMPTIONS, draft, CLINICIAN, now=t0)
    assert created and exemption.author == CLINICIAN and exemption.recorded_at == t0
    facts = store.child_facts(CHILD)
    assert facts.representation == stored
    assert facts.exemptions == (exemption,)
    assert facts.birth_date == datetime.date(2016, 4, 2)
    later = t0 + datetime.timedelta(hours=1)
    revoked = store.revoke_fact(CHILD, FactKind.EXEMPTIONS, exemption.id, CLINICIAN, now=later)
    assert revoked.revoked_at == later and revoked.revoked_by == CLINICIAN
    assert store.child_facts(CHILD).exemptions == (revoked,)
    assert store.list_facts(CHILD, FactKind.EXEMPTIONS) == [revoked]


def test_unknown_fact_and_bad_input(store, t0):
    with pytest.raises(FactNotFoundError):
        store.revoke_fact(CHILD, FactKind.EXEMPTIONS, "ex-nope", CLINICIAN)
    with pytest.raises(InvalidInputError):
        store.create_fact("12345678901", FactKind.ACCESS_PROFILES, AccessProfileDraft(representative=MOTHER, kinds=()), CLINICIAN)
