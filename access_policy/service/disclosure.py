"""What a decision may tell its caller: the full explanation only with `decisions:explain`.

A journal system shows a decision's reasons to the person asking. By default a decision carries
its effect, its rule id, the rule's own legal basis and only reasons that reveal nothing hidden:
no fact ids, no exemption's legal basis, no address-protection grading, no holder of parental
responsibility. Callers with `decisions:explain` (the clinician's preview, audits) get it all.
"""

from __future__ import annotations

from access_policy.decisions import Decision, Reason
from access_policy.policy import Policy
from access_policy.service.tokens import SCOPE_DECISIONS_EXPLAIN
from access_policy.service.tokens import Caller

# Reason codes that say something about the requester, the child's age band as its
# representative knows it, or the service itself; shown by code only (no fact, no detail).
SHOWN_REASONS = frozenset(
    {
        "own-record",
        "parental-responsibility",
        "no-parental-responsibility",
        "no-representation",
        "stale-representation",
        "child-12-to-15",
        "child-16-or-17",
        "child-18-or-older",
        "birth-date-unknown",
        "store-unavailable",
        "decision-log-unavailable",
        "inconsistent-facts",
        "engine-error",
    }
)


def explains(caller: Caller) -> bool:
    """True when the caller may see decisions' full explanation."""
    return SCOPE_DECISIONS_EXPLAIN in caller.scopes


def disclose(decision: Decision, caller: Caller, policy: Policy) -> Decision:
    """The decision as this caller may see it: complete with `decisions:explain`, redacted otherwise."""
    if explains(caller):
        return decision
    rule = policy.rule(decision.rule)
    # The rule's own legal basis: an exemption's basis (danger vs. weighty concerns) is the fact's.
    legal_basis = rule.legal_basis if rule is not None else ()
    reasons = tuple(dict.fromkeys(Reason(r.code) for r in decision.reasons if r.code in SHOWN_REASONS))
    return Decision(decision.effect, decision.rule, legal_basis, reasons, decision.policy_version)
