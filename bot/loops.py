"""The event loop of the long-running processes: uvloop where it exists (Linux, macOS).

A delivery worker spends much of its CPU per message in the event loop itself (callbacks,
timers, socket readiness); uvloop's loop, written in Cython on libuv, does the same work in a
fraction of the time (docs/delivery.md, "CPU per message"). Elsewhere (Windows) asyncio's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is pinned where it builds
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on the fastest loop available."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
