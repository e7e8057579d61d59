"""Bulk representation import: good and bad lines, idempotent re-import, whole-child batches, the command."""

from __future__ import annotations

import datetime
import json

import pytest
from typer.testing import CliRunner

from access_policy.cli import app
from access_policy.synthetic import import_lines
from tests.store.helpers import CHILD_8, CHILD_13, FATHER, MOTHER, fh_number


def _line(child: str, retrieved: str = "2026-11-30T06:00:00+01:00", **extra) -> str:
    body = {
        "child": child,
        "address_protection": "ugradert",
        "holders": [{"id": MOTHER, "responsibility": "felles"}, {"id": FATHER, "responsibility": "felles"}],
        "retrieved_at": retrieved,
    }
    body.update(extra)
    return json.dumps(body)


def _mixed_file() -> list[str]:
    lines = list(import_lines(30, seed=3))
    lines.insert(4, "{not json")
    lines.insert(9, json.dumps({"child": "12345678901", "holders": [], "retrieved_at": "2026-11-30T06:00:00Z"}))
    lines.insert(12, _line(CHILD_8, birth_date="2001-01-01"))
    lines.insert(15, _line(CHILD_13, holders=[{"id": MOTHER, "organisation": "974589001", "responsibility": "felles"}]))
    lines.insert(18, _line(fh_number()))
    lines.insert(20, _line(CHILD_13, retrieved="2026-11-30T06:00:00"))
    lines.insert(22, "")
    return lines


def test_import_reports_rejected_lines_and_takes_the_rest(store):
    lines = _mixed_file()
    summary = store.import_representations(lines)
    assert (summary.imported, summary.unchanged, summary.rejected) == (30, 0, 6)
    assert [number for number, _ in summary.rejections] == [5, 10, 13, 16, 19, 21]
    reasons = dict(summary.rejections)
    assert "JSON" in reasons[5] and "check digit" in reasons[10] and "disagrees" in reasons[13]
    assert "not both" in reasons[16] and "required" in reasons[19] and "offset" in reasons[21]
    again = store.import_representations(lines)
    assert (again.imported, again.unchanged, again.rejected) == (0, 30, 6)
    assert store.changes(limit=1000)[1] == 30


def test_newer_retrieval_refreshes_and_changed_holders_import(store):
    store.import_representations([_line(CHILD_8), _line(CHILD_13)])
    summary = store.import_representations(
        [
            _line(CHILD_8, retrieved="2026-12-01T06:00:00+01:00"),
            _line(CHILD_13, retrieved="2026-12-01T06:00:00+01:00", holders=[{"id": MOTHER, "responsibility": "mor"}]),
        ]
    )
    assert (summary.imported, summary.refreshed, summary.unchanged) == (1, 1, 0)
    assert store.child_facts(CHILD_8).representation.retrieved_at == datetime.datetime(2026, 12, 1, 5, tzinfo=datetime.timezone.utc)
    assert len(store.representation_history(CHILD_13)) == 2


def test_the_same_child_twice_in_one_file(store):
    summary = store.import_representations(
        [_line(CHILD_8), _line(CHILD_8, retrieved="2026-11-30T07:00:00+01:00", holders=[])]
    )
    assert summary.imported == 2
    assert store.child_facts(CHILD_8).representation.holders == ()


def test_an_interrupted_import_leaves_whole_batches(store):
    lines = list(import_lines(25, seed=4))

    def interrupted():
        yield from lines[:17]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.import_representations(interrupted(), batch_size=5)
    changes, _ = store.changes()
    # Batches of five children: three whole batches are in, the fourth never was.
    assert len(changes) == 15
    summary = store.import_representations(lines, batch_size=5)
    assert (summary.imported, summary.unchanged) == (10, 15)


def test_the_command_line(backend, tmp_path):
    path = tmp_path / "people.jsonl"
    path.write_text("\n".join(_mixed_file()) + "\n")
    runner = CliRunner()
    result = runner.invoke(app, ["import-representation", str(path), "--database-url", backend.url])
    assert result.exit_code == 1, result.output
    assert "imported 30, unchanged 0, refreshed 0, rejected 6" in result.stdout
    assert "line 5: " in result.stderr
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(import_lines(30, seed=3)) + "\n")
    result = runner.invoke(app, ["import-representation", str(good), "--database-url", backend.url, "--quiet"])
    assert result.exit_code == 0 and "imported 0, unchanged 30" in result.stdout
    result = runner.invoke(app, ["import-representation", str(tmp_path / "missing.jsonl"), "--database-url", backend.url])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(app, ["import-representation", str(good), "--database-url", backend.url, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    result = runner.invoke(app, ["migrate", "--database-url", backend.url])
    assert result.exit_code == 0 and f"revision {_head_revision()}" in result.stdout


def _head_revision() -> str:
    """The newest migration shipped (what `migrate` must reach)."""
    from alembic.script import ScriptDirectory

    from access_policy.store.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
