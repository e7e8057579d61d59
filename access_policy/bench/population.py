"""Filling a store with many children for the scale, service and memory workloads.

The store's own bulk loading is used (representation import, bulk fact creation), so the figures
are of the store as shipped. Besides the many children, the timeline's child is stored with its
facts, so the service answers the timeline batch from the store.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from access_policy.bench.timeline import DECISION_TIME, Timeline
from access_policy.facts import (
    AccessProfileDraft,
    AssessmentDraft,
    Author,
    ExemptionDraft,
    FactKind,
    NecessaryInformationDraft,
    Scope,
)
from access_policy.identity import make_person_id

SYNC = Author(system="bench-fill")
CLINICIAN = Author(hpr="1234567", org="974589095")
_DAYS = 18 * 365  # children born in the last 18 years
_PARENT_DAYS = 20 * 365


@dataclass(frozen=True, slots=True)
class Pair:
    """A child in the store and a person who holds parental responsibility for them."""

    child: str
    requester: str


def _children(count: int, start: int, seed: int) -> Iterator[tuple[str, list[str], datetime.date]]:
    """`count` distinct children (from number `start`), each with one or two parents."""
    rng = random.Random(seed * 1_000_003 + start)
    today = DECISION_TIME.date()
    number = start
    made = 0
    while made < count:
        day, serial = number % _DAYS, number // _DAYS
        number += 1
        birth = today - datetime.timedelta(days=day + 1)
        try:
            child = make_person_id(birth, serial)
        except ValueError:
            continue
        parent_birth = birth - datetime.timedelta(days=8000 + rng.randrange(_PARENT_DAYS))
        parents = [make_person_id(parent_birth, rng.randrange(120))]
        if rng.random() < 0.8:
            parents.append(make_person_id(parent_birth - datetime.timedelta(days=rng.randrange(2000)), rng.randrange(120)))
        made += 1
        yield child, parents, birth


def representation_lines(count: int, *, start: int = 0, seed: int = 5) -> Iterator[tuple[str, list[str], str]]:
    """(child, parents, import line) for `count` children: the `import-representation` format."""
    retrieved = (DECISION_TIME - datetime.timedelta(days=1)).isoformat()
    for child, parents, birth in _children(count, start, seed):
        holders = [{"id": parent, "responsibility": "felles"} for parent in parents]
        line = json.dumps({"child": child, "birth_date": birth.isoformat(), "holders": holders, "retrieved_at": retrieved})
        yield child, parents, line


def write_import_file(path: Path, count: int, *, start: int = 0, seed: int = 5) -> int:
    """Write an import file of `count` children; the number of lines written."""
    with path.open("w") as out:
        written = 0
        for _, _, line in representation_lines(count, start=start, seed=seed):
            out.write(line + "\n")
            written += 1
    return written


def fill(store, count: int, *, start: int = 0, seed: int = 5, fact_share: float = 0.1, sample: int = 1000) -> list[Pair]:
    """Add `count` children (and facts on a share of them) to the store; return a sample of (child, parent)."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    drafts: list[tuple[str, FactKind, object, Author]] = []
    seen = 0

    def lines() -> Iterator[str]:
        nonlocal seen
        for child, parents, line in representation_lines(count, start=start, seed=seed):
            seen += 1
            # Reservoir sample of children to ask about, spread over the whole store.
            if len(pairs) < sample:
                pairs.append(Pair(child, parents[0]))
            else:
                slot = rng.randrange(seen)
                if slot < sample:
                    pairs[slot] = Pair(child, parents[0])
            if rng.random() < fact_share:
                drafts.append((child, FactKind.EXEMPTIONS, ExemptionDraft(
                    scope=Scope(pathway=f"pw-{rng.randint(1, 20):02d}"), applies_to="all",
                    legal_basis="pbrl-3-4-3", reason="weighty concerns"), CLINICIAN))
                if rng.random() < 0.3:
                    drafts.append((child, FactKind.ACCESS_PROFILES, AccessProfileDraft(
                        representative=parents[-1], kinds=("appointment", "vaccination")), CLINICIAN))
            yield line

    summary = store.import_representations(lines())
    if summary.rejected:
        raise RuntimeError(f"the store rejected {summary.rejected} generated children: {summary.rejections[:3]}")
    bulk = getattr(store, "create_facts_bulk", None)
    if bulk is not None:
        bulk(drafts, now=DECISION_TIME - datetime.timedelta(days=30))
    else:
        for child, kind, draft, author in drafts:
            store.create_fact(child, kind, draft, author, now=DECISION_TIME - datetime.timedelta(days=30))
    return pairs


def store_timeline(store, timeline: Timeline) -> None:
    """Store the timeline's child, representation and the facts active at the decision time."""
    facts, at = timeline.facts, timeline.at
    recorded = at - datetime.timedelta(days=60)
    store.put_representation(facts.child, facts.representation, SYNC, now=at - datetime.timedelta(days=1))
    for exemption in facts.exemptions:
        if exemption.active_at(at):
            draft = ExemptionDraft(scope=exemption.scope, applies_to=exemption.applies_to, legal_basis=exemption.legal_basis,
                                   reason=exemption.reason, valid_until=exemption.valid_until)
            store.create_fact(facts.child, FactKind.EXEMPTIONS, draft, CLINICIAN, now=recorded)
    for assessment in facts.assessments:
        draft = AssessmentDraft(scope=assessment.scope, adolescent_can_consent=assessment.adolescent_can_consent,
                                parents_informed=assessment.parents_informed)
        store.create_fact(facts.child, FactKind.ASSESSMENTS, draft, CLINICIAN, now=assessment.recorded_at)
    for mark in facts.necessary_information:
        draft = NecessaryInformationDraft(scope=mark.scope, applies_to=mark.applies_to, reason=mark.reason)
        store.create_fact(facts.child, FactKind.NECESSARY_INFORMATION, draft, CLINICIAN, now=recorded)
    for profile in facts.access_profiles:
        draft = AccessProfileDraft(representative=profile.representative, kinds=profile.kinds)
        store.create_fact(facts.child, FactKind.ACCESS_PROFILES, draft, CLINICIAN, now=recorded)
