"""The timeline filter equals the per-item decisions: for any item list, at `at` and at every instant before `valid_until`.

Worlds (the child's age, register status, holders, id history and facts of every kind) come
from the engine's own world generator; items are drawn over the same ids, pathways, referrals,
systems and kinds the facts target, plus ones no fact names, with created times around the
decision time or none.
"""

from __future__ import annotations

import datetime
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from access_policy.decisions import decide_many
from access_policy.facts import Item, ItemKind, RegisterStatus
from access_policy.filter import compile_filter, to_sql
from tests.engine.test_world_properties import GP, POLICY, T, fact_specs, facts_of, requesters, worlds

HOUR = datetime.timedelta(hours=1)

items = st.builds(
    lambda id_, system, kind, pathway, referral, created: Item(
        id=id_, system=system, kind=kind, pathway=pathway, referral=referral,
        created=None if created is None else T + created * HOUR,
    ),
    st.sampled_from(["I1", "I2", "I3", "I9"]),
    st.sampled_from(["local", GP]),
    st.sampled_from(ItemKind),
    st.none() | st.sampled_from(["P1", "P2"]) | st.just({"system": GP, "value": "P1"}),
    st.none() | st.sampled_from(["H1", "H2"]) | st.just({"system": GP, "value": "H1"}),
    st.none() | st.integers(-60 * 24, 60 * 24),
)

EXAMPLES = settings(max_examples=150, deadline=None)


@st.composite
def filter_worlds(draw: st.DrawFn) -> dict:
    """Worlds with at least one fact, the child mostly resident and of an age where facts matter, often near a birthday."""
    world = draw(worlds(status=st.sampled_from([RegisterStatus.BOSATT] * 12 + list(RegisterStatus))))
    years = draw(st.sampled_from([5, 12, 14, 16, 17, 18]))
    near = draw(st.none() | st.integers(-20, 20))
    if near is None:
        birth = T.date() - datetime.timedelta(days=years * 365 + draw(st.integers(0, 364)))
    else:
        # The birthday at `years` falls `near` days from the decision time.
        birth = T.date().replace(year=T.year - years) + datetime.timedelta(days=near)
    world["birth"] = birth
    if world["death"] is not None:
        world["death"] = max(world["death"], birth)
    world["facts"] = draw(st.lists(fact_specs, min_size=1, max_size=6))
    return world


# Mostly the parents (current and former ids) and the child; sometimes a stranger or the welfare service.
choices = st.sampled_from([0, 0, 1, 4, 5, 5, 6, 2, 3])


def _later(at: datetime.datetime, valid_until: datetime.datetime | None, fraction: float) -> datetime.datetime:
    """An instant in [at, valid_until) (or within a year after `at` when no change is foreseen)."""
    end = valid_until if valid_until is not None else at + datetime.timedelta(days=366)
    span = end - at
    return at + datetime.timedelta(microseconds=int((span // datetime.timedelta(microseconds=1)) * fraction))


@EXAMPLES
@given(world=filter_worlds(), drawn=st.lists(items, min_size=1, max_size=12), which=choices,
       offset=st.integers(-24 * 30, 24 * 30), fractions=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=3))
def test_the_filter_equals_the_per_item_decisions_until_its_horizon(world, drawn, which, offset, fractions) -> None:
    """Applied to any item list, the filter shows exactly what `decide_many` permits, at `at` and before `valid_until`."""
    facts = facts_of(world)
    people = requesters(world)
    requester = people[which % len(people)]
    at = T + offset * HOUR
    compiled = compile_filter(POLICY, facts, requester, at)
    assert compiled.valid_until is None or compiled.valid_until > at
    for instant in [at, *(_later(at, compiled.valid_until, f) for f in fractions)]:
        expected = [d.permitted for d in decide_many(POLICY, facts, requester, drawn, instant)]
        assert [compiled.matches(item) for item in drawn] == expected, (instant, compiled)
    if compiled.valid_until is not None:
        # The horizon is the first instant at which the answer changes: a fresh filter there differs.
        there = compile_filter(POLICY, facts, requester, compiled.valid_until)
        assert (there.mode, there.show) != (compiled.mode, compiled.show)


def _sqlite_rows(drawn: list[Item]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE items (n INTEGER, id TEXT, system TEXT, kind TEXT, pathway_system TEXT, pathway TEXT,"
               " referral_system TEXT, referral TEXT, created TEXT)")
    for n, item in enumerate(drawn):
        db.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            n, item.id, item.system, item.kind.value,
            item.pathway.system if item.pathway else None, item.pathway.value if item.pathway else None,
            item.referral.system if item.referral else None, item.referral.value if item.referral else None,
            _utc(item.created),
        ))
    return db


def _utc(value):
    """Datetimes as sortable UTC text, so sqlite compares them as the engine does."""
    if not isinstance(value, datetime.datetime):
        return value
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


@EXAMPLES
@given(world=filter_worlds(), drawn=st.lists(items, min_size=1, max_size=12), which=choices)
def test_the_sql_form_selects_exactly_the_permitted_items(world, drawn, which) -> None:
    """The WHERE clause, run by a real database over the documented columns, selects what `decide_many` permits."""
    facts = facts_of(world)
    people = requesters(world)
    requester = people[which % len(people)]
    clause, params = to_sql(compile_filter(POLICY, facts, requester, T), placeholder="?")
    db = _sqlite_rows(drawn)
    selected = {n for (n,) in db.execute(f"SELECT n FROM items WHERE {clause}", [_utc(p) for p in params])}
    expected = {n for n, d in enumerate(decide_many(POLICY, facts, requester, drawn, T)) if d.permitted}
    assert selected == expected, clause


@settings(max_examples=60, deadline=None)
@given(world=filter_worlds(), drawn=st.lists(items, min_size=1, max_size=12), which=choices)
def test_the_sql_form_runs_in_postgresql_with_psycopg_placeholders(postgres_url, world, drawn, which) -> None:
    """The same clause, `%s` placeholders and aware datetimes as parameters, in PostgreSQL over timestamptz."""
    import sqlalchemy

    facts = facts_of(world)
    people = requesters(world)
    requester = people[which % len(people)]
    clause, params = to_sql(compile_filter(POLICY, facts, requester, T))
    engine = sqlalchemy.create_engine(postgres_url)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("CREATE TEMP TABLE filter_items (n int, id text, system text, kind text, pathway_system text,"
                       " pathway text, referral_system text, referral text, created timestamptz)")
        for n, item in enumerate(drawn):
            cursor.execute("INSERT INTO filter_items VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", (
                n, item.id, item.system, item.kind.value,
                item.pathway.system if item.pathway else None, item.pathway.value if item.pathway else None,
                item.referral.system if item.referral else None, item.referral.value if item.referral else None,
                item.created,
            ))
        cursor.execute(f"SELECT n FROM filter_items WHERE {clause}", params)
        selected = {n for (n,) in cursor.fetchall()}
    finally:
        connection.rollback()
        connection.close()
        engine.dispose()
    expected = {n for n, d in enumerate(decide_many(POLICY, facts, requester, drawn, T)) if d.permitted}
    assert selected == expected, clause
