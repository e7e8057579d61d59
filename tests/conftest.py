"""Fixtures shared by every test package: the national policy, a fixed clock, PostgreSQL access."""

from __future__ import annotations

import datetime
import os

import pytest

from access_policy.policy import Policy, load_policy

POSTGRES_URL_VARIABLE = "ACCESS_POLICY_TEST_DATABASE_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def national_policy() -> Policy:
    """The national policy shipped in `policies/`."""
    return load_policy()


@pytest.fixture
def now() -> datetime.datetime:
    """A fixed decision time: 30 November 2026, noon in Oslo."""
    return datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))


def _postgres_reachable(url: str) -> str | None:
    """None when PostgreSQL answers at `url`, else why not."""
    try:
        import sqlalchemy

        engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(error).__name__}: {error}".splitlines()[0]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL URL for tests; skipped locally without a server, a failure in CI."""
    url = os.environ.get(POSTGRES_URL_VARIABLE, DEFAULT_POSTGRES_URL)
    problem = _postgres_reachable(url)
    if problem is not None:
        message = f"PostgreSQL is not reachable at {url} ({problem}); set {POSTGRES_URL_VARIABLE}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the PostgreSQL tests")
        pytest.skip(f"{message}: PostgreSQL tests skipped")
    return url
