"""Command-line commands of the service domain (registered on the shared app when imported)."""

from __future__ import annotations

from access_policy.cli import app  # noqa: F401
