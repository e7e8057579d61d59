"""The targets of the issue, judged on one run's figures and ratios."""

from __future__ import annotations

from access_policy.bench.results import Results

MILLION = 1_000_000


QUICK_SECONDS = 120


def judge(results: Results, *, wall_seconds: float | None = None) -> None:
    """Add a PASS/MISS (or not measured) per target to the results."""
    results.target("engine-list", "engine, list: µs per item (median)", results.median("engine.list"), "<=", 5, " µs")
    cedar = results.ratios.get("cedar-over-engine")
    results.target("vs-cedar", "engine vs Cedar, per item (list)", cedar.value if cedar else None, ">=", 10, "×")
    casbin = results.ratios.get("casbin-100000-over-engine")
    results.target("vs-casbin", "engine vs naive casbin at 100,000 lines, per item", casbin.value if casbin else None, ">=", 100, "×")

    scale = None
    note = None
    national, tenth, small = (results.median(f"single.{n}") for n in (1_000_000, 100_000, 1_000))
    if national is not None and small:
        scale = national / small
    elif tenth is not None and small:
        note = f"1,000,000 children only in full mode; at 100,000: {tenth / small:.2f}×"
    results.target("scale", "single decision at 1,000,000 children / at 1,000", scale, "<=", 1.5, "×", note)

    ratio = results.ratios.get("service-over-bare.1.single")
    results.target("service-single", "service / bare endpoint, single decisions, req/s (1 worker)", ratio.value if ratio else None, ">=", 0.6, "")
    p99 = results.noted("latency_ms").get("service.1.single", {}).get("p99")
    results.target("service-single-p99", "service, single decisions, p99 latency (1 worker, 16 connections)", p99, "<=", 25, " ms")
    results.target("service-batch", "service, 1,000-item batches, item decisions/s (2 workers)", results.median("service.2.batch.items"), ">=", 150_000, "")
    for kind, label in (("filter", "timeline filter"), ("authzen", "AuthZEN single evaluation")):
        ratio = results.ratios.get(f"{kind}-over-single")
        results.target(f"service-{kind}", f"service, {label} / single decisions, req/s (1 worker)", ratio.value if ratio else None, ">=", 0.9, "")
    two = results.ratios.get("postgresql-two-over-one")
    two_note = None
    if two is None:
        two_note = results.skipped.get("postgresql") or "not run"
    results.target("service-postgresql-two", "service over PostgreSQL, two `serve` processes / one, single decisions, req/s",
                   two.value if two else None, ">=", 1.7, "×", two_note)
    results.target("import", "import-representation, children/s", results.median("import.rate"), ">=", 5_000, "")
    children = results.extra.get("memory_children", 0)
    children = children if isinstance(children, int) else 0
    rss = results.median("memory.rss")
    memory = rss if children >= MILLION else None
    memory_note = None
    if memory is None and rss is not None:
        memory_note = f"1,000,000 children only in full mode; with {children:,}: {rss:.0f} MB"
    results.target("memory", "service resident memory, 1,000,000 children stored (MB)", memory, "<=", 300, "", memory_note)
    if results.mode == "quick" and wall_seconds is not None:
        results.target("quick-time", "quick mode: wall time of the whole run (s)", wall_seconds, "<=", QUICK_SECONDS, " s")
