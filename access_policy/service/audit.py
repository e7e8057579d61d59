"""Verifying the decision log: each entry's hash and link, gap-free positions, and the chain's head.

A changed entry no longer matches its hash; a removed entry leaves a gap in the positions (or,
at the end, a chain shorter than the head the store keeps); a reordered entry breaks the links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from access_policy.store.interface import AuditEntry, FactStore

PAGE = 1000
GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of a chain check: ok, entries checked, and where and why it first failed."""

    ok: bool
    checked: int
    first_bad_position: int | None = None
    problem: str | None = None


def _entry_hash(entry: AuditEntry) -> str:
    from access_policy.store import audit_hash

    return audit_hash(entry)


def verify_entries(entries: Iterator[AuditEntry], head: tuple[int, str] | None = None) -> Verification:
    """Check entries read in order from the start of the log, and (when known) the head they must end at."""
    previous_hash = GENESIS_HASH
    expected_position = 1
    checked = 0
    for entry in entries:
        if head is not None and entry.position > head[0]:
            break  # appended after the head was read: checked next time
        if entry.position != expected_position:
            return Verification(False, checked, expected_position, f"entry {expected_position} is missing")
        if entry.previous_hash != previous_hash:
            return Verification(False, checked, entry.position, "the link to the previous entry is broken (removed or reordered)")
        if _entry_hash(entry) != entry.hash:
            return Verification(False, checked, entry.position, "the entry does not match its hash (changed)")
        previous_hash = entry.hash
        expected_position += 1
        checked += 1
    if head is not None:
        head_position, head_hash = head
        if head_position > checked:
            return Verification(False, checked, checked + 1, f"the log ends at entry {checked} but its head is entry {head_position}")
        if checked and head_hash != previous_hash:
            return Verification(False, checked, checked, "the last entry is not the one the head records (replaced)")
    return Verification(True, checked)


def _all_entries(store: FactStore) -> Iterator[AuditEntry]:
    after = None
    while True:
        page = store.read_audit(after=after, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].position


def verify_audit(store: FactStore) -> Verification:
    """Check the whole decision log of a store, page by page, and its head."""
    return verify_entries(_all_entries(store), store.audit_head())
