"""Workloads 1 and 4: one parent's timeline decided by the engine, naive casbin and Cedar."""

from __future__ import annotations

import time

from access_policy.bench.config import Config
from access_policy.bench.results import Results
from access_policy.bench.timeline import Timeline
from access_policy.bench.timing import Measurement, interleave, repeat
from access_policy.decisions import decide_many
from access_policy.policy import Policy

ENGINE = "1 engine, list"
PEERS = "4 peers, list"


def run(config: Config, policy: Policy, timeline: Timeline, results: Results, progress=print) -> None:
    """Time the engine on the timeline, then each peer on the same decisions, and check they agree."""
    items = timeline.items
    per_item = 1e6 / len(items)

    def engine_list():
        return decide_many(policy, timeline.facts, timeline.requester, items, timeline.at)

    expected = [decision.permitted for decision in engine_list()]
    cedar_list = _cedar_list(timeline, expected, results)
    samples, cedar_samples = interleave(engine_list, config.list_runs, cedar_list, config.peer_runs)
    results.add("engine.list", ENGINE, f"engine, {len(items):,} items, facts loaded", Measurement.of(samples, "s").scaled(per_item, "µs/item"))
    results.extra["timeline"] = {
        "items": len(items),
        "permitted": sum(expected),
        "denied": len(expected) - sum(expected),
        "rules": _rule_counts(engine_list()),
    }
    progress(f"engine, list: {results.median('engine.list'):.2f} µs/item")

    if cedar_list is not None:
        results.add(
            "cedar.list", PEERS, f"Cedar (cedarpy), {len(items):,} items, one batch",
            Measurement.of(cedar_samples, "s").scaled(per_item, "µs/item"),
            note="is_authorized_batch over pre-parsed policies and entities; timed in turns with the engine",
        )
        progress(f"Cedar, list: {results.median('cedar.list'):.2f} µs/item")
    _run_casbin(config, timeline, expected, results, progress)
    results.ratio("cedar-over-engine", "Cedar / engine, per item (list)", "cedar.list", "engine.list")
    for lines in config.casbin_lines:
        results.ratio(f"casbin-{lines}-over-engine", f"naive casbin {lines:,} lines / engine, per item (list)", f"casbin.list.{lines}", "engine.list")


def _rule_counts(decisions) -> dict[str, int]:
    counts: dict[str, int] = {}
    for decision in decisions:
        counts[decision.rule] = counts.get(decision.rule, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _cedar_list(timeline: Timeline, expected: list[bool], results: Results):
    """Cedar's batch over the timeline, checked against the engine; None without cedarpy."""
    try:
        from access_policy.bench.cedar import Cedar
    except ImportError as error:
        results.skip("cedar", f"cedarpy is not installed ({error}); install the `bench` extra")
        return None
    cedar = Cedar()
    loaded = cedar.load(timeline.facts, timeline.requester, timeline.items, timeline.at)
    errors = cedar.errors(loaded)
    if errors:
        results.extra["cedar_errors"] = errors[:5]
    answers = cedar.decide_many(loaded)
    results.check("cedar.agreement", "Cedar equals the engine (timeline)", sum(a == b for a, b in zip(answers, expected)), len(expected))
    return lambda: cedar.decide_many(loaded)


def _run_casbin(config: Config, timeline: Timeline, expected: list[bool], results: Results, progress) -> None:
    from access_policy.bench.naive_casbin import NaiveCasbin, lines_per_child

    results.extra["casbin_lines_per_child"] = round(lines_per_child(), 2)

    for lines in config.casbin_lines:
        started = time.perf_counter()
        naive = NaiveCasbin(timeline, lines)
        build = time.perf_counter() - started
        sample_size = config.casbin_sample.get(lines, len(timeline.items))
        stride = max(1, len(timeline.items) // sample_size)
        picked = list(range(0, len(timeline.items), stride))[:sample_size]
        items = [timeline.items[i] for i in picked]
        answers = naive.decide_many(timeline.requester, timeline.facts, items, timeline.at)
        agreed = sum(answers[n] == expected[i] for n, i in enumerate(picked))
        results.check(f"casbin.agreement.{lines}", f"naive casbin ({lines:,} lines) equals the engine ({len(items):,} items)", agreed, len(items))
        samples = repeat(lambda: naive.decide_many(timeline.requester, timeline.facts, items, timeline.at), config.peer_runs_casbin, warmup=0)
        note = f"every {stride}th item of the timeline ({len(items)} items); enforcer built in {build:.1f} s"
        results.add(
            f"casbin.list.{lines}", PEERS, f"naive casbin, {naive.lines:,} lines",
            Measurement.of(samples, "s").scaled(1e6 / len(items), "µs/item"), note=note,
        )
        progress(f"naive casbin, {lines:,} lines: {results.median(f'casbin.list.{lines}'):,.0f} µs/item")
