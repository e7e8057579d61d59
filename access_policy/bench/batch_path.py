"""The timeline's 1,000-item batch through the decision route in process: each stage's CPU time, and the whole.

`python -m access_policy.bench.batch_path` stores the timeline's facts in a new SQLite store and
prints, per stage, the mean CPU time of a call: reading the body with the `BatchRequest`
model and in bulk (`parse_batch`), the engine, the decision-log entry, the answer, and the route's
work end to end (read, facts, engine, log entry appended and committed, answer), the latter with
Python's default garbage collector and with the collector as `serve` sets it. CPU time, not wall
time: the figures hold on a machine shared with other work, which wall-clock rates do not.
"""

from __future__ import annotations

import gc
import json
import pathlib
import tempfile
import time
from typing import Any, Callable


def _mean(work: Callable[[], Any], calls: int = 200) -> float:
    """The mean CPU time of one call, in ms, over `calls` calls (collections included, as under load)."""
    work()
    started = time.process_time()
    for _ in range(calls):
        work()
    return (time.process_time() - started) / calls * 1e3


def main() -> None:
    """Print each stage's CPU time per batch."""
    from access_policy.bench.population import store_timeline
    from access_policy.bench.service import _item
    from access_policy.bench.timeline import build_timeline
    from access_policy.decisions import decide_many
    from access_policy.policy import load_policy
    from access_policy.service.collector import settle_after_startup
    from access_policy.service.decisions import DecisionService, audit_entry, batch_json
    from access_policy.service.settings import Settings
    from access_policy.service.tokens import Caller
    from access_policy.store import open_store
    from api.decisions import BatchRequest, _batch, parse_batch

    timeline = build_timeline(1000)
    body = {"requester": timeline.requester, "child": timeline.child, "items": [_item(i) for i in timeline.items],
            "at": timeline.at.isoformat()}
    raw = json.dumps(body).encode()
    with tempfile.TemporaryDirectory() as directory:
        store = open_store(data_dir=pathlib.Path(directory) / "data")
        store_timeline(store, timeline)
        service = DecisionService(store, load_policy())
        caller = Caller(subject="journal", scopes=frozenset({"decisions"}), client_id="journal")
        settings = Settings(dev=True)
        request = parse_batch(raw)
        outcome = service.decide(caller, request.requester, request.child, request.items, request.at)
        at = timeline.at
        facts = service.facts.child_facts(request.child, active_at=at)
        stages: list[tuple[str, Callable[[], Any]]] = [
            ("read the body: BatchRequest model", lambda: BatchRequest.model_validate_json(raw)),
            ("read the body: in bulk (parse_batch)", lambda: parse_batch(raw)),
            ("engine (decide_many)", lambda: decide_many(service.policy, facts, request.requester, request.items, at)),
            ("decision-log entry (audit_entry)", lambda: audit_entry(outcome, caller, request.requester, request.child, at, at)),
            ("answer (batch_json)", lambda: batch_json(outcome)),
            ("end to end, default collector", lambda: _batch(raw, caller, service, settings)),
        ]
        for name, work in stages:
            print(f"{name:45s} {_mean(work):7.2f} ms")
        before = gc.get_threshold()
        settle_after_startup()
        try:
            print(f"{'end to end, collector as `serve` sets it':45s} {_mean(lambda: _batch(raw, caller, service, settings)):7.2f} ms")
        finally:
            gc.unfreeze()
            gc.set_threshold(*before)
        store.close()


if __name__ == "__main__":
    main()
