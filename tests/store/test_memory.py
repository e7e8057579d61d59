"""The in-memory store's decision log: the same hash chain, so the one verifier catches what was changed."""

from __future__ import annotations

import dataclasses

import pytest

from access_policy.service.audit import verify_audit
from access_policy.store.memory import MemoryFactStore
from tests.store.helpers import CHILD_8, CHILD_13, MOTHER


def _logged(count: int) -> MemoryFactStore:
    store = MemoryFactStore()
    for n in range(count):
        store.append_audit(f"d-{n}", CHILD_8 if n % 2 else CHILD_13, {"n": n, "requester": MOTHER})
    return store


def test_the_memory_decision_log_verifies_with_the_one_verifier():
    store = _logged(5)
    result = verify_audit(store)
    assert result.ok and result.checked == 5
    assert store.audit_head() == (5, store.read_audit()[-1].hash)


@pytest.mark.parametrize(
    "tamper, position",
    [
        (lambda entries: entries.__setitem__(2, dataclasses.replace(entries[2], entry={"n": 99})), 3),
        (lambda entries: entries.__delitem__(1), 2),
        (lambda entries: entries.__setitem__(3, dataclasses.replace(entries[3], child=CHILD_13)), 4),
    ],
    ids=["edited", "deleted", "moved to another child"],
)
def test_an_entry_changed_in_memory_is_caught_where_it_was_changed(tamper, position):
    store = _logged(5)
    tamper(store._audit)
    result = verify_audit(store)
    assert not result.ok and result.first_bad_position == position
