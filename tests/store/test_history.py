"""Append-only facts, representation history, as-of reads and write validation."""

from __future__ import annotations

import datetime

import pytest

from access_policy.errors import FactNotFoundError, InvalidInputError
from access_policy.facts import FactKind
from access_policy.store.schema import facts as facts_table
from tests.store.conftest import CLINICIAN, OTHER_CLINICIAN, REGISTER
from tests.store.helpers import (
    CHILD_8,
    CHILD_13,
    CHILD_17,
    MOTHER,
    STEPFATHER,
    assessment,
    exemption,
    fh_number,
    necessary,
    profile,
    representation,
)

HOUR = datetime.timedelta(hours=1)


def test_replacing_representation_keeps_the_old_snapshot(store, t0):
    first, changed = store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    assert changed
    second, changed = store.put_representation(
        CHILD_8, representation(t0 + HOUR, (MOTHER, "mor")), REGISTER, now=t0 + HOUR
    )
    assert changed and second.id != first.id
    history = store.representation_history(CHILD_8)
    assert [r.id for r in history] == [first.id, second.id]
    assert history[0].holders == first.holders
    assert store.child_facts(CHILD_8).representation == second


def test_the_same_content_again_is_unchanged_and_a_newer_retrieval_refreshes(store, t0):
    first, _ = store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    again, changed = store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0 + HOUR)
    assert not changed and again == first
    later = t0 + datetime.timedelta(days=3)
    refreshed, changed = store.put_representation(CHILD_8, representation(later), REGISTER, now=later)
    assert not changed and refreshed.id == first.id and refreshed.retrieved_at == later
    assert len(store.representation_history(CHILD_8)) == 1
    assert store.child_facts(CHILD_8).representation.retrieved_at == later
    # As recorded before the refresh, the snapshot was as old as its first retrieval.
    assert store.child_facts(CHILD_8, as_of=later - HOUR).representation.retrieved_at == t0
    # A refresh changes the fact version, so a cache notices it.
    assert store.child_facts(CHILD_8).version != store.child_facts(CHILD_8, as_of=later - HOUR).version
    assert store.child_version(CHILD_8) == store.child_facts(CHILD_8).version
    changes, _ = store.changes()
    assert len(changes) == 1


def test_an_older_retrieval_does_not_replace_a_newer_one(store, t0):
    store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    with pytest.raises(InvalidInputError) as raised:
        store.put_representation(CHILD_8, representation(t0 - HOUR, (MOTHER, "mor")), REGISTER, now=t0)
    assert raised.value.problems[0].field == "retrieved_at"


def test_a_register_read_from_the_future_or_out_of_range_is_refused(store, t0):
    import json

    with pytest.raises(InvalidInputError) as raised:
        store.put_representation(CHILD_8, representation(t0 + 2 * HOUR), REGISTER, now=t0)
    assert raised.value.problems[0].field == "retrieved_at"
    assert store.representation_history(CHILD_8) == []
    # Within the clock skew a read slightly ahead of the writer's clock is fine.
    store.put_representation(CHILD_8, representation(t0 + datetime.timedelta(seconds=60)), REGISTER, now=t0)
    lines = [
        json.dumps({"child": CHILD_13, "holders": [], "retrieved_at": "9999-12-31T23:59:59-14:00"}),
        json.dumps({"child": CHILD_13, "holders": [], "retrieved_at": (t0 + 30 * 24 * HOUR).isoformat()}),
    ]
    summary = store.import_representations(lines, now=t0)
    assert (summary.imported, summary.rejected) == (0, 2)
    assert all("retrieved_at" in why for _, why in summary.rejections)


def test_birth_date_must_agree_with_the_id_and_is_required_without_one(store, t0):
    with pytest.raises(InvalidInputError) as raised:
        store.put_representation(CHILD_8, representation(t0, birth_date=datetime.date(2018, 3, 15)), REGISTER)
    assert raised.value.problems[0].field == "birth_date"
    no_date = fh_number()
    with pytest.raises(InvalidInputError, match="required"):
        store.put_representation(no_date, representation(t0), REGISTER)
    stored, _ = store.put_representation(no_date, representation(t0, birth_date=datetime.date(2014, 2, 2)), REGISTER)
    assert store.child_facts(no_date).birth_date == datetime.date(2014, 2, 2)


@pytest.mark.sql_only
def test_facts_are_never_updated_in_place(store, t0):
    store.put_representation(CHILD_13, representation(t0), REGISTER, now=t0)
    created = [
        store.create_fact(CHILD_13, FactKind.EXEMPTIONS, exemption(), CLINICIAN, now=t0)[0],
        store.create_fact(CHILD_13, FactKind.ASSESSMENTS, assessment(), CLINICIAN, now=t0)[0],
        store.create_fact(CHILD_13, FactKind.ACCESS_PROFILES, profile(), CLINICIAN, now=t0)[0],
        store.create_fact(CHILD_13, FactKind.NECESSARY_INFORMATION, necessary(), CLINICIAN, now=t0)[0],
    ]
    with store.engine.connect() as connection:
        before = connection.execute(facts_table.select().order_by(facts_table.c.position)).all()
    for fact, kind in zip(created, FactKind):
        revoked = store.revoke_fact(CHILD_13, kind, fact.id, OTHER_CLINICIAN, now=t0 + HOUR)
        assert revoked.revoked_by == OTHER_CLINICIAN and revoked.author == CLINICIAN
        # Revoking twice returns the first revocation.
        assert store.revoke_fact(CHILD_13, kind, fact.id, CLINICIAN, now=t0 + 2 * HOUR) == revoked
        assert store.list_facts(CHILD_13, kind) == [revoked]
    with store.engine.connect() as connection:
        after = connection.execute(facts_table.select().order_by(facts_table.c.position)).all()
    assert before == after
    changes, _ = store.changes()
    assert [c.action for c in changes] == ["created"] * 5 + ["revoked"] * 4


def test_revoking_needs_the_right_child_and_kind(store, t0):
    store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    fact, _ = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, now=t0)
    with pytest.raises(FactNotFoundError):
        store.revoke_fact(CHILD_13, FactKind.EXEMPTIONS, fact.id, CLINICIAN)
    with pytest.raises(FactNotFoundError):
        store.revoke_fact(CHILD_8, FactKind.ASSESSMENTS, fact.id, CLINICIAN)


def test_as_of_reads_the_records_as_they_stood(store, t0):
    store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    fact, _ = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, now=t0 + HOUR)
    store.put_representation(CHILD_8, representation(t0 + 2 * HOUR, (MOTHER, "mor")), REGISTER, now=t0 + 2 * HOUR)
    store.revoke_fact(CHILD_8, FactKind.EXEMPTIONS, fact.id, CLINICIAN, now=t0 + 3 * HOUR)

    before_anything = store.child_facts(CHILD_8, as_of=t0 - HOUR)
    assert before_anything.representation is None and before_anything.exemptions == ()
    at_start = store.child_facts(CHILD_8, as_of=t0 + 30 * datetime.timedelta(minutes=1))
    assert len(at_start.representation.holders) == 2 and at_start.exemptions == ()
    while_active = store.child_facts(CHILD_8, as_of=t0 + 2.5 * HOUR)
    assert while_active.exemptions[0].revoked_at is None
    assert [h.responsibility.value for h in while_active.representation.holders] == ["mor"]
    now = store.child_facts(CHILD_8)
    assert now.exemptions[0].revoked_at == t0 + 3 * HOUR
    assert store.child_facts(CHILD_8, as_of=t0 + 3 * HOUR).exemptions[0].revoked_at == t0 + 3 * HOUR
    # The version orders the states: each later state has a higher one.
    versions = [int(f.version) for f in (before_anything, at_start, while_active, now)]
    assert versions == sorted(versions) and len(set(versions)) == 4
    assert store.child_version(CHILD_8) == now.version == "4"
    assert store.child_version(CHILD_13) == "0"


def test_assessment_only_for_a_child_aged_12_to_15(store, t0):
    for child in (CHILD_8, CHILD_13, CHILD_17):
        store.put_representation(child, representation(t0), REGISTER, now=t0)
    store.create_fact(CHILD_13, FactKind.ASSESSMENTS, assessment(), CLINICIAN, now=t0)
    for child in (CHILD_8, CHILD_17):
        with pytest.raises(InvalidInputError, match="12–15"):
            store.create_fact(child, FactKind.ASSESSMENTS, assessment(), CLINICIAN, now=t0)


def test_assessment_needs_a_known_birth_date(store, t0):
    no_date = fh_number()
    with pytest.raises(InvalidInputError, match="birth date"):
        store.create_fact(no_date, FactKind.ASSESSMENTS, assessment(), CLINICIAN, now=t0)
    store.put_representation(no_date, representation(t0, birth_date=datetime.date(2012, 1, 1)), REGISTER, now=t0)
    fact, created = store.create_fact(no_date, FactKind.ASSESSMENTS, assessment(), CLINICIAN, now=t0)
    assert created and store.child_facts(no_date).assessments == (fact,)


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        (FactKind.EXEMPTIONS, {"scope": {"pathway": "p"}, "applies_to": ["12345678901"], "legal_basis": "pbrl-3-4-3", "reason": "r"}, "applies_to"),
        (FactKind.EXEMPTIONS, {"scope": {"pathway": "p", "item": "i"}, "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": "r"}, "scope"),
        (FactKind.ACCESS_PROFILES, {"representative": "1234", "kinds": []}, "representative"),
        (FactKind.NECESSARY_INFORMATION, {"scope": {"item": "i"}, "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": "r"}, "legal_basis"),
    ],
)
def test_invalid_drafts_name_the_field(store, kind, body, field):
    with pytest.raises(InvalidInputError) as raised:
        store.create_fact(CHILD_8, kind, body, CLINICIAN)
    assert field and any(problem.field.startswith(field) for problem in raised.value.problems)


def test_authors_are_kept_and_must_be_complete(store, t0):
    from access_policy.facts import Author

    with pytest.raises(InvalidInputError):
        store.create_fact(CHILD_8, FactKind.ACCESS_PROFILES, profile(STEPFATHER), Author(hpr="1234567"))
    fact, _ = store.create_fact(CHILD_8, FactKind.ACCESS_PROFILES, profile(STEPFATHER), CLINICIAN, now=t0)
    assert store.list_facts(CHILD_8, FactKind.ACCESS_PROFILES)[0].author == CLINICIAN
    assert fact.recorded_at == t0
    assert store.child_facts(CHILD_8).access_profiles[0].representative == STEPFATHER
