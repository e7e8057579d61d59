"""Policy files: loading, validating and evaluating the guideline's rule table with casbin.

A policy directory holds `model.conf` (the casbin model), `rules.csv` (the ordered rule table)
and `settings.toml` (parameters). Casbin is wrapped here and nowhere else: it is asked about a
derived request (a tuple of small values, see `DIMENSIONS`), its answer is memoised for the
policy version, and the deciding row is reported by its rule id.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import itertools
import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import casbin
from casbin.model import Model
from casbin.persist.adapter import Adapter

from access_policy.errors import PolicyLoadError

MODEL_FILE = "model.conf"
RULES_FILE = "rules.csv"
SETTINGS_FILE = "settings.toml"

# The vocabulary of derived requests: each dimension and the values it can take; the first value
# is the neutral one (no fact, nothing special). A rule row may only name these values, so a typo
# in the table is a load error, not a silent non-match. docs/policy.md says how each is derived.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "requester": ("person", "organisation", "child"),
    "representation": ("current", "stale", "missing"),
    "requester_protection": ("none", "protected"),
    "status": ("active", "not-resident", "deceased", "inactive"),
    "protection": ("none", "protected"),
    "responsibility": ("holder", "none"),
    "care_order": ("none", "in-force"),
    "age": ("0-11", "12-15", "16-17", "18+", "unknown"),
    "exempted": ("no", "yes"),
    "necessary": ("no", "yes"),
    "shared": ("no", "yes"),
    "wish": ("no", "yes"),
    "consent": ("no", "yes"),
    "profile": ("none", "includes", "excludes"),
}
DIMENSION_NAMES = tuple(DIMENSIONS)
RULE_COLUMNS = ("rule", "order", *DIMENSION_NAMES, "effect", "legal_basis", "name_no")
_POSITION = {name: position for position, name in enumerate(DIMENSION_NAMES)}

# Legal bases a rule may cite (see docs/policy.md for their text).
LEGAL_BASES = frozenset(
    {
        "pbrl-3-4-1", "pbrl-3-4-2", "pbrl-3-4-3", "pbrl-3-4-4", "pbrl-4-3", "pbrl-4-4",
        "pbrl-5-1-1", "pbrl-5-1-2", "pbrl-5-1-4", "pbrl-5-1-5", "bl-47", "hpl-22",
    }
)


def fixed_dimensions(requester: str, representation: str, age: str) -> dict[str, str]:
    """The dimensions that cannot vary for this requester, representation state and age band, and their value.

    This is the one definition of the reachable request space: the engine's derivation applies it
    (`reachable`) and `Policy.derived_requests` enumerates only what it leaves open, so `verify`
    sees every request the engine can ask and no other. Why each is fixed:
    the child's own access depends only on the register status, age, and the facts aimed at the
    child (withholding, competence); a representative has no competence of their own; an
    organisation has no address protection of its own and receives no sharing grant; without a
    current representation nothing from the register is known; sharing exists only from 16 to
    18 (the adolescent decides), the wish only from 12 to 16 (§3-4 second paragraph), and
    competence gives own access only from 12 to 16 (from 16 it is the main rule for the child).
    """
    fixed: dict[str, str] = {}
    if requester == "child":
        fixed.update(requester_protection="none", protection="none", responsibility="none", care_order="none",
                     necessary="no", shared="no", wish="no", profile="none")
        if age != "12-15":
            fixed["consent"] = "no"
        return fixed
    fixed["consent"] = "no"
    if requester == "organisation":
        fixed.update(requester_protection="none", shared="no")
    if representation != "current":
        fixed.update(requester_protection="none", status="active", protection="none", responsibility="none")
    if age != "16-17":
        fixed["shared"] = "no"
    if age != "12-15":
        fixed["wish"] = "no"
    return fixed


def reachable(request: "DerivedRequest") -> "DerivedRequest":
    """The request with the dimensions that cannot matter set to their fixed value (see `fixed_dimensions`)."""
    fixed = fixed_dimensions(request[0], request[1], request[_POSITION["age"]])
    if not fixed:
        return request
    values = list(request)
    for name, value in fixed.items():
        values[_POSITION[name]] = value
    return tuple(values)


EFFECTS = {"permit": "allow", "deny": "deny"}

# Reported when casbin finds no row (a table without a catch-all) or fails: never an allow.
NO_RULE_MATCHED = "no-rule-matched"
POLICY_ERROR = "policy-error"

DerivedRequest = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the rule table: an id, its order, its conditions, effect and legal basis."""

    id: str
    order: int
    conditions: dict[str, frozenset[str] | None]  # None = any value ("*")
    effect: str  # "permit" | "deny"
    legal_basis: tuple[str, ...]
    line: int
    name_no: str = ""  # the rule's Norwegian name, for scenarios and people ("hovedregelen")

    def matches(self, request: DerivedRequest) -> bool:
        """Evaluate the row directly (used to cross-check casbin)."""
        return all(
            allowed is None or value in allowed
            for value, allowed in zip(request, self.conditions.values())
        )

    @property
    def conditioned(self) -> tuple[str, ...]:
        """The dimensions this rule looks at (the others are "*")."""
        return tuple(name for name, allowed in self.conditions.items() if allowed is not None)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Casbin's answer for one derived request: the deciding rule and its effect."""

    rule: str
    permit: bool
    legal_basis: tuple[str, ...]
    conditioned: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """Parameters of a policy, from `settings.toml`."""

    max_representation_age: datetime.timedelta = datetime.timedelta(days=7)
    clock_skew: datetime.timedelta = datetime.timedelta(seconds=300)


def _fits(value: str, pattern: str) -> bool:
    """Casbin matcher function: "*" fits anything, "a|b" fits either value."""
    return pattern == "*" or value == pattern or value in pattern.split("|")


class _RowsAdapter(Adapter):
    """Hands validated rule rows to casbin (casbin's own CSV reader cannot report lines)."""

    def __init__(self, rows: list[list[str]]):
        self._rows = rows

    def load_policy(self, model: Model) -> None:
        for row in self._rows:
            model.model["p"]["p"].policy.append(list(row))

    def save_policy(self, model: Model) -> bool:
        return False


@dataclass
class Policy:
    """A loaded, validated policy: its rules, settings and version, evaluated through casbin."""

    directory: Path
    rules: tuple[Rule, ...]
    settings: PolicySettings
    version: str
    _enforcer: casbin.Enforcer = field(repr=False)
    _memo: dict[DerivedRequest, Outcome] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {rule.id: rule for rule in self.rules}

    def rule(self, rule_id: str) -> Rule | None:
        """The rule with this id, if the table has it."""
        return self._by_id.get(rule_id)

    def evaluate(self, request: DerivedRequest) -> Outcome:
        """The deciding rule for a derived request; memoised, and a failing evaluation denies."""
        outcome = self._memo.get(request)
        if outcome is None:
            outcome = self._evaluate_uncached(request)
            if outcome.rule != POLICY_ERROR:
                self._memo[request] = outcome
        return outcome

    def _evaluate_uncached(self, request: DerivedRequest) -> Outcome:
        try:
            with self._lock:  # casbin's enforcer is not documented as thread-safe
                allowed, explanation = self._enforcer.enforce_ex(*request)
        except Exception:  # noqa: BLE001 - casbin raises bare errors; any failure must deny
            return Outcome(POLICY_ERROR, False, (), ())
        if not explanation:
            return Outcome(NO_RULE_MATCHED, False, (), ())
        rule = self._by_id.get(explanation[1])
        if rule is None:
            return Outcome(POLICY_ERROR, False, (), ())
        # Deny wins over any disagreement between casbin's effect and the row's effect.
        permit = bool(allowed) and rule.effect == "permit"
        return Outcome(rule.id, permit, rule.legal_basis, rule.conditioned)

    def derived_requests(self) -> Iterator[DerivedRequest]:
        """Every reachable derived request (the whole, finite request space the engine can ask)."""
        return reachable_requests()

    def table(self) -> dict[DerivedRequest, Outcome]:
        """The outcome of every derived request: the policy as a total function."""
        return {request: self.evaluate(request) for request in self.derived_requests()}


def reachable_requests() -> Iterator[DerivedRequest]:
    """Every reachable derived request: per requester, representation state and age, the product of what stays open."""
    names = DIMENSION_NAMES
    for requester in DIMENSIONS["requester"]:
        for representation in DIMENSIONS["representation"]:
            for age in DIMENSIONS["age"]:
                fixed = fixed_dimensions(requester, representation, age)
                fixed.update(requester=requester, representation=representation, age=age)
                choices = [(fixed[name],) if name in fixed else DIMENSIONS[name] for name in names]
                yield from itertools.product(*choices)


def default_policy_dir() -> Path:
    """The national policy shipped with the package (or, in a source checkout, `policies/`)."""
    packaged = Path(__file__).parent / "national_policy"
    if (packaged / RULES_FILE).exists():
        return packaged
    return Path(__file__).resolve().parent.parent / "policies"


def load_policy(directory: Path | str | None = None) -> Policy:
    """Load and validate a policy directory; raise `PolicyLoadError` naming file, line and problem."""
    directory = Path(directory) if directory is not None else default_policy_dir()
    texts = {name: _read(directory / name) for name in (MODEL_FILE, RULES_FILE, SETTINGS_FILE)}
    model = _load_model(directory / MODEL_FILE, texts[MODEL_FILE])
    rules = _parse_rules(directory / RULES_FILE, texts[RULES_FILE])
    settings = _parse_settings(directory / SETTINGS_FILE, texts[SETTINGS_FILE])
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    rows = [
        [str(rule.order), rule.id]
        + ["*" if allowed is None else "|".join(sorted(allowed)) for allowed in rule.conditions.values()]
        + [EFFECTS[rule.effect], " ".join(rule.legal_basis)]
        for rule in rules
    ]
    try:
        # enable_log=False silences casbin's line per evaluated request (denies as warnings):
        # the engine explains its own decisions.
        enforcer = casbin.Enforcer(model, _RowsAdapter(rows), enable_log=False)
        enforcer.add_function("fits", _fits)
        enforcer.enforce_ex(*(values[0] for values in DIMENSIONS.values()))
    except Exception as error:  # noqa: BLE001 - casbin raises bare errors
        raise PolicyLoadError(f"casbin cannot evaluate the policy: {error}", file=str(directory / MODEL_FILE)) from error
    return Policy(directory=directory, rules=tuple(rules), settings=settings, version=digest.hexdigest()[:16], _enforcer=enforcer)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyLoadError("file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyLoadError(f"cannot read the file: {error}", file=str(path)) from None


def _load_model(path: Path, text: str) -> Model:
    expected = {
        "r": ", ".join(DIMENSION_NAMES),
        "p": ", ".join(("priority", "rule", *DIMENSION_NAMES, "eft", "basis")),
        # Any other effect lets casbin report a later permit row over an earlier deny row.
        "e": "priority(p.eft) || deny",
    }
    lines = text.splitlines()
    for key, want in expected.items():
        found = [(n, line) for n, line in enumerate(lines, 1) if line.split("=", 1)[0].strip() == key]
        if not found:
            raise PolicyLoadError(f"no `{key} = …` definition", file=str(path))
        number, line = found[0]
        have = ", ".join(token.strip() for token in line.split("=", 1)[1].split(","))
        if have != want:
            raise PolicyLoadError(f"`{key}` must be `{want}`, found `{have}`", file=str(path), line=number)
    model = Model()
    try:
        model.load_model_from_text(text)
    except Exception as error:  # noqa: BLE001 - casbin raises bare errors
        raise PolicyLoadError(f"not a valid casbin model: {error}", file=str(path)) from error
    return model


def _parse_rules(path: Path, text: str) -> list[Rule]:
    rules: list[Rule] = []
    header_seen = False
    seen_ids: dict[str, int] = {}
    seen_orders: dict[int, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader(io.StringIO(line)))]

        def fail(message: str) -> PolicyLoadError:
            return PolicyLoadError(message, file=str(path), line=number)  # noqa: B023 - called only within this iteration

        if not header_seen:
            if tuple(cells) != RULE_COLUMNS:
                raise fail(f"the header must be `{','.join(RULE_COLUMNS)}`")
            header_seen = True
            continue
        if len(cells) != len(RULE_COLUMNS):
            raise fail(f"expected {len(RULE_COLUMNS)} columns, found {len(cells)}")
        row = dict(zip(RULE_COLUMNS, cells))
        rule_id = row["rule"]
        if not rule_id or not all(c.isalnum() or c == "-" for c in rule_id):
            raise fail(f"rule id `{rule_id}` must be letters, digits and hyphens")
        if rule_id in seen_ids:
            raise fail(f"rule id `{rule_id}` is already used on line {seen_ids[rule_id]}")
        try:
            order = int(row["order"])
        except ValueError:
            raise fail(f"order `{row['order']}` is not a whole number") from None
        if order < 0:
            # casbin sorts priorities as numbers only when they are all digits: a sign would
            # surface later as a confusing model error without the line.
            raise fail(f"order `{row['order']}` must be 0 or more")
        if order in seen_orders:
            raise fail(f"order {order} is already used on line {seen_orders[order]}")
        conditions: dict[str, frozenset[str] | None] = {}
        for name, allowed_values in DIMENSIONS.items():
            cell = row[name]
            if cell == "*":
                conditions[name] = None
                continue
            values = cell.split("|")
            for value in values:
                if value not in allowed_values:
                    raise fail(f"`{value}` is not a value of `{name}` (expected one of: {', '.join(allowed_values)}, or *)")
            conditions[name] = frozenset(values)
        effect = row["effect"]
        if effect not in EFFECTS:
            raise fail(f"effect `{effect}` must be `permit` or `deny`")
        legal_basis = tuple(row["legal_basis"].split())
        for basis in legal_basis:
            if basis not in LEGAL_BASES:
                raise fail(f"legal basis `{basis}` is not known (known: {', '.join(sorted(LEGAL_BASES))})")
        name_no = row["name_no"]
        if not name_no:
            raise fail(f"rule `{rule_id}` needs a Norwegian name in `name_no`")
        seen_ids[rule_id] = number
        seen_orders[order] = number
        rules.append(Rule(rule_id, order, conditions, effect, legal_basis, number, name_no))
    if not header_seen:
        raise PolicyLoadError("no header row", file=str(path))
    if not rules:
        raise PolicyLoadError("no rules", file=str(path))
    return sorted(rules, key=lambda rule: rule.order)


def _parse_settings(path: Path, text: str) -> PolicySettings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # `lineno` only exists from Python 3.14; before, the line is only in the message.
        line = getattr(error, "lineno", None)
        if line is None:
            found = re.search(r"\(at line (\d+)", str(error))
            line = int(found.group(1)) if found else None
        raise PolicyLoadError(f"not valid TOML: {error}", file=str(path), line=line) from None
    known = {"representation": {"max_age_days", "clock_skew_seconds"}}
    for section, values in data.items():
        if section not in known or not isinstance(values, dict):
            raise PolicyLoadError(f"unknown section `{section}`", file=str(path), line=_line_of(text, f"[{section}]"))
        for key in values:
            if key not in known[section]:
                raise PolicyLoadError(f"unknown setting `{section}.{key}`", file=str(path), line=_line_of(text, key))
    representation = data.get("representation", {})
    days = representation.get("max_age_days", 7)
    skew = representation.get("clock_skew_seconds", 300)
    for key, value in (("max_age_days", days), ("clock_skew_seconds", skew)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise PolicyLoadError(f"`representation.{key}` must be a whole number ≥ 0", file=str(path), line=_line_of(text, key))
    return PolicySettings(datetime.timedelta(days=days), datetime.timedelta(seconds=skew))


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(needle):
            return number
    return None
