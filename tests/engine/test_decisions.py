"""The decision core: reasons with fact ids, legal bases, failing closed, and lists decided like items."""

from __future__ import annotations

import datetime
import logging

import pytest

from access_policy.age import OSLO
from access_policy.decisions import ENGINE_ERROR, Decision, Effect, Reason, decide, decide_many
from access_policy.facts import (
    AccessProfile,
    AddressProtection,
    Assessment,
    ChildFacts,
    Exemption,
    Holder,
    Item,
    ItemKind,
    NecessaryInformation,
    Representation,
    Responsibility,
    Scope,
)
from access_policy.identity import make_person_id
from access_policy.policy import Policy

T = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO)
MOTHER = make_person_id(datetime.date(1980, 1, 1), 1)
FATHER = make_person_id(datetime.date(1979, 5, 5), 2)
STRANGER = make_person_id(datetime.date(1960, 3, 3), 3)
CHILD_WELFARE = "123456785"

DOCUMENT = Item(id="D1", kind=ItemKind.DOCUMENT, pathway="P1", referral="H1")
RESULT = Item(id="R1", kind=ItemKind.TEST_RESULT, pathway="P2")
APPOINTMENT = Item(id="A1", kind=ItemKind.APPOINTMENT)


def child_aged(years: int) -> str:
    """A child's number for a child who is `years` old (and a few months) at T."""
    return make_person_id(datetime.date(2026 - years, 6, 1), 0)


def facts(years: int = 10, **values: object) -> ChildFacts:
    """A child with both parents holding joint responsibility, read an hour before T."""
    child = child_aged(years)
    representation = values.pop(
        "representation",
        Representation(
            id="REG1",
            birth_date=datetime.date(2026 - years, 6, 1),
            holders=(Holder(id=MOTHER, responsibility=Responsibility.FELLES), Holder(id=FATHER, responsibility=Responsibility.FELLES)),
            retrieved_at=T - datetime.timedelta(hours=1),
        ),
    )
    return ChildFacts(child=child, representation=representation, **values)


def exemption(fact_id: str = "U1", scope: Scope = Scope(item="D1"), applies_to: object = "all", basis: str = "pbrl-3-4-3") -> Exemption:
    """An exemption with defaults."""
    return Exemption(id=fact_id, scope=scope, applies_to=applies_to, legal_basis=basis, reason="Samtale med barnet")


def fact_ids(decision: Decision) -> set[str | None]:
    """The fact ids among a decision's reasons."""
    return {reason.fact for reason in decision.reasons}


# --- reasons and legal bases ---------------------------------------------------------------------


def test_the_main_rule(national_policy: Policy) -> None:
    """A holder sees an item of a child under 16, with the rule's legal basis and the policy version."""
    decision = decide(national_policy, facts(), MOTHER, DOCUMENT, T)
    assert decision.effect is Effect.PERMIT and decision.permitted
    assert decision.rule == "main-rule"
    assert "pbrl-3-4-1" in decision.legal_basis
    assert decision.policy_version == national_policy.version
    assert decision.reasons == (Reason("parental-responsibility", detail="felles"),)


def test_an_exemption_names_its_fact_and_adds_its_legal_basis(national_policy: Policy) -> None:
    """The exemption's id is a reason and its own legal basis joins the rule's."""
    decision = decide(national_policy, facts(exemptions=(exemption(basis="pbrl-5-1-2"),)), MOTHER, DOCUMENT, T)
    assert (decision.effect, decision.rule) == (Effect.DENY, "exemption")
    assert Reason("exemption", fact="U1", detail="pbrl-5-1-2") in decision.reasons
    assert "pbrl-5-1-2" in decision.legal_basis
    assert set(national_policy.rule("exemption").legal_basis) <= set(decision.legal_basis)


def test_every_covering_exemption_is_a_reason(national_policy: Policy) -> None:
    """Exemptions of the item, its pathway and its referral are all named."""
    exemptions = (
        exemption("U1", Scope(item="D1")),
        exemption("U2", Scope(pathway="P1"), basis="pbrl-5-1-2"),
        exemption("U3", Scope(referral="H1"), applies_to=(MOTHER,)),
        exemption("U4", Scope(pathway="P2")),
    )
    decision = decide(national_policy, facts(exemptions=exemptions), MOTHER, DOCUMENT, T)
    assert decision.rule == "exemption"
    assert fact_ids(decision) == {"U1", "U2", "U3"}
    assert {"pbrl-3-4-3", "pbrl-5-1-2"} <= set(decision.legal_basis)


def test_an_exemption_for_another_parent_is_no_reason(national_policy: Policy) -> None:
    """An exemption for the father alone neither denies nor is named for the mother."""
    child = facts(exemptions=(exemption(applies_to=(FATHER,)),))
    for_mother = decide(national_policy, child, MOTHER, DOCUMENT, T)
    for_father = decide(national_policy, child, FATHER, DOCUMENT, T)
    assert (for_mother.rule, for_mother.effect) == ("main-rule", Effect.PERMIT)
    assert "U1" not in fact_ids(for_mother)
    assert (for_father.rule, "U1" in fact_ids(for_father)) == ("exemption", True)


def test_a_necessary_information_mark_names_its_fact(national_policy: Policy) -> None:
    """At 17 a marked item is shown, and the mark is the reason."""
    mark = NecessaryInformation(id="N1", scope=Scope(pathway="P1"), applies_to="all", reason="Oppfølging")
    decision = decide(national_policy, facts(17, necessary_information=(mark,)), FATHER, DOCUMENT, T)
    assert (decision.effect, decision.rule) == (Effect.PERMIT, "necessary-information")
    assert Reason("necessary-information", fact="N1") in decision.reasons
    assert "pbrl-3-4-4" in decision.legal_basis


def test_an_assessment_names_its_fact(national_policy: Policy) -> None:
    """In the grey zone the assessment that hides the item is the reason, for parents and for the child."""
    hiding = Assessment(id="V1", scope=Scope(referral="H1"), adolescent_can_consent=True, parents_informed=False)
    child = facts(14, assessments=(hiding,))
    for_parent = decide(national_policy, child, MOTHER, DOCUMENT, T)
    for_child = decide(national_policy, child, child.child, DOCUMENT, T)
    assert (for_parent.effect, for_parent.rule) == (Effect.DENY, "adolescent-wish")
    assert Reason("adolescent-wish", fact="V1") in for_parent.reasons
    assert (for_child.effect, for_child.rule) == (Effect.PERMIT, "own-record-consent")
    assert "V1" in fact_ids(for_child)


def test_an_access_profile_names_its_fact(national_policy: Policy) -> None:
    """A kind outside the parent's profile is denied with the profile as the reason."""
    profile = AccessProfile(id="T1", representative=FATHER, kinds=(ItemKind.APPOINTMENT,))
    child = facts(access_profiles=(profile,))
    denied = decide(national_policy, child, FATHER, RESULT, T)
    shown = decide(national_policy, child, FATHER, APPOINTMENT, T)
    assert (denied.rule, denied.effect) == ("access-profile", Effect.DENY)
    assert Reason("access-profile", fact="T1", detail="test_result excludes") in denied.reasons
    assert (shown.rule, shown.effect) == ("main-rule", Effect.PERMIT)


def test_stale_representation_names_the_register_extract(national_policy: Policy) -> None:
    """Representation older than the maximum age is denied with the extract as the reason."""
    old = Representation(
        id="REG1", birth_date=datetime.date(2016, 6, 1), retrieved_at=T - datetime.timedelta(days=8),
        holders=(Holder(id=MOTHER, responsibility=Responsibility.FELLES),),
    )
    decision = decide(national_policy, facts(representation=old), MOTHER, DOCUMENT, T)
    assert (decision.effect, decision.rule) == (Effect.DENY, "no-current-representation")
    assert [(r.code, r.fact) for r in decision.reasons] == [("stale-representation", "REG1")]


def test_address_protection_is_the_reason(national_policy: Policy) -> None:
    """The protection grading is named, not the address."""
    protected = Representation(
        birth_date=datetime.date(2016, 6, 1), retrieved_at=T, address_protection=AddressProtection.FORTROLIG,
        holders=(Holder(id=MOTHER, responsibility=Responsibility.FELLES),),
    )
    decision = decide(national_policy, facts(representation=protected), MOTHER, DOCUMENT, T)
    assert decision.rule == "address-protection"
    assert Reason("address-protection", detail="fortrolig") in decision.reasons


@pytest.mark.parametrize(
    ("holders", "code"),
    [
        ((Holder(id=FATHER, responsibility=Responsibility.FAR),), "no-parental-responsibility"),
        ((Holder(id=MOTHER, responsibility=Responsibility.UKJENT),), "responsibility-unknown"),
        ((Holder(id=MOTHER, responsibility=Responsibility.MOR), Holder(id=MOTHER, responsibility=Responsibility.UKJENT)), "conflicting-representation"),
    ],
)
def test_non_holders_are_denied_with_the_reason(national_policy: Policy, holders: tuple[Holder, ...], code: str) -> None:
    """Not listed, listed as `ukjent`, or listed both ways: no parental responsibility."""
    representation = Representation(birth_date=datetime.date(2016, 6, 1), retrieved_at=T, holders=holders)
    decision = decide(national_policy, facts(representation=representation), MOTHER, DOCUMENT, T)
    assert (decision.effect, decision.rule) == (Effect.DENY, "no-parental-responsibility")
    assert [reason.code for reason in decision.reasons] == [code]


def test_an_organisation_holder(national_policy: Policy) -> None:
    """The child welfare service, holding responsibility by its organisation number, is a representative."""
    representation = Representation(
        birth_date=datetime.date(2016, 6, 1), retrieved_at=T,
        holders=(Holder(organisation=CHILD_WELFARE, responsibility=Responsibility.ANDRE),),
    )
    child = facts(representation=representation)
    assert decide(national_policy, child, CHILD_WELFARE, DOCUMENT, T).rule == "main-rule"
    assert decide(national_policy, child, MOTHER, DOCUMENT, T).rule == "no-parental-responsibility"


# --- failing closed ------------------------------------------------------------------------------


def test_a_naive_time_denies(national_policy: Policy) -> None:
    """A decision time without an offset gives deny with `engine-error`, not an exception."""
    decision = decide(national_policy, facts(), MOTHER, DOCUMENT, datetime.datetime(2026, 11, 30, 12, 0))
    assert (decision.effect, decision.rule) == (Effect.DENY, ENGINE_ERROR)
    assert decision.reasons == (Reason(ENGINE_ERROR, detail="naive-time"),)
    assert decision.legal_basis == ()


@pytest.mark.parametrize("requester", ["12345678901", "not a number", "", "123456789"])
def test_an_invalid_requester_denies(national_policy: Policy, requester: str) -> None:
    """A requester id that is not valid gives deny with `engine-error`."""
    decision = decide(national_policy, facts(), requester, DOCUMENT, T)
    assert (decision.effect, decision.rule) == (Effect.DENY, ENGINE_ERROR)
    assert decision.reasons[0].detail == "invalid-id"


def test_no_facts_at_all_denies(national_policy: Policy) -> None:
    """Without facts there is no representation: deny by `no-current-representation`."""
    decision = decide(national_policy, None, MOTHER, DOCUMENT, T)
    assert (decision.effect, decision.rule) == (Effect.DENY, "no-current-representation")
    assert [reason.code for reason in decision.reasons] == ["no-representation"]


@pytest.mark.parametrize("broken", [None, {"id": "D9", "kind": "document"}, "D9"])
def test_an_item_that_is_not_an_item_denies_only_itself(national_policy: Policy, broken: object) -> None:
    """One broken item in a list gives deny with `engine-error`; the others are decided as usual."""
    decisions = decide_many(national_policy, facts(), MOTHER, [DOCUMENT, broken, APPOINTMENT], T)  # type: ignore[list-item]
    assert [d.rule for d in decisions] == ["main-rule", ENGINE_ERROR, "main-rule"]
    assert decisions[1].effect is Effect.DENY
    assert decisions[1].reasons == (Reason(ENGINE_ERROR, detail="invalid-item"),)


def test_a_scope_without_a_target_denies_instead_of_being_ignored(national_policy: Policy) -> None:
    """An exemption whose scope names nothing (built unvalidated) denies every item, never drops the fact."""
    untargeted = Scope.model_construct(item=None, pathway=None, referral=None, all=False, kinds=None)
    broken = exemption().model_copy(update={"scope": untargeted})
    decisions = decide_many(national_policy, facts().model_copy(update={"exemptions": (broken,)}), MOTHER, [DOCUMENT, RESULT], T)
    assert [(d.effect, d.rule) for d in decisions] == [(Effect.DENY, ENGINE_ERROR)] * 2
    assert decisions[0].reasons == (Reason(ENGINE_ERROR, detail="invalid-scope"),)


def test_an_unexpected_failure_is_logged_and_denies(national_policy: Policy, caplog: pytest.LogCaptureFixture) -> None:
    """A failure the engine did not foresee (here: facts of the wrong type) is logged and denies."""
    with caplog.at_level(logging.ERROR, logger="access_policy.decisions"):
        decision = decide(national_policy, "not facts", MOTHER, DOCUMENT, T)  # type: ignore[arg-type]
    assert (decision.effect, decision.rule) == (Effect.DENY, ENGINE_ERROR)
    assert "decision failed" in caplog.text


def test_a_stranger_with_no_facts_and_a_bad_time_still_gets_an_answer(national_policy: Policy) -> None:
    """Several problems at once still give one deny per item."""
    decisions = decide_many(national_policy, None, STRANGER, [DOCUMENT, RESULT], datetime.datetime(2026, 1, 1))
    assert [(d.effect, d.rule) for d in decisions] == [(Effect.DENY, ENGINE_ERROR)] * 2


# --- lists ---------------------------------------------------------------------------------------


def _many_items() -> list[Item]:
    kinds = list(ItemKind)
    return [
        Item(id=f"I{n}", kind=kinds[n % len(kinds)], pathway=("P1", "P2", None)[n % 3], referral=("H1", None)[n % 2])
        for n in range(60)
    ]


def _busy_child() -> ChildFacts:
    return facts(
        14,
        exemptions=(exemption("U1", Scope(item="I7")), exemption("U2", Scope(referral="H1"), applies_to=(FATHER,))),
        assessments=(Assessment(id="V1", scope=Scope(pathway="P2"), adolescent_can_consent=True, parents_informed=False),),
        access_profiles=(AccessProfile(id="T1", representative=MOTHER, kinds=(ItemKind.APPOINTMENT, ItemKind.NOTE, ItemKind.DOCUMENT)),),
        necessary_information=(NecessaryInformation(id="N1", scope=Scope(item="I9"), applies_to="all", reason="r"),),
    )


@pytest.mark.parametrize("requester", [MOTHER, FATHER, STRANGER, "child"])
def test_decide_many_agrees_with_decide_item_by_item(national_policy: Policy, requester: str) -> None:
    """A list is decided exactly as its items one by one, in the list's order."""
    child = _busy_child()
    who = child.child if requester == "child" else requester
    items = _many_items()
    together = decide_many(national_policy, child, who, items, T)
    assert together == [decide(national_policy, child, who, item, T) for item in items]
    assert decide_many(national_policy, child, who, items[::-1], T) == together[::-1]


def test_a_busy_record_uses_every_rule_it_should(national_policy: Policy) -> None:
    """The list above is not trivial: the mother meets several rules across it."""
    rules = {d.rule for d in decide_many(national_policy, _busy_child(), MOTHER, _many_items(), T)}
    assert {"main-rule", "exemption", "adolescent-wish", "access-profile", "necessary-information"} <= rules


def test_an_empty_list_gives_no_decisions(national_policy: Policy) -> None:
    """Nothing asked, nothing answered."""
    assert decide_many(national_policy, facts(), MOTHER, [], T) == []


def test_decisions_as_json(national_policy: Policy) -> None:
    """The JSON shape names the decision, the rule, the legal basis, the reasons and the version."""
    decision = decide(national_policy, facts(exemptions=(exemption(),)), MOTHER, DOCUMENT, T)
    assert decision.as_dict() == {
        "decision": "deny",
        "rule": "exemption",
        "legal_basis": list(decision.legal_basis),
        "reasons": [{"code": "exemption", "fact": "U1", "detail": "pbrl-3-4-3"}],
        "policy_version": national_policy.version,
    }
