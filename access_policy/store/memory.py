"""A `FactStore` in memory: the same promises as the SQL store, for tests that need some store and no database.

Append-only as the SQL store is: records are never changed, a revocation is a record of its own,
every create and revoke takes the next position of one change sequence, a representation
replaced keeps its old snapshot. Ids and inputs are checked by the same functions
(`access_policy.store.inputs`), id links followed by the same rule (`access_policy.store.links`),
and the decision log is the same hash chain (`access_policy.auditlog.chain`), so `audit verify`
works over it. Nothing is kept when the process ends; one lock serialises every write.
"""

from __future__ import annotations

import datetime
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from access_policy.auditlog.chain import (
    CURRENT_HASH_VERSION,
    GENESIS_HASH,
    AuditEntry,
    body_digest_of_text,
    hash_v2,
    parse_entry,
)
from access_policy.auditlog.checkpoints import Checkpoint
from access_policy.errors import FactNotFoundError, IdempotencyConflictError, InconsistentFactsError, InvalidInputError
from access_policy.facts import FACT_KINDS, Author, ChildFacts, ClinicalFact, FactDraft, FactKind, Representation
from access_policy.identity import PersonId
from access_policy.store.bulk import Snapshot, run_import
from access_policy.store.inputs import (
    CREATED,
    DEFAULT_IMPORT_BATCH,
    IMPORT_AUTHOR,
    REPRESENTATION_KIND,
    REVOKED,
    UTC,
    LatestSnapshot,
    NewFact,
    audit_entry_text,
    author_key,
    aware,
    batches,
    check_assessment,
    check_author,
    check_page,
    child_id,
    coerce_kind,
    content_hash,
    new_fact,
    new_id,
    new_revocation,
    new_snapshot,
    now_or,
    one_line,
    snapshot_action,
)
from access_policy.store.interface import Change, ImportSummary
from access_policy.store.links import Identity, follow

if TYPE_CHECKING:
    from access_policy.store.interface import FactStore

__all__ = ["MemoryFactStore"]


@dataclass(frozen=True, slots=True)
class _Link:
    id: int
    former: str
    current: str
    child: str  # the child whose representation reported it
    recorded_at: datetime.datetime


@dataclass(slots=True)
class _Snapshot:
    id: str
    child: str
    position: int
    snapshot: Snapshot
    retrieved_at: datetime.datetime
    recorded_at: datetime.datetime
    # (retrieved_at, recorded_at) of each later retrieval of the same content.
    confirmations: list[tuple[datetime.datetime, datetime.datetime]] = field(default_factory=list)

    def confirmed(self, as_of: datetime.datetime | None = None) -> datetime.datetime | None:
        """The latest confirmed retrieval (recorded by `as_of`), or None."""
        times = [retrieved for retrieved, recorded in self.confirmations if as_of is None or recorded <= as_of]
        return max(times, default=None)

    def representation(self, as_of: datetime.datetime | None = None) -> Representation:
        """The engine's representation, with its freshest retrieval."""
        confirmed = self.confirmed(as_of)
        retrieved_at = self.retrieved_at if confirmed is None else max(self.retrieved_at, confirmed)
        try:
            return self.snapshot.representation(id=self.id, recorded_at=self.recorded_at, retrieved_at=retrieved_at)
        except ValidationError as error:
            raise InconsistentFactsError(f"stored representation `{self.id}` does not validate: {one_line(error)}") from error


@dataclass(frozen=True, slots=True)
class _Revocation:
    position: int
    fact: ClinicalFact  # the fact as revoked


@dataclass(slots=True)
class _Fact:
    child: str
    kind: FactKind
    position: int
    fact: ClinicalFact
    revocation: _Revocation | None = None

    def as_of(self, at: datetime.datetime | None) -> tuple[ClinicalFact, int]:
        """The fact as it stood at `at` (a later revocation undone) and the last position it took by then."""
        revocation = self.revocation
        if revocation is None:
            return self.fact, self.position
        revoked_at = revocation.fact.revoked_at
        if at is not None and revoked_at is not None and revoked_at > at:
            return self.fact, self.position
        return revocation.fact, revocation.position


class MemoryFactStore:
    """A `FactStore` in memory (for tests and demos: nothing survives the process)."""

    dialect = "memory"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changes: list[Change] = []
        self._facts: dict[str, _Fact] = {}
        self._idempotency: dict[tuple[str, str], tuple[str, str]] = {}
        self._snapshots: list[_Snapshot] = []
        self._links: list[_Link] = []
        self._audit: list[AuditEntry] = []
        self._checkpoints: list[Checkpoint] = []
        self._mark = 0  # moves with every change position and every freshness confirmation; never goes back

    def __enter__(self) -> "MemoryFactStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: the records stay readable until the object is dropped."""

    def ping(self) -> None:
        """A store in memory always answers."""

    def probe_write(self, timeout: float = 1.0) -> None:
        """A store in memory can always log a decision."""

    # -- id links

    def _identity(self, child: str, as_of: datetime.datetime | None = None) -> Identity:
        def read(ids: frozenset[str]) -> Sequence[_Link]:
            return [
                link
                for link in self._links
                if (link.former in ids or link.current in ids or link.child in ids)
                and (as_of is None or link.recorded_at <= as_of)
            ]

        return follow(child, read)

    def resolve_child(self, child: str) -> str:
        """The child's current id: `child` itself, or the id that replaced it."""
        person = child_id(child)
        with self._lock:
            return self._identity(person.value).current

    def person_ids(self, person: str) -> tuple[str, frozenset[str]]:
        """(the current id, every id) of the person whose ids include `person`, as the id links join them."""
        parsed = child_id(person)
        with self._lock:
            identity = self._identity(parsed.value)
        return identity.current, identity.ids

    # -- reads

    def _snapshot_for(self, identity: Identity, as_of: datetime.datetime | None = None) -> _Snapshot | None:
        # A snapshot under the current id wins over any under a former id; among them, the newest.
        found = [s for s in self._snapshots if s.child in identity.ids and (as_of is None or s.recorded_at <= as_of)]
        return max(found, key=lambda s: (s.child == identity.current, s.position), default=None)

    def child_facts(
        self, child: str, *, as_of: datetime.datetime | None = None, active_at: datetime.datetime | None = None
    ) -> ChildFacts:
        """Everything the engine needs for one child; with `as_of`, as recorded then; with `active_at`, only what can apply then."""
        person = child_id(child)
        as_of = aware(as_of, "as_of")
        active_at = aware(active_at, "active_at")
        grouped: dict[FactKind, list[ClinicalFact]] = {kind: [] for kind in FACT_KINDS}
        with self._lock:
            identity = self._identity(person.value, as_of)
            snapshot = self._snapshot_for(identity, as_of)
            version = snapshot.position if snapshot is not None else 0
            for record in self._facts.values():
                recorded_at = record.fact.recorded_at
                if record.child not in identity.ids or (as_of and recorded_at and recorded_at > as_of):
                    continue
                fact, position = record.as_of(as_of)
                if active_at is not None and record.kind is not FactKind.ASSESSMENTS and not _can_apply(fact, active_at):
                    continue
                grouped[record.kind].append(fact)
                version = max(version, position)
            if active_at is not None:
                # Revocations left out of the read still change the version, so caches notice them.
                version = max([version, *self._positions(identity.ids, as_of)])
            representation = snapshot.representation(as_of) if snapshot is not None else None
        confirmed = snapshot.confirmed(as_of) if snapshot is not None else None
        try:
            return ChildFacts(
                child=identity.current,
                representation=representation,
                id_links=identity.links,
                version=identity.version(version, confirmed),
                **{spec.field: tuple(grouped[kind]) for kind, spec in FACT_KINDS.items()},
            )
        except ValidationError as error:
            raise InconsistentFactsError(f"the stored facts of a child disagree: {one_line(error)}") from error

    def _positions(self, ids: frozenset[str], as_of: datetime.datetime | None = None) -> list[int]:
        return [c.position for c in self._changes if c.child in ids and (as_of is None or c.at <= as_of)]

    def child_version(self, child: str) -> str:
        """The child's fact version as `child_facts` reports it."""
        person = child_id(child)
        with self._lock:
            identity = self._identity(person.value)
            snapshot = self._snapshot_for(identity)
            position = max(self._positions(identity.ids), default=0)
            return identity.version(position, snapshot.confirmed() if snapshot is not None else None)

    def list_facts(self, child: str, kind: FactKind) -> list[ClinicalFact]:
        """All facts of a kind for a child (under any of its ids), revoked ones included, oldest first."""
        person, kind = child_id(child), coerce_kind(kind)
        with self._lock:
            ids = self._identity(person.value).ids
            return [r.as_of(None)[0] for r in self._facts.values() if r.child in ids and r.kind is kind]

    def get_fact(self, child: str | None, kind: FactKind, fact_id: str) -> ClinicalFact:
        """One fact by id (raises `FactNotFoundError`); with `child`, only when it is that child's."""
        return self.find_fact(kind, fact_id, child=child)[1]

    def find_fact(self, kind: FactKind, fact_id: str, *, child: str | None = None) -> tuple[str, ClinicalFact]:
        """(the child it was recorded for, the fact) by the fact's opaque id (raises `FactNotFoundError`)."""
        kind = coerce_kind(kind)
        person = child_id(child) if child is not None else None
        with self._lock:
            record = self._record(person, kind, fact_id)
            return record.child, record.as_of(None)[0]

    def _record(self, person: PersonId | None, kind: FactKind, fact_id: str) -> _Fact:
        record = self._facts.get(str(fact_id))
        if record is not None and record.kind is kind and (
            person is None or record.child in self._identity(person.value).ids
        ):
            return record
        # Neither the child's number nor whether the id exists for another child or kind is told.
        raise FactNotFoundError(f"no {FACT_KINDS[kind].noun} `{fact_id}`")

    def representation_history(self, child: str) -> list[Representation]:
        """Every representation snapshot stored for the child (under any of its ids), oldest first."""
        person = child_id(child)
        with self._lock:
            ids = self._identity(person.value).ids
            return [s.representation() for s in self._snapshots if s.child in ids]

    def changes(self, after: int | None = None, limit: int = 1000) -> tuple[list[Change], int]:
        """Changes after a position, oldest first, and the cursor to ask with next."""
        after = check_page(after, limit)
        with self._lock:
            found = self._changes[after : after + limit]  # positions are 1, 2, 3, … without gaps
        return found, (found[-1].position if found else after)

    # -- writes

    def _change(self, child: str, kind: str, fact_id: str, action: str, at: datetime.datetime) -> int:
        position = len(self._changes) + 1
        self._changes.append(Change(position, child, kind, fact_id, action, at))
        self._mark += 1
        return position

    def change_mark(self) -> str:
        """A value that changes whenever any fact, revocation, snapshot, confirmation or id link is written."""
        with self._lock:
            return str(self._mark)

    def _stored_birth_date(self, person: PersonId) -> datetime.date | None:
        if person.birth_date is not None:
            return None
        own = [s for s in self._snapshots if s.child == person.value]
        return own[-1].snapshot.birth_date if own else None

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
        key = new.idempotency_key
        with self._lock:
            if key is not None:
                earlier = self._idempotency.get((author_key(new.author), key))
                if earlier is not None:
                    if earlier[0] != new.request_hash:
                        raise IdempotencyConflictError(f"idempotency key `{key}` was already used for a different request")
                    return self._facts[earlier[1]].as_of(None)[0], False
            self._add_fact(new)
            if key is not None:
                self._idempotency[(author_key(new.author), key)] = (new.request_hash, new.fact.id)
        return new.fact, True

    def _add_fact(self, new: NewFact) -> None:
        if new.kind is FactKind.ASSESSMENTS:
            check_assessment(new.person, new.fact, self._stored_birth_date(new.person))
        position = self._change(new.person.value, new.kind.value, new.fact.id, CREATED, new.now)
        self._facts[new.fact.id] = _Fact(new.person.value, new.kind, position, _as_stored(new.fact))

    def create_facts_bulk(
        self,
        items: Iterable[tuple[str, FactKind, FactDraft, Author]],
        *,
        now: datetime.datetime | None = None,
        batch_size: int = 5000,
    ) -> int:
        """Store many new facts (child, kind, draft, author); the number stored. All or none of a batch is kept."""
        now = now_or(now)
        stored = 0
        for batch in batches((new_fact(child, kind, draft, author, now=now) for child, kind, draft, author in items), batch_size):
            with self._lock:
                saved = (len(self._changes), dict(self._facts))
                try:
                    for new in batch:
                        self._add_fact(new)
                except BaseException:
                    # All or none of a batch, as a transaction.
                    del self._changes[saved[0] :]
                    self._facts = saved[1]
                    raise
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
        """Revoke a fact by its id (raises `FactNotFoundError`); revoking twice returns the first revocation."""
        revocation = new_revocation(
            child, kind, author, now=now, reason=reason, release_confided=release_confided, override=override
        )
        with self._lock:
            record = self._record(revocation.person, revocation.kind, fact_id)
            if record.revocation is not None:
                return record.revocation.fact
            revoked = revocation.applied_to(record.fact)
            position = self._change(record.child, revocation.kind.value, record.fact.id, REVOKED, revocation.now)
            record.revocation = _Revocation(position, revoked)
        return revoked

    def put_representation(
        self, child: str, representation: Representation, author: Author, *, now: datetime.datetime | None = None
    ) -> tuple[Representation, bool]:
        """Replace the child's representation (the old snapshot stays); (stored, changed?).

        The same content with a newer `retrieved_at` is a confirmation: it refreshes the stored
        snapshot's freshness without a new snapshot or change-feed entry (changed = False).
        """
        person, snapshot, _, now = new_snapshot(child, representation, author, now)
        with self._lock:
            action, stored = self._store_snapshot(person.value, snapshot, now)
            return stored.representation(), action == "imported"

    def import_representations(
        self,
        lines: Iterable[str],
        *,
        progress: Callable[[int], object] | None = None,
        author: Author = IMPORT_AUTHOR,
        now: datetime.datetime | None = None,
        batch_size: int = DEFAULT_IMPORT_BATCH,
    ) -> ImportSummary:
        """Bulk import, one JSON object per line (`child` plus the representation PUT body); idempotent."""
        check_author(author)
        return run_import(lines, self._import_batch, progress=progress, now=aware(now, "now"), batch_size=batch_size)

    def _import_batch(
        self, batch: list[tuple[int, str, Snapshot]], now: datetime.datetime, rejections: list[tuple[int, str]]
    ) -> dict[str, int]:
        counts = {"imported": 0, "unchanged": 0, "refreshed": 0}
        with self._lock:
            for number, child, snapshot in batch:
                try:
                    action, _ = self._store_snapshot(child, snapshot, now)
                except InvalidInputError as error:
                    rejections.append((number, str(error)))
                    continue
                counts[action] += 1
        return counts

    def _store_snapshot(self, child: str, snapshot: Snapshot, now: datetime.datetime) -> tuple[str, _Snapshot]:
        """Store a snapshot as new, as a confirmation of the latest, or not at all; (what was done, the latest)."""
        own = [s for s in self._snapshots if s.child == child]
        latest = own[-1] if own else None
        confirmed = latest.confirmed() if latest is not None else None
        digest = content_hash(snapshot)
        current = None
        if latest is not None:
            freshest = latest.retrieved_at if confirmed is None else max(latest.retrieved_at, confirmed)
            current = LatestSnapshot(latest.id, content_hash(latest.snapshot), freshest)
        action = snapshot_action(snapshot, digest, current, now)
        retrieved_at = snapshot.retrieved_at.astimezone(UTC)
        if action == "refreshed" and latest is not None:
            latest.confirmations.append((retrieved_at, now))
            self._mark += 1
        if action != "imported" and latest is not None:
            return action, latest
        rid = new_id("rep")
        position = self._change(child, REPRESENTATION_KIND, rid, CREATED, now)
        stored = _Snapshot(rid, child, position, snapshot, retrieved_at, now)
        self._snapshots.append(stored)
        seen = {(link.former, link.current) for link in self._links if link.child == child}
        for former, current_id in dict.fromkeys(snapshot.id_links(child)):
            if (former, current_id) not in seen:
                self._links.append(_Link(len(self._links) + 1, former, current_id, child, now))
        return action, stored

    # -- the decision log

    def append_audit(self, decision_id: str, child: str, entry: dict[str, Any]) -> AuditEntry:
        """Append a decision-log entry to the hash chain, as the SQL store chains it."""
        text = audit_entry_text(decision_id, child, entry)
        salt = secrets.token_hex(16)
        with self._lock:
            position, previous = self.audit_head()
            position += 1
            recorded_at = datetime.datetime.now(UTC)
            digest = hash_v2(previous, position, decision_id, recorded_at, body_digest_of_text(child, text, salt))
            stored = AuditEntry(
                position, decision_id, recorded_at, child, parse_entry(text), previous, digest, CURRENT_HASH_VERSION, salt
            )
            self._audit.append(stored)
        return stored

    async def append_audit_async(self, decision_id: str, child: str, entry: dict[str, Any]) -> AuditEntry:
        """As `append_audit` (nothing to wait for in memory)."""
        return self.append_audit(decision_id, child, entry)

    def read_audit(self, *, child: str | None = None, after: int | None = None, limit: int = 1000) -> list[AuditEntry]:
        """Decision-log entries in order, optionally for one child."""
        after = check_page(after, limit)
        with self._lock:
            found = [e for e in self._audit[after:] if child is None or e.child == child]
        return found[:limit]

    def audit_head(self) -> tuple[int, str]:
        """The position and hash of the last decision-log entry (0 and the genesis hash when empty)."""
        with self._lock:
            return (self._audit[-1].position, self._audit[-1].hash) if self._audit else (0, GENESIS_HASH)

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Keep a signed checkpoint of the head."""
        with self._lock:
            self._checkpoints.append(checkpoint)

    def checkpoints(self) -> list[Checkpoint]:
        """Every stored checkpoint, oldest first."""
        with self._lock:
            return sorted(self._checkpoints, key=lambda c: c.tree_size)


def _can_apply(fact: ClinicalFact, at: datetime.datetime) -> bool:
    # As the SQL store's active read: not revoked at or before `at`, not expired by it.
    return (fact.revoked_at is None or fact.revoked_at > at) and (fact.valid_until is None or fact.valid_until > at)


def _as_stored(fact: ClinicalFact) -> ClinicalFact:
    # Validity read back in UTC, as the SQL store reads it.
    update = {name: getattr(fact, name).astimezone(UTC) for name in ("valid_from", "valid_until") if getattr(fact, name)}
    return fact.model_copy(update=update) if update else fact


if TYPE_CHECKING:

    def _is_a_fact_store(store: MemoryFactStore) -> FactStore:
        # mypy checks here that the memory store keeps every promise of the protocol.
        return store
