"""Scopes beyond the base set in `tokens`: overriding another organisation's fact, full explanations."""

from __future__ import annotations

from access_policy.service.tokens import SCOPES

# Revoke a fact that another organisation set (with a reason, recorded with the revocation).
SCOPE_FACTS_OVERRIDE = "facts:override"
# Decisions with their full explanation (facts, authors, legal bases): clinicians' preview, audits.
SCOPE_DECISIONS_EXPLAIN = "decisions:explain"

ALL_SCOPES = (*SCOPES, SCOPE_FACTS_OVERRIDE, SCOPE_DECISIONS_EXPLAIN)
