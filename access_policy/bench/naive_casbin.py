"""The peer a casbin user reaches first: every fact of every child as a line of one enforcer.

The model keeps the guideline's rules and their order (casbin's priority effect: the first
matching line decides, as in the engine's rule table), but the clinicians' facts and the
representation are policy lines, not data: a holder line per parent and child, a deny line per
exemption and party, a deny line per hiding assessment, a deny line per kind an access profile
leaves out, an allow line per necessary-information mark and holder. Only facts active at the
decision time are lines (a casbin user's sync job adds a line when a fact is set and removes it
when it is revoked or expires). The caller computes the child's age band, as it would.
"""

from __future__ import annotations

import random
from typing import Iterable, Sequence

import casbin
from casbin.model import Model
from casbin.persist.adapter import Adapter

from access_policy.age import AgeBand, age_at, age_band
from access_policy.bench.timeline import Timeline
from access_policy.facts import ChildFacts, Item, ItemKind, Reference, Scope

MODEL = """
[request_definition]
r = sub, child, item, pathway, referral, kind, age

[policy_definition]
p = priority, sub, child, item, pathway, referral, kind, age, eft, rule

[policy_effect]
e = priority(p.eft) || deny

[matchers]
m = (p.sub == "*" || p.sub == r.sub) && (p.child == "*" || p.child == r.child) && \
(p.item == "*" || p.item == r.item) && (p.pathway == "*" || p.pathway == r.pathway) && \
(p.referral == "*" || p.referral == r.referral) && (p.kind == "*" || p.kind == r.kind) && \
(p.age == "*" || p.age == r.age)
"""

Line = tuple[str, ...]

# The guideline's rules that hold for every child (the rest are lines per child's facts).
GLOBAL_LINES: tuple[Line, ...] = (
    ("40", "*", "*", "*", "*", "*", "*", "18+", "deny", "child-adult"),
    ("45", "*", "*", "*", "*", "*", "*", "unknown", "deny", "birth-date-unknown"),
    ("70", "*", "*", "*", "*", "*", "*", "16-17", "deny", "child-16-17"),
    ("1000", "*", "*", "*", "*", "*", "*", "*", "deny", "default-deny"),
)


def _text(reference: Reference | None) -> str | None:
    """A qualified reference as one policy cell (`system|value`)."""
    return None if reference is None else f"{reference.system}|{reference.value}"


def _scope_cells(scope: Scope) -> tuple[str, str, str]:
    return (_text(scope.item) or "*", _text(scope.pathway) or "*", _text(scope.referral) or "*")


def _parties(applies_to, holders: Sequence[str]) -> Sequence[str]:
    return ("*",) if applies_to == "all" else tuple(applies_to)


def child_lines(facts: ChildFacts, at) -> list[Line]:
    """The policy lines a casbin user writes for one child's facts active at `at`."""
    child = facts.child
    lines: list[Line] = []
    representation = facts.representation
    holders = [h.party for h in representation.holders if h.party is not None and h.responsibility.value != "ukjent"] if representation else []
    if representation is not None and representation.address_protection.protects:
        lines.append(("20", "*", child, "*", "*", "*", "*", "*", "deny", "address-protection"))
    for exemption in facts.exemptions:
        if exemption.active_at(at):
            for party in _parties(exemption.applies_to, holders):
                lines.append(("50", party, child, *_scope_cells(exemption.scope), "*", "*", "deny", "exemption"))
    for mark in facts.necessary_information:
        if mark.active_at(at):
            parties = holders if mark.applies_to == "all" else [p for p in mark.applies_to if p in holders]
            for party in parties:
                lines.append(("60", party, child, *_scope_cells(mark.scope), "*", "*", "allow", "necessary-information"))
    for assessment in facts.assessments:
        if assessment.active_at(at) and assessment.wishes_parents_not_informed:
            lines.append(("80", "*", child, *_scope_cells(assessment.scope), "*", "12-15", "deny", "adolescent-wish"))
    for profile in facts.access_profiles:
        if profile.active_at(at):
            for kind in ItemKind:
                if kind not in profile.kinds:
                    lines.append(("90", profile.representative, child, "*", "*", "*", kind.value, "*", "deny", "access-profile"))
    for holder in holders:
        lines.append(("100", holder, child, "*", "*", "*", "*", "*", "allow", "main-rule"))
    return lines


def filler_lines(count: int, seed: int = 7) -> list[Line]:
    """About `count` lines for other children, in the shape of `access_policy.synthetic`'s population.

    Per child: holders (70 % two, 3 % unknown, else one), a protected address for 2 %, and for
    children under 16 an exemption on 5 %, a profile on 3 % of two-holder families, a hiding
    assessment on about 2 % of 12–15-year-olds' families (about 1.8 lines per child in all).
    """
    rng = random.Random(seed)
    lines: list[Line] = []
    number = 0
    kinds = [kind.value for kind in ItemKind]
    while len(lines) < count:
        number += 1
        child = f"9{number:010d}"
        shape = rng.random()
        holders = 2 if shape < 0.70 else (0 if shape < 0.73 else 1)
        if rng.random() < 0.02:
            lines.append(("20", "*", child, "*", "*", "*", "*", "*", "deny", "address-protection"))
        under_16 = rng.random() < 0.8
        if under_16 and rng.random() < 0.05:
            lines.append(("50", "*", child, "*", f"local|pw-{rng.randrange(20)}", "*", "*", "*", "deny", "exemption"))
        if under_16 and rng.random() < 0.1 and rng.random() < 0.25:
            lines.append(("80", "*", child, "*", f"local|pw-{rng.randrange(20)}", "*", "*", "12-15", "deny", "adolescent-wish"))
        if under_16 and holders == 2 and rng.random() < 0.03:
            for kind in rng.sample(kinds, 5):
                lines.append(("90", f"8{number:09d}1", child, "*", "*", "*", kind, "*", "deny", "access-profile"))
        for holder in range(holders):
            lines.append(("100", f"8{number:09d}{holder}", child, "*", "*", "*", "*", "*", "allow", "main-rule"))
    return lines[:count]


def lines_per_child(seed: int = 7, sample: int = 10_000) -> float:
    """The mean number of lines a filler child takes (to place a line count against children stored)."""
    lines = filler_lines(sample, seed)
    return len(lines) / len({line[2] for line in lines})


class _LinesAdapter(Adapter):
    def __init__(self, lines: Iterable[Line]):
        self._lines = lines

    def load_policy(self, model: Model) -> None:
        policy = model.model["p"]["p"].policy
        for line in self._lines:
            policy.append(list(line))

    def save_policy(self, model: Model) -> bool:
        return False


class NaiveCasbin:
    """One pycasbin enforcer holding the rules and every fact as lines."""

    def __init__(self, timeline: Timeline, total_lines: int):
        own = list(GLOBAL_LINES) + child_lines(timeline.facts, timeline.at)
        filler = filler_lines(max(0, total_lines - len(own)))
        # The timeline child sits among the others, not first: casbin scans lines in order.
        half = len(filler) // 2
        lines = filler[:half] + own + filler[half:]
        self.lines = len(lines)
        model = Model()
        model.load_model_from_text(MODEL)
        self.enforcer = casbin.Enforcer(model, _LinesAdapter(lines))
        self.timeline = timeline

    def decide_many(self, requester: str, child: ChildFacts, items: Sequence[Item], at) -> list[bool]:
        """Permit (True) or deny per item, one enforce call per item."""
        birth_date = child.birth_date
        band = age_band(age_at(birth_date, at)).value if birth_date is not None else AgeBand.UNKNOWN.value
        enforce = self.enforcer.enforce
        return [
            bool(enforce(requester, child.child, _text(item.reference), _text(item.pathway) or "", _text(item.referral) or "", item.kind.value, band))
            for item in items
        ]
