"""The timeline filter, one test per source of its horizon and per shape of its condition."""

from __future__ import annotations

import datetime

import pytest

from access_policy.age import OSLO
from access_policy.decisions import decide_many
from access_policy.facts import (
    AccessProfile,
    Assessment,
    Author,
    CareOrder,
    ChildFacts,
    Exemption,
    Holder,
    Item,
    ItemKind,
    RegisterStatus,
    Representation,
    Responsibility,
    Scope,
    SharingGrant,
)
from access_policy.filter import AllOf, AnyOf, CreatedIn, KindIn, RefIn, compile_filter, to_fhir, to_sql
from access_policy.identity import make_person_id
from access_policy.policy import load_policy

POLICY = load_policy()
T = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
MOTHER = make_person_id(datetime.date(1980, 1, 1), 1)
FATHER = make_person_id(datetime.date(1979, 5, 5), 2)
STRANGER = make_person_id(datetime.date(1960, 3, 3), 3)
SERVICE = "974589001"
GP = "974589028"


def oslo_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=OSLO)


def family(birth: datetime.date = datetime.date(2016, 6, 1), *, holders=None, retrieved_at=T - HOUR, **values) -> ChildFacts:
    """A child with both parents holding joint responsibility; `values` go to the facts or the representation."""
    register = {key: values.pop(key) for key in ("status", "death_date") if key in values}
    representation = Representation(
        id="REG1", birth_date=birth, retrieved_at=retrieved_at,
        holders=holders or (Holder(id=MOTHER, responsibility=Responsibility.FELLES), Holder(id=FATHER, responsibility=Responsibility.FELLES)),
        **register,
    )
    return ChildFacts(child=make_person_id(birth, 0), representation=representation, **values)


def exemption(scope: dict, **validity) -> Exemption:
    return Exemption(id="U1", scope=Scope(**scope), applies_to="all", legal_basis="pbrl-3-4-3", reason="r", **validity)


ITEMS = [
    Item(id="D1", kind=ItemKind.NOTE, pathway="P1", created=T - 10 * DAY),
    Item(id="D2", kind=ItemKind.APPOINTMENT, pathway="P1", created=T - 30 * DAY),
    Item(id="D3", kind=ItemKind.NOTE, referral="H1"),
    Item(id="D1", system=GP, kind=ItemKind.DOCUMENT, pathway={"system": GP, "value": "P1"}, created=T),
    Item(id="D4", kind=ItemKind.TEST_RESULT, created=T + 2 * DAY),
]


def agrees(facts: ChildFacts, requester: str, at: datetime.datetime) -> None:
    """The filter shows exactly the items the per-item decisions permit."""
    compiled = compile_filter(POLICY, facts, requester, at)
    assert [compiled.matches(i) for i in ITEMS] == [d.permitted for d in decide_many(POLICY, facts, requester, ITEMS, at)]


# ----------------------------------------------------------------------------- the condition


def test_no_facts_and_a_holder_is_all_until_the_register_data_goes_stale() -> None:
    facts = family()
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.mode == "all" and compiled.show is None
    # Stale once older than the policy's limit (strictly): the first microsecond after it.
    assert compiled.valid_until == T - HOUR + POLICY.settings.max_representation_age + datetime.timedelta(microseconds=1)
    assert compile_filter(POLICY, facts, MOTHER, compiled.valid_until).mode == "none"


def test_an_exempted_item_is_withheld_by_its_qualified_id_until_the_exemption_ends() -> None:
    facts = family(exemptions=(exemption({"item": "D1"}, valid_until=T + 5 * DAY),))
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.mode == "conditions"
    assert compiled.show == RefIn("id", frozenset({("local", "D1")}), negate=True)
    assert compiled.as_dict() == {"mode": "conditions", "show": {"field": "id", "not_in": [{"system": "local", "value": "D1"}]}}
    assert compiled.valid_until == T + 5 * DAY  # the exemption's end (exclusive)
    agrees(facts, MOTHER, T)
    assert not compiled.matches(ITEMS[0]) and compiled.matches(ITEMS[3])  # same id, another system


def test_an_exemption_that_starts_later_sets_the_horizon_at_its_start() -> None:
    facts = family(exemptions=(exemption({"pathway": "P1"}, valid_from=T + 2 * DAY),))
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.mode == "all" and compiled.valid_until == T + 2 * DAY
    later = compile_filter(POLICY, facts, MOTHER, T + 2 * DAY)
    assert later.show == RefIn("pathway", frozenset({("local", "P1")}), negate=True)


def test_a_revocation_recorded_ahead_ends_the_exemption_at_its_time() -> None:
    facts = family(exemptions=(exemption({"referral": "H1"}, revoked_at=T + DAY),))
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.show == RefIn("referral", frozenset({("local", "H1")}), negate=True)
    assert compiled.valid_until == T + DAY


def test_an_access_profile_shows_only_its_kinds_until_it_ends() -> None:
    profile = AccessProfile(id="T1", representative=MOTHER, kinds=(ItemKind.APPOINTMENT,), valid_until=T + 3 * DAY)
    facts = family(access_profiles=(profile,))
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.show == KindIn(frozenset({ItemKind.APPOINTMENT}))
    assert compiled.valid_until == T + 3 * DAY
    assert compile_filter(POLICY, facts, FATHER, T).mode == "all"
    agrees(facts, MOTHER, T)


def test_a_kind_restricted_exemption_over_a_pathway_is_a_conjunction() -> None:
    facts = family(exemptions=(exemption({"pathway": "P1", "kinds": ["note"]}),))
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.show == AnyOf((RefIn("pathway", frozenset({("local", "P1")}), negate=True), KindIn(frozenset({ItemKind.NOTE}), negate=True)))
    agrees(facts, MOTHER, T)


def test_a_multi_system_scope_names_its_system() -> None:
    facts = family(exemptions=(exemption({"pathway": {"system": GP, "value": "P1"}}),))
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.show == RefIn("pathway", frozenset({(GP, "P1")}), negate=True)
    assert [compiled.matches(i) for i in ITEMS] == [True, True, True, False, True]


def test_sharing_at_16_shows_only_the_shared_scope_and_never_an_exempted_item() -> None:
    birth = datetime.date(2010, 3, 1)  # 16 at T
    grant = SharingGrant(id="S1", grantee=MOTHER, scope=Scope(pathway="P1"), author=Author(person=make_person_id(birth, 0)))
    facts = family(birth, sharing_grants=(grant,), exemptions=(exemption({"item": "D1"}),))
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.show == AllOf((RefIn("id", frozenset({("local", "D1")}), negate=True), RefIn("pathway", frozenset({("local", "P1")}))))
    agrees(facts, MOTHER, T)
    assert compile_filter(POLICY, facts, FATHER, T).mode == "none"


def test_confided_items_after_an_ended_wish_are_a_created_window_and_unknown_created_counts_as_confided() -> None:
    birth = datetime.date(2012, 6, 1)  # 14 at T
    start, end = T - 20 * DAY, T - DAY
    wish = Assessment(id="V1", scope=Scope(pathway="P1"), parents_informed=False, valid_from=start, valid_until=end)
    facts = family(birth, assessments=(wish,))
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    path = RefIn("pathway", frozenset({("local", "P1")}), negate=True)
    # Shown: outside the pathway, or created (known) outside the window.
    assert compiled.show == AnyOf((path, CreatedIn(((None, start), (end, None)), unknown=False)))
    undated = Item(id="D9", kind=ItemKind.NOTE, pathway="P1")
    assert not compiled.matches(undated)
    assert decide_many(POLICY, facts, MOTHER, [undated], T)[0].permitted is False
    agrees(facts, MOTHER, T)


def test_released_confided_items_show_again() -> None:
    birth = datetime.date(2012, 6, 1)
    wish = Assessment(id="V1", scope=Scope(pathway="P1"), parents_informed=False, valid_from=T - 20 * DAY,
                      revoked_at=T - DAY, release_confided=True)
    assert compile_filter(POLICY, family(birth, assessments=(wish,)), MOTHER, T).mode == "all"


def test_an_active_wish_ending_later_sets_the_horizon_at_its_end() -> None:
    birth = datetime.date(2012, 6, 1)
    wish = Assessment(id="V1", scope=Scope(pathway="P1"), parents_informed=False, valid_from=T - DAY, valid_until=T + 2 * DAY)
    facts = family(birth, assessments=(wish,))
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.show == RefIn("pathway", frozenset({("local", "P1")}), negate=True)
    assert compiled.valid_until == T + 2 * DAY
    after = compile_filter(POLICY, facts, MOTHER, T + 2 * DAY)
    assert after.matches(Item(id="N", kind=ItemKind.NOTE, pathway="P1", created=T + 3 * DAY))
    assert not after.matches(Item(id="N", kind=ItemKind.NOTE, pathway="P1", created=T))


# ----------------------------------------------------------------------------- the horizon, by source


@pytest.mark.parametrize(("birth", "turns", "wishes"), [
    (datetime.date(2014, 12, 3), datetime.date(2026, 12, 3), True),   # 12: an undated wish starts to count
    (datetime.date(2010, 12, 3), datetime.date(2026, 12, 3), False),  # 16: the parents' access ends
])
def test_the_birthday_at_12_or_16_is_the_horizon_at_midnight_oslo_time(birth, turns, wishes) -> None:
    wish = Assessment(id="V1", scope=Scope(pathway="P1"), parents_informed=False)
    facts = family(birth, assessments=(wish,) if wishes else ())
    compiled = compile_filter(POLICY, facts, MOTHER, T)
    assert compiled.mode == "all"
    assert compiled.valid_until == oslo_midnight(turns)
    assert compile_filter(POLICY, facts, MOTHER, oslo_midnight(turns)).mode != "all"


def test_the_18th_birthday_ends_sharing_and_29_february_turns_on_28_february() -> None:
    birth = datetime.date(2008, 2, 29)
    at = datetime.datetime(2026, 2, 25, 12, tzinfo=OSLO)
    grant = SharingGrant(id="S1", grantee=MOTHER, scope=Scope(all=True), author=Author(person=make_person_id(birth, 0)))
    facts = family(birth, sharing_grants=(grant,), retrieved_at=at - HOUR)
    compiled = compile_filter(POLICY, facts, MOTHER, at)
    assert compiled.mode == "all"
    assert compiled.valid_until == oslo_midnight(datetime.date(2026, 2, 28))
    assert compiled.valid_until.astimezone(datetime.timezone.utc).hour == 23  # 27 February, 23:00 UTC


def test_a_holder_record_that_ends_is_the_horizon() -> None:
    holders = (Holder(id=MOTHER, responsibility=Responsibility.FELLES, valid_until=T + 4 * DAY),)
    compiled = compile_filter(POLICY, family(holders=holders), MOTHER, T)
    assert compiled.mode == "all" and compiled.valid_until == T + 4 * DAY


def test_a_death_date_is_the_horizon_at_midnight_oslo_time() -> None:
    day = (T + 3 * DAY).date()
    compiled = compile_filter(POLICY, family(status=RegisterStatus.DOED, death_date=day), MOTHER, T)
    assert compiled.mode == "all" and compiled.valid_until == oslo_midnight(day)


def test_a_care_order_starts_for_the_parents_and_ends_for_the_service() -> None:
    order = CareOrder(id="C1", organisation=SERVICE, valid_from=T + DAY, valid_until=T + 3 * DAY)
    facts = family(care_orders=(order,))
    assert compile_filter(POLICY, facts, MOTHER, T).valid_until == T + DAY
    during = compile_filter(POLICY, facts, SERVICE, T + DAY)
    assert during.mode == "all" and during.valid_until == T + 3 * DAY
    assert compile_filter(POLICY, facts, MOTHER, T + DAY).mode == "none"


def test_a_representation_retrieved_ahead_of_the_clock_becomes_current_within_the_skew() -> None:
    retrieved = T + HOUR
    compiled = compile_filter(POLICY, family(retrieved_at=retrieved), MOTHER, T)
    assert compiled.mode == "none"
    assert compiled.valid_until == retrieved - POLICY.settings.clock_skew


def test_a_stranger_gets_none_and_no_horizon_whatever_the_child_has() -> None:
    """Neither the filter nor its horizon tells a stranger about the child's birthdays, facts or death."""
    birth = datetime.date(2010, 12, 3)
    facts = family(birth, status=RegisterStatus.DOED, death_date=(T + 3 * DAY).date(),
                   exemptions=(exemption({"item": "D1"}, valid_until=T + DAY),))
    compiled = compile_filter(POLICY, facts, STRANGER, T)
    assert (compiled.mode, compiled.valid_until) == ("none", None)


def test_no_facts_at_all_is_none_and_a_naive_time_is_none() -> None:
    assert compile_filter(POLICY, None, MOTHER, T).mode == "none"
    assert compile_filter(POLICY, family(), MOTHER, T.replace(tzinfo=None)).mode == "none"


# ----------------------------------------------------------------------------- the helper forms


def test_the_sql_form_keeps_values_out_of_the_text() -> None:
    facts = family(exemptions=(exemption({"item": "D1'; DROP TABLE items; --"}),))
    clause, params = to_sql(compile_filter(POLICY, facts, MOTHER, T))
    assert "DROP" not in clause and "D1'; DROP TABLE items; --" in params
    assert clause == "NOT COALESCE(((system = %s AND id = %s)), FALSE)"
    assert to_sql(compile_filter(POLICY, facts, STRANGER, T)) == ("1 = 0", [])
    assert to_sql(compile_filter(POLICY, family(), MOTHER, T)) == ("1 = 1", [])


def test_the_fhir_form_for_ids_and_kinds_and_none_where_it_is_not_simple() -> None:
    facts = family(exemptions=(exemption({"item": "D1"}),))
    assert to_fhir(compile_filter(POLICY, facts, MOTHER, T)) == [("identifier:not", "local|D1")]
    profile = AccessProfile(id="T1", representative=MOTHER, kinds=(ItemKind.VACCINATION,))
    assert to_fhir(compile_filter(POLICY, family(access_profiles=(profile,)), MOTHER, T)) == [("_type", "Immunization")]
    pathway = family(exemptions=(exemption({"pathway": "P1"}),))
    assert to_fhir(compile_filter(POLICY, pathway, MOTHER, T)) is None
    assert to_fhir(compile_filter(POLICY, family(), MOTHER, T)) == []


def test_too_many_coverage_classes_fail_closed(monkeypatch) -> None:
    import access_policy.filter as module

    facts = family(exemptions=(exemption({"item": "D1"}),))
    monkeypatch.setattr(module, "MAX_CLASSES", 3)
    assert compile_filter(POLICY, facts, MOTHER, T).mode == "none"
