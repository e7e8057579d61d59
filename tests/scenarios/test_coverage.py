"""The scenarios keep up with the policy: every rule of the table decides at least one of them."""

from __future__ import annotations

import re
from pathlib import Path

from access_policy.policy import Policy

FEATURES = Path(__file__).resolve().parents[2] / "features"
# The rule a scenario names in its outcome step.
_NAMED_RULE = re.compile(r'etter regel "([^"<]+)"')


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _rules_named_in_features() -> set[str]:
    """Rule ids in outcome steps and in the `regel` column of example and answer tables."""
    named: set[str] = set()
    for feature in FEATURES.glob("*.feature"):
        text = feature.read_text(encoding="utf-8")
        named.update(_NAMED_RULE.findall(text))
        column = None
        for line in text.splitlines():
            if not line.strip().startswith("|"):
                column = None
                continue
            cells = _cells(line)
            if column is None:
                column = cells.index("regel") if "regel" in cells else -1
            elif column >= 0:
                named.add(cells[column])
    return named


def test_every_rule_decides_a_scenario(national_policy: Policy) -> None:
    """A rule no scenario reaches is a rule the guideline authors cannot read an example of."""
    missing = {rule.id for rule in national_policy.rules} - _rules_named_in_features()
    assert not missing, f"rules without a scenario: {sorted(missing)}"


def test_every_feature_is_norwegian() -> None:
    """The scenarios are written for Norwegian guideline authors."""
    features = sorted(FEATURES.glob("*.feature"))
    assert features
    for feature in features:
        assert feature.read_text(encoding="utf-8").startswith("# language: no\n"), feature.name


# Words the scenarios avoid, and what to write instead: they are read by clinicians and lawyers.
_AVOIDED = {
    r"\belement": "«journalopplysning», «dokument», «notat» … (not software jargon)",
    r"\btilbake fra\b": "«holde tilbake overfor» a person",
    r"(?<!time)\bavtal(?:e|er|en|ene)\b": "«timeavtale»",
    r"strengtFortrolig|ikkeBosatt|foedselsregistrert|opphoert": "the word, not the register's code («strengt fortrolig», «ikke bosatt» …)",
}


def test_features_use_the_agreed_terms() -> None:
    """One term per concept, in bokmål a clinician or lawyer reads without a glossary."""
    found = []
    for feature in sorted(FEATURES.glob("*.feature")):
        for number, line in enumerate(feature.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, instead in _AVOIDED.items():
                if re.search(pattern, line, flags=re.IGNORECASE):
                    found.append(f"{feature.name}:{number}: write {instead}: {line.strip()}")
    assert not found, "\n".join(found)
