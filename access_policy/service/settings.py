"""One settings object for the service, read from the environment, refusing unsafe production defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Callable, Mapping

from access_policy.errors import AccessPolicyError

ENV_PREFIX = "ACCESS_POLICY_"
DEV_ISSUER = "access-policy-dev"
DEV_AUDIENCE = "access-policy"
DEFAULT_DATA_DIR = Path("data")
DEV_AUDIT_KEY_FILE = "audit-signing-key.pem"
DEV_PSEUDONYM_KEY_FILE = "audit-pseudonym-key"
# The largest batch any configuration may allow (the OpenAPI document states it).
MAX_BATCH_ITEMS = 10_000


@dataclass
class ConfigurationError(AccessPolicyError):
    """Settings that cannot run the service safely; the message says which variable to set."""

    code: str = "configuration-error"


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigurationError(f"`{value}` is not a yes/no value (use 1 or 0)")


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{ENV_PREFIX}{name} must be a whole number, not `{value}`") from None
    if number <= 0:
        raise ConfigurationError(f"{ENV_PREFIX}{name} must be greater than 0, not `{value}`")
    return number


LOG_FORMATS = ("text", "json")


def _log_format(name: str, value: str) -> str:
    lowered = value.strip().lower()
    if lowered not in LOG_FORMATS:
        raise ConfigurationError(f"{ENV_PREFIX}{name} must be one of {', '.join(LOG_FORMATS)}, not `{value}`")
    return lowered


def _port(name: str, value: str) -> int:
    number = _positive_int(name, value)
    if number > 65535:
        raise ConfigurationError(f"{ENV_PREFIX}{name} must be a port number (1–65535), not `{value}`")
    return number


@dataclass(frozen=True)
class EnvVar:
    """One `ACCESS_POLICY_*` variable: the setting it fills, how it is read, what it means."""

    field: str
    parse: Callable[[str, str], object]
    help: str
    option: str | None = None  # the `serve` option that overrides it

    @property
    def name(self) -> str:
        """The variable's full name."""
        return ENV_PREFIX + self.field.upper()


def _text(name: str, value: str) -> str:
    return value


def _path(name: str, value: str) -> Path:
    return Path(value)


def _dev_flag(name: str, value: str) -> bool:
    return _flag(value)


# Every variable the service reads, in the order the README's table lists them.
ENVIRONMENT: tuple[EnvVar, ...] = (
    EnvVar("dev", _dev_flag, "`1`: development mode, tokens signed with a local key in the data directory", "--dev"),
    EnvVar("data_dir", _path, "SQLite data directory (default `data`)", "--data-dir"),
    EnvVar("database_url", _text, "PostgreSQL URL, e.g. `postgresql+psycopg://user@host:5432/db` (instead of the data directory)", "--database-url"),
    EnvVar("jwks", _text, "the identity provider's public keys: an https URL or a JWKS file (production)"),
    EnvVar("issuer", _text, "the tokens' required `iss` (production)"),
    EnvVar("audience", _text, "the tokens' required `aud` (production)"),
    EnvVar("policy_dir", _path, "policy directory (default: the national policy shipped in the package)", "--policy-dir"),
    EnvVar("host", _text, "address to listen on (default `127.0.0.1`; `0.0.0.0` in the container)", "--host"),
    EnvVar("port", _port, "port to listen on (default `8000`)", "--port"),
    EnvVar("workers", _positive_int, "worker processes (default `1`)", "--workers"),
    EnvVar("log_format", _log_format, "`text` (default) or `json`: one JSON object per log line", "--log-format"),
    EnvVar("metrics_port", _port, "also serve `/metrics` without a token on `127.0.0.1:PORT` (loopback only; off by default)", "--metrics-port"),
    EnvVar("max_body_bytes", _positive_int, "largest request body (default 16 MiB)"),
    EnvVar("max_batch_items", _positive_int, "most items in one batch decision (default 10,000)"),
    EnvVar("token_leeway_seconds", _positive_int, "clock skew allowed on token times (default 30)"),
    EnvVar("audit_key", _path, "the decision log's checkpoint signing key (Ed25519 PEM), kept outside the database"),
    EnvVar("checkpoint_interval_seconds", _positive_int, "how often the decision log's head is signed (default 60)"),
    EnvVar("checkpoint_file", _path, "also append each signed checkpoint to this file (JSON lines)"),
    EnvVar("pseudonym_key", _path, "the HMAC key of `audit export`'s pseudonyms, kept outside the database"),
    EnvVar("token_max_lifetime_seconds", _positive_int, "tokens living longer than this (`exp` − `iat`) are refused (default 43200, 12 hours)"),
    EnvVar("dpop", _text, "`off` (default), `optional` or `required`: sender-constrained tokens (DPoP, RFC 9449)"),
    EnvVar("dpop_proof_window_seconds", _positive_int, "how old a DPoP proof's `iat` may be (default 60)"),
    EnvVar("dpop_replay_cache_size", _positive_int, "DPoP proof ids remembered against replay, per process (default 100,000)"),
    EnvVar("public_url", _text, "the service's public base URL behind a proxy: DPoP's `htu` is checked against it"),
)


def environment_table() -> str:
    """The variables as the README's Markdown table."""
    rows = [f"| `{v.name}` | {f'`{v.option}`' if v.option else '—'} | {v.help} |" for v in ENVIRONMENT]
    return "\n".join(["| variable | option | what |", "|---|---|---|", *rows])


@dataclass(frozen=True)
class Settings:
    """How the service runs: where facts live, how tokens are checked, which policy, which limits."""

    dev: bool = False
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None
    jwks: str | None = None  # a JWKS file path or an https URL
    issuer: str | None = None
    audience: str | None = None
    policy_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_format: str = "text"
    metrics_port: int | None = None
    max_body_bytes: int = 16 * 1024 * 1024
    max_batch_items: int = MAX_BATCH_ITEMS
    token_leeway_seconds: int = 30
    # The decision log's checkpoint signing key (Ed25519 PEM), kept outside the database.
    audit_key: Path | None = None
    checkpoint_interval_seconds: int = 60
    checkpoint_file: Path | None = None  # also append each checkpoint here (JSON lines)
    pseudonym_key: Path | None = None  # the HMAC key of `audit export`'s pseudonyms
    # Tokens living longer than this (exp − iat) are refused; 12 hours covers the demo's tokens.
    token_max_lifetime_seconds: int = 12 * 3600
    # DPoP (RFC 9449): "off" refuses bound tokens, "optional" checks them, "required" accepts only them.
    dpop: str = "off"
    dpop_proof_window_seconds: int = 60
    dpop_replay_cache_size: int = 100_000
    # The service's public base URL (https://host[:port]) when a proxy changes it: DPoP's `htu` is checked against it.
    public_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        """Settings from `ACCESS_POLICY_*` variables; keyword overrides (command-line options) win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for variable in ENVIRONMENT:
            raw = env.get(variable.name)
            # An empty variable counts as unset, except DEV where it means "no".
            if raw is None or (raw == "" and variable.field != "dev"):
                continue
            values[variable.field] = variable.parse(variable.field.upper(), raw)
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values).checked()

    def checked(self) -> "Settings":
        """These settings with development defaults filled in; raise `ConfigurationError` when unsafe."""
        for name, path in (("AUDIT_KEY", self.audit_key), ("PSEUDONYM_KEY", self.pseudonym_key)):
            if path is not None and not Path(path).is_file():
                raise ConfigurationError(f"{ENV_PREFIX}{name} file `{path}` does not exist")
        if self.log_format not in LOG_FORMATS:
            raise ConfigurationError(f"the log format must be one of {', '.join(LOG_FORMATS)}, not `{self.log_format}`")
        if self.dpop not in ("off", "optional", "required"):
            raise ConfigurationError(f"{ENV_PREFIX}DPOP must be off, optional or required, not `{self.dpop}`")
        if self.public_url is not None and not self.public_url.startswith(("https://", "http://")):
            raise ConfigurationError(f"{ENV_PREFIX}PUBLIC_URL must be an http(s) URL, not `{self.public_url}`")
        if not 0 < self.max_batch_items <= MAX_BATCH_ITEMS:
            raise ConfigurationError(f"{ENV_PREFIX}MAX_BATCH_ITEMS must be 1–{MAX_BATCH_ITEMS}, not `{self.max_batch_items}`")
        if self.dev:
            return replace(self, issuer=self.issuer or DEV_ISSUER, audience=self.audience or DEV_AUDIENCE)
        missing = [
            ENV_PREFIX + name
            for name, value in (("JWKS", self.jwks), ("ISSUER", self.issuer), ("AUDIENCE", self.audience))
            if not value
        ]
        if missing:
            raise ConfigurationError(
                f"production mode needs {', '.join(missing)} to verify tokens against your identity "
                "provider's public keys; set them, or run with --dev for a local signing key"
            )
        jwks = str(self.jwks)
        if "://" in jwks and not jwks.startswith("https://"):
            raise ConfigurationError(f"{ENV_PREFIX}JWKS must be an https URL or a file path, not `{jwks}`")
        if "://" not in jwks and not Path(jwks).is_file():
            raise ConfigurationError(f"{ENV_PREFIX}JWKS file `{jwks}` does not exist")
        return self

    def audit_key_path(self) -> Path | None:
        """The checkpoint signing key: as configured, else in development the data directory's (created on first use)."""
        if self.audit_key is not None:
            return self.audit_key
        return self.data_dir / DEV_AUDIT_KEY_FILE if self.dev else None

    def pseudonym_key_path(self) -> Path | None:
        """The pseudonym key: as configured, else in development the data directory's (created on first use)."""
        if self.pseudonym_key is not None:
            return self.pseudonym_key
        return self.data_dir / DEV_PSEUDONYM_KEY_FILE if self.dev else None

    def to_env(self) -> dict[str, str]:
        """These settings as `ACCESS_POLICY_*` variables, to hand to worker processes."""
        env: dict[str, str] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None:
                continue
            if isinstance(value, bool):
                value = "1" if value else "0"
            env[ENV_PREFIX + item.name.upper()] = str(value)
        return env
