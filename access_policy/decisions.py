"""The decision core: may this requester see this item of this child's record at this time?

`decide` and `decide_many` are pure: the policy, the child's facts and the decision time are
passed in; nothing here reads a clock, a file or a database. The facts are turned into a derived
request (see `access_policy.policy.DIMENSIONS`, made reachable by `policy.reachable`), casbin's
memoised answer names the deciding rule, and the reasons are the facts behind the dimensions that
rule looked at. People are compared by their ids' equivalence class (former ids and the
register's id links), references by their full `{system, value}`. Anything unexpected gives deny
with the reason `engine-error`; no exception reaches the caller.
"""

from __future__ import annotations

import datetime
import enum
import logging
from dataclasses import dataclass
from itertools import chain
from typing import Iterable, Sequence

from access_policy.age import AgeBand, age_at, age_band
from access_policy.errors import AccessPolicyError
from access_policy.facts import (
    AccessProfile,
    Assessment,
    CareOrder,
    ChildFacts,
    Item,
    ItemKind,
    Reference,
    RegisterStatus,
    Representation,
    Responsibility,
)
from access_policy.identity import is_organisation_number, parse_party_id
from access_policy.policy import DIMENSION_NAMES, Outcome, Policy, reachable

log = logging.getLogger(__name__)

ENGINE_ERROR = "engine-error"

# The dimensions that depend on the item (the others are fixed for a requester, child and time).
_ITEM_DIMENSIONS = frozenset({"exempted", "necessary", "shared", "wish", "consent", "profile"})


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


_Key = tuple[str, str]  # (system, value): a qualified reference, as a dictionary key


def _key(reference: Reference) -> _Key:
    return (reference.system, reference.value)


_CATEGORIES = ("exempted", "necessary", "shared", "wish", "confided", "consent")
_NOTHING: tuple[tuple, ...] = ((),) * len(_CATEGORIES)


class _ScopeIndex:
    """The active facts that concern the requester, one group per category, indexed together by item, pathway,
    referral (and `all`), so an item costs three lookups whatever the number of categories."""

    __slots__ = ("by_item", "by_pathway", "by_referral", "everything")

    def __init__(self, groups: Sequence[Iterable]):
        by_item: dict[_Key, list] = {}
        by_pathway: dict[_Key, list] = {}
        by_referral: dict[_Key, list] = {}
        everything: list = []
        for category, facts in enumerate(groups):
            for fact in facts:
                scope = fact.scope
                entry = (category, fact)
                if scope.all:
                    everything.append(entry)
                elif scope.item is not None:
                    by_item.setdefault(_key(scope.item), []).append(entry)
                elif scope.pathway is not None:
                    by_pathway.setdefault(_key(scope.pathway), []).append(entry)
                elif scope.referral is not None:
                    by_referral.setdefault(_key(scope.referral), []).append(entry)
                else:
                    # A validated scope always names a target; one that does not must not be
                    # dropped silently (an ignored exemption would show what it withholds).
                    raise AccessPolicyError("a fact's scope names no target", code="invalid-scope")
        # Tuples, so that a lookup hands out what it found without copying.
        self.by_item = {key: tuple(found) for key, found in by_item.items()}
        self.by_pathway = {key: tuple(found) for key, found in by_pathway.items()}
        self.by_referral = {key: tuple(found) for key, found in by_referral.items()}
        self.everything = tuple(everything)

    def covering(self, item: Item) -> tuple[tuple, ...] | None:
        """Per category, the facts whose scope covers the item (its kind included); None when none does."""
        # Most items are covered by nothing: look up without building anything until a hit.
        found: tuple = self.by_item.get((item.system, item.id), ()) if self.by_item else ()
        pathway = item.pathway
        if pathway is not None and self.by_pathway:
            found += self.by_pathway.get((pathway.system, pathway.value), ())
        referral = item.referral
        if referral is not None and self.by_referral:
            found += self.by_referral.get((referral.system, referral.value), ())
        found += self.everything
        if not found:
            return None
        groups: list[list] = [[] for _ in _CATEGORIES]
        kind = item.kind
        for category, fact in found:
            # The index found the target; a kind-restricted scope must also name the item's kind.
            kinds = fact.scope.kinds
            if kinds is None or kind in kinds:
                groups[category].append(fact)
        return tuple(map(tuple, groups))


class _Ids:
    """Which ids name the same person: union-find over the register's id links and former ids."""

    def __init__(self, facts: ChildFacts | None):
        self._parent: dict[str, str] = {}
        if facts is None:
            return
        for link in facts.id_links:
            self._union(link.former, link.current)
        representation = facts.representation
        if representation is not None:
            for former in representation.former_ids:
                self._union(former, facts.child)
            for holder in representation.holders:
                if holder.id is not None:
                    for former in holder.former_ids:
                        self._union(former, holder.id)

    def _find(self, party: str) -> str:
        parent = self._parent.get(party, party)
        if parent == party:
            return party
        root = self._find(parent)
        self._parent[party] = root
        return root

    def _union(self, a: str, b: str) -> None:
        root_a, root_b = self._find(a), self._find(b)
        if root_a != root_b:
            self._parent[root_a] = root_b

    def same(self, a: str | None, b: str | None) -> bool:
        """True when both ids are given and name the same person (or organisation)."""
        return a is not None and b is not None and self._find(a) == self._find(b)


def _status(representation: Representation | None, at: datetime.datetime) -> tuple[str, tuple[Reason, ...]]:
    """The child's register status as the policy reads it (docs/policy.md), with its reason."""
    if representation is None:
        return "active", ()
    status = representation.status
    if status is RegisterStatus.DOED:
        if representation.deceased_at(at):
            detail = representation.death_date.isoformat() if representation.death_date else None
            return "deceased", (Reason("child-deceased", detail=detail),)
        return "active", ()
    if status in (RegisterStatus.UTFLYTTET, RegisterStatus.IKKE_BOSATT):
        return "not-resident", (Reason("child-not-resident", detail=status.value),)
    if status in (RegisterStatus.FORSVUNNET, RegisterStatus.OPPHOERT, RegisterStatus.INAKTIV):
        return "inactive", (Reason("child-id-inactive", detail=status.value),)
    return "active", ()


def _wish_window_holds(assessment: Assessment, item: Item, at: datetime.datetime) -> bool:
    """True when an ended wish keeps this item confided: created within the window, or of unknown date."""
    start, end = assessment.confided_window
    if end is None or end > at:
        return False  # not ended yet (or not begun): the active wish, if any, decides
    if assessment.revoked_at is not None and assessment.release_confided:
        return False
    created = item.created
    if created is None:
        return True  # doubt: an undated item may have been confided
    return (start is None or start <= created) and created < end


# What a cached decision depends on: the covering facts' identities and the group sizes, plus the
# item's kind under an access profile; the kind alone when no fact covers the item.
_CacheKey = tuple[tuple[int, ...], tuple[int, ...], ItemKind | None] | ItemKind | None


class _RequesterView:
    """Everything about one requester, child and time that does not depend on the item."""

    def __init__(self, policy: Policy, facts: ChildFacts | None, requester: str, at: datetime.datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise AccessPolicyError("the decision time has no UTC offset", code="naive-time")
        self.policy = policy
        self.at = at
        self.base_reasons: dict[str, tuple[Reason, ...]] = {}
        self._decisions: dict[_CacheKey, Decision] = {}
        requester = parse_party_id(requester)
        ids = _Ids(facts)
        self.ids = ids
        if facts is not None and ids.same(requester, facts.child):
            kind = "child"
            holders = facts.representation.holders if facts.representation is not None else ()
            if any(ids.same(h.id, facts.child) for h in holders):
                # The register's id history joins the child with one of its own holders: doubt denies.
                raise AccessPolicyError("the child's ids are joined with a holder's", code="conflicting-ids")
        else:
            kind = "organisation" if is_organisation_number(requester) else "person"
        self.requester_kind = kind
        self.base_reasons["requester"] = (Reason("own-record"),) if kind == "child" else ()

        representation = facts.representation if facts is not None else None
        self.representation = self._representation_state(representation, policy, at)
        self.status, self.base_reasons["status"] = _status(representation, at)
        protection = representation.address_protection if representation is not None else None
        if protection is not None and protection.protects:
            self.protection = "protected"
            self.base_reasons["protection"] = (Reason("address-protection", detail=protection.value),)
        else:
            self.protection = "none"
        birth_date = facts.birth_date if facts is not None else None
        band = age_band(age_at(birth_date, at)) if birth_date is not None else AgeBand.UNKNOWN
        self.age = band.value
        self.base_reasons["age"] = _AGE_REASONS[band]

        if facts is None:
            facts = ChildFacts.model_construct(child=requester)
        # Care orders end at 18 (the service's consent under §4-4 is for a minor).
        care_orders = [c for c in facts.care_orders if c.active_at(at)] if band is not AgeBand.ADULT else []
        self.care_order = "in-force" if care_orders else "none"
        self.base_reasons["care_order"] = tuple(Reason("care-order", fact=c.id) for c in care_orders)
        serving = [c for c in care_orders if c.organisation == requester]
        if kind == "child":
            self.responsibility, self.requester_protection = "none", "none"
        else:
            self.responsibility, self.requester_protection = self._responsibility(representation, requester, serving)

        if kind == "child":
            # Only an exemption naming the child (any of its ids) withholds from the child: `all`
            # means all representatives, never the patient (pbrl §5-1 second paragraph).
            def concerns(fact) -> bool:
                return fact.active_at(at) and fact.applies_to != "all" and any(ids.same(p, requester) for p in fact.applies_to)
        else:
            def concerns(fact) -> bool:
                return fact.active_at(at) and (fact.applies_to == "all" or any(ids.same(p, requester) for p in fact.applies_to))

        exemptions = [e for e in facts.exemptions if concerns(e)]
        necessary = [n for n in facts.necessary_information if concerns(n)] if kind != "child" else []
        # A grant counts only when the adolescent made it (the author is the child, under any id).
        grants = [
            g for g in facts.sharing_grants
            if kind == "person" and g.active_at(at) and ids.same(g.grantee, requester)
            and g.author is not None and ids.same(g.author.person, facts.child)
        ]
        wishes = [a for a in facts.assessments if a.wishes_parents_not_informed]
        active_wishes = [a for a in wishes if a.active_at(at)]
        ended_wishes = [a for a in wishes if not a.active_at(at)]
        consents = [a for a in facts.assessments if a.adolescent_can_consent is True and a.active_at(at)]
        groups = (exemptions, necessary, grants, active_wishes, ended_wishes, consents)
        self._index = _ScopeIndex(groups) if any(groups) else None
        profiles = [p for p in facts.access_profiles if ids.same(p.representative, requester) and p.active_at(at)]
        self.profiles: list[AccessProfile] = profiles
        # Several active profiles for one representative: only kinds in all of them (deny wins).
        self.profile_kinds = frozenset.intersection(*(frozenset(p.kinds) for p in profiles)) if profiles else None

    def _representation_state(self, representation: Representation | None, policy: Policy, at: datetime.datetime) -> str:
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

    def _responsibility(self, representation: Representation | None, requester: str, serving: list[CareOrder]) -> tuple[str, str]:
        """(responsibility, the requester's own protection) from the register's records and care orders."""
        if serving:
            # The child welfare service that has taken over care consents (pbrl §4-4).
            self.base_reasons["responsibility"] = tuple(Reason("care-order-service", fact=c.id) for c in serving)
            return "holder", "none"
        if representation is None:
            self.base_reasons["responsibility"] = (Reason("no-parental-responsibility"),)
            return "none", "none"
        records = [
            h for h in representation.holders
            if (h.id is not None and self.ids.same(h.id, requester)) or (h.organisation is not None and h.organisation == requester)
        ]
        # A person with a confidential address cannot represent, whatever the record's dates.
        protected = [h.address_protection for h in records if h.address_protection.protects]
        self.base_reasons["requester_protection"] = (
            (Reason("requester-address-protection", detail=protected[0].value),) if protected else ()
        )
        own_protection = "protected" if protected else "none"
        mine = [h.responsibility for h in records if h.holds_at(self.at)]
        known = [r for r in mine if r is not Responsibility.UKJENT]
        if known and len(known) != len(mine):
            # The register says both "holder" and "unknown" for this person: doubt denies.
            self.base_reasons["responsibility"] = (Reason("conflicting-representation"),)
            return "none", own_protection
        if known:
            self.base_reasons["responsibility"] = (Reason("parental-responsibility", detail=known[0].value),)
            return "holder", own_protection
        if mine:
            code = "responsibility-unknown"
        elif records:
            code = "parental-responsibility-ended"
        else:
            code = "no-parental-responsibility"
        self.base_reasons["responsibility"] = (Reason(code),)
        return "none", own_protection

    def decide(self, item: Item) -> Decision:
        """Decide one item: find which facts cover it, then reuse or build the decision."""
        if not isinstance(item, Item):
            # Without facts that cover items the cache key never reads the item, so anything
            # (None, a raw dict) would otherwise get the main rule's permit.
            raise AccessPolicyError(f"not an item: {type(item).__name__}", code="invalid-item")
        covering = self._index.covering(item) if self._index is not None else None
        if covering is not None and covering[4]:
            confided = tuple(a for a in covering[4] if _wish_window_holds(a, item, self.at))
            covering = (*covering[:4], confided, covering[5])
        # A decision depends only on which facts cover the item (their scopes' kinds and the
        # confided window already applied) and, under an access profile, on its kind: that is the
        # cache key. The facts live as long as the view, so their identities name them.
        kind = item.kind if self.profile_kinds is not None else None
        key: _CacheKey
        if covering is None or not any(covering):
            covering, key = _NOTHING, kind
        else:
            key = (tuple(map(id, chain.from_iterable(covering))), tuple(map(len, covering)), kind)
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decide_uncached(item, covering)
            self._decisions[key] = decision
        return decision

    def _decide_uncached(self, item: Item, covering: tuple) -> Decision:
        exempted, necessary, granted, wished, confided, consented = covering
        kinds = self.profile_kinds
        values = {
            "requester": self.requester_kind,
            "representation": self.representation,
            "requester_protection": self.requester_protection,
            "status": self.status,
            "protection": self.protection,
            "responsibility": self.responsibility,
            "care_order": self.care_order,
            "age": self.age,
            "exempted": "yes" if exempted else "no",
            "necessary": "yes" if necessary else "no",
            "shared": "yes" if granted else "no",
            "wish": "yes" if wished or confided else "no",
            "consent": "yes" if consented else "no",
            "profile": "none" if kinds is None else ("includes" if item.kind in kinds else "excludes"),
        }
        request = reachable(tuple(values[name] for name in DIMENSION_NAMES))
        return self._build(self.policy.evaluate(request), item, request, covering)

    def _build(self, outcome: Outcome, item: Item, request: tuple[str, ...], covering: tuple) -> Decision:
        reasons: list[Reason] = []
        legal_basis = list(outcome.legal_basis)
        values = dict(zip(DIMENSION_NAMES, request))
        for dimension in outcome.conditioned:
            if dimension in _ITEM_DIMENSIONS:
                reasons += self._item_reasons(dimension, values[dimension], item, legal_basis, covering)
            else:
                reasons += self.base_reasons.get(dimension, ())
        effect = Effect.PERMIT if outcome.permit else Effect.DENY
        return Decision(effect, outcome.rule, tuple(legal_basis), tuple(reasons), self.policy.version)

    def _item_reasons(
        self, dimension: str, value: str, item: Item, legal_basis: list[str], covering: tuple
    ) -> list[Reason]:
        exempted, necessary, granted, wished, confided, consented = covering
        if value in ("no", "none"):
            return []
        if dimension == "exempted":
            for fact in exempted:
                if fact.legal_basis not in legal_basis:
                    legal_basis.append(fact.legal_basis)
            code = "withheld-from-patient" if self.requester_kind == "child" else "exemption"
            return [Reason(code, fact=fact.id, detail=fact.legal_basis) for fact in exempted]
        if dimension == "necessary":
            return [Reason("necessary-information", fact=fact.id) for fact in necessary]
        if dimension == "shared":
            return [Reason("sharing-grant", fact=fact.id) for fact in granted]
        if dimension == "wish":
            return [Reason("adolescent-wish", fact=fact.id) for fact in wished] + [
                Reason("confided-under-wish", fact=fact.id) for fact in confided
            ]
        if dimension == "consent":
            return [Reason("adolescent-consents", fact=fact.id) for fact in consented]
        if dimension == "profile":
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
