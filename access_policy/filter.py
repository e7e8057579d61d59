"""The timeline filter: for a requester, a child's facts and a time, which items may be shown, without any item list.

`compile_filter` answers "all", "none", or a condition over an item's own fields (its id, pathway,
referral, kind and created time, each reference with its source system) that a journal system can
apply in its own query, plus `valid_until`: the first instant after `at` at which the answer
changes by time alone (a birthday, a fact's start or end, the register data going stale, a
death date, a care order...). `None` means no change is foreseen by time alone; new facts can
always change the answer (follow the change feed).

The filter is derived from the engine itself, never from a second copy of the rules: the facts'
scopes split every possible item into a few coverage classes (which facts' targets it hits, its
kind, where its created time lies among the confided windows); `decide_many` decides one
representative item per class, and the condition is the smallest case split of those answers
(a reference, kind or time window appears only when it changes some item's decision). The
horizon is found the same way: every instant at which any fact, the birth date or the policy's
staleness setting can change a view is a candidate, and the first candidate whose answers differ
from those at `at` is `valid_until`. So the filter is right for any policy directory, and it
tells a caller nothing the per-item decisions would not (no rule, reason, fact id or legal basis).

Pure: the policy, the facts and the time are passed in; nothing here reads a clock or a store.

Optional helpers render the condition for a database (`to_sql`, a parameterised WHERE clause over
the columns `id, system, kind, pathway_system, pathway, referral_system, referral, created`) and
for FHIR search (`to_fhir`, where the condition is a conjunction of ids and kinds).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from itertools import product
from typing import Any, Iterable, Iterator, Literal, Sequence, Union

from pydantic import BaseModel

from access_policy.age import OSLO, age_band, birthday
from access_policy.decisions import decide_many
from access_policy.facts import LOCAL_SYSTEM, Assessment, ChildFacts, Item, ItemKind, Reference
from access_policy.policy import Policy

log = logging.getLogger(__name__)

Mode = Literal["all", "none", "conditions"]
_Key = tuple[str, str]  # (system, value)
_TICK = datetime.timedelta(microseconds=1)

# Above this many coverage classes the filter is not compiled (fail closed: "none").
MAX_CLASSES = 200_000


# ----------------------------------------------------------------------------- the condition


@dataclass(frozen=True, slots=True)
class RefIn:
    """The item's `field` (id, pathway or referral, with its system) is one of `refs` (or, negated, none of them)."""

    field: Literal["id", "pathway", "referral"]
    refs: frozenset[_Key]
    negate: bool = False

    def matches(self, item: Item) -> bool:
        """True when the item meets the condition (an item without the field is in no set)."""
        if self.field == "id":
            key: _Key | None = (item.system, item.id)
        else:
            ref = getattr(item, self.field)
            key = None if ref is None else (ref.system, ref.value)
        return (key in self.refs) != self.negate

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: `{"field", "in"|"not_in": [{system, value}]}`."""
        refs = [{"system": s, "value": v} for s, v in sorted(self.refs)]
        return {"field": self.field, ("not_in" if self.negate else "in"): refs}


@dataclass(frozen=True, slots=True)
class KindIn:
    """The item's kind is one of `kinds` (or, negated, none of them)."""

    kinds: frozenset[ItemKind]
    negate: bool = False

    def matches(self, item: Item) -> bool:
        """True when the item meets the condition."""
        return (item.kind in self.kinds) != self.negate

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: `{"field": "kind", "in"|"not_in": [...]}`."""
        return {"field": "kind", ("not_in" if self.negate else "in"): sorted(k.value for k in self.kinds)}


Window = tuple[Union[datetime.datetime, None], Union[datetime.datetime, None]]


@dataclass(frozen=True, slots=True)
class CreatedIn:
    """The item's created time lies in one of `windows` (from inclusive, until exclusive; None = open),
    or is unknown when `unknown` is true."""

    windows: tuple[Window, ...]
    unknown: bool

    def matches(self, item: Item) -> bool:
        """True when the item meets the condition."""
        created = item.created
        if created is None:
            return self.unknown
        return any((s is None or s <= created) and (e is None or created < e) for s, e in self.windows)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: `{"field": "created", "in_windows": [{from, until}], "or_unknown": bool}`."""
        windows = [{"from": _iso(s), "until": _iso(e)} for s, e in self.windows]
        return {"field": "created", "in_windows": windows, "or_unknown": self.unknown}


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every part holds."""

    parts: tuple["Condition", ...]

    def matches(self, item: Item) -> bool:
        """True when every part matches."""
        return all(part.matches(item) for part in self.parts)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: `{"all": [...]}`."""
        return {"all": [part.as_dict() for part in self.parts]}


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one part holds."""

    parts: tuple["Condition", ...]

    def matches(self, item: Item) -> bool:
        """True when some part matches."""
        return any(part.matches(item) for part in self.parts)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: `{"any": [...]}`."""
        return {"any": [part.as_dict() for part in self.parts]}


Condition = Union[RefIn, KindIn, CreatedIn, AllOf, AnyOf]


def _iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.astimezone(datetime.timezone.utc).isoformat()


@dataclass(frozen=True, slots=True)
class Filter:
    """Which items of the child's record the requester may see at `at`, valid until `valid_until` (exclusive)."""

    mode: Mode
    show: Condition | None  # for "conditions": an item is shown exactly when it matches
    at: datetime.datetime
    valid_until: datetime.datetime | None
    policy_version: str

    def matches(self, item: Item) -> bool:
        """True when the item may be shown (the per-item decision would be a permit)."""
        if self.mode == "all":
            return True
        if self.mode == "none" or self.show is None:
            return False
        return self.show.matches(item)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: `{"mode", "show"?}` (the horizon travels beside it)."""
        out: dict[str, Any] = {"mode": self.mode}
        if self.mode == "conditions" and self.show is not None:
            out["show"] = self.show.as_dict()
        return out


def restricted_to_kind(compiled: Filter, kind: ItemKind) -> Filter:
    """The filter narrowed to items of one kind: an item is shown when it is of that kind and the filter shows it."""
    if compiled.mode == "none":
        return compiled
    only = KindIn(frozenset({kind}))
    show: Condition = only if compiled.mode == "all" or compiled.show is None else AllOf((only, compiled.show))
    return Filter("conditions", show, compiled.at, compiled.valid_until, compiled.policy_version)



# ----------------------------------------------------------------------------- coverage classes


def _scoped_facts(facts: ChildFacts) -> Iterator[Any]:
    yield from facts.exemptions
    yield from facts.necessary_information
    yield from facts.sharing_grants
    yield from facts.assessments


@dataclass(frozen=True, slots=True)
class _Axis:
    """One field of an item: the groups of its values that every fact's scope treats alike."""

    keys: tuple[tuple[_Key, ...], ...]  # per group, the targeted keys; the last group is "any other"
    representatives: tuple[Any, ...]
    facts: tuple[frozenset[int], ...]  # per group, the facts whose scope targets it


def _axis(targets: dict[_Key, set[int]], other: Any, make: Any) -> _Axis:
    by_signature: dict[frozenset[int], list[_Key]] = {}
    for key, signature in targets.items():
        by_signature.setdefault(frozenset(signature), []).append(key)
    ordered = sorted(by_signature.items(), key=lambda kv: sorted(kv[1]))
    groups = [tuple(sorted(keys)) for _, keys in ordered]
    representatives = [make(group[0]) for group in groups] + [other]
    return _Axis(tuple(groups) + ((),), tuple(representatives), tuple(sig for sig, _ in ordered) + (frozenset(),))


@dataclass(frozen=True, slots=True)
class _Classes:
    """Every coverage class of an item (a combination of the axes' groups) and the few distinct items the engine decides.

    Two classes covered by the same facts (after their scopes' kinds and the confided windows
    are applied), of kinds no fact tells apart, decide alike at every instant: the engine's
    decision of an item depends on nothing else. So each distinct coverage is decided once.
    """

    ids: _Axis
    pathways: _Axis
    referrals: _Axis
    kinds: tuple[tuple[ItemKind, ...], ...]  # groups of kinds that no fact tells apart
    windows: tuple[Window, ...]  # created-time intervals; the last class is "created unknown"
    items: tuple[Item, ...]  # one representative per distinct coverage
    coverage: tuple[int, ...]  # per class (in product order), the index of its representative in `items`

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.ids.keys), len(self.pathways.keys), len(self.referrals.keys), len(self.kinds), len(self.windows) + 1)


def _kind_groups(facts: ChildFacts | None) -> tuple[tuple[ItemKind, ...], ...]:
    """Kinds grouped by which kind lists (scopes' `kinds`, access profiles) name them."""
    lists: list[frozenset[ItemKind]] = []
    if facts is not None:
        lists += [frozenset(f.scope.kinds) for f in _scoped_facts(facts) if f.scope.kinds is not None]
        lists += [frozenset(p.kinds) for p in facts.access_profiles]
    groups: dict[tuple[bool, ...], list[ItemKind]] = {}
    for kind in ItemKind:
        groups.setdefault(tuple(kind in named for named in lists), []).append(kind)
    return tuple(tuple(group) for group in groups.values())


def _targets(scoped: Sequence[Any]) -> dict[str, dict[_Key, set[int]]]:
    """Per field, each targeted reference and the facts (by number) whose scope targets it."""
    targets: dict[str, dict[_Key, set[int]]] = {"item": {}, "pathway": {}, "referral": {}}
    for number, fact in enumerate(scoped):
        for field in ("item", "pathway", "referral"):
            ref = getattr(fact.scope, field)
            if ref is not None:
                targets[field].setdefault((ref.system, ref.value), set()).add(number)
    return targets


def _class_count(facts: ChildFacts | None) -> int:
    """How many coverage classes the facts split items into (before any is built)."""
    scoped = list(_scoped_facts(facts)) if facts is not None else []
    count = len(_kind_groups(facts))
    for found in _targets(scoped).values():
        count *= len({frozenset(s) for s in found.values()}) + 1
    windows = {b for f in scoped if isinstance(f, Assessment) and f.wishes_parents_not_informed for b in f.confided_window if b}
    return count * (len(windows) + 2)


def _classes(facts: ChildFacts | None) -> _Classes:
    bounds: set[datetime.datetime] = set()
    scoped = list(_scoped_facts(facts)) if facts is not None else []
    everywhere = frozenset(n for n, fact in enumerate(scoped) if fact.scope.all)
    targets = _targets(scoped)
    wishes = {n: fact.confided_window for n, fact in enumerate(scoped) if isinstance(fact, Assessment) and fact.wishes_parents_not_informed}
    for window in wishes.values():
        bounds.update(b for b in window if b is not None)
    taken = set(targets["item"])
    other_id = "filter-other"
    while (LOCAL_SYSTEM, other_id) in taken:
        other_id += "-"
    ids = _axis(targets["item"], (LOCAL_SYSTEM, other_id), lambda key: key)
    pathways = _axis(targets["pathway"], None, lambda key: Reference(system=key[0], value=key[1]))
    referrals = _axis(targets["referral"], None, lambda key: Reference(system=key[0], value=key[1]))
    cuts = sorted(bounds)
    edges: list[datetime.datetime | None] = [None, *cuts, None]
    windows = tuple((edges[i], edges[i + 1]) for i in range(len(edges) - 1))
    created: list[datetime.datetime | None] = [s if s is not None else (e - _TICK if e is not None else None) for s, e in windows]
    # With no cut the single window is open on both sides: any known instant represents it.
    created = [c if c is not None else datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc) for c in created]
    created.append(None)  # created unknown
    kinds = _kind_groups(facts)

    def inside(window: Window, when: datetime.datetime | None) -> bool:
        start, end = window
        return when is None or ((start is None or start <= when) and (end is None or when < end))

    # Per created class, the wishes whose window holds it (an unknown created is in every window).
    confided_by_created = [frozenset(n for n, window in wishes.items() if inside(window, when)) for when in created]
    representative: dict[tuple, int] = {}
    items: list[Item] = []
    coverage: list[int] = []
    for (gi, key), (gp, pathway), (gr, referral) in product(
        enumerate(ids.representatives), enumerate(pathways.representatives), enumerate(referrals.representatives)
    ):
        targeted = ids.facts[gi] | pathways.facts[gp] | referrals.facts[gr] | everywhere
        for group, kind_group in enumerate(kinds):
            kind = kind_group[0]
            covering = frozenset(n for n in targeted if scoped[n].scope.kinds is None or kind in scoped[n].scope.kinds)
            for when, confided in zip(created, confided_by_created):
                signature = (group, covering, covering & confided)
                index = representative.get(signature)
                if index is None:
                    index = representative[signature] = len(items)
                    items.append(Item.model_construct(
                        id=key[1], system=key[0], kind=kind, pathway=pathway, referral=referral, created=when,
                        labels=(), organisation=None,
                    ))
                coverage.append(index)
    return _Classes(ids, pathways, referrals, kinds, windows, tuple(items), tuple(coverage))


def _distinct_answers(policy: Policy, facts: ChildFacts | None, requester: str, classes: _Classes, at: datetime.datetime) -> tuple[bool, ...]:
    """Whether the engine permits each distinct representative at `at` (enough to see that something changed)."""
    return tuple(d.permitted for d in decide_many(policy, facts, requester, classes.items, at))


# ----------------------------------------------------------------------------- the smallest case split


def _nest(flat: Sequence[bool], shape: Sequence[int]) -> Any:
    if len(shape) == 1:
        return tuple(flat)
    step = len(flat) // shape[0]
    return tuple(_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0]))


def _leaves(table: Any) -> Iterator[bool]:
    if isinstance(table, bool):
        yield table
    else:
        for part in table:
            yield from _leaves(part)


_TRUE = "true"
_FALSE = "false"


def _atom(classes: _Classes, level: int, members: frozenset[int]) -> Condition:
    """The condition "the item's field at this level is in one of these groups"."""
    if level < 3:
        axis = (classes.ids, classes.pathways, classes.referrals)[level]
        field: Literal["id", "pathway", "referral"] = ("id", "pathway", "referral")[level]
        other = len(axis.keys) - 1
        if other in members:
            # The "any other value" group: say which targeted values are excluded instead.
            excluded = frozenset(k for g, keys in enumerate(axis.keys) if g not in members for k in keys)
            return RefIn(field, excluded, negate=True)
        return RefIn(field, frozenset(k for g in members for k in axis.keys[g]), negate=False)
    if level == 3:
        chosen = frozenset(kind for i in members for kind in classes.kinds[i])
        rest = frozenset(ItemKind) - chosen
        return KindIn(rest, negate=True) if len(rest) < len(chosen) else KindIn(chosen)
    unknown = len(classes.windows) in members
    merged: list[list[Any]] = []
    for i, (start, end) in enumerate(classes.windows):
        if i in members:
            if merged and merged[-1][1] == start and (i - 1) in members:
                merged[-1][1] = end
            else:
                merged.append([start, end])
    return CreatedIn(tuple((s, e) for s, e in merged), unknown)


def _flatten(kind: type, parts: Iterable[Condition]) -> Condition:
    flat: list[Condition] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, kind) else (part,))  # type: ignore[union-attr]  # kind is AllOf or AnyOf
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _split(classes: _Classes, level: int, table: Any) -> Condition | str:
    """The condition under which an item in this sub-table is shown (or _TRUE/_FALSE)."""
    leaves = set(_leaves(table))
    if leaves == {True}:
        return _TRUE
    if leaves == {False}:
        return _FALSE
    groups: dict[Any, set[int]] = {}
    for index, sub in enumerate(table):
        groups.setdefault(sub, set()).add(index)
    if len(groups) == 1:
        return _split(classes, level + 1, next(iter(groups)))
    shown: set[int] = set()
    hidden: set[int] = set()
    mixed: list[tuple[frozenset[int], Condition]] = []
    for sub, members in groups.items():
        condition = _split(classes, level + 1, sub)
        if condition == _TRUE:
            shown |= members
        elif condition == _FALSE:
            hidden |= members
        elif not isinstance(condition, str):
            mixed.append((frozenset(members), condition))
    if not mixed:
        return _atom(classes, level, frozenset(shown))
    if len(mixed) == 1 and not shown:
        only, condition = mixed[0]
        return _flatten(AllOf, (_atom(classes, level, only), condition))
    if len(mixed) == 1 and not hidden:
        return _flatten(AnyOf, (_atom(classes, level, frozenset(shown)), mixed[0][1]))
    parts: list[Condition] = [_atom(classes, level, frozenset(shown))] if shown else []
    parts += [_flatten(AllOf, (_atom(classes, level, members), condition)) for members, condition in mixed]
    return _flatten(AnyOf, parts)


# ----------------------------------------------------------------------------- the horizon


def _instants(value: Any) -> Iterator[datetime.datetime]:
    """Every instant a fact names: its datetimes, and 00:00 Oslo time on its dates."""
    if isinstance(value, datetime.datetime):
        yield value
    elif isinstance(value, datetime.date):
        yield _oslo_midnight(value)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _instants(getattr(value, name))
    elif isinstance(value, (tuple, list)):
        for part in value:
            yield from _instants(part)


def _oslo_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=OSLO).astimezone(datetime.timezone.utc)


# The ages at which the age band changes (0 = birth: an unknown age before it), from age.py itself.
_BAND_AGES = tuple(n for n in range(0, 130) if age_band(n) is not age_band(n - 1))


def candidate_instants(policy: Policy, facts: ChildFacts | None) -> list[datetime.datetime]:
    """Every instant at which a view of these facts can change by time alone (a superset: each is checked).

    Each named instant and the microsecond after it (the engine compares both ways); the birthdays
    at which the age band changes, at 00:00 Oslo time (29 February per `age.birthday`); the
    representation's staleness and clock-skew limits from the policy's settings.
    """
    if facts is None:
        return []
    found: set[datetime.datetime] = set()
    for instant in _instants(facts):
        found.update((instant, instant + _TICK))
    birth_date = facts.birth_date
    if birth_date is not None:
        found.update(_oslo_midnight(birthday(birth_date, years)) for years in _BAND_AGES)
    representation = facts.representation
    if representation is not None:
        settings = policy.settings
        for instant in (
            representation.retrieved_at + settings.max_representation_age,
            representation.retrieved_at - settings.clock_skew,
        ):
            found.update((instant - _TICK, instant, instant + _TICK))
    return sorted(found)


# ----------------------------------------------------------------------------- compile


def compile_filter(policy: Policy, facts: ChildFacts | None, requester: str, at: datetime.datetime) -> Filter:
    """The filter for this requester over this child's record at `at`, with its validity horizon; never raises."""
    try:
        return _compile(policy, facts, requester, at)
    except Exception:  # noqa: BLE001 - fail closed: a filter that cannot be compiled shows nothing
        log.exception("compiling a filter failed; it shows nothing")
        return Filter("none", None, at, None, policy.version)


def _compile(policy: Policy, facts: ChildFacts | None, requester: str, at: datetime.datetime) -> Filter:
    if at.tzinfo is None or at.utcoffset() is None:
        return Filter("none", None, at, None, policy.version)
    if _class_count(facts) > MAX_CLASSES:
        log.warning("a child's facts split items into more than %d classes; the filter shows nothing", MAX_CLASSES)
        return Filter("none", None, at, None, policy.version)
    classes = _classes(facts)
    distinct = _distinct_answers(policy, facts, requester, classes, at)
    valid_until = None
    for instant in candidate_instants(policy, facts):
        if instant > at and _distinct_answers(policy, facts, requester, classes, instant) != distinct:
            valid_until = instant
            break
    answers = tuple(distinct[i] for i in classes.coverage)
    condition = _split(classes, 0, _nest(answers, classes.shape))
    if isinstance(condition, str):  # _TRUE or _FALSE: every item alike
        return Filter("all" if condition == _TRUE else "none", None, at, valid_until, policy.version)
    return Filter("conditions", condition, at, valid_until, policy.version)


# ----------------------------------------------------------------------------- optional helpers


SQL_COLUMNS = ("id", "system", "kind", "pathway_system", "pathway", "referral_system", "referral", "created")


def to_sql(filter_: Filter, placeholder: str = "%s") -> tuple[str, list[Any]]:
    """A WHERE clause (without the keyword) and its parameters, over the columns in `SQL_COLUMNS`.

    `created` is a timestamp (NULL when unknown); `pathway`/`referral` and their systems are NULL
    for an item without one. Values are never put in the text: they travel as parameters, in order
    (`placeholder` is the driver's: `%s` for psycopg, `?` for sqlite3). Datetime parameters are
    aware `datetime`s.
    """
    if filter_.mode == "all":
        return "1 = 1", []
    if filter_.mode == "none" or filter_.show is None:
        return "1 = 0", []
    params: list[Any] = []
    return _sql(filter_.show, placeholder, params), params


def _sql(condition: Condition, p: str, params: list[Any]) -> str:
    if isinstance(condition, AllOf):
        return "(" + " AND ".join(_sql(part, p, params) for part in condition.parts) + ")"
    if isinstance(condition, AnyOf):
        return "(" + " OR ".join(_sql(part, p, params) for part in condition.parts) + ")"
    if isinstance(condition, KindIn):
        kinds = sorted(k.value for k in condition.kinds)
        params.extend(kinds)
        return f"kind {'NOT IN' if condition.negate else 'IN'} ({', '.join(p for _ in kinds)})"
    if isinstance(condition, RefIn):
        system, value = {"id": ("system", "id"), "pathway": ("pathway_system", "pathway"), "referral": ("referral_system", "referral")}[condition.field]
        terms = []
        for ref_system, ref_value in sorted(condition.refs):
            params.extend((ref_system, ref_value))
            terms.append(f"({system} = {p} AND {value} = {p})")
        # An item without the field is in no set: NULL comparisons count as "not in".
        inside = f"COALESCE(({' OR '.join(terms)}), FALSE)" if terms else "FALSE"
        return f"NOT {inside}" if condition.negate else inside
    if isinstance(condition, CreatedIn):
        terms = []
        for start, end in condition.windows:
            bounds = []
            if start is not None:
                params.append(start)
                bounds.append(f"created >= {p}")
            if end is not None:
                params.append(end)
                bounds.append(f"created < {p}")
            terms.append("(" + " AND ".join(["created IS NOT NULL", *bounds]) + ")")
        if condition.unknown:
            terms.append("created IS NULL")
        return "(" + " OR ".join(terms) + ")" if terms else "FALSE"
    raise TypeError(f"not a condition: {type(condition).__name__}")


# A record item's kind as FHIR R4 resource types (for `_type`), as the FHIR front door reads them.
FHIR_TYPES: dict[ItemKind, tuple[str, ...]] = {
    ItemKind.APPOINTMENT: ("Appointment", "Encounter"),
    ItemKind.TEST_RESULT: ("Observation", "DiagnosticReport"),
    ItemKind.DOCUMENT: ("DocumentReference",),
    ItemKind.NOTE: ("Composition",),
    ItemKind.REFERRAL: ("ServiceRequest",),
    ItemKind.MEDICATION: ("MedicationRequest", "MedicationStatement"),
    ItemKind.VACCINATION: ("Immunization",),
    ItemKind.MESSAGE: ("Communication",),
}


def to_fhir(filter_: Filter) -> list[tuple[str, str]] | None:
    """FHIR search parameters (name, value) that select exactly the shown items, or None when that is not simple.

    Simple means: "all" (no parameter), or a conjunction of conditions on the item's id (as the
    resource's `identifier`, `system|value`) and kind (as `_type`). "none" and conditions on
    pathways, referrals or created times are not expressible here: use the JSON condition or SQL.
    """
    if filter_.mode == "all":
        return []
    if filter_.mode == "none" or filter_.show is None:
        return None
    parts = filter_.show.parts if isinstance(filter_.show, AllOf) else (filter_.show,)
    params: list[tuple[str, str]] = []
    for part in parts:
        if isinstance(part, RefIn) and part.field == "id":
            refs = [f"{s}|{v}" for s, v in sorted(part.refs)]
            if part.negate:
                params += [("identifier:not", ref) for ref in refs]
            else:
                params.append(("identifier", ",".join(refs)))
        elif isinstance(part, KindIn):
            kinds = (set(ItemKind) - part.kinds) if part.negate else part.kinds
            params.append(("_type", ",".join(sorted(t for k in kinds for t in FHIR_TYPES[k]))))
        else:
            return None
    return params
