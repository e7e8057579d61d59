"""The workbench site: rules in two languages, scenarios per rule with pass/fail, matrix, diff."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from access_policy.cli import app
from access_policy.policy import DIMENSIONS, load_policy
from access_policy.workbench.matrix import AGES, REQUESTERS, SITUATIONS, matrix_svg
from access_policy.workbench.site import helsenorge_policy_dir


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national policy's site, built once through the command."""
    output = tmp_path_factory.mktemp("site")
    result = CliRunner().invoke(app, ["docs", "--output", str(output)])
    assert result.exit_code == 0, result.output
    return output


def test_index_lists_every_rule_with_texts_scenarios_and_counts(site: Path, national_policy) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    for rule in national_policy.rules:
        assert f'id="rule-{rule.id}"' in index
    assert "Hovedregelen: forelder med foreldreansvar, barn under 16" in index
    assert "Main rule: holder of parental responsibility, child under 16" in index
    assert "tungtveiende hensyn" in index  # the legal text, not only the id
    passed = re.search(r"(\d+) av (\d+) består", index)
    assert passed and passed.group(1) == passed.group(2) and int(passed.group(2)) >= 100
    section = index[index.index('id="rule-exemption"'):index.index('id="rule-necessary-information"')]
    assert "Ett dokument holdes tilbake overfor alle foreldre" in section and "✓ består" in section
    assert '<span class="kw">Gitt</span>' in section


def test_situation_counts_add_up(site: Path, national_policy) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    counts = [int(count) for count in re.findall(r'data-decides="(\d+)"', index)]
    assert len(counts) == len(national_policy.rules)
    assert sum(counts) == len(national_policy.table())


def test_matrix_is_drawn(national_policy) -> None:
    svg = matrix_svg(national_policy)
    assert svg.startswith("<svg") and svg.count("<rect") >= len(AGES) * len(REQUESTERS) * len(SITUATIONS)
    assert "main-rule" in svg and "✓" in svg and "✗" in svg


def test_diff_page_against_helsenorge(site: Path) -> None:
    page = (site / "diff.html").read_text(encoding="utf-8")
    assert "helsenorge" in page
    # Today's practice cuts parents off at 12; the guideline's main rule reaches 15.
    assert "child-12-or-older" in page and "main-rule" in page


def test_helsenorge_policy_loads_and_cuts_at_12() -> None:
    policy = load_policy(helsenorge_policy_dir())
    neutral = {name: values[0] for name, values in DIMENSIONS.items()}
    request = tuple({**neutral, "requester": "person", "age": "12-15"}.values())
    assert policy.evaluate(request).rule == "child-12-or-older"
    assert policy.evaluate(tuple({**neutral, "requester": "person", "age": "0-11"}.values())).rule == "under-12"
