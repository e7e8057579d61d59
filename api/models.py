"""Request field types shared by the route modules (the fact types are reused where they fit)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

from access_policy.facts import PartyNumber, PersonNumber
from access_policy.service.times import check_plausible

# The fact types' id checks raise pydantic errors, so a bad id is a 422 naming its full
# location (e.g. `items.17.organisation`) without any wrapping here.
PersonIdField = PersonNumber
PartyIdField = PartyNumber


def _plausible(value):  # noqa: ANN001, ANN202 - a pydantic after-validator
    check_plausible(value)
    return value


# An instant with a UTC offset that converts to UTC and lies between the years 1800 and 9000:
# `9999-12-31T23:59:59-14:00` overflows on conversion, and nothing in this domain happens then.
PlausibleInstant = Annotated[
    AwareDatetime,
    AfterValidator(_plausible),
    Field(description="An instant with a UTC offset, between 1800-01-01 and 9000-01-01 UTC."),
]
