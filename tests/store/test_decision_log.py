"""The decision log against someone with database access: every tamper the chain and its signed checkpoints are meant to catch is caught.

Each test runs on SQLite and on PostgreSQL. The attacker edits rows with SQL, recomputes hashes
with the published recipe and rewrites the head row; what they do not have is the checkpoint
signing key, which lives outside the database.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from typer.testing import CliRunner

from access_policy.auditlog import chain
from access_policy.auditlog.checkpoints import public_pem
from access_policy.cli import app as cli
from access_policy.service.audit import Checkpointer, verify_audit
from access_policy.store.engine import build_engines
from access_policy.store.migrate import upgrade
from tests.store.helpers import CHILD_8, CHILD_13, MOTHER

runner = CliRunner()


def _append(store, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        store.append_audit(f"d-{n}", CHILD_8 if n % 2 else CHILD_13, {"n": n, "requester": MOTHER, "results": [0]})


@pytest.fixture
def key() -> Ed25519PrivateKey:
    """The checkpoint signing key, held outside the database."""
    return Ed25519PrivateKey.generate()


@pytest.fixture
def anchored(store, key):
    """Six entries with signed checkpoints at 4 and 6; returns the checkpoints."""
    checkpointer = Checkpointer(store, key)
    _append(store, 4)
    at_4 = checkpointer.checkpoint()
    _append(store, 2, start=4)
    at_6 = checkpointer.checkpoint()
    assert checkpointer.checkpoint() is None  # the head has not moved
    assert [c.tree_size for c in store.checkpoints()] == [4, 6]
    result = verify_audit(store, public_key=key.public_key())
    assert result.ok and result.checked == 6 and result.anchored == 2
    return [at_4, at_6]


def _sql(store, *statements: str, **params) -> None:
    with store.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)


def _rehash_from(store, position: int, change) -> None:
    """Change one entry and recompute every later hash and the head, as the published recipe allows."""
    entries = {e.position: e for e in store.read_audit()}
    previous = entries[position].previous_hash
    with store.engine.begin() as connection:
        for at in sorted(p for p in entries if p >= position):
            entry = entries[at]
            body = change(entry.entry) if at == position else entry.entry
            digest = chain.hash_v2(previous, at, entry.decision_id, entry.recorded_at, chain.body_digest(entry.child, body, entry.salt))
            connection.execute(
                text("UPDATE audit_log SET entry = :entry, previous_hash = :previous, hash = :hash WHERE position = :at"),
                {"entry": chain.entry_text(body), "previous": previous, "hash": digest, "at": at},
            )
            previous = digest
        connection.execute(text("UPDATE audit_head SET hash = :hash WHERE id = 1"), {"hash": previous})


def _truncate_to(store, position: int) -> None:
    kept = {e.position: e for e in store.read_audit()}[position]
    _sql(store, "DELETE FROM audit_log WHERE position > :at", at=position)
    _sql(store, "UPDATE audit_head SET position = :at, hash = :hash WHERE id = 1", at=position, hash=kept.hash)


@pytest.mark.sql_only
def test_truncating_the_tail_and_rewriting_the_head_is_caught_by_a_checkpoint(store, key, anchored):
    _truncate_to(store, 5)
    assert verify_audit(store).ok  # the chain alone cannot tell: this is what the checkpoints are for
    result = verify_audit(store, public_key=key.public_key())
    assert not result.ok and result.first_bad_position == 6 and "truncated" in result.problem


@pytest.mark.sql_only
def test_truncation_is_caught_by_exported_checkpoints_even_when_the_stored_ones_are_deleted(store, key, anchored):
    _truncate_to(store, 3)
    _sql(store, "DELETE FROM audit_checkpoints")
    assert verify_audit(store, public_key=key.public_key()).ok  # nothing left inside the database to compare with
    result = verify_audit(store, public_key=key.public_key(), checkpoints=anchored)
    assert not result.ok and "covers entry 6 but the log ends at entry 3" in result.problem


@pytest.mark.sql_only
def test_editing_an_entry_and_recomputing_every_later_hash_is_caught(store, key, anchored):
    _rehash_from(store, 3, lambda entry: {**entry, "results": [1]})
    assert verify_audit(store).ok  # a consistent, rewritten chain
    result = verify_audit(store, public_key=key.public_key())
    assert not result.ok and result.first_bad_position == 4 and "rewritten" in result.problem


@pytest.mark.sql_only
def test_a_head_set_back_over_entries_that_are_still_there_is_caught(store, anchored):
    second = store.read_audit()[1]
    _sql(store, "UPDATE audit_head SET position = 2, hash = :hash WHERE id = 1", hash=second.hash)
    result = verify_audit(store)
    assert not result.ok and result.first_bad_position == 3 and "head was set back" in result.problem


@pytest.mark.sql_only
def test_a_forged_checkpoint_in_the_database_fails_verification(store, key, anchored):
    _rehash_from(store, 3, lambda entry: {**entry, "results": [1]})
    head_position, head_hash = store.audit_head()
    _sql(store, "UPDATE audit_checkpoints SET root_hash = :hash WHERE tree_size = :at", hash=head_hash, at=head_position)
    result = verify_audit(store, public_key=key.public_key())
    assert not result.ok and "bad signature" in result.problem


@pytest.mark.parametrize(
    "statements, position, problem",
    [
        (["DELETE FROM audit_log WHERE position = 3"], 3, "entry 3 is missing"),
        (
            [
                "UPDATE audit_log SET position = -2 WHERE position = 2",
                "UPDATE audit_log SET position = 2 WHERE position = 3",
                "UPDATE audit_log SET position = 3 WHERE position = -2",
            ],
            2,
            "link to the previous entry is broken",
        ),
        (["UPDATE audit_log SET entry = replace(entry, '[0]', '[1]') WHERE position = 3"], 3, "changed"),
        (["UPDATE audit_log SET entry = 'not json {' WHERE position = 3"], 3, "the entry is not JSON"),
        (["UPDATE audit_log SET hash_version = 1 WHERE position = 3"], 3, "changed"),
    ],
    ids=["deleted", "reordered", "edited", "not JSON", "downgraded"],
)
@pytest.mark.sql_only
def test_deleting_reordering_or_editing_an_entry_is_caught_without_a_key(store, anchored, statements, position, problem):
    _sql(store, *statements)
    result = verify_audit(store)
    assert not result.ok and result.first_bad_position == position and problem in result.problem
    assert "\n" not in result.problem


@pytest.mark.sql_only
def test_the_checkpointer_does_not_sign_over_a_rewritten_stretch(store, key, anchored, caplog):
    checkpointer = Checkpointer(store, key)
    checkpointer._last = anchored[-1]
    _append(store, 2, start=6)
    _rehash_from(store, 5, lambda entry: {**entry, "results": [1]})
    assert checkpointer.checkpoint() is None
    assert [c.tree_size for c in store.checkpoints()] == [4, 6]
    assert "not signing" in caplog.text


@pytest.mark.sql_only
def test_a_restarted_checkpointer_continues_from_the_newest_stored_checkpoint(store, key, anchored, caplog):
    _append(store, 2, start=6)
    assert Checkpointer(store, key).checkpoint().tree_size == 8
    _rehash_from(store, 7, lambda entry: {**entry, "results": [1]})
    _append(store, 1, start=8)
    assert Checkpointer(store, key).checkpoint() is None  # the stretch after 8 no longer leads from it
    assert "not signing" in caplog.text
    _truncate_to(store, 5)
    assert Checkpointer(store, key).checkpoint() is None
    assert "behind the last checkpoint 8" in caplog.text
    assert [c.tree_size for c in store.checkpoints()] == [4, 6, 8]


def test_after_a_key_rotation_old_checkpoints_count_only_with_the_old_key(store, key, anchored, backend, tmp_path):
    new_key = Ed25519PrivateKey.generate()
    _append(store, 2, start=6)
    assert Checkpointer(store, new_key).checkpoint().tree_size == 8
    only_new = verify_audit(store, public_key=new_key.public_key())
    assert only_new.ok and only_new.anchored == 1  # the retired key's checkpoints are skipped, not failed
    both = verify_audit(store, public_key=[new_key.public_key(), key.public_key()])
    assert both.ok and both.anchored == 3
    handed_in = verify_audit(store, public_key=new_key.public_key(), checkpoints=anchored)
    assert not handed_in.ok and "another log or key" in handed_in.problem
    _rehash_from(store, 5, lambda entry: {**entry, "results": [1]})
    assert verify_audit(store, public_key=new_key.public_key()).first_bad_position == 8
    (tmp_path / "old.pub").write_text(public_pem(key))
    (tmp_path / "new.pub").write_text(public_pem(new_key))
    result = _cli_verify(backend, "--public-key", str(tmp_path / "new.pub"), "--public-key", str(tmp_path / "old.pub"))
    assert result.exit_code == 1 and "broken at position 6" in result.stderr


def _cli_verify(backend, *options: str):
    return runner.invoke(cli, ["audit", "verify", "--database-url", backend.url, *options])


def test_audit_verify_on_the_command_line_with_the_public_key_and_held_checkpoints(
    backend, store, key, anchored, tmp_path: Path, monkeypatch
):
    public, held = tmp_path / "audit.pub", tmp_path / "checkpoints.jsonl"
    public.write_text(public_pem(key))
    exported = runner.invoke(cli, ["audit", "checkpoints", "--database-url", backend.url, "--output", str(held)])
    assert exported.exit_code == 0, exported.output
    assert [json.loads(line)["tree_size"] for line in held.read_text().splitlines()] == [4, 6]
    ok = _cli_verify(backend, "--public-key", str(public), "--checkpoints", str(held))
    assert ok.exit_code == 0, ok.output
    # The held copies are the stored ones: two checkpointed positions, each matched.
    assert "ok: 6 decision-log entries verified (2 signed checkpoints matched)" in ok.stdout
    _truncate_to(store, 4)
    _sql(store, "DELETE FROM audit_checkpoints")
    broken = _cli_verify(backend, "--public-key", str(public), "--checkpoints", str(held))
    assert broken.exit_code == 1
    assert broken.stderr.strip().splitlines() == [
        "error: the decision log is broken at position 5: a signed checkpoint covers entry 6 but the log ends at "
        "entry 4 (truncated)"
    ]
    unsigned = _cli_verify(backend, "--checkpoints", str(held))
    assert unsigned.exit_code == 2 and "needs --public-key" in unsigned.stderr


def test_a_non_json_entry_is_one_line_on_the_command_line(backend, store, anchored):
    _sql(store, "UPDATE audit_log SET entry = 'not json {' WHERE position = 2")
    result = _cli_verify(backend)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: the decision log is broken at position 2: the entry is not JSON")
    assert "Traceback" not in result.output


def test_a_log_written_before_hashes_were_versioned_still_verifies_and_grows(backend):
    # The log as the first schema held it: entries hashed the old way, no hash_version column.
    engines = build_engines(database_url=backend.url)
    upgrade(engines, "0001")
    previous = chain.GENESIS_HASH
    recorded_at = chain.parse_time("2026-11-30T10:00:00.123456+00:00")
    with engines.engine.begin() as connection:
        for position in (1, 2):
            entry = {"n": position, "child": CHILD_8, "å": "ø"}
            digest = chain.hash_v1(previous, position, f"old-{position}", recorded_at, CHILD_8, entry)
            connection.execute(
                text(
                    "INSERT INTO audit_log (position, decision_id, recorded_at, child, entry, previous_hash, hash) "
                    "VALUES (:position, :id, :at, :child, :entry, :previous, :hash)"
                ),
                {
                    "position": position, "id": f"old-{position}", "at": recorded_at if backend.name == "postgresql"
                    else recorded_at.replace(tzinfo=None).isoformat(sep=" "), "child": CHILD_8,
                    "entry": chain.legacy_canonical_json(entry), "previous": previous, "hash": digest,
                },
            )
            previous = digest
        connection.execute(text("UPDATE audit_head SET position = 2, hash = :hash WHERE id = 1"), {"hash": previous})
    engines.engine.dispose()
    store = backend.open()  # migrates to the newest revision
    try:
        assert verify_audit(store).ok
        _append(store, 2)
        entries = store.read_audit()
        assert [e.hash_version for e in entries] == [1, 1, 2, 2]
        assert entries[2].previous_hash == previous
        assert verify_audit(store).checked == 4 and verify_audit(store).ok
        _sql(store, "UPDATE audit_log SET entry = replace(entry, 'ø', 'o') WHERE position = 1")
        assert verify_audit(store).first_bad_position == 1
    finally:
        store.close()
