"""The service fixtures of tests/api (app over a real SQLite store, tokens, a family), shared here."""

from tests.api.conftest import client, clinician, family, settings, store, token  # noqa: F401 - fixtures
