"""The guideline as Norwegian scenarios: every feature file in `features/` runs as tests here."""

from pytest_bdd import scenarios

scenarios(".")
