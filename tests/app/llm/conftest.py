"""What the LLM tests share: timings free of the cyclic collector's pauses."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture
def no_collector_pause() -> Iterator[None]:
    """The cyclic collector held off while a test times a deadline.

    By these tests the whole suite's process holds some 2.5 million tracked objects, and a
    full collection stops every thread for one to three seconds on two shared cores (2.6 s
    measured): no timer fires meanwhile, so a deadline of 1 s reads as 4. The deadline is what
    these tests check, not the collector; the garbage of a few seconds waits for the next pass.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
