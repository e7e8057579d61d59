"""The checks a new fact must pass against the child's own facts: age, representation, validity.

A fact's shape is checked where it is built (`access_policy.facts`); what it means depends on
the child: a legal basis that cannot apply at the child's age, a sharing grant to someone who
holds no parental responsibility, a period that has already ended. Such a fact would be stored
and then never change a decision, so it is refused here, in one place, with the field named
(`FactRefusedError`, a 422). Ages are counted at the moment the fact is created.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from access_policy.age import age_at
from access_policy.errors import FactRefusedError
from access_policy.facts import (
    PATIENT_EXEMPTION_LEGAL_BASES,
    AccessProfileDraft,
    AssessmentDraft,
    CareOrderDraft,
    ChildFacts,
    ExemptionDraft,
    FactKind,
    IdLink,
    NecessaryInformationDraft,
    SharingGrantDraft,
    _Draft,
)

# The legal bases of an exemption from representatives, and the ages (at creation) they can apply at.
_BASIS_AGES = {
    "pbrl-3-4-2": (12, 15, "§3-4 second paragraph (the adolescent's wish) applies from 12 to 15"),
    "pbrl-3-4-3": (0, 15, "§3-4 third paragraph (weighty concerns) applies under 16"),
    "pbrl-5-1-2": (0, 17, "a representative's access exists only under 18"),
}


def id_class(start: Iterable[str], links: Iterable[IdLink]) -> frozenset[str]:
    """Every id of the person whose ids include `start`, following the id links both ways."""
    ids = set(start)
    links = list(links)
    grown = True
    while grown:
        grown = False
        for link in links:
            if (link.former in ids) != (link.current in ids):
                ids.update((link.former, link.current))
                grown = True
    return frozenset(ids)


def child_ids(facts: ChildFacts) -> frozenset[str]:
    """Every id of the child: the current one, the register's former ones and those the links join."""
    formers = facts.representation.former_ids if facts.representation is not None else ()
    return id_class((facts.child, *formers), facts.id_links)


def _age(facts: ChildFacts, now: datetime.datetime, why: str) -> int:
    birth_date = facts.birth_date
    if birth_date is None:
        raise FactRefusedError.for_field(
            "child", f"the child's birth date is unknown: store the child's representation first ({why})"
        )
    return age_at(birth_date, now)


def check_new_fact(kind: FactKind, draft: _Draft, facts: ChildFacts, now: datetime.datetime) -> None:
    """Raise `FactRefusedError` (naming the field) unless `draft` can change a decision about this child."""
    if draft.valid_until is not None and draft.valid_until <= now:
        raise FactRefusedError.for_field("valid_until", "is already past: the fact would never apply")
    if isinstance(draft, ExemptionDraft):
        _check_exemption(draft, facts, now)
    elif isinstance(draft, AssessmentDraft):
        age = _age(facts, now, "a grey-zone assessment is for a child aged 12–15")
        if not 12 <= age <= 15:
            raise FactRefusedError.for_field("child", f"a grey-zone assessment is for a child aged 12–15; the child is {age}")
    elif isinstance(draft, AccessProfileDraft):
        age = _age(facts, now, "differentiated access is for a child under 16")
        if age >= 16:
            raise FactRefusedError.for_field(
                "child",
                f"differentiated access is for a child under 16; the child is {age} (from 16 the parents see only "
                "what is marked necessary or what the adolescent shares)",
            )
        if draft.representative in child_ids(facts):
            raise FactRefusedError.for_field("representative", "names the child: an access profile is for a representative")
    elif isinstance(draft, NecessaryInformationDraft):
        age = _age(facts, now, "pbrl §3-4 fourth paragraph applies under 18")
        if age >= 18:
            raise FactRefusedError.for_field("child", f"necessary information is marked for a child under 18; the child is {age}")
        if draft.applies_to != "all" and set(draft.applies_to) & child_ids(facts):
            raise FactRefusedError.for_field("applies_to", "names the child: necessary information is for the representatives")
    elif isinstance(draft, SharingGrantDraft):
        _check_sharing_grant(draft, facts, now)
    elif isinstance(draft, CareOrderDraft):
        age = _age(facts, now, "a care order is for a child under 18")
        if age >= 18:
            raise FactRefusedError.for_field("child", f"a care order is for a child under 18; the child is {age}")


def _check_exemption(draft: ExemptionDraft, facts: ChildFacts, now: datetime.datetime) -> None:
    ids = child_ids(facts)
    named = () if draft.applies_to == "all" else draft.applies_to
    names_child = any(target in ids for target in named)
    if names_child:
        if any(target not in ids for target in named):
            raise FactRefusedError.for_field(
                "applies_to",
                "names the child and representatives in one exemption: record them apart (withholding from the "
                "patient has its own legal basis, pbrl-5-1-2)",
            )
        if draft.legal_basis not in PATIENT_EXEMPTION_LEGAL_BASES:
            raise FactRefusedError.for_field(
                "legal_basis",
                f"`{draft.legal_basis}` cannot withhold from the child; withholding from the patient needs pbrl-5-1-2",
            )
        age = _age(facts, now, "a child has their own access from 12")
        if age < 12:
            raise FactRefusedError.for_field(
                "applies_to", f"names the child, who is {age}: a child has no own access to withhold before 12"
            )
        return
    low, high, why = _BASIS_AGES[draft.legal_basis]
    age = _age(facts, now, why)
    if not low <= age <= high:
        raise FactRefusedError.for_field("legal_basis", f"`{draft.legal_basis}` cannot apply: {why}, and the child is {age}")


def _check_sharing_grant(draft: SharingGrantDraft, facts: ChildFacts, now: datetime.datetime) -> None:
    age = _age(facts, now, "an adolescent shares from 16 to 17")
    if not 16 <= age <= 17:
        raise FactRefusedError.for_field("child", f"an adolescent shares from 16 to 17; the child is {age}")
    if draft.grantee in child_ids(facts):
        raise FactRefusedError.for_field("grantee", "is the adolescent themself")
    representation = facts.representation
    holders = representation.holders if representation is not None else ()
    grantee = id_class((draft.grantee,), facts.id_links)
    for holder in holders:
        if holder.id is None or not holder.holds_at(now):
            continue
        if grantee & id_class((holder.id, *holder.former_ids), facts.id_links):
            return
    raise FactRefusedError.for_field(
        "grantee",
        "does not hold parental responsibility for the child now: sharing with anyone else is a power of "
        "attorney, outside this service",
    )
