"""The command line's loose ends: version, `python -m`, refusing missing stores, the example facts, tokens."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from access_policy.facts import ChildFacts
from tests.api.test_processes import postgres_schema_url  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
FATHER = "02838400860"
AT = "2026-11-30T12:00:00+01:00"


def run(*args: str, cwd: Path | None = None, module: bool = False) -> subprocess.CompletedProcess[str]:
    """The command line in a subprocess, as a user runs it."""
    entry = ["-m", "access_policy"] if module else ["-c", "from access_policy.cli import main; main()"]
    return subprocess.run(
        [sys.executable, *entry, *args], capture_output=True, text=True, timeout=60, cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


def _one_line_error(result: subprocess.CompletedProcess[str], status: int = 2) -> str:
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    return result.stderr


def test_version_and_python_dash_m():
    from importlib.metadata import version

    assert run("--version").stdout == f"access-policy {version('access-policy')}\n"
    module = run("--version", module=True)
    assert module.returncode == 0 and module.stdout == f"access-policy {version('access-policy')}\n"
    assert "Usage: access-policy" in run("--help", module=True).stdout


@pytest.mark.parametrize("command", [["decide", "--requester", FATHER, "--child", "01851350221", "--item", "d", "--kind", "note"], ["audit", "verify"]])
def test_read_only_commands_refuse_a_missing_store_without_creating_one(tmp_path, command):
    missing = tmp_path / "nothing-here"
    assert "does not exist" in _one_line_error(run(*command, "--data-dir", str(missing)))
    assert not missing.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no store" in _one_line_error(run(*command, "--data-dir", str(empty)))
    assert list(empty.iterdir()) == []
    # The default data directory (./data) is not created either.
    assert "does not exist" in _one_line_error(run(*command, cwd=tmp_path))
    assert not (tmp_path / "data").exists()


@pytest.mark.postgres
def test_read_only_commands_refuse_a_database_that_does_not_exist(postgres_url):
    url = make_url(postgres_url).set(database="access_policy_no_such_database").render_as_string(hide_password=False)
    for command in (["decide", "--requester", FATHER, "--child", "01851350221", "--item", "d", "--kind", "note"], ["audit", "verify"]):
        assert "does not exist" in _one_line_error(run(*command, "--database-url", url))


@pytest.mark.postgres
def test_read_only_commands_refuse_a_database_without_the_schema(postgres_schema_url):
    stderr = _one_line_error(run("audit", "verify", "--database-url", postgres_schema_url))
    assert "holds no access-policy store" in stderr and "access-policy migrate" in stderr
    assert "`postgresql" in stderr  # says which database


def test_an_existing_store_is_still_read(tmp_path):
    from access_policy.store import open_store

    open_store(data_dir=tmp_path / "data").close()
    result = run("decide", "--requester", FATHER, "--child", "01851350221", "--item", "d", "--kind", "note",
                 "--data-dir", str(tmp_path / "data"), "--at", AT)
    assert result.returncode == 0, result.stderr
    assert "deny" in result.stdout  # no facts stored for this child: no representation, deny


def test_the_example_facts_file_is_shipped_printed_and_decides(tmp_path):
    printed = run("decide", "--example-facts")
    assert printed.returncode == 0
    shipped = ROOT / "access_policy" / "examples" / "facts.json"
    assert printed.stdout == shipped.read_text(encoding="utf-8")
    facts = ChildFacts.model_validate(json.loads(printed.stdout))
    path = tmp_path / "facts.json"
    path.write_text(printed.stdout)
    father = run("decide", "--facts", str(path), "--requester", FATHER, "--item", "doc-1", "--kind", "note",
                 "--pathway", "pw-psyk", "--at", AT, "--json")
    (result,) = json.loads(father.stdout)["results"]
    assert (result["decision"], result["rule"]) == ("deny", "exemption")
    mother = facts.representation.holders[0].id
    allowed = run("decide", "--facts", str(path), "--requester", mother, "--item", "doc-1", "--kind", "note",
                  "--pathway", "pw-psyk", "--at", AT, "--json")
    assert json.loads(allowed.stdout)["results"][0]["decision"] == "permit"


def test_the_readme_documents_every_field_of_the_example_facts():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = json.loads((ROOT / "access_policy" / "examples" / "facts.json").read_text(encoding="utf-8"))
    assert "access-policy decide --example-facts" in readme
    for key in example:
        assert f"`{key}`" in readme, key


def test_decide_names_the_rule_file_as_the_checkout_has_it():
    facts = run("decide", "--example-facts", cwd=ROOT).stdout
    result = subprocess.run(
        [sys.executable, "-c", "from access_policy.cli import main; main()", "decide", "--facts", "/dev/stdin",
         "--requester", FATHER, "--item", "doc-1", "--kind", "note", "--pathway", "pw-psyk", "--at", AT],
        input=facts, capture_output=True, text=True, cwd=ROOT, timeout=60, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "(order 50, policies/rules.csv line " in result.stdout
    line = int(result.stdout.split("policies/rules.csv line ")[1].split(")")[0])
    assert (ROOT / "policies" / "rules.csv").read_text(encoding="utf-8").splitlines()[line - 1].split(",")[0] == "exemption"


def test_a_facts_write_token_needs_hpr_and_org(tmp_path):
    for extra in ([], ["--hpr", "1234567"], ["--org", "974589095"]):
        stderr = _one_line_error(run("token", "--scope", "facts:read facts:write", "--data-dir", str(tmp_path), *extra))
        assert "--hpr and --org" in stderr
    assert run("token", "--scope", "facts:write", "--hpr", "1234567", "--org", "974589095", "--data-dir", str(tmp_path)).returncode == 0
    assert run("token", "--scope", "metrics", "--data-dir", str(tmp_path)).returncode == 0
