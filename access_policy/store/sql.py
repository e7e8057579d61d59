"""The fact store over SQLAlchemy Core, one implementation for SQLite and PostgreSQL.

Every write runs in one transaction that first takes the change-feed lock (the one-row
`change_counter`, `SELECT … FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so the
positions it hands out are consecutive and a rolled-back transaction leaves no gap. The audit
chain has its own one-row head with the same pattern. Database errors never leave the store raw:
they become `StoreUnavailableError`.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable

import psycopg
from pydantic import ValidationError
from sqlalchemy import and_, bindparam, func, insert, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from access_policy.errors import (
    AccessPolicyError,
    FactNotFoundError,
    IdempotencyConflictError,
    InconsistentFactsError,
    InvalidInputError,
    StoreUnavailableError,
    field_problems,
)
from access_policy.facts import (
    DRAFT_TYPES,
    FACT_KINDS,
    FACT_TYPES,
    Author,
    ChildFacts,
    ClinicalFact,
    FactKind,
    Holder,
    IdLink,
    Representation,
    _Draft,
    check_assessment_age,
)
from access_policy.identity import PersonId
from access_policy.instants import not_ahead
from access_policy.store.audit_sql import SqlDecisionLog
from access_policy.store.bulk import Snapshot, insert_rows, parse_line, person_id
from access_policy.store.change_mark import SqlChangeMark
from access_policy.store.engine import Engines, lock_wait_until
from access_policy.store.interface import Change, ImportSummary
from access_policy.store.schema import (
    UTC,
    change_counter,
    changes,
    facts,
    id_links,
    idempotency_keys,
    representation_confirmations,
    representations,
    revocations,
)

REPRESENTATION_KIND = "representation"
CREATED = "created"
REVOKED = "revoked"
IMPORT_AUTHOR = Author(system="folkeregisteret-import")
DEFAULT_IMPORT_BATCH = 2000
MAX_PAGE = 10_000
REVOCATION_REASON_MAX = 1000
# How far ahead of the writer's clock a register read may be (the national policy's clock skew).
REGISTER_CLOCK_SKEW = datetime.timedelta(seconds=300)
# Id changes followed from one id to the person's current id: a chain longer than this is an error in the data.
MAX_ID_HOPS = 10
_AS_OF = bindparam("as_of", type_=representations.c.recorded_at.type)
_CHILD = bindparam("child")
_IDS = bindparam("ids", expanding=True)
# A child's snapshot under its current id wins over any under a former id (a late sync of the old
# id, e.g. marked `opphoert`, must not replace it); among them, the newest.
_NEWEST_UNDER_CURRENT_ID = (
    (representations.c.child != bindparam("current")).asc(),
    representations.c.position.desc(),
)
_ACTIVE_AT = bindparam("active_at", type_=facts.c.valid_until.type)


# ----------------------------------------------------------------------------- helpers


def canonical_json(value: Any) -> str:
    """The canonical JSON text hashed by the store: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _sha256(textual: str) -> str:
    return hashlib.sha256(textual.encode("utf-8")).hexdigest()


def _one_line(error: BaseException) -> str:
    first = str(getattr(error, "orig", None) or error).strip().splitlines()
    return first[0] if first else type(error).__name__


def _invalid(error: ValidationError, prefix: str = "") -> InvalidInputError:
    problems = field_problems(error.errors(include_url=False), prefix or None)
    message = "; ".join(f"`{p.field}`: {p.message}" for p in problems)
    return InvalidInputError(message=message, problems=problems)


def _aware(value: datetime.datetime | None, name: str) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError.for_field(name, "must be an instant with a UTC offset")
    return value.astimezone(UTC)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return _aware(now, "now") or datetime.datetime.now(UTC)


def _child(child: str) -> PersonId:
    return person_id(child, "child")


def _check_author(author: Author, name: str = "author") -> Author:
    if not isinstance(author, Author):
        raise InvalidInputError.for_field(name, "must be an `Author`")
    if author.system is None and author.person is None and (author.hpr is None or author.org is None):
        raise InvalidInputError.for_field(
            name, "a clinician author needs both `hpr` and `org`; a system needs `system`; the adolescent `person`"
        )
    return author


def _author_key(author: Author) -> str:
    if author.system is not None:
        return f"system:{author.system}"
    if author.person is not None:
        return f"person:{author.person}"
    return f"hpr:{author.hpr}/org:{author.org}"


def _author_values(prefix: str, author: Author) -> dict[str, str | None]:
    return {
        f"{prefix}_hpr": author.hpr,
        f"{prefix}_org": author.org,
        f"{prefix}_system": author.system,
        f"{prefix}_person": author.person,
    }


def _author_from(row: Any, prefix: str) -> Author | None:
    hpr, org, system = getattr(row, f"{prefix}_hpr"), getattr(row, f"{prefix}_org"), getattr(row, f"{prefix}_system")
    person = getattr(row, f"{prefix}_person", None)
    if hpr is None and org is None and system is None and person is None:
        return None
    # Validated when written.
    return Author.model_construct(hpr=hpr, org=org, system=system, person=person)


# Hex digits written as the letters a–p: the same order, and never a run of digits that a log
# scanner (or a reader) takes for an 11-digit person number.
_NO_DIGITS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def _new_id(prefix: str) -> str:
    # Time-ordered (milliseconds, then 80 random bits): new rows land at the end of the id index.
    unique = f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"
    return f"{prefix}-{unique.translate(_NO_DIGITS)}"


def _coerce_draft(kind: FactKind, draft: Any) -> _Draft:
    wanted = DRAFT_TYPES[kind]
    if isinstance(draft, wanted):
        return draft
    if isinstance(draft, Mapping):
        try:
            return wanted.model_validate(dict(draft))
        except ValidationError as error:
            raise _invalid(error) from None
    raise InvalidInputError.for_field("kind", f"a `{kind.value}` fact is created from a {wanted.__name__}")


def _coerce_kind(kind: Any) -> FactKind:
    try:
        return FactKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in FactKind)
        raise InvalidInputError.for_field("kind", f"`{kind}` is not a kind of fact (one of: {known})") from None


def content_hash(snapshot: Snapshot) -> str:
    """The hash that tells whether two representation snapshots say the same."""
    return _sha256(snapshot.content_key)


# ----------------------------------------------------------------------------- statements

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


def _facts_statement(as_of: bool, active: bool = False):
    joined = revocations.c.fact_id == facts.c.id
    where = [facts.c.child.in_(_IDS)]
    if as_of:
        # A revocation recorded after the as-of time had not happened yet.
        joined = joined & (revocations.c.revoked_at <= _AS_OF)
        where.append(facts.c.recorded_at <= _AS_OF)
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


def _representation_statement(as_of: bool):
    confirmations = representation_confirmations
    latest_confirmation = select(func.max(confirmations.c.retrieved_at)).where(
        confirmations.c.representation_id == representations.c.id
    )
    where = [representations.c.child.in_(_IDS)]
    if as_of:
        latest_confirmation = latest_confirmation.where(confirmations.c.recorded_at <= _AS_OF)
        where.append(representations.c.recorded_at <= _AS_OF)
    return (
        select(representations, latest_confirmation.scalar_subquery().label("confirmed_retrieved_at"))
        .where(*where)
        .order_by(*_NEWEST_UNDER_CURRENT_ID)
        .limit(1)
    )


def _version(position: int, confirmed: datetime.datetime | None) -> str:
    # A freshness confirmation changes what the engine sees without taking a change position.
    if confirmed is None:
        return str(position)
    return f"{position}.{round(confirmed.timestamp() * 1_000_000)}"


def _version_statement():
    latest_snapshot = (
        select(representations.c.id)
        .where(representations.c.child.in_(_IDS))
        .order_by(*_NEWEST_UNDER_CURRENT_ID)
        .limit(1)
        .scalar_subquery()
    )
    confirmed = select(func.max(representation_confirmations.c.retrieved_at)).where(
        representation_confirmations.c.representation_id == latest_snapshot
    )
    position = select(func.max(changes.c.position)).where(changes.c.child.in_(_IDS))
    return select(position.scalar_subquery().label("position"), confirmed.scalar_subquery().label("confirmed"))


def _links_statement(as_of: bool):
    # Links touching any of the ids (the person's own history), and those reported with the
    # child's representations (its holders' histories).
    statement = select(id_links.c.id, id_links.c.former, id_links.c.current).where(
        or_(
            id_links.c.former.in_(bindparam("formers", expanding=True)),
            id_links.c.current.in_(bindparam("currents", expanding=True)),
            id_links.c.child.in_(bindparam("children", expanding=True)),
        )
    )
    if as_of:
        statement = statement.where(id_links.c.recorded_at <= _AS_OF)
    return statement.order_by(id_links.c.id)


_VERSION = _version_statement()
_LINKS_NOW = _links_statement(False)
_LINKS_AS_OF = _links_statement(True)
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
_LAST_CHANGE = select(func.max(changes.c.position)).where(changes.c.child.in_(_IDS))
_LAST_CHANGE_AS_OF = _LAST_CHANGE.where(changes.c.at <= _AS_OF)
_REPRESENTATION_NOW = _representation_statement(False)
_REPRESENTATION_AS_OF = _representation_statement(True)


def _fact_from_row(row: Any) -> ClinicalFact:
    data = json.loads(row.body)
    data.update(
        id=row.id,
        recorded_at=row.recorded_at,
        author=_author_from(row, "author"),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        revoked_at=row.revoked_at,
        revoked_by=_author_from(row, "revoked_by"),
        release_confided=bool(row.release_confided),
        revocation_reason=getattr(row, "revocation_reason", None),
    )
    try:
        return FACT_TYPES[FactKind(row.kind)].model_validate(data)
    except (ValidationError, ValueError) as error:
        raise InconsistentFactsError(f"stored fact `{row.id}` does not validate: {_one_line(error)}") from error


def _representation_from_row(row: Any) -> Representation:
    retrieved_at = row.retrieved_at
    confirmed = getattr(row, "confirmed_retrieved_at", None)
    if confirmed is not None and confirmed > retrieved_at:
        retrieved_at = confirmed
    try:
        return Representation(
            birth_date=row.birth_date,
            address_protection=row.address_protection,
            status=row.status,
            death_date=row.death_date,
            former_ids=tuple(json.loads(row.former_ids)) if row.former_ids else (),
            holders=tuple(Holder.model_validate(h) for h in json.loads(row.holders)),
            retrieved_at=retrieved_at,
            id=row.id,
            recorded_at=row.recorded_at,
        )
    except ValidationError as error:
        raise InconsistentFactsError(f"stored representation `{row.id}` does not validate: {_one_line(error)}") from error


class _Identity:
    """One person's ids as the store knows them: the current id, every id of the class, and the links read."""

    __slots__ = ("current", "ids", "links", "newest_link")

    def __init__(self, current: str, ids: frozenset[str], links: tuple[IdLink, ...], newest_link: int = 0):
        self.current, self.ids, self.links, self.newest_link = current, ids, links, newest_link

    def marked(self, version: str) -> str:
        """The fact version with the newest id link read: a link reported with another child's
        representation can change what is read for this child without a change of its own."""
        return f"{version}~{self.newest_link}" if self.newest_link else version

    @property
    def params(self) -> dict[str, Any]:
        """Bind parameters for the statements that read by any of the ids."""
        return {"ids": sorted(self.ids), "current": self.current}


def _identity(connection: Any, child: str, as_of: datetime.datetime | None = None) -> _Identity:
    """Follow the id links from `child`: the person's current id and all their ids (one query when there are none).

    Links are person-level (the register says `former` and `current` are the same person), so
    the ids of one person are the class the links join. The current id is the one no link
    replaced; should the links disagree (two ids both still current), the latest link decides.
    """
    ids = {child}
    rows: list[Any] = []
    for _ in range(MAX_ID_HOPS):
        params: dict[str, Any] = {"formers": sorted(ids), "currents": sorted(ids), "children": sorted(ids)}
        if as_of is not None:
            params["as_of"] = as_of
        rows = connection.execute(_LINKS_AS_OF if as_of is not None else _LINKS_NOW, params).all()
        grown = set(ids)
        for row in rows:
            if row.former in ids or row.current in ids:
                grown.update((row.former, row.current))
        if grown == ids:
            break
        ids = grown
    else:
        raise InconsistentFactsError(f"the id history of a child is longer than {MAX_ID_HOPS} links")
    own = [row for row in rows if row.former in ids]
    replaced = {row.former for row in own}
    candidates = [row.current for row in own if row.current not in replaced]
    current = candidates[-1] if candidates else (own[-1].current if own else child)
    links = tuple(dict.fromkeys(IdLink.model_construct(former=r.former, current=r.current) for r in rows))
    return _Identity(current, frozenset(ids), links, max((int(r.id) for r in rows), default=0))


# ----------------------------------------------------------------------------- the store


class SqlFactStore(SqlDecisionLog, SqlChangeMark):
    """A `FactStore` over SQLAlchemy Core (SQLite or PostgreSQL)."""

    def __init__(self, engines: Engines):
        self._engines = engines
        self._decision_log_init()

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self._engines.dialect

    @property
    def engine(self):
        """The SQLAlchemy engine (for tests and tools that count statements)."""
        return self._engines.engine

    def close(self) -> None:
        """Close every pooled connection."""
        self._engines.engine.dispose()

    def __enter__(self) -> "SqlFactStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        path = self._engines.sqlite_path
        if path is not None and not path.exists():
            # SQLite would quietly create a new, empty file (or keep writing to an unlinked one).
            raise StoreUnavailableError(f"the database file `{path}` is gone")
        try:
            yield
        except AccessPolicyError:
            raise
        except (SQLAlchemyError, sqlite3.Error, psycopg.Error, OSError) as error:
            raise StoreUnavailableError(f"the fact store is unavailable: {_one_line(error)}") from error

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        with self._guard(), self._engines.writer_lock.held() as deadline, self._engines.write.connect() as connection:
            with lock_wait_until(connection, deadline), connection.begin():
                if connection.dialect.name == "postgresql":
                    # Every row lock this transaction waits for shares the one deadline.
                    remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
                    connection.execute(text(f"SET LOCAL lock_timeout = {remaining_ms}"))
                yield connection

    @contextlib.contextmanager
    def _read(self) -> Iterator[Any]:
        with self._guard(), self._engines.read.connect() as connection, connection.begin():
            yield connection

    @staticmethod
    def _lock_changes(connection: Any) -> int:
        """Take the change-feed lock; the last position handed out."""
        statement = select(change_counter.c.position).where(change_counter.c.id == 1).with_for_update()
        return connection.execute(statement).scalar_one()

    @staticmethod
    def _advance(connection: Any, position: int) -> None:
        connection.execute(update(change_counter).where(change_counter.c.id == 1).values(position=position))

    # -- reads

    def ping(self) -> None:
        """Raise `StoreUnavailableError` unless the store answers."""
        with self._guard(), self._engines.engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()

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
        person = _child(child)
        as_of = _aware(as_of, "as_of")
        active_at = _aware(active_at, "active_at")
        if active_at is not None:
            statement = _ACTIVE_FACTS_AS_OF if as_of else _ACTIVE_FACTS_NOW
        else:
            statement = _FACTS_AS_OF if as_of else _FACTS_NOW
        with self._read() as connection:
            identity = _identity(connection, person.value, as_of)
            params: dict[str, Any] = identity.params
            if as_of is not None:
                params["as_of"] = as_of
            if active_at is not None:
                params["active_at"] = active_at
            rep_row = connection.execute(_REPRESENTATION_AS_OF if as_of else _REPRESENTATION_NOW, params).first()
            fact_rows = connection.execute(statement, params).all()
            last_change = None
            if active_at is not None:
                # Revocations left out of the read still change the version, so caches notice them.
                last_change = connection.execute(_LAST_CHANGE_AS_OF if as_of else _LAST_CHANGE, params).scalar()
        representation = _representation_from_row(rep_row) if rep_row is not None else None
        grouped: dict[FactKind, list[ClinicalFact]] = {kind: [] for kind in FACT_KINDS}
        version = rep_row.position if rep_row is not None else 0
        for row in fact_rows:
            grouped[FactKind(row.kind)].append(_fact_from_row(row))
            version = max(version, row.position, row.revocation_position or 0)
        if last_change is not None:
            version = max(version, last_change)
        marker = identity.marked(_version(version, rep_row.confirmed_retrieved_at if rep_row is not None else None))
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
            raise InconsistentFactsError(f"the stored facts of a child disagree: {_one_line(error)}") from error

    def child_version(self, child: str) -> str:
        """The child's fact version as `child_facts` reports it, in two small indexed queries (for cache checks)."""
        person = _child(child)
        with self._read() as connection:
            identity = _identity(connection, person.value)
            row = connection.execute(_VERSION, identity.params).one()
        return identity.marked(_version(row.position or 0, row.confirmed))

    def resolve_child(self, child: str) -> str:
        """The child's current id: `child` itself, or the id that replaced it."""
        person = _child(child)
        with self._read() as connection:
            return _identity(connection, person.value).current

    def person_ids(self, person: str) -> tuple[str, frozenset[str]]:
        """(the current id, every id) of the person whose ids include `person`, as the id links join them."""
        parsed = _child(person)
        with self._read() as connection:
            identity = _identity(connection, parsed.value)
        return identity.current, identity.ids

    def list_facts(self, child: str, kind: FactKind) -> list[ClinicalFact]:
        """All facts of a kind for a child (under any of its ids), revoked ones included, oldest first."""
        person, kind = _child(child), _coerce_kind(kind)
        statement = _FACTS_NOW.where(facts.c.kind == kind.value)
        with self._read() as connection:
            identity = _identity(connection, person.value)
            rows = connection.execute(statement, identity.params).all()
        return [_fact_from_row(row) for row in rows]

    def get_fact(self, child: str | None, kind: FactKind, fact_id: str) -> ClinicalFact:
        """One fact by id (raises `FactNotFoundError`); with `child`, only when it is that child's."""
        return self.find_fact(kind, fact_id, child=child)[1]

    def find_fact(self, kind: FactKind, fact_id: str, *, child: str | None = None) -> tuple[str, ClinicalFact]:
        """(the child it was recorded for, the fact) by the fact's opaque id (raises `FactNotFoundError`)."""
        kind = _coerce_kind(kind)
        person = _child(child) if child is not None else None
        with self._read() as connection:
            row = self._fact_row(connection, person.value if person else None, kind, fact_id)
        return row.child, _fact_from_row(row)

    @staticmethod
    def _fact_row(connection: Any, child: str | None, kind: FactKind, fact_id: str) -> Any:
        row = connection.execute(_FACT_BY_ID, {"fact_id": str(fact_id)}).first()
        if row is not None and row.kind == kind.value and (
            child is None or row.child == child or row.child in _identity(connection, child).ids
        ):
            return row
        # Neither the child's number nor whether the id exists for another child or kind is told.
        raise FactNotFoundError(f"no {FACT_KINDS[kind].noun} `{fact_id}`")

    def representation_history(self, child: str) -> list[Representation]:
        """Every representation snapshot stored for the child (under any of its ids), oldest first (each with its latest confirmed retrieval)."""
        person = _child(child)
        latest = (
            select(func.max(representation_confirmations.c.retrieved_at))
            .where(representation_confirmations.c.representation_id == representations.c.id)
            .scalar_subquery()
            .label("confirmed_retrieved_at")
        )
        statement = select(representations, latest).where(representations.c.child.in_(_IDS)).order_by(
            representations.c.position
        )
        with self._read() as connection:
            identity = _identity(connection, person.value)
            rows = connection.execute(statement, identity.params).all()
        return [_representation_from_row(row) for row in rows]

    def changes(self, after: int | None = None, limit: int = 1000) -> tuple[list[Change], int]:
        """Changes after a position, oldest first, and the cursor to ask with next."""
        after = 0 if after is None else after
        if not isinstance(after, int) or after < 0:
            raise InvalidInputError.for_field("after", "must be a whole number ≥ 0")
        if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise InvalidInputError.for_field("limit", f"must be between 1 and {MAX_PAGE}")
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
        draft: _Draft,
        author: Author,
        *,
        idempotency_key: str | None = None,
        now: datetime.datetime | None = None,
    ) -> tuple[ClinicalFact, bool]:
        """Store a new fact; (stored record, created?). A repeated idempotency key returns the first record."""
        person, kind = _child(child), _coerce_kind(kind)
        draft = _coerce_draft(kind, draft)
        author = _check_author(author)
        now = _now(now)
        if idempotency_key is not None and (not isinstance(idempotency_key, str) or not 1 <= len(idempotency_key) <= 200):
            raise InvalidInputError.for_field("idempotency_key", "must be 1–200 characters")
        fact = self._build_fact(kind, draft, author, now)
        request_hash = _sha256(
            canonical_json({"child": person.value, "kind": kind.value, "draft": draft.model_dump(mode="json")})
        )
        with self._write() as connection:
            position = self._lock_changes(connection)
            if idempotency_key is not None:
                earlier = connection.execute(
                    select(idempotency_keys.c.request_hash, idempotency_keys.c.fact_id).where(
                        idempotency_keys.c.author == _author_key(author), idempotency_keys.c.key == idempotency_key
                    )
                ).first()
                if earlier is not None:
                    if earlier.request_hash != request_hash:
                        raise IdempotencyConflictError(
                            f"idempotency key `{idempotency_key}` was already used for a different request"
                        )
                    return _fact_from_row(self._fact_row_by_id(connection, earlier.fact_id)), False
            if kind is FactKind.ASSESSMENTS:
                self._check_assessment(connection, person, fact)
            position += 1
            connection.execute(insert(facts), [self._fact_values(person.value, kind, draft, fact, position)])
            connection.execute(insert(changes), [self._change(position, person.value, kind.value, fact.id, CREATED, now)])
            if idempotency_key is not None:
                connection.execute(
                    insert(idempotency_keys),
                    [
                        {
                            "author": _author_key(author),
                            "key": idempotency_key,
                            "request_hash": request_hash,
                            "fact_id": fact.id,
                            "recorded_at": now,
                        }
                    ],
                )
            self._advance(connection, position)
        return fact, True

    def create_facts_bulk(
        self,
        items: Iterable[tuple[str, FactKind, _Draft, Author]],
        *,
        now: datetime.datetime | None = None,
        batch_size: int = 5000,
    ) -> int:
        """Store many new facts (child, kind, draft, author), committed per batch; the number stored.

        For loading and benchmarks: no idempotency keys. Assessments are checked against the
        birth date in the child's id, or the stored representation when the id has none.
        """
        now = _now(now)
        stored = 0
        batch: list[tuple[PersonId, FactKind, _Draft, ClinicalFact]] = []

        def flush() -> None:
            nonlocal stored
            if not batch:
                return
            with self._write() as connection:
                position = self._lock_changes(connection)
                fact_rows, change_rows = [], []
                for person, kind, draft, fact in batch:
                    if kind is FactKind.ASSESSMENTS:
                        self._check_assessment(connection, person, fact)
                    position += 1
                    fact_rows.append(self._fact_values(person.value, kind, draft, fact, position))
                    change_rows.append(self._change(position, person.value, kind.value, fact.id, CREATED, now))
                insert_rows(connection, facts, fact_rows)
                insert_rows(connection, changes, change_rows)
                self._advance(connection, position)
            stored += len(batch)
            batch.clear()

        for child, kind, draft, author in items:
            kind = _coerce_kind(kind)
            draft = _coerce_draft(kind, draft)
            batch.append((_child(child), kind, draft, self._build_fact(kind, draft, _check_author(author), now)))
            if len(batch) >= batch_size:
                flush()
        flush()
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
        person = _child(child) if child is not None else None
        kind = _coerce_kind(kind)
        author = _check_author(author, "revoked_by")
        now = _now(now)
        if reason is not None and (not isinstance(reason, str) or len(reason) > REVOCATION_REASON_MAX):
            raise InvalidInputError.for_field("reason", f"must be at most {REVOCATION_REASON_MAX} characters")
        with self._write() as connection:
            position = self._lock_changes(connection)
            row = self._fact_row(connection, person.value if person else None, kind, fact_id)
            fact = _fact_from_row(row)
            if row.revoked_at is not None:
                return fact
            position += 1
            values: dict[str, Any] = {
                "fact_id": row.id,
                "child": row.child,
                "position": position,
                "revoked_at": now,
                "release_confided": bool(release_confided),
                "reason": reason,
                "override": bool(override),
                **_author_values("revoked_by", author),
            }
            connection.execute(insert(revocations), [values])
            connection.execute(insert(changes), [self._change(position, row.child, kind.value, row.id, REVOKED, now)])
            self._advance(connection, position)
        update_values: dict[str, Any] = {"revoked_at": now, "revoked_by": author, "release_confided": bool(release_confided)}
        if "reason" in values:
            update_values["revocation_reason"] = reason
        return fact.model_copy(update=update_values)

    def put_representation(
        self, child: str, representation: Representation, author: Author, *, now: datetime.datetime | None = None
    ) -> tuple[Representation, bool]:
        """Replace the child's representation (the old snapshot stays); (stored, changed?).

        The same content with a newer `retrieved_at` is a confirmation: it refreshes the stored
        snapshot's freshness without a new snapshot or change-feed entry (changed = False).
        """
        person = _child(child)
        if not isinstance(representation, Representation):
            raise InvalidInputError.for_field("representation", "must be a `Representation`")
        snapshot = Snapshot.of(person, representation)
        author = _check_author(author)
        now = _now(now)
        with self._write() as connection:
            position = self._lock_changes(connection)
            current = self._current_representations(connection, [person.value]).get(person.value)
            action, values = self._plan_representation(person.value, snapshot, current, author, now, position + 1)
            if action == "imported":
                connection.execute(insert(representations), [values])
                connection.execute(
                    insert(changes),
                    [self._change(position + 1, person.value, REPRESENTATION_KIND, values["id"], CREATED, now)],
                )
                insert_rows(connection, id_links, self._new_links(connection, [(person.value, snapshot, values["id"])], now))
                self._advance(connection, position + 1)
                stored = snapshot.representation(
                    id=values["id"], recorded_at=now, retrieved_at=snapshot.retrieved_at.astimezone(UTC)
                )
                return stored, True
            if action == "refreshed":
                connection.execute(insert(representation_confirmations), [values])
            # Unchanged or refreshed: the stored snapshot, with the freshest retrieval.
            row = connection.execute(_REPRESENTATION_NOW, {"ids": [person.value], "current": person.value}).first()
        return _representation_from_row(row), False

    def import_representations(
        self,
        lines: Iterable[str],
        *,
        progress: Callable[[int], Any] | None = None,
        author: Author = IMPORT_AUTHOR,
        now: datetime.datetime | None = None,
        batch_size: int = DEFAULT_IMPORT_BATCH,
    ) -> ImportSummary:
        """Bulk import, one JSON object per line (`child` plus the representation PUT body); idempotent.

        Each batch of whole children is one transaction. `progress`, when given, is called with
        the number of lines handled since its previous call.
        """
        author = _check_author(author)
        fixed_now = _aware(now, "now")
        imported = unchanged = refreshed = 0
        rejections: list[tuple[int, str]] = []
        batch: list[tuple[int, str, Snapshot]] = []
        handled = 0

        def flush() -> None:
            nonlocal imported, unchanged, refreshed, handled
            if batch:
                counts = self._import_batch(batch, author, fixed_now or datetime.datetime.now(UTC), rejections)
                imported += counts["imported"]
                unchanged += counts["unchanged"]
                refreshed += counts["refreshed"]
                batch.clear()
            if progress is not None and handled:
                progress(handled)
            handled = 0

        for number, line in enumerate(lines, 1):
            handled += 1
            if not line.strip():
                continue
            try:
                batch.append((number, *parse_line(line)))
            except InvalidInputError as error:
                rejections.append((number, str(error)))
            # Lines handled, not only children kept, so a run of rejected lines still shows progress.
            if len(batch) >= batch_size or handled >= batch_size:
                flush()
        flush()
        rejections.sort()
        return ImportSummary(
            imported=imported,
            unchanged=unchanged,
            rejected=len(rejections),
            rejections=tuple(rejections),
            refreshed=refreshed,
        )

    def _import_batch(
        self,
        batch: list[tuple[int, str, Snapshot]],
        author: Author,
        now: datetime.datetime,
        rejections: list[tuple[int, str]],
    ) -> dict[str, int]:
        counts = {"imported": 0, "unchanged": 0, "refreshed": 0}
        with self._write() as connection:
            position = self._lock_changes(connection)
            current = self._current_representations(connection, list({child for _, child, _ in batch}))
            snapshot_rows, change_rows, confirmation_rows = [], [], []
            linked: list[tuple[str, Snapshot, str]] = []
            for number, child, snapshot in batch:
                try:
                    action, values = self._plan_representation(
                        child, snapshot, current.get(child), author, now, position + 1
                    )
                except InvalidInputError as error:
                    rejections.append((number, str(error)))
                    continue
                counts[action] += 1
                if action == "imported":
                    position += 1
                    snapshot_rows.append(values)
                    change_rows.append(self._change(position, child, REPRESENTATION_KIND, values["id"], CREATED, now))
                    if snapshot.former_ids or any("former_ids" in holder for holder in snapshot.holders):
                        linked.append((child, snapshot, values["id"]))
                    current[child] = _Current(values["id"], values["content_hash"], values["retrieved_at"])
                elif action == "refreshed":
                    confirmation_rows.append(values)
                    current[child] = current[child].refreshed(values["retrieved_at"])
            if snapshot_rows:
                insert_rows(connection, representations, snapshot_rows)
                insert_rows(connection, changes, change_rows)
                insert_rows(connection, id_links, self._new_links(connection, linked, now))
                self._advance(connection, position)
            insert_rows(connection, representation_confirmations, confirmation_rows)
        return counts

    @staticmethod
    def _plan_representation(
        child: str,
        snapshot: Snapshot,
        current: "_Current | None",
        author: Author,
        now: datetime.datetime,
        position: int,
    ) -> tuple[str, dict[str, Any]]:
        """What storing this snapshot means: imported (a new snapshot), refreshed, or unchanged."""
        digest = content_hash(snapshot)
        # A read from the future would keep the child denied until then and refuse every later
        # correction; one outside 1900–2199 cannot even be converted. The service's edge checks
        # against the policy's clock skew; the store, for its own callers (bulk import), the default.
        not_ahead("retrieved_at", snapshot.retrieved_at, now, REGISTER_CLOCK_SKEW)
        retrieved_at = snapshot.retrieved_at.astimezone(UTC)
        if current is not None:
            if current.content_hash == digest:
                if retrieved_at > current.retrieved_at:
                    return "refreshed", {
                        "representation_id": current.id,
                        "child": child,
                        "retrieved_at": retrieved_at,
                        "recorded_at": now,
                        **_author_values("author", author),
                    }
                return "unchanged", {}
            if retrieved_at < current.retrieved_at:
                # An older read of the register must not replace a newer one.
                raise InvalidInputError.for_field(
                    "retrieved_at",
                    f"{snapshot.retrieved_at.isoformat()} is older than the stored representation "
                    f"(retrieved {current.retrieved_at.isoformat()})",
                )
        return "imported", {
            "id": _new_id("rep"),
            "child": child,
            "position": position,
            "birth_date": snapshot.birth_date,
            "address_protection": snapshot.address_protection,
            "status": snapshot.status,
            "death_date": snapshot.death_date,
            "former_ids": json.dumps(list(snapshot.former_ids), separators=(",", ":")) if snapshot.former_ids else None,
            "holders": json.dumps(snapshot.holders, separators=(",", ":"), ensure_ascii=False),
            "content_hash": digest,
            "retrieved_at": retrieved_at,
            "recorded_at": now,
            **_author_values("author", author),
        }

    @staticmethod
    def _new_links(
        connection: Any, written: list[tuple[str, Snapshot, str]], now: datetime.datetime
    ) -> list[dict[str, Any]]:
        """Rows for the id links these new snapshots report that the store has not yet seen for their child."""
        wanted = {
            (child, former, current): representation_id
            for child, snapshot, representation_id in written
            for former, current in snapshot.id_links(child)
        }
        if not wanted:
            return []
        children = sorted({child for child, _, _ in wanted})
        seen = {
            (row.child, row.former, row.current)
            for row in connection.execute(
                select(id_links.c.child, id_links.c.former, id_links.c.current).where(
                    id_links.c.child.in_(bindparam("children", expanding=True))
                ),
                {"children": children},
            )
        }
        return [
            {"former": former, "current": current, "child": child, "representation_id": rid, "recorded_at": now}
            for (child, former, current), rid in wanted.items()
            if (child, former, current) not in seen
        ]

    @staticmethod
    def _current_representations(connection: Any, children: list[str]) -> dict[str, "_Current"]:
        """The latest snapshot (hash and freshest retrieval) of each of these children."""
        found: dict[str, _Current] = {}
        latest = (
            select(representations.c.child, func.max(representations.c.position).label("position"))
            .where(representations.c.child.in_(bindparam("children", expanding=True)))
            .group_by(representations.c.child)
            .subquery()
        )
        confirmed = (
            select(func.max(representation_confirmations.c.retrieved_at))
            .where(representation_confirmations.c.representation_id == representations.c.id)
            .scalar_subquery()
        )
        statement = select(
            representations.c.id,
            representations.c.child,
            representations.c.content_hash,
            representations.c.retrieved_at,
            confirmed.label("confirmed"),
        ).join(latest, representations.c.position == latest.c.position)
        for row in connection.execute(statement, {"children": children}):
            retrieved = row.retrieved_at if row.confirmed is None else max(row.retrieved_at, row.confirmed)
            found[row.child] = _Current(row.id, row.content_hash, retrieved)
        return found

    def _check_assessment(self, connection: Any, person: PersonId, fact: ClinicalFact) -> None:
        birth_date = person.birth_date
        if birth_date is None:
            birth_date = connection.execute(
                select(representations.c.birth_date)
                .where(representations.c.child == person.value)
                .order_by(representations.c.position.desc())
                .limit(1)
            ).scalar()
        if birth_date is None:
            raise InvalidInputError.for_field(
                "child",
                f"the birth date of `{person.value}` is unknown: store its representation (with `birth_date`) "
                "before a grey-zone assessment",
            )
        try:
            check_assessment_age(fact, birth_date)
        except ValueError as error:
            raise InvalidInputError.for_field("child", str(error)) from None

    @staticmethod
    def _build_fact(kind: FactKind, draft: _Draft, author: Author, now: datetime.datetime) -> ClinicalFact:
        data = draft.model_dump()
        data.update(id=_new_id(FACT_KINDS[kind].id_prefix), recorded_at=now, author=author)
        try:
            return FACT_TYPES[kind].model_validate(data)
        except ValidationError as error:
            raise _invalid(error) from None

    @staticmethod
    def _fact_values(child: str, kind: FactKind, draft: _Draft, fact: ClinicalFact, position: int) -> dict[str, Any]:
        body = draft.model_dump(mode="json", exclude={"valid_from", "valid_until"}, exclude_none=True)
        return {
            "id": fact.id,
            "child": child,
            "kind": kind.value,
            "position": position,
            "body": canonical_json(body),
            "valid_from": fact.valid_from,
            "valid_until": fact.valid_until,
            "recorded_at": fact.recorded_at,
            **_author_values("author", fact.author),
        }

    @staticmethod
    def _fact_row_by_id(connection: Any, fact_id: str) -> Any:
        statement = (
            select(*_FACT_COLUMNS)
            .select_from(facts.outerjoin(revocations, revocations.c.fact_id == facts.c.id))
            .where(facts.c.id == fact_id)
        )
        return connection.execute(statement).one()

    @staticmethod
    def _change(position: int, child: str, kind: str, fact_id: str, action: str, at: datetime.datetime) -> dict[str, Any]:
        return {"position": position, "child": child, "kind": kind, "fact_id": fact_id, "action": action, "at": at}


class _Current:
    """The latest snapshot of a child during a write: its id, content hash and freshest retrieval."""

    __slots__ = ("id", "content_hash", "retrieved_at")

    def __init__(self, id: str, content_hash: str, retrieved_at: datetime.datetime):
        self.id, self.content_hash, self.retrieved_at = id, content_hash, retrieved_at

    def refreshed(self, retrieved_at: datetime.datetime) -> "_Current":
        """The same snapshot confirmed by a later retrieval."""
        return _Current(self.id, self.content_hash, max(self.retrieved_at, retrieved_at))
