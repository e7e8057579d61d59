"""Request field types shared by the route modules (the fact types are reused where they fit)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

from access_policy.facts import PartyNumber, PersonNumber
from access_policy.instants import check_plausible

# The id rules, stated in the schema so clients and generated tests send ids of the right shape;
# the check digits and dates are validated by `identity` (a bad id is a 422 naming its field).
PERSON_ID_PATTERN = r"^[0-9]{11}$"
PARTY_ID_PATTERN = r"^([0-9]{11}|[0-9]{9})$"

PersonIdField = Annotated[
    PersonNumber,
    Field(
        description="An 11-digit Norwegian person number (fødselsnummer, D-, H- or FH-number) with valid check digits.",
        json_schema_extra={"pattern": PERSON_ID_PATTERN, "minLength": 11, "maxLength": 11},
    ),
]
PartyIdField = Annotated[
    PartyNumber,
    Field(
        description="A person number (11 digits) or an organisation number (9 digits), with valid check digits.",
        json_schema_extra={"pattern": PARTY_ID_PATTERN, "minLength": 9, "maxLength": 11},
    ),
]


def _plausible(value):  # noqa: ANN001, ANN202 - a pydantic after-validator
    check_plausible(value)
    return value


# An instant with a UTC offset that lies between the years 1900 and 2199 (`access_policy.instants`).
PlausibleInstant = Annotated[
    AwareDatetime,
    AfterValidator(_plausible),
    Field(description="An instant with a UTC offset, from 1900-01-01 up to 2200-01-01 UTC."),
]
