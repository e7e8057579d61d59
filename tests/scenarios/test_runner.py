"""The package's own scenario runner agrees with pytest-bdd, and catches a policy that breaks a rule."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from access_policy.cli import app
from access_policy.policy import Policy, default_policy_dir, load_policy
from access_policy.scenarios.runner import run_scenarios

FEATURES = Path(__file__).resolve().parents[2] / "features"


def _broken_policy(tmp_path: Path) -> Path:
    """The national policy with the exemption row turned into a permit."""
    target = tmp_path / "broken"
    shutil.copytree(default_policy_dir(), target, ignore=shutil.ignore_patterns("helsenorge"))
    rules = target / "rules.csv"
    text = rules.read_text(encoding="utf-8")
    lines = [line.replace(",deny,", ",permit,") if line.startswith("exemption,") else line for line in text.splitlines()]
    assert lines != text.splitlines(), "the exemption row was not found"
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def test_every_scenario_passes_against_the_national_policy(national_policy: Policy) -> None:
    results = run_scenarios(national_policy, FEATURES)
    assert len(results) >= 100
    assert [r.name for r in results if not r.passed] == []
    assert {rule.id for rule in national_policy.rules} <= set().union(*(r.rules for r in results))


def test_a_broken_rule_fails_its_scenarios(tmp_path: Path) -> None:
    results = run_scenarios(load_policy(_broken_policy(tmp_path)), FEATURES)
    failed = [r for r in results if not r.passed]
    assert failed and all("exemption" in r.rules or "U" in (r.error or "") for r in failed)
    assert any(r.feature == "unntak.feature" for r in failed)


def test_the_command_exits_1_on_a_failing_scenario(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(app, ["scenarios"])
    assert good.exit_code == 0, good.output
    assert "scenarios pass" in good.output
    bad = runner.invoke(app, ["scenarios", str(_broken_policy(tmp_path)), str(FEATURES)])
    assert bad.exit_code == 1
    assert "FAIL unntak.feature" in bad.output


def test_a_scenario_inside_a_rule_keeps_its_line(national_policy: Policy, tmp_path: Path) -> None:
    feature = tmp_path / "regel.feature"
    feature.write_text(
        "# language: no\n"
        "Egenskap: Linjer\n"
        "\n"
        "  Regel: Hovedregelen\n"
        "\n"
        "    Scenario: Mor ser journalen\n"
        "      Gitt i dag er 30.11.2026 kl. 12:00\n",
        encoding="utf-8",
    )
    [result] = run_scenarios(national_policy, tmp_path)
    assert (result.name, result.line) == ("Mor ser journalen", 6)
