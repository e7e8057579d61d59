"""Policy analysis over the whole, finite request space: properties a policy must keep, and diffs.

Because a decision depends only on the derived request, and the reachable derived requests are a
small finite set (see `access_policy.policy.fixed_dimensions`), a policy can be checked
exhaustively rather than by examples: every request is evaluated once through casbin. What the
table cannot show (ids that change, a withdrawn grant) is checked by running the decision core
over generated facts (`access_policy.engine_checks`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from access_policy.policy import DIMENSION_NAMES, DIMENSIONS, DerivedRequest, Outcome, Policy

REPRESENTATIVES = frozenset({"person", "organisation"})
_INDEX = {name: position for position, name in enumerate(DIMENSION_NAMES)}


@dataclass(frozen=True)
class Check:
    """The result of one property check: its id, what it means, and counterexamples if it failed."""

    id: str
    description: str
    counterexamples: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True when no counterexample was found."""
        return not self.counterexamples


def describe(request: DerivedRequest) -> str:
    """A derived request as `name=value` pairs, for people."""
    return ", ".join(f"{name}={value}" for name, value in zip(DIMENSION_NAMES, request))


def _value(request: DerivedRequest, dimension: str) -> str:
    return request[_INDEX[dimension]]


def _with(request: DerivedRequest, dimension: str, value: str) -> DerivedRequest:
    changed = list(request)
    changed[_INDEX[dimension]] = value
    return tuple(changed)


def _never_permits(table: dict[DerivedRequest, Outcome], when: Callable[[DerivedRequest], bool]) -> tuple[str, ...]:
    return tuple(describe(request) for request, outcome in table.items() if when(request) and outcome.permit)


def _monotone(
    table: dict[DerivedRequest, Outcome], dimension: str, absent: str, requesters: frozenset[str] = REPRESENTATIVES
) -> tuple[str, ...]:
    """Requests where adding a fact (absent → any other value) turns a deny into a permit."""
    found = []
    for request, outcome in table.items():
        if _value(request, "requester") not in requesters or _value(request, dimension) != absent or outcome.permit:
            continue
        for value in DIMENSIONS[dimension]:
            other = _with(request, dimension, value)
            if value != absent and other in table and table[other].permit:
                found.append(describe(other))
    return tuple(found)


def _permits_only_when(
    table: dict[DerivedRequest, Outcome], dimension: str, absent: str, allowed: Callable[[DerivedRequest], bool]
) -> tuple[str, ...]:
    """Requests where a permitting fact (absent → present) turns a deny into a permit outside `allowed`."""
    found = []
    for request, outcome in table.items():
        if _value(request, dimension) != absent or outcome.permit:
            continue
        for value in DIMENSIONS[dimension]:
            other = _with(request, dimension, value)
            if value != absent and other in table and table[other].permit and not allowed(other):
                found.append(describe(other))
    return tuple(found)


def _one_answer_for_strangers(table: dict[DerivedRequest, Outcome]) -> tuple[str, ...]:
    """Groups of a requester without parental responsibility decided by more than one rule.

    Within a group only the requester's own situation is fixed (kind, the representation's
    state, their own address protection); everything about the child varies, and must not show.
    """
    seen: dict[tuple[str, ...], set[tuple[str, bool]]] = {}
    for request, outcome in table.items():
        if _value(request, "requester") in REPRESENTATIVES and _value(request, "responsibility") == "none":
            group = tuple(_value(request, name) for name in ("requester", "representation", "requester_protection"))
            seen.setdefault(group, set()).add((outcome.rule, outcome.permit))
    return tuple(
        f"requester={group[0]}, representation={group[1]}, requester_protection={group[2]}: rules {sorted(r for r, _ in answers)}"
        for group, answers in seen.items()
        if len(answers) > 1
    )


def verify(policy: Policy, *, engine: bool = True) -> list[Check]:
    """Check the properties every national policy must keep; each check lists its counterexamples.

    The table checks cover every reachable derived request through casbin; with `engine` the
    decision core is also run over generated facts (ids that change, withdrawn sharing, death).
    """
    table = policy.table()
    is_rep = lambda r: _value(r, "requester") in REPRESENTATIVES  # noqa: E731
    is_child = lambda r: _value(r, "requester") == "child"  # noqa: E731
    v = _value
    decided = Counter(outcome.rule for outcome in table.values())

    def open_to_representatives(r: DerivedRequest) -> bool:
        return (is_rep(r) and v(r, "representation") == "current" and v(r, "responsibility") == "holder"
                and v(r, "status") == "active" and v(r, "protection") == "none" and v(r, "requester_protection") == "none"
                and not (v(r, "requester") == "person" and v(r, "care_order") == "in-force")
                and v(r, "exempted") == "no")

    checks = [
        Check("adult-child", "no representative sees anything of a child aged 18 or more",
              _never_permits(table, lambda r: is_rep(r) and v(r, "age") == "18+")),
        Check("non-holder", "a representative without parental responsibility sees nothing",
              _never_permits(table, lambda r: is_rep(r) and v(r, "responsibility") == "none")),
        Check("stranger-learns-nothing", "a requester without parental responsibility gets one answer whatever the child's facts",
              _one_answer_for_strangers(table)),
        Check("representation", "nothing is shown to representatives on missing or stale representation",
              _never_permits(table, lambda r: is_rep(r) and v(r, "representation") != "current")),
        Check("address-protection", "nothing is shown to representatives of an address-protected child",
              _never_permits(table, lambda r: is_rep(r) and v(r, "protection") == "protected")),
        Check("requester-address-protection", "a person with a confidential address of their own represents no one",
              _never_permits(table, lambda r: is_rep(r) and v(r, "requester_protection") == "protected")),
        Check("deceased-child", "nothing of a deceased child is shown digitally, to a representative or anyone",
              _never_permits(table, lambda r: v(r, "status") == "deceased")),
        Check("inactive-id", "nothing is shown under an id that is no longer in use, or of a missing child",
              _never_permits(table, lambda r: v(r, "status") == "inactive")),
        Check("not-resident", "representatives of a child the register no longer keeps see nothing",
              _never_permits(table, lambda r: is_rep(r) and v(r, "status") == "not-resident")),
        Check("care-order", "while a care order is in force the parents (persons) see nothing",
              _never_permits(table, lambda r: v(r, "requester") == "person" and v(r, "care_order") == "in-force")),
        Check("necessary-or-shared-16-17",
              "a child of 16 or 17: representatives see only what is marked necessary or what the adolescent shared",
              _never_permits(table, lambda r: is_rep(r) and v(r, "age") == "16-17" and v(r, "necessary") == "no" and v(r, "shared") == "no")),
        Check("exemption", "an exempted item is never shown to the representative it applies to",
              _never_permits(table, lambda r: is_rep(r) and v(r, "exempted") == "yes")),
        Check("sharing-never-overrides-exemption", "no sharing grant shows an item an exemption withholds",
              _never_permits(table, lambda r: v(r, "shared") == "yes" and v(r, "exempted") == "yes")),
        Check("adolescent-wish", "what the adolescent (12–15) wishes kept from the parents is shown only when marked necessary",
              _never_permits(table, lambda r: is_rep(r) and v(r, "wish") == "yes" and v(r, "necessary") == "no")),
        Check("withheld-from-patient", "an item withheld from the patient is never shown to the child",
              _never_permits(table, lambda r: is_child(r) and v(r, "exempted") == "yes")),
        Check("unknown-age", "nothing is shown when the child's age is unknown",
              _never_permits(table, lambda r: v(r, "age") == "unknown")),
        Check("young-child-own-record", "a child under 12 is not shown their record digitally",
              _never_permits(table, lambda r: is_child(r) and v(r, "age") == "0-11")),
        Check("exemption-monotone", "adding an exemption never turns a deny into a permit",
              _monotone(table, "exempted", "no", REPRESENTATIVES | {"child"})),
        Check("wish-monotone", "recording the adolescent's wish never turns a representative's deny into a permit",
              _monotone(table, "wish", "no")),
        Check("profile-monotone", "adding an access profile never turns a deny into a permit", _monotone(table, "profile", "none")),
        Check("care-order-monotone", "a care order never turns a representative's deny into a permit (the service's own access comes from being its holder)",
              _monotone(table, "care_order", "none")),
        Check("status-monotone", "no register status other than active turns a deny into a permit for anyone",
              _monotone(table, "status", "active", REPRESENTATIVES | {"child"})),
        Check("protection-monotone", "address protection (the child's or the requester's) never turns a deny into a permit",
              _monotone(table, "protection", "none") + _monotone(table, "requester_protection", "none")),
        Check("necessary-permits-only-where-allowed",
              "a necessary-information mark shows an item only to a holder of a child under 18, without an exemption",
              _permits_only_when(table, "necessary", "no", lambda r: open_to_representatives(r) and v(r, "age") in ("0-11", "12-15", "16-17"))),
        Check("sharing-permits-only-where-allowed",
              "a sharing grant shows an item only to a person holding parental responsibility for a 16- or 17-year-old, without an exemption",
              _permits_only_when(table, "shared", "no", lambda r: open_to_representatives(r) and v(r, "requester") == "person" and v(r, "age") == "16-17")),
        Check("consent-permits-only-own-record",
              "competence to consent shows an item only to the adolescent (12–15) themselves, never when withheld from them",
              _permits_only_when(table, "consent", "no", lambda r: is_child(r) and v(r, "age") == "12-15" and v(r, "exempted") == "no"
                                 and v(r, "status") in ("active", "not-resident"))),
        Check("casbin-agrees", "casbin's answer is the first matching row of the table (the model's matcher is sound)",
              tuple(describe(request) for request, outcome in table.items() if outcome.rule != _first_row(policy, request))),
        Check("every-rule-decides", "every rule decides at least one request (no rule is shadowed by those above it)",
              tuple(f"rule {rule.id} (line {rule.line})" for rule in policy.rules if decided[rule.id] == 0)),
    ]
    if engine:
        from access_policy.engine_checks import engine_checks

        checks += [Check(check_id, description, found) for check_id, description, found in engine_checks(policy)]
    return checks


def _first_row(policy: Policy, request: DerivedRequest) -> str | None:
    """The table read directly, without casbin: the first rule by order whose conditions match."""
    return next((rule.id for rule in policy.rules if rule.matches(request)), None)


@dataclass
class PolicyDiff:
    """How two policies decide differently: changed requests grouped by (old rule, new rule, effects)."""

    old_version: str
    new_version: str
    total: int
    changed: dict[tuple[str, str, str, str], list[DerivedRequest]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many derived requests are decided differently (by rule or effect)."""
        return sum(len(requests) for requests in self.changed.values())


def diff(old: Policy, new: Policy) -> PolicyDiff:
    """Every derived request whose deciding rule or effect differs between two policies."""
    old_table, new_table = old.table(), new.table()
    result = PolicyDiff(old.version, new.version, len(old_table))
    for request, before in old_table.items():
        after = new_table[request]
        if before.rule != after.rule or before.permit != after.permit:
            key = (before.rule, _effect(before), after.rule, _effect(after))
            result.changed.setdefault(key, []).append(request)
    return result


def _effect(outcome: Outcome) -> str:
    return "permit" if outcome.permit else "deny"
