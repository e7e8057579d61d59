"""Group commit: callers queued together are committed together, and each gets its own result or the batch's error."""

from __future__ import annotations

import threading
import time

from access_policy.auditlog.writer import GroupCommit


def _queued(writer: GroupCommit, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(writer._queue) < count:  # waits on the queue, not on time: the bound only stops a hang
        assert time.monotonic() < deadline, "the callers never queued"
        time.sleep(0.001)


def _run(writer: GroupCommit, first: str, rest: list[str], release: threading.Event, started: threading.Event):
    outcomes: dict[str, object] = {}

    def submit(item: str) -> None:
        try:
            outcomes[item] = writer.submit(item)
        except BaseException as error:  # noqa: BLE001 - recorded for the assertions
            outcomes[item] = error

    leader = threading.Thread(target=submit, args=(first,))
    leader.start()
    assert started.wait(10)
    followers = [threading.Thread(target=submit, args=(item,)) for item in rest]
    for thread in followers:
        thread.start()
    _queued(writer, len(rest))  # all of them wait behind the first commit
    release.set()
    for thread in [leader, *followers]:
        thread.join(10)
    return outcomes


def test_callers_queued_behind_a_commit_are_committed_together_each_with_its_own_result():
    batches: list[list[str]] = []
    started, release = threading.Event(), threading.Event()

    def commit(items):
        batches.append(list(items))
        if len(batches) == 1:
            started.set()
            release.wait(10)
        return [f"stored {item}" for item in items]

    writer = GroupCommit(commit)
    outcomes = _run(writer, "a", ["b", "c", "d"], release, started)
    assert outcomes == {item: f"stored {item}" for item in "abcd"}
    assert batches[0] == ["a"] and sorted(batches[1]) == ["b", "c", "d"] and len(batches) == 2


def test_a_failed_group_commit_fails_every_caller_in_it_and_no_other():
    batches: list[list[str]] = []
    started, release = threading.Event(), threading.Event()

    def commit(items):
        batches.append(list(items))
        if len(batches) == 1:
            started.set()
            release.wait(10)
        if len(batches) == 2:
            raise OSError("disk full")
        return [f"stored {item}" for item in items]

    writer = GroupCommit(commit)
    outcomes = _run(writer, "a", ["b", "c", "d"], release, started)
    assert outcomes["a"] == "stored a"
    failed = {item: outcomes[item] for item in "bcd"}
    assert all(isinstance(error, OSError) and "disk full" in str(error) for error in failed.values()), failed
    assert len(batches) == 2 and sorted(batches[1]) == ["b", "c", "d"]
    assert writer.submit("e") == "stored e"  # the next batch commits again
