"""What changes when: the instants ahead at which a child's access changes by time alone.

Pure, like the decision core: the policy, the child's facts and the starting time are passed in.
Access changes with no one doing anything when the child turns 12, 16 or 18 (00:00 Oslo time on
the birthday), when a clinician's fact takes effect or expires, and when the register data goes
stale (the policy's `representation.max_age_days` after it was retrieved). `effect` tells, by
the policy itself, what such an instant does: how much each person sees just before and after.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Sequence

from access_policy.age import OSLO, birthday
from access_policy.decisions import decide_many
from access_policy.facts import ChildFacts, ClinicalFact, Item, ItemKind, Reference
from access_policy.policy import Policy

# The ages at which the age band changes (see `access_policy.age.AgeBand`).
AGE_LIMITS = (12, 16, 18)


@dataclass(frozen=True, slots=True)
class Change:
    """One instant ahead and what happens then: a stable `what` code, the fact or age it concerns."""

    at: datetime.datetime
    what: str  # birthday | fact-starts | fact-ends | register-stale
    fact: str | None = None
    kind: str | None = None  # the fact's kind (its `FactKind` value) for fact-starts / fact-ends
    age: int | None = None  # for birthday


def _fact_changes(kind: str, fact: ClinicalFact, at: datetime.datetime) -> list[Change]:
    found = []
    ends_by_revocation = fact.revoked_at is not None
    if fact.valid_from is not None and fact.valid_from > at and not (ends_by_revocation and fact.revoked_at <= fact.valid_from):
        found.append(Change(fact.valid_from, "fact-starts", fact=fact.id, kind=kind))
    end = fact.valid_until
    if fact.revoked_at is not None and (end is None or fact.revoked_at < end):
        end = fact.revoked_at
    if end is not None and end > at:
        found.append(Change(end, "fact-ends", fact=fact.id, kind=kind))
    return found


def changes_ahead(policy: Policy, facts: ChildFacts, at: datetime.datetime) -> list[Change]:
    """Every instant after `at` at which the child's access may change by time alone, in order."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the starting time must carry a UTC offset")
    found: list[Change] = []
    birth_date = facts.birth_date
    if birth_date is not None:
        for years in AGE_LIMITS:
            day = birthday(birth_date, years)
            instant = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=OSLO)
            if instant > at:
                found.append(Change(instant, "birthday", age=years))
    groups = (
        ("exemptions", facts.exemptions),
        ("assessments", facts.assessments),
        ("access-profiles", facts.access_profiles),
        ("necessary-information", facts.necessary_information),
    )
    for kind, records in groups:
        for fact in records:
            found += _fact_changes(kind, fact, at)
    representation = facts.representation
    if representation is not None:
        stale = representation.retrieved_at + policy.settings.max_representation_age
        if stale > at:
            found.append(Change(stale, "register-stale", fact=representation.id))
    return sorted(found, key=lambda change: (change.at, change.what, change.fact or ""))


_EPSILON = datetime.timedelta(microseconds=1)


def probe_items(facts: ChildFacts) -> list[Item]:
    """Items that show what a change does: one of each kind, and one in each scope a clinician's fact names."""
    items = [Item(id=f"kind:{kind.value}", kind=kind) for kind in ItemKind]
    seen: set[tuple[str, Reference]] = set()
    for record in (*facts.exemptions, *facts.assessments, *facts.necessary_information, *facts.sharing_grants):
        scope = record.scope
        # A kind-restricted scope covers only its kinds: probe with the first of them.
        kind = scope.kinds[0] if scope.kinds else ItemKind.NOTE
        for target in ("item", "pathway", "referral"):
            value = getattr(scope, target)
            if value is not None and (target, value) not in seen:
                seen.add((target, value))
                if target == "item":
                    items.append(Item(id=value.value, system=value.system, kind=kind))
                else:
                    items.append(Item(id=f"{target}:{value.value}", system=value.system, kind=kind, **{target: value}))
    return items


def effect(
    policy: Policy,
    facts: ChildFacts,
    requesters: Sequence[str],
    items: Sequence[Item],
    at: datetime.datetime,
    *,
    register_refreshed: bool = True,
) -> dict[str, tuple[int, int]]:
    """For each requester, how many of the items are shown just before and just after `at`.

    By default the register data is taken as read again shortly before `at` (the sync keeps it
    fresh), so a birthday or an expiry shows its own effect, not that of stale data; pass
    `register_refreshed=False` for the instant the data goes stale.
    """
    if register_refreshed and facts.representation is not None:
        refreshed = facts.representation.model_copy(update={"retrieved_at": at - datetime.timedelta(hours=1)})
        facts = facts.model_copy(update={"representation": refreshed})
    found = {}
    for requester in requesters:
        before = sum(d.permitted for d in decide_many(policy, facts, requester, items, at - _EPSILON))
        after = sum(d.permitted for d in decide_many(policy, facts, requester, items, at + _EPSILON))
        found[requester] = (before, after)
    return found
