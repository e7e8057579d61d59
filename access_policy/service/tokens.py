"""Bearer tokens: who is calling and with which scopes, verified with PyJWT.

Production verifies against the identity provider's public keys (a JWKS file or URL). Development
keeps one Ed25519 signing key in the data directory, created on first use, and issues tokens that
the development service accepts.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from access_policy import observe
from access_policy.errors import AccessPolicyError
from access_policy.service.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)

DEV_KEY_FILE = "dev-signing-key.pem"
DEV_ALGORITHM = "EdDSA"
# Asymmetric algorithms only: an HMAC algorithm would let anyone holding a public key sign tokens.
# Each token is checked only with the ones of its key's type (`algorithms_for`).
ACCEPTED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

# Verified tokens kept per process (by hash) and for how long at most: a JWKS key is refetched
# every five minutes, so a token of a withdrawn key is refused again within that time.
VERIFIED_TOKEN_CACHE_SIZE = 10_000
VERIFIED_TOKEN_SECONDS = 300.0

SCOPE_DECISIONS = "decisions"
SCOPE_FACTS_READ = "facts:read"
SCOPE_FACTS_WRITE = "facts:write"
SCOPE_REPRESENTATION_WRITE = "representation:write"
SCOPE_AUDIT_READ = "audit:read"
SCOPE_METRICS = "metrics"
# The portal acting for an adolescent of 16–17: sharing grants; the token's `pid` is the adolescent.
SCOPE_SHARING_WRITE = "sharing:write"
SCOPE_AUDIT_IDENTITIES = "audit:identities"  # with audit:read: the decision-log export with person numbers
# With `decisions`: the deciding rule, legal basis and reasons (a clinician's preview, audits).
SCOPE_DECISIONS_EXPLAIN = "decisions:explain"
# Revoke a fact that another organisation set (with a reason, recorded with the revocation).
SCOPE_FACTS_OVERRIDE = "facts:override"
SCOPES = (
    SCOPE_DECISIONS, SCOPE_DECISIONS_EXPLAIN, SCOPE_FACTS_READ, SCOPE_FACTS_WRITE, SCOPE_REPRESENTATION_WRITE,
    SCOPE_AUDIT_READ, SCOPE_AUDIT_IDENTITIES, SCOPE_METRICS, SCOPE_SHARING_WRITE, SCOPE_FACTS_OVERRIDE,
)


@dataclass
class AuthenticationError(AccessPolicyError):
    """No token, or a token that is not valid (signature, expiry, issuer, audience)."""

    code: str = "unauthenticated"
    dpop: bool = False  # the fault is in the DPoP binding: the challenge names the DPoP scheme


@dataclass
class PermissionDeniedError(AccessPolicyError):
    """A valid token that does not grant what the request needs."""

    code: str = "forbidden"
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, from a verified token: subject, client, scopes, a clinician's HPR and organisations, a citizen's id.

    `org` is the legal entity (HelseID's `orgnr_parent`), `org_child` the unit within it
    (`orgnr_child`); `pid` is the national id of a citizen who signed in (HelseID's `pid`).
    """

    subject: str
    scopes: frozenset[str]
    client_id: str | None = None
    hpr: str | None = None
    org: str | None = None
    org_child: str | None = None
    person: str | None = None  # claim `pid` (HelseID's or the short one): the person the token speaks for

    def require(self, scope: str) -> None:
        """Raise `PermissionDeniedError` unless the token grants `scope`."""
        if scope not in self.scopes:
            raise PermissionDeniedError(f"the token does not grant the `{scope}` scope", scope=scope)

    def as_log(self) -> dict[str, str]:
        """The caller as recorded in the decision log."""
        out = {"subject": self.subject}
        if self.client_id:
            out["client_id"] = self.client_id
        return out


@dataclass(frozen=True, slots=True)
class Request:
    """What a DPoP proof is checked against: the Authorization scheme, the `DPoP` header, method and URL."""

    scheme: str  # "bearer" or "dpop", lower case
    proof: str | None
    method: str
    url: str  # scheme, host and path; no query or fragment (RFC 9449 `htu`)


class TokenVerifier(Protocol):
    """Turns an access token into a `Caller` or raises `AuthenticationError`."""

    def verify(self, token: str, proof: Request | None = None) -> Caller:
        """The verified caller."""
        ...


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# RFC 7638: the members of a JWK that its thumbprint covers, per key type.
_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public JWK, base64url without padding (DPoP's `jkt`)."""
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")))
    if members is None or any(not isinstance(jwk.get(m), str) for m in members):
        raise AuthenticationError("the DPoP proof's `jwk` is not a public RSA, EC or OKP key", dpop=True)
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


class DpopChecker:
    """Checks DPoP proofs (RFC 9449 §4.3): signature by the bound key, `htm`, `htu`, `iat`, `jti` once, `ath`.

    Used `jti` values are remembered for the proof window in a bounded, per-process cache: a
    proof replayed within the window is refused; once the window has passed, `iat` refuses it.
    """

    def __init__(self, settings: Settings, clock: Any = time.time):
        self.window = settings.dpop_proof_window_seconds
        self.max_entries = settings.dpop_replay_cache_size
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, request: Request, token: str, jkt: str) -> None:
        """Raise `AuthenticationError` unless the request's proof binds `token` to the key `jkt`."""
        if not request.proof:
            raise AuthenticationError("a DPoP-bound token needs a `DPoP` proof header", dpop=True)
        try:
            header = jwt.get_unverified_header(request.proof)
        except Exception:  # noqa: BLE001 - any fault in the proof is a refusal
            raise AuthenticationError("the DPoP proof is not a well-formed JWT", dpop=True) from None
        jwk = header.get("jwk")
        if header.get("typ") != "dpop+jwt" or not isinstance(jwk, dict):
            raise AuthenticationError("the DPoP proof needs `typ: dpop+jwt` and a `jwk` header", dpop=True)
        if any(member in jwk for member in _PRIVATE_MEMBERS):
            raise AuthenticationError("the DPoP proof's `jwk` must be a public key", dpop=True)
        if jwk_thumbprint(jwk) != jkt:
            raise AuthenticationError("the DPoP proof is signed by another key than the token is bound to", dpop=True)
        try:
            key = jwt.PyJWK(jwk).key
            claims = jwt.decode(
                request.proof, key, algorithms=algorithms_for(key), options={"require": ["jti", "htm", "htu", "iat"]}
            )
        except Exception:  # noqa: BLE001
            raise AuthenticationError("the DPoP proof's signature or claims are not valid", dpop=True) from None
        if claims["htm"] != request.method:
            raise AuthenticationError("the DPoP proof is for another HTTP method (`htm`)", dpop=True)
        if _without_query(str(claims["htu"])) != request.url:
            raise AuthenticationError("the DPoP proof is for another URL (`htu`)", dpop=True)
        if claims.get("ath") != _b64url(hashlib.sha256(token.encode("ascii")).digest()):
            raise AuthenticationError("the DPoP proof is not for this access token (`ath`)", dpop=True)
        iat = claims["iat"]
        now = self.clock()
        if not isinstance(iat, (int, float)) or isinstance(iat, bool) or abs(now - iat) > self.window:
            raise AuthenticationError("the DPoP proof is too old or from the future (`iat`)", dpop=True)
        self._once(str(claims["jti"]), now)

    def _once(self, jti: str, now: float) -> None:
        if not jti or len(jti) > 200:
            raise AuthenticationError("the DPoP proof's `jti` is missing or too long", dpop=True)
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now - 2 * self.window:
                self._seen.popitem(last=False)  # older than any proof `iat` still lets through
            if jti in self._seen:
                raise AuthenticationError("the DPoP proof has been used before (`jti`)", dpop=True)
            if len(self._seen) >= self.max_entries:
                self._seen.popitem(last=False)
            self._seen[jti] = now


def _without_query(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0]


# HelseID (the national identity provider) names its claims with URIs; the short names are the
# development tokens' own. Each Caller field reads the first claim present, in this order.
CLAIM_HPR = ("helseid://claims/hpr/hpr_number", "hpr")
CLAIM_ORG_PARENT = ("helseid://claims/client/claims/orgnr_parent", "org")
CLAIM_ORG_CHILD = ("helseid://claims/client/claims/orgnr_child",)
CLAIM_PID = ("helseid://claims/identity/pid", "pid")

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def _claim(claims: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """The first of these claims that is present, as a string; a claim of another type is refused."""
    for name in names:
        value = claims.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise AuthenticationError(f"the token's `{name}` claim must be a string")
        return str(value)
    return None


def _digits(claims: dict[str, Any], names: tuple[str, ...], lengths: range, what: str) -> str | None:
    """A numeric claim in ASCII digits of an allowed length (`\\d` would also take other scripts' digits)."""
    value = _claim(claims, names)
    if value is None:
        return None
    if not _ASCII_DIGITS.fullmatch(value) or len(value) not in lengths:
        raise AuthenticationError(f"the token's `{names[0]}` claim is not {what}")
    return value


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    scope = claims.get("scope", "")
    if isinstance(scope, list):  # HelseID and some other providers send `scope` as a list
        if not all(isinstance(s, str) for s in scope):
            raise AuthenticationError("the token's `scope` claim must hold strings")
        scope = " ".join(scope)
    if not isinstance(scope, str):
        raise AuthenticationError("the token's `scope` claim must be a space-separated string or a list")
    return frozenset(scope.split())


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    """The caller a verified token's claims describe, with HelseID's claim names or the short ones."""
    subject = claims.get("sub") or claims.get("client_id") or claims.get("azp")
    if not isinstance(subject, str) or not subject:
        raise AuthenticationError("the token has no `sub` claim")
    client = claims.get("client_id") or claims.get("azp")
    return Caller(
        subject=subject,
        scopes=_scopes(claims),
        client_id=str(client) if client else None,
        hpr=_digits(claims, CLAIM_HPR, range(1, 10), "an HPR number (1–9 digits 0–9)"),
        org=_digits(claims, CLAIM_ORG_PARENT, range(9, 10), "an organisation number (9 digits 0–9)"),
        org_child=_digits(claims, CLAIM_ORG_CHILD, range(9, 10), "an organisation number (9 digits 0–9)"),
        person=_digits(claims, CLAIM_PID, range(11, 12), "a national identity number (11 digits 0–9)"),
    )


# Which JWS algorithms belong to which key type: a token is only checked with the algorithms of
# the key it is checked against, so a mismatch is an invalid token, not a crash in the library.
def algorithms_for(key: Any) -> list[str]:
    """The accepted algorithms that can be verified with this public key."""
    if isinstance(key, rsa.RSAPublicKey):
        return ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"secp256r1": ["ES256"], "secp384r1": ["ES384"], "secp521r1": ["ES512"]}.get(key.curve.name, [])
    if isinstance(key, (Ed25519PublicKey, ed448.Ed448PublicKey)):
        return ["EdDSA"]
    return []


# Fixed messages per failure: a library's own message can carry internal reprs (a generator, a key
# class), which a production 401 must not show.
_TOKEN_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidAudienceError, "the token is not meant for this service (audience)"),
    (jwt.InvalidIssuerError, "the token was not issued by the configured issuer"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim (exp, iat, iss, aud, sub)"),
    (jwt.InvalidAlgorithmError, "the token's algorithm is not accepted for the key that verifies it"),
    (jwt.InvalidIssuedAtError, "the token's `iat` is not valid"),
    (jwt.DecodeError, "the token is not a well-formed JWT"),
)


def _token_error(error: Exception) -> AuthenticationError:
    for kind, message in _TOKEN_ERRORS:
        if isinstance(error, kind):
            return AuthenticationError(message)
    return AuthenticationError("the token is not valid")


class _KeyVerifier:
    """Verifies tokens against keys found by the token's `kid` (or the only key there is)."""

    def __init__(self, settings: Settings):
        self.issuer = settings.issuer
        self.audience = settings.audience
        self.leeway = settings.token_leeway_seconds
        self.max_lifetime = settings.token_max_lifetime_seconds
        self.dpop = DpopChecker(settings) if settings.dpop != "off" else None
        self.dpop_required = settings.dpop == "required"
        # Verified tokens by their SHA-256, so a signature is checked once per token, not per request.
        self._verified: OrderedDict[bytes, tuple[Caller, dict[str, Any], float]] = OrderedDict()
        self._verified_lock = threading.Lock()
        self._verified_size = VERIFIED_TOKEN_CACHE_SIZE

    def _key(self, token: str) -> Any:
        raise NotImplementedError

    def cached(self, token: str, proof: Request | None = None) -> Caller | None:
        """The caller of a token verified before and not yet expired, after this request's own checks (DPoP); else None."""
        digest = hashlib.sha256(token.encode()).digest()
        with self._verified_lock:
            entry = self._verified.get(digest)
            if entry is not None:
                self._verified.move_to_end(digest)
        if entry is None:
            observe.token_cache("miss")
            return None
        caller, claims, until = entry
        if time.time() >= until:
            with self._verified_lock:
                self._verified.pop(digest, None)
            observe.token_cache("miss")
            return None
        observe.token_cache("hit")
        # The signature, issuer, audience and lifetime were checked once; the proof is per request.
        self._check_binding(token, claims, proof)
        return caller

    def verify(self, token: str, proof: Request | None = None) -> Caller:
        """The verified caller; any fault in the token (or its DPoP proof) is an `AuthenticationError`."""
        caller = self.cached(token, proof)
        if caller is not None:
            return caller
        try:
            key = self._key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms_for(key),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except AuthenticationError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever the library raises, the token is refused
            raise _token_error(error) from None
        self._check_lifetime(claims)
        self._check_binding(token, claims, proof)
        caller = caller_from_claims(claims)
        self._remember(token, caller, claims)
        return caller

    def _remember(self, token: str, caller: Caller, claims: dict[str, Any]) -> None:
        """Keep a verified token until its `exp` (at most `VERIFIED_TOKEN_SECONDS`: keys may be rotated)."""
        exp = claims.get("exp")
        if not self._verified_size or not isinstance(exp, (int, float)) or isinstance(exp, bool):
            return
        until = min(float(exp), time.time() + VERIFIED_TOKEN_SECONDS)
        digest = hashlib.sha256(token.encode()).digest()
        with self._verified_lock:
            self._verified[digest] = (caller, claims, until)
            self._verified.move_to_end(digest)
            while len(self._verified) > self._verified_size:
                self._verified.popitem(last=False)

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """Refuse tokens that live longer than allowed: a stolen long-lived token is a long-lived key."""
        exp, iat = claims.get("exp"), claims.get("iat", time.time())
        # The library accepts any `exp` that int() takes (a numeric string too); a number is asked for here.
        if not isinstance(exp, (int, float)) or isinstance(exp, bool):
            raise AuthenticationError("the token's `exp` is not valid")
        if not isinstance(iat, (int, float)) or isinstance(iat, bool):
            raise AuthenticationError("the token's `iat` is not valid")
        if exp - iat > self.max_lifetime + self.leeway:
            raise AuthenticationError(f"the token lives longer than the allowed {self.max_lifetime} seconds")

    def _check_binding(self, token: str, claims: dict[str, Any], proof: Request | None) -> None:
        """A DPoP-bound token (`cnf.jkt`) needs a valid proof; an unbound one is refused when DPoP is required."""
        cnf = claims.get("cnf")
        jkt = cnf.get("jkt") if isinstance(cnf, dict) else None
        scheme = proof.scheme if proof is not None else "bearer"
        if jkt is None:
            if self.dpop_required:
                raise AuthenticationError("this service accepts only DPoP-bound tokens (`cnf.jkt`)", dpop=True)
            if scheme == "dpop":
                raise AuthenticationError("a token sent with the DPoP scheme must be bound to a key (`cnf.jkt`)", dpop=True)
            return
        if self.dpop is None:
            # Without DPoP configured a bound token cannot be checked: refuse rather than treat it as a bearer token.
            raise AuthenticationError("the token is DPoP-bound, but this service is not configured for DPoP")
        if proof is None or scheme != "dpop":
            raise AuthenticationError("a DPoP-bound token must be sent as `Authorization: DPoP <token>` with a `DPoP` proof", dpop=True)
        self.dpop.check(proof, token, str(jkt))


class DevVerifier(_KeyVerifier):
    """Development: tokens signed with the data directory's local key."""

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.public_key = load_or_create_dev_key(settings.data_dir).public_key()

    def _key(self, token: str) -> Ed25519PublicKey:
        return self.public_key


class JwksVerifier(_KeyVerifier):
    """Production: tokens signed by the identity provider, keys from a JWKS file or URL."""

    def __init__(self, settings: Settings):
        super().__init__(settings)
        source = str(settings.jwks)
        self._client: jwt.PyJWKClient | None = None
        self._keys: jwt.PyJWKSet | None = None
        if source.startswith("https://"):
            self._client = jwt.PyJWKClient(source, cache_keys=True, lifespan=300, timeout=5)
        else:
            try:
                self._keys = jwt.PyJWKSet.from_json(Path(source).read_text(encoding="utf-8"))
            except (OSError, jwt.PyJWTError, json.JSONDecodeError) as error:
                raise ConfigurationError(f"cannot read the JWKS file `{source}`: {error}") from None

    def _key(self, token: str) -> Any:
        if self._client is not None:
            try:
                return self._client.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientConnectionError as error:
                log.warning("the identity provider's keys cannot be fetched: %s", error)
                raise AuthenticationError("the identity provider's keys cannot be fetched now") from None
        assert self._keys is not None
        kid = jwt.get_unverified_header(token).get("kid")
        keys = [key for key in self._keys.keys if kid is None or key.key_id == kid]
        if len(keys) != 1:
            raise AuthenticationError("no configured public key matches the token's `kid`")
        return keys[0].key


def make_verifier(settings: Settings) -> TokenVerifier:
    """The verifier these settings call for."""
    return DevVerifier(settings) if settings.dev else JwksVerifier(settings)


def load_or_create_dev_key(data_dir: Path) -> Ed25519PrivateKey:
    """The development signing key in the data directory, created (readable by the owner only) on first use."""
    path = Path(data_dir) / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            # O_EXCL: two workers starting at once must end up with one key, not two.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"`{path}` does not hold an Ed25519 private key")
    return key


def issue_dev_token(
    settings: Settings,
    scopes: Iterable[str],
    *,
    subject: str = "dev-client",
    hpr: str | None = None,
    org: str | None = None,
    pid: str | None = None,
    ttl_seconds: int = 3600,
    now: datetime.datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """A token signed with the development key that a `--dev` service with these settings accepts."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": subject,
        "client_id": subject,
        "scope": " ".join(scopes),
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    if hpr is not None:
        claims["hpr"] = hpr
    if org is not None:
        claims["org"] = org
    if pid is not None:
        claims["pid"] = pid
    claims.update(extra or {})  # e.g. HelseID's claim names, or `cnf` for a DPoP-bound token
    key = load_or_create_dev_key(settings.data_dir)
    return jwt.encode(claims, key, algorithm=DEV_ALGORITHM)
