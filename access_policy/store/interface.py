"""The fact store's interface: what the engine, the service and the command line may ask of a store.

A store is small interfaces, one per concern: `FactRecords` (clinician-set facts),
`Representations` (who holds parental responsibility, id links, bulk imports), `ChangeFeed` and
`DecisionLog`; `FactStore` is all of them. Backends: SQLite and PostgreSQL over SQLAlchemy Core
(`access_policy.store.sql`), and one in memory for tests (`access_policy.store.memory`).

Facts are append-only: creating returns the stored record; revoking writes who and when and
keeps the record; replacing a child's representation keeps the old snapshot. Every create and
revoke gets a position in one gap-free, increasing change sequence.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from access_policy.auditlog.chain import AuditEntry
from access_policy.auditlog.checkpoints import Checkpoint
from access_policy.facts import Author, ChildFacts, ClinicalFact, FactDraft, FactKind, Representation

__all__ = [
    "AuditEntry",
    "Change",
    "ChangeFeed",
    "DecisionLog",
    "FactRecords",
    "FactStore",
    "ImportSummary",
    "Representations",
]


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change feed: a fact created or revoked, at a position in the sequence."""

    position: int
    child: str
    kind: str  # a FactKind value, or "representation"
    fact_id: str
    action: str  # "created" | "revoked"
    at: datetime.datetime


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What a bulk representation import did."""

    imported: int
    unchanged: int
    rejected: int
    rejections: tuple[tuple[int, str], ...]  # (line number, reason)
    refreshed: int = 0  # same content retrieved again later: freshness confirmed, no new snapshot


class DecisionLog(Protocol):
    """The decision log's storage: a hash chain appended to by every decision, its head, and signed checkpoints.

    The chain's format and its verifier are `access_policy.auditlog.chain`; a store only keeps
    entries in order and serialises appends (across processes) so positions have no gaps.
    """

    def append_audit(self, decision_id: str, child: str, entry: dict[str, Any]) -> AuditEntry:
        """Append a decision-log entry to the hash chain; returns once it is durable (group commit)."""
        ...

    async def append_audit_async(self, decision_id: str, child: str, entry: dict[str, Any]) -> AuditEntry:
        """As `append_audit`, awaited on the event loop without holding a thread while the group commits."""
        ...

    def read_audit(self, *, child: str | None = None, after: int | None = None, limit: int = 1000) -> list[AuditEntry]:
        """Decision-log entries in order, optionally for one child; an entry that is not JSON reads as `Unreadable`."""
        ...

    def audit_head(self) -> tuple[int, str]:
        """The position and hash of the last decision-log entry (0 and the genesis hash when empty)."""
        ...

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Store a signed checkpoint of the head (signed outside the database)."""
        ...

    def checkpoints(self) -> list[Checkpoint]:
        """Every stored checkpoint, oldest first."""
        ...

    def probe_write(self, timeout: float = 1.0) -> None:
        """Raise `StoreUnavailableError` unless a decision-log write would succeed now (changes nothing)."""
        ...


class FactRecords(Protocol):
    """Clinician-set facts, append-only, and everything the engine reads for one child."""

    def child_facts(
        self, child: str, *, as_of: datetime.datetime | None = None, active_at: datetime.datetime | None = None
    ) -> ChildFacts:
        """Everything the engine needs for one child (a few indexed queries).

        With `as_of`, the facts as they stood then: records recorded after it are left out and
        revocations after it are undone. A child nobody knows gives facts with no representation.
        A former id reads as the current one: facts under every id of the child, and `id_links`.
        With `active_at`, only facts that can be active at that instant (for a decision then).
        """
        ...

    def child_version(self, child: str) -> str:
        """The child's fact version as `child_facts` reports it, in one small query: changes whenever any
        fact, revocation, representation snapshot or freshness confirmation of the child is recorded."""
        ...

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
        ...

    def create_facts_bulk(
        self,
        items: Iterable[tuple[str, FactKind, FactDraft, Author]],
        *,
        now: datetime.datetime | None = None,
        batch_size: int = 5000,
    ) -> int:
        """Store many new facts (child, kind, draft, author), committed per batch, without idempotency keys; the number stored."""
        ...

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

        `child`, when given, must be the fact's child (any of its ids). `release_confided`
        (grey-zone assessments) releases what was confided while the wish applied; the reason and
        whether it was an override of another organisation's fact are kept with it.
        """
        ...

    def get_fact(self, child: str | None, kind: FactKind, fact_id: str) -> ClinicalFact:
        """One fact by id (raises `FactNotFoundError`); with `child`, only when it is that child's."""
        ...

    def find_fact(self, kind: FactKind, fact_id: str, *, child: str | None = None) -> tuple[str, ClinicalFact]:
        """(the child it was recorded under, the fact) by the fact's opaque id (raises `FactNotFoundError`)."""
        ...

    def list_facts(self, child: str, kind: FactKind) -> list[ClinicalFact]:
        """All facts of a kind for a child (under any of its ids), revoked ones included, oldest first."""
        ...


class Representations(Protocol):
    """Snapshots of who holds parental responsibility for a child, the register's id links, and bulk imports."""

    def put_representation(
        self, child: str, representation: Representation, author: Author, *, now: datetime.datetime | None = None
    ) -> tuple[Representation, bool]:
        """Replace the child's representation (the old snapshot stays); (stored, changed?)."""
        ...

    def import_representations(
        self,
        lines: Iterable[str],
        *,
        progress: Callable[[int], object] | None = None,
        author: Author = ...,
        now: datetime.datetime | None = None,
        batch_size: int = ...,
    ) -> ImportSummary:
        """Bulk import, one JSON object per line (`child` plus the representation PUT body); idempotent.

        Whole children are committed per batch. `progress`, when given, is called with the number
        of lines handled since its previous call.
        """
        ...

    def representation_history(self, child: str) -> list[Representation]:
        """Every representation snapshot stored for the child (under any of its ids), oldest first."""
        ...

    def resolve_child(self, child: str) -> str:
        """The child's current id: `child` itself, or the id that replaced it (the register's id links)."""
        ...

    def person_ids(self, person: str) -> tuple[str, frozenset[str]]:
        """(the current id, every id) of the person whose ids include `person`."""
        ...


class ChangeFeed(Protocol):
    """Every create and revoke, at its position in one gap-free, increasing sequence."""

    def changes(self, after: int | None = None, limit: int = 1000) -> tuple[list[Change], int]:
        """Changes after a position, oldest first, and the cursor to ask with next."""
        ...

    def change_mark(self) -> str:
        """A value that changes whenever anything a child's fact version covers is written (one cheap read)."""
        ...


class FactStore(FactRecords, Representations, ChangeFeed, DecisionLog, Protocol):
    """A store of representation and clinician-set facts, indexed by child, with the change feed and the decision log."""

    def ping(self) -> None:
        """Raise `StoreUnavailableError` unless the store answers."""
        ...

    def close(self) -> None:
        """Release what the store holds (connections); it is not used after."""
        ...
