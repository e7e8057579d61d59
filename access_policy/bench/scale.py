"""Workloads 2 and 3: one decision including reading the child's facts from SQLite, as the store grows.

The store is filled in steps (1,000 children, then up to 100,000, then up to 1,000,000) and at each
step single decisions are timed for children drawn from the whole store: read the facts, decide.
Cedar is timed the same way (read the facts, build the entities, ask), so the plot compares like
with like; naive casbin is placed by its line count (lines per child of the filler mix).
"""

from __future__ import annotations

import gc
import random
import time
from pathlib import Path

from access_policy.bench.config import Config
from access_policy.bench.population import Pair, Population, store_timeline
from access_policy.bench.results import Results
from access_policy.bench.timeline import Timeline
from access_policy.bench.timing import Measurement
from access_policy.decisions import decide
from access_policy.facts import Item, ItemKind
from access_policy.identity import parse_organisation_number, parse_person_id
from access_policy.policy import Policy

SINGLE = "2 engine, single"
SCALE = "3 scale"


def run(config: Config, policy: Policy, timeline: Timeline, data_dir: Path, results: Results, progress=print,
        import_file: Path | None = None) -> list[Pair]:
    """Fill the store step by step and time single decisions at each size; return the last sample of pairs."""
    from access_policy.store import open_store

    store = open_store(data_dir=data_dir)
    pairs: list[Pair] = []
    closing: list[Population] = []
    try:
        store_timeline(store, timeline)
        save = (import_file, config.import_children) if import_file is not None and config.import_children <= config.children[-1] else None
        population = Population(store, sample=max(1000, config.single_decisions), save=save)
        closing.append(population)
        cedar = _cedar()
        for size in config.children:
            started = time.perf_counter()
            population.grow(size)
            _checkpoint(store)
            pairs = list(population.sample)
            took = time.perf_counter() - started
            results.note("fill_seconds", str(size), round(took, 1))
            progress(f"store filled to {size:,} children ({took:.1f} s)")
            workload = SINGLE if size == config.children[0] else SCALE
            engine, cedar_figure, (agreed, asked) = _time_single(config, policy, store, pairs, timeline, cedar)
            if asked:
                results.check(f"cedar.single.agreement.{size}", f"Cedar equals the engine (single decisions, {size:,} children)", agreed, asked)
            results.add(f"single.{size}", workload, f"engine, one decision with SQLite read, {size:,} children", engine,
                        note=f"{config.single_decisions} children drawn from the store per run")
            if cedar_figure is not None:
                results.add(f"cedar.single.{size}", workload, f"Cedar, one decision with SQLite read, {size:,} children", cedar_figure,
                            note="read facts, build entities, is_authorized")
            progress(f"single decision at {size:,} children: {engine.median:.0f} µs")
        first, last = config.children[0], config.children[-1]
        results.ratio("single-scale", f"single decision, {last:,} / {first:,} children", f"single.{last}", f"single.{first}")
    finally:
        for population in closing:
            population.close()
        store.close()
    return pairs


def _checkpoint(store) -> None:
    """Move SQLite's write-ahead log into the database file, so every size is read at rest.

    SQLite does this by itself once the log passes 1,000 pages; a small store just filled would
    otherwise be read through its log and look slower than a large one.
    """
    if getattr(store, "dialect", None) != "sqlite":
        return
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _cedar():
    try:
        from access_policy.bench.cedar import Cedar
    except ImportError:
        return None
    return Cedar()


def _time_single(config: Config, policy: Policy, store, pairs: list[Pair], timeline: Timeline, cedar):
    """Engine and Cedar time per decision (facts read each time), and how often Cedar agreed."""
    rng = random.Random(len(pairs))
    at = timeline.at
    # Items in the synthetic population's care pathways, of every kind, so its facts apply.
    kinds = list(ItemKind)
    items = [Item(id=f"doc-{n}", kind=kinds[n % len(kinds)], pathway=f"pw-{n % 20}") for n in range(40)]
    engine_runs, cedar_runs = [], []
    agreed = asked = 0
    clock = time.perf_counter
    for run in range(config.single_runs + 1):
        chosen = [(rng.choice(pairs), rng.choice(items)) for _ in range(config.single_decisions)]
        # Ids are parsed through a bounded cache. A small store's few thousand ids would all end
        # up in it, a national one's hardly ever: each run starts with it empty, at every size.
        parse_person_id.cache_clear()
        parse_organisation_number.cache_clear()
        gc.collect()  # garbage left by earlier workloads is not this run's cost
        engine_time = cedar_time = 0.0
        # Engine and Cedar take turns decision by decision, so a burst of load on the machine
        # falls on both rather than on whichever happened to run then.
        for pair, item in chosen:
            started = clock()
            answer = decide(policy, store.child_facts(pair.child), pair.requester, item, at).permitted
            engine_time += clock() - started
            if cedar is not None:
                started = clock()
                other = cedar.decide_one(store.child_facts(pair.child), pair.requester, item, at)
                cedar_time += clock() - started
                agreed += answer == other
                asked += 1
        if run == 0:
            continue  # a warm-up run: connections, statement caches
        engine_runs.append(engine_time / len(chosen))
        if cedar is not None:
            cedar_runs.append(cedar_time / len(chosen))
    engine = Measurement.of(engine_runs, "s").scaled(1e6, "µs")
    return engine, (Measurement.of(cedar_runs, "s").scaled(1e6, "µs") if cedar_runs else None), (agreed, asked)
