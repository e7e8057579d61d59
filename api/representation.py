"""Representation routes: the population-register sync replaces a child's representation; the child travels in the body."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Security
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from access_policy.errors import InvalidInputError
from access_policy.facts import (
    MAX_FORMER_IDS,
    MAX_HOLDERS,
    AddressProtection,
    Date,
    Holder,
    Instant,
    PersonNumber,
    RegisterStatus,
    Representation,
)
from access_policy.service.tokens import SCOPE_FACTS_READ, SCOPE_REPRESENTATION_WRITE, Caller
from .deps import RecordsDep, scoped
from .examples import body_examples
from .problems import problem_responses

router = APIRouter(tags=["representation"])

Sync = Annotated[Caller, Security(scoped(SCOPE_REPRESENTATION_WRITE), scopes=[SCOPE_REPRESENTATION_WRITE])]
Reader = Annotated[Caller, Security(scoped(SCOPE_FACTS_READ), scopes=[SCOPE_FACTS_READ])]


class RepresentationBody(BaseModel):
    """The child's representation and register status as read from Folkeregisteret, with the child in the body."""

    model_config = ConfigDict(extra="forbid")

    child: PersonNumber = Field(description="The child's current person number.")
    birth_date: Date | None = Field(None, description="Optional when the child's id encodes it; must agree with it.")
    address_protection: AddressProtection = AddressProtection.UGRADERT
    status: RegisterStatus = Field(RegisterStatus.BOSATT, description="Folkeregisteret's `folkeregisterpersonstatus`.")
    death_date: Date | None = Field(None, description="The date of death (Oslo local date), with `status` `doed` only.")
    former_ids: tuple[PersonNumber, ...] = Field(
        default=(), max_length=MAX_FORMER_IDS, description="The child's earlier ids (e.g. a D-number before a fødselsnummer)."
    )
    holders: tuple[Holder, ...] = Field(default=(), max_length=MAX_HOLDERS)
    retrieved_at: Instant = Field(description="When the register was read; at most the policy's clock skew after now.")


class RepresentationStored(BaseModel):
    """The stored representation and whether it changed anything."""

    child: str
    representation: Representation
    changed: bool


class RepresentationHistory(BaseModel):
    """Every representation snapshot of the child (under any of its ids), oldest first (the last is current)."""

    child: str
    snapshots: list[Representation]


class ChildQuery(BaseModel):
    """Whose representation history."""

    model_config = ConfigDict(extra="forbid")

    child: PersonNumber


@router.put(
    "/v1/representation",
    response_model=RepresentationStored,
    summary="Replace a child's representation",
    responses=problem_responses(401, 403, 413, 422, 503),
    openapi_extra=body_examples("put-representation"),
)
def put_representation(caller: Sync, body: RepresentationBody, records: RecordsDep) -> RepresentationStored:
    """Replace the representation of the child named in the body; the old snapshot stays in history."""
    if body.death_date is not None and body.status is not RegisterStatus.DOED:
        raise InvalidInputError.for_field("death_date", "is given only with `status` `doed`")
    if body.death_date is not None and body.birth_date is not None and body.death_date < body.birth_date:
        raise InvalidInputError.for_field("death_date", f"{body.death_date} is before the birth date {body.birth_date}")
    try:
        representation = Representation.model_validate(body.model_dump(exclude={"child"}))
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from None
    stored, changed = records.put_representation(caller, body.child, representation)
    return RepresentationStored(child=body.child, representation=stored, changed=changed)


@router.post(
    "/v1/representation/search",
    response_model=RepresentationHistory,
    summary="A child's representation history",
    responses=problem_responses(401, 403, 422, 503),    openapi_extra=body_examples("search-representation"),
)
def representation_history(caller: Reader, body: ChildQuery, records: RecordsDep) -> RepresentationHistory:
    """Every representation snapshot stored for the child named in the body."""
    child, snapshots = records.representation_history(body.child)
    return RepresentationHistory(child=child, snapshots=snapshots)
