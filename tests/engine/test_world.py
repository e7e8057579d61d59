"""The world beyond the four families: register status, ids that change, holders' validity and
protection, the wish apart from competence, confided items, withholding from the patient,
sharing from 16, care orders, scopes by kind and items from many systems — one test per rule
and boundary."""

from __future__ import annotations

import datetime

import pytest

from access_policy.age import OSLO
from access_policy.decisions import Decision, Reason, decide, decide_many
from access_policy.facts import (
    AccessProfile,
    AddressProtection,
    Assessment,
    Author,
    CareOrder,
    ChildFacts,
    Exemption,
    Holder,
    IdLink,
    Item,
    ItemKind,
    NecessaryInformation,
    Reference,
    RegisterStatus,
    Representation,
    Responsibility,
    Scope,
    SharingGrant,
)
from access_policy.identity import make_person_id
from access_policy.policy import Policy

T = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
MOTHER = make_person_id(datetime.date(1980, 1, 1), 1)
MOTHER_OLD = make_person_id(datetime.date(1980, 1, 1), 7, d_number=True)
FATHER = make_person_id(datetime.date(1979, 5, 5), 2)
STRANGER = make_person_id(datetime.date(1960, 3, 3), 3)
SERVICE = "974589001"  # the child welfare service
GP_SYSTEM = "974589028"  # another organisation's journal system
NOTE = Item(id="D1", kind=ItemKind.NOTE, pathway="P1", referral="H1", created=T - 30 * DAY)
APPOINTMENT = Item(id="A1", kind=ItemKind.APPOINTMENT, pathway="P1")
OTHER = Item(id="X1", kind=ItemKind.DOCUMENT)


def born(years: int) -> datetime.date:
    """A birth date `years` (and a few months) before T."""
    return datetime.date(2026 - years, 6, 1)


def child_id(years: int, *, d_number: bool = False) -> str:
    return make_person_id(born(years), 0 if not d_number else 9, d_number=d_number)


def family(years: int = 10, *, holders: tuple[Holder, ...] | None = None, **values: object) -> ChildFacts:
    """A child with both parents holding joint responsibility; `values` go to the facts or the representation."""
    register = {key: values.pop(key) for key in ("status", "death_date", "former_ids", "address_protection") if key in values}
    retrieved = values.pop("retrieved_at", T - HOUR)
    representation = Representation(
        id="REG1",
        birth_date=born(years),
        holders=holders if holders is not None else (
            Holder(id=MOTHER, responsibility=Responsibility.FELLES), Holder(id=FATHER, responsibility=Responsibility.FELLES),
        ),
        retrieved_at=retrieved,
        **register,
    )
    return ChildFacts(child=values.pop("child", child_id(years)), representation=representation, **values)


def seen(policy: Policy, facts: ChildFacts, requester: str, item: Item = NOTE, at: datetime.datetime = T) -> tuple[str, str]:
    decision = decide(policy, facts, requester, item, at)
    return decision.effect.value, decision.rule


def codes(decision: Decision) -> set[str]:
    return {reason.code for reason in decision.reasons}


# --- register status and death -------------------------------------------------------------------


def test_a_child_is_deceased_from_midnight_oslo_time_on_the_death_date(national_policy: Policy) -> None:
    """The day before the death date the main rule applies; from 00:00 Oslo time nobody sees anything."""
    died = datetime.date(2026, 11, 30)
    midnight = datetime.datetime(2026, 11, 30, 0, 0, tzinfo=OSLO)
    facts = family(10, status=RegisterStatus.DOED, death_date=died, retrieved_at=midnight - HOUR)
    assert seen(national_policy, facts, MOTHER, at=midnight - datetime.timedelta(seconds=1)) == ("permit", "main-rule")
    assert seen(national_policy, facts, MOTHER, at=midnight) == ("deny", "child-deceased")
    decision = decide(national_policy, facts, MOTHER, NOTE, midnight)
    assert Reason("child-deceased", detail="2026-11-30") in decision.reasons
    assert "pbrl-5-1-5" in decision.legal_basis


def test_a_death_without_a_date_counts_from_always(national_policy: Policy) -> None:
    facts = family(10, status=RegisterStatus.DOED)
    assert seen(national_policy, facts, MOTHER) == ("deny", "child-deceased")


def test_a_deceased_adolescent_has_no_own_access(national_policy: Policy) -> None:
    facts = family(17, status=RegisterStatus.DOED, death_date=datetime.date(2026, 11, 1))
    assert seen(national_policy, facts, facts.child) == ("deny", "child-deceased")


@pytest.mark.parametrize(
    "status, parent_rule, own_rule",
    [
        (RegisterStatus.BOSATT, "main-rule", "own-record-16"),
        (RegisterStatus.FOEDSELSREGISTRERT, "main-rule", "own-record-16"),
        (RegisterStatus.MIDLERTIDIG, "main-rule", "own-record-16"),
        (RegisterStatus.UTFLYTTET, "child-not-resident", "own-record-16"),
        (RegisterStatus.IKKE_BOSATT, "child-not-resident", "own-record-16"),
        (RegisterStatus.FORSVUNNET, "child-id-inactive", "child-id-inactive"),
        (RegisterStatus.OPPHOERT, "child-id-inactive", "child-id-inactive"),
        (RegisterStatus.INAKTIV, "child-id-inactive", "child-id-inactive"),
    ],
)
def test_each_register_status(national_policy: Policy, status: RegisterStatus, parent_rule: str, own_rule: str) -> None:
    """What the mother of a 10-year-old and a 16-year-old themselves see, per `folkeregisterpersonstatus`."""
    assert seen(national_policy, family(10, status=status), MOTHER)[1] == parent_rule
    adolescent = family(16, status=status)
    assert seen(national_policy, adolescent, adolescent.child)[1] == own_rule


# --- the requester's relation comes first (issue 13) ---------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"address_protection": AddressProtection.STRENGT_FORTROLIG},
        {"status": RegisterStatus.DOED},
        {"status": RegisterStatus.UTFLYTTET},
        {"exemptions": (Exemption(id="U1", scope=Scope(item="D1"), applies_to="all", legal_basis="pbrl-3-4-3", reason="r"),)},
        {"care_orders": (CareOrder(id="C1", organisation=SERVICE, valid_from=T - DAY),)},
    ],
)
def test_a_stranger_learns_nothing_about_the_child(national_policy: Policy, values: dict) -> None:
    """Whatever the child's facts, a stranger gets the same rule and reasons as for any child."""
    plain = decide(national_policy, family(10), STRANGER, NOTE, T)
    other = decide(national_policy, family(10, **values), STRANGER, NOTE, T)
    assert (other.rule, other.reasons) == (plain.rule, plain.reasons) == ("no-parental-responsibility", (Reason("no-parental-responsibility"),))


# --- holders: validity and their own protection --------------------------------------------------


def test_an_ended_responsibility_record_is_not_a_holder(national_policy: Policy) -> None:
    ended = family(10, holders=(Holder(id=MOTHER, responsibility=Responsibility.FELLES, valid_until=T - DAY),))
    decision = decide(national_policy, ended, MOTHER, NOTE, T)
    assert (decision.rule, codes(decision)) == ("no-parental-responsibility", {"parental-responsibility-ended"})


def test_a_record_not_yet_in_force_is_not_a_holder(national_policy: Policy) -> None:
    future = family(10, holders=(Holder(id=MOTHER, responsibility=Responsibility.MOR, valid_from=T + HOUR),))
    assert seen(national_policy, future, MOTHER) == ("deny", "no-parental-responsibility")
    current = family(10, holders=(Holder(id=MOTHER, responsibility=Responsibility.MOR, valid_from=T),))
    assert seen(national_policy, current, MOTHER) == ("permit", "main-rule")


@pytest.mark.parametrize("grading", [AddressProtection.FORTROLIG, AddressProtection.STRENGT_FORTROLIG])
def test_a_holder_with_a_confidential_address_cannot_represent(national_policy: Policy, grading: AddressProtection) -> None:
    facts = family(10, holders=(
        Holder(id=MOTHER, responsibility=Responsibility.FELLES, address_protection=grading),
        Holder(id=FATHER, responsibility=Responsibility.FELLES),
    ))
    decision = decide(national_policy, facts, MOTHER, NOTE, T)
    assert (decision.rule, decision.reasons) == ("requester-address-protection", (Reason("requester-address-protection", detail=grading.value),))
    assert seen(national_policy, facts, FATHER) == ("permit", "main-rule")


def test_a_client_address_does_not_stop_a_holder(national_policy: Policy) -> None:
    facts = family(10, holders=(Holder(id=MOTHER, responsibility=Responsibility.FELLES, address_protection=AddressProtection.KLIENTADRESSE),))
    assert seen(national_policy, facts, MOTHER) == ("permit", "main-rule")


# --- ids that change -----------------------------------------------------------------------------


def _mother_with_history(**values: object) -> ChildFacts:
    holders = (Holder(id=MOTHER, responsibility=Responsibility.FELLES, former_ids=(MOTHER_OLD,)),
               Holder(id=FATHER, responsibility=Responsibility.FELLES))
    return family(10, holders=holders, **values)


def test_an_exemption_under_the_mothers_former_id_still_applies(national_policy: Policy) -> None:
    """An exemption "from the mother" recorded under her D-number holds when she logs in with her new number."""
    exemption = Exemption(id="U1", scope=Scope(item="D1"), applies_to=(MOTHER_OLD,), legal_basis="pbrl-3-4-3", reason="r")
    facts = _mother_with_history(exemptions=(exemption,))
    assert seen(national_policy, facts, MOTHER) == ("deny", "exemption")
    assert seen(national_policy, facts, MOTHER_OLD) == ("deny", "exemption")
    assert seen(national_policy, facts, MOTHER, APPOINTMENT) == ("permit", "main-rule")
    assert seen(national_policy, facts, FATHER) == ("permit", "main-rule")


def test_a_register_id_link_alone_joins_the_ids(national_policy: Policy) -> None:
    """Links from earlier snapshots (the store's history) join ids the current record no longer lists."""
    profile = AccessProfile(id="T1", representative=MOTHER_OLD, kinds=(ItemKind.APPOINTMENT,))
    without_link = family(10, access_profiles=(profile,))
    assert seen(national_policy, without_link, MOTHER) == ("permit", "main-rule")  # the control: nothing joins them
    linked = family(10, access_profiles=(profile,), id_links=(IdLink(former=MOTHER_OLD, current=MOTHER),))
    assert seen(national_policy, linked, MOTHER) == ("deny", "access-profile")


def test_the_childs_former_id_is_the_child(national_policy: Policy) -> None:
    """The adolescent asking under a former id is the child; an exemption naming that id withholds from them."""
    old = child_id(16, d_number=True)
    withheld = Exemption(id="U9", scope=Scope(pathway="P1"), applies_to=(old,), legal_basis="pbrl-5-1-2", reason="r")
    facts = family(16, former_ids=(old,), exemptions=(withheld,))
    assert seen(national_policy, facts, facts.child) == ("deny", "withheld-from-patient")
    assert seen(national_policy, facts, old) == ("deny", "withheld-from-patient")
    assert seen(national_policy, facts, old, OTHER) == ("permit", "own-record-16")


def test_ids_that_join_the_child_with_a_holder_deny(national_policy: Policy) -> None:
    """An id link that makes the mother and the child one person is doubt: nobody asking as the child is shown anything."""
    facts = family(16)
    broken = facts.model_copy(update={"id_links": (IdLink(former=MOTHER, current=facts.child),)})
    decision = decide(national_policy, broken, facts.child, NOTE, T)
    assert (decision.effect.value, decision.rule, decision.reasons[0].detail) == ("deny", "engine-error", "conflicting-ids")
    assert seen(national_policy, facts, facts.child) == ("permit", "own-record-16")


# --- the wish, competence and confided items -----------------------------------------------------


def test_the_wish_without_competence_hides_from_the_parents(national_policy: Policy) -> None:
    """pbrl §3-4 second paragraph sets no condition of competence: the wish alone keeps the parents out."""
    wish = Assessment(id="V1", scope=Scope(pathway="P1"), adolescent_can_consent=False, parents_informed=False)
    facts = family(14, assessments=(wish,))
    decision = decide(national_policy, facts, MOTHER, NOTE, T)
    assert (decision.effect.value, decision.rule) == ("deny", "adolescent-wish")
    assert Reason("adolescent-wish", fact="V1") in decision.reasons
    assert seen(national_policy, facts, facts.child) == ("deny", "default-deny")  # no competence: no own access
    assert seen(national_policy, facts, MOTHER, OTHER) == ("permit", "main-rule")


def test_competence_with_the_parents_informed_shows_both(national_policy: Policy) -> None:
    consent = Assessment(id="V2", scope=Scope(pathway="P1"), adolescent_can_consent=True, parents_informed=True)
    facts = family(14, assessments=(consent,))
    assert seen(national_policy, facts, MOTHER) == ("permit", "main-rule")
    decision = decide(national_policy, facts, facts.child, NOTE, T)
    assert (decision.rule, decision.reasons[-1]) == ("own-record-consent", Reason("adolescent-consents", fact="V2"))


def test_necessary_information_wins_over_the_wish(national_policy: Policy) -> None:
    wish = Assessment(id="V1", scope=Scope(pathway="P1"), parents_informed=False)
    mark = NecessaryInformation(id="N1", scope=Scope(item="D1"), applies_to="all", reason="r")
    assert seen(national_policy, family(14, assessments=(wish,), necessary_information=(mark,)), MOTHER) == ("permit", "necessary-information")


def _ended_wish(**changes: object) -> Assessment:
    values = dict(id="V1", scope=Scope(pathway="P1"), parents_informed=False, valid_from=T - 60 * DAY, valid_until=T - DAY)
    values.update(changes)
    return Assessment(**values)


def test_items_confided_under_an_ended_wish_stay_hidden(national_policy: Policy) -> None:
    facts = family(14, assessments=(_ended_wish(),))
    decision = decide(national_policy, facts, MOTHER, NOTE, T)  # created 30 days ago: inside the window
    assert decision.rule == "adolescent-wish" and Reason("confided-under-wish", fact="V1") in decision.reasons
    after = NOTE.model_copy(update={"created": T - HOUR})
    before = NOTE.model_copy(update={"created": T - 90 * DAY})
    undated = NOTE.model_copy(update={"created": None})
    assert seen(national_policy, facts, MOTHER, after) == ("permit", "main-rule")
    assert seen(national_policy, facts, MOTHER, before) == ("permit", "main-rule")
    assert seen(national_policy, facts, MOTHER, undated) == ("deny", "adolescent-wish")  # doubt: hidden


def test_the_window_ends_exactly_at_the_wishs_end(national_policy: Policy) -> None:
    facts = family(14, assessments=(_ended_wish(),))
    at_end = NOTE.model_copy(update={"created": T - DAY})
    just_before = NOTE.model_copy(update={"created": T - DAY - datetime.timedelta(seconds=1)})
    assert seen(national_policy, facts, MOTHER, at_end)[1] == "main-rule"
    assert seen(national_policy, facts, MOTHER, just_before)[1] == "adolescent-wish"


def test_a_revocation_releases_confided_items_only_when_it_says_so(national_policy: Policy) -> None:
    kept = _ended_wish(valid_until=None, revoked_at=T - DAY)
    released = _ended_wish(valid_until=None, revoked_at=T - DAY, release_confided=True)
    assert seen(national_policy, family(14, assessments=(kept,)), MOTHER) == ("deny", "adolescent-wish")
    assert seen(national_policy, family(14, assessments=(released,)), MOTHER) == ("permit", "main-rule")


# --- withholding from the patient ----------------------------------------------------------------


def test_withholding_from_the_patient_leaves_the_representatives_access(national_policy: Policy) -> None:
    """§5-1 second paragraph names the child; the third paragraph: the parents keep their access."""
    facts = family(14, assessments=(Assessment(id="V2", scope=Scope(pathway="P1"), adolescent_can_consent=True),))
    withheld = Exemption(id="U5", scope=Scope(item="D1"), applies_to=(facts.child,), legal_basis="pbrl-5-1-2", reason="r")
    facts = facts.model_copy(update={"exemptions": (withheld,)})
    decision = decide(national_policy, facts, facts.child, NOTE, T)
    assert decision.rule == "withheld-from-patient"
    assert decision.reasons == (Reason("own-record"), Reason("withheld-from-patient", fact="U5", detail="pbrl-5-1-2"))
    assert seen(national_policy, facts, MOTHER) == ("permit", "main-rule")
    assert seen(national_policy, facts, facts.child, APPOINTMENT) == ("permit", "own-record-consent")


def test_an_exemption_for_all_representatives_never_withholds_from_the_child(national_policy: Policy) -> None:
    everyone = Exemption(id="U1", scope=Scope(item="D1"), applies_to="all", legal_basis="pbrl-3-4-3", reason="r")
    facts = family(16, exemptions=(everyone,))
    assert seen(national_policy, facts, facts.child) == ("permit", "own-record-16")


# --- sharing from 16 -----------------------------------------------------------------------------


def _grant(child: str, **changes: object) -> SharingGrant:
    values = dict(id="S1", grantee=MOTHER, scope=Scope(all=True), author=Author(person=child))
    values.update(changes)
    return SharingGrant(**values)


def test_a_sixteen_year_old_shares_with_the_mother(national_policy: Policy) -> None:
    child = child_id(16)
    facts = family(16, sharing_grants=(_grant(child),))
    decision = decide(national_policy, facts, MOTHER, NOTE, T)
    assert (decision.rule, decision.reasons[-1]) == ("shared-by-adolescent", Reason("sharing-grant", fact="S1"))
    assert seen(national_policy, facts, FATHER) == ("deny", "child-16-17")


def test_a_withdrawn_grant_shows_nothing(national_policy: Policy) -> None:
    child = child_id(16)
    withdrawn = T - datetime.timedelta(minutes=10)
    facts = family(16, sharing_grants=(_grant(child, revoked_at=withdrawn),))
    assert seen(national_policy, facts, MOTHER) == ("deny", "child-16-17")
    assert seen(national_policy, facts, MOTHER, at=withdrawn) == ("deny", "child-16-17")
    assert seen(national_policy, facts, MOTHER, at=withdrawn - datetime.timedelta(seconds=1)) == ("permit", "shared-by-adolescent")


def test_sharing_ends_at_18(national_policy: Policy) -> None:
    child = child_id(18)
    assert seen(national_policy, family(18, sharing_grants=(_grant(child),)), MOTHER) == ("deny", "child-adult")


def test_no_grant_overrides_an_exemption(national_policy: Policy) -> None:
    child = child_id(16)
    exemption = Exemption(id="U1", scope=Scope(item="D1"), applies_to=(MOTHER,), legal_basis="pbrl-3-4-3", reason="r")
    facts = family(16, sharing_grants=(_grant(child),), exemptions=(exemption,))
    assert seen(national_policy, facts, MOTHER) == ("deny", "exemption")
    assert seen(national_policy, facts, MOTHER, APPOINTMENT) == ("permit", "shared-by-adolescent")


def test_a_grant_of_some_kinds_of_a_pathway(national_policy: Policy) -> None:
    child = child_id(17)
    grant = _grant(child, scope=Scope(pathway="P1", kinds=(ItemKind.APPOINTMENT,)))
    facts = family(17, sharing_grants=(grant,))
    assert seen(national_policy, facts, MOTHER, APPOINTMENT) == ("permit", "shared-by-adolescent")
    assert seen(national_policy, facts, MOTHER, NOTE) == ("deny", "child-16-17")


def test_a_grant_not_made_by_the_adolescent_shows_nothing(national_policy: Policy) -> None:
    """Sharing is the adolescent's own consent: a grant authored by anyone else is not honoured."""
    facts = family(16, sharing_grants=(_grant(child_id(16), author=Author(person=FATHER)),))
    assert seen(national_policy, facts, MOTHER) == ("deny", "child-16-17")


def test_a_grant_to_someone_no_longer_a_holder_shows_nothing(national_policy: Policy) -> None:
    facts = family(16, holders=(Holder(id=FATHER, responsibility=Responsibility.FAR),), sharing_grants=(_grant(child_id(16)),))
    assert seen(national_policy, facts, MOTHER) == ("deny", "no-parental-responsibility")


# --- care orders ---------------------------------------------------------------------------------


def test_a_care_order_suspends_the_parents_and_makes_the_service_the_holder(national_policy: Policy) -> None:
    order = CareOrder(id="C1", organisation=SERVICE, valid_from=T - 30 * DAY, valid_until=T + 30 * DAY)
    facts = family(10, care_orders=(order,))
    decision = decide(national_policy, facts, MOTHER, NOTE, T)
    assert (decision.rule, decision.reasons) == ("care-order", (Reason("care-order", fact="C1"),))
    service = decide(national_policy, facts, SERVICE, NOTE, T)
    assert (service.rule, service.reasons) == ("main-rule", (Reason("care-order-service", fact="C1"),))
    assert seen(national_policy, facts, "974589036") == ("deny", "no-parental-responsibility")  # another service


def test_a_care_order_from_and_to(national_policy: Policy) -> None:
    order = CareOrder(id="C1", organisation=SERVICE, valid_from=T, valid_until=T + DAY)
    facts = family(10, care_orders=(order,))
    assert seen(national_policy, facts, MOTHER, at=T - datetime.timedelta(seconds=1)) == ("permit", "main-rule")
    assert seen(national_policy, facts, SERVICE, at=T - datetime.timedelta(seconds=1)) == ("deny", "no-parental-responsibility")
    assert seen(national_policy, facts, MOTHER, at=T) == ("deny", "care-order")
    assert seen(national_policy, facts, MOTHER, at=T + DAY - HOUR) == ("deny", "care-order")


def test_the_service_sees_as_a_holder_does_at_16(national_policy: Policy) -> None:
    facts = family(16, care_orders=(CareOrder(id="C1", organisation=SERVICE, valid_from=T - DAY),))
    assert seen(national_policy, facts, SERVICE) == ("deny", "child-16-17")
    assert seen(national_policy, facts, facts.child) == ("permit", "own-record-16")


# --- scopes by kind and items from many systems --------------------------------------------------


def test_an_exemption_of_the_notes_of_a_pathway(national_policy: Policy) -> None:
    notes = Exemption(id="U1", scope=Scope(pathway="P1", kinds=(ItemKind.NOTE,)), applies_to="all", legal_basis="pbrl-3-4-3", reason="r")
    facts = family(10, exemptions=(notes,))
    decisions = decide_many(national_policy, facts, MOTHER, [NOTE, APPOINTMENT, NOTE], T)
    assert [d.rule for d in decisions] == ["exemption", "main-rule", "exemption"]


def test_a_fact_matches_only_its_own_source_system(national_policy: Policy) -> None:
    """The hospital's exemption of `D1` does not hide the GP system's `D1`, nor its pathway `P1`."""
    exemption = Exemption(id="U1", scope=Scope(item="D1"), applies_to="all", legal_basis="pbrl-3-4-3", reason="r")
    pathway = Exemption(id="U2", scope=Scope(pathway="P1", system=GP_SYSTEM), applies_to="all", legal_basis="pbrl-3-4-3", reason="r")
    facts = family(10, exemptions=(exemption, pathway))
    from_gp = Item(id="D1", system=GP_SYSTEM, kind=ItemKind.NOTE)
    gp_pathway = Item(id="Z9", system=GP_SYSTEM, kind=ItemKind.NOTE, pathway="P1")
    local_pathway_of_gp_item = Item(id="Z8", system=GP_SYSTEM, kind=ItemKind.NOTE, pathway={"system": "local", "value": "P1"})
    decisions = decide_many(national_policy, facts, MOTHER, [NOTE, from_gp, gp_pathway, local_pathway_of_gp_item, APPOINTMENT], T)
    assert [d.rule for d in decisions] == ["exemption", "main-rule", "exemption", "main-rule", "main-rule"]
    assert decisions[2].reasons[0].fact == "U2"


def test_a_reference_in_another_system_is_matched_in_full(national_policy: Policy) -> None:
    mark = NecessaryInformation(id="N1", scope=Scope(item=Reference(system=GP_SYSTEM, value="D1")), applies_to="all", reason="r")
    facts = family(16, necessary_information=(mark,))
    assert seen(national_policy, facts, MOTHER, Item(id="D1", system=GP_SYSTEM, kind=ItemKind.NOTE)) == ("permit", "necessary-information")
    assert seen(national_policy, facts, MOTHER, NOTE) == ("deny", "child-16-17")
