"""Workloads 5 and 6 (memory): the real service and a bare endpoint under load from another process.

`access-policy serve --dev` is started on the filled store (one worker, then two) and loaded by
`loadgen` in its own process: single decisions for children drawn from the store, then batches of
the timeline's 1,000 items. The bare FastAPI endpoint (`bench.bare`) takes the same load under
the same uvicorn settings (log level info, no access log, as `serve` runs it): that is the
ceiling. Every server listens on 127.0.0.1 only and is stopped (its whole process group) when
its phase ends, also on error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from access_policy.bench import profiling
from access_policy.bench.config import Config
from access_policy.bench.population import Pair
from access_policy.bench.processes import cpu_seconds, free_port, python_command, rss_kib, server, tree_pids
from access_policy.bench.results import Results
from access_policy.bench.timeline import Timeline
from access_policy.bench.timing import Measurement
from access_policy.identity import is_organisation_number

SERVICE = "5 service"
_PATHS = {"single": "/v1/decisions", "batch": "/v1/decisions/batch", "filter": "/v1/decisions/filter",
          "authzen": "/access/v1/evaluation"}
_KIND_LABELS = {"single": "single decisions", "filter": "timeline filters", "authzen": "AuthZEN single evaluations"}
MEMORY = "6 memory"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from access_policy.cli import main; main()", *args]


def _bodies(work: Path, pairs: list[Pair], timeline: Timeline) -> dict[str, Path]:
    """Request bodies, one per line: single decisions, the timeline batch, the timeline filter and
    AuthZEN single evaluations (the same requesters, children and items as the single decisions)."""
    at = timeline.at.isoformat()
    paths = {kind: work / f"{kind}.jsonl" for kind in ("single", "batch", "filter", "authzen")}
    with paths["single"].open("w") as single, paths["filter"].open("w") as filter_, paths["authzen"].open("w") as authzen:
        for n, pair in enumerate(pairs):
            item = _item(timeline.items[n % len(timeline.items)])
            single.write(json.dumps({"requester": pair.requester, "child": pair.child, "item": item, "at": at}) + "\n")
            filter_.write(json.dumps({"requester": pair.requester, "child": pair.child, "at": at}) + "\n")
            properties = {"child": pair.child, **{k: v for k, v in item.items() if k not in ("id", "kind")}}
            authzen.write(json.dumps({
                # A holder may be an organisation (a child welfare service): AuthZEN names its type.
                "subject": {"type": "organization" if is_organisation_number(pair.requester) else "person", "id": pair.requester},
                "action": {"name": "can_read"},
                "resource": {"type": item["kind"], "id": item["id"], "properties": properties}, "context": {"time": at},
            }) + "\n")
    body = {"requester": timeline.requester, "child": timeline.child, "items": [_item(i) for i in timeline.items], "at": at}
    paths["batch"].write_text(json.dumps(body) + "\n")
    return paths


def _item(item) -> dict:
    return item.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def _load(url: str, bodies: Path, token: str | None, *, concurrency: int, seconds: float, requests: int, window: float = 1.0) -> dict:
    command = python_command(
        "access_policy.bench.loadgen", "--url", url, "--bodies", str(bodies), "--concurrency", str(concurrency),
        "--seconds", str(seconds), "--max-requests", str(requests), "--window", str(window),
    )
    if token:
        command += ["--token", token]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def run(config: Config, data_dir: Path, pairs: list[Pair], timeline: Timeline, work: Path, results: Results, progress=print,
        profile_dir: Path | None = None) -> None:
    """Load the service and the bare endpoint with one worker and with two; then record memory."""
    bodies = _bodies(work, pairs, timeline)
    single, batch = bodies["single"], bodies["batch"]
    token = subprocess.run(_cli("token", "--data-dir", str(data_dir), "--scope", "decisions", "--ttl", "7200"),
                           capture_output=True, text=True, timeout=60)
    if token.returncode != 0:
        raise RuntimeError(f"`access-policy token` failed: {token.stderr.strip()[-300:]}")
    bearer = token.stdout.strip()
    items = len(timeline.items)
    for workers in (1, 2):
        for target in ("service", "bare"):
            if target == "bare" and workers not in config.bare_workers:
                continue
            port = free_port()
            if target == "service":
                command = _cli("serve", "--data-dir", str(data_dir), "--dev", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers))
            else:
                command = python_command("uvicorn", "access_policy.bench.bare:app", "--host", "127.0.0.1", "--port", str(port),
                                         "--workers", str(workers), "--log-level", "info", "--no-access-log")
            base = f"http://127.0.0.1:{port}"
            with server(command, f"{base}/healthz", work / f"{target}-{workers}.log", timeout=180) as process:
                if target == "service":
                    _check(base, batch, bearer, timeline, workers, results)
                _warm(base, single, bearer, config)
                answered = config.service_warmup
                if target == "service" and workers == 1 and config.memory:
                    answered += _load(f"{base}/v1/decisions", single, bearer, concurrency=8, seconds=300, requests=config.memory_warmup)["ok"]
                    _memory(process.pid, answered, results, progress)
                for kind, path, per_request, concurrency in (
                    ("single", single, 1, config.service_concurrency),
                    ("batch", batch, items, 4),
                    *(((kind, bodies[kind], 1, config.service_concurrency) for kind in ("filter", "authzen"))
                      if target == "service" and workers == 1 else ()),
                ):
                    requests = config.service_requests if kind != "batch" else max(10, config.service_requests // 10)
                    spy = None
                    if profile_dir is not None and target == "service":
                        spy = profiling.start(process.pid, config.service_seconds, profile_dir / f"service-{workers}-{kind}.txt")
                    cpu_before = cpu_seconds(process.pid)
                    outcome = _load(base + _PATHS[kind], path, bearer,
                                    concurrency=concurrency, seconds=config.service_seconds, requests=requests,
                                    window=config.service_window)
                    # CPU per answer holds on a machine shared with other work; rates do not.
                    outcome["server_cpu_ms"] = (cpu_seconds(process.pid) - cpu_before) * 1000 / max(1, outcome["requests"])
                    _record(results, target, workers, kind, per_request, outcome, progress)
                    if spy is not None and profile_dir is not None:
                        spy.wait(60)
                        collapsed = profile_dir / f"service-{workers}-{kind}.txt"
                        if collapsed.exists():
                            results.note("profiles", f"service.{workers}.{kind}", profiling.summarise(collapsed))
                    answered += outcome["ok"] * per_request
                if target == "service" and workers == 1 and not config.memory:
                    _memory(process.pid, answered, results, progress)
    for kind in ("filter", "authzen"):
        results.ratio(f"{kind}-over-single", f"service, {_KIND_LABELS[kind]} / single decisions, requests/s (1 worker)",
                      f"service.1.{kind}.rps", "service.1.single.rps")
    for workers in (1, 2):
        for kind in ("single", "batch"):
            results.ratio(f"service-over-bare.{workers}.{kind}", f"service / bare endpoint, {kind}, {workers} worker(s), requests/s",
                          f"service.{workers}.{kind}.rps", f"bare.{workers}.{kind}.rps")


def _check(base: str, batch: Path, bearer: str, timeline: Timeline, workers: int, results: Results) -> None:
    """The service's answers for the timeline, from its store, against the engine's on the same facts."""
    from access_policy.decisions import decide_many
    from access_policy.policy import load_policy

    expected = [d.effect.value for d in decide_many(load_policy(), timeline.facts, timeline.requester, timeline.items, timeline.at)]
    response = httpx.post(f"{base}/v1/decisions/batch", content=batch.read_text().strip(),
                          headers={"authorization": f"Bearer {bearer}", "content-type": "application/json"}, timeout=60)
    answers = [r.get("decision") for r in response.json().get("results", [])] if response.status_code == 200 else []
    agreed = sum(a == b for a, b in zip(answers, expected))
    results.check(f"service.agreement.{workers}", f"service equals the engine (timeline batch, {workers} worker(s))", agreed, len(expected))


def _warm(base: str, single: Path, bearer: str, config: Config) -> None:
    _load(f"{base}/v1/decisions", single, bearer, concurrency=4, seconds=2.0, requests=config.service_warmup)


def _record(results: Results, target: str, workers: int, kind: str, per_request: int, outcome: dict, progress) -> None:
    key = f"{target}.{workers}.{kind}"
    name = "service" if target == "service" else "bare endpoint"
    label = f"{name}, {workers} worker{'s' if workers > 1 else ''}, {_KIND_LABELS.get(kind) or f'{per_request:,}-item batches'}"
    windows = outcome["window_requests_per_s"] or [outcome["requests_per_s"]]
    note = (f"{outcome['ok']:,} answered in {outcome['seconds']:.1f} s; p50 {outcome['p50_ms']:.1f} ms, p99 {outcome['p99_ms']:.1f} ms; "
            f"load generator used {outcome['generator_cpu_share']:.0%} of a core; server CPU {outcome['server_cpu_ms']:.1f} ms per request")
    bad = {status: count for status, count in outcome["statuses"].items() if status != "200"}
    if bad or outcome["failures"]:
        note += f"; not 200: {bad}, failures: {outcome['failures']}"
    results.add(f"{key}.rps", SERVICE, f"{label}: requests/s", Measurement.of(windows, "req/s"), note=note)
    if per_request > 1:
        results.add(f"{key}.items", SERVICE, f"{label}: item decisions/s", Measurement.of([w * per_request for w in windows], "items/s"))
    results.note("latency_ms", key, {"p50": outcome["p50_ms"], "p99": outcome["p99_ms"]})
    progress(f"{label}: {outcome['requests_per_s']:,.0f} req/s, p50 {outcome['p50_ms']:.1f} ms, p99 {outcome['p99_ms']:.1f} ms")


def _memory(pid: int, answered: int, results: Results, progress) -> None:
    pids = tree_pids(pid)
    total = sum(rss_kib(p) or 0 for p in pids)
    megabytes = total * 1024 / 1e6  # VmRSS is in KiB; the target is in MB
    results.add("memory.rss", MEMORY, f"service resident memory after {answered:,} item decisions",
                Measurement.of([megabytes], "MB"), note=f"VmRSS of {len(pids)} process(es), one worker")
    progress(f"service memory after {answered:,} item decisions: {megabytes:.0f} MB")
