"""Clinicians' facts, representation and the change feed as a service: authors come from the caller only."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Callable

from access_policy.errors import InvalidInputError, RevocationForbiddenError
from access_policy.facts import Author, ClinicalFact, FactKind, Representation, _Draft
from access_policy.identity import parse_person_id
from access_policy.instants import not_ahead, plausible_field
from access_policy.service.scopes import SCOPE_FACTS_OVERRIDE
from access_policy.service.tokens import Caller, PermissionDeniedError
from access_policy.store.interface import Change, FactStore

log = logging.getLogger(__name__)

IDEMPOTENCY_KEY_MAX = 200
REVOCATION_REASON_MAX = 1000
DEFAULT_CLOCK_SKEW = datetime.timedelta(seconds=300)


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def clinician(caller: Caller) -> Author:
    """The author of a clinician's record: the token's `hpr` and `org` claims, nothing else."""
    if not caller.hpr or not caller.org:
        raise PermissionDeniedError("writing facts needs a token with the clinician's `hpr` and `org` claims")
    try:
        return Author(hpr=caller.hpr, org=caller.org)
    except Exception:  # noqa: BLE001 - a malformed claim is the token's fault, not the body's
        raise PermissionDeniedError("the token's `hpr` or `org` claim is not a valid HPR or organisation number") from None


def system(caller: Caller) -> Author:
    """The author of a system's record (the register sync): the token's client or subject."""
    # Printable characters only: a NUL in a token's subject would be a database error (503) on PostgreSQL.
    name = "".join(ch for ch in (caller.client_id or caller.subject) if ch.isprintable())[:200]
    return Author(system=name or "unnamed-system")


@dataclass(frozen=True, slots=True)
class Created:
    """A create's result: the stored record and whether this request stored it (not a replay)."""

    record: ClinicalFact
    created: bool


class Records:
    """Creates, lists and revokes clinicians' facts; replaces representation; reads the change feed."""

    def __init__(
        self,
        store: FactStore,
        clock_skew: datetime.timedelta = DEFAULT_CLOCK_SKEW,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ):
        self.store = store
        self.clock_skew = clock_skew  # the policy's: how far ahead of this clock a register read may be
        self.clock = clock

    def create(
        self, caller: Caller, child: str, kind: FactKind, draft: _Draft, idempotency_key: str | None = None
    ) -> Created:
        """Store a new fact authored by the caller; a repeated idempotency key returns the first record.

        The store scopes keys to the author, so two systems that happen to pick one key never share a record.
        """
        author = clinician(caller)
        # Validity beyond the instants the store can hold would fail there as a 503, not a 422.
        for name in ("valid_from", "valid_until"):
            plausible_field(name, getattr(draft, name, None))
        if idempotency_key is not None:
            if not 0 < len(idempotency_key) <= IDEMPOTENCY_KEY_MAX or not idempotency_key.isprintable():
                raise InvalidInputError.for_field(
                    "Idempotency-Key", f"must be 1–{IDEMPOTENCY_KEY_MAX} printable characters"
                )
        record, created = self.store.create_fact(child, kind, draft, author, idempotency_key=idempotency_key)
        return Created(record, created)

    def revoke(
        self, caller: Caller, child: str, kind: FactKind, fact_id: str, reason: str | None = None
    ) -> ClinicalFact:
        """Revoke a fact (it stays in history with `revoked_at`); only the author's organisation may.

        Another organisation may revoke only with the `facts:override` scope and a reason; the
        override and its reason are kept with the revocation and logged.
        """
        author = clinician(caller)
        if reason is not None:
            reason = reason.strip()
            if not 0 < len(reason) <= REVOCATION_REASON_MAX or not reason.isprintable():
                raise InvalidInputError.for_field(
                    "reason", f"must be 1–{REVOCATION_REASON_MAX} printable characters"
                )
        fact = self.store.get_fact(child, kind, fact_id)
        owner = fact.author.org if fact.author is not None else None
        if owner == author.org:
            return self.store.revoke_fact(child, kind, fact_id, author, reason=reason)
        if SCOPE_FACTS_OVERRIDE not in caller.scopes:
            raise RevocationForbiddenError(
                f"fact `{fact_id}` was set by another organisation; only that organisation may revoke it, "
                f"or a caller with the `{SCOPE_FACTS_OVERRIDE}` scope giving a `reason`"
            )
        if reason is None:
            raise InvalidInputError.for_field(
                "reason", f"is required to revoke another organisation's fact (`{SCOPE_FACTS_OVERRIDE}`)"
            )
        revoked = self.store.revoke_fact(child, kind, fact_id, author, reason=reason, override=True)
        # Ids of the fact and the organisations only: the child's number stays out of the log.
        log.warning(
            "override: %s fact %s of organisation %s revoked by organisation %s (hpr %s) with a recorded reason",
            kind.value, fact_id, owner or "-", author.org, author.hpr,
        )
        return revoked

    def list(self, child: str, kind: FactKind) -> list[ClinicalFact]:
        """Every fact of a kind for the child, revoked ones included, oldest first."""
        return self.store.list_facts(child, kind)

    def put_representation(self, caller: Caller, child: str, representation: Representation) -> tuple[Representation, bool]:
        """Replace the child's representation; the birth date must agree with the child's id."""
        # A read from the future would keep the child denied until then and refuse every correction.
        not_ahead("retrieved_at", representation.retrieved_at, self.clock(), self.clock_skew)
        from_id = parse_person_id(child, "child").birth_date
        given = representation.birth_date
        if given is None and from_id is None:
            raise InvalidInputError.for_field("birth_date", "is required: the child's id does not encode a birth date")
        if given is not None and from_id is not None and given != from_id:
            raise InvalidInputError.for_field("birth_date", f"{given} disagrees with the child's id ({from_id})")
        return self.store.put_representation(child, representation, system(caller))

    def representation_history(self, child: str) -> list[Representation]:
        """Every representation snapshot of the child, oldest first."""
        return self.store.representation_history(child)

    def changes(self, after: int | None, limit: int) -> tuple[list[Change], int]:
        """Facts created or revoked after the cursor, oldest first, and the next cursor."""
        return self.store.changes(after=after, limit=limit)
