"""What a run found: figures, ratios between them, agreement checks, targets and skipped workloads."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any, Callable

from access_policy.bench.timing import Measurement


@dataclass(frozen=True, slots=True)
class Figure:
    """A measured figure of one workload."""

    key: str
    workload: str
    label: str
    measurement: Measurement
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Ratio:
    """A ratio of two figures of the same run (of their medians), with what it compares."""

    key: str
    label: str
    value: float
    numerator: str
    denominator: str


@dataclass(frozen=True, slots=True)
class Check:
    """An agreement check: how many decisions of a peer equal the engine's."""

    key: str
    label: str
    agreed: int
    total: int

    @property
    def passed(self) -> bool:
        """True when every decision agreed."""
        return self.total > 0 and self.agreed == self.total


@dataclass(frozen=True, slots=True)
class Target:
    """A target of the issue: a figure or ratio, a bound, and whether it was met."""

    key: str
    label: str
    bound: str
    value: float | None
    status: str  # "PASS" | "MISS" | "not measured"
    note: str | None = None


_COMPARE: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge}


@dataclass
class Results:
    """Everything one run measured, in the order it was measured."""

    mode: str
    figures: dict[str, Figure] = field(default_factory=dict)
    ratios: dict[str, Ratio] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    def add(self, key: str, workload: str, label: str, measurement: Measurement, note: str | None = None) -> Figure:
        """Record a figure."""
        figure = Figure(key, workload, label, measurement, note)
        self.figures[key] = figure
        return figure

    def median(self, key: str) -> float | None:
        """A figure's median, None when it was not measured."""
        figure = self.figures.get(key)
        return figure.measurement.median if figure is not None else None

    def ratio(self, key: str, label: str, numerator: str, denominator: str) -> Ratio | None:
        """Record numerator / denominator (medians of this run); None when either is missing."""
        top, bottom = self.median(numerator), self.median(denominator)
        if top is None or bottom is None or bottom == 0:
            return None
        ratio = Ratio(key, label, top / bottom, numerator, denominator)
        self.ratios[key] = ratio
        return ratio

    def check(self, key: str, label: str, agreed: int, total: int) -> Check:
        """Record an agreement check."""
        check = Check(key, label, agreed, total)
        self.checks[key] = check
        return check

    def note(self, group: str, key: str, value: object) -> None:
        """Record a value under one of `extra`'s groups (seconds per workload, tracebacks, fill times, …)."""
        entries = self.extra.get(group)
        if not isinstance(entries, dict):
            entries = self.extra[group] = {}
        entries[key] = value

    def noted(self, group: str) -> dict[str, Any]:
        """The values recorded under one of `extra`'s groups (empty when there are none)."""
        entries = self.extra.get(group)
        return entries if isinstance(entries, dict) else {}

    def skip(self, key: str, reason: str) -> None:
        """Record a workload that was not run, and why."""
        self.skipped[key] = reason

    def target(self, key: str, label: str, value: float | None, compare: str, bound: float, unit: str, note: str | None = None) -> Target:
        """Judge a value against a bound ("<=" or ">="); not measured when the value is missing."""
        shown = f"{compare.replace('<=', '≤').replace('>=', '≥')} {bound:,g}{unit}"
        if value is None:
            status = "not measured"
        else:
            status = "PASS" if _COMPARE[compare](value, bound) else "MISS"
        target = Target(key, label, shown, value, status, note)
        self.targets.append(target)
        return target
