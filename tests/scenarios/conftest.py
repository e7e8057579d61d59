"""pytest-bdd runs `features/` with the step library of `access_policy.scenarios.steps`."""

from __future__ import annotations

import pytest
from pytest_bdd import parsers, step

from access_policy.policy import Policy
from access_policy.scenarios.steps import STEPS, Verden


@pytest.fixture
def verden() -> Verden:
    """A fresh scenario world."""
    return Verden()


@pytest.fixture
def policy(national_policy: Policy) -> Policy:
    """The policy the scenarios run against: the national one."""
    return national_policy


# Every step of the library, registered in this module for pytest-bdd.
for _definition in STEPS:
    step(parsers.re(_definition.pattern.pattern), _definition.type)(_definition.func)
