"""The decision log's hash chain: canonical JSON, the entry, its hash, the genesis value and the one verifier.

Pure: no clock, file or database. The store hashes with it when it appends, and `audit verify`
(over a store or over an exported file) checks with `verify`, so there is one definition of
what a valid chain is.

Two hash schemes exist, recorded per entry in `hash_version`:

- **1** (entries written before the scheme was versioned): sha256 over Python's sorted-keys
  compact JSON (`json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)`)
  of `{position, decision_id, recorded_at, child, entry, previous_hash}`, `recorded_at` in
  `datetime.isoformat()` form. Kept only so that old logs still verify.
- **2** (every new entry): RFC 8785 (JSON Canonicalization Scheme), so any JCS library can
  recompute it, and in two levels so that an export can hide identities and still be checked:
  `body_digest = sha256(JCS({child, entry, salt}))` and
  `hash = sha256(JCS({hash_version: 2, position, decision_id, recorded_at, previous_hash, body_digest}))`,
  `recorded_at` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. The random `salt` keeps `body_digest` from
  being reversed by trying every person number.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

import rfc8785

UTC = datetime.timezone.utc
GENESIS_HASH = "0" * 64
"""The `previous_hash` of the first entry."""

HASH_V1 = 1
HASH_V2 = 2
HASH_VERSIONS = (HASH_V1, HASH_V2)
CURRENT_HASH_VERSION = HASH_V2


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A stored entry text that is not JSON: kept so that the verifier can report it, never hashed."""

    text: str
    problem: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One decision-log entry: its position, the entry and its place in the hash chain.

    `salt` is known for version-2 entries read from the store or from an export with
    identities; a pseudonymised export carries `body_digest` instead (and `pseudonymised`).
    """

    position: int
    decision_id: str
    recorded_at: datetime.datetime
    child: str
    entry: Any
    previous_hash: str
    hash: str
    hash_version: int = HASH_V1
    salt: str | None = None
    body_digest: str | None = None
    pseudonymised: bool = False


_SAFE_INTEGER = 2**53 - 1
_TEXT_AND_LITERALS = frozenset({str, bool, type(None)})
_INTEGERS = frozenset({int})


def _same_as_sorted_json(value: Any) -> bool:
    """True when Python's sorted compact JSON of `value` is byte for byte its RFC 8785 form.

    That holds without floats (JCS writes numbers the ECMAScript way), with integers JCS can
    represent, and with ASCII keys (JCS sorts keys by UTF-16 code units, Python by code points).
    Strings are escaped alike by both: quote, backslash, the short forms for backspace, form
    feed, newline, carriage return and tab, other control characters as lowercase `u00xx`
    escapes, everything else kept as UTF-8 (tested against the `rfc8785` package).
    """
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int:
            if -_SAFE_INTEGER <= item <= _SAFE_INTEGER:
                continue
            return False
        if kind is list or kind is tuple:
            # A batch's entry holds long lists of one type (item ids, result indexes): check
            # those by their types at once rather than element by element.
            kinds = set(map(type, item))
            if kinds <= _TEXT_AND_LITERALS:
                continue
            if kinds == _INTEGERS:
                if -_SAFE_INTEGER <= min(item) and max(item) <= _SAFE_INTEGER:
                    continue
                return False
            stack.extend(item)
            continue
        if kind is dict:
            for key in item:
                if type(key) is not str or not key.isascii():
                    return False
            stack.extend(item.values())
            continue
        return False
    return True


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON (UTF-8 bytes); raises `ValueError` for what JSON cannot hold exactly."""
    # The decision service logs every request: the C encoder where it gives the same bytes.
    if _same_as_sorted_json(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return rfc8785.dumps(value)


def legacy_canonical_json(value: Any) -> str:
    """The canonical form of hash version 1: sorted keys, no spaces, UTF-8 kept (not RFC 8785)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_text(entry: Any) -> str:
    """The text stored for an entry: its RFC 8785 form (raises `ValueError` when it is not JSON)."""
    return canonical_json(entry).decode("utf-8")


def parse_entry(text: str) -> Any:
    """A stored entry text as JSON, or `Unreadable` when it is not JSON."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as error:
        return Unreadable(text, str(error).splitlines()[0] if str(error) else type(error).__name__)


def time_text(recorded_at: datetime.datetime, version: int = CURRENT_HASH_VERSION) -> str:
    """`recorded_at` as it is hashed: UTC, `…T…+00:00` (isoformat) in version 1, fixed `…T….ffffffZ` in version 2."""
    at = recorded_at.astimezone(UTC)
    if version == HASH_V1:
        return at.isoformat()
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime.datetime:
    """An instant written by `time_text` (either version); raises `ValueError` otherwise."""
    at = datetime.datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError(f"`{text}` has no UTC offset")
    return at.astimezone(UTC)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body_digest(child: str, entry: Any, salt: str) -> str:
    """Version 2: sha256 of the RFC 8785 form of `{child, entry, salt}` (the part an export may hide)."""
    return _sha256(canonical_json({"child": child, "entry": entry, "salt": salt}))


def body_digest_of_text(child: str, text: str, salt: str) -> str:
    """`body_digest` from the entry's stored JCS text: JCS nests, and the keys `child` < `entry` < `salt` are in order."""
    document = b"".join(
        (b'{"child":', canonical_json(child), b',"entry":', text.encode("utf-8"), b',"salt":', canonical_json(salt), b"}")
    )
    return _sha256(document)


def hash_v2(previous_hash: str, position: int, decision_id: str, recorded_at: datetime.datetime, digest: str) -> str:
    """Version 2: sha256 of the RFC 8785 form of the entry's header and its body digest."""
    header = {
        "hash_version": HASH_V2,
        "position": position,
        "decision_id": decision_id,
        "recorded_at": time_text(recorded_at, HASH_V2),
        "previous_hash": previous_hash,
        "body_digest": digest,
    }
    return _sha256(canonical_json(header))


def hash_v1(
    previous_hash: str, position: int, decision_id: str, recorded_at: datetime.datetime, child: str, entry: Any
) -> str:
    """Version 1 (old entries only): sha256 of the legacy canonical JSON of the whole entry."""
    document = {
        "position": position,
        "decision_id": decision_id,
        "recorded_at": time_text(recorded_at, HASH_V1),
        "child": child,
        "entry": entry,
        "previous_hash": previous_hash,
    }
    return _sha256(legacy_canonical_json(document).encode("utf-8"))


def entry_digest(entry: AuditEntry) -> str | None:
    """The body digest a version-2 entry must carry, from its contents when they are known."""
    if entry.hash_version != HASH_V2:
        return None
    if entry.salt is not None and not entry.pseudonymised:
        return body_digest(entry.child, entry.entry, entry.salt)
    return entry.body_digest


def expected_hash(entry: AuditEntry) -> str | None:
    """The hash the entry must carry, recomputed; None when an export hides what version 1 hashes."""
    if entry.hash_version == HASH_V1:
        if entry.pseudonymised:
            return None
        return hash_v1(entry.previous_hash, entry.position, entry.decision_id, entry.recorded_at, entry.child, entry.entry)
    digest = entry_digest(entry)
    if digest is None:
        raise ValueError("a version-2 entry needs its salt or its body digest")
    return hash_v2(entry.previous_hash, entry.position, entry.decision_id, entry.recorded_at, digest)


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of a chain check: ok, entries checked, and where and why it first failed.

    `anchored` counts signed checkpoints that matched; `linked_only` counts version-1 entries of a
    pseudonymised export, whose links were checked but whose hashes cannot be recomputed.
    """

    ok: bool
    checked: int
    first_bad_position: int | None = None
    problem: str | None = None
    anchored: int = 0
    linked_only: int = 0


def verify(
    entries: Iterable[AuditEntry],
    *,
    head: tuple[int, str] | None = None,
    anchors: Iterable[tuple[int, str]] = (),
    start: tuple[int, str] | None = None,
) -> Verification:
    """Check entries read in order: positions without gaps, links, hashes, the head and signed checkpoints.

    `start` is (first position, its `previous_hash`); without it the log must start at 1 from
    the genesis hash, and is then complete: a checkpoint past its end means it was truncated.
    With `start` (an exported slice) a checkpoint outside the slice is not evidence either way.
    `anchors` are (position, hash) pairs of checkpoints whose signatures were already checked.
    `head` is the (position, hash) the store's head row records, read before the entries.
    """
    expected_position, previous = start if start is not None else (1, GENESIS_HASH)
    complete = start is None
    wanted: dict[int, set[str]] = {}
    for position, digest in anchors:
        if position > 0:
            wanted.setdefault(position, set()).add(digest)
    checked = anchored = linked_only = 0

    def fail(position: int, problem: str) -> Verification:
        return Verification(False, checked, position, problem, anchored, linked_only)

    for entry in entries:
        if head is not None and entry.position > head[0]:
            break  # appended after the head was read: checked next time
        if entry.position < expected_position:
            return fail(entry.position, f"entry {entry.position} appears again after entry {expected_position - 1} (reordered)")
        if entry.position != expected_position:
            return fail(expected_position, f"entry {expected_position} is missing")
        if entry.previous_hash != previous:
            return fail(entry.position, "the link to the previous entry is broken (removed or reordered)")
        if isinstance(entry.entry, Unreadable):
            return fail(entry.position, f"the entry is not JSON ({entry.entry.problem})")
        if entry.hash_version not in HASH_VERSIONS:
            return fail(entry.position, f"unknown hash version `{entry.hash_version}`")
        try:
            recomputed = expected_hash(entry)
        except ValueError as error:
            return fail(entry.position, f"the entry cannot be hashed ({str(error).splitlines()[0]})")
        if recomputed is None:
            linked_only += 1
        elif recomputed != entry.hash:
            return fail(entry.position, "the entry does not match its hash (changed)")
        for digest in wanted.pop(entry.position, ()):
            if digest != entry.hash:
                return fail(entry.position, "a signed checkpoint records a different hash for this entry (rewritten)")
            anchored += 1
        previous = entry.hash
        expected_position += 1
        checked += 1
    last = expected_position - 1
    if head is not None:
        head_position, head_hash = head
        if head_position > last:
            return fail(last + 1, f"the log ends at entry {last} but its head is entry {head_position}")
        if checked and head_hash != previous:
            return fail(last, "the last entry is not the one the head records (replaced)")
    if complete and wanted:
        beyond = max(wanted)
        return fail(last + 1, f"a signed checkpoint covers entry {beyond} but the log ends at entry {last} (truncated)")
    return Verification(True, checked, anchored=anchored, linked_only=linked_only)
