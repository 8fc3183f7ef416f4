"""How the commands run their coroutines."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``; in a thread of its own when this thread already runs an event
    loop (a notebook, or a test session that drives a browser), since a loop cannot start
    inside another."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="factdiff-cli") as pool:
        return pool.submit(asyncio.run, main).result()


def run_event_loop(main: Coroutine[Any, Any, None]) -> None:
    """asyncio.run on uvloop when installed (uvicorn[standard] brings it): the loop uvicorn
    gives the service, and cheaper per call than asyncio's own."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)
