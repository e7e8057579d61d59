"""Clinicians' facts, representation and the change feed as a service: authors come from the caller only."""

from __future__ import annotations

from dataclasses import dataclass

import datetime

from pydantic import ValidationError

from access_policy.errors import CursorPastEndError, FactNotFoundError, InvalidInputError
from access_policy.facts import DRAFT_TYPES, Author, ClinicalFact, FactKind, Representation, _Draft
from access_policy.identity import parse_person_id
from access_policy.service.tokens import Caller, PermissionDeniedError
from access_policy.store.interface import Change, FactStore

IDEMPOTENCY_KEY_MAX = 200


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
    return Author(system=(caller.client_id or caller.subject)[:200])


@dataclass(frozen=True, slots=True)
class Created:
    """A create's result: the stored record and whether this request stored it (not a replay)."""

    record: ClinicalFact
    created: bool


class Records:
    """Creates, lists and revokes clinicians' facts; replaces representation; reads the change feed."""

    def __init__(self, store: FactStore):
        self.store = store

    def create(
        self, caller: Caller, child: str, kind: FactKind, draft: _Draft, idempotency_key: str | None = None
    ) -> Created:
        """Store a new fact authored by the caller; a repeated idempotency key returns the first record.

        The store scopes keys to the author, so two systems that happen to pick one key never share a record.
        """
        author = clinician(caller)
        if idempotency_key is not None:
            if not 0 < len(idempotency_key) <= IDEMPOTENCY_KEY_MAX or not idempotency_key.isprintable():
                raise InvalidInputError.for_field(
                    "Idempotency-Key", f"must be 1–{IDEMPOTENCY_KEY_MAX} printable characters"
                )
        record, created = self.store.create_fact(child, kind, draft, author, idempotency_key=idempotency_key)
        return Created(record, created)

    def revoke(self, caller: Caller, child: str, kind: FactKind, fact_id: str) -> ClinicalFact:
        """Revoke a fact (it stays in history with `revoked_at`)."""
        return self.store.revoke_fact(child, kind, fact_id, clinician(caller))

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
        self.revoke(caller, child, kind, fact_id)
        return created

    def list(self, child: str, kind: FactKind) -> list[ClinicalFact]:
        """Every fact of a kind for the child, revoked ones included, oldest first."""
        return self.store.list_facts(child, kind)

    def put_representation(self, caller: Caller, child: str, representation: Representation) -> tuple[Representation, bool]:
        """Replace the child's representation; the birth date must agree with the child's id."""
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
