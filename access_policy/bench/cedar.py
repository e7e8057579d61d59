"""The Cedar peer: the guideline's rules as Cedar policies, the child's facts as entities.

Cedar has no rule order: forbid wins over permit. The order of the rule table becomes `unless`
clauses (a necessary-information mark lifts the denials that come after it in the table). The
facts become the entity graph: an item is `in` its care pathway, its referral and its kind; a
scope that an exemption, a hiding assessment, an access profile or the adolescent's sharing grant
covers is `in` a group the policies test, either the group for everyone or the group named by the
requesting person; a care order in force is an attribute of the child. Only facts active at the
decision time become entities, as for the other peer. The rules the synthetic population reaches
are all here; the register statuses and the requester's own protection, which it never holds, are not.
"""

from __future__ import annotations

import json
from typing import Sequence

import cedarpy

from access_policy.age import AgeBand, age_at, age_band
from access_policy.facts import ChildFacts, Item, ItemKind, Reference, Scope

POLICIES = """
@id("no-current-representation")
forbid (principal, action == Action::"view", resource) when { resource.child.representation != "current" };
@id("address-protection")
forbid (principal, action == Action::"view", resource) when { resource.child.protected };
@id("care-order")
forbid (principal, action == Action::"view", resource) when { resource.child.care_order };
@id("child-adult")
forbid (principal, action == Action::"view", resource) when { resource.child.age_band == "18+" || resource.child.age_band == "unknown" };
@id("exemption")
forbid (principal, action == Action::"view", resource) when { resource in Group::"exempt-all" || resource in principal.exempt };
@id("child-16-17")
forbid (principal, action == Action::"view", resource) when { resource.child.age_band == "16-17" }
  unless { resource in Group::"necessary-all" || resource in principal.necessary || resource in principal.shared };
@id("adolescent-wish")
forbid (principal, action == Action::"view", resource) when { resource.child.age_band == "12-15" && resource in Group::"wish-hidden" }
  unless { resource in Group::"necessary-all" || resource in principal.necessary };
@id("access-profile")
forbid (principal, action == Action::"view", resource) when { resource in principal.profile_excludes }
  unless { resource in Group::"necessary-all" || resource in principal.necessary
           || (resource.child.age_band == "16-17" && resource in principal.shared) };
@id("main-rule")
permit (principal, action == Action::"view", resource) when { resource.child.holders.contains(principal) };
"""

_ACTION = {"type": "Action", "id": "view"}


def policy_set() -> cedarpy.PolicySet:
    """The policies, parsed once."""
    return cedarpy.PolicySet.from_str(POLICIES)


def _uid(kind: str, id_: str) -> dict[str, str]:
    return {"type": kind, "id": id_}


def _ref(kind: str, id_: str) -> dict[str, dict[str, str]]:
    return {"__entity": _uid(kind, id_)}


def _text(reference: Reference | None) -> str | None:
    """A qualified reference as one entity id part (`system|value`)."""
    return None if reference is None else f"{reference.system}|{reference.value}"


def _scope_uid(child: str, scope: Scope) -> dict[str, str]:
    if scope.item is not None:
        return _uid("Item", f"{child}/{_text(scope.item)}")
    if scope.pathway is not None:
        return _uid("Pathway", f"{child}/{_text(scope.pathway)}")
    return _uid("Referral", f"{child}/{_text(scope.referral)}")


def entities(facts: ChildFacts, requesters: Sequence[str], items: Sequence[Item], at, *, representation_state: str = "current") -> list[dict]:
    """The child's facts active at `at`, the requesters and the items, as Cedar entities."""
    child = facts.child
    parents: dict[tuple[str, str], list[dict[str, str]]] = {}

    def edge(uid: dict[str, str], group: dict[str, str]) -> None:
        parents.setdefault((uid["type"], uid["id"]), []).append(group)

    representation = facts.representation
    holders = [h.party for h in representation.holders if h.party is not None and h.responsibility.value != "ukjent"] if representation else []
    for exemption in facts.exemptions:
        if exemption.active_at(at):
            groups = ["exempt-all"] if exemption.applies_to == "all" else [f"exempt:{p}" for p in exemption.applies_to]
            for group in groups:
                edge(_scope_uid(child, exemption.scope), _uid("Group", group))
    for mark in facts.necessary_information:
        if mark.active_at(at):
            groups = ["necessary-all"] if mark.applies_to == "all" else [f"necessary:{p}" for p in mark.applies_to]
            for group in groups:
                edge(_scope_uid(child, mark.scope), _uid("Group", group))
    for grant in facts.sharing_grants:
        # Only the adolescent's own grant counts (the engine checks the author is the child).
        if grant.active_at(at) and grant.author is not None and grant.author.person == child:
            edge(_scope_uid(child, grant.scope), _uid("Group", f"shared:{grant.grantee}"))
    for assessment in facts.assessments:
        if assessment.active_at(at) and assessment.wishes_parents_not_informed:
            edge(_scope_uid(child, assessment.scope), _uid("Group", "wish-hidden"))
    for profile in facts.access_profiles:
        if profile.active_at(at):
            for kind in ItemKind:
                if kind not in profile.kinds:
                    edge(_uid("Kind", f"{child}/{kind.value}"), _uid("Group", f"profile-excludes:{profile.representative}"))

    birth_date = facts.birth_date
    band = age_band(age_at(birth_date, at)).value if birth_date is not None else AgeBand.UNKNOWN.value
    protected = representation is not None and representation.address_protection.protects
    # A care order in force takes the parents' access (the engine reads none for an adult child).
    care_order = band != AgeBand.ADULT.value and any(order.active_at(at) for order in facts.care_orders)
    out: list[dict] = [
        {
            "uid": _uid("Child", child),
            "attrs": {
                "age_band": band,
                "protected": protected,
                "care_order": care_order,
                "representation": representation_state if representation is not None else "missing",
                "holders": [_ref("Person", h) for h in holders],
            },
            "parents": [],
        }
    ]
    for person in requesters:
        out.append(
            {
                "uid": _uid("Person", person),
                "attrs": {
                    "exempt": _ref("Group", f"exempt:{person}"),
                    "necessary": _ref("Group", f"necessary:{person}"),
                    "profile_excludes": _ref("Group", f"profile-excludes:{person}"),
                    "shared": _ref("Group", f"shared:{person}"),
                },
                "parents": [],
            }
        )
    seen_scopes: set[tuple[str, str]] = set()
    for item in items:
        item_parents = list(parents.get(("Item", f"{child}/{_text(item.reference)}"), ()))
        for entity_type, value in (("Pathway", _text(item.pathway)), ("Referral", _text(item.referral)), ("Kind", item.kind.value)):
            if value is None:
                continue
            uid = _uid(entity_type, f"{child}/{value}")
            item_parents.append(uid)
            if (entity_type, uid["id"]) not in seen_scopes:
                seen_scopes.add((entity_type, uid["id"]))
                out.append({"uid": uid, "attrs": {}, "parents": parents.get((entity_type, uid["id"]), [])})
        out.append({"uid": _uid("Item", f"{child}/{_text(item.reference)}"), "attrs": {"kind": item.kind.value, "child": _ref("Child", child)},
                    "parents": item_parents})
    return out


def requests(facts: ChildFacts, requester: str, items: Sequence[Item]) -> list[dict]:
    """One Cedar request per item."""
    principal = _uid("Person", requester)
    return [
        {"principal": principal, "action": _ACTION, "resource": _uid("Item", f"{facts.child}/{_text(item.reference)}"), "context": {}}
        for item in items
    ]


class Cedar:
    """Batch evaluation with cedarpy, the policies parsed once."""

    def __init__(self) -> None:
        self.policies = policy_set()

    def load(self, facts: ChildFacts, requester: str, items: Sequence[Item], at) -> tuple[cedarpy.Entities, list[dict]]:
        """The entity handle and the requests for a list (the facts loaded, as for the engine)."""
        handle = cedarpy.Entities.from_json_str(json.dumps(entities(facts, [requester], items, at)))
        return handle, requests(facts, requester, items)

    def decide_many(self, loaded: tuple[cedarpy.Entities, list[dict]]) -> list[bool]:
        """Permit (True) or deny per item, in one `is_authorized_batch` call."""
        handle, batch = loaded
        return [result.allowed for result in cedarpy.is_authorized_batch(batch, self.policies, handle)]

    def decide_one(self, facts: ChildFacts, requester: str, item: Item, at) -> bool:
        """One decision from facts just read: build the entities and ask (what a service would do)."""
        result = cedarpy.is_authorized(requests(facts, requester, (item,))[0], self.policies, entities(facts, [requester], (item,), at))
        return result.allowed

    def errors(self, loaded: tuple[cedarpy.Entities, list[dict]]) -> list[str]:
        """Policy evaluation errors on a list (a policy that errors is skipped, so this must be empty)."""
        handle, batch = loaded
        return [error for result in cedarpy.is_authorized_batch(batch, self.policies, handle) for error in result.diagnostics.errors]
