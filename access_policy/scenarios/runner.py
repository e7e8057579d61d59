"""Run the Norwegian scenarios against any policy directory, without pytest or a source checkout.

The feature files are parsed with the official Gherkin parser (outlines expanded, backgrounds
included) and each step is matched against `access_policy.scenarios.steps.STEPS`, the same
library pytest-bdd uses in the tests. A scenario passes when every step runs without error.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from gherkin.parser import Parser
from gherkin.pickles.compiler import Compiler
from gherkin.token_scanner import TokenScanner

from access_policy.policy import Policy
from access_policy.scenarios.steps import STEPS, StepDefinition, Verden

if TYPE_CHECKING:
    from gherkin.parser_types import GherkinDocument
    from gherkin.pickles.compiler import GherkinDocumentWithURI, PickleStep

# Gherkin's pickle step types, as the step library names them.
_TYPES = {"Context": "given", "Action": "when", "Outcome": "then"}
# The rule a step names as the deciding one.
_NAMED_RULE = re.compile(r'etter regel "([^"<]+)"')


@dataclass(frozen=True)
class StepResult:
    """One step as written (keyword type and text, table rows) and whether it ran."""

    type: str
    text: str
    table: tuple[tuple[str, ...], ...] = ()
    status: str = "passed"  # passed | failed | skipped | undefined


@dataclass
class ScenarioResult:
    """One scenario (an outline gives one per example row) and its outcome."""

    feature: str  # the feature file's name
    feature_title: str
    name: str
    line: int
    steps: list[StepResult] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        """True when every step ran."""
        return self.error is None

    @property
    def rules(self) -> set[str]:
        """The rule ids the scenario names as deciding (in steps and in `regel` table columns)."""
        found: set[str] = set()
        for step in self.steps:
            found.update(_NAMED_RULE.findall(step.text))
            if step.table and "regel" in step.table[0]:
                column = step.table[0].index("regel")
                found.update(row[column] for row in step.table[1:])
        return found


def default_features_dir() -> Path:
    """The scenarios shipped with the package (or, in a source checkout, `features/`)."""
    packaged = Path(__file__).resolve().parent.parent / "features"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "features"


def _match(step_type: str, text: str) -> tuple[StepDefinition, dict[str, Any]] | None:
    for definition in STEPS:
        if definition.type != step_type:
            continue
        found = definition.pattern.fullmatch(text)
        if found:
            return definition, found.groupdict()
    return None


def _call(definition: StepDefinition, context: dict[str, Any]) -> None:
    wanted = inspect.signature(definition.func).parameters
    definition.func(**{name: context[name] for name in wanted if name in context})


def run_feature(policy: Policy, path: Path) -> list[ScenarioResult]:
    """Run every scenario of one feature file against the policy."""
    parsed = Parser().parse(TokenScanner(path.read_text(encoding="utf-8")))
    document: GherkinDocumentWithURI = {**parsed, "uri": str(path)}
    # A file without a feature (empty, or comments only) parses to a document without one.
    feature = document.get("feature")
    title = feature["name"] if feature else path.stem
    lines = _scenario_lines(parsed)
    results = []
    for pickle in Compiler().compile(document):
        # An outline's example row is the last AST id: its line tells the rows apart.
        result = ScenarioResult(path.name, title, pickle["name"], lines.get(pickle["astNodeIds"][-1], 0))
        verden = Verden()
        failed = False
        for raw in pickle["steps"]:
            step_type = _TYPES.get(raw.get("type", ""), "given")
            table = _table(raw)
            if failed:
                result.steps.append(StepResult(step_type, raw["text"], table, "skipped"))
                continue
            matched = _match(step_type, raw["text"])
            if matched is None:
                result.steps.append(StepResult(step_type, raw["text"], table, "undefined"))
                result.error = f"no step definition matches `{raw['text']}`"
                failed = True
                continue
            definition, groups = matched
            context = {"verden": verden, "policy": policy, "datatable": [list(row) for row in table], **groups}
            try:
                _call(definition, context)
            except Exception as error:  # noqa: BLE001 - a failing step fails its scenario, not the run
                result.steps.append(StepResult(step_type, raw["text"], table, "failed"))
                result.error = f"{type(error).__name__}: {error}".splitlines()[0][:500]
                failed = True
                continue
            result.steps.append(StepResult(step_type, raw["text"], table, "passed"))
        results.append(result)
    return results


def _table(step: PickleStep) -> tuple[tuple[str, ...], ...]:
    """A step's data table as rows of cell texts (none when the step has no table)."""
    argument: Mapping[str, Any] = step.get("argument", {})
    rows = argument.get("dataTable", {}).get("rows", [])
    return tuple(tuple(cell["value"] for cell in row["cells"]) for row in rows)


def _scenario_lines(document: GherkinDocument) -> dict[str, int]:
    """The line of each scenario (and of each example row of an outline) by its AST id, inside rules too."""
    lines: dict[str, int] = {}
    feature: Mapping[str, Any] = document.get("feature", {})
    children: list[Mapping[str, Any]] = list(feature.get("children", []))
    while children:
        child = children.pop(0)
        # A rule (`Regel:`) holds scenarios of its own.
        children += child.get("rule", {}).get("children", [])
        scenario = child.get("scenario")
        if not scenario:
            continue
        lines[scenario["id"]] = scenario["location"]["line"]
        for examples in scenario.get("examples", []):
            for row in examples.get("tableBody", []):
                lines[row["id"]] = row["location"]["line"]
    return lines


def run_scenarios(policy: Policy, features_dir: Path | None = None) -> list[ScenarioResult]:
    """Run every `*.feature` file of a directory (default: the shipped scenarios), in name order."""
    directory = Path(features_dir) if features_dir is not None else default_features_dir()
    results: list[ScenarioResult] = []
    for path in sorted(directory.glob("*.feature")):
        results += run_feature(policy, path)
    return results
