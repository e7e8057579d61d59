"""Hostile input, generated from the service's own OpenAPI document (schemathesis).

Every operation with every scope (and none): no 5xx, and every response matches the documented
schema, status and media type. Generated ids are often swapped for valid synthetic ones, so
requests get past the id checks and reach the services. A stateful run follows the document's
links: records created are listed and revoked. CI runs a bounded number of cases; set
`ACCESS_POLICY_FUZZ_SCALE` (e.g. 10) for the long variant (docs/reliability.md).
"""

from __future__ import annotations

import collections
import datetime
import os
import re
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyStrategyDefinition

from access_policy.facts import Author
from access_policy.service.tokens import SCOPES as ALL_SCOPES
from access_policy.service.tokens import issue_dev_token
from api.app import create_app
from tests.api.conftest import HPR, ORG, Family

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis import checks

LONG = os.environ.get("ACCESS_POLICY_LONG") == "1"
SCALE = int(os.environ.get("ACCESS_POLICY_FUZZ_SCALE") or (10 if LONG else 1))
EXAMPLES_ALL_SCOPES = 40 * SCALE
EXAMPLES_PER_VARIANT = 4 * SCALE
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
]
ID_FIELDS = ("child", "requester", "representative", "id")

# Figures for docs/reliability.md: cases sent and statuses seen, over the whole module.
TALLY: collections.Counter = collections.Counter()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory, national_policy):
    """The app over a fresh store with one family whose ids the generated requests borrow."""
    yield from _fuzzed_app(tmp_path_factory, national_policy)


@pytest.fixture
def fresh_fuzzed(tmp_path_factory, national_policy):
    """As `fuzzed`, for one test alone: what it generates does not depend on what other tests stored."""
    yield from _fuzzed_app(tmp_path_factory, national_policy)


def _fuzzed_app(tmp_path_factory, national_policy):
    from access_policy.service.settings import Settings
    from tests.api.conftest import open_test_store

    settings = Settings(dev=True, data_dir=tmp_path_factory.mktemp("fuzz") / "data").checked()
    store = open_test_store(settings.data_dir)
    now = datetime.datetime.now(datetime.timezone.utc)
    family = Family(now, serial=7)
    store.put_representation(family.child, family.representation, Author(system="test"))
    app = create_app(settings, store=store, policy=national_policy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    yield settings, schema, family
    store.close()


def _tokens(settings) -> dict[str, dict[str, str]]:
    def bearer(scopes: list[str]) -> dict[str, str]:
        return {"Authorization": "Bearer " + issue_dev_token(settings, scopes, hpr=HPR, org=ORG)}

    variants = {"all scopes": bearer(list(ALL_SCOPES)), "no token": {}}
    variants.update({f"only {scope}": bearer([scope]) for scope in ALL_SCOPES})
    return variants


def _meaningful(case, family, pick: int) -> None:
    """Swap generated ids for the family's valid ones (pick 0–2), or keep the generated ones (3)."""
    valid = (family.child, family.mother, family.father)
    # A generated 11-digit cursor can pass the person-number check, and every API test fails on a
    # person number in a URL: keep generated cursors shorter (the service accepts up to 18 digits).
    for name, value in list((case.query or {}).items()):
        digits = str(value)
        if isinstance(value, (int, str)) and digits.isdigit() and len(digits) >= 11:
            case.query[name] = type(value)(digits[:10])
    # The same for a generated record id in a path: eleven digits in a row would read as a person number.
    for name, value in list((case.path_parameters or {}).items()):
        if isinstance(value, str) and re.search(r"[0-9]{11}", value):
            case.path_parameters[name] = re.sub(r"[0-9]{11,}", lambda run: run.group()[:10], value)
    if pick >= len(valid):
        return
    if case.path_parameters and "child" in case.path_parameters:
        case.path_parameters["child"] = family.child
    if isinstance(case.body, dict):
        for name in ("child",):
            if name in case.body:
                case.body[name] = family.child
        for name in ("requester", "representative"):
            if name in case.body:
                case.body[name] = valid[pick]


def _run(schema, family, headers: dict[str, str], examples: int) -> list[str]:
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=examples, deadline=None, database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), pick=st.integers(0, 3))
        def run(case, pick):
            _meaningful(case, family, pick)
            response = case.call(headers=headers)
            TALLY["cases"] += 1
            TALLY[f"status {response.status_code}"] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - collected, reported below
                problems.append(f"{operation.method.upper()} {operation.path} → {response.status_code}: {str(error)[:300]}")  # noqa: B023 - runs in this iteration

        run()
    return problems


def test_every_operation_with_every_scope_answers_as_documented(fuzzed):
    settings_, schema, family = fuzzed
    problems = []
    for variant, headers in _tokens(settings_).items():
        examples = EXAMPLES_ALL_SCOPES if variant == "all scopes" else EXAMPLES_PER_VARIANT
        problems += [f"[{variant}] {p}" for p in _run(schema, family, headers, examples)]
    assert TALLY["cases"] > 0
    server_errors = sum(count for key, count in TALLY.items() if key.startswith("status 5") and key != "status 503")
    print(f"\nfuzz: {TALLY['cases']} cases, statuses {dict(sorted((k, v) for k, v in TALLY.items() if k != 'cases'))}")
    assert server_errors == 0
    assert problems == [], "\n".join(problems[:20])


def test_created_records_are_read_and_revoked_through_the_links(fresh_fuzzed):
    settings_, schema, family = fresh_fuzzed
    headers = _tokens(settings_)["all scopes"]
    machine = schema.as_state_machine()
    seen: collections.Counter = collections.Counter()
    problems: list[str] = []

    child = {"child": family.child}
    valid_bodies = {
        "exemptions": {**child, "scope": {"pathway": "pw-1"}, "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": "r"},
        "access-profiles": {**child, "representative": family.father, "kinds": ["appointment"]},
        "necessary-information": {**child, "scope": {"item": "d"}, "applies_to": "all", "legal_basis": "pbrl-3-4-4", "reason": "r"},
        "assessments": {**child, "scope": {"referral": "r-1"}, "adolescent_can_consent": True, "parents_informed": False},
    }
    turn = iter(range(10**9))

    class Links(machine):  # type: ignore[misc, valid-type]
        def before_call(self, case):
            _meaningful(case, family, 0)
            kind = case.operation.path.rsplit("/", 1)[-1]
            if case.operation.method.upper() == "POST" and kind in valid_bodies and next(turn) % 2 == 0:
                case.body = dict(valid_bodies[kind])  # every other create valid, so links have records to follow
            # The token wins over any generated Authorization header.
            case.headers = {key: value for key, value in (case.headers or {}).items() if key.lower() != "authorization"}

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def after_call(self, response, case):
            seen[(case.operation.method.upper(), response.status_code)] += 1
            if case.operation.path.endswith("/revoke") and response.status_code == 200:
                seen["revoked"] += 1

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            # Collected, not raised: the store persists across sequences, so a replayed sequence
            # would meet other records and hypothesis would report flakiness instead of the failure.
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001
                problems.append(f"{case.operation.method.upper()} {case.operation.path} → {response.status_code}: {str(error)[:300]}")

    Links.TestCase.settings = settings(
        # Not scaled with the long variant: over more sequences schemathesis' link preconditions,
        # which follow what the (persistent) store answered, make hypothesis report flaky generation.
        max_examples=15, stateful_step_count=6, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
        # The same sequences on every run: whether a random run happens to revoke what it created
        # must not decide whether the suite passes.
        derandomize=True,
    )
    try:
        Links.TestCase().runTest()
    except FlakyStrategyDefinition:
        # The store persists across sequences, so hypothesis' replay of a sequence meets other
        # records and link preconditions differ: generation is "flaky" by design here. What the
        # test asserts is checked below on every call that was made.
        pass
    # The links were followed: something was created and then revoked by its returned id.
    print("stateful:", dict(seen))
    assert problems == [], "\n".join(problems[:20])
    assert seen[("POST", 201)] > 0 and seen["revoked"] + seen[("DELETE", 200)] > 0, dict(seen)
