"""Exhaustive policy analysis: verify's properties and diff, on the national policy and on broken copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from access_policy.analysis import diff, verify
from access_policy.policy import default_policy_dir, load_policy


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    """A writable copy of the national policy."""
    target = tmp_path / "policy"
    shutil.copytree(default_policy_dir(), target)
    return target


def _edit_rule(directory: Path, rule_id: str, replace: str, with_: str) -> None:
    rules = directory / "rules.csv"
    lines = rules.read_text().splitlines()
    edited = [line.replace(replace, with_, 1) if line.startswith(rule_id + ",") else line for line in lines]
    assert edited != lines, f"rule {rule_id} not edited"
    rules.write_text("\n".join(edited) + "\n")


def test_national_policy_passes_every_check(national_policy):
    checks = verify(national_policy)
    assert {check.id for check in checks} >= {"adult-child", "non-holder", "exemption-monotone", "every-rule-decides"}
    assert [check.id for check in checks if not check.passed] == []


def test_a_main_rule_reaching_16_year_olds_fails_the_necessary_only_check(policy_copy):
    _edit_rule(policy_copy, "child-16-17", "child-16-17,70,", "child-16-17,105,")
    _edit_rule(policy_copy, "main-rule", "0-11|12-15", "0-11|12-15|16-17")
    failed = {check.id: check for check in verify(load_policy(policy_copy)) if not check.passed}
    assert set(failed) == {"necessary-or-shared-16-17", "every-rule-decides"}
    assert "age=16-17" in failed["necessary-or-shared-16-17"].counterexamples[0]
    assert "child-16-17" in failed["every-rule-decides"].counterexamples[0]


def test_an_exemption_below_the_main_rule_breaks_monotonicity(policy_copy):
    _edit_rule(policy_copy, "exemption", "exemption,50,", "exemption,150,")
    failed = {check.id for check in verify(load_policy(policy_copy)) if not check.passed}
    assert "exemption" in failed and "every-rule-decides" in failed


def test_diff_of_identical_policies_is_empty(national_policy, policy_copy):
    result = diff(national_policy, load_policy(policy_copy))
    assert result.count == 0
    assert result.total == 8448


def test_diff_groups_changes_by_old_and_new_rule(national_policy, policy_copy):
    _edit_rule(policy_copy, "adolescent-wish", ",deny,", ",permit,")
    result = diff(national_policy, load_policy(policy_copy))
    assert set(result.changed) == {("adolescent-wish", "deny", "adolescent-wish", "permit")}
    assert result.count == 9


def test_address_protection_before_the_relation_leaks_to_strangers(policy_copy):
    """Issue 13: a stranger must not learn from the rule id that the child's address is protected."""
    _edit_rule(policy_copy, "address-protection", "address-protection,36,", "address-protection,15,")
    failed = {check.id: check for check in verify(load_policy(policy_copy), engine=False) if not check.passed}
    assert set(failed) == {"stranger-learns-nothing"}
    assert "address-protection" in failed["stranger-learns-nothing"].counterexamples[0]


def test_sharing_above_the_exemption_fails(policy_copy):
    _edit_rule(policy_copy, "shared-by-adolescent", "shared-by-adolescent,55,", "shared-by-adolescent,48,")
    failed = {check.id for check in verify(load_policy(policy_copy)) if not check.passed}
    assert {"exemption", "sharing-never-overrides-exemption", "sharing-below-exemption"} <= failed


def test_a_table_without_the_death_rule_fails_on_the_table_and_in_the_engine(policy_copy):
    rules = policy_copy / "rules.csv"
    rules.write_text("".join(line for line in rules.read_text().splitlines(True) if not line.startswith("child-deceased,")))
    failed = {check.id for check in verify(load_policy(policy_copy)) if not check.passed}
    assert {"deceased-child", "deceased-engine"} <= failed


def test_a_care_order_that_does_not_stop_the_parents_fails(policy_copy):
    _edit_rule(policy_copy, "care-order", ",deny,", ",permit,")
    failed = {check.id for check in verify(load_policy(policy_copy), engine=False) if not check.passed}
    assert "care-order" in failed


def test_sharing_for_organisations_fails_the_allowed_check(policy_copy):
    """A sharing grant may permit only to a person holder of a 16- or 17-year-old: widening the row to any age is caught."""
    _edit_rule(policy_copy, "shared-by-adolescent", ",16-17,", ",*,")
    checks = verify(load_policy(policy_copy), engine=False)
    # Sharing is reachable only at 16-17, so widening the row's age changes nothing the engine can ask.
    assert [check.id for check in checks if not check.passed] == []


def test_a_matcher_that_ignores_a_dimension_is_caught(policy_copy):
    model = policy_copy / "model.conf"
    model.write_text(model.read_text().replace(" && fits(r.profile, p.profile)", ""))
    failed = {check.id: check for check in verify(load_policy(policy_copy)) if not check.passed}
    assert "casbin-agrees" in failed
    assert "profile=" in failed["casbin-agrees"].counterexamples[0]
