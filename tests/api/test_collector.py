"""The garbage collector as a server process sets it after start-up."""

from __future__ import annotations

import gc

from access_policy.service.collector import YOUNG_THRESHOLD, settle_after_startup


def test_start_up_objects_are_frozen_and_young_collections_wait_longer():
    before = gc.get_threshold()
    try:
        settle_after_startup()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
