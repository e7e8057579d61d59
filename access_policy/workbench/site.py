"""Build the workbench: a static site of one policy for guideline authors.

`index.html` has the rule table in Norwegian and English with the legal text, the count of
situations each rule decides, the decision matrix (`matrix.svg`) and, per rule, the scenarios
that name it, rendered from the Gherkin with pass/fail from running them against this policy.
`diff.html` shows what changes against a second policy, for whom, with examples.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from access_policy import analysis
from access_policy.policy import DIMENSION_NAMES, DIMENSIONS, Policy, default_policy_dir, load_policy
from access_policy.scenarios.runner import ScenarioResult, run_scenarios
from access_policy.workbench.matrix import matrix_svg
from access_policy.workbench.texts import legal_text, rule_text

HERE = Path(__file__).parent
# Gherkin keywords in Norwegian, by step type; a step of the same type as the one before reads "Og".
KEYWORDS = {"given": "Gitt", "when": "Når", "then": "Så"}

_env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
_env.globals.update(rule_text=rule_text, legal_text=legal_text, keywords=KEYWORDS)


def helsenorge_policy_dir() -> Path:
    """Today's Helsenorge practice, shipped beside the national policy."""
    return default_policy_dir() / "helsenorge"


def _conditions(rule) -> list[tuple[str, str]]:
    return [(name, " | ".join(sorted(values))) for name, values in rule.conditions.items() if values is not None]


def _for_whom(requests: list[tuple[str, ...]]) -> list[tuple[str, str]]:
    """The dimensions that say who a change concerns, with the values that occur in it."""
    found = []
    for dimension in ("requester", "responsibility", "age"):
        position = DIMENSION_NAMES.index(dimension)
        values = sorted({request[position] for request in requests}, key=DIMENSIONS[dimension].index)
        found.append((dimension, ", ".join(values)))
    return found


def diff_context(old: Policy, new: Policy, examples: int = 2) -> dict:
    """What the diff page shows: changes (largest first) with who they concern and examples."""
    result = analysis.diff(old, new)
    changes = []
    for (old_rule, old_effect, new_rule, new_effect), requests in sorted(result.changed.items(), key=lambda kv: -len(kv[1])):
        changes.append({
            "old_rule": old_rule, "old_effect": old_effect, "new_rule": new_rule, "new_effect": new_effect,
            "count": len(requests), "for_whom": _for_whom(requests),
            "examples": [analysis.describe(request) for request in requests[:examples]],
        })
    return {"old": old, "new": new, "result": result, "changes": changes}


def build_site(policy_dir: Path | None, output: Path, *, compare_dir: Path | None = None, features_dir: Path | None = None) -> Path:
    """Write the site of a policy to `output` and return its index; compare against `compare_dir` if given.

    For the national policy the comparison defaults to today's Helsenorge practice.
    """
    policy = load_policy(policy_dir)
    if compare_dir is None and policy.directory.resolve() == default_policy_dir().resolve() and helsenorge_policy_dir().is_dir():
        compare_dir = helsenorge_policy_dir()
    output.mkdir(parents=True, exist_ok=True)
    results = run_scenarios(policy, features_dir)
    by_rule: dict[str, list[ScenarioResult]] = {}
    for result in results:
        for rule in result.rules:
            by_rule.setdefault(rule, []).append(result)
    decided = Counter(outcome.rule for outcome in policy.table().values())
    rules = [{
        "rule": rule, "conditions": _conditions(rule), "decides": decided.get(rule.id, 0),
        "scenarios": by_rule.get(rule.id, []),
        "failed": sum(not s.passed for s in by_rule.get(rule.id, [])),
    } for rule in policy.rules]
    compare = load_policy(compare_dir) if compare_dir is not None else None
    (output / "matrix.svg").write_text(matrix_svg(policy), encoding="utf-8")
    (output / "site.css").write_text((HERE / "templates" / "site.css").read_text(encoding="utf-8"), encoding="utf-8")
    index = _env.get_template("index.html").render(
        policy=policy, rules=rules, results=results, total=len(decided and policy.table()),
        passed=sum(r.passed for r in results), failed=[r for r in results if not r.passed],
        unnamed=[r for r in results if not r.rules], matrix=matrix_svg(policy), compare=compare,
    )
    (output / "index.html").write_text(index, encoding="utf-8")
    if compare is not None:
        page = _env.get_template("diff.html").render(**diff_context(compare, policy))
        (output / "diff.html").write_text(page, encoding="utf-8")
    return output / "index.html"
