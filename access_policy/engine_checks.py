"""Properties of the decision core over generated facts: what the rule table alone cannot show.

The table proves what each derived situation decides; these checks prove that the engine derives
the situation right where facts meet ids and time: a fact recorded under a person's former id
decides exactly as under the current one, a withdrawn sharing grant shows nothing, a deceased
child's record is never shown, and no sharing grant shows what an exemption withholds. The facts
are small and generated deterministically, so `verify` stays fast.
"""

from __future__ import annotations

import datetime
from typing import Iterator

from access_policy.age import OSLO
from access_policy.decisions import Decision, decide_many
from access_policy.facts import (
    AccessProfile,
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
    RegisterStatus,
    Representation,
    Responsibility,
    Scope,
    SharingGrant,
)
from access_policy.identity import make_person_id
from access_policy.policy import Policy

AT = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=OSLO)
_AGES = (10, 14, 16, 17)
_SERVICE = "974589001"  # a child welfare service (organisation number with a valid check digit)
_ITEMS = (
    Item(id="D1", kind=ItemKind.NOTE, pathway="P1", created=AT - datetime.timedelta(days=30)),
    Item(id="D2", kind=ItemKind.NOTE, pathway="P1"),
    Item(id="A1", kind=ItemKind.APPOINTMENT, pathway="P1"),
    Item(id="X1", kind=ItemKind.DOCUMENT, system="974589028"),
)


class _People:
    """One family's ids: the child and the mother each have a former D-number and a current number."""

    def __init__(self, years: int):
        born = datetime.date(AT.year - years, 3, 1)
        self.born = born
        self.child_old = make_person_id(born, 1, d_number=True)
        self.child = make_person_id(born, 2)
        self.mother_old = make_person_id(datetime.date(1985, 4, 4), 3, d_number=True)
        self.mother = make_person_id(datetime.date(1985, 4, 4), 4)
        self.father = make_person_id(datetime.date(1983, 8, 8), 5)

    def requesters(self) -> tuple[str, ...]:
        return (self.mother, self.mother_old, self.child, self.child_old, self.father, _SERVICE)


def _fact_sets(mother: str, child: str, years: int) -> Iterator[tuple[str, dict]]:
    """Named sets of facts, recorded under the given ids of the mother and the child."""
    by_child = Author(person=child)
    grant_all = SharingGrant(id="sg1", grantee=mother, scope=Scope(all=True), author=by_child)
    grant_notes = SharingGrant(id="sg2", grantee=mother, scope=Scope(pathway="P1", kinds=(ItemKind.NOTE,)), author=by_child)
    exemption_mother = Exemption(id="ex1", scope=Scope(item="D1"), applies_to=(mother,), legal_basis="pbrl-3-4-3", reason="r")
    yield "nothing", {}
    yield "exemption for the mother", {"exemptions": (exemption_mother,)}
    yield "withheld from the child", {
        "exemptions": (Exemption(id="ex2", scope=Scope(pathway="P1"), applies_to=(child,), legal_basis="pbrl-5-1-2", reason="r"),)
    }
    yield "necessary for the mother", {
        "necessary_information": (NecessaryInformation(id="ni1", scope=Scope(item="D1"), applies_to=(mother,), reason="r"),)
    }
    yield "profile of the mother", {"access_profiles": (AccessProfile(id="ap1", representative=mother, kinds=(ItemKind.APPOINTMENT,)),)}
    if years >= 16:
        yield "shared with the mother", {"sharing_grants": (grant_all,)}
        yield "notes shared with the mother", {"sharing_grants": (grant_notes,)}
        yield "shared and exempted", {"sharing_grants": (grant_all,), "exemptions": (exemption_mother,)}
    if 12 <= years <= 15:
        yield "the adolescent's wish and competence", {
            "assessments": (Assessment(id="as1", scope=Scope(pathway="P1"), parents_informed=False,
                                       adolescent_can_consent=True, valid_from=AT - datetime.timedelta(days=60)),)
        }
    yield "care order", {"care_orders": (CareOrder(id="co1", organisation=_SERVICE, valid_from=AT - datetime.timedelta(days=90)),)}


def _facts(people: _People, linked_by: str, mother: str, child_id: str, values: dict, **representation: object) -> ChildFacts:
    """The family's facts: ids joined by former ids on the records, or only by the register's id links."""
    links = linked_by == "id-links"
    holders = (
        Holder(id=people.mother, responsibility=Responsibility.FELLES, former_ids=() if links else (people.mother_old,)),
        Holder(id=people.father, responsibility=Responsibility.FELLES),
    )
    register = Representation(
        id="reg", birth_date=people.born, holders=holders, former_ids=() if links else (people.child_old,),
        retrieved_at=AT - datetime.timedelta(hours=1), **representation,
    )
    id_links = (IdLink(former=people.mother_old, current=people.mother), IdLink(former=people.child_old, current=people.child)) if links else ()
    return ChildFacts(child=people.child, representation=register, id_links=id_links, **values)


def _answers(policy: Policy, facts: ChildFacts, requesters: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    out = []
    for requester in requesters:
        decisions: list[Decision] = decide_many(policy, facts, requester, _ITEMS, AT)
        out += [(requester, item.id, d.rule, d.effect.value) for item, d in zip(_ITEMS, decisions)]
    return out


def _equivalent(answers: list[tuple[str, str, str, str]], people: _People) -> list[tuple[str, str, str]]:
    """Answers with each requester's former id shown as the current one (so both can be compared)."""
    same = {people.mother_old: people.mother, people.child_old: people.child}
    return sorted({(same.get(r, r), item, f"{rule}/{effect}") for r, item, rule, effect in answers})


def engine_checks(policy: Policy) -> list[tuple[str, str, tuple[str, ...]]]:
    """Run the decision core over generated facts; each check is (id, description, counterexamples)."""
    former: list[str] = []
    withdrawn: list[str] = []
    deceased: list[str] = []
    exempted: list[str] = []
    for years in _AGES:
        people = _People(years)
        requesters = people.requesters()
        for linked_by in ("former-ids", "id-links"):
            current_sets = dict(_fact_sets(people.mother, people.child, years))
            for name, values in _fact_sets(people.mother_old, people.child_old, years):
                under_old = _facts(people, linked_by, people.mother, people.child, values)
                under_new = _facts(people, linked_by, people.mother, people.child, current_sets[name])
                old_answers = _answers(policy, under_old, requesters)
                new_answers = _answers(policy, under_new, requesters)
                # Asking under a former id, or about facts recorded under one, decides as the current id.
                if _equivalent(old_answers, people) != _equivalent(new_answers, people) or len(
                    {(r, i) for r, i, _ in _equivalent(new_answers, people)}
                ) != len(_ITEMS) * (len(requesters) - 2):
                    former.append(f"age {years}, {name}, ids joined by {linked_by}")
                if "sharing_grants" in values:
                    revoked = dict(current_sets[name])
                    revoked["sharing_grants"] = tuple(
                        g.model_copy(update={"revoked_at": AT - datetime.timedelta(minutes=1)}) for g in revoked["sharing_grants"]
                    )
                    without = {k: v for k, v in current_sets[name].items() if k != "sharing_grants"}
                    after = _answers(policy, _facts(people, linked_by, people.mother, people.child, revoked), requesters)
                    never = _answers(policy, _facts(people, linked_by, people.mother, people.child, without), requesters)
                    if [a[3] for a in after] != [a[3] for a in never]:
                        withdrawn.append(f"age {years}, {name}, ids joined by {linked_by}")
                    if name == "shared and exempted" and any(
                        r in (people.mother, people.mother_old) and i == "D1" and e == "permit" for r, i, _, e in new_answers + old_answers
                    ):
                        exempted.append(f"age {years}, ids joined by {linked_by}")
                for death_date in (AT.date(), None):
                    dead = _facts(people, linked_by, people.mother, people.child, current_sets[name],
                                  status=RegisterStatus.DOED, death_date=death_date)
                    shown = [a for a in _answers(policy, dead, requesters) if a[3] == "permit"]
                    if shown:
                        deceased.append(f"age {years}, {name}, died {death_date or 'on an unknown date'}: {shown[0][0][:6]}… sees {shown[0][1]}")
    return [
        ("former-id", "a fact recorded under a person's former id decides exactly as under the current id (and so does asking under one)",
         tuple(former)),
        ("withdrawn-sharing", "a withdrawn sharing grant shows nothing: decisions are as if it had never been given", tuple(withdrawn)),
        ("deceased-engine", "from the day of death (or when the date is unknown) no one is shown anything digitally", tuple(deceased)),
        ("sharing-below-exemption", "a sharing grant never shows the grantee an item an exemption withholds from them", tuple(exempted)),
    ]


__all__ = ["engine_checks"]
