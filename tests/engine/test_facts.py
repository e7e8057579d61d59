"""Facts are validated when they are built, so the decision core can trust them."""

from __future__ import annotations

import datetime

import pytest
from pydantic import ValidationError

from access_policy.age import OSLO
from access_policy.facts import (
    AccessProfile,
    Assessment,
    AssessmentDraft,
    ChildFacts,
    Exemption,
    ExemptionDraft,
    Holder,
    Item,
    ItemKind,
    NecessaryInformation,
    Representation,
    Responsibility,
    Scope,
    check_assessment_age,
)
from access_policy.identity import make_person_id

BORN = datetime.date(2012, 6, 15)
CHILD = make_person_id(BORN, 0)
MOTHER = make_person_id(datetime.date(1980, 1, 1), 1)
T = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO)


def at(**delta: float) -> datetime.datetime:
    """An instant relative to T."""
    return T + datetime.timedelta(**delta)


def assessment(**values: object) -> Assessment:
    """An assessment of pathway P1 with defaults that can be overridden."""
    fields: dict[str, object] = {"id": "V1", "scope": Scope(pathway="P1"), "adolescent_can_consent": True, "parents_informed": False}
    fields.update(values)
    return Assessment(**fields)


# --- scopes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "targets",
    [{}, {"item": "D1", "pathway": "P1"}, {"pathway": "P1", "referral": "H1"}, {"item": "D1", "pathway": "P1", "referral": "H1"}],
)
def test_a_scope_names_exactly_one_target(targets: dict[str, str]) -> None:
    """A scope with no target, or more than one, would be ambiguous."""
    with pytest.raises(ValidationError, match="exactly one"):
        Scope(**targets)


def test_what_a_scope_covers() -> None:
    """An item scope covers the item; a pathway or referral scope covers the items that belong to it."""
    item = Item(id="D1", kind=ItemKind.DOCUMENT, pathway="P1", referral="H1")
    loose = Item(id="D2", kind=ItemKind.DOCUMENT)
    assert Scope(item="D1").covers(item) and not Scope(item="D1").covers(loose)
    assert Scope(pathway="P1").covers(item) and not Scope(pathway="P1").covers(loose)
    assert Scope(referral="H1").covers(item) and not Scope(referral="H1").covers(loose)
    assert not Scope(pathway="P2").covers(item)


# --- validity -----------------------------------------------------------------------------------


@pytest.mark.parametrize("until", [at(days=-1), T])
def test_validity_must_end_after_it_starts(until: datetime.datetime) -> None:
    """A validity that ends before (or when) it starts is refused, for facts and for drafts."""
    with pytest.raises(ValidationError, match="valid_until"):
        assessment(valid_from=T, valid_until=until)
    with pytest.raises(ValidationError, match="valid_until"):
        ExemptionDraft(scope=Scope(item="D1"), applies_to="all", legal_basis="pbrl-3-4-3", reason="r", valid_from=T, valid_until=until)


def test_active_from_inclusive_until_exclusive_and_not_after_revocation() -> None:
    """Active at T when valid_from ≤ T < valid_until and not revoked at or before T."""
    fact = assessment(valid_from=T, valid_until=at(days=10), revoked_at=at(days=5))
    assert not fact.active_at(at(minutes=-1))
    assert fact.active_at(T)
    assert fact.active_at(at(days=5, minutes=-1))
    assert not fact.active_at(at(days=5))
    assert not assessment(valid_until=T).active_at(T)
    assert assessment().active_at(at(days=-10_000))


def test_times_must_carry_an_offset() -> None:
    """A naive time would be read differently in different places."""
    with pytest.raises(ValidationError):
        assessment(valid_from=datetime.datetime(2026, 1, 1, 12, 0))


def test_legal_bases_are_checked() -> None:
    """An exemption cites one of its legal bases; a necessary-information mark is pbrl-3-4-4."""
    with pytest.raises(ValidationError):
        Exemption(id="U1", scope=Scope(item="D1"), applies_to="all", legal_basis="pbrl-3-4-4", reason="r")
    mark = NecessaryInformation(id="N1", scope=Scope(item="D1"), applies_to="all", reason="r")
    assert mark.legal_basis == "pbrl-3-4-4"


def test_applies_to_names_representatives_by_valid_ids() -> None:
    """An exemption for a named parent holds the parent's number, compacted."""
    exemption = Exemption(id="U1", scope=Scope(item="D1"), applies_to=(MOTHER,), legal_basis="pbrl-3-4-3", reason="r")
    assert exemption.applies_to_party(MOTHER)
    assert not exemption.applies_to_party(make_person_id(datetime.date(1980, 1, 1), 2))
    with pytest.raises(ValidationError, match="12345") as raised:
        Exemption(id="U1", scope=Scope(item="D1"), applies_to=("12345",), legal_basis="pbrl-3-4-3", reason="r")
    assert raised.value.errors()[0]["loc"][0] == "applies_to"


def test_a_bad_id_is_reported_at_its_own_field() -> None:
    """The error names the field that holds the bad id, e.g. an access profile's `representative`."""
    with pytest.raises(ValidationError) as raised:
        AccessProfile(id="T1", representative="12345678901", kinds=())
    (error,) = raised.value.errors()
    assert error["loc"] == ("representative",)
    assert error["type"] == "invalid_id" and "check digit" in error["msg"]


def test_an_access_profile_may_show_nothing() -> None:
    """An empty list of kinds is a profile that shows the representative nothing."""
    profile = AccessProfile(id="T1", representative=MOTHER, kinds=())
    assert profile.kinds == ()
    with pytest.raises(ValidationError):
        AccessProfile(id="T1", representative=MOTHER, kinds=("x-ray",))


# --- holders and representation -----------------------------------------------------------------


def test_a_holder_is_a_person_or_an_organisation() -> None:
    """Both is refused; neither is only allowed when the responsibility is unknown."""
    with pytest.raises(ValidationError, match="not both"):
        Holder(id=MOTHER, organisation="123456785", responsibility=Responsibility.FELLES)
    with pytest.raises(ValidationError, match="ukjent"):
        Holder(responsibility=Responsibility.FELLES)
    assert Holder(responsibility=Responsibility.UKJENT).party is None
    assert Holder(organisation="123456785", responsibility=Responsibility.ANDRE).party == "123456785"


def test_the_register_birth_date_must_agree_with_the_child_id() -> None:
    """A birth date in the register that contradicts the child's number is refused."""
    representation = Representation(birth_date=BORN + datetime.timedelta(days=1), retrieved_at=T)
    with pytest.raises(ValidationError, match="disagrees"):
        ChildFacts(child=CHILD, representation=representation)
    agreeing = ChildFacts(child=CHILD, representation=Representation(birth_date=BORN, retrieved_at=T))
    assert agreeing.birth_date == BORN


def test_the_register_gives_the_birth_date_when_the_number_has_none() -> None:
    """A 2032-format number carries no birth date: the register's is used, and without it there is none."""
    number_2032 = "15059912353"  # first check digit leaves remainder 1
    assert ChildFacts(child=number_2032).birth_date is None
    facts = ChildFacts(child=number_2032, representation=Representation(birth_date=BORN, retrieved_at=T))
    assert facts.birth_date == BORN


def test_a_child_with_an_invalid_number_is_refused() -> None:
    """The child's number is checked like every other."""
    with pytest.raises(ValidationError, match="check digit") as raised:
        ChildFacts(child=CHILD[:-1] + str((int(CHILD[-1]) + 1) % 10))
    assert raised.value.errors()[0]["loc"] == ("child",)


# --- assessments and the child's age ------------------------------------------------------------


@pytest.mark.parametrize(
    ("made", "allowed"),
    [
        (datetime.datetime(2024, 6, 14, 23, 59, tzinfo=OSLO), False),  # 11, the minute before the 12th birthday
        (datetime.datetime(2024, 6, 15, 0, 0, tzinfo=OSLO), True),  # 12
        (datetime.datetime(2028, 6, 14, 23, 59, tzinfo=OSLO), True),  # 15
        (datetime.datetime(2028, 6, 15, 0, 0, tzinfo=OSLO), False),  # 16
    ],
)
def test_an_assessment_is_for_a_child_aged_12_to_15_when_it_is_made(made: datetime.datetime, allowed: bool) -> None:
    """The grey zone is 12–15: an assessment made outside it is refused (by record time or start)."""
    for fact in (assessment(recorded_at=made), assessment(valid_from=made)):
        if allowed:
            assert ChildFacts(child=CHILD, assessments=(fact,)).assessments == (fact,)
        else:
            with pytest.raises(ValidationError, match="12–15"):
                ChildFacts(child=CHILD, assessments=(fact,))


def test_a_revoked_assessment_outside_12_to_15_does_not_invalidate_the_facts() -> None:
    """After a corrected birth date, revoking the assessment is how a clinician clears it."""
    made_at_11 = datetime.datetime(2024, 6, 14, 23, 59, tzinfo=OSLO)
    revoked = assessment(recorded_at=made_at_11, revoked_at=made_at_11 + datetime.timedelta(days=1))
    assert ChildFacts(child=CHILD, assessments=(revoked,)).assessments == (revoked,)


def test_the_record_time_rather_than_the_start_says_when_an_assessment_was_made() -> None:
    """An assessment recorded at 13 may take effect later, even after the 16th birthday."""
    fact = assessment(recorded_at=datetime.datetime(2025, 6, 1, tzinfo=OSLO), valid_from=datetime.datetime(2028, 7, 1, tzinfo=OSLO))
    assert ChildFacts(child=CHILD, assessments=(fact,)).assessments == (fact,)


def test_an_assessment_without_a_time_or_birth_date_is_not_checked() -> None:
    """Without both a time and a birth date there is nothing to check against."""
    check_assessment_age(assessment(), BORN)
    check_assessment_age(assessment(recorded_at=T), None)
    with pytest.raises(ValueError, match="V1"):
        check_assessment_age(assessment(recorded_at=T), datetime.date(2020, 1, 1))


def test_drafts_carry_no_id_or_author() -> None:
    """What a clinician sends has no id or record time: the store adds them."""
    with pytest.raises(ValidationError):
        AssessmentDraft(id="V1", scope=Scope(pathway="P1"), adolescent_can_consent=True, parents_informed=False)


def test_facts_are_frozen() -> None:
    """A fact is a value: revoking it is a new record, never an update in place."""
    fact = assessment()
    with pytest.raises(ValidationError):
        fact.revoked_at = T  # type: ignore[misc]
