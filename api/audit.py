"""The decision log: read entries (all, or one child's with the child in the body) and verify the hash chain."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Security
from pydantic import BaseModel, ConfigDict, Field

from access_policy.service.audit import verify_audit
from access_policy.service.tokens import SCOPE_AUDIT_READ, Caller
from api.deps import StoreDep, cursor, scoped
from api.models import PersonIdField
from api.problems import problem_responses

router = APIRouter(tags=["audit"])

Auditor = Annotated[Caller, Security(scoped(SCOPE_AUDIT_READ), scopes=[SCOPE_AUDIT_READ])]


class AuditEntryOut(BaseModel):
    """One decision-log entry with its place in the hash chain."""

    position: int
    decision_id: str
    recorded_at: datetime.datetime
    child: str
    entry: dict[str, Any]
    previous_hash: str
    hash: str


class AuditPage(BaseModel):
    """Entries oldest first, and the cursor to ask with next (`after=next`)."""

    entries: list[AuditEntryOut]
    next: str


class AuditVerification(BaseModel):
    """The result of checking the whole chain: `ok`, how many entries, and the first bad position."""

    ok: bool
    checked: int
    first_bad_position: int | None = None
    problem: str | None = None


class AuditSearch(BaseModel):
    """Which decision-log entries: those about one child, under any of its ids (the child travels in the body, never in a URL)."""

    model_config = ConfigDict(extra="forbid")

    child: PersonIdField | None = Field(None, description="Only decisions about this child (under any of its ids).")
    after: str | None = Field(None, description="The `next` of the previous page; from the start when omitted.")
    limit: int = Field(100, ge=1, le=1000)


def _page(store: Any, child: str | None, after: str | None, limit: int) -> AuditPage:
    start = cursor(after, "after")
    if child is None:
        entries = store.read_audit(after=start, limit=limit)
    else:
        # Decisions are logged under the id the request named: read every id of the child, merged
        # in log order (each id's first `limit` after the cursor holds the merged first `limit`).
        _, ids = store.person_ids(child)
        found = [entry for each in sorted(ids) for entry in store.read_audit(child=each, after=start, limit=limit)]
        entries = sorted(found, key=lambda entry: entry.position)[:limit]
    next_cursor = entries[-1].position if entries else (start or 0)
    return AuditPage(
        entries=[
            AuditEntryOut(
                position=e.position, decision_id=e.decision_id, recorded_at=e.recorded_at, child=e.child,
                entry=e.entry, previous_hash=e.previous_hash, hash=e.hash,
            )
            for e in entries
        ],
        next=str(next_cursor),
    )


@router.get(
    "/v1/audit",
    response_model=AuditPage,
    summary="Read the decision log",
    responses=problem_responses(401, 403, 422, 503),
)
def read_audit(
    caller: Auditor,
    store: StoreDep,
    after: Annotated[str | None, Query(description="The `next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Decision-log entries in order (every child); for one child use `POST /v1/audit/search`."""
    return _page(store, None, after, limit)


@router.post(
    "/v1/audit/search",
    response_model=AuditPage,
    summary="Read the decision log for one child",
    responses=problem_responses(401, 403, 422, 503),
)
def search_audit(caller: Auditor, store: StoreDep, body: AuditSearch) -> AuditPage:
    """Decision-log entries in order, optionally only those about the child named in the body (under any of its ids)."""
    return _page(store, body.child, body.after, body.limit)


@router.get(
    "/v1/audit/verify",
    response_model=AuditVerification,
    summary="Verify the decision log's hash chain",
    responses=problem_responses(401, 403, 503),
)
def verify(caller: Auditor, store: StoreDep) -> AuditVerification:
    """Check every entry: a changed, removed or reordered entry gives `ok: false` and its position."""
    result = verify_audit(store)
    return AuditVerification(ok=result.ok, checked=result.checked, first_bad_position=result.first_bad_position, problem=result.problem)
