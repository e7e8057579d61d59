"""Verifying the decision log: every entry's hash, its link to the one before, and gap-free positions."""

from __future__ import annotations

from dataclasses import dataclass

from access_policy.store.interface import AuditEntry, FactStore

PAGE = 1000


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of a chain check: ok, entries checked, and where and why it first failed."""

    ok: bool
    checked: int
    first_bad_position: int | None = None
    problem: str | None = None


def verify_entries(entries: list[AuditEntry] | "object") -> Verification:
    """Check a sequence of entries read in order from the start of the log."""
    from access_policy.store import GENESIS_HASH, audit_hash

    previous_hash = GENESIS_HASH
    expected_position = 1
    checked = 0
    for entry in entries:
        if entry.position != expected_position:
            # A removed entry leaves a gap; a reordered one comes at the wrong place.
            return Verification(False, checked, expected_position, f"expected position {expected_position}, found {entry.position}")
        if entry.previous_hash != previous_hash:
            return Verification(False, checked, entry.position, "the link to the previous entry is broken")
        if audit_hash(entry) != entry.hash:
            return Verification(False, checked, entry.position, "the entry does not match its hash (changed)")
        previous_hash = entry.hash
        expected_position += 1
        checked += 1
    return Verification(True, checked)


def _all_entries(store: FactStore):  # noqa: ANN202 - a generator of AuditEntry
    after = None
    while True:
        page = store.read_audit(after=after, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].position


def verify_audit(store: FactStore) -> Verification:
    """Check the whole decision log of a store, page by page."""
    return verify_entries(_all_entries(store))
