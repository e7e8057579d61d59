"""The decision log: every decision request recorded, readable per child, and a chain that detects tampering."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from access_policy.cli import app as cli
from tests.api.conftest import item

runner = CliRunner()


def _decide(client, token, family, now, items):
    body = {"requester": family.mother, "child": family.child, "items": items, "at": now.isoformat()}
    return client.post("/v1/decisions/batch", json=body, headers=token("decisions")).json()


def test_every_decision_request_is_recorded(client, token, family, now):
    single = client.post(
        "/v1/decisions",
        json={"requester": family.father, "child": family.child, "item": item("x"), "at": now.isoformat()},
        headers=token("decisions", subject="journal-a"),
    ).json()
    batch = _decide(client, token, family, now, [item("a"), item("b", "appointment")])
    page = client.post("/v1/audit/search", json={"child": family.child}, headers=token("audit:read")).json()
    entries = page["entries"]
    assert [e["decision_id"] for e in entries] == [single["decision_id"], batch["decision_id"]]
    first = entries[0]["entry"]
    assert first["requester"] == family.father and first["child"] == family.child
    assert first["items"] == ["x"] and first["outcomes"] == [["permit", "main-rule"]] and first["results"] == [0]
    assert first["policy_version"] == single["policy_version"]
    assert first["caller"]["subject"] == "journal-a"
    assert first["at"] == now.isoformat() and first["time"]
    assert entries[1]["entry"]["items"] == ["a", "b"] and entries[1]["entry"]["results"] == [0, 0]
    assert entries[1]["previous_hash"] == entries[0]["hash"]
    assert page["next"] == str(entries[-1]["position"])
    other = client.post("/v1/audit/search", json={"child": "01010112345"}, headers=token("audit:read"))
    assert other.status_code == 422  # an invalid child id


def test_the_chain_verifies_over_http(client, token, family, now):
    for n in range(3):
        _decide(client, token, family, now, [item(f"d{n}")])
    result = client.get("/v1/audit/verify", headers=token("audit:read")).json()
    assert result == {"ok": True, "checked": 3, "first_bad_position": None, "problem": None, "anchored": 0}


def _tamper(path, statements):
    connection = sqlite3.connect(path)
    with connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


TAMPERING = {
    "changed": ["UPDATE audit_log SET entry = replace(entry, '\"permit\"', '\"deny\"') WHERE position = 2"],
    "removed": ["DELETE FROM audit_log WHERE position = 2"],
    "removed at the end": ["DELETE FROM audit_log WHERE position = 4"],
    "reordered": [
        "UPDATE audit_log SET position = -2 WHERE position = 2",
        "UPDATE audit_log SET position = 2 WHERE position = 3",
        "UPDATE audit_log SET position = 3 WHERE position = -2",
    ],
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_audit_verify_finds_a_changed_removed_or_reordered_entry(client, token, family, now, settings, how):
    for n in range(4):
        _decide(client, token, family, now, [item(f"d{n}")])
    ok = runner.invoke(cli, ["audit", "verify", "--data-dir", str(settings.data_dir)])
    assert ok.exit_code == 0, ok.output
    assert "4 decision-log entries verified" in ok.stdout
    _tamper(settings.data_dir / "facts.sqlite3", TAMPERING[how])
    broken = runner.invoke(cli, ["audit", "verify", "--data-dir", str(settings.data_dir)])
    assert broken.exit_code == 1, broken.output
    expected = 4 if how == "removed at the end" else 2
    assert f"broken at position {expected}" in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1
    over_http = client.get("/v1/audit/verify", headers=token("audit:read")).json()
    assert over_http["ok"] is False and over_http["first_bad_position"] == expected
