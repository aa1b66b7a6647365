"""How the channel clients and the delivery workers wait before trying again.

One rule for all of them: exponential backoff with "equal jitter" (half the ceiling fixed, half
random), so a crowd of senders that failed together does not retry together, and a wait is never
shorter than half of what the attempt calls for.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Sleep = Callable[[float], Awaitable[None]]


def jittered(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """The wait before retry number `attempt` (0 for the first): base·2^attempt, at most `cap`,
    then between half of that and all of it."""
    ceiling = min(cap, base * 2.0 ** max(0, attempt))
    draw = rng.random() if rng is not None else random.random()
    return ceiling / 2 + draw * ceiling / 2


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a channel client tries one call. Tests shrink the delays and may record
    `sleep`; a platform's own retry_after is honoured up to `max_retry_after`."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 60.0
    sleep: Sleep = asyncio.sleep

    def backoff(self, attempt: int) -> float:
        return jittered(attempt, self.base_delay, self.max_delay)
