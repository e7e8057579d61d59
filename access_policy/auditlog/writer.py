"""Group commit for the decision log: many callers' entries, one transaction, each caller answered for its own.

Every decision appends an entry, and each commit is a disk flush. Callers that append at the
same time queue their entry; whoever gets the commit lock writes every queued entry in one
transaction (the `commit` function it was given), and each caller returns only once its own
entry is committed, or raises the error that kept it out.
"""

from __future__ import annotations

import threading
from typing import Callable, Generic, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Pending(Generic[Item, Result]):
    """One caller's item waiting for the group commit that writes it."""

    __slots__ = ("item", "result", "error", "done")

    def __init__(self, item: Item):
        self.item = item
        self.result: Result | None = None
        self.error: BaseException | None = None
        self.done = False


class GroupCommit(Generic[Item, Result]):
    """Commits queued items in batches: `commit(items)` writes them in one transaction and returns one result per item."""

    def __init__(self, commit: Callable[[Sequence[Item]], Sequence[Result]]):
        self._commit = commit
        self._queue: list[_Pending[Item, Result]] = []
        self._queue_lock = threading.Lock()
        self._commit_lock = threading.Lock()

    def submit(self, item: Item) -> Result:
        """Queue the item and return its result once it is committed (raises what kept it out)."""
        pending: _Pending[Item, Result] = _Pending(item)
        with self._queue_lock:
            self._queue.append(pending)
        with self._commit_lock:
            if not pending.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                try:
                    results = self._commit([queued.item for queued in batch])
                except BaseException as error:
                    for queued in batch:
                        queued.error, queued.done = error, True
                    raise
                for queued, result in zip(batch, results, strict=True):
                    queued.result, queued.done = result, True
        if pending.error is not None:
            raise pending.error
        return pending.result  # type: ignore[return-value]  # set together with `done`
