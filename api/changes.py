"""The change feed: facts created or revoked after a cursor, for other health actors' systems."""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Security
from pydantic import BaseModel

from access_policy.service.tokens import SCOPE_FACTS_READ, Caller
from api.deps import RecordsDep, cursor, scoped
from api.problems import problem_responses

router = APIRouter(tags=["changes"])

Reader = Annotated[Caller, Security(scoped(SCOPE_FACTS_READ), scopes=[SCOPE_FACTS_READ])]


class ChangeOut(BaseModel):
    """One fact created or revoked."""

    position: int
    child: str
    kind: str
    id: str
    action: str
    at: datetime.datetime


class ChangePage(BaseModel):
    """Changes oldest first, and the cursor to ask with next (`after=next`)."""

    changes: list[ChangeOut]
    next: str


@router.get(
    "/v1/changes",
    response_model=ChangePage,
    summary="Facts created or revoked after a cursor",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def changes(
    caller: Reader,
    records: RecordsDep,
    after: Annotated[str | None, Query(description="The `next` of the previous page; from the start when omitted.", max_length=18, pattern=r"^[0-9]*$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> ChangePage:
    """Changes after the cursor, oldest first."""
    found, next_cursor = records.changes(cursor(after, "after"), limit)
    return ChangePage(
        changes=[
            ChangeOut(position=c.position, child=c.child, kind=c.kind, id=c.fact_id, action=c.action, at=c.at)
            for c in found
        ],
        next=str(next_cursor),
    )
