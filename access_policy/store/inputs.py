"""What every store backend checks and builds before it writes: ids, instants, authors, drafts, new record ids.

One home for the store's own rules, so the SQL store and the in-memory store refuse the same
input with the same error and hash the same content the same way.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from access_policy.auditlog.chain import entry_text
from access_policy.errors import InvalidInputError, field_problems
from access_policy.facts import (
    DRAFT_TYPES,
    FACT_KINDS,
    FACT_TYPES,
    IDEMPOTENCY_KEY_MAX,
    REVOCATION_REASON_MAX,
    Assessment,
    Author,
    ClinicalFact,
    FactDraft,
    FactKind,
    Representation,
    check_assessment_age,
)
from access_policy.identity import PersonId, person_id
from access_policy.instants import not_ahead
from access_policy.store.bulk import Snapshot

T = TypeVar("T")
UTC = datetime.timezone.utc
REPRESENTATION_KIND = "representation"
CREATED = "created"
REVOKED = "revoked"
IMPORT_AUTHOR = Author(system="folkeregisteret-import")
DEFAULT_IMPORT_BATCH = 2000
MAX_PAGE = 10_000
# How far ahead of the writer's clock a register read may be (the national policy's clock skew).
REGISTER_CLOCK_SKEW = datetime.timedelta(seconds=300)


def canonical_json(value: Any) -> str:
    """The canonical JSON text hashed by the store: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256(textual: str) -> str:
    """The hex SHA-256 of a text's UTF-8 bytes."""
    return hashlib.sha256(textual.encode("utf-8")).hexdigest()


def content_hash(snapshot: Snapshot) -> str:
    """The hash that tells whether two representation snapshots say the same."""
    return sha256(snapshot.content_key)


def one_line(error: BaseException) -> str:
    """The first line of an error's message (a driver's own error where there is one)."""
    first = str(getattr(error, "orig", None) or error).strip().splitlines()
    return first[0] if first else type(error).__name__


def invalid(error: ValidationError, prefix: str = "") -> InvalidInputError:
    """An `InvalidInputError` naming each field a pydantic validation refused."""
    problems = field_problems([dict(problem) for problem in error.errors(include_url=False)], prefix or None)
    message = "; ".join(f"`{p.field}`: {p.message}" for p in problems)
    return InvalidInputError(message=message, problems=problems)


def aware(value: datetime.datetime | None, name: str) -> datetime.datetime | None:
    """The instant in UTC, or None; raises `InvalidInputError` for a time without a UTC offset."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError.for_field(name, "must be an instant with a UTC offset")
    return value.astimezone(UTC)


def now_or(now: datetime.datetime | None) -> datetime.datetime:
    """The given recording time in UTC, or the clock's."""
    return aware(now, "now") or datetime.datetime.now(UTC)


def child_id(child: str) -> PersonId:
    """The child's parsed person number (raises `InvalidIdError` naming `child`)."""
    return person_id(child, "child")


def check_author(author: Author, name: str = "author") -> Author:
    """The author, when it names a clinician (hpr and org), a system or the adolescent."""
    if not isinstance(author, Author):
        raise InvalidInputError.for_field(name, "must be an `Author`")
    if author.system is None and author.person is None and (author.hpr is None or author.org is None):
        raise InvalidInputError.for_field(
            name, "a clinician author needs both `hpr` and `org`; a system needs `system`; the adolescent `person`"
        )
    return author


def author_key(author: Author) -> str:
    """The author as one text: idempotency keys are kept per author."""
    if author.system is not None:
        return f"system:{author.system}"
    if author.person is not None:
        return f"person:{author.person}"
    return f"hpr:{author.hpr}/org:{author.org}"


# Hex digits written as the letters a–p: the same order, and never a run of digits that a log
# scanner (or a reader) takes for an 11-digit person number.
_NO_DIGITS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def new_id(prefix: str) -> str:
    """A new opaque record id with this prefix, time-ordered and without digits."""
    # Time-ordered (milliseconds, then 80 random bits): new rows land at the end of the id index.
    unique = f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"
    return f"{prefix}-{unique.translate(_NO_DIGITS)}"


def coerce_kind(kind: Any) -> FactKind:
    """The fact kind named (raises `InvalidInputError` listing the kinds)."""
    try:
        return FactKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in FactKind)
        raise InvalidInputError.for_field("kind", f"`{kind}` is not a kind of fact (one of: {known})") from None


def coerce_draft(kind: FactKind, draft: Any) -> FactDraft:
    """The draft as the kind's draft type, validated from a mapping when it is one."""
    wanted = DRAFT_TYPES[kind]
    if isinstance(draft, wanted):
        return draft
    if isinstance(draft, Mapping):
        try:
            return wanted.model_validate(dict(draft))
        except ValidationError as error:
            raise invalid(error) from None
    raise InvalidInputError.for_field("kind", f"a `{kind.value}` fact is created from a {wanted.__name__}")


def check_idempotency_key(key: str | None) -> str | None:
    """The key, when it is 1–`IDEMPOTENCY_KEY_MAX` characters."""
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX):
        raise InvalidInputError.for_field("idempotency_key", f"must be 1–{IDEMPOTENCY_KEY_MAX} characters")
    return key


def check_revocation_reason(reason: str | None) -> str | None:
    """The reason, when it is at most `REVOCATION_REASON_MAX` characters."""
    if reason is not None and (not isinstance(reason, str) or len(reason) > REVOCATION_REASON_MAX):
        raise InvalidInputError.for_field("reason", f"must be at most {REVOCATION_REASON_MAX} characters")
    return reason


def check_page(after: int | None, limit: int) -> int:
    """The change-feed position to read after (0 for the start), once `after` and `limit` are in range."""
    after = 0 if after is None else after
    if not isinstance(after, int) or after < 0:
        raise InvalidInputError.for_field("after", "must be a whole number ≥ 0")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError.for_field("limit", f"must be between 1 and {MAX_PAGE}")
    return after


def audit_entry_text(decision_id: str, child: str, entry: Any) -> str:
    """The stored text of a decision-log entry, once its decision id (1–64 characters), child and JSON are checked."""
    if not isinstance(decision_id, str) or not 1 <= len(decision_id) <= 64:
        raise InvalidInputError.for_field("decision_id", "must be 1–64 characters")
    if not isinstance(child, str) or len(child) > 64:
        raise InvalidInputError.for_field("child", "must be at most 64 characters")
    try:
        return entry_text(entry)
    except (TypeError, ValueError) as error:
        raise InvalidInputError.for_field("entry", f"must be JSON: {error}") from None


def request_hash(child: PersonId, kind: FactKind, draft: FactDraft) -> str:
    """What an idempotency key promises: the same child, kind and draft."""
    return sha256(canonical_json({"child": child.value, "kind": kind.value, "draft": draft.model_dump(mode="json")}))


@dataclass(frozen=True, slots=True)
class NewFact:
    """A create request checked and built: the child, kind, draft, author, time, idempotency key and the record."""

    person: PersonId
    kind: FactKind
    draft: FactDraft
    author: Author
    now: datetime.datetime
    idempotency_key: str | None
    fact: ClinicalFact

    @property
    def request_hash(self) -> str:
        """What its idempotency key promises: the same child, kind and draft."""
        return request_hash(self.person, self.kind, self.draft)


def new_fact(
    child: str, kind: Any, draft: Any, author: Author, *, idempotency_key: str | None = None, now: datetime.datetime | None = None
) -> NewFact:
    """Check a create request and build the record it stores (raises `InvalidInputError`)."""
    person, kind = child_id(child), coerce_kind(kind)
    draft = coerce_draft(kind, draft)
    author = check_author(author)
    now = now_or(now)
    key = check_idempotency_key(idempotency_key)
    return NewFact(person, kind, draft, author, now, key, build_fact(kind, draft, author, now))


@dataclass(frozen=True, slots=True)
class NewRevocation:
    """A revocation request checked: the child (when given), kind, who revokes, when, why, and what it releases."""

    person: PersonId | None
    kind: FactKind
    author: Author
    now: datetime.datetime
    reason: str | None
    release_confided: bool
    override: bool

    def applied_to(self, fact: ClinicalFact) -> ClinicalFact:
        """The fact as this revocation leaves it."""
        return fact.model_copy(
            update={
                "revoked_at": self.now,
                "revoked_by": self.author,
                "release_confided": self.release_confided,
                "revocation_reason": self.reason,
            }
        )


def new_revocation(
    child: str | None,
    kind: Any,
    author: Author,
    *,
    now: datetime.datetime | None,
    reason: str | None,
    release_confided: bool,
    override: bool,
) -> NewRevocation:
    """Check a revocation request (raises `InvalidInputError`)."""
    person = child_id(child) if child is not None else None
    kind = coerce_kind(kind)
    author = check_author(author, "revoked_by")
    return NewRevocation(
        person, kind, author, now_or(now), check_revocation_reason(reason), bool(release_confided), bool(override)
    )


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """The items in lists of `size` (the last one shorter), built as they are consumed."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_fact(kind: FactKind, draft: FactDraft, author: Author, now: datetime.datetime) -> ClinicalFact:
    """The stored record of a draft: a new id, the recording time and the author added, validated."""
    data = draft.model_dump()
    data.update(id=new_id(FACT_KINDS[kind].id_prefix), recorded_at=now, author=author)
    try:
        return FACT_TYPES[kind].model_validate(data)
    except ValidationError as error:
        raise invalid(error) from None


def fact_body(draft: FactDraft) -> str:
    """The stored body of a fact: the draft's fields but its validity, as canonical JSON."""
    return canonical_json(draft.model_dump(mode="json", exclude={"valid_from", "valid_until"}, exclude_none=True))


def new_snapshot(
    child: str, representation: Representation, author: Author, now: datetime.datetime | None
) -> tuple[PersonId, Snapshot, Author, datetime.datetime]:
    """Check a representation write: (the child, the snapshot to store, the author, the recording time)."""
    person = child_id(child)
    if not isinstance(representation, Representation):
        raise InvalidInputError.for_field("representation", "must be a `Representation`")
    return person, Snapshot.of(person, representation), check_author(author), now_or(now)


def check_assessment(person: PersonId, fact: ClinicalFact, stored_birth_date: datetime.date | None) -> None:
    """Refuse a grey-zone assessment for a child too young for one, or whose birth date is unknown."""
    birth_date = person.birth_date or stored_birth_date
    if birth_date is None:
        raise InvalidInputError.for_field(
            "child",
            f"the birth date of `{person.value}` is unknown: store its representation (with `birth_date`) "
            "before a grey-zone assessment",
        )
    if not isinstance(fact, Assessment):
        return
    try:
        check_assessment_age(fact, birth_date)
    except ValueError as error:
        raise InvalidInputError.for_field("child", str(error)) from None


def fact_version(position: int, confirmed: datetime.datetime | None, newest_link: int = 0) -> str:
    """A child's fact version: its last change position, its freshest register confirmation, its newest id link.

    A freshness confirmation changes what the engine sees without taking a change position, and
    a link reported with another child's representation can change what is read for this child
    without a change of its own.
    """
    version = str(position) if confirmed is None else f"{position}.{round(confirmed.timestamp() * 1_000_000)}"
    return f"{version}~{newest_link}" if newest_link else version


class LatestSnapshot:
    """The latest snapshot of a child during a write: its id, content hash and freshest retrieval."""

    __slots__ = ("id", "content_hash", "retrieved_at")

    def __init__(self, id: str, content_hash: str, retrieved_at: datetime.datetime):
        self.id, self.content_hash, self.retrieved_at = id, content_hash, retrieved_at

    def refreshed(self, retrieved_at: datetime.datetime) -> "LatestSnapshot":
        """The same snapshot confirmed by a later retrieval."""
        return LatestSnapshot(self.id, self.content_hash, max(self.retrieved_at, retrieved_at))


def snapshot_action(snapshot: Snapshot, digest: str, latest: LatestSnapshot | None, now: datetime.datetime) -> str:
    """What storing this snapshot means: `imported` (a new snapshot), `refreshed` or `unchanged`.

    Raises `InvalidInputError` for a register read from the future, or for one older than the
    stored snapshot that says something else.
    """
    # A read from the future would keep the child denied until then and refuse every later
    # correction; one outside 1900–2199 cannot even be converted. The service's edge checks
    # against the policy's clock skew; the store, for its own callers (bulk import), the default.
    not_ahead("retrieved_at", snapshot.retrieved_at, now, REGISTER_CLOCK_SKEW)
    if latest is None:
        return "imported"
    retrieved_at = snapshot.retrieved_at.astimezone(UTC)
    if latest.content_hash == digest:
        return "refreshed" if retrieved_at > latest.retrieved_at else "unchanged"
    if retrieved_at < latest.retrieved_at:
        # An older read of the register must not replace a newer one.
        raise InvalidInputError.for_field(
            "retrieved_at",
            f"{snapshot.retrieved_at.isoformat()} is older than the stored representation "
            f"(retrieved {latest.retrieved_at.isoformat()})",
        )
    return "imported"
