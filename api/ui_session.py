"""The clinician's browser session: an encrypted HttpOnly, SameSite=Strict cookie.

The cookie holds the bearer token the clinician signed in with, a CSRF token for the forms and
the child being looked at. It is encrypted (Fernet, with a key kept in the data directory), so
the child's number is never in a URL, a query string, a log line, or readable in the cookie.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

COOKIE = "ap_ui"
SESSION_KEY_FILE = "ui-session.key"
SESSION_SECONDS = 12 * 3600


@dataclass
class Session:
    """What the browser carries between pages."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    token: str | None = None
    child: str | None = None
    notice: str | None = None  # one message shown on the next page (after a redirect)

    def as_json(self) -> bytes:
        """The session as the cookie's plaintext."""
        return json.dumps({"csrf": self.csrf, "token": self.token, "child": self.child, "notice": self.notice}).encode()


def load_or_create_key(data_dir: Path) -> bytes:
    """The session encryption key in the data directory, created (owner-readable only) on first use."""
    path = Path(data_dir) / SESSION_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it first
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


class SessionCodec:
    """Seals and opens session cookies."""

    def __init__(self, key: bytes):
        self._fernet = Fernet(key)

    def open(self, value: str | None) -> Session | None:
        """The session in a cookie, or None for no, expired or tampered cookies."""
        if not value:
            return None
        try:
            data: dict[str, Any] = json.loads(self._fernet.decrypt(value.encode(), ttl=SESSION_SECONDS))
            return Session(csrf=str(data["csrf"]), token=data.get("token"), child=data.get("child"), notice=data.get("notice"))
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None

    def seal(self, session: Session) -> str:
        """The cookie value of a session."""
        return self._fernet.encrypt(session.as_json()).decode()


def set_cookie(response: Any, codec: SessionCodec, session: Session, *, secure: bool) -> None:
    """Write the session cookie: HttpOnly, SameSite=Strict, only under /ui."""
    response.set_cookie(
        COOKIE, codec.seal(session), max_age=SESSION_SECONDS, path="/ui", httponly=True, samesite="strict", secure=secure
    )
