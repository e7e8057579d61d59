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
