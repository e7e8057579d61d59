"""Clinician-set facts and the change feed over SQL: create, revoke, read one child's facts (now or as recorded then).

Facts are append-only: revoking writes who, when and why beside the record and keeps it. Every
create and revoke takes the next position of the one change sequence (`SqlPlumbing`), which the
change feed reads back.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, func, insert, or_, select

from access_policy.errors import FactNotFoundError, IdempotencyConflictError, InconsistentFactsError
from access_policy.facts import FACT_KINDS, FACT_TYPES, Author, ChildFacts, ClinicalFact, FactDraft, FactKind
from access_policy.identity import PersonId
from access_policy.store.bulk import insert_rows
from access_policy.store.inputs import (
    CREATED,
    REVOKED,
    NewFact,
    author_key,
    aware,
    batches,
    check_assessment,
    check_page,
    child_id,
    coerce_kind,
    fact_body,
    new_fact,
    new_revocation,
    now_or,
    one_line,
)
from access_policy.store.interface import Change
from access_policy.store.schema import changes, facts, idempotency_keys, representation_confirmations, representations, revocations
from access_policy.store.sql_plumbing import SqlPlumbing, author_from, author_values
from access_policy.store.sql_representation import (
    AS_OF,
    IDS,
    NEWEST_UNDER_CURRENT_ID,
    REPRESENTATION_AS_OF,
    REPRESENTATION_NOW,
    read_identity,
    representation_from_row,
)

_ACTIVE_AT = bindparam("active_at", type_=facts.c.valid_until.type)

_FACT_COLUMNS = (
    facts,
    revocations.c.revoked_at,
    revocations.c.revoked_by_hpr,
    revocations.c.revoked_by_org,
    revocations.c.revoked_by_system,
    revocations.c.revoked_by_person,
    revocations.c.release_confided,
    revocations.c.position.label("revocation_position"),
    # The reason kept with a revocation, where the schema has it (a later migration adds it).
    *((revocations.c.reason.label("revocation_reason"),) if "reason" in revocations.c else ()),
)


def _facts_statement(as_of: bool, active: bool = False) -> Select[Any]:
    joined = revocations.c.fact_id == facts.c.id
    where: list[ColumnElement[bool]] = [facts.c.child.in_(IDS)]
    if as_of:
        # A revocation recorded after the as-of time had not happened yet.
        joined = joined & (revocations.c.revoked_at <= AS_OF)
        where.append(facts.c.recorded_at <= AS_OF)
    if active:
        # For a decision at `active_at`: a fact revoked at or before it, or expired by then, cannot
        # apply (`ClinicalFact.active_at`), so it is neither read nor validated. A decision then
        # costs what the child's active facts cost, however long their history.
        # Grey-zone assessments are the exception: one that has ended still hides what was
        # confided while it applied (`Assessment.confided_window`).
        can_apply = and_(
            or_(revocations.c.revoked_at.is_(None), revocations.c.revoked_at > _ACTIVE_AT),
            or_(facts.c.valid_until.is_(None), facts.c.valid_until > _ACTIVE_AT),
        )
        where.append(or_(facts.c.kind == FactKind.ASSESSMENTS.value, can_apply))
    return (
        select(*_FACT_COLUMNS)
        .select_from(facts.outerjoin(revocations, joined))
        .where(*where)
        .order_by(facts.c.position)
    )


def _version_statement() -> Select[Any]:
    latest_snapshot = (
        select(representations.c.id)
        .where(representations.c.child.in_(IDS))
        .order_by(*NEWEST_UNDER_CURRENT_ID)
        .limit(1)
        .scalar_subquery()
    )
    confirmed = select(func.max(representation_confirmations.c.retrieved_at)).where(
        representation_confirmations.c.representation_id == latest_snapshot
    )
    position = select(func.max(changes.c.position)).where(changes.c.child.in_(IDS))
    return select(position.scalar_subquery().label("position"), confirmed.scalar_subquery().label("confirmed"))


_VERSION = _version_statement()
_FACT_BY_ID = (
    select(*_FACT_COLUMNS)
    .select_from(facts.outerjoin(revocations, revocations.c.fact_id == facts.c.id))
    .where(facts.c.id == bindparam("fact_id"))
)
_FACTS_NOW = _facts_statement(False)
_FACTS_AS_OF = _facts_statement(True)
_ACTIVE_FACTS_NOW = _facts_statement(False, active=True)
_ACTIVE_FACTS_AS_OF = _facts_statement(True, active=True)
# The child's last change position (as recorded by `as_of`): the version when only active facts are read.
_LAST_CHANGE = select(func.max(changes.c.position)).where(changes.c.child.in_(IDS))
_LAST_CHANGE_AS_OF = _LAST_CHANGE.where(changes.c.at <= AS_OF)


def fact_from_row(row: Any) -> ClinicalFact:
    """The stored fact of a row (raises `InconsistentFactsError` when it no longer validates)."""
    data = json.loads(row.body)
    data.update(
        id=row.id,
        recorded_at=row.recorded_at,
        author=author_from(row, "author"),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        revoked_at=row.revoked_at,
        revoked_by=author_from(row, "revoked_by"),
        release_confided=bool(row.release_confided),
        revocation_reason=getattr(row, "revocation_reason", None),
    )
    try:
        return FACT_TYPES[FactKind(row.kind)].model_validate(data)
    except (ValidationError, ValueError) as error:
        raise InconsistentFactsError(f"stored fact `{row.id}` does not validate: {one_line(error)}") from error


class SqlFactRecords(SqlPlumbing):
    """The `FactRecords` and `ChangeFeed` parts of the SQL store."""

    def child_facts(
        self, child: str, *, as_of: datetime.datetime | None = None, active_at: datetime.datetime | None = None
    ) -> ChildFacts:
        """Everything the engine needs for one child; with `as_of`, as recorded then.

        A former id reads as the child's current id; facts and representations recorded under
        any of the child's ids are read, and `id_links` carries every link seen for the child
        and its holders. With `active_at` (a decision's time), facts that cannot apply then
        (revoked at or before it, expired by it) are not read, so a decision's cost follows the
        child's active facts, not their history; grey-zone assessments are always read, because
        one that has ended still hides what was confided while it applied.
        """
        person = child_id(child)
        as_of = aware(as_of, "as_of")
        active_at = aware(active_at, "active_at")
        if active_at is not None:
            statement = _ACTIVE_FACTS_AS_OF if as_of else _ACTIVE_FACTS_NOW
        else:
            statement = _FACTS_AS_OF if as_of else _FACTS_NOW
        with self._read() as connection:
            identity = read_identity(connection, person.value, as_of)
            params: dict[str, Any] = identity.params
            if as_of is not None:
                params["as_of"] = as_of
            if active_at is not None:
                params["active_at"] = active_at
            rep_row = connection.execute(REPRESENTATION_AS_OF if as_of else REPRESENTATION_NOW, params).first()
            fact_rows = connection.execute(statement, params).all()
            last_change = None
            if active_at is not None:
                # Revocations left out of the read still change the version, so caches notice them.
                last_change = connection.execute(_LAST_CHANGE_AS_OF if as_of else _LAST_CHANGE, params).scalar()
        representation = representation_from_row(rep_row) if rep_row is not None else None
        grouped: dict[FactKind, list[ClinicalFact]] = {kind: [] for kind in FACT_KINDS}
        version = rep_row.position if rep_row is not None else 0
        for row in fact_rows:
            grouped[FactKind(row.kind)].append(fact_from_row(row))
            version = max(version, row.position, row.revocation_position or 0)
        if last_change is not None:
            version = max(version, last_change)
        marker = identity.version(version, rep_row.confirmed_retrieved_at if rep_row is not None else None)
        try:
            return ChildFacts(
                child=identity.current,
                representation=representation,
                id_links=identity.links,
                version=marker,
                **{spec.field: tuple(grouped[kind]) for kind, spec in FACT_KINDS.items()},
            )
        except ValidationError as error:
            # The child's number stays out of the message: it reaches logs.
            raise InconsistentFactsError(f"the stored facts of a child disagree: {one_line(error)}") from error

    def child_version(self, child: str) -> str:
        """The child's fact version as `child_facts` reports it, in two small indexed queries (for cache checks)."""
        person = child_id(child)
        with self._read() as connection:
            identity = read_identity(connection, person.value)
            row = connection.execute(_VERSION, identity.params).one()
        return identity.version(row.position or 0, row.confirmed)

    def list_facts(self, child: str, kind: FactKind) -> list[ClinicalFact]:
        """All facts of a kind for a child (under any of its ids), revoked ones included, oldest first."""
        person, kind = child_id(child), coerce_kind(kind)
        statement = _FACTS_NOW.where(facts.c.kind == kind.value)
        with self._read() as connection:
            identity = read_identity(connection, person.value)
            rows = connection.execute(statement, identity.params).all()
        return [fact_from_row(row) for row in rows]

    def get_fact(self, child: str | None, kind: FactKind, fact_id: str) -> ClinicalFact:
        """One fact by id (raises `FactNotFoundError`); with `child`, only when it is that child's."""
        return self.find_fact(kind, fact_id, child=child)[1]

    def find_fact(self, kind: FactKind, fact_id: str, *, child: str | None = None) -> tuple[str, ClinicalFact]:
        """(the child it was recorded for, the fact) by the fact's opaque id (raises `FactNotFoundError`)."""
        kind = coerce_kind(kind)
        person = child_id(child) if child is not None else None
        with self._read() as connection:
            row = self._fact_row(connection, person.value if person else None, kind, fact_id)
        return row.child, fact_from_row(row)

    @staticmethod
    def _fact_row(connection: Any, child: str | None, kind: FactKind, fact_id: str) -> Any:
        row = connection.execute(_FACT_BY_ID, {"fact_id": str(fact_id)}).first()
        if row is not None and row.kind == kind.value and (
            child is None or row.child == child or row.child in read_identity(connection, child).ids
        ):
            return row
        # Neither the child's number nor whether the id exists for another child or kind is told.
        raise FactNotFoundError(f"no {FACT_KINDS[kind].noun} `{fact_id}`")

    def changes(self, after: int | None = None, limit: int = 1000) -> tuple[list[Change], int]:
        """Changes after a position, oldest first, and the cursor to ask with next."""
        after = check_page(after, limit)
        statement = select(changes).where(changes.c.position > after).order_by(changes.c.position).limit(limit)
        with self._read() as connection:
            rows = connection.execute(statement).all()
        found = [Change(r.position, r.child, r.kind, r.fact_id, r.action, r.at) for r in rows]
        return found, (found[-1].position if found else after)

    # -- writes

    def create_fact(
        self,
        child: str,
        kind: FactKind,
        draft: FactDraft,
        author: Author,
        *,
        idempotency_key: str | None = None,
        now: datetime.datetime | None = None,
    ) -> tuple[ClinicalFact, bool]:
        """Store a new fact; (stored record, created?). A repeated idempotency key returns the first record."""
        new = new_fact(child, kind, draft, author, idempotency_key=idempotency_key, now=now)
        fact, key = new.fact, new.idempotency_key
        with self._write() as connection:
            position = self._lock_changes(connection)
            if key is not None:
                earlier = connection.execute(
                    select(idempotency_keys.c.request_hash, idempotency_keys.c.fact_id).where(
                        idempotency_keys.c.author == author_key(new.author), idempotency_keys.c.key == key
                    )
                ).first()
                if earlier is not None:
                    if earlier.request_hash != new.request_hash:
                        raise IdempotencyConflictError(f"idempotency key `{key}` was already used for a different request")
                    return fact_from_row(connection.execute(_FACT_BY_ID, {"fact_id": earlier.fact_id}).one()), False
            position += 1
            self._insert_fact(connection, new, position)
            if key is not None:
                connection.execute(
                    insert(idempotency_keys),
                    [
                        {
                            "author": author_key(new.author),
                            "key": key,
                            "request_hash": new.request_hash,
                            "fact_id": fact.id,
                            "recorded_at": new.now,
                        }
                    ],
                )
            self._advance(connection, position)
        return fact, True

    def create_facts_bulk(
        self,
        items: Iterable[tuple[str, FactKind, FactDraft, Author]],
        *,
        now: datetime.datetime | None = None,
        batch_size: int = 5000,
    ) -> int:
        """Store many new facts (child, kind, draft, author), committed per batch; the number stored.

        For loading and benchmarks: no idempotency keys. Assessments are checked against the
        birth date in the child's id, or the stored representation when the id has none.
        """
        now = now_or(now)
        stored = 0
        for batch in batches((new_fact(child, kind, draft, author, now=now) for child, kind, draft, author in items), batch_size):
            with self._write() as connection:
                position = self._lock_changes(connection)
                fact_rows, change_rows = [], []
                for new in batch:
                    if new.kind is FactKind.ASSESSMENTS:
                        self._check_assessment(connection, new.person, new.fact)
                    position += 1
                    fact_rows.append(self._fact_values(new, position))
                    change_rows.append(self._change(position, new.person.value, new.kind.value, new.fact.id, CREATED, now))
                insert_rows(connection, facts, fact_rows)
                insert_rows(connection, changes, change_rows)
                self._advance(connection, position)
            stored += len(batch)
        return stored

    def revoke_fact(
        self,
        child: str | None,
        kind: FactKind,
        fact_id: str,
        author: Author,
        *,
        now: datetime.datetime | None = None,
        reason: str | None = None,
        release_confided: bool = False,
        override: bool = False,
    ) -> ClinicalFact:
        """Revoke a fact by its id (raises `FactNotFoundError`); revoking twice returns the first revocation.

        `child`, when given, must be the child the fact was recorded for (any of its ids).
        `release_confided` (grey-zone assessments) releases what was confided while the wish
        applied; `reason` and `override` (revoked by another organisation than the author's) are
        kept with the revocation. Who may revoke what is the service's decision, not the store's.
        """
        revocation = new_revocation(
            child, kind, author, now=now, reason=reason, release_confided=release_confided, override=override
        )
        person = revocation.person
        with self._write() as connection:
            position = self._lock_changes(connection)
            row = self._fact_row(connection, person.value if person else None, revocation.kind, fact_id)
            fact = fact_from_row(row)
            if row.revoked_at is not None:
                return fact
            position += 1
            values: dict[str, Any] = {
                "fact_id": row.id,
                "child": row.child,
                "position": position,
                "revoked_at": revocation.now,
                "release_confided": revocation.release_confided,
                "reason": revocation.reason,
                "override": revocation.override,
                **author_values("revoked_by", revocation.author),
            }
            connection.execute(insert(revocations), [values])
            connection.execute(
                insert(changes), [self._change(position, row.child, revocation.kind.value, row.id, REVOKED, revocation.now)]
            )
            self._advance(connection, position)
        return revocation.applied_to(fact)

    @staticmethod
    def _check_assessment(connection: Connection, person: PersonId, fact: ClinicalFact) -> None:
        stored = None
        if person.birth_date is None:
            stored = connection.execute(
                select(representations.c.birth_date)
                .where(representations.c.child == person.value)
                .order_by(representations.c.position.desc())
                .limit(1)
            ).scalar()
        check_assessment(person, fact, stored)

    def _insert_fact(self, connection: Connection, new: NewFact, position: int) -> None:
        """Write a new fact and its change at `position` (the change-feed lock held)."""
        if new.kind is FactKind.ASSESSMENTS:
            self._check_assessment(connection, new.person, new.fact)
        connection.execute(insert(facts), [self._fact_values(new, position)])
        connection.execute(
            insert(changes), [self._change(position, new.person.value, new.kind.value, new.fact.id, CREATED, new.now)]
        )

    @staticmethod
    def _fact_values(new: NewFact, position: int) -> dict[str, Any]:
        fact = new.fact
        return {
            "id": fact.id,
            "child": new.person.value,
            "kind": new.kind.value,
            "position": position,
            "body": fact_body(new.draft),
            "valid_from": fact.valid_from,
            "valid_until": fact.valid_until,
            "recorded_at": fact.recorded_at,
            **author_values("author", new.author),
        }
