"""The decision log: read entries (all, or one child's with the child in the body) and verify the hash chain."""

from __future__ import annotations

import datetime
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, Security
from pydantic import BaseModel, ConfigDict, Field

from access_policy.auditlog.chain import Unreadable
from access_policy.auditlog.export import export_lines
from access_policy.service.audit import pseudonymiser_for, verify_audit
from access_policy.service.settings import ConfigurationError
from access_policy.service.tokens import SCOPE_AUDIT_IDENTITIES, SCOPE_AUDIT_READ, Caller
from .deps import StoreDep, cursor, scoped
from .examples import body_examples
from .models import PersonIdField
from .problems import problem, problem_responses

log = logging.getLogger(__name__)
router = APIRouter(tags=["audit"])

Auditor = Annotated[Caller, Security(scoped(SCOPE_AUDIT_READ), scopes=[SCOPE_AUDIT_READ])]


class AuditEntryOut(BaseModel):
    """One decision-log entry with its place in the hash chain."""

    position: int
    decision_id: str
    recorded_at: datetime.datetime
    child: str
    entry: Any = Field(description="The entry as recorded; null when the stored text is not JSON (see `unreadable`).")
    previous_hash: str
    hash: str
    hash_version: int = Field(description="How `hash` is computed (docs/decision-log.md).")
    unreadable: str | None = Field(None, description="Why the stored entry could not be read, when it cannot.")


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
    anchored: int = Field(0, description="Signed checkpoints of the head that matched the chain.")


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
                entry=None if isinstance(e.entry, Unreadable) else e.entry, previous_hash=e.previous_hash, hash=e.hash,
                hash_version=e.hash_version,
                unreadable=f"not JSON ({e.entry.problem})" if isinstance(e.entry, Unreadable) else None,
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
    after: Annotated[str | None, Query(description="The `next` of the previous page.", max_length=18, pattern=r"^[0-9]*$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Decision-log entries in order (every child); for one child use `POST /v1/audit/search`."""
    return _page(store, None, after, limit)


@router.post(
    "/v1/audit/search",
    response_model=AuditPage,
    summary="Read the decision log for one child",
    responses=problem_responses(401, 403, 422, 503),    openapi_extra=body_examples("search-audit"),
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
def verify(caller: Auditor, store: StoreDep, request: Request) -> AuditVerification:
    """Check every entry and the service's signed checkpoints: a changed, removed, reordered or cut-off entry gives `ok: false`."""
    checkpointer = getattr(request.app.state, "checkpointer", None)
    result = verify_audit(store, public_key=checkpointer.public_key if checkpointer is not None else None)
    return AuditVerification(
        ok=result.ok, checked=result.checked, first_bad_position=result.first_bad_position, problem=result.problem,
        anchored=result.anchored,
    )


class JsonLinesResponse(Response):
    """One JSON object per line (`application/x-ndjson`)."""

    media_type = "application/x-ndjson"


class AuditExportLine(BaseModel):
    """One line of the export (docs/decision-log.md): the chain's fields, and the entry pseudonymised unless asked otherwise."""

    position: int = Field(description="The entry's place in the chain (1, 2, …).")
    decision_id: str = Field(description="The decision's id, as the decision response gave it.")
    recorded_at: str = Field(description="As hashed: `YYYY-MM-DDTHH:MM:SS.ffffffZ` (version 2) or isoformat (version 1).")
    hash_version: int = Field(description="1: the first sorted-keys JSON; 2: RFC 8785 with a body digest.")
    previous_hash: str = Field(description="The hash of the entry before (64 zeros for the first).")
    hash: str = Field(description="This entry's chain hash (sha256, hex).")
    pseudonymised: bool = Field(description="True when person numbers are replaced by keyed pseudonyms.")
    child: str = Field(description="`ps1:` and 32 hex digits (a keyed pseudonym), or the person number with `identities`.")
    entry: Any = Field(description="The entry; its `child` and `requester` pseudonymised like `child`. Null when unreadable.")
    body_digest: str | None = Field(None, description="Version 2, pseudonymised: what the hash covers instead of the entry.")
    salt: str | None = Field(None, description="Version 2, with identities: the salt of the body digest.")
    unreadable: str | None = Field(None, description="Why the stored entry is not JSON, when it is not.")


@router.get(
    "/v1/audit/export",
    response_class=JsonLinesResponse,
    summary="Export the decision log as JSON lines (pseudonymised)",
    responses={
        200: {"model": AuditExportLine, "description": "One `AuditExportLine` per line, oldest first."},
        **problem_responses(401, 403, 422, 503),
    },
)
def export(
    caller: Auditor,
    store: StoreDep,
    request: Request,
    after: Annotated[int, Query(ge=0, le=2**62, description="Export the entries after this position (0: from the start).")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    identities: Annotated[
        bool, Query(description="Person numbers instead of pseudonyms; needs the `audit:identities` scope too.")
    ] = False,
) -> Response:
    """Entries after a position for a SIEM; the requester's and child's numbers are keyed pseudonyms unless `identities`."""
    if identities:
        caller.require(SCOPE_AUDIT_IDENTITIES)
        pseudonym = None
    else:
        pseudonym = request.app.state.pseudonymiser
        if pseudonym is None:
            try:
                pseudonym = request.app.state.pseudonymiser = pseudonymiser_for(request.app.state.settings)
            except ConfigurationError:
                # The service's own configuration, not the caller's request: unavailable, said plainly.
                log.error("the decision-log export has no pseudonym key (ACCESS_POLICY_PSEUDONYM_KEY)")
                return problem(503, "export-unavailable", "the pseudonymised export is not configured on this service")
    body = "".join(export_lines(store.read_audit(after=after, limit=limit), pseudonym))
    return JsonLinesResponse(body, headers={"Cache-Control": "no-store"})
