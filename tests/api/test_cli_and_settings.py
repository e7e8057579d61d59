"""The service's command line and settings: dev tokens, production keys (JWKS), exit statuses."""

from __future__ import annotations

import datetime
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from access_policy.cli import app as cli
from access_policy.service.settings import ConfigurationError, Settings
from api.app import create_app
from tests.api.conftest import HPR, ORG, TestClient, item

runner = CliRunner()


def test_the_token_command_prints_a_token_the_dev_service_accepts(settings, store, national_policy, family, now):
    result = runner.invoke(cli, ["token", "--data-dir", str(settings.data_dir), "--scope", "decisions facts:write", "--hpr", HPR, "--org", ORG, "--ttl", "60"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["scope"] == "decisions facts:write" and claims["hpr"] == HPR and claims["org"] == ORG
    assert claims["exp"] - claims["iat"] == 60
    with TestClient(create_app(settings, store=store, policy=national_policy)) as client:
        body = {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}
        assert client.post("/v1/decisions", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize(
    "args",
    [
        ["token", "--scope", "everything"],
        ["token", "--scope", ""],
        ["token", "--scope", "facts:write", "--org", "123"],
        ["token", "--scope", "facts:write", "--hpr", "abc"],
        ["serve", "--demo"],
        ["serve", "--data-dir", "x", "--database-url", "postgresql://h/db"],
    ],
)
def test_bad_usage_exits_2_with_one_line_on_stderr(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")


def test_a_policy_that_does_not_load_stops_startup(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy").mkdir()
    result = runner.invoke(cli, ["serve", "--dev", "--policy-dir", str(tmp_path / "policy")])
    assert result.exit_code == 1
    assert "model.conf" in result.stderr and "file not found" in result.stderr


def test_production_settings_refuse_to_start_without_keys(monkeypatch, tmp_path):
    with pytest.raises(ConfigurationError, match="ACCESS_POLICY_JWKS"):
        Settings.from_env({})
    with pytest.raises(ConfigurationError, match="https"):
        Settings.from_env({"ACCESS_POLICY_JWKS": "http://idp/jwks", "ACCESS_POLICY_ISSUER": "i", "ACCESS_POLICY_AUDIENCE": "a"})
    with pytest.raises(ConfigurationError, match="does not exist"):
        Settings.from_env({"ACCESS_POLICY_JWKS": str(tmp_path / "none.json"), "ACCESS_POLICY_ISSUER": "i", "ACCESS_POLICY_AUDIENCE": "a"})
    with pytest.raises(ConfigurationError, match="whole number"):
        Settings.from_env({"ACCESS_POLICY_DEV": "1", "ACCESS_POLICY_MAX_BATCH_ITEMS": "many"})
    dev = Settings.from_env({"ACCESS_POLICY_DEV": "1", "ACCESS_POLICY_DATA_DIR": str(tmp_path)})
    assert dev.issuer and dev.audience and dev.data_dir == tmp_path
    assert Settings.from_env(dev.to_env()) == dev


def test_production_verifies_tokens_against_the_jwks(tmp_path, store, national_policy, family, now):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [jwk | {"kid": "k1", "use": "sig", "alg": "RS256"}]}))
    settings = Settings.from_env({
        "ACCESS_POLICY_JWKS": str(tmp_path / "jwks.json"),
        "ACCESS_POLICY_ISSUER": "https://idp.example",
        "ACCESS_POLICY_AUDIENCE": "access-policy",
        "ACCESS_POLICY_DATA_DIR": str(tmp_path / "data"),
    })
    assert settings.dev is False
    expiry = int((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)).timestamp())
    claims = {"iss": "https://idp.example", "aud": "access-policy", "sub": "journal", "scope": "decisions", "exp": expiry}
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    other = jwt.encode(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256", headers={"kid": "k1"})
    unknown_kid = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k2"})
    hmac = jwt.encode(claims, "s" * 64, algorithm="HS256", headers={"kid": "k1"})
    body = {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}
    with TestClient(create_app(settings, store=store, policy=national_policy)) as client:
        assert client.post("/v1/decisions", json=body, headers={"Authorization": f"Bearer {good}"}).status_code == 200
        for bad in (other, unknown_kid, hmac):
            assert client.post("/v1/decisions", json=body, headers={"Authorization": f"Bearer {bad}"}).status_code == 401
    assert not (tmp_path / "data" / "dev-signing-key.pem").exists()  # production never makes a local key
