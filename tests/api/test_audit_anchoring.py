"""The service anchors its decision log (checkpoints on shutdown, checked by `GET /v1/audit/verify`), and the log ships as pseudonymised JSON lines."""

from __future__ import annotations

import json
import sqlite3

from typer.testing import CliRunner

from access_policy.cli import app as cli
from access_policy.service.settings import DEV_AUDIT_KEY_FILE
from api.app import create_app
from tests.api.conftest import TestClient, item

runner = CliRunner()


def _decide(client, token, family, now, n: int) -> None:
    for k in range(n):
        body = {"requester": family.mother, "child": family.child, "items": [item(f"d{k}")], "at": now.isoformat()}
        assert client.post("/v1/decisions/batch", json=body, headers=token("decisions")).status_code == 200


def _sql(settings, *statements: str) -> None:
    connection = sqlite3.connect(settings.data_dir / "facts.sqlite3")
    with connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


def test_the_service_signs_the_head_on_shutdown_and_its_verify_then_catches_a_cut_tail(
    settings, store, national_policy, token, family, now
):
    with TestClient(create_app(settings, store=store, policy=national_policy), raise_server_exceptions=False) as client:
        _decide(client, token, family, now, 3)
    assert [c.tree_size for c in store.checkpoints()] == [3]
    assert (settings.data_dir / DEV_AUDIT_KEY_FILE).exists()
    last = store.read_audit()[1]
    _sql(
        settings,
        "DELETE FROM audit_log WHERE position = 3",
        f"UPDATE audit_head SET position = 2, hash = '{last.hash}' WHERE id = 1",
    )
    with TestClient(create_app(settings, store=store, policy=national_policy), raise_server_exceptions=False) as client:
        result = client.get("/v1/audit/verify", headers=token("audit:read"))
    assert result.status_code == 200
    assert result.json()["ok"] is False and result.json()["first_bad_position"] == 3
    assert "truncated" in result.json()["problem"]


def test_a_non_json_entry_is_reported_not_a_500(client, token, family, now, settings):
    _decide(client, token, family, now, 3)
    _sql(settings, "UPDATE audit_log SET entry = 'not json {' WHERE position = 2")
    verified = client.get("/v1/audit/verify", headers=token("audit:read"))
    assert verified.status_code == 200
    body = verified.json()
    assert body["ok"] is False and body["first_bad_position"] == 2 and body["problem"].startswith("the entry is not JSON")
    listed = client.post("/v1/audit/search", json={"child": family.child}, headers=token("audit:read"))
    assert listed.status_code == 200
    entries = listed.json()["entries"]
    assert entries[1]["entry"] is None and entries[1]["unreadable"].startswith("not JSON")
    assert entries[0]["entry"]["requester"] == family.mother and entries[0]["hash_version"] == 2


def test_checkpoint_public_key_and_offline_verification_on_the_command_line(client, token, family, now, settings, tmp_path):
    _decide(client, token, family, now, 2)
    data = ["--data-dir", str(settings.data_dir)]
    signed = runner.invoke(cli, ["audit", "checkpoint", *data])
    assert signed.exit_code == 0, signed.output
    assert json.loads(signed.stdout)["tree_size"] == 2
    public = runner.invoke(cli, ["audit", "public-key", *data])
    assert public.exit_code == 0 and public.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    (tmp_path / "audit.pub").write_text(public.stdout)
    held = tmp_path / "held.jsonl"
    assert runner.invoke(cli, ["audit", "checkpoints", *data, "--output", str(held)]).exit_code == 0
    ok = runner.invoke(cli, ["audit", "verify", *data, "--public-key", str(tmp_path / "audit.pub"), "--checkpoints", str(held)])
    assert ok.exit_code == 0 and "2 decision-log entries verified (1 signed checkpoints matched)" in ok.stdout
    held.write_text(held.read_text() + "{broken\n")
    unreadable = runner.invoke(cli, ["audit", "verify", *data, "--public-key", str(tmp_path / "audit.pub"), "--checkpoints", str(held)])
    assert unreadable.exit_code == 2 and len(unreadable.stderr.strip().splitlines()) == 1 and "line 2" in unreadable.stderr


def test_export_pseudonymises_by_default_and_the_exported_file_verifies(client, token, family, now, settings, tmp_path):
    _decide(client, token, family, now, 4)
    data = ["--data-dir", str(settings.data_dir)]
    out = tmp_path / "siem.jsonl"
    exported = runner.invoke(cli, ["audit", "export", *data, "--after", "1", "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    text = out.read_text()
    assert family.child not in text and family.mother not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["position"] for line in lines] == [2, 3, 4]
    assert all(line["pseudonymised"] and line["child"].startswith("ps1:") for line in lines)
    assert len({line["entry"]["requester"] for line in lines}) == 1  # the same person, the same pseudonym
    ok = runner.invoke(cli, ["audit", "verify", "--export", str(out)])
    assert ok.exit_code == 0 and "ok: 3 exported entries verified" in ok.stdout, ok.output
    lines[1]["body_digest"] = "0" * 64
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    broken = runner.invoke(cli, ["audit", "verify", "--export", str(out)])
    assert broken.exit_code == 1 and "broken at position 3" in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1


def test_export_with_identities_to_stdout_carries_the_numbers_and_verifies(client, token, family, now, settings, tmp_path):
    _decide(client, token, family, now, 2)
    exported = runner.invoke(cli, ["audit", "export", "--data-dir", str(settings.data_dir), "--after", "0", "--identities"])
    assert exported.exit_code == 0, exported.output
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [line["child"] for line in lines] == [family.child, family.child]
    assert lines[0]["entry"]["requester"] == family.mother and not lines[0]["pseudonymised"]
    (tmp_path / "all.jsonl").write_text(exported.stdout)
    assert runner.invoke(cli, ["audit", "verify", "--export", str(tmp_path / "all.jsonl")]).exit_code == 0
    lines[1]["entry"]["requester"] = family.father
    (tmp_path / "all.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    changed = runner.invoke(cli, ["audit", "verify", "--export", str(tmp_path / "all.jsonl")])
    assert changed.exit_code == 1 and "position 2: the entry does not match its hash" in changed.stderr


def test_export_refuses_a_missing_pseudonym_key(settings, tmp_path):
    result = runner.invoke(
        cli, ["audit", "export", "--data-dir", str(settings.data_dir), "--after", "0", "--pseudonym-key", str(tmp_path / "none")]
    )
    assert result.exit_code == 2 and "cannot read the pseudonym key" in result.stderr


def test_the_keys_and_interval_come_from_the_environment_and_a_missing_key_file_is_refused(tmp_path):
    import pytest

    from access_policy.auditlog.checkpoints import load_or_create_key
    from access_policy.service.settings import ConfigurationError, Settings

    load_or_create_key(tmp_path / "audit.pem")
    (tmp_path / "pseudonyms").write_text("ab" * 32)
    env = {
        "ACCESS_POLICY_DEV": "1",
        "ACCESS_POLICY_DATA_DIR": str(tmp_path / "data"),
        "ACCESS_POLICY_AUDIT_KEY": str(tmp_path / "audit.pem"),
        "ACCESS_POLICY_PSEUDONYM_KEY": str(tmp_path / "pseudonyms"),
        "ACCESS_POLICY_CHECKPOINT_INTERVAL_SECONDS": "5",
        "ACCESS_POLICY_CHECKPOINT_FILE": str(tmp_path / "checkpoints.jsonl"),
    }
    settings = Settings.from_env(env)
    assert settings.audit_key_path() == tmp_path / "audit.pem" and settings.checkpoint_interval_seconds == 5
    assert settings.pseudonym_key_path() == tmp_path / "pseudonyms"
    assert Settings.from_env(settings.to_env()) == settings  # handed to worker processes intact
    with pytest.raises(ConfigurationError, match="ACCESS_POLICY_AUDIT_KEY file"):
        Settings.from_env({**env, "ACCESS_POLICY_AUDIT_KEY": str(tmp_path / "missing.pem")})
    with pytest.raises(ConfigurationError, match="CHECKPOINT_INTERVAL_SECONDS must be greater than 0"):
        Settings.from_env({**env, "ACCESS_POLICY_CHECKPOINT_INTERVAL_SECONDS": "0"})
    production = Settings(jwks=str(tmp_path / "audit.pem"), issuer="i", audience="a", data_dir=tmp_path / "data")
    assert production.audit_key_path() is None and production.pseudonym_key_path() is None  # never created in production


def test_the_checkpoint_file_gets_each_checkpoint_as_a_line(settings, store, national_policy, token, family, now, tmp_path):
    import dataclasses

    from access_policy.auditlog.checkpoints import read_lines

    configured = dataclasses.replace(settings, checkpoint_file=tmp_path / "held.jsonl")
    with TestClient(create_app(configured, store=store, policy=national_policy), raise_server_exceptions=False) as client:
        _decide(client, token, family, now, 2)
    held = list(read_lines((tmp_path / "held.jsonl").read_text().splitlines()))
    assert held == store.checkpoints() and held[0].tree_size == 2


def test_the_background_task_signs_at_its_interval_and_survives_a_failing_store(store, caplog):
    import asyncio

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from access_policy.errors import StoreUnavailableError
    from access_policy.service.audit import Checkpointer

    store.append_audit("d-1", "c", {"n": 1})
    checkpointer = Checkpointer(store, Ed25519PrivateKey.generate())

    async def run_until_signed() -> None:
        task = asyncio.create_task(checkpointer.run(0.01))
        for _ in range(1000):  # polls; the bound only keeps a broken task from hanging the suite
            await asyncio.sleep(0.01)
            if store.checkpoints():
                break
        task.cancel()

    asyncio.run(run_until_signed())
    assert [c.tree_size for c in store.checkpoints()] == [1]

    class Failing:
        def checkpoints(self):
            raise StoreUnavailableError("the fact store is unavailable: disk I/O error")

        audit_head = checkpoints

    assert Checkpointer(Failing(), Ed25519PrivateKey.generate()).safe_checkpoint() is None
    assert "decision-log checkpoint failed: the fact store is unavailable" in caplog.text


def test_the_export_endpoint_pseudonymises_unless_the_token_grants_identities(client, token, family, now, settings):
    from access_policy.auditlog.export import read_export
    from access_policy.service.audit import verify_entries

    _decide(client, token, family, now, 3)
    shipped = client.get("/v1/audit/export", params={"after": 1}, headers=token("audit:read"))
    assert shipped.status_code == 200 and shipped.headers["content-type"] == "application/x-ndjson"
    assert shipped.headers["cache-control"] == "no-store"
    assert family.child not in shipped.text and family.mother not in shipped.text
    entries = list(read_export(shipped.text.splitlines()))
    assert [e.position for e in entries] == [2, 3] and all(e.pseudonymised for e in entries)
    assert verify_entries(entries).ok
    # The service's pseudonyms are the command line's: one key, in the data directory in development.
    cli_export = runner.invoke(cli, ["audit", "export", "--data-dir", str(settings.data_dir), "--after", "1"])
    assert cli_export.stdout == shipped.text

    refused = client.get("/v1/audit/export", params={"identities": "true"}, headers=token("audit:read"))
    assert refused.status_code == 403 and "audit:identities" in refused.json()["detail"]
    named = client.get("/v1/audit/export", params={"identities": "true"}, headers=token("audit:read", "audit:identities"))
    assert named.status_code == 200
    lines = [json.loads(line) for line in named.text.splitlines()]
    assert [line["child"] for line in lines] == [family.child] * 3 and lines[0]["entry"]["requester"] == family.mother
    assert verify_entries(read_export(named.text.splitlines())).ok
    bad = client.get("/v1/audit/export", params={"after": "²"}, headers=token("audit:read"))
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_an_unreadable_entry_is_exported_and_fails_the_exported_file_not_the_export(client, token, family, now, settings):
    from access_policy.auditlog.export import read_export
    from access_policy.service.audit import verify_entries

    _decide(client, token, family, now, 3)
    _sql(settings, "UPDATE audit_log SET entry = 'not json {' WHERE position = 2")
    shipped = client.get("/v1/audit/export", headers=token("audit:read"))
    assert shipped.status_code == 200 and len(shipped.text.splitlines()) == 3
    result = verify_entries(read_export(shipped.text.splitlines()))
    assert not result.ok and result.first_bad_position == 2 and result.problem.startswith("the entry is not JSON")


def test_production_reads_only_the_configured_signing_key(tmp_path, store, national_policy, caplog):
    import dataclasses

    import pytest
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from access_policy.auditlog.checkpoints import load_or_create_key
    from access_policy.service.settings import ConfigurationError, Settings

    import jwt

    idp = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(idp.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [jwk | {"kid": "k1", "use": "sig", "alg": "RS256"}]}))
    production = Settings(jwks=str(tmp_path / "jwks.json"), issuer="i", audience="a", data_dir=tmp_path / "data")
    app = create_app(production, store=store, policy=national_policy)
    assert app.state.checkpointer is None and "the log's head is not anchored" in caplog.text
    assert not (tmp_path / "data" / DEV_AUDIT_KEY_FILE).exists()  # production never creates a key

    wrong = tmp_path / "rsa.pem"
    wrong.write_bytes(idp.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(ConfigurationError, match="is not an Ed25519 private key"):
        create_app(dataclasses.replace(production, audit_key=wrong), store=store, policy=national_policy)
    key = load_or_create_key(tmp_path / "audit.pem")
    signed = create_app(dataclasses.replace(production, audit_key=tmp_path / "audit.pem"), store=store, policy=national_policy)
    assert signed.state.checkpointer.public_key == key.public_key()
