"""Policy commands: decide, verify, diff."""

from __future__ import annotations

from access_policy.cli import app  # noqa: F401
