"""The policy commands as a user runs them: decide, verify, diff, and their exit statuses."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from access_policy.identity import make_person_id
from access_policy.policy import default_policy_dir

CHILD = make_person_id(datetime.date(2013, 5, 1), 1)
MOTHER = make_person_id(datetime.date(1985, 3, 2), 2)
FATHER = make_person_id(datetime.date(1984, 3, 2), 3)
AT = "2026-11-30T12:00:00+01:00"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the console command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-c", "from access_policy.cli import main; main()", *args],
        capture_output=True, text=True, timeout=60, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def facts_file(tmp_path: Path) -> Path:
    """A family: two parents with joint responsibility, the father exempted from one pathway."""
    facts = {
        "child": CHILD,
        "representation": {
            "address_protection": "ugradert",
            "retrieved_at": "2026-11-29T06:00:00+01:00",
            "holders": [{"id": MOTHER, "responsibility": "felles"}, {"id": FATHER, "responsibility": "felles"}],
        },
        "exemptions": [{"id": "ex-1", "scope": {"pathway": "pw-1"}, "applies_to": [FATHER],
                        "legal_basis": "pbrl-3-4-3", "reason": "after talking with the child"}],
    }
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts))
    return path


def test_decide_explains_an_exemption(facts_file):
    result = run("decide", "--facts", str(facts_file), "--requester", FATHER, "--item", "doc-1",
                 "--kind", "note", "--pathway", "pw-1", "--at", AT)
    assert result.returncode == 0, result.stderr
    assert "deny" in result.stdout
    assert "rule: exemption (unntak fra innsyn)" in result.stdout
    assert "fact ex-1" in result.stdout and "pbrl-3-4-3" in result.stdout


def test_decide_matches_the_items_source_system(facts_file):
    """The exemption of the local pathway `pw-1` does not hide an item of another system's `pw-1`."""
    result = run("decide", "--facts", str(facts_file), "--requester", FATHER, "--item", "doc-1", "--kind", "note",
                 "--pathway", "pw-1", "--system", "974589028", "--at", AT, "--json")
    assert result.returncode == 0, result.stderr
    (decision,) = json.loads(result.stdout)["results"]
    assert (decision["decision"], decision["rule"]) == ("permit", "main-rule")


def test_decide_as_json_permits_the_other_parent(facts_file):
    result = run("decide", "--facts", str(facts_file), "--requester", MOTHER, "--item", "doc-1",
                 "--kind", "note", "--pathway", "pw-1", "--at", AT, "--json")
    assert result.returncode == 0, result.stderr
    (decision,) = json.loads(result.stdout)["results"]
    assert (decision["decision"], decision["rule"]) == ("permit", "main-rule")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--requester", "123"], "`requester`"),
        (["--requester", MOTHER, "--at", "yesterday"], "`at`"),
        (["--requester", MOTHER, "--kind", "x-ray"], "--kind"),
    ],
)
def test_decide_rejects_bad_usage_with_one_line_and_status_2(facts_file, args, message):
    base = {"--item": "doc-1", "--kind": "note", "--at": AT}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    result = run("decide", "--facts", str(facts_file), *[part for pair in base.items() for part in pair])
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_verify_passes_on_the_national_policy():
    result = run("verify")
    assert result.returncode == 0, result.stderr
    assert "FAIL" not in result.stdout


def test_verify_fails_on_a_policy_that_breaks_a_property(tmp_path: Path):
    broken = tmp_path / "broken"
    shutil.copytree(default_policy_dir(), broken)
    rules = broken / "rules.csv"
    rules.write_text(rules.read_text().replace("child-adult,40,person|organisation,*,*,*,*,*,*,18+,*,*,*,*,*,*,deny",
                                               "child-adult,40,person|organisation,*,*,*,*,*,*,18+,*,*,*,*,*,*,permit"))
    result = run("verify", str(broken))
    assert result.returncode == 1
    assert "adult-child" in result.stderr


def test_verify_names_file_and_line_of_a_typo(tmp_path: Path):
    broken = tmp_path / "broken"
    shutil.copytree(default_policy_dir(), broken)
    rules = broken / "rules.csv"
    text = rules.read_text().replace("main-rule,100,person|organisation,*,*,*,*,holder", "main-rule,100,person|organisation,*,*,*,*,holdr")
    rules.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("main-rule,"))
    result = run("verify", str(broken))
    assert result.returncode == 1
    assert f"rules.csv:{line}:" in result.stderr and "`holdr`" in result.stderr


def test_diff_reports_changed_request_classes(tmp_path: Path):
    changed = tmp_path / "changed"
    shutil.copytree(default_policy_dir(), changed)
    rules = changed / "rules.csv"
    rules.write_text(rules.read_text().replace("adolescent-wish,80,person|organisation,*,*,*,*,*,*,12-15,*,*,*,yes,*,*,deny",
                                               "adolescent-wish,80,person|organisation,*,*,*,*,*,*,12-15,*,*,*,yes,*,*,permit"))
    result = run("diff", str(default_policy_dir()), str(changed))
    assert result.returncode == 0, result.stderr
    assert "9 of 8448" in result.stdout
