"""Representation routes: the population-register sync replaces a child's representation facts."""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Security
from pydantic import BaseModel, ConfigDict, Field

from access_policy.facts import AddressProtection, Holder, Representation
from access_policy.service.tokens import SCOPE_FACTS_READ, SCOPE_REPRESENTATION_WRITE, Caller
from api.deps import ChildDep, RecordsDep, scoped
from api.models import PlausibleInstant
from api.problems import problem_responses

router = APIRouter(tags=["representation"])

Sync = Annotated[Caller, Security(scoped(SCOPE_REPRESENTATION_WRITE), scopes=[SCOPE_REPRESENTATION_WRITE])]
Reader = Annotated[Caller, Security(scoped(SCOPE_FACTS_READ), scopes=[SCOPE_FACTS_READ])]


class RepresentationBody(BaseModel):
    """The child's representation as read from Folkeregisteret."""

    model_config = ConfigDict(extra="forbid")

    birth_date: datetime.date | None = Field(None, description="Optional when the child's id encodes it; must agree with it.")
    address_protection: AddressProtection = AddressProtection.UGRADERT
    holders: tuple[Holder, ...] = Field(default=(), max_length=20)
    retrieved_at: PlausibleInstant = Field(description="When the register was read; at most the policy's clock skew after now.")


class RepresentationStored(BaseModel):
    """The stored representation and whether it changed anything."""

    child: str
    representation: Representation
    changed: bool


class RepresentationHistory(BaseModel):
    """Every representation snapshot of the child, oldest first (the last is current)."""

    child: str
    snapshots: list[Representation]


@router.put(
    "/v1/children/{child}/representation",
    response_model=RepresentationStored,
    summary="Replace a child's representation",
    responses=problem_responses(401, 403, 413, 422, 503),
)
def put_representation(caller: Sync, child: ChildDep, body: RepresentationBody, records: RecordsDep) -> RepresentationStored:
    """Replace the child's representation facts; the old ones stay in history."""
    representation = Representation(
        birth_date=body.birth_date,
        address_protection=body.address_protection,
        holders=body.holders,
        retrieved_at=body.retrieved_at,
    )
    stored, changed = records.put_representation(caller, child, representation)
    return RepresentationStored(child=child, representation=stored, changed=changed)


@router.get(
    "/v1/children/{child}/representation",
    response_model=RepresentationHistory,
    summary="A child's representation history",
    responses=problem_responses(401, 403, 422, 503),
)
def get_representation(caller: Reader, child: ChildDep, records: RecordsDep) -> RepresentationHistory:
    """Every representation snapshot stored for the child."""
    return RepresentationHistory(child=child, snapshots=records.representation_history(child))
