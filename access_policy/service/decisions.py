"""Decisions as a service: read the child's facts once, ask the pure engine, log, answer.

Fail closed: when the facts cannot be read, or the decision cannot be written to the decision
log, every item is denied and the outcome is marked unavailable (the edge answers 503 with the
denials in the body). A decision that is not in the log is never returned as a permit.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from pydantic_core import to_json

from access_policy import observe
from access_policy.decisions import Decision, Effect, Reason, decide_many
from access_policy.errors import InconsistentFactsError, StoreUnavailableError
from access_policy.facts import Item
from access_policy.filter import Filter
from access_policy.policy import Policy
from access_policy.service import logs
from access_policy.service.disclosure import disclose, explains
from access_policy.service.fact_cache import DEFAULT_SIZE as DEFAULT_CACHE_SIZE
from access_policy.service.fact_cache import FactCache
from access_policy.service.filter_cache import FilterCache
from access_policy.service.tokens import Caller
from access_policy.store.interface import FactStore

log = logging.getLogger(__name__)

STORE_UNAVAILABLE = "store-unavailable"
DECISION_LOG_UNAVAILABLE = "decision-log-unavailable"
INCONSISTENT_FACTS = "inconsistent-facts"
AUDIT_ENTRY_VERSION = 1

Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    """The current instant in UTC."""
    return datetime.datetime.now(datetime.timezone.utc)


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    """The decisions of one request, in the order of its items, and whether they could be made and logged."""

    decision_id: str
    decisions: list[Decision]
    items: Sequence[Item]
    policy_version: str
    available: bool
    problem: str | None = None  # why not available: a stable code


def distinct(decisions: Sequence[Decision]) -> dict[int, Decision]:
    """The distinct Decision objects of a request by identity, in order of first use.

    The engine shares one Decision between items that decide alike (and a fail-closed outcome
    repeats one denial), so what is done per decision is done per entry here, not per item.
    """
    return dict(zip(map(id, decisions), decisions))


def _fail_closed(policy: Policy, code: str) -> Decision:
    return Decision(Effect.DENY, code, (), (Reason(code),), policy.version)


class DecisionService:
    """Answers decision requests over a store and a loaded policy, and records each in the decision log."""

    def __init__(self, store: FactStore, policy: Policy, clock: Clock = utc_now, *, fact_cache_size: int = DEFAULT_CACHE_SIZE):
        self.store = store
        self.policy = policy
        self.clock = clock
        self.facts = FactCache(store, fact_cache_size)
        self.filters = FilterCache(fact_cache_size)

    def decide(
        self, caller: Caller, requester: str, child: str, items: Sequence[Item], at: datetime.datetime | None
    ) -> DecisionOutcome:
        """Decide every item for one requester and child (one read of the child's facts), log it,
        and redact each decision to what the caller may see (`disclosure.disclose`)."""
        outcome, entry, strict = self._unlogged(caller, requester, child, items, at)
        try:
            with observe.span("decision_log.write"):
                self.store.append_audit(outcome.decision_id, child, entry)
        except Exception as error:  # noqa: BLE001 - an unlogged decision must not be a permit
            return self._redacted(self._not_logged(outcome, error, strict), caller)
        observe.decided(outcome.decisions)
        return self._redacted(outcome, caller)

    async def decide_async(
        self, caller: Caller, requester: str, child: str, items: Sequence[Item], at: datetime.datetime | None
    ) -> DecisionOutcome:
        """As `decide`, on the event loop for short work: the facts' version check (and a read on a
        cache miss) runs inline, and the decision-log entry is awaited without holding a thread."""
        outcome, entry, strict = self._unlogged(caller, requester, child, items, at)
        append = getattr(self.store, "append_audit_async", None)
        try:
            with observe.span("decision_log.write"):
                if append is not None:
                    await append(outcome.decision_id, child, entry)
                else:
                    self.store.append_audit(outcome.decision_id, child, entry)
        except Exception as error:  # noqa: BLE001 - an unlogged decision must not be a permit
            return self._redacted(self._not_logged(outcome, error, strict), caller)
        observe.decided(outcome.decisions)
        return self._redacted(outcome, caller)

    def _redacted(self, outcome: DecisionOutcome, caller: Caller) -> DecisionOutcome:
        """Each decision as the caller may see it (the log keeps the whole decision)."""
        if explains(caller):
            return outcome
        # The engine shares one Decision between items that decide alike: redact each once.
        shown = {key: disclose(decision, caller, self.policy) for key, decision in distinct(outcome.decisions).items()}
        return replace(outcome, decisions=list(map(shown.__getitem__, map(id, outcome.decisions))))

    def _unlogged(
        self, caller: Caller, requester: str, child: str, items: Sequence[Item], at: datetime.datetime | None
    ) -> tuple[DecisionOutcome, dict[str, Any], bool]:
        """The outcome and its log entry before logging, and whether a failed log write must turn it into a deny.

        Not strict only when the outcome is already a fail-closed deny for a store that cannot
        be read: it is returned as such whether or not its entry can be written.
        """
        decision_id = str(uuid.uuid4())
        logs.note_decision(decision_id)
        now = self.clock()
        at = at or now
        policy = self.policy
        try:
            # Only facts that can be active at `at`: a decision's cost follows them, not the history.
            with observe.span("facts.read"):
                facts = self.facts.child_facts(child, active_at=at)
        except InconsistentFactsError as error:
            # Stored facts that contradict each other stay wrong on retry: a definite, logged deny.
            log.error("facts of a child are inconsistent; denying: %s", error)
            observe.fail_closed(INCONSISTENT_FACTS)
            denial = _fail_closed(policy, INCONSISTENT_FACTS)
            outcome = DecisionOutcome(decision_id, [denial] * len(items), items, policy.version, True)
            return outcome, audit_entry(outcome, caller, requester, child, at, now), True
        except Exception as error:  # noqa: BLE001 - fail closed: whatever the store did, deny
            if isinstance(error, StoreUnavailableError):
                log.warning("facts for a decision could not be read; denying: %s", error)
            else:
                log.exception("reading facts for a decision failed unexpectedly; denying")
            observe.store_error("facts_read")
            observe.fail_closed(STORE_UNAVAILABLE)
            denial = _fail_closed(policy, STORE_UNAVAILABLE)
            outcome = DecisionOutcome(decision_id, [denial] * len(items), items, policy.version, False, STORE_UNAVAILABLE)
            return outcome, audit_entry(outcome, caller, requester, child, at, now), False
        with observe.span("engine.decide", items=len(items)):
            decisions = decide_many(policy, facts, requester, items, at)
        outcome = DecisionOutcome(decision_id, decisions, items, policy.version, True)
        return outcome, audit_entry(outcome, caller, requester, child, at, now, facts_version=facts.version), True

    def _not_logged(self, outcome: DecisionOutcome, error: Exception, strict: bool) -> DecisionOutcome:
        """The answer when the decision-log entry could not be written: a deny for every item."""
        if not strict:
            # Already a fail-closed deny for an unreadable store: it is a deny either way.
            log.warning("fail-closed decision %s could not be logged either", outcome.decision_id)
            observe.decided(outcome.decisions)
            return outcome
        log.error("decision %s could not be logged; denying: %s", outcome.decision_id, error)
        observe.store_error("decision_log_write")
        observe.fail_closed(DECISION_LOG_UNAVAILABLE)
        denial = _fail_closed(self.policy, DECISION_LOG_UNAVAILABLE)
        outcome = DecisionOutcome(
            outcome.decision_id, [denial] * len(outcome.items), outcome.items, outcome.policy_version, False,
            DECISION_LOG_UNAVAILABLE,
        )
        observe.decided(outcome.decisions)
        return outcome

    def filter(self, caller: Caller, requester: str, child: str, at: datetime.datetime | None) -> FilterOutcome:
        """The timeline filter for one requester and child (one read of the facts), logged like a decision.

        Fail closed as `decide`: facts that cannot be read, or a log entry that cannot be written,
        give the filter "none" (and `available` false, so the edge answers 503).
        """
        outcome, entry, strict, nothing = self._filter_unlogged(caller, requester, child, at)
        try:
            self.store.append_audit(outcome.decision_id, child, entry)
        except Exception as error:  # noqa: BLE001 - an unlogged filter must not show anything
            return self._filter_not_logged(outcome, error, strict, nothing)
        return outcome

    async def filter_async(self, caller: Caller, requester: str, child: str, at: datetime.datetime | None) -> FilterOutcome:
        """As `filter`, on the event loop: the log entry awaited without holding a thread."""
        outcome, entry, strict, nothing = self._filter_unlogged(caller, requester, child, at)
        append = getattr(self.store, "append_audit_async", None)
        try:
            if append is not None:
                await append(outcome.decision_id, child, entry)
            else:
                self.store.append_audit(outcome.decision_id, child, entry)
        except Exception as error:  # noqa: BLE001 - an unlogged filter must not show anything
            return self._filter_not_logged(outcome, error, strict, nothing)
        return outcome

    def _filter_unlogged(
        self, caller: Caller, requester: str, child: str, at: datetime.datetime | None
    ) -> tuple[FilterOutcome, dict[str, Any], bool, Filter]:
        """The filter and its log entry before logging; strict unless it is already "none" for an unreadable store."""
        decision_id = str(uuid.uuid4())
        now = self.clock()
        at = at or now
        policy = self.policy
        nothing = Filter("none", None, at, None, policy.version)
        facts_version = None
        try:
            facts = self.facts.child_facts(child)
        except InconsistentFactsError as error:
            log.error("facts of a child are inconsistent; filter shows nothing: %s", error)
            outcome = FilterOutcome(decision_id, nothing, True, rule=INCONSISTENT_FACTS)
        except Exception as error:  # noqa: BLE001 - fail closed: whatever the store did, show nothing
            if isinstance(error, StoreUnavailableError):
                log.warning("facts for a filter could not be read; showing nothing: %s", error)
            else:
                log.exception("reading facts for a filter failed unexpectedly; showing nothing")
            outcome = FilterOutcome(decision_id, nothing, False, STORE_UNAVAILABLE, rule=STORE_UNAVAILABLE)
            return outcome, filter_audit_entry(outcome, caller, requester, child, at, now), False, nothing
        else:
            outcome = FilterOutcome(decision_id, self.filters.compiled(policy, facts, child, requester, at), True)
            facts_version = facts.version if facts is not None else None
        return outcome, filter_audit_entry(outcome, caller, requester, child, at, now, facts_version=facts_version), True, nothing

    @staticmethod
    def _filter_not_logged(outcome: FilterOutcome, error: Exception, strict: bool, nothing: Filter) -> FilterOutcome:
        if not strict:
            log.warning("fail-closed filter %s could not be logged either", outcome.decision_id)
            return outcome
        log.error("filter %s could not be logged; showing nothing: %s", outcome.decision_id, error)
        return FilterOutcome(outcome.decision_id, nothing, False, DECISION_LOG_UNAVAILABLE, rule=DECISION_LOG_UNAVAILABLE)


@dataclass(frozen=True, slots=True)
class FilterOutcome:
    """A timeline filter as answered, and whether it could be made and logged (fail closed: "none" otherwise)."""

    decision_id: str
    filter: Filter
    available: bool
    problem: str | None = None  # why not available: a stable code
    rule: str | None = None  # for the log: why the filter is "none" without the engine

    @property
    def policy_version(self) -> str:
        """The version of the policy the filter was compiled under."""
        return self.filter.policy_version


def _entry_header(
    outcome: DecisionOutcome | FilterOutcome,
    caller: Caller,
    requester: str,
    child: str,
    at: datetime.datetime,
    now: datetime.datetime,
    facts_version: str | None,
) -> dict[str, Any]:
    """The fields every decision-log entry starts with: who asked about whom, when, under which policy."""
    return {
        "version": AUDIT_ENTRY_VERSION,
        "decision_id": outcome.decision_id,
        "time": now.isoformat(),
        "at": at.isoformat(),
        "requester": requester,
        "child": child,
        "caller": caller.as_log(),
        "policy_version": outcome.policy_version,
        "facts_version": facts_version,
        "available": outcome.available,
    }


def filter_audit_entry(
    outcome: FilterOutcome,
    caller: Caller,
    requester: str,
    child: str,
    at: datetime.datetime,
    now: datetime.datetime,
    *,
    facts_version: str | None = None,
) -> dict[str, Any]:
    """The decision-log entry of a filter request: the fields of a decision entry (no items) and the filter given."""
    compiled = outcome.filter
    return {
        **_entry_header(outcome, caller, requester, child, at, now, facts_version),
        "items": [],
        "outcomes": [],
        "results": [],
        "filter": {
            **compiled.as_dict(),
            "valid_until": compiled.valid_until.astimezone(datetime.timezone.utc).isoformat() if compiled.valid_until else None,
            **({"rule": outcome.rule} if outcome.rule else {}),
        },
    }


def audit_entry(
    outcome: DecisionOutcome,
    caller: Caller,
    requester: str,
    child: str,
    at: datetime.datetime,
    now: datetime.datetime,
    *,
    facts_version: str | None = None,
) -> dict[str, Any]:
    """The decision-log entry of one request (version 1): who asked what, and what was answered."""
    # Item i was decided as outcomes[results[i]]: a batch has few distinct outcomes, so the
    # entry stays small for 10,000 items while keeping every item's effect and rule.
    index: dict[tuple[str, str], int] = {}
    positions = {
        key: index.setdefault((decision.effect.value, decision.rule), len(index))
        for key, decision in distinct(outcome.decisions).items()
    }
    return {
        **_entry_header(outcome, caller, requester, child, at, now, facts_version),
        "items": [item.id for item in outcome.items],
        "outcomes": [list(pair) for pair in index],
        "results": list(map(positions.__getitem__, map(id, outcome.decisions))),
    }


def decision_body(outcome: DecisionOutcome) -> dict[str, Any]:
    """The response body of a single decision, with the contract's field names."""
    decision = outcome.decisions[0]
    body = decision.as_dict()
    body["item"] = outcome.items[0].id
    body["decision_id"] = outcome.decision_id
    return body


def batch_json(outcome: DecisionOutcome, extra: dict[str, Any] | None = None) -> bytes:
    """A batch's response body as JSON (one result per item, in request order), and `extra` fields besides:
    each distinct decision rendered once and spliced per item."""
    # A batch of 1,000 items has a handful of distinct answers: each is serialised once, as the
    # members that follow `item` (and the closing brace).
    tails = {
        key: b"," + to_json({
            "decision": decision.effect.value,
            "rule": decision.rule,
            "legal_basis": decision.legal_basis,
            "reasons": [reason.as_dict() for reason in decision.reasons],
        })[1:]
        for key, decision in distinct(outcome.decisions).items()
    }
    results = [b'{"item":' + to_json(item.id) + tails[id(decision)] for item, decision in zip(outcome.items, outcome.decisions)]
    rest = to_json({"policy_version": outcome.policy_version, "decision_id": outcome.decision_id, **(extra or {})})
    return b'{"results":[' + b",".join(results) + b"]," + rest[1:]
