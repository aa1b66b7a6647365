"""The Zalo bot polling the fake Zalo server, for the features' end-to-end tests.

`fake_zalo` (tests/conftest.py) is the fake Bot API on 127.0.0.1; `zalo_polling(fake, app)`
runs the real `poll_forever` with a real `ZaloClient` (fast retries) for the block, and stops
it after. Each feature's test keeps its own fixture around it (its own `App`, its own driver).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot.app import App
from bot.retry import RetryPolicy
from bot.zalo.client import ZaloClient
from bot.zalo.runner import poll_forever
from tests.fake_zalo import TOKEN, FakeZalo

FAST_RETRIES = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)


@contextlib.asynccontextmanager
async def zalo_polling(fake: FakeZalo, app: App) -> AsyncIterator[None]:
    async with ZaloClient(TOKEN, fake.url, policy=FAST_RETRIES, poll_interval=0.0) as client:
        stop = asyncio.Event()
        task = asyncio.create_task(poll_forever(app, client, stop))
        try:
            yield
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)
