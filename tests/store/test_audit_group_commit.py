"""The decision log under concurrent appends: group commit keeps every entry, in one whole chain."""

from __future__ import annotations

import threading

import pytest

from access_policy.service.audit import verify_audit


def test_concurrent_appends_are_all_committed_in_one_gap_free_chain(store):
    threads, per_thread = 8, 25
    returned: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def append(worker: int) -> None:
        start.wait()
        for n in range(per_thread):
            try:
                stored = store.append_audit(f"d-{worker}-{n}", "child", {"worker": worker, "n": n})
                returned.append(stored.position)
            except BaseException as error:  # noqa: BLE001 - collected and asserted below
                errors.append(error)

    workers = [threading.Thread(target=append, args=(worker,)) for worker in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert errors == []
    total = threads * per_thread
    assert sorted(returned) == list(range(1, total + 1))
    entries = store.read_audit(limit=total)
    assert [entry.position for entry in entries] == list(range(1, total + 1))
    assert {entry.decision_id for entry in entries} == {f"d-{w}-{n}" for w in range(threads) for n in range(per_thread)}
    assert store.audit_head() == (total, entries[-1].hash)
    assert verify_audit(store).ok


@pytest.mark.sql_only
def test_a_failed_group_commit_fails_every_caller_in_it(store, monkeypatch):
    import threading

    callers = 5
    batches: list[int] = []
    started, release = threading.Event(), threading.Event()

    def broken(batch):
        batches.append(len(batch))
        if len(batches) == 1:  # the first commit holds the writer while the others queue
            started.set()
            release.wait(30)
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_commit_audit", broken)
    outcomes: dict[int, BaseException | None] = {}

    def append(n: int) -> None:
        try:
            store.append_audit(f"d-{n}", "child", {"n": n})
            outcomes[n] = None
        except BaseException as error:  # noqa: BLE001 - recorded for the assertions
            outcomes[n] = error

    first = threading.Thread(target=append, args=(callers,))
    first.start()
    assert started.wait(30)
    threads = [threading.Thread(target=append, args=(n,)) for n in range(callers)]
    for thread in threads:
        thread.start()
    while len(store._audit_writer._queue) < callers:  # waits on the queue; the join bounds a hang
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *threads]:
        thread.join(timeout=30)
    assert batches == [1, callers]  # one group commit held every queued caller's entry
    assert sorted(outcomes) == list(range(callers + 1))
    assert all(isinstance(error, RuntimeError) and "disk full" in str(error) for error in outcomes.values())
    monkeypatch.undo()
    assert store.read_audit() == []


def test_two_stores_over_one_database_append_to_one_chain(backend, store):
    # Each store keeps the head its last commit left; the other's appends make it stale, and the
    # head's verified update must notice and chain after what the other wrote.
    other = backend.open()
    try:
        for n in range(6):
            (store if n % 2 else other).append_audit(f"d-{n}", "child", {"n": n})
        threads = [
            threading.Thread(target=lambda s=s, w=w: [s.append_audit(f"c-{w}-{n}", "child", {"n": n}) for n in range(10)])
            for w, s in enumerate((store, other, store, other))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.close()
    entries = store.read_audit(limit=100)
    assert [entry.position for entry in entries] == list(range(1, 47))
    assert store.audit_head() == (46, entries[-1].hash)
    assert verify_audit(store).ok
