"""The decision log: read entries (for one child or all) and verify the hash chain."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Security
from pydantic import BaseModel

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


@router.get(
    "/v1/audit",
    response_model=AuditPage,
    summary="Read the decision log",
    responses=problem_responses(401, 403, 422, 503),
)
def read_audit(
    caller: Auditor,
    store: StoreDep,
    child: Annotated[PersonIdField | None, Query(description="Only decisions about this child.")] = None,
    after: Annotated[str | None, Query(description="The `next` of the previous page.", max_length=18, pattern=r"^[0-9]*$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Decision-log entries in order, optionally for one child."""
    start = cursor(after, "after")
    entries = store.read_audit(child=child, after=start, limit=limit)
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
    "/v1/audit/verify",
    response_model=AuditVerification,
    summary="Verify the decision log's hash chain",
    responses=problem_responses(401, 403, 503),
)
def verify(caller: Auditor, store: StoreDep) -> AuditVerification:
    """Check every entry: a changed, removed or reordered entry gives `ok: false` and its position."""
    result = verify_audit(store)
    return AuditVerification(ok=result.ok, checked=result.checked, first_bad_position=result.first_bad_position, problem=result.problem)
