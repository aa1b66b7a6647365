"""Waiting that a stop event can cut short: start-up, polling and back-off give way to SIGTERM.

An operator (or systemd, or a deploy) that sends SIGTERM expects the process gone within a
couple of seconds whatever it was doing: polling a failing API with a 30-second back-off,
retrying its start-up against an unreachable server, or waiting on a send that hangs. Every
wait in a channel's life goes through these helpers, so none of them outlasts the stop event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Collection
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# After the stop event, jobs get this long to finish what they hold (updates in hand, sends in
# flight) before they are cancelled; cancelled jobs get `CANCEL_GRACE` to unwind. Together they
# stay well under the 2 s an operator may wait for a stop.
FINISH_GRACE = 1.0
CANCEL_GRACE = 0.5


class Stopped(Exception):
    """The stop event was set while waiting."""


async def first_of(*waits: Awaitable[object]) -> None:
    """Until the first of `waits` is done; the others are cancelled and awaited, so no wait
    outlives this call (an event's waiter, a virtual clock's sleep)."""
    futures = {asyncio.ensure_future(wait) for wait in waits}
    try:
        await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for future in futures:
            if not future.done():
                future.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await future


async def until_stopped(work: Awaitable[T], stop_event: asyncio.Event) -> T:
    """`work`'s result, or `Stopped` (with `work` cancelled) once the event is set."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop_event.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        raise Stopped
    return task.result()


async def sleep_unless_stopped(seconds: float, stop_event: asyncio.Event) -> None:
    """Sleep `seconds`, or less if the event is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop_event.wait(), timeout=seconds)


async def wind_down(
    tasks: Collection[asyncio.Task[object]],
    *,
    finish: float = FINISH_GRACE,
    cancel: float = CANCEL_GRACE,
) -> None:
    """Let `tasks` (already told to stop) finish for `finish` seconds, then cancel the rest.

    A task still running after the cancel grace is left behind and logged: the process exits
    all the same (its work is a delivery lease or an update the platform hands out again).
    """
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=finish)
    if not pending:
        return
    for task in pending:
        log.warning("%s did not stop within %.1f s; cancelled", task.get_name(), finish)
        task.cancel()
    _done, stuck = await asyncio.wait(pending, timeout=cancel)
    for task in stuck:
        log.error("%s did not stop after being cancelled; left behind", task.get_name())
