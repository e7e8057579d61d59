"""The timeline workload: one parent's view of a child's record, with facts of every kind.

A 14-year-old with two parents sharing responsibility; 1,000 items of mixed kinds, many in care
pathways and referrals. Clinicians have exempted an item, a pathway and a referral (from all, from
this parent, from the other parent, for a period, one expired, one revoked), assessed the
adolescent in the grey zone (consents without the parents, consents with them, cannot consent),
marked a few items necessary for parental responsibility, and given this parent an access
profile of some kinds. Everything is derived from a seed, so the same seed gives the same list.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from access_policy.facts import (
    AccessProfile,
    Assessment,
    Author,
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

OSLO_WINTER = datetime.timezone(datetime.timedelta(hours=1))
# The decision time of every workload: a fixed instant, so results do not depend on the day run.
DECISION_TIME = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO_WINTER)
CLINIC = "974589095"
_AUTHOR = Author(hpr="1234567", org=CLINIC)
_KINDS = tuple(ItemKind)
# The kinds this parent's access profile keeps (the others are hidden from them).
PROFILE_KINDS = (ItemKind.APPOINTMENT, ItemKind.TEST_RESULT, ItemKind.VACCINATION, ItemKind.MEDICATION, ItemKind.REFERRAL)


@dataclass(frozen=True, slots=True)
class Timeline:
    """A child's facts, the requesting parent and the items of the parent's timeline."""

    facts: ChildFacts
    requester: str
    other_parent: str
    items: tuple[Item, ...]
    at: datetime.datetime

    @property
    def child(self) -> str:
        """The child's id."""
        return self.facts.child


def build_timeline(size: int = 1000, seed: int = 5) -> Timeline:
    """The timeline workload with `size` items (deterministic for a seed)."""
    rng = random.Random(seed)
    at = DECISION_TIME
    # A D-number (day + 40): the synthetic population has none, so the child is never one of them.
    child = make_person_id(datetime.date(2012, 5, 10), 3, d_number=True)
    father = make_person_id(datetime.date(1980, 2, 14), 11)
    mother = make_person_id(datetime.date(1982, 9, 3), 12)
    day = datetime.timedelta(days=1)
    pathways = [f"pw-{n:02d}" for n in range(1, 21)]
    referrals = [f"ref-{n:02d}" for n in range(1, 11)]

    items = []
    for n in range(size):
        items.append(
            Item(
                id=f"item-{n:05d}",
                kind=rng.choice(_KINDS),
                pathway=rng.choice(pathways) if rng.random() < 0.6 else None,
                referral=rng.choice(referrals) if rng.random() < 0.3 else None,
                created=at - rng.randint(1, 3000) * day,
                organisation=CLINIC,
            )
        )
    item_ids = [item.id for item in items]
    picked = rng.sample(item_ids, min(len(item_ids), 20))

    def fact(kind, number: int, **fields):
        fields.setdefault("recorded_at", at - 60 * day)
        return kind(id=f"{kind.__name__.lower()}-{number}", author=_AUTHOR, **fields)

    def exemption(number: int, scope: Scope, applies_to, **fields) -> Exemption:
        return fact(Exemption, number, scope=scope, applies_to=applies_to, legal_basis="pbrl-3-4-3", reason="weighty concerns", **fields)

    exemptions = [
        exemption(1, Scope(pathway="pw-03"), "all"),
        exemption(2, Scope(referral="ref-02"), (father,)),
        exemption(3, Scope(pathway="pw-07"), (mother,)),
        exemption(4, Scope(pathway="pw-09"), "all", valid_until=at + 30 * day),
        exemption(5, Scope(pathway="pw-10"), "all", valid_from=at - 90 * day, valid_until=at - 10 * day),
        exemption(6, Scope(referral="ref-05"), "all", revoked_at=at - 5 * day, revoked_by=_AUTHOR),
    ]
    exemptions += [exemption(10 + n, Scope(item=item_id), "all") for n, item_id in enumerate(picked[:10])]
    made = at - 120 * day  # the child was 14 then: inside the grey zone
    assessments = [
        fact(Assessment, 1, scope=Scope(pathway="pw-05"), adolescent_can_consent=True, parents_informed=False, recorded_at=made),
        fact(Assessment, 2, scope=Scope(referral="ref-04"), adolescent_can_consent=True, parents_informed=True, recorded_at=made),
        fact(Assessment, 3, scope=Scope(pathway="pw-12"), adolescent_can_consent=False, parents_informed=True, recorded_at=made),
        fact(Assessment, 4, scope=Scope(referral="ref-08"), adolescent_can_consent=True, parents_informed=False, recorded_at=made),
    ]
    necessary = [
        fact(NecessaryInformation, 1, scope=Scope(item=item_id), applies_to="all", reason="needed to follow up")
        for item_id in picked[10:15]
    ]
    necessary.append(fact(NecessaryInformation, 9, scope=Scope(pathway="pw-03"), applies_to="all", reason="vaccination plan"))
    profiles = [fact(AccessProfile, 1, representative=father, kinds=PROFILE_KINDS)]
    representation = Representation(
        birth_date=datetime.date(2012, 5, 10),
        holders=(Holder(id=father, responsibility=Responsibility.FELLES), Holder(id=mother, responsibility=Responsibility.FELLES)),
        retrieved_at=at - day,
    )
    facts = ChildFacts(
        child=child,
        representation=representation,
        exemptions=tuple(exemptions),
        assessments=tuple(assessments),
        access_profiles=tuple(profiles),
        necessary_information=tuple(necessary),
    )
    return Timeline(facts=facts, requester=father, other_parent=mother, items=tuple(items), at=at)
