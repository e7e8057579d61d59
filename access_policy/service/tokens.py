"""Bearer tokens: who is calling and with which scopes, verified with PyJWT.

Production verifies against the identity provider's public keys (a JWKS file or URL). Development
keeps one Ed25519 signing key in the data directory, created on first use, and issues tokens that
the development service accepts.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from access_policy.errors import AccessPolicyError
from access_policy.service.settings import ConfigurationError, Settings

DEV_KEY_FILE = "dev-signing-key.pem"
DEV_ALGORITHM = "EdDSA"
# Asymmetric algorithms only: an HMAC algorithm would let anyone holding a public key sign tokens.
ACCEPTED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

SCOPE_DECISIONS = "decisions"
SCOPE_FACTS_READ = "facts:read"
SCOPE_FACTS_WRITE = "facts:write"
SCOPE_REPRESENTATION_WRITE = "representation:write"
SCOPE_AUDIT_READ = "audit:read"
# The portal acting for an adolescent of 16–17: sharing grants; the token's `pid` is the adolescent.
SCOPE_SHARING_WRITE = "sharing:write"
SCOPES = (
    SCOPE_DECISIONS, SCOPE_FACTS_READ, SCOPE_FACTS_WRITE, SCOPE_REPRESENTATION_WRITE, SCOPE_AUDIT_READ, SCOPE_SHARING_WRITE,
)


@dataclass
class AuthenticationError(AccessPolicyError):
    """No token, or a token that is not valid (signature, expiry, issuer, audience)."""

    code: str = "unauthenticated"


@dataclass
class PermissionDeniedError(AccessPolicyError):
    """A valid token that does not grant what the request needs."""

    code: str = "forbidden"
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, from a verified token: subject, client, scopes and a clinician's HPR and organisation."""

    subject: str
    scopes: frozenset[str]
    client_id: str | None = None
    hpr: str | None = None
    org: str | None = None
    person: str | None = None  # claim `pid`: the person the token speaks for (the adolescent sharing)

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


class TokenVerifier(Protocol):
    """Turns a bearer token into a `Caller` or raises `AuthenticationError`."""

    def verify(self, token: str) -> Caller:
        """The verified caller."""
        ...


def _caller(claims: dict[str, Any]) -> Caller:
    scope = claims.get("scope", "")
    if isinstance(scope, list):  # some providers send `scp` / `scope` as a list
        scope = " ".join(str(s) for s in scope)
    if not isinstance(scope, str):
        raise AuthenticationError("the token's `scope` claim must be a space-separated string")
    subject = claims.get("sub") or claims.get("client_id") or claims.get("azp")
    if not isinstance(subject, str) or not subject:
        raise AuthenticationError("the token has no `sub` claim")
    client = claims.get("client_id") or claims.get("azp")
    hpr, org = claims.get("hpr"), claims.get("org")
    return Caller(
        subject=subject,
        scopes=frozenset(scope.split()),
        client_id=str(client) if client else None,
        hpr=str(hpr) if hpr is not None else None,
        org=str(org) if org is not None else None,
        person=_person_claim(claims),
    )


def _person_claim(claims: dict[str, Any]) -> str | None:
    """The `pid` claim (the person's national id) as a string, or None; the service parses it."""
    pid = claims.get("pid")
    return str(pid) if pid is not None else None


class _KeyVerifier:
    """Verifies tokens against keys found by the token's `kid` (or the only key there is)."""

    def __init__(self, settings: Settings):
        self.issuer = settings.issuer
        self.audience = settings.audience
        self.leeway = settings.token_leeway_seconds

    def _key(self, token: str) -> Any:
        raise NotImplementedError

    def verify(self, token: str) -> Caller:
        """The verified caller; any fault in the token is an `AuthenticationError`."""
        try:
            key = self._key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=ACCEPTED_ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except AuthenticationError:
            raise
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError("the token is not meant for this service (audience)") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError("the token was not issued by the configured issuer") from None
        except jwt.InvalidSignatureError:
            raise AuthenticationError("the token's signature does not verify") from None
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"the token is not valid: {error}") from None
        return _caller(claims)


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
                raise AuthenticationError(f"the identity provider's keys cannot be fetched: {error}") from None
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
    key = load_or_create_dev_key(settings.data_dir)
    return jwt.encode(claims, key, algorithm=DEV_ALGORITHM)
