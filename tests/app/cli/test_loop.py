"""The commands' coroutines run whether or not the caller's thread already runs a loop."""

from __future__ import annotations

import asyncio
import threading

from app.cli.loop import run_coroutine


async def where_am_i(value: int) -> tuple[int, str]:
    await asyncio.sleep(0)
    return value * 2, threading.current_thread().name


def test_without_a_running_loop_the_coroutine_runs_in_this_thread() -> None:
    assert run_coroutine(where_am_i(21)) == (42, threading.current_thread().name)


def test_inside_a_running_loop_the_coroutine_runs_in_a_thread_of_its_own() -> None:
    # What a notebook, or pytest-playwright's browser session, does to a command's caller.
    async def caller() -> tuple[int, str]:
        return run_coroutine(where_am_i(21))

    value, thread = asyncio.run(caller())
    assert value == 42
    assert thread.startswith("factdiff-cli")


def test_an_error_inside_reaches_the_caller_as_it_was_raised() -> None:
    async def fails() -> None:
        raise LookupError("no such story")

    async def caller() -> None:
        run_coroutine(fails())

    try:
        asyncio.run(caller())
    except LookupError as exc:
        assert str(exc) == "no such story"
    else:
        raise AssertionError("the error was swallowed")
