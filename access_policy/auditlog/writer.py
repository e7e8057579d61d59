"""Group commit for the decision log: many callers' entries, one transaction, each caller answered for its own.

Every decision appends an entry, and each commit is a disk flush. Callers queue their entry;
one writer thread per log takes everything queued, writes it in one transaction (the `commit`
function it was given) and answers each caller for its own entry: the result once it is
committed, or the error that kept it out. A thread caller waits on a future (`submit`); an
event-loop caller awaits it (`submit_async`) without holding a thread while the disk flushes.
The writer thread leaves after a while with nothing to write and is started again on demand.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Callable, Generic, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

IDLE_SECONDS = 5.0  # the writer thread leaves after this long with nothing queued


class _Pending(Generic[Item, Result]):
    """One caller's item waiting for the group commit that writes it."""

    __slots__ = ("item", "future")

    def __init__(self, item: Item):
        self.item = item
        self.future: Future[Result] = Future()


class GroupCommit(Generic[Item, Result]):
    """Commits queued items in batches: `commit(items)` writes them in one transaction and returns one result per item."""

    def __init__(self, commit: Callable[[Sequence[Item]], Sequence[Result]], *, idle_seconds: float = IDLE_SECONDS):
        self._commit = commit
        self._idle = idle_seconds
        self._queue: list[_Pending[Item, Result]] = []
        self._ready = threading.Condition(threading.Lock())
        self._writer: threading.Thread | None = None

    def _enqueue(self, item: Item) -> Future[Result]:
        pending: _Pending[Item, Result] = _Pending(item)
        with self._ready:
            self._queue.append(pending)
            if self._writer is None:
                self._writer = threading.Thread(target=self._run, name="decision-log-writer", daemon=True)
                self._writer.start()
            else:
                self._ready.notify()
        return pending.future

    def submit(self, item: Item) -> Result:
        """Queue the item and return its result once it is committed (raises what kept it out)."""
        return self._enqueue(item).result()

    async def submit_async(self, item: Item) -> Result:
        """As `submit`, awaited on the event loop: no thread waits while the group is written."""
        return await asyncio.wrap_future(self._enqueue(item))

    def _run(self) -> None:
        while True:
            with self._ready:
                if not self._queue:
                    self._ready.wait(self._idle)
                    if not self._queue:
                        self._writer = None  # under the lock: the next caller starts a new writer
                        return
                batch, self._queue = self._queue, []
            try:
                results = self._commit([queued.item for queued in batch])
            except BaseException as error:  # noqa: BLE001 - every caller of the batch gets the error
                for queued in batch:
                    queued.future.set_exception(error)
                continue
            if len(results) != len(batch):
                mismatch = RuntimeError(f"a group commit answered {len(results)} results for {len(batch)} entries")
                for queued in batch:
                    queued.future.set_exception(mismatch)
                continue
            for queued, result in zip(batch, results):
                queued.future.set_result(result)
