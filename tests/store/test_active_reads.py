"""Decision reads load only the facts that can be active: cost follows them, not the child's history."""

from __future__ import annotations

import datetime

import pytest

from access_policy.decisions import decide
from access_policy.facts import FactKind, Item
from access_policy.service.decisions import DecisionService
from access_policy.service.tokens import Caller
from access_policy.store import sql_facts
from tests.store.conftest import CLINICIAN, REGISTER
from tests.store.helpers import CHILD_8, MOTHER, exemption, representation

HOUR = datetime.timedelta(hours=1)


def _history(store, t0, revoked: int = 30):
    store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    for _ in range(revoked):
        fact, _ = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, now=t0)
        store.revoke_fact(CHILD_8, FactKind.EXEMPTIONS, fact.id, CLINICIAN, now=t0 + HOUR)
    expired = exemption().model_copy(update={"valid_until": t0 + HOUR})
    store.create_fact(CHILD_8, FactKind.EXEMPTIONS, expired, CLINICIAN, now=t0)
    active, _ = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, now=t0)
    later, _ = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, now=t0)
    store.revoke_fact(CHILD_8, FactKind.EXEMPTIONS, later.id, CLINICIAN, now=t0 + 3 * HOUR)
    return active, later


def test_active_reads_leave_out_revoked_and_expired_facts_only(store, t0):
    active, later = _history(store, t0)
    everything = store.child_facts(CHILD_8)
    assert len(everything.exemptions) == 33
    at = t0 + 2 * HOUR  # after the 30 revocations and the expiry, before `later` was revoked
    read = store.child_facts(CHILD_8, active_at=at)
    assert {f.id for f in read.exemptions} == {active.id, later.id}
    # The version is the full read's: a left-out revocation still moves it.
    assert read.version == everything.version == store.child_version(CHILD_8)
    assert store.child_facts(CHILD_8, active_at=t0 + 4 * HOUR).exemptions == (active,)
    # As-of reads combined with active_at: as recorded then, active then.
    assert {f.id for f in store.child_facts(CHILD_8, as_of=t0 + 2 * HOUR, active_at=t0 + 2 * HOUR).exemptions} == {
        active.id,
        later.id,
    }


@pytest.mark.parametrize("hours", [0, 0.5, 1, 2, 3, 4])
def test_decisions_over_active_reads_equal_decisions_over_everything(store, t0, national_policy, hours):
    _history(store, t0, revoked=5)
    at = t0 + datetime.timedelta(hours=hours)
    item = Item(id="doc-1", kind="note", pathway="pw-1")
    full = decide(national_policy, store.child_facts(CHILD_8), MOTHER, item, at)
    active = decide(national_policy, store.child_facts(CHILD_8, active_at=at), MOTHER, item, at)
    assert (active.effect, active.rule, active.reasons) == (full.effect, full.rule, full.reasons)


@pytest.mark.sql_only
def test_a_decision_validates_only_the_active_facts(store, t0, national_policy, monkeypatch):
    _history(store, t0, revoked=40)
    validated = []
    original = sql_facts.fact_from_row
    monkeypatch.setattr(sql_facts, "fact_from_row", lambda row: validated.append(row.id) or original(row))
    service = DecisionService(store, national_policy)
    caller = Caller(subject="test", scopes=frozenset({"decisions"}))
    service.decide(caller, MOTHER, CHILD_8, [Item(id="doc-1", kind="note")], t0 + 2 * HOUR)
    assert len(validated) == 2  # not the 41 revoked or expired ones
