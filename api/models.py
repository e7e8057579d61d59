"""Request field types shared by the route modules (the fact types are reused where they fit)."""

from __future__ import annotations

from access_policy.facts import PartyNumber, PersonNumber

# The fact types' id checks raise pydantic errors, so a bad id is a 422 naming its full
# location (e.g. `items.17.organisation`) without any wrapping here.
PersonIdField = PersonNumber
PartyIdField = PartyNumber
