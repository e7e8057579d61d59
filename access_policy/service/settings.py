"""One settings object for the service, read from the environment, refusing unsafe production defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Mapping

from access_policy.errors import AccessPolicyError

ENV_PREFIX = "ACCESS_POLICY_"
DEV_ISSUER = "access-policy-dev"
DEV_AUDIENCE = "access-policy"
DEFAULT_DATA_DIR = Path("data")
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
    max_body_bytes: int = 16 * 1024 * 1024
    max_batch_items: int = MAX_BATCH_ITEMS
    token_leeway_seconds: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        """Settings from `ACCESS_POLICY_*` variables; keyword overrides (command-line options) win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if (raw := env.get(ENV_PREFIX + "DEV")) is not None:
            values["dev"] = _flag(raw)
        for name in ("DATABASE_URL", "JWKS", "ISSUER", "AUDIENCE"):
            if raw := env.get(ENV_PREFIX + name):
                values[name.lower()] = raw
        for name in ("DATA_DIR", "POLICY_DIR"):
            if raw := env.get(ENV_PREFIX + name):
                values[name.lower()] = Path(raw)
        for name in ("MAX_BODY_BYTES", "MAX_BATCH_ITEMS", "TOKEN_LEEWAY_SECONDS"):
            if raw := env.get(ENV_PREFIX + name):
                values[name.lower()] = _positive_int(name, raw)
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values).checked()

    def checked(self) -> "Settings":
        """These settings with development defaults filled in; raise `ConfigurationError` when unsafe."""
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
