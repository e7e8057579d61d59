"""What changes when: the instants ahead at which access changes by time alone."""

from __future__ import annotations

import datetime

from access_policy.age import OSLO
from access_policy.facts import ChildFacts, Exemption, Holder, Representation, Responsibility, Scope
from access_policy.horizon import changes_ahead, effect, probe_items
from access_policy.identity import make_person_id

PARENT = make_person_id(datetime.date(1984, 3, 10), 1)


def _facts(birth: datetime.date, retrieved: datetime.datetime, **extra) -> ChildFacts:
    return ChildFacts(
        child=make_person_id(birth, 0),
        representation=Representation(id="reg", birth_date=birth, retrieved_at=retrieved,
                                      holders=(Holder(id=PARENT, responsibility=Responsibility.FELLES),)),
        **extra,
    )


def test_birthdays_are_at_oslo_midnight_and_29_february_moves_earlier(national_policy) -> None:
    at = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO)
    facts = _facts(datetime.date(2012, 2, 29), at)
    birthdays = [(c.age, c.at) for c in changes_ahead(national_policy, facts, at) if c.what == "birthday"]
    assert birthdays == [
        (16, datetime.datetime(2028, 2, 29, 0, 0, tzinfo=OSLO)),
        (18, datetime.datetime(2030, 2, 28, 0, 0, tzinfo=OSLO)),  # no 29 February in 2030
    ]
    assert birthdays[1][1].utcoffset() == datetime.timedelta(hours=1)


def test_fact_ends_revocation_and_stale_register_in_order(national_policy) -> None:
    at = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO)
    until = at + datetime.timedelta(days=3)
    later = at + datetime.timedelta(days=30)
    exemptions = (
        Exemption(id="U1", scope=Scope(item="D1"), applies_to="all", legal_basis="pbrl-3-4-3", reason="r", valid_until=until),
        Exemption(id="U2", scope=Scope(item="D2"), applies_to="all", legal_basis="pbrl-3-4-3", reason="r", valid_from=later),
        Exemption(id="U3", scope=Scope(item="D3"), applies_to="all", legal_basis="pbrl-3-4-3", reason="r",
                  revoked_at=at - datetime.timedelta(days=1)),
    )
    facts = _facts(datetime.date(2016, 5, 1), at - datetime.timedelta(days=1), exemptions=exemptions)
    changes = changes_ahead(national_policy, facts, at)
    assert [(c.what, c.fact) for c in changes if c.what != "birthday"] == [
        ("fact-ends", "U1"), ("register-stale", "reg"), ("fact-starts", "U2"),
    ]
    stale = next(c for c in changes if c.what == "register-stale")
    assert stale.at == at - datetime.timedelta(days=1) + national_policy.settings.max_representation_age
    assert [c.at for c in changes] == sorted(c.at for c in changes)


def test_nothing_in_the_past(national_policy) -> None:
    at = datetime.datetime(2040, 1, 1, tzinfo=OSLO)
    facts = _facts(datetime.date(2010, 1, 1), at - datetime.timedelta(days=30))
    assert changes_ahead(national_policy, facts, at) == []


def test_effect_of_the_16th_birthday_comes_from_the_policy(national_policy) -> None:
    at = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO)
    facts = _facts(datetime.date(2011, 1, 10), at)
    sixteen = next(c for c in changes_ahead(national_policy, facts, at) if c.age == 16)
    items = probe_items(facts)
    result = effect(national_policy, facts, [PARENT, facts.child], items, sixteen.at)
    assert result[PARENT] == (len(items), 0)  # the main rule until 16, then nothing unmarked
    assert result[facts.child] == (0, len(items))  # the child's own access from 16
