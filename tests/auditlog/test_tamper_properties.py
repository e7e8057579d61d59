"""For any log and any single tamper, the verifier with a checkpoint of the head fails, at or before the tampered entry."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from access_policy.auditlog import chain
from access_policy.auditlog.chain import AuditEntry, verify
from tests.auditlog.test_chain import T, v2_entries


def _rehash(entries: list[AuditEntry], start: int) -> list[AuditEntry]:
    """Recompute every hash from index `start` on, as someone with the published recipe and database access can."""
    out = entries[:start]
    previous = out[-1].hash if out else chain.GENESIS_HASH
    for entry in entries[start:]:
        digest = chain.hash_v2(previous, entry.position, entry.decision_id, T, chain.body_digest(entry.child, entry.entry, entry.salt))
        entry = dataclasses.replace(entry, previous_hash=previous, hash=digest)
        out.append(entry)
        previous = digest
    return out


@st.composite
def tampered(draw):
    n = draw(st.integers(2, 12))
    entries = v2_entries(n)
    checkpoints = sorted(set(draw(st.lists(st.integers(1, n), max_size=3))) | {n})  # the head is always anchored
    anchors = [(p, entries[p - 1].hash) for p in checkpoints]
    how = draw(st.sampled_from(["delete", "swap", "edit", "edit and rehash", "truncate and rewrite head"]))
    i = draw(st.integers(0, n - 1))
    if how == "delete":
        log = entries[:i] + entries[i + 1:]
    elif how == "swap":
        j = draw(st.integers(0, n - 1).filter(lambda j: j != i))
        log = list(entries)
        log[i], log[j] = log[j], log[i]
    elif how == "edit":
        log = list(entries)
        log[i] = dataclasses.replace(log[i], entry={**log[i].entry, "n": -1})
    elif how == "edit and rehash":
        log = list(entries)
        log[i] = dataclasses.replace(log[i], entry={**log[i].entry, "n": -1})
        log = _rehash(log, i)
    else:
        log = entries[: draw(st.integers(1, n - 1))]  # the tail cut off; the head row below says it ends there
    head = (log[-1].position, log[-1].hash) if how in ("edit and rehash", "truncate and rewrite head") and log else (n, entries[-1].hash)
    return how, i, log, head, anchors


@given(tampered())
def test_every_single_tamper_is_caught(case):
    how, i, log, head, anchors = case
    result = verify(log, head=head, anchors=anchors)
    assert not result.ok, (how, i)
    assert "\n" not in result.problem


@given(st.integers(1, 12), st.lists(st.integers(1, 12), max_size=4))
def test_an_untouched_log_verifies_with_any_of_its_checkpoints(n, positions):
    entries = v2_entries(n)
    anchors = [(p, entries[p - 1].hash) for p in positions if p <= n]
    result = verify(entries, head=(n, entries[-1].hash), anchors=anchors)
    assert result.ok and result.checked == n and result.anchored == len(set(p for p, _ in anchors))
