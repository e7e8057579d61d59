"""Filling a store with many children for the scale, service and memory workloads.

The store's own bulk loading is used (representation import, bulk fact creation), so the figures
are of the store as shipped. Besides the many children, the timeline's child is stored with its
facts, so the service answers the timeline batch from the store.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from access_policy.bench.timeline import Timeline
from access_policy.facts import (
    AccessProfileDraft,
    AssessmentDraft,
    Author,
    ExemptionDraft,
    FactKind,
    NecessaryInformationDraft,
)
from access_policy.store.interface import FactStore

SYNC = Author(system="bench-fill")
CLINICIAN = Author(hpr="1234567", org="974589095")


@dataclass(frozen=True, slots=True)
class Pair:
    """A child in the store and a holder of parental responsibility who asks about them."""

    child: str
    requester: str


def write_import_file(path: Path, count: int, *, seed: int = 6) -> int:
    """Write an `import-representation` file of `count` synthetic children; the number of lines."""
    from access_policy.synthetic import import_lines

    written = 0
    with path.open("w") as out:
        for line in import_lines(count, seed=seed):
            out.write(line + "\n")
            written += 1
    return written


# The synthetic generator gives its n-th child the birth date n mod 7,300 days before its
# reference date: any 7,300 children in a row span every age from 0 to 19.
AGE_CYCLE = 7300

# One child as the generator process hands it over: import line, its facts, who asks about it.
Child = tuple[str, list, "Pair"]


def _produce(queue, running, seed: int, chunk: int) -> None:
    """Generate synthetic children in chunks into `queue` (runs in its own process, until stopped).

    It works only while `running` is set, so it takes no CPU while the other process measures.
    """
    from access_policy.synthetic import children

    batch: list[Child] = []
    for number, synthetic in enumerate(children(100_000_000, seed=seed)):
        if number % 100 == 0:
            running.wait()
        drafts = [(synthetic.child, kind, draft, author) for kind, draft, author in synthetic.facts]
        holders = [h.get("id") or h.get("organisation") for h in synthetic.line["holders"]]
        batch.append((synthetic.import_line, drafts, Pair(synthetic.child, next((h for h in holders if h), ""))))
        if len(batch) >= chunk:
            queue.put(batch)
            batch = []


class Population:
    """The synthetic population, loaded into one store in steps through the store's bulk paths.

    `access_policy.synthetic.fill_store` loads N children in one go; growing one store from 1,000
    to 1,000,000 children needs the next children of the same generator at each step. The
    generator runs in a process of its own, a few chunks ahead, while this one stores the
    previous chunk the way `fill_store` does (representation import, then bulk facts): on two
    cores generating and storing overlap instead of adding up. A first step smaller than one
    age cycle takes children spread over the cycle, so a small store has children of every age
    (and their facts) like a large one. Call `close()` when done.
    """

    def __init__(self, store: FactStore, *, seed: int = 5, sample: int = 1000, chunk: int = 5000, save: tuple[Path, int] | None = None):
        import multiprocessing

        from access_policy.synthetic import fact_time

        self.store = store
        self.stored = 0
        self.sample: list[Pair] = []
        self._sample_size = sample
        self._seen = 0
        self._now = fact_time()
        self._rng = random.Random(seed)
        self._chunk = chunk
        self._held: list[Child] = []  # generated, not stored yet, in the generator's order
        # Import lines of stored children, kept as a file for the import workload (no second generation).
        self._save_path: Path | None = save[0] if save is not None else None
        self._save_left = save[1] if save is not None else 0
        if self._save_path is not None:
            self._save_path.write_text("")
        context = multiprocessing.get_context("spawn")
        self._queue = context.Queue(maxsize=4)
        self._running = context.Event()
        self._producer = context.Process(target=_produce, args=(self._queue, self._running, seed, chunk), daemon=True)
        self._producer.start()

    def grow(self, total: int) -> None:
        """Store children until `total` are stored (the generator runs only meanwhile)."""
        self._running.set()
        try:
            if self.stored == 0 and total < AGE_CYCLE:
                self._fill_held(AGE_CYCLE)
                picked = {AGE_CYCLE * n // total for n in range(total)}
                spread = [child for index, child in enumerate(self._held[:AGE_CYCLE]) if index in picked]
                self._held = [child for index, child in enumerate(self._held) if index not in picked]
                self._store(spread)
            while self.stored < total:
                self._fill_held(min(self._chunk, total - self.stored))
                take = min(self._chunk, total - self.stored)
                self._store(self._held[:take])
                del self._held[:take]
        finally:
            self._running.clear()

    def _fill_held(self, count: int) -> None:
        while len(self._held) < count:
            self._held.extend(self._queue.get(timeout=600))

    def _store(self, children: list[Child]) -> None:
        lines = [line for line, _, _ in children]
        if self._save_path is not None and self._save_left > 0:
            with self._save_path.open("a") as out:
                out.writelines(line + "\n" for line in lines[: self._save_left])
            self._save_left -= min(self._save_left, len(lines))
        summary = self.store.import_representations(lines, batch_size=self._chunk, now=self._now)
        if summary.rejected:
            raise RuntimeError(f"the store rejected {summary.rejected} synthetic children: {summary.rejections[:3]}")
        self.store.create_facts_bulk([d for _, drafts, _ in children for d in drafts], now=self._now, batch_size=self._chunk)
        self.stored += len(children)
        for _, _, pair in children:
            if pair.requester:
                self._keep(pair)

    def close(self) -> None:
        """Stop the generator process."""
        if self._producer.is_alive():
            self._producer.kill()
        self._producer.join(10)
        self._queue.cancel_join_thread()
        self._queue.close()

    def _keep(self, pair: Pair) -> None:
        # A reservoir sample: every stored child is equally likely to be asked about.
        self._seen += 1
        if len(self.sample) < self._sample_size:
            self.sample.append(pair)
        else:
            slot = self._rng.randrange(self._seen)
            if slot < self._sample_size:
                self.sample[slot] = pair


def store_timeline(store, timeline: Timeline) -> None:
    """Store the timeline's child, representation and the facts active at the decision time."""
    facts, at = timeline.facts, timeline.at
    recorded = at - datetime.timedelta(days=60)
    store.put_representation(facts.child, facts.representation, SYNC, now=at - datetime.timedelta(days=1))
    for exemption in facts.exemptions:
        if exemption.active_at(at):
            exempted = ExemptionDraft(scope=exemption.scope, applies_to=exemption.applies_to, legal_basis=exemption.legal_basis,
                                      reason=exemption.reason, valid_until=exemption.valid_until)
            store.create_fact(facts.child, FactKind.EXEMPTIONS, exempted, CLINICIAN, now=recorded)
    for assessment in facts.assessments:
        assessed = AssessmentDraft(scope=assessment.scope, adolescent_can_consent=assessment.adolescent_can_consent,
                                   parents_informed=assessment.parents_informed)
        store.create_fact(facts.child, FactKind.ASSESSMENTS, assessed, CLINICIAN, now=assessment.recorded_at)
    for mark in facts.necessary_information:
        marked = NecessaryInformationDraft(scope=mark.scope, applies_to=mark.applies_to, reason=mark.reason)
        store.create_fact(facts.child, FactKind.NECESSARY_INFORMATION, marked, CLINICIAN, now=recorded)
    for profile in facts.access_profiles:
        profiled = AccessProfileDraft(representative=profile.representative, kinds=profile.kinds)
        store.create_fact(facts.child, FactKind.ACCESS_PROFILES, profiled, CLINICIAN, now=recorded)
