"""Policy files: the shipped policy, load errors with file and line, and casbin against the table."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from access_policy.errors import PolicyLoadError
from access_policy.policy import (
    DIMENSIONS,
    LEGAL_BASES,
    MODEL_FILE,
    NO_RULE_MATCHED,
    RULES_FILE,
    SETTINGS_FILE,
    Policy,
    default_policy_dir,
    fixed_dimensions,
    load_policy,
    reachable,
    reachable_requests,
)

# The legal bases of domain.md, plus §5-1 first and fifth paragraphs (own access; after death)
# and helsepersonelloven §22 (consent to sharing).
DOMAIN_LEGAL_BASES = {
    "pbrl-3-4-1", "pbrl-3-4-2", "pbrl-3-4-3", "pbrl-3-4-4", "pbrl-4-3", "pbrl-4-4",
    "pbrl-5-1-1", "pbrl-5-1-2", "pbrl-5-1-4", "pbrl-5-1-5", "bl-47", "hpl-22",
}
# The precedence of issue 8: the requester's relation first (so a stranger learns nothing about
# the child), then the child's register status and protection, then the guideline's rows, then
# the child's own access. The scenarios cite these ids.
ISSUE_RULES = (
    "no-current-representation", "no-parental-responsibility", "requester-address-protection",
    "child-deceased", "child-id-inactive", "child-not-resident", "address-protection", "care-order",
    "child-adult", "birth-date-unknown", "exemption", "shared-by-adolescent", "necessary-information",
    "child-16-17", "adolescent-wish", "access-profile", "main-rule", "withheld-from-patient",
    "own-record-16", "own-record-consent", "default-deny",
)


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    """A writable copy of the national policy."""
    target = tmp_path / "policy"
    shutil.copytree(default_policy_dir(), target)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (which must occur once) and return the line it was on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"`{old}` must occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def append(path: Path, line: str) -> int:
    """Add a line at the end and return its number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def load_error(directory: Path) -> PolicyLoadError:
    """The error loading `directory` raises."""
    with pytest.raises(PolicyLoadError) as raised:
        load_policy(directory)
    return raised.value


# --- the shipped policy ------------------------------------------------------------------------


def test_the_shipped_policy_loads(national_policy: Policy) -> None:
    """The national policy loads, has a short hex version and the rule ids the issue names, in order."""
    assert len(national_policy.version) == 16 and int(national_policy.version, 16) >= 0
    ids = [rule.id for rule in national_policy.rules]
    assert len(ids) == len(set(ids))
    assert ids == list(ISSUE_RULES)
    assert "adolescent-consent" not in ids  # retired: the wish and competence are separate rules now
    orders = [rule.order for rule in national_policy.rules]
    assert orders == sorted(orders)


def test_every_rule_has_a_known_legal_basis(national_policy: Policy) -> None:
    """Every rule but the fail-closed default cites a basis, and every basis is a known one."""
    assert LEGAL_BASES <= DOMAIN_LEGAL_BASES
    for rule in national_policy.rules:
        assert set(rule.legal_basis) <= LEGAL_BASES, rule.id
        if rule.id != "default-deny":
            assert rule.legal_basis, f"`{rule.id}` cites no legal basis"


def test_every_rule_has_a_norwegian_name(national_policy: Policy) -> None:
    """Scenarios print each rule's Norwegian name beside its id; the names are distinct."""
    names = [rule.name_no for rule in national_policy.rules]
    assert all(names) and len(set(names)) == len(names)
    assert national_policy.rule("main-rule").name_no == "hovedregelen"


def test_a_rule_without_a_norwegian_name(policy_copy: Path) -> None:
    """An empty `name_no` is a load error naming the rule."""
    path = policy_copy / RULES_FILE
    line = edit(path, ",permit,pbrl-3-4-1 pbrl-5-1-4,hovedregelen\n", ",permit,pbrl-3-4-1 pbrl-5-1-4,\n")
    assert_names(load_error(policy_copy), path, line, "`main-rule`", "name_no")


def test_the_settings(national_policy: Policy) -> None:
    """Representation older than 7 days is stale; five minutes of clock skew are tolerated."""
    assert national_policy.settings.max_representation_age.days == 7
    assert national_policy.settings.clock_skew.total_seconds() == 300


def test_the_version_is_a_hash_of_the_files(policy_copy: Path, national_policy: Policy) -> None:
    """The same files give the same version; any change, even a comment, gives another."""
    assert load_policy(policy_copy).version == national_policy.version
    append(policy_copy / SETTINGS_FILE, "# a comment")
    assert load_policy(policy_copy).version != national_policy.version


def test_casbin_agrees_with_the_table_over_the_whole_request_space() -> None:
    """For every reachable derived request casbin names the first matching row by order, with its effect."""
    policy = load_policy()  # a fresh policy: nothing memoised, so casbin answers every request
    rules = policy.rules
    count = 0
    for request in policy.derived_requests():
        expected = next(rule for rule in rules if rule.matches(request))
        outcome = policy.evaluate(request)
        assert (outcome.rule, outcome.permit) == (expected.id, expected.effect == "permit"), request
        assert outcome.legal_basis == expected.legal_basis
        count += 1
    assert count == len(set(policy.derived_requests())) == 8448


def test_the_reachable_space_is_what_the_engine_can_ask() -> None:
    """Every request of the full product, made reachable, is one of the enumerated requests, and those are fixed points."""
    enumerated = set(reachable_requests())
    assert all(reachable(request) == request for request in enumerated)
    for request in itertools.islice(itertools.product(*DIMENSIONS.values()), 0, None, 97):
        assert reachable(request) in enumerated


def test_the_child_and_representatives_keep_apart_dimensions() -> None:
    """A representative has no competence of their own; the child gets no sharing, wish or profile; an organisation no own protection."""
    fixed = fixed_dimensions("person", "current", "12-15")
    assert fixed == {"consent": "no", "shared": "no"}
    assert fixed_dimensions("child", "current", "12-15")["wish"] == "no"
    assert "consent" not in fixed_dimensions("child", "current", "12-15")
    assert fixed_dimensions("organisation", "current", "16-17")["requester_protection"] == "none"
    assert fixed_dimensions("person", "missing", "0-11")["status"] == "active"


def test_a_table_without_a_catch_all_denies_what_no_row_matches(policy_copy: Path) -> None:
    """Without `default-deny`, a request no row matches is denied, never allowed."""
    rules = policy_copy / RULES_FILE
    line = next(line for line in rules.read_text(encoding="utf-8").splitlines() if line.startswith("default-deny,"))
    edit(rules, line + "\n", "")
    policy = load_policy(policy_copy)
    child_aged_ten = reachable((
        "child", "current", "none", "active", "none", "none", "none", "0-11", "no", "no", "no", "no", "no", "none"))
    outcome = policy.evaluate(child_aged_ten)
    assert (outcome.rule, outcome.permit) == (NO_RULE_MATCHED, False)


# --- broken files ------------------------------------------------------------------------------


def assert_names(error: PolicyLoadError, path: Path, line: int | None, *words: str) -> None:
    """The error names the file, the line (when there is one) and the problem."""
    text = str(error)
    assert error.file == str(path)
    assert error.line == line
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert text.startswith(where), text
    for word in words:
        assert word in text, text


def test_a_typo_in_a_value(policy_copy: Path) -> None:
    """A value outside the vocabulary is a load error, not a row that silently never matches."""
    path = policy_copy / RULES_FILE
    line = edit(path, "child-16-17,70,person|organisation,*,*,*,*,*,*,16-17,", "child-16-17,70,person|organisation,*,*,*,*,*,*,16-71,")
    assert_names(load_error(policy_copy), path, line, "`16-71`", "`age`")


def test_a_typo_in_a_requester(policy_copy: Path) -> None:
    """A misspelt requester names the dimension and the values it can take."""
    path = policy_copy / RULES_FILE
    line = edit(path, "main-rule,100,person|organisation,", "main-rule,100,person|organisaton,")
    assert_names(load_error(policy_copy), path, line, "`organisaton`", "`requester`")


def test_an_unknown_column(policy_copy: Path) -> None:
    """A header with a column the engine does not know is refused on the header line."""
    path = policy_copy / RULES_FILE
    line = edit(path, ",effect,legal_basis,name_no\n", ",effect,legal_basis,name_no,comment\n")
    assert_names(load_error(policy_copy), path, line, "header")


def test_a_row_with_too_many_cells(policy_copy: Path) -> None:
    """A row with an extra cell says how many columns it should have."""
    path = policy_copy / RULES_FILE
    line = edit(path, ",deny,pbrl-4-4 bl-47,uten foreldreansvar\n", ",deny,pbrl-4-4 bl-47,uten foreldreansvar,extra\n")
    assert_names(load_error(policy_copy), path, line, "columns")


def test_a_duplicate_rule_id(policy_copy: Path) -> None:
    """A rule id used twice names both lines."""
    path = policy_copy / RULES_FILE
    first = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("main-rule,"))
    line = append(path, "main-rule,500,person" + ",*" * 13 + ",deny,pbrl-4-4,ny regel")
    assert_names(load_error(policy_copy), path, line, "`main-rule`", f"line {first}")


def test_a_duplicate_order(policy_copy: Path) -> None:
    """Two rows with one order would make the precedence ambiguous."""
    path = policy_copy / RULES_FILE
    line = append(path, "another-rule,100,person" + ",*" * 13 + ",deny,pbrl-4-4,ny regel")
    assert_names(load_error(policy_copy), path, line, "order 100")


@pytest.mark.parametrize("order", ["-5", "ten", ""])
def test_a_bad_order(policy_copy: Path, order: str) -> None:
    """An order must be a whole number of 0 or more."""
    path = policy_copy / RULES_FILE
    line = edit(path, "main-rule,100,", f"main-rule,{order},")
    assert_names(load_error(policy_copy), path, line, "order")


def test_a_bad_effect(policy_copy: Path) -> None:
    """Only `permit` and `deny` are effects."""
    path = policy_copy / RULES_FILE
    line = edit(path, ",permit,pbrl-3-4-1 pbrl-5-1-4,hovedregelen\n", ",allow,pbrl-3-4-1 pbrl-5-1-4,hovedregelen\n")
    assert_names(load_error(policy_copy), path, line, "`allow`")


def test_an_unknown_legal_basis(policy_copy: Path) -> None:
    """A legal basis must be one of the known ids."""
    path = policy_copy / RULES_FILE
    line = edit(path, ",deny,pbrl-4-4 bl-47,uten foreldreansvar\n", ",deny,pbrl-4-4 bl-74,uten foreldreansvar\n")
    assert_names(load_error(policy_copy), path, line, "`bl-74`")


def test_a_bad_rule_id(policy_copy: Path) -> None:
    """Rule ids are letters, digits and hyphens: they are cited in decisions and scenarios."""
    path = policy_copy / RULES_FILE
    line = edit(path, "main-rule,100,", "main rule,100,")
    assert_names(load_error(policy_copy), path, line, "`main rule`")


def test_broken_toml(policy_copy: Path) -> None:
    """A settings file that is not TOML names its line."""
    path = policy_copy / SETTINGS_FILE
    line = edit(path, "max_age_days = 7", "max_age_days = ")
    assert_names(load_error(policy_copy), path, line, "TOML")


def test_an_unknown_setting(policy_copy: Path) -> None:
    """A misspelt setting is refused rather than ignored."""
    path = policy_copy / SETTINGS_FILE
    line = edit(path, "max_age_days = 7", "max_age_dayz = 7")
    assert_names(load_error(policy_copy), path, line, "`representation.max_age_dayz`")


def test_a_negative_setting(policy_copy: Path) -> None:
    """A maximum age below zero is refused."""
    path = policy_copy / SETTINGS_FILE
    line = edit(path, "max_age_days = 7", "max_age_days = -1")
    assert_names(load_error(policy_copy), path, line, "max_age_days")


@pytest.mark.parametrize("name", [MODEL_FILE, RULES_FILE, SETTINGS_FILE])
def test_a_missing_file(policy_copy: Path, name: str) -> None:
    """A missing file is named."""
    (policy_copy / name).unlink()
    assert_names(load_error(policy_copy), policy_copy / name, None, "not found")


def test_a_wrong_request_definition(policy_copy: Path) -> None:
    """A model whose request does not have the engine's dimensions names the line."""
    path = policy_copy / MODEL_FILE
    line = edit(path, "r = requester, representation,", "r = requester, representaton,")
    assert_names(load_error(policy_copy), path, line, "`r`")


def test_a_wrong_policy_definition(policy_copy: Path) -> None:
    """A model whose policy row lacks the rule id names the line."""
    path = policy_copy / MODEL_FILE
    line = edit(path, "p = priority, rule, ", "p = priority, ")
    assert_names(load_error(policy_copy), path, line, "`p`")


def test_a_policy_effect_other_than_priority(policy_copy: Path) -> None:
    """Only the priority effect makes the first matching row decide; any other could show a withheld item."""
    path = policy_copy / MODEL_FILE
    line = edit(path, "e = priority(p.eft) || deny", "e = some(where (p.eft == allow))")
    assert_names(load_error(policy_copy), path, line, "`e`", "priority")


def test_a_model_that_casbin_cannot_read(policy_copy: Path) -> None:
    """A model without its matcher is refused and names the model file."""
    path = policy_copy / MODEL_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("[matchers]")], encoding="utf-8")
    error = load_error(policy_copy)
    assert error.file == str(path)
    assert str(error).startswith(f"{path}")
