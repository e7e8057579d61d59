"""Sizes and repetitions of a run: quick (everyday, under 2 minutes on 2 cores), full, and tiny (tests)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Config:
    """How much each workload measures."""

    mode: str
    timeline_items: int = 1000
    list_runs: int = 30
    peer_runs: int = 5
    peer_runs_casbin: int = 3
    casbin_lines: tuple[int, ...] = (1_000, 100_000)
    # Items of the timeline decided per run by naive casbin, by line count (every nth item).
    casbin_sample: dict[int, int] = field(default_factory=lambda: {1_000: 100, 100_000: 10})
    children: tuple[int, ...] = (1_000, 100_000)
    single_decisions: int = 200
    single_runs: int = 5
    service: bool = True
    service_seconds: float = 4.0
    service_requests: int = 20_000
    service_concurrency: int = 16
    service_window: float = 1.0
    service_warmup: int = 200
    bare_workers: tuple[int, ...] = (1, 2)
    service_batch_items: int = 1000
    import_children: int = 10_000
    import_runs: int = 1
    memory: bool = False
    memory_warmup: int = 10_000
    # Workload 7: one `serve` process against two over PostgreSQL (skipped when it is not reachable).
    postgresql: bool = True
    postgresql_children: int = 1_000
    # Seconds of load per phase: two processes' figures are added window by window, so they
    # need more windows than one process's to be as steady (quick mode keeps 4 of its 2).
    postgresql_seconds: float = 10.0


QUICK = Config(
    mode="quick",
    peer_runs=3,
    peer_runs_casbin=2,
    casbin_sample={1_000: 50, 100_000: 5},
    single_decisions=100,
    single_runs=3,
    service_seconds=2.0,
    service_window=0.5,
    service_warmup=100,
    bare_workers=(1,),
    postgresql_seconds=4.0,
)
FULL = Config(
    mode="full",
    list_runs=100,
    peer_runs=10,
    peer_runs_casbin=3,
    casbin_sample={1_000: 1000, 100_000: 40},
    children=(1_000, 100_000, 1_000_000),
    single_decisions=500,
    single_runs=7,
    service_seconds=10.0,
    service_requests=200_000,
    import_children=100_000,
    import_runs=2,
    memory=True,
)
TINY = Config(
    mode="tiny",
    timeline_items=50,
    list_runs=3,
    peer_runs=2,
    peer_runs_casbin=1,
    casbin_lines=(200,),
    casbin_sample={200: 50},
    children=(50,),
    single_decisions=10,
    single_runs=2,
    service=False,
    postgresql=False,
    import_children=0,
)
