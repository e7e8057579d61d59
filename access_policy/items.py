"""Items from the front doors (AuthZEN, FHIR): the one place that turns their fields into an engine `Item`.

Items are only unique within their source system. The engine's `Item` gains a source `system`
with the facts' source systems; until it has one, a front door that *derives* the system (FHIR)
matches ids unqualified, as `/v1/decisions` does, and a front door where the caller *states* it
(AuthZEN's `system` property) refuses it rather than accept a fact the engine would ignore.
"""

from __future__ import annotations

import datetime
from typing import Any, Sequence

from pydantic import ValidationError

from access_policy.errors import InvalidInputError
from access_policy.facts import Item

ENGINE_KNOWS_SYSTEM = "system" in Item.model_fields


def build_item(
    id: str,
    kind: str,
    *,
    pathway: str | None = None,
    referral: str | None = None,
    system: str | None = None,
    system_stated: bool = False,
    created: datetime.datetime | str | None = None,
    organisation: str | None = None,
    labels: Sequence[str] = (),
    field: str = "item",
) -> Item:
    """The engine's item for these fields; `InvalidInputError` naming `field` when they do not make one."""
    fields: dict[str, Any] = {"id": id, "kind": kind, "pathway": pathway, "referral": referral, "created": created,
                              "organisation": organisation, "labels": tuple(labels)}
    if system is not None:
        if ENGINE_KNOWS_SYSTEM:
            fields["system"] = system
        elif system_stated:
            raise InvalidInputError.for_field(
                f"{field}.system", "source systems are not yet honoured by the engine; send the id unqualified"
            )
    try:
        return Item(**{key: value for key, value in fields.items() if value is not None})
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInputError.for_field(f"{field}.{where}" if where else field, str(first["msg"])) from None
