"""Timing of the timeline filter: compiling it for the timeline workload against deciding the items one by one.

Run `python -m access_policy.bench.filter`. Prints, per workload, the coverage classes, the
median time to compile the filter (with its horizon), the median time of `decide_many` over the
timeline's items, and whether the filter agrees with those decisions item by item.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

from access_policy.bench.timeline import build_timeline
from access_policy.decisions import decide_many
from access_policy.filter import _classes, compile_filter
from access_policy.policy import load_policy


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(repeat: int = 15) -> None:
    """Print the timings for the timeline workload at a few sizes, for both parents."""
    policy = load_policy()
    for size in (1_000, 10_000):
        timeline = build_timeline(size)
        for who, requester in (("parent", timeline.requester), ("other parent", timeline.other_parent)):
            facts, at, items = timeline.facts, timeline.at, timeline.items
            compiled = compile_filter(policy, facts, requester, at)
            decided = decide_many(policy, facts, requester, items, at)
            agrees = all(compiled.matches(i) == d.permitted for i, d in zip(items, decided))
            classes = len(_classes(facts).items)
            filter_ms = _median_ms(lambda: compile_filter(policy, facts, requester, at), repeat)
            decide_ms = _median_ms(lambda: decide_many(policy, facts, requester, items, at), repeat)
            print(f"{size:>6} items, {who:<12} classes {classes:>5}  mode {compiled.mode:<10} "
                  f"filter {filter_ms:7.2f} ms  decide_many {decide_ms:7.2f} ms  agrees {agrees}  "
                  f"valid_until {compiled.valid_until}")


if __name__ == "__main__":
    main()
