"""Concurrent writers (threads and processes) and SIGKILL right after an acknowledged write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from access_policy.auditlog.chain import verify
from access_policy.facts import FactKind
from tests.store.conftest import CLINICIAN
from tests.store.helpers import CHILD_8, CHILD_13, exemption

ROOT = Path(__file__).resolve().parents[2]


def _writer(url: str, child: str, count: int, tag: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.writer", url, child, str(count), tag],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _assert_feed_matches(store, expected_ids: set[str]) -> None:
    changes, last = store.changes(limit=10_000)
    assert [c.position for c in changes] == list(range(1, len(changes) + 1)), "the change feed has a gap"
    created = [c.fact_id for c in changes if c.action == "created"]
    assert len(created) == len(set(created)), "a write was duplicated"
    assert set(created) == expected_ids, "a write was lost"
    assert last == len(changes)


def test_threads_neither_lose_nor_duplicate_writes(store):
    ids: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def write(tag: str) -> None:
        try:
            for n in range(10):
                child = CHILD_8 if n % 2 else CHILD_13
                fact, _ = store.create_fact(child, FactKind.EXEMPTIONS, exemption(f"{tag}-{n}"), CLINICIAN)
                store.append_audit(f"{tag}-{n}", child, {"n": n})
                with lock:
                    ids.append(fact.id)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=write, args=(f"t{k}",)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(ids) == 40
    _assert_feed_matches(store, set(ids))
    facts = store.child_facts(CHILD_8).exemptions + store.child_facts(CHILD_13).exemptions
    assert {f.id for f in facts} == set(ids)
    audit = store.read_audit()
    assert len(audit) == 40 and verify(audit).ok


def test_processes_neither_lose_nor_duplicate_writes(backend, store):
    writers = [_writer(backend.url, CHILD_8 if k % 2 else CHILD_13, 10, f"p{k}") for k in range(3)]
    ids: set[str] = set()
    for process in writers:
        out, err = process.communicate(timeout=90)
        assert process.returncode == 0, err
        lines = out.split()
        assert lines[0] == "ready" and len(lines) == 11
        ids.update(lines[1:])
    assert len(ids) == 30
    _assert_feed_matches(store, ids)
    audit = store.read_audit()
    assert [e.position for e in audit] == list(range(1, 31)) and verify(audit).ok


@pytest.mark.parametrize("acknowledged", [1, 6])
def test_sigkill_after_an_acknowledged_write_loses_nothing(backend, store, acknowledged):
    process = _writer(backend.url, CHILD_8, 1000, "kill")
    assert process.stdout.readline().strip() == "ready"
    ids = [process.stdout.readline().strip() for _ in range(acknowledged)]
    os.kill(process.pid, signal.SIGKILL)  # at once: no chance to flush or close anything
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert all(ids)
    reopened = backend.open()
    try:
        stored = {f.id for f in reopened.child_facts(CHILD_8).exemptions}
        assert set(ids) <= stored
        # Anything it wrote after the last line read is either whole or absent; the feed has no gap.
        _assert_feed_matches(reopened, stored)
    finally:
        reopened.close()


def test_instances_starting_together_migrate_once(backend):
    # Several service workers open a fresh store at the same moment: one migrates, the others wait.
    script = "import sys; from access_policy.store import open_store; open_store(database_url=sys.argv[1]).ping(); print('ok')"
    starters = [
        subprocess.Popen([sys.executable, "-c", script, backend.url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for process in starters:
        out, err = process.communicate(timeout=90)
        assert process.returncode == 0 and out.strip() == "ok", err
    store = backend.open(migrate=False)
    try:
        assert store.changes() == ([], 0)
    finally:
        store.close()
