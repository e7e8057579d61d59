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
    assert set(failed) == {"necessary-only-16-17", "every-rule-decides"}
    assert "age=16-17" in failed["necessary-only-16-17"].counterexamples[0]
    assert "child-16-17" in failed["every-rule-decides"].counterexamples[0]


def test_an_exemption_below_the_main_rule_breaks_monotonicity(policy_copy):
    _edit_rule(policy_copy, "exemption", "exemption,50,", "exemption,150,")
    failed = {check.id for check in verify(load_policy(policy_copy)) if not check.passed}
    assert "exemption" in failed and "every-rule-decides" in failed


def test_diff_of_identical_policies_is_empty(national_policy, policy_copy):
    result = diff(national_policy, load_policy(policy_copy))
    assert result.count == 0
    assert result.total == 8640


def test_diff_groups_changes_by_old_and_new_rule(national_policy, policy_copy):
    _edit_rule(policy_copy, "adolescent-consent", ",deny,", ",permit,")
    result = diff(national_policy, load_policy(policy_copy))
    assert set(result.changed) == {("adolescent-consent", "deny", "adolescent-consent", "permit")}
    assert result.count == 6


def test_a_matcher_that_ignores_a_dimension_is_caught(policy_copy):
    model = policy_copy / "model.conf"
    model.write_text(model.read_text().replace(" && fits(r.profile, p.profile)", ""))
    failed = {check.id: check for check in verify(load_policy(policy_copy)) if not check.passed}
    assert "casbin-agrees" in failed
    assert "profile=" in failed["casbin-agrees"].counterexamples[0]
