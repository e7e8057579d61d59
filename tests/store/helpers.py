"""Shared builders for the store tests: people, representations, drafts, and numbers without a birth date."""

from __future__ import annotations

import datetime
import itertools

from stdnum.no import fodselsnummer

from access_policy.facts import (
    AccessProfileDraft,
    AssessmentDraft,
    ExemptionDraft,
    Holder,
    NecessaryInformationDraft,
    Representation,
    Scope,
)
from access_policy.identity import PersonIdKind, make_person_id, parse_person_id

UTC = datetime.timezone.utc
CHILD_8 = make_person_id(datetime.date(2018, 3, 14), 11)
CHILD_13 = make_person_id(datetime.date(2013, 6, 1), 12)
CHILD_17 = make_person_id(datetime.date(2009, 8, 20), 13)
MOTHER = make_person_id(datetime.date(1984, 7, 9), 20)
FATHER = make_person_id(datetime.date(1982, 1, 30), 21)
STEPFATHER = make_person_id(datetime.date(1979, 5, 5), 22)


def fh_number() -> str:
    """A valid FH number (first digit 8 or 9): it carries no birth date."""
    for digits in itertools.count(800000000):
        base = str(digits)
        check1 = fodselsnummer.calc_check_digit1(base)
        if len(check1) != 1:
            continue
        check2 = fodselsnummer.calc_check_digit2(base + check1)
        if len(check2) != 1:
            continue
        number = base + check1 + check2
        if parse_person_id(number).kind is PersonIdKind.FH_NUMBER:
            return number
    raise AssertionError("unreachable")


def representation(at: datetime.datetime, *holders: tuple[str, str], protection: str = "ugradert", birth_date=None) -> Representation:
    """A representation retrieved at `at` with these (id, responsibility) holders (default: both parents, joint)."""
    holders = holders or ((MOTHER, "felles"), (FATHER, "felles"))
    return Representation(
        birth_date=birth_date,
        address_protection=protection,
        holders=tuple(Holder(id=i, responsibility=r) for i, r in holders),
        retrieved_at=at,
    )


def exemption(pathway: str = "pw-1", applies_to=("all",)) -> ExemptionDraft:
    """An exemption of a pathway from everyone (or named representatives)."""
    target = "all" if applies_to == ("all",) else applies_to
    return ExemptionDraft(scope=Scope(pathway=pathway), applies_to=target, legal_basis="pbrl-3-4-3", reason="test")


def assessment(pathway: str = "pw-2") -> AssessmentDraft:
    """The adolescent can consent and the parents are not informed."""
    return AssessmentDraft(scope=Scope(pathway=pathway), adolescent_can_consent=True, parents_informed=False)


def profile(representative: str = FATHER, kinds=("appointment",)) -> AccessProfileDraft:
    """The representative sees only these kinds."""
    return AccessProfileDraft(representative=representative, kinds=kinds)


def necessary(referral: str = "ref-1") -> NecessaryInformationDraft:
    """A referral marked necessary for parental responsibility."""
    return NecessaryInformationDraft(scope=Scope(referral=referral), applies_to="all", reason="test")
