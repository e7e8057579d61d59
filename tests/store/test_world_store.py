"""The register's full picture in the store: migration from 0001, id links, facts under former ids, new kinds, import fields."""

from __future__ import annotations

import datetime
import json

import pytest
import sqlalchemy as sa

from access_policy.decisions import decide
from access_policy.facts import (
    FACT_KINDS,
    Author,
    CareOrderDraft,
    ChildFacts,
    Exemption,
    FactKind,
    Holder,
    IdLink,
    Item,
    Representation,
    Responsibility,
    Scope,
    SharingGrantDraft,
)
from access_policy.identity import make_person_id, parse_person_id
from access_policy.store.bulk import Snapshot
from access_policy.store.engine import build_engines
from access_policy.store.inputs import content_hash
from access_policy.store.migrate import current_revision, upgrade
from tests.store.conftest import CLINICIAN, REGISTER
from tests.store.helpers import CHILD_8, CHILD_17, FATHER, MOTHER, exemption, representation

UTC = datetime.timezone.utc
ADOLESCENT = Author(person=CHILD_17)


def test_a_0001_database_migrates_keeps_its_data_and_decides_the_same(backend, t0):
    engines = build_engines(database_url=backend.url)
    upgrade(engines, "0001")
    assert current_revision(engines) == "0001"
    old = representation(t0)
    snapshot = Snapshot.of(parse_person_id(CHILD_8), old)
    body = {"scope": {"pathway": {"system": "local", "value": "pw-1"}}, "applies_to": [FATHER], "legal_basis": "pbrl-3-4-3", "reason": "r"}
    # Rows as the 0001 code wrote them (its columns only).
    meta = sa.MetaData()
    tables = {name: sa.Table(name, meta, autoload_with=engines.engine) for name in ("representations", "facts", "revocations", "changes", "change_counter")}
    with engines.engine.begin() as connection:
        connection.execute(sa.insert(tables["representations"]), [{
            "id": "rep-old", "child": CHILD_8, "position": 1, "birth_date": snapshot.birth_date,
            "address_protection": "ugradert", "holders": json.dumps(list(snapshot.holders)),
            "content_hash": content_hash(snapshot), "retrieved_at": t0, "recorded_at": t0, "author_system": "sync",
        }])
        for position, fact_id in ((2, "ex-old"), (3, "ex-gone")):
            connection.execute(sa.insert(tables["facts"]), [{
                "id": fact_id, "child": CHILD_8, "kind": "exemptions", "position": position, "body": json.dumps(body),
                "recorded_at": t0, "author_hpr": CLINICIAN.hpr, "author_org": CLINICIAN.org,
            }])
        connection.execute(sa.insert(tables["revocations"]), [{
            "fact_id": "ex-gone", "child": CHILD_8, "position": 4, "revoked_at": t0, "revoked_by_hpr": CLINICIAN.hpr, "revoked_by_org": CLINICIAN.org,
        }])
        connection.execute(sa.insert(tables["changes"]), [
            {"position": p, "child": CHILD_8, "kind": k, "fact_id": f, "action": a, "at": t0}
            for p, k, f, a in ((1, "representation", "rep-old", "created"), (2, "exemptions", "ex-old", "created"),
                               (3, "exemptions", "ex-gone", "created"), (4, "exemptions", "ex-gone", "revoked"))
        ])
        connection.execute(sa.update(tables["change_counter"]).values(position=4))
    engines.engine.dispose()

    store = backend.open()  # migrates to head
    try:
        assert current_revision(store._engines) not in (None, "0001")
        facts = store.child_facts(CHILD_8)
        assert facts.representation.status.value == "bosatt" and facts.representation.former_ids == ()
        assert [e.id for e in facts.exemptions] == ["ex-old", "ex-gone"]
        assert facts.exemptions[1].revoked_at is not None and facts.exemptions[1].release_confided is False
        assert facts.id_links == () and facts.sharing_grants == () and facts.care_orders == ()
        at = t0 + datetime.timedelta(hours=1)  # while the register read is fresh
        memory = ChildFacts(
            child=CHILD_8, representation=old,
            exemptions=(Exemption.model_validate(body | {"id": "ex-old"}),),
        )
        for requester in (MOTHER, FATHER):
            for pathway in ("pw-1", "pw-2"):
                item = Item(id="doc", kind="note", pathway=pathway)
                stored, expected = decide(policy(), facts, requester, item, at), decide(policy(), memory, requester, item, at)
                assert (stored.effect, stored.rule) == (expected.effect, expected.rule)
        assert decide(policy(), facts, FATHER, Item(id="doc", kind="note", pathway="pw-1"), at).rule == "exemption"
        assert decide(policy(), facts, MOTHER, Item(id="doc", kind="note", pathway="pw-1"), at).rule == "main-rule"
        # The same register content is still "the same": no new snapshot after the upgrade.
        _, changed = store.put_representation(CHILD_8, representation(t0 + datetime.timedelta(hours=1)), REGISTER)
        assert changed is False and len(store.representation_history(CHILD_8)) == 1
    finally:
        store.close()


def policy():  # noqa: ANN201 - the national policy, loaded once
    from access_policy.policy import load_policy

    global _POLICY
    try:
        return _POLICY
    except NameError:
        _POLICY = load_policy()
        return _POLICY


def test_a_child_s_new_id_reads_the_facts_recorded_under_the_old_one(store, t0):
    birth = datetime.date(2015, 4, 4)
    d_number, new_id = make_person_id(birth, 40, d_number=True), make_person_id(birth, 40)
    store.put_representation(d_number, representation(t0), REGISTER, now=t0)
    old, _ = store.create_fact(d_number, FactKind.EXEMPTIONS, exemption("pw-1"), CLINICIAN, now=t0)
    before = store.child_version(d_number)
    changed = Representation(
        former_ids=(d_number,),
        holders=(Holder(id=MOTHER, responsibility=Responsibility.FELLES), Holder(id=FATHER, responsibility=Responsibility.FELLES)),
        retrieved_at=t0 + datetime.timedelta(days=1),
    )
    store.put_representation(new_id, changed, REGISTER, now=t0 + datetime.timedelta(days=1))
    for asked in (new_id, d_number):
        facts = store.child_facts(asked)
        assert facts.child == new_id and [e.id for e in facts.exemptions] == [old.id]
        assert facts.representation.former_ids == (d_number,)
        assert facts.id_links == (IdLink(former=d_number, current=new_id),)
        assert store.resolve_child(asked) == new_id
        assert [f.id for f in store.list_facts(asked, FactKind.EXEMPTIONS)] == [old.id]
        assert store.find_fact(FactKind.EXEMPTIONS, old.id, child=asked)[1].id == old.id
    assert store.child_version(d_number) == store.child_version(new_id) != before
    assert len(store.representation_history(d_number)) == 2
    # A late sync of the old id (the register marks it `opphoert`) does not replace the current id's snapshot.
    stale = Representation(status="opphoert", holders=(), retrieved_at=t0 + datetime.timedelta(days=2))
    store.put_representation(d_number, stale, REGISTER, now=t0 + datetime.timedelta(days=2))
    assert store.child_facts(d_number).representation.status.value == "bosatt"
    assert len(store.representation_history(new_id)) == 3
    # As recorded before the new id arrived, the old id stood alone.
    assert store.child_facts(d_number, as_of=t0 + datetime.timedelta(hours=1)).child == d_number
    # Revoking by the record's id alone, or naming the child by either id.
    assert store.revoke_fact(None, FactKind.EXEMPTIONS, old.id, CLINICIAN).revoked_at is not None


@pytest.mark.sql_only
def test_holders_former_ids_validity_and_protection_travel_and_link(store, t0):
    father_before = make_person_id(datetime.date(1982, 1, 30), 21, d_number=True)
    holders = (
        Holder(id=MOTHER, responsibility=Responsibility.MOR, address_protection="fortrolig", valid_from=t0 - datetime.timedelta(days=3)),
        Holder(id=FATHER, responsibility=Responsibility.FAR, former_ids=(father_before,), valid_until=t0 + datetime.timedelta(days=3)),
    )
    stored, _ = store.put_representation(CHILD_8, Representation(holders=holders, retrieved_at=t0), REGISTER, now=t0)
    facts = store.child_facts(CHILD_8)
    assert facts.representation.holders == holders == stored.holders
    assert facts.id_links == (IdLink(former=father_before, current=FATHER),)
    # The same content again is unchanged, and one link row is kept per child and link.
    assert store.put_representation(CHILD_8, Representation(holders=holders, retrieved_at=t0 + datetime.timedelta(hours=1)), REGISTER)[1] is False
    moved = Representation(holders=holders[1:], retrieved_at=t0 + datetime.timedelta(hours=2))
    assert store.put_representation(CHILD_8, moved, REGISTER)[1] is True
    assert store.child_facts(CHILD_8).id_links == (IdLink(former=father_before, current=FATHER),)
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM id_links")).scalar_one() == 1


def test_sharing_grants_and_care_orders_round_trip_with_their_authors(store, t0):
    store.put_representation(CHILD_17, representation(t0), REGISTER, now=t0)
    grant, _ = store.create_fact(
        CHILD_17, FactKind.SHARING_GRANTS, SharingGrantDraft(grantee=MOTHER, scope=Scope(all=True)), ADOLESCENT, now=t0
    )
    order, _ = store.create_fact(
        CHILD_17, FactKind.CARE_ORDERS, CareOrderDraft(organisation="974589095", valid_from=t0), CLINICIAN, now=t0
    )
    assert grant.id.startswith(FACT_KINDS[FactKind.SHARING_GRANTS].id_prefix + "-") and order.id.startswith("co-")
    withdrawn = store.revoke_fact(CHILD_17, FactKind.SHARING_GRANTS, grant.id, ADOLESCENT, now=t0 + datetime.timedelta(hours=1))
    facts = store.child_facts(CHILD_17)
    assert facts.sharing_grants == (withdrawn,) and facts.care_orders == (order,)
    assert facts.sharing_grants[0].author == ADOLESCENT and facts.sharing_grants[0].revoked_by == ADOLESCENT
    assert [c.kind for c in store.changes()[0]][-3:] == ["sharing-grants", "care-orders", "sharing-grants"]


def test_revocation_keeps_release_confided(store, t0):
    from tests.store.helpers import CHILD_13, assessment

    store.put_representation(CHILD_13, representation(t0), REGISTER, now=t0)
    fact, _ = store.create_fact(CHILD_13, FactKind.ASSESSMENTS, assessment(), CLINICIAN, now=t0)
    revoked = store.revoke_fact(None, FactKind.ASSESSMENTS, fact.id, CLINICIAN, release_confided=True, now=t0)
    assert revoked.release_confided is True
    assert store.child_facts(CHILD_13).assessments[0].release_confided is True


def test_import_lines_carry_status_death_former_ids_and_holder_records(store, t0):
    birth = datetime.date(2014, 2, 2)
    d_number, child = make_person_id(birth, 50, d_number=True), make_person_id(birth, 50)
    father_before = make_person_id(datetime.date(1982, 1, 30), 21, d_number=True)
    line = {
        "child": child, "status": "doed", "death_date": "2026-11-01", "former_ids": [d_number],
        "holders": [
            {"id": MOTHER, "responsibility": "felles", "address_protection": "strengtFortrolig", "valid_from": "2014-02-02T00:00:00+01:00"},
            {"id": FATHER, "responsibility": "felles", "former_ids": [father_before], "valid_until": "2030-01-01T00:00:00+01:00"},
            {"organisation": "974589095", "responsibility": "andre"},
        ],
        "retrieved_at": t0.isoformat(),
    }
    summary = store.import_representations([json.dumps(line)])
    assert (summary.imported, summary.rejected) == (1, 0), summary.rejections
    facts = store.child_facts(d_number)
    rep = facts.representation
    assert facts.child == child and rep.status.value == "doed" and rep.death_date == datetime.date(2026, 11, 1)
    assert rep.former_ids == (d_number,)
    assert rep.holders[0].address_protection.value == "strengtFortrolig" and rep.holders[1].former_ids == (father_before,)
    assert set(facts.id_links) == {IdLink(former=d_number, current=child), IdLink(former=father_before, current=FATHER)}
    assert store.import_representations([json.dumps(line)]).unchanged == 1
    bad = [
        line | {"status": "sovende"},
        line | {"death_date": "2026-13-01"},
        line | {"status": "bosatt"},  # a death date without doed
        line | {"former_ids": [child]},
        line | {"former_ids": ["123"]},
        line | {"holders": [{"id": MOTHER, "responsibility": "felles", "valid_until": "2020-01-01T00:00:00+01:00", "valid_from": "2021-01-01T00:00:00+01:00"}]},
        line | {"holders": [{"id": MOTHER, "responsibility": "felles", "address_protection": "hemmelig"}]},
    ]
    summary = store.import_representations([json.dumps(b) for b in bad])
    fields = [reason.split("`")[1] for _, reason in summary.rejections]
    assert summary.rejected == len(bad)
    assert fields == ["status", "death_date", "death_date", "former_ids", "former_ids.0", "holders.0", "holders.0.address_protection"]
