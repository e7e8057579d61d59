"""The decision core: may this requester see this item of this child's record at this time?

`decide` and `decide_many` are pure: the policy, the child's facts and the decision time are
passed in; nothing here reads a clock, a file or a database. The facts are turned into a derived
request (see `access_policy.policy.DIMENSIONS`), casbin's memoised answer names the deciding rule,
and the reasons are the facts behind the dimensions that rule looked at. Anything unexpected
gives deny with the reason `engine-error`; no exception reaches the caller.
"""

from __future__ import annotations

import datetime
import enum
import logging
from dataclasses import dataclass
from typing import Iterable, Sequence

from access_policy.age import AgeBand, age_at, age_band
from access_policy.errors import AccessPolicyError
from access_policy.facts import (
    AccessProfile,
    Assessment,
    ChildFacts,
    ClinicalFact,
    Exemption,
    Item,
    NecessaryInformation,
    Responsibility,
)
from access_policy.identity import is_organisation_number, parse_party_id
from access_policy.policy import DIMENSION_NAMES, Outcome, Policy

log = logging.getLogger(__name__)

ENGINE_ERROR = "engine-error"

# The dimensions that depend on the item (the others are fixed for a requester, child and time).
_ITEM_DIMENSIONS = frozenset({"exempted", "necessary", "assessment", "profile"})

# When several assessments cover one item, the strongest wins: hiding from parents first.
_ASSESSMENT_RANK = {
    "none": 0,
    "cannot-consent": 1,
    "consents-parents-informed": 2,
    "consents-parents-not-informed": 3,
}


class Effect(str, enum.Enum):
    """The answer: the item may be shown (permit) or not (deny)."""

    PERMIT = "permit"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class Reason:
    """A fact that applied to a decision: a stable code, the fact's id when it has one, a detail."""

    code: str
    fact: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The reason as a JSON-ready mapping (absent parts left out)."""
        out = {"code": self.code}
        if self.fact is not None:
            out["fact"] = self.fact
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer for one item: effect, deciding rule, legal basis, reasons, policy version."""

    effect: Effect
    rule: str
    legal_basis: tuple[str, ...]
    reasons: tuple[Reason, ...]
    policy_version: str

    @property
    def permitted(self) -> bool:
        """True only for an explicit permit."""
        return self.effect is Effect.PERMIT

    def as_dict(self) -> dict[str, object]:
        """The decision as a JSON-ready mapping, with the contract's field names."""
        return {
            "decision": self.effect.value,
            "rule": self.rule,
            "legal_basis": list(self.legal_basis),
            "reasons": [reason.as_dict() for reason in self.reasons],
            "policy_version": self.policy_version,
        }


def decide(policy: Policy, facts: ChildFacts | None, requester: str, item: Item, at: datetime.datetime) -> Decision:
    """Decide one item; never raises."""
    return decide_many(policy, facts, requester, (item,), at)[0]


def decide_many(
    policy: Policy, facts: ChildFacts | None, requester: str, items: Sequence[Item], at: datetime.datetime
) -> list[Decision]:
    """Decide a list of items for one requester and child, in order; never raises."""
    try:
        view = _RequesterView(policy, facts, requester, at)
    except Exception as error:  # noqa: BLE001 - fail closed: any surprise is a deny
        return [_error_decision(policy, error)] * len(items)
    decisions = []
    for item in items:
        try:
            decisions.append(view.decide(item))
        except Exception as error:  # noqa: BLE001 - fail closed per item
            decisions.append(_error_decision(policy, error))
    return decisions


def _error_decision(policy: Policy, error: BaseException) -> Decision:
    if not isinstance(error, AccessPolicyError):
        log.exception("decision failed; denying", exc_info=error)
    detail = getattr(error, "code", type(error).__name__)
    return Decision(Effect.DENY, ENGINE_ERROR, (), (Reason(ENGINE_ERROR, detail=detail),), policy.version)


class _ScopeIndex:
    """Active facts of one kind that concern the requester, indexed by item, pathway and referral."""

    __slots__ = ("by_item", "by_pathway", "by_referral")

    def __init__(self, facts: Iterable[Exemption | NecessaryInformation | Assessment]):
        self.by_item: dict[str, list] = {}
        self.by_pathway: dict[str, list] = {}
        self.by_referral: dict[str, list] = {}
        for fact in facts:
            scope = fact.scope
            if scope.item is not None:
                self.by_item.setdefault(scope.item, []).append(fact)
            elif scope.pathway is not None:
                self.by_pathway.setdefault(scope.pathway, []).append(fact)
            else:
                self.by_referral.setdefault(scope.referral, []).append(fact)

    def __bool__(self) -> bool:
        return bool(self.by_item or self.by_pathway or self.by_referral)

    def hits(self, item: Item) -> tuple[str | None, str | None, str | None] | None:
        """Which of the item's id, pathway and referral some fact covers; None when none is."""
        hit_item = item.id if item.id in self.by_item else None
        pathway, referral = item.pathway, item.referral
        hit_pathway = pathway if pathway is not None and pathway in self.by_pathway else None
        hit_referral = referral if referral is not None and referral in self.by_referral else None
        if hit_item is None and hit_pathway is None and hit_referral is None:
            return None
        return (hit_item, hit_pathway, hit_referral)

    def covering(self, item: Item) -> list:
        """The facts that cover the item, item scope first."""
        found = list(self.by_item.get(item.id, ()))
        if item.pathway is not None:
            found += self.by_pathway.get(item.pathway, ())
        if item.referral is not None:
            found += self.by_referral.get(item.referral, ())
        return found


def _assessment_value(assessment: Assessment) -> str:
    if not assessment.adolescent_can_consent:
        return "cannot-consent"
    return "consents-parents-informed" if assessment.parents_informed else "consents-parents-not-informed"


class _RequesterView:
    """Everything about one requester, child and time that does not depend on the item."""

    def __init__(self, policy: Policy, facts: ChildFacts | None, requester: str, at: datetime.datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise AccessPolicyError("the decision time has no UTC offset", code="naive-time")
        self.policy = policy
        self.at = at
        self.base_reasons: dict[str, tuple[Reason, ...]] = {}
        self._decisions: dict[tuple, Decision] = {}
        requester = parse_party_id(requester)
        child = facts.child if facts is not None else None
        kind = "child" if requester == child else ("organisation" if is_organisation_number(requester) else "person")
        self.requester_kind = kind
        self.base_reasons["requester"] = (Reason("own-record"),) if kind == "child" else ()

        representation = facts.representation if facts is not None else None
        self.representation = self._representation_state(representation, policy, at)
        protected = representation is not None and representation.address_protection.protects
        self.protection = "protected" if protected else "none"
        if protected:
            self.base_reasons["protection"] = (Reason("address-protection", detail=representation.address_protection.value),)
        self.responsibility = self._responsibility(representation, requester) if kind != "child" else "none"
        birth_date = facts.birth_date if facts is not None else None
        band = age_band(age_at(birth_date, at)) if birth_date is not None else AgeBand.UNKNOWN
        self.age = band.value
        self.base_reasons["age"] = _AGE_REASONS[band]

        active = (lambda fact: fact.active_at(at))
        concerns = (lambda fact: fact.active_at(at) and fact.applies_to_party(requester))
        if facts is None:
            facts = ChildFacts.model_construct(child=requester)
        self.exemptions = _ScopeIndex(filter(concerns, facts.exemptions))
        self.necessary = _ScopeIndex(filter(concerns, facts.necessary_information))
        self.assessments = _ScopeIndex(filter(active, facts.assessments))
        profiles = [p for p in facts.access_profiles if p.representative == requester and p.active_at(at)]
        self.profiles: list[AccessProfile] = profiles
        # Several active profiles for one representative: only kinds in all of them (deny wins).
        self.profile_kinds = frozenset.intersection(*(frozenset(p.kinds) for p in profiles)) if profiles else None
        # Per item only the non-empty indexes are asked (bound once here, not tested per item).
        self._hits = tuple(index.hits if index else None for index in (self.exemptions, self.necessary, self.assessments))
        self.prefix = (kind, self.representation, self.protection, self.responsibility, self.age)

    def _representation_state(self, representation, policy: Policy, at: datetime.datetime) -> str:
        if representation is None:
            self.base_reasons["representation"] = (Reason("no-representation"),)
            return "missing"
        age = at - representation.retrieved_at
        settings = policy.settings
        if age > settings.max_representation_age or -age > settings.clock_skew:
            detail = f"retrieved {representation.retrieved_at.isoformat()}"
            self.base_reasons["representation"] = (Reason("stale-representation", fact=representation.id, detail=detail),)
            return "stale"
        self.base_reasons["representation"] = ()
        return "current"

    def _responsibility(self, representation, requester: str) -> str:
        if representation is None:
            self.base_reasons["responsibility"] = (Reason("no-parental-responsibility"),)
            return "none"
        mine = [h.responsibility for h in representation.holders if h.party == requester]
        known = [r for r in mine if r is not Responsibility.UKJENT]
        if known and len(known) != len(mine):
            # The register says both "holder" and "unknown" for this person: doubt denies.
            self.base_reasons["responsibility"] = (Reason("conflicting-representation"),)
            return "none"
        if known:
            self.base_reasons["responsibility"] = (Reason("parental-responsibility", detail=known[0].value),)
            return "holder"
        code = "responsibility-unknown" if mine else "no-parental-responsibility"
        self.base_reasons["responsibility"] = (Reason(code),)
        return "none"

    def decide(self, item: Item) -> Decision:
        """Decide one item: look up which facts cover it, then reuse or build the decision."""
        if not isinstance(item, Item):
            # Without facts that cover items the cache key never reads the item, so anything
            # (None, a raw dict) would otherwise get the main rule's permit.
            raise AccessPolicyError(f"not an item: {type(item).__name__}", code="invalid-item")
        # The prefix is fixed for the view, so a decision depends only on which scopes of which
        # facts cover the item and on its kind: that is the cache key. Most items share one.
        exempted, necessary, assessed = self._hits
        key = (
            exempted(item) if exempted is not None else None,
            necessary(item) if necessary is not None else None,
            assessed(item) if assessed is not None else None,
            item.kind if self.profile_kinds is not None else None,
        )
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decide_uncached(item, key)
            self._decisions[key] = decision
        return decision

    def _decide_uncached(self, item: Item, key: tuple) -> Decision:
        exempted = "no" if key[0] is None else "yes"
        necessary = "no" if key[1] is None else "yes"
        assessment = "none"
        for fact in self.assessments.covering(item) if key[2] is not None else ():
            value = _assessment_value(fact)
            if _ASSESSMENT_RANK[value] > _ASSESSMENT_RANK[assessment]:
                assessment = value
        kinds = self.profile_kinds
        profile = "none" if kinds is None else ("includes" if item.kind in kinds else "excludes")
        request = (*self.prefix, exempted, necessary, assessment, profile)
        return self._build(self.policy.evaluate(request), item, request)

    def _build(self, outcome: Outcome, item: Item, request: tuple[str, ...]) -> Decision:
        reasons: list[Reason] = []
        legal_basis = list(outcome.legal_basis)
        values = dict(zip(DIMENSION_NAMES, request))
        for dimension in outcome.conditioned:
            if dimension in _ITEM_DIMENSIONS:
                reasons += self._item_reasons(dimension, values[dimension], item, legal_basis)
            else:
                reasons += self.base_reasons.get(dimension, ())
        effect = Effect.PERMIT if outcome.permit else Effect.DENY
        return Decision(effect, outcome.rule, tuple(legal_basis), tuple(reasons), self.policy.version)

    def _item_reasons(self, dimension: str, value: str, item: Item, legal_basis: list[str]) -> list[Reason]:
        if dimension == "exempted" and value == "yes":
            found = self.exemptions.covering(item)
            for fact in found:
                if fact.legal_basis not in legal_basis:
                    legal_basis.append(fact.legal_basis)
            return [Reason("exemption", fact=fact.id, detail=fact.legal_basis) for fact in found]
        if dimension == "necessary" and value == "yes":
            return [Reason("necessary-information", fact=fact.id) for fact in self.necessary.covering(item)]
        if dimension == "assessment" and value != "none":
            return [
                Reason("adolescent-assessment", fact=fact.id, detail=_assessment_value(fact))
                for fact in self.assessments.covering(item)
                if _assessment_value(fact) == value
            ]
        if dimension == "profile" and value != "none":
            excluding = value == "excludes"
            return [
                Reason("access-profile", fact=p.id, detail=f"{item.kind.value} {value}")
                for p in self.profiles
                if (item.kind not in p.kinds) == excluding
            ]
        return []


_AGE_REASONS: dict[AgeBand, tuple[Reason, ...]] = {
    AgeBand.UNDER_12: (),
    AgeBand.FROM_12_TO_15: (Reason("child-12-to-15"),),
    AgeBand.FROM_16_TO_17: (Reason("child-16-or-17"),),
    AgeBand.ADULT: (Reason("child-18-or-older"),),
    AgeBand.UNKNOWN: (Reason("birth-date-unknown"),),
}
