"""HelseID-shaped tokens, DPoP (RFC 9449), and the token edge cases: wrong alg, long life, odd digits, no reprs."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import time
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from access_policy.service.settings import ConfigurationError, Settings
from access_policy.service.tokens import (
    AuthenticationError,
    DpopChecker,
    JwksVerifier,
    Request,
    caller_from_claims,
    issue_dev_token,
    jwk_thumbprint,
    make_verifier,
)
from api.app import create_app
from tests.api.conftest import HPR, ORG, TestClient, item

ORG_CHILD = "983544622"
PID = "01020312345"
BASE = "http://testserver"


def test_helseid_claim_names_fill_the_caller():
    caller = caller_from_claims({
        "sub": "abc",
        "client_id": "journal",
        "scope": ["decisions", "facts:read"],
        "helseid://claims/hpr/hpr_number": HPR,
        "helseid://claims/client/claims/orgnr_parent": ORG,
        "helseid://claims/client/claims/orgnr_child": ORG_CHILD,
        "helseid://claims/identity/pid": PID,
    })
    assert (caller.hpr, caller.org, caller.org_child, caller.person) == (HPR, ORG, ORG_CHILD, PID)
    assert caller.scopes == {"decisions", "facts:read"}


def test_short_dev_claims_still_work_and_helseid_names_win():
    caller = caller_from_claims({"sub": "a", "scope": "decisions  facts:read", "hpr": "7", "org": ORG, "pid": PID})
    assert (caller.hpr, caller.org, caller.person, caller.scopes) == ("7", ORG, PID, {"decisions", "facts:read"})
    both = caller_from_claims({"sub": "a", "hpr": "7", "helseid://claims/hpr/hpr_number": "8"})
    assert both.hpr == "8"


@pytest.mark.parametrize("claims", [
    {"hpr": "١٢٣٤٥٦٧"},  # Arabic-Indic digits: str.isdigit() and \d accept them
    {"helseid://claims/hpr/hpr_number": "１２３"},  # full-width digits
    {"hpr": "1234567890"},  # ten digits
    {"org": "97458909５"},
    {"helseid://claims/identity/pid": "0102031234"},
    {"hpr": ["1"]},
    {"scope": 5},
    {"scope": ["decisions", 3]},
])
def test_malformed_claims_are_refused(claims):
    with pytest.raises(AuthenticationError):
        caller_from_claims({"sub": "a", **claims})


def _post_decision(client, headers, family, now):
    body = {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}
    return client.post("/v1/decisions", json=body, headers=headers)


def test_a_helseid_shaped_token_reaches_the_service(client, settings, family, now):
    token = issue_dev_token(settings, [], extra={"scope": ["decisions"], "helseid://claims/hpr/hpr_number": HPR})
    response = _post_decision(client, {"Authorization": f"Bearer {token}"}, family, now)
    assert response.status_code == 200, response.text


def test_a_token_with_non_ascii_hpr_digits_is_a_401(client, settings, family, now):
    token = issue_dev_token(settings, ["decisions"], hpr="١٢٣٤٥٦٧")
    response = _post_decision(client, {"Authorization": f"Bearer {token}"}, family, now)
    assert response.status_code == 401
    assert "HPR" in response.json()["detail"]


def test_a_token_living_longer_than_the_maximum_is_refused(client, settings, family, now):
    short = issue_dev_token(settings, ["decisions"], ttl_seconds=settings.token_max_lifetime_seconds)
    assert _post_decision(client, {"Authorization": f"Bearer {short}"}, family, now).status_code == 200
    long = issue_dev_token(settings, ["decisions"], ttl_seconds=settings.token_max_lifetime_seconds + 3600)
    response = _post_decision(client, {"Authorization": f"Bearer {long}"}, family, now)
    assert response.status_code == 401
    assert "longer than" in response.json()["detail"]


def test_the_maximum_lifetime_is_configurable(tmp_path):
    settings = Settings.from_env({"ACCESS_POLICY_DEV": "1", "ACCESS_POLICY_TOKEN_MAX_LIFETIME_SECONDS": "600",
                                  "ACCESS_POLICY_DATA_DIR": str(tmp_path)})
    verifier = make_verifier(settings)
    verifier.verify(issue_dev_token(settings, [], ttl_seconds=600))
    with pytest.raises(AuthenticationError):
        verifier.verify(issue_dev_token(settings, [], ttl_seconds=601 + settings.token_leeway_seconds))


def _production(tmp_path: Path, public_key, **overrides) -> Settings:
    jwks = {"keys": [{**json.loads(jwt.algorithms.get_default_algorithms()[_alg(public_key)].to_jwk(public_key)), "kid": "k1"}]}
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks))
    return Settings(dev=False, jwks=str(path), issuer="https://helseid-sts.test", audience="access-policy", data_dir=tmp_path, **overrides).checked()


def _alg(key) -> str:
    return "RS256" if isinstance(key, rsa.RSAPublicKey) else "ES256"


def _claims(**extra) -> dict:
    now = int(time.time())
    return {"iss": "https://helseid-sts.test", "aud": "access-policy", "sub": "s", "iat": now, "exp": now + 300,
            "scope": "decisions", **extra}


def test_an_alg_that_does_not_match_the_key_type_is_a_401_not_a_500(tmp_path, national_policy):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings = _production(tmp_path, rsa_key.public_key())
    ec_token = jwt.encode(_claims(), ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": "k1"})
    from access_policy.store import open_store

    store = open_store(data_dir=tmp_path / "data", migrate=True)
    app = create_app(settings, store=store, policy=national_policy)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/v1/decisions", json={}, headers={"Authorization": f"Bearer {ec_token}"})
        assert response.status_code == 401, response.text
        detail = response.json()["detail"]
        # No internal repr in a production 401: no generator, no key class, no angle brackets.
        assert "<" not in detail and "object" not in detail and "Key" not in detail, detail
        good = jwt.encode(_claims(), rsa_key, algorithm="RS256", headers={"kid": "k1"})
        assert client.post("/v1/decisions", json={}, headers={"Authorization": f"Bearer {good}"}).status_code == 422
    store.close()


def test_an_ed25519_token_against_an_rsa_key_and_back_is_refused(tmp_path):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier = JwksVerifier(_production(tmp_path, rsa_key.public_key()))
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    for token in (
        jwt.encode(_claims(), Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "k1"}),
        jwt.encode(_claims(), "secret-" * 8, algorithm="HS256", headers={"kid": "k1"}),
    ):
        with pytest.raises(AuthenticationError) as raised:
            verifier.verify(token)
        assert "<" not in raised.value.message


def test_garbage_tokens_give_fixed_messages(tmp_path):
    verifier = JwksVerifier(_production(tmp_path, rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()))
    for garbage in ("a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.", "x" * 50):
        with pytest.raises(AuthenticationError) as raised:
            verifier.verify(garbage)
        assert raised.value.message.startswith("the token"), raised.value.message


def test_a_signed_token_with_a_string_exp_is_refused_not_a_crash(tmp_path):
    """The library takes a numeric-string `exp`; the lifetime check refuses it with a 401's error."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier = JwksVerifier(_production(tmp_path, key.public_key()))
    token = jwt.encode(_claims(exp=str(int(time.time()) + 300)), key, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(AuthenticationError) as raised:
        verifier.verify(token)
    assert raised.value.message == "the token's `exp` is not valid"


# --- DPoP -----------------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Holder:
    """A client holding a DPoP key: makes proofs for a request."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        self.jkt = jwk_thumbprint(self.jwk)

    def proof(self, token: str, method: str = "POST", url: str = BASE + "/v1/decisions", **override) -> str:
        claims = {"jti": uuid.uuid4().hex, "htm": method, "htu": url, "iat": int(time.time()),
                  "ath": _b64(hashlib.sha256(token.encode()).digest()), **override}
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": self.jwk})


@pytest.fixture
def dpop_client(tmp_path, national_policy, store):
    settings = Settings(dev=True, data_dir=tmp_path / "data", dpop="optional").checked()
    app = create_app(settings, store=store, policy=national_policy)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield settings, client


def test_the_rfc_7638_thumbprint_example():
    # RFC 7638 §3.1's RSA key and its published thumbprint.
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",  # noqa: E501 - one key
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_a_dpop_bound_token_with_a_valid_proof_is_accepted(dpop_client, family, now):
    settings, client = dpop_client
    holder = Holder()
    token = issue_dev_token(settings, ["decisions"], extra={"cnf": {"jkt": holder.jkt}})
    headers = {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token)}
    assert _post_decision(client, headers, family, now).status_code == 200


def test_dpop_proofs_are_checked(dpop_client, family, now):
    settings, client = dpop_client
    holder, other = Holder(), Holder()
    token = issue_dev_token(settings, ["decisions"], extra={"cnf": {"jkt": holder.jkt}})
    other_token = issue_dev_token(settings, ["decisions"], extra={"cnf": {"jkt": holder.jkt}, "jti": "x"})
    bad = {
        "no proof": {"Authorization": f"DPoP {token}"},
        "sent as bearer": {"Authorization": f"Bearer {token}", "DPoP": holder.proof(token)},
        "other key": {"Authorization": f"DPoP {token}", "DPoP": other.proof(token)},
        "wrong method": {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token, method="GET")},
        "wrong url": {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token, url=BASE + "/v1/decisions/batch")},
        "old iat": {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token, iat=int(time.time()) - 3600)},
        "future iat": {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token, iat=int(time.time()) + 3600)},
        "no ath": {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token, ath=None)},
        "ath of another token": {"Authorization": f"DPoP {token}", "DPoP": holder.proof(other_token)},
        "no jti": {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token, jti=None)},
        "garbage proof": {"Authorization": f"DPoP {token}", "DPoP": "not-a-jwt"},
    }
    for name, headers in bad.items():
        response = _post_decision(client, headers, family, now)
        assert response.status_code == 401, (name, response.text)
        if name != "sent as bearer":
            assert response.headers["www-authenticate"].startswith("DPoP "), name


def test_a_dpop_proof_cannot_be_replayed(dpop_client, family, now):
    settings, client = dpop_client
    holder = Holder()
    token = issue_dev_token(settings, ["decisions"], extra={"cnf": {"jkt": holder.jkt}})
    headers = {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token)}
    assert _post_decision(client, headers, family, now).status_code == 200
    replay = _post_decision(client, headers, family, now)
    assert replay.status_code == 401 and "used before" in replay.json()["detail"]


def test_the_replay_cache_is_bounded(tmp_path):
    settings = Settings(dev=True, data_dir=tmp_path, dpop="optional", dpop_replay_cache_size=3).checked()
    clock = [1_000_000.0]
    checker = DpopChecker(settings, clock=lambda: clock[0])
    holder = Holder()
    for _ in range(10):
        token = "t"
        proof = holder.proof(token, iat=int(clock[0]))
        checker.check(Request("dpop", proof, "POST", BASE + "/v1/decisions"), token, holder.jkt)
        clock[0] += 1
    assert len(checker._seen) == 3


def test_with_dpop_off_a_bound_token_is_refused_and_required_refuses_bearer(client, settings, tmp_path, family, now, store, national_policy):
    holder = Holder()
    token = issue_dev_token(settings, ["decisions"], extra={"cnf": {"jkt": holder.jkt}})
    response = _post_decision(client, {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token)}, family, now)
    assert response.status_code == 401 and "not configured for DPoP" in response.json()["detail"]
    required = dataclasses.replace(settings, dpop="required")
    with TestClient(create_app(required, store=store, policy=national_policy), raise_server_exceptions=False) as strict:
        bearer = issue_dev_token(settings, ["decisions"])
        assert _post_decision(strict, {"Authorization": f"Bearer {bearer}"}, family, now).status_code == 401
        ok = {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token)}
        assert _post_decision(strict, ok, family, now).status_code == 200


def test_public_url_is_what_htu_is_checked_against(tmp_path, store, national_policy, family, now):
    settings = Settings(dev=True, data_dir=tmp_path / "data", dpop="optional", public_url="https://pdp.example.no/").checked()
    holder = Holder()
    token = issue_dev_token(settings, ["decisions"], extra={"cnf": {"jkt": holder.jkt}})
    with TestClient(create_app(settings, store=store, policy=national_policy), raise_server_exceptions=False) as client:
        wrong = {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token)}
        assert _post_decision(client, wrong, family, now).status_code == 401
        right = {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token, url="https://pdp.example.no/v1/decisions")}
        assert _post_decision(client, right, family, now).status_code == 200


def test_bad_dpop_settings_are_refused():
    with pytest.raises(ConfigurationError):
        Settings(dev=True, dpop="sometimes").checked()


def test_a_cached_token_still_has_its_dpop_proof_checked_on_every_request(dpop_client, family, now):
    settings, client = dpop_client
    holder, other = Holder(), Holder()
    token = issue_dev_token(settings, ["decisions"], extra={"cnf": {"jkt": holder.jkt}})
    good = {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token)}
    assert _post_decision(client, good, family, now).status_code == 200  # verified once, now cached
    for headers in (
        {"Authorization": f"DPoP {token}"},
        {"Authorization": f"Bearer {token}", "DPoP": holder.proof(token)},
        {"Authorization": f"DPoP {token}", "DPoP": other.proof(token)},
        {"Authorization": f"DPoP {token}", "DPoP": holder.proof(token, method="GET")},
        good,  # a replayed proof
    ):
        assert _post_decision(client, headers, family, now).status_code == 401, headers


def test_a_verified_token_is_kept_until_it_expires_and_not_after(tmp_path, monkeypatch):
    settings = Settings(dev=True, data_dir=tmp_path / "data").checked()
    verifier = make_verifier(settings)
    token = issue_dev_token(settings, ["decisions"], ttl_seconds=60)
    assert verifier.cached(token) is None
    caller = verifier.verify(token)
    assert verifier.cached(token) == caller
    assert verifier.cached(issue_dev_token(settings, ["decisions", "metrics"], ttl_seconds=60)) is None  # by token, not by subject
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 61)
    assert verifier.cached(token) is None  # expired: the full verification decides again
    assert len(verifier._verified) == 0


def test_the_verified_token_cache_is_bounded(tmp_path):
    settings = Settings(dev=True, data_dir=tmp_path / "data").checked()
    verifier = make_verifier(settings)
    verifier._verified_size = 2
    tokens = [issue_dev_token(settings, ["decisions"], ttl_seconds=60, extra={"jti": f"t{n}"}) for n in range(3)]
    for token in tokens:
        verifier.verify(token)
    assert len(verifier._verified) == 2
    assert verifier.cached(tokens[0]) is None and verifier.cached(tokens[2]) is not None
