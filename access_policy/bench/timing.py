"""Repeated measurements: the median and the range over runs, and the clock they are read from."""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import asdict, dataclass
from typing import Callable


@dataclass(frozen=True, slots=True)
class Measurement:
    """One figure measured over repeated runs: its median, minimum and maximum, in `unit`."""

    median: float
    min: float
    max: float
    runs: int
    unit: str

    @classmethod
    def of(cls, samples: list[float], unit: str) -> "Measurement":
        """Summarise samples (at least one)."""
        if not samples:
            raise ValueError("a measurement needs at least one sample")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples), unit)

    def scaled(self, factor: float, unit: str) -> "Measurement":
        """The same measurement in another unit (every figure multiplied by `factor`)."""
        return Measurement(self.median * factor, self.min * factor, self.max * factor, self.runs, unit)

    def as_dict(self) -> dict[str, float | int | str]:
        """The measurement as a JSON-ready mapping."""
        return asdict(self)


def repeat(work: Callable[[], object], runs: int, *, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of `runs` calls of `work`, after `warmup` untimed calls.

    The garbage collector is paused while a call is timed (and run between calls), so one
    collection does not land on whichever run happens to trigger it.
    """
    for _ in range(warmup):
        work()
    samples = []
    enabled = gc.isenabled()
    try:
        for _ in range(runs):
            gc.collect()
            gc.disable()
            started = time.perf_counter()
            work()
            samples.append(time.perf_counter() - started)
            if enabled:
                gc.enable()
    finally:
        if enabled:
            gc.enable()
    return samples


def interleave(main: Callable[[], object], main_runs: int, other: Callable[[], object] | None, other_runs: int,
               *, warmup_seconds: float = 0.5) -> tuple[list[float], list[float]]:
    """Time two workloads in turns (the other's runs spread among the main one's), after a warm-up.

    Measured in the same stretch of time, a ratio of the two is not skewed by load that comes
    and goes on the machine. Each is warmed up for about `warmup_seconds` first.
    """
    for work in (main, other):
        if work is None:
            continue
        deadline = time.perf_counter() + warmup_seconds
        work()
        while time.perf_counter() < deadline:
            work()
    step = max(1, main_runs // max(1, other_runs)) if other is not None else main_runs + 1
    main_samples: list[float] = []
    other_samples: list[float] = []
    for run in range(max(main_runs, other_runs if other is not None else 0)):
        if run < main_runs:
            main_samples += repeat(main, 1, warmup=0)
        if other is not None and len(other_samples) < other_runs and (run % step == 0 or run >= main_runs):
            other_samples += repeat(other, 1, warmup=0)
    return main_samples, other_samples
