"""Policy analysis over the whole, finite request space: properties a policy must keep, and diffs.

Because a decision depends only on the derived request, and the derived requests are a small
finite set (see `access_policy.policy.DIMENSIONS`), a policy can be checked exhaustively rather
than by examples: every request is evaluated once through casbin.
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


def _monotone(table: dict[DerivedRequest, Outcome], dimension: str, absent: str) -> tuple[str, ...]:
    """Requests where adding a fact (absent → any other value) turns a representative's deny into a permit."""
    found = []
    for request, outcome in table.items():
        if _value(request, "requester") not in REPRESENTATIVES or _value(request, dimension) != absent or outcome.permit:
            continue
        for value in DIMENSIONS[dimension]:
            if value != absent and table[_with(request, dimension, value)].permit:
                found.append(describe(_with(request, dimension, value)))
    return tuple(found)


def verify(policy: Policy) -> list[Check]:
    """Check the properties every national policy must keep; each check lists its counterexamples."""
    table = policy.table()
    is_rep = lambda r: _value(r, "requester") in REPRESENTATIVES  # noqa: E731
    decided = Counter(outcome.rule for outcome in table.values())
    checks = [
        Check("adult-child", "no representative sees anything of a child aged 18 or more",
              _never_permits(table, lambda r: is_rep(r) and _value(r, "age") == "18+")),
        Check("non-holder", "a representative without parental responsibility sees nothing",
              _never_permits(table, lambda r: is_rep(r) and _value(r, "responsibility") == "none")),
        Check("representation", "nothing is shown on missing or stale representation",
              _never_permits(table, lambda r: is_rep(r) and _value(r, "representation") != "current")),
        Check("address-protection", "nothing is shown to representatives of an address-protected child",
              _never_permits(table, lambda r: is_rep(r) and _value(r, "protection") == "protected")),
        Check("necessary-only-16-17", "a child of 16 or 17: representatives see only what is marked necessary",
              _never_permits(table, lambda r: is_rep(r) and _value(r, "age") == "16-17" and _value(r, "necessary") == "no")),
        Check("exemption", "an exempted item is never shown to the representative it applies to",
              _never_permits(table, lambda r: is_rep(r) and _value(r, "exempted") == "yes")),
        Check("unknown-age", "nothing is shown when the child's age is unknown",
              _never_permits(table, lambda r: _value(r, "age") == "unknown")),
        Check("young-child-own-record", "a child under 12 is not shown their record digitally",
              _never_permits(table, lambda r: _value(r, "requester") == "child" and _value(r, "age") == "0-11")),
        Check("exemption-monotone", "adding an exemption never turns a deny into a permit", _monotone(table, "exempted", "no")),
        Check("assessment-monotone", "adding a grey-zone assessment never turns a representative's deny into a permit",
              _monotone(table, "assessment", "none")),
        Check("profile-monotone", "adding an access profile never turns a deny into a permit", _monotone(table, "profile", "none")),
        Check("casbin-agrees", "casbin's answer is the first matching row of the table (the model's matcher is sound)",
              tuple(describe(request) for request, outcome in table.items() if outcome.rule != _first_row(policy, request))),
        Check("every-rule-decides", "every rule decides at least one request (no rule is shadowed by those above it)",
              tuple(f"rule {rule.id} (line {rule.line})" for rule in policy.rules if decided[rule.id] == 0)),
    ]
    return checks


def _first_row(policy: Policy, request: DerivedRequest) -> str | None:
    """The table read directly, without casbin: the first rule by order whose conditions match."""
    return next((rule.id for rule in policy.rules if rule.matches(request)), None)


@dataclass
class PolicyDiff:
    """How two policies decide differently: changed requests grouped by (old rule, new rule, effects),
    and the settings (`settings.toml`) whose values differ, as (name, old, new)."""

    old_version: str
    new_version: str
    total: int
    changed: dict[tuple[str, str, str, str], list[DerivedRequest]] = field(default_factory=dict)
    settings: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many derived requests are decided differently (by rule or effect)."""
        return sum(len(requests) for requests in self.changed.values())

    @property
    def differs(self) -> bool:
        """True when some request is decided differently or a setting differs."""
        return bool(self.changed or self.settings)

    def as_dict(self, examples: int = 3) -> dict[str, object]:
        """The diff as JSON-ready data, largest change first, with example requests per change."""
        changes = []
        for (old_rule, old_effect, new_rule, new_effect), requests in sorted(self.changed.items(), key=lambda kv: -len(kv[1])):
            changes.append({
                "was": {"rule": old_rule, "effect": old_effect},
                "becomes": {"rule": new_rule, "effect": new_effect},
                "requests": len(requests),
                "examples": [dict(zip(DIMENSION_NAMES, request)) for request in requests[:examples]],
            })
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "total": self.total,
            "changed": self.count,
            "changes": changes,
            "settings": [{"name": name, "old": old, "new": new} for name, old, new in self.settings],
        }


def _settings_values(policy: Policy) -> dict[str, str]:
    """A policy's settings by their name in `settings.toml`."""
    settings = policy.settings
    return {
        "representation.max_age_days": str(settings.max_representation_age.days),
        "representation.clock_skew_seconds": str(int(settings.clock_skew.total_seconds())),
    }


def diff(old: Policy, new: Policy) -> PolicyDiff:
    """Every derived request whose deciding rule or effect differs between two policies, and every changed setting."""
    old_table, new_table = old.table(), new.table()
    result = PolicyDiff(old.version, new.version, len(old_table))
    before_settings, after_settings = _settings_values(old), _settings_values(new)
    result.settings = [(name, value, after_settings[name]) for name, value in before_settings.items() if after_settings[name] != value]
    for request, before in old_table.items():
        after = new_table[request]
        if before.rule != after.rule or before.permit != after.permit:
            key = (before.rule, _effect(before), after.rule, _effect(after))
            result.changed.setdefault(key, []).append(request)
    return result


def _effect(outcome: Outcome) -> str:
    return "permit" if outcome.permit else "deny"
