"""Clinicians' and adolescents' facts, representation and the change feed as a service: authors come from the caller only."""

from __future__ import annotations

import builtins  # Records has a `list` method: annotations after it name the builtin through here
import datetime
import logging
from dataclasses import dataclass
from typing import Callable

from pydantic import ValidationError

from access_policy.errors import (
    CursorPastEndError,
    FactNotFoundError,
    FactRefusedError,
    InvalidIdError,
    InvalidInputError,
    RevocationForbiddenError,
)
from access_policy.facts import (
    DRAFT_TYPES,
    FACT_KINDS,
    IDEMPOTENCY_KEY_MAX,
    REVOCATION_REASON_MAX,
    Author,
    ChildFacts,
    ClinicalFact,
    FactKind,
    Representation,
    _Draft,
)
from access_policy.identity import parse_person_id
from access_policy.instants import not_ahead, plausible_field
from access_policy.service.tokens import SCOPE_FACTS_OVERRIDE, SCOPE_FACTS_READ, Caller, PermissionDeniedError
from access_policy.service.validation import check_new_fact, child_ids
from access_policy.store.interface import Change, FactStore

log = logging.getLogger(__name__)

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


def adolescent(caller: Caller) -> Author:
    """The author of an adolescent's own record (a sharing grant): the token's `pid` claim, nothing else."""
    if not caller.person:
        raise PermissionDeniedError("sharing needs a token with the adolescent's person number in the `pid` claim")
    try:
        return Author(person=parse_person_id(caller.person, "pid").value)
    except InvalidIdError:
        raise PermissionDeniedError("the token's `pid` claim is not a valid person number") from None


def system(caller: Caller) -> Author:
    """The author of a system's record (the register sync): the token's client or subject."""
    # Printable characters only: a NUL in a token's subject would be a database error (503) on PostgreSQL.
    name = "".join(ch for ch in (caller.client_id or caller.subject) if ch.isprintable())[:200]
    return Author(system=name or "unnamed-system")


def author_for(kind: FactKind, caller: Caller) -> Author:
    """Who authors (and revokes) a fact of this kind: the clinician, or the adolescent for what they write themselves."""
    return adolescent(caller) if FACT_KINDS[kind].writer == "adolescent" else clinician(caller)


def _require_the_adolescent(author: Author, facts: ChildFacts) -> None:
    if author.person not in child_ids(facts):
        raise PermissionDeniedError("only the adolescent (the token's `pid`) may share or withdraw their own information")


@dataclass(frozen=True, slots=True)
class Created:
    """A create's result: the stored record, the child's current id, and whether this request stored it (not a replay)."""

    record: ClinicalFact
    created: bool
    child: str = ""


class Records:
    """Creates, searches and revokes facts; replaces representation; reads the change feed."""

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
        self,
        caller: Caller,
        child: str,
        kind: FactKind,
        draft: _Draft,
        idempotency_key: str | None = None,
        *,
        now: datetime.datetime | None = None,
    ) -> Created:
        """Store a new fact authored by the caller, after the checks against the child's facts; a repeated key replays.

        The fact is recorded under the child's current id (a former id resolves to it). The store
        scopes idempotency keys to the author, so two systems that pick one key never share a record.
        """
        author = author_for(kind, caller)
        # Validity beyond the instants the store can hold would fail there as a 503, not a 422.
        for name in ("valid_from", "valid_until"):
            plausible_field(name, getattr(draft, name, None))
        if idempotency_key is not None:
            if not 0 < len(idempotency_key) <= IDEMPOTENCY_KEY_MAX or not idempotency_key.isprintable():
                raise InvalidInputError.for_field(
                    "Idempotency-Key", f"must be 1–{IDEMPOTENCY_KEY_MAX} printable characters"
                )
        now = now or datetime.datetime.now(datetime.timezone.utc)
        facts = self.store.child_facts(child)
        if author.person is not None:
            _require_the_adolescent(author, facts)
        check_new_fact(kind, draft, facts, now)
        record, created = self.store.create_fact(facts.child, kind, draft, author, idempotency_key=idempotency_key)
        return Created(record, created, facts.child)

    def revoke(
        self,
        caller: Caller,
        kind: FactKind,
        fact_id: str,
        *,
        reason: str | None = None,
        release_confided: bool = False,
    ) -> ClinicalFact:
        """Revoke a fact by its opaque id (it stays in history with `revoked_at`).

        A clinician's fact: only the author's organisation may revoke it; another organisation
        only with the `facts:override` scope and a `reason`, both kept with the revocation and
        logged. A sharing grant is withdrawn only by the adolescent who gave it (any of their ids).
        `release_confided` is for grey-zone assessments only: nothing else has confided items.
        """
        author = author_for(kind, caller)
        if release_confided and kind is not FactKind.ASSESSMENTS:
            raise FactRefusedError.for_field(
                "release_confided", "only revoking a grey-zone assessment releases what was confided under it"
            )
        if reason is not None:
            reason = reason.strip()
            if not 0 < len(reason) <= REVOCATION_REASON_MAX or not reason.isprintable():
                raise InvalidInputError.for_field("reason", f"must be 1–{REVOCATION_REASON_MAX} printable characters")
        child, fact = self.store.find_fact(kind, fact_id)
        if author.person is not None:
            _require_the_adolescent(author, self.store.child_facts(child))
            return self.store.revoke_fact(child, kind, fact_id, author, reason=reason)
        owner = fact.author.org if fact.author is not None else None
        if owner == author.org:
            return self.store.revoke_fact(
                child, kind, fact_id, author, reason=reason, release_confided=release_confided
            )
        if SCOPE_FACTS_OVERRIDE not in caller.scopes:
            raise RevocationForbiddenError(
                f"fact `{fact_id}` was set by another organisation; only that organisation may revoke it, "
                f"or a caller with the `{SCOPE_FACTS_OVERRIDE}` scope giving a `reason`"
            )
        if reason is None:
            raise InvalidInputError.for_field(
                "reason", f"is required to revoke another organisation's fact (`{SCOPE_FACTS_OVERRIDE}`)"
            )
        revoked = self.store.revoke_fact(
            child, kind, fact_id, author, reason=reason, release_confided=release_confided, override=True
        )
        # Ids of the fact and the organisations only: the child's number stays out of the log.
        log.warning(
            "override: %s fact %s of organisation %s revoked by organisation %s (hpr %s) with a recorded reason",
            kind.value, fact_id, owner or "-", author.org, author.hpr,
        )
        return revoked

    def _check_reader(self, caller: Caller, child: str) -> None:
        # Without `facts:read`, the route let in only the adolescent's own portal (`sharing:write`).
        if SCOPE_FACTS_READ not in caller.scopes:
            _require_the_adolescent(adolescent(caller), self.store.child_facts(child))

    def get(self, caller: Caller, kind: FactKind, fact_id: str) -> ClinicalFact:
        """One fact by its opaque id."""
        child, fact = self.store.find_fact(kind, fact_id)
        self._check_reader(caller, child)
        return fact

    def search(self, caller: Caller, child: str, kind: FactKind) -> tuple[str, list[ClinicalFact]]:
        """(the child's current id, every fact of a kind recorded under any of its ids, revoked ones included, oldest first)."""
        self._check_reader(caller, child)
        return self.store.resolve_child(child), self.store.list_facts(child, kind)

    def restrict(
        self,
        caller: Caller,
        child: str,
        kind: FactKind,
        fact_id: str,
        valid_until: datetime.datetime,
        valid_from: datetime.datetime | None = None,
    ) -> Created:
        """Limit an active fact to a period: a new record with the same content and the new validity, then the old one revoked.

        Facts are append-only, so this is the API's create-then-revoke done in one step. The new
        record is stored first: in between both apply, and each only withholds or marks the same.
        """
        current = next((record for record in self.list(child, kind) if record.id == fact_id), None)
        if current is None:
            raise FactNotFoundError(f"no {kind.value} `{fact_id}` for this child")
        if current.revoked_at is not None:
            raise InvalidInputError.for_field("fact", f"`{fact_id}` is revoked and cannot be restricted")
        draft_type = DRAFT_TYPES[kind]
        content = {name: getattr(current, name) for name in draft_type.model_fields if name not in ("valid_from", "valid_until")}
        try:
            draft = draft_type.model_validate(
                {**content, "valid_from": valid_from or current.valid_from, "valid_until": valid_until}
            )
        except ValidationError as error:
            raise InvalidInputError.for_field("valid_until", error.errors()[0]["msg"]) from None
        created = self.create(caller, child, kind, draft)
        self.revoke(caller, kind, fact_id)
        return created

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

    def representation_history(self, child: str) -> tuple[str, builtins.list[Representation]]:
        """(the child's current id, every representation snapshot under any of its ids, oldest first)."""
        return self.store.resolve_child(child), self.store.representation_history(child)

    def changes(self, after: int | None, limit: int) -> tuple[builtins.list[Change], int]:
        """Facts created or revoked after the cursor, oldest first, and the next cursor.

        Raise `CursorPastEndError` for a cursor past the feed's end: positions are gap-free, so
        a cursor is one this service handed out exactly when it is 0 or a change sits at it.
        """
        found, next_cursor = self.store.changes(after=after, limit=limit)
        if not found and after:
            at_cursor, _ = self.store.changes(after=after - 1, limit=1)
            if not at_cursor:
                raise CursorPastEndError.for_field(
                    "after", f"`{after}` is past the end of the change feed; ask with the last `next` you were given"
                )
        return found, next_cursor
