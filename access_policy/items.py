"""Items from the front doors (AuthZEN, FHIR): the one place that turns their fields into an engine `Item`.

Items are only unique within their source system: a front door that *derives* the system (FHIR,
from an identifier's system or the managing organisation) or where the caller *states* it
(AuthZEN's `system` property) passes it on; without one the item is from the `local` system.
"""

from __future__ import annotations

import datetime
from typing import Any, Sequence

from pydantic import ValidationError

from access_policy.errors import InvalidInputError
from access_policy.facts import Item


def build_item(
    id: str,
    kind: str,
    *,
    pathway: str | None = None,
    referral: str | None = None,
    system: str | None = None,
    created: datetime.datetime | str | None = None,
    organisation: str | None = None,
    labels: Sequence[str] = (),
    field: str = "item",
) -> Item:
    """The engine's item for these fields; `InvalidInputError` naming `field` when they do not make one."""
    fields: dict[str, Any] = {"id": id, "kind": kind, "pathway": pathway, "referral": referral, "created": created,
                              "organisation": organisation, "labels": tuple(labels)}
    if system is not None:
        fields["system"] = system
    try:
        return Item(**{key: value for key, value in fields.items() if value is not None})
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInputError.for_field(f"{field}.{where}" if where else field, str(first["msg"])) from None
