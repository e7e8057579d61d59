"""Fixtures for the service tests: the app over a real SQLite store in tmp_path, tokens, a family."""

from __future__ import annotations

import datetime
import logging
import re
import warnings
from pathlib import Path
from typing import Callable, Iterator

import pytest
from dateutil.relativedelta import relativedelta

from access_policy.facts import Author, Holder, Representation, Responsibility
from access_policy.identity import make_person_id
from access_policy.policy import Policy
from access_policy.service.settings import Settings
from access_policy.service.tokens import issue_dev_token
from api.app import create_app

with warnings.catch_warnings():
    # Starlette warns once, at import, that it prefers httpx2 over httpx; either works here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PERSON_NUMBER = re.compile(r"(?<![0-9])[0-9]{11}(?![0-9])")
# Random ids (UUIDs, hashes) can hold eleven digits in a row by chance: they are not person numbers.
RANDOM_ID = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32,})(?![0-9A-Za-z])"
)


def person_numbers_in(text: str) -> list[str]:
    """What in `text` is shaped like a person number (11 digits), random ids (UUIDs, hashes) left out."""
    return PERSON_NUMBER.findall(RANDOM_ID.sub("<id>", text))


class LogCapture(logging.Handler):
    """Every log line of the test, formatted as a service's log would show it, and every URL requested."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []
        self.urls: list[str] = []
        self.problems: list[str] = []  # problem+json bodies: problem details never name a person either

    def emit(self, record: logging.LogRecord) -> None:
        # The formatter appends the traceback, as a service's log does: tracebacks reach logs too.
        self.lines.append(self.format(record))

    def person_numbers(self) -> list[str]:
        """Log lines and URLs that carry something shaped like a person number (11 digits)."""
        seen = [*self.lines, *self.urls, *self.problems]
        return [line for line in seen if person_numbers_in(line)]


def _with_access_log(capture: LogCapture):  # noqa: ANN202 - an ASGI callable
    """Starlette's entry point, logging each request as uvicorn's access log does (same logger, same line)."""
    from starlette.applications import Starlette
    from uvicorn.protocols.utils import get_path_with_query_string

    original = Starlette.__call__
    access = logging.getLogger("uvicorn.access")

    async def call(self, scope, receive, send):  # noqa: ANN001, ANN202
        if scope["type"] != "http":
            return await original(self, scope, receive, send)
        status = {"code": 500, "problem": False}

        async def sending(message):  # noqa: ANN001, ANN202
            if message["type"] == "http.response.body" and status["problem"]:
                capture.problems.append(message.get("body", b"").decode("utf-8", "replace"))
            if message["type"] == "http.response.start":
                status["problem"] = (b"content-type", b"application/problem+json") in message.get("headers", [])
                status["code"] = message["status"]
                path = get_path_with_query_string(scope)
                capture.urls.append(path)
                # uvicorn writes its access line when the response starts.
                client = scope.get("client")  # some test transports give no client or a string port
                address = f"{client[0]}:{client[1]}" if client else "-"
                access.info('%s - "%s %s HTTP/%s" %d', address, scope["method"], path, scope["http_version"], status["code"])
            await send(message)

        await original(self, scope, receive, sending)

    return original, call


@pytest.fixture(autouse=True)
def no_person_number_in_urls_or_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[LogCapture]:
    """Every API test runs with the access log and the app's loggers captured at INFO; no line, URL or problem may show a person number."""
    from starlette.applications import Starlette

    capture = LogCapture()
    root = logging.getLogger()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.INFO)
    # Another test (or the service's logging setup) may have quieted uvicorn's access logger.
    access = logging.getLogger("uvicorn.access")
    access_level = access.level
    monkeypatch.setattr(access, "disabled", False)
    # The capture listens on the access logger itself (not through propagation), so whatever
    # handlers or propagation another test's logging setup left there, its lines are seen once.
    monkeypatch.setattr(access, "propagate", False)
    access.addHandler(capture)
    access.setLevel(logging.INFO)
    _, call = _with_access_log(capture)
    monkeypatch.setattr(Starlette, "__call__", call)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(level)
        access.removeHandler(capture)
        access.setLevel(access_level)
    leaks = capture.person_numbers()
    assert not leaks, f"a person number in a URL or log line: {leaks[:3]}"


HPR = "1234567"
ORG = "974589095"
Headers = dict[str, str]


def open_test_store(data_dir: Path):  # noqa: ANN201 - a FactStore
    """The real SQLite store in a test's data directory."""
    from access_policy.store import open_store

    return open_store(data_dir=data_dir, migrate=True)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Development settings over a fresh data directory."""
    return Settings(dev=True, data_dir=tmp_path / "data").checked()


@pytest.fixture
def store(settings: Settings) -> Iterator[object]:
    """The SQLite store in the test's data directory."""
    store = open_test_store(settings.data_dir)
    yield store
    close = getattr(store, "close", None)
    if callable(close):
        close()


@pytest.fixture
def client(settings: Settings, store: object, national_policy: Policy) -> Iterator[TestClient]:
    """A client of the app over the SQLite store; server errors come back as responses."""
    app = create_app(settings, store=store, policy=national_policy)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def token(settings: Settings) -> Callable[..., Headers]:
    """Authorization headers for a development token with these scopes (and optional claims)."""

    def make(*scopes: str, **claims: object) -> Headers:
        return {"Authorization": "Bearer " + issue_dev_token(settings, scopes, **claims)}

    return make


@pytest.fixture
def clinician(token: Callable[..., Headers]) -> Headers:
    """A clinician's token: facts:write and facts:read, with HPR and organisation."""
    return token("facts:write", "facts:read", hpr=HPR, org=ORG)


class Family:
    """A child of 13 (at the fixed `now`) with two parents holding joint responsibility and one parent without it."""

    def __init__(self, now: datetime.datetime, serial: int = 0):
        # 13 at the fixed `now`; on a later day born later, so that a grey-zone assessment (checked
        # against the real time it is recorded) still finds the child 12–15.
        birth = min(datetime.date(2013, 3, 14), datetime.date.today() - relativedelta(years=13, days=40))
        self.child = make_person_id(birth, 10 + serial)
        self.mother = make_person_id(datetime.date(1985, 6, 1), 20 + serial)
        self.father = make_person_id(datetime.date(1984, 2, 2), 30 + serial)
        self.stranger = make_person_id(datetime.date(1980, 1, 1), 40 + serial)
        self.representation = Representation(
            holders=(
                Holder(id=self.mother, responsibility=Responsibility.FELLES),
                Holder(id=self.father, responsibility=Responsibility.FELLES),
            ),
            retrieved_at=now - datetime.timedelta(hours=1),
        )


@pytest.fixture
def family(store: object, now: datetime.datetime) -> Family:
    """A family whose representation is stored (retrieved an hour before `now`)."""
    family = Family(now)
    store.put_representation(family.child, family.representation, Author(system="test"))
    return family


def item(id: str = "doc-1", kind: str = "note", **extra: object) -> dict[str, object]:
    """An item as a journal system sends it."""
    return {"id": id, "kind": kind, **extra}
