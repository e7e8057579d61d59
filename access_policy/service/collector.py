"""Python's garbage collector set for a long-running service process, once start-up is done.

With the default settings a worker spent about a third of a 1,000-item batch's time in full
collections: every request's objects (an `Item` per item, the answer, the log entry) outlive a
few young collections while the request runs, are promoted, and soon make the collector walk
the whole heap, policy, app and schemas included, every few dozen batches. Start-up objects live
as long as the process, so they are frozen out of every pass (`gc.freeze`), and a young
collection waits for more net allocations than the requests in flight make. Reference counting
still frees everything without cycles at once; cycles are collected as before, less often.
"""

from __future__ import annotations

import gc

# Net allocations of container objects before a young collection (Python's default is 700): a
# 1,000-item batch holds about 5,000 while it runs, and a worker runs a few at once.
YOUNG_THRESHOLD = 50_000


def settle_after_startup() -> None:
    """Collect start-up garbage, freeze what remains out of later passes, and raise the young threshold."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
