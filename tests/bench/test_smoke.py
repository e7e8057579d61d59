"""Smoke tests of the benchmark: the smallest workloads, tiny sizes, and the peers' agreement (no timings)."""

from __future__ import annotations

import json

import pytest

from access_policy.bench import report
from access_policy.bench.config import TINY
from access_policy.bench.loadgen import main as loadgen_main
from access_policy.bench.naive_casbin import NaiveCasbin
from access_policy.bench.runner import run
from access_policy.bench.timeline import build_timeline
from access_policy.decisions import decide_many


@pytest.fixture(scope="module")
def timeline():
    return build_timeline(120)


def _has_cedarpy() -> bool:
    try:
        import cedarpy  # noqa: F401
    except ImportError:
        return False
    return True


def _engine(policy, timeline) -> list[bool]:
    return [d.permitted for d in decide_many(policy, timeline.facts, timeline.requester, timeline.items, timeline.at)]


def test_timeline_reaches_every_rule_a_parent_meets(national_policy, timeline):
    rules = {d.rule for d in decide_many(national_policy, timeline.facts, timeline.requester, timeline.items, timeline.at)}
    assert {"main-rule", "exemption", "adolescent-wish", "access-profile", "necessary-information"} <= rules


def test_naive_casbin_decides_as_the_engine(national_policy, timeline):
    naive = NaiveCasbin(timeline, 400)
    assert naive.lines == 400
    assert naive.decide_many(timeline.requester, timeline.facts, timeline.items, timeline.at) == _engine(national_policy, timeline)


def test_cedar_decides_as_the_engine(national_policy, timeline):
    pytest.importorskip("cedarpy")
    from access_policy.bench.cedar import Cedar

    cedar = Cedar()
    loaded = cedar.load(timeline.facts, timeline.requester, timeline.items, timeline.at)
    assert cedar.errors(loaded) == []
    assert cedar.decide_many(loaded) == _engine(national_policy, timeline)
    item = timeline.items[0]
    assert cedar.decide_one(timeline.facts, timeline.requester, item, timeline.at) == _engine(national_policy, timeline)[0]


def test_cedar_decides_as_the_engine_over_the_synthetic_population(national_policy, timeline):
    """Every kind of fact the synthetic population holds (care orders included), for each child's first holder."""
    pytest.importorskip("cedarpy")
    from access_policy import synthetic
    from access_policy.bench.cedar import Cedar
    from access_policy.bench.population import AGE_CYCLE
    from access_policy.decisions import decide
    from access_policy.facts import Item, ItemKind
    from access_policy.store.memory import MemoryFactStore

    store = MemoryFactStore()
    synthetic.fill_store(store, AGE_CYCLE)  # one cycle holds children of every age
    cedar = Cedar()
    kinds = list(ItemKind)
    items = [Item(id=f"doc-{n}", kind=kinds[n % len(kinds)], pathway=f"pw-{n % 20}") for n in range(20)]
    compared = care_orders = grants = 0
    for number, child in enumerate(synthetic.children(AGE_CYCLE)):
        # The bench's requester: the first holder, a person or an organisation.
        holders = [h.get("id") or h.get("organisation") for h in child.line.get("holders", [])]
        holders = [h for h in holders if h]
        if not holders:
            continue
        facts = store.child_facts(child.child)
        # Every child with a care order or a sharing grant (the rarer rules), and a sample of the rest.
        if number % 10 and not facts.care_orders and not facts.sharing_grants:
            continue
        care_orders += bool(facts.care_orders)
        grants += bool(facts.sharing_grants)
        for item in items:
            engine = decide(national_policy, facts, holders[0], item, timeline.at).permitted
            assert cedar.decide_one(facts, holders[0], item, timeline.at) == engine, (child.child, item.id)
            compared += 1
    assert compared > 10_000 and care_orders > 0 and grants > 0


def test_tiny_run_measures_checks_and_reports(tmp_path):
    results, machine, versions = run(TINY, work_dir=tmp_path / "work", progress=lambda line: None)
    # Without the `bench` extra, Cedar is skipped and says why; nothing else may be.
    allowed = set() if _has_cedarpy() else {"cedar"}
    assert set(results.skipped) <= allowed, results.skipped
    assert {"engine.list", "casbin.list.200", "single.50"} <= set(results.figures)
    assert results.checks and all(check.passed for check in results.checks.values())
    assert {t.key for t in results.targets} >= {"engine-list", "vs-casbin", "service-single", "memory"}
    data = report.as_dict(results, machine, versions, "access-policy bench (tiny)")
    json_path, md_path = report.write(data, tmp_path / "out")
    assert json.loads(json_path.read_text())["figures"]["engine.list"]["unit"] == "µs/item"
    assert "| target | bound | value | status |" in md_path.read_text()


def test_load_generator_sends_nothing_off_this_machine(tmp_path, capsys):
    bodies = tmp_path / "bodies.jsonl"
    bodies.write_text("{}\n")
    assert loadgen_main(["--url", "http://192.0.2.1:8000/v1/decisions", "--bodies", str(bodies), "--seconds", "0.1"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_the_postgresql_workload_is_skipped_with_why_when_no_server_answers(tmp_path, monkeypatch):
    from access_policy.bench import postgresql, targets
    from access_policy.bench.results import Results
    from access_policy.bench.runner import _postgresql

    monkeypatch.setenv(postgresql.URL_VARIABLE, "postgresql+psycopg://127.0.0.1:1/test")
    results = Results(mode="tiny")
    _postgresql(TINY, build_timeline(10), tmp_path, results, lambda line: None)
    assert "not reachable at postgresql+psycopg://127.0.0.1:1/test" in results.skipped["postgresql"]
    targets.judge(results)
    (target,) = [t for t in results.targets if t.key == "service-postgresql-two"]
    assert target.status == "not measured" and "not reachable" in (target.note or "")


def test_authzen_bodies_name_an_organisation_holder_as_an_organization(tmp_path, timeline):
    """A holder may be a child welfare service: its AuthZEN subject must say so, or the request is a 400."""
    pytest.importorskip("httpx")
    from access_policy.bench.population import Pair
    from access_policy.bench.service import _bodies

    pairs = [Pair(timeline.child, timeline.requester), Pair(timeline.child, "974589028")]
    paths = _bodies(tmp_path, pairs, timeline)
    subjects = [json.loads(line)["subject"] for line in paths["authzen"].read_text().splitlines()]
    assert subjects == [{"type": "person", "id": timeline.requester}, {"type": "organization", "id": "974589028"}]
