"""A row's lease outlasts every call its send makes, however many parts and however slow.

A Zalo text of five parts, each answered 12 s after it was asked (virtual time: the fake server
sleeps on the test's clock), takes a minute, twice the 30 s lease. Before each part the worker
makes sure the lease has the call's deadline and a margin left, renewing it in the database
when not; a second worker trying to claim all along must never get the row. And a worker
whose row was taken over meanwhile stops sending it at the next part instead of sending the
rest twice. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.delivery.claims import SENDING, SENT, OutboxStore, Pace
from bot.delivery.engine import DeliveryWorker
from bot.delivery.transports import zalo_transport
from bot.delivery.weights import calls_for
from models import Database, Delivery
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import FakeZalo, running_fake_zalo
from tests.support import FakeClock
from tests.test_delivery_support import VirtualTime, enqueue_to, link_members, rows

LEASE = timedelta(seconds=30)
PART_DELAY = 12.0  # seconds (virtual) the fake server takes to answer each part
LONG_TEXT = "\n\n".join(f"Mục {n}: " + "nội dung chỉ đạo chi tiết " * 14 for n in range(1, 26))


def slow_sends(zalo: FakeZalo, time: VirtualTime, after: Callable[[int], Awaitable[None]]) -> None:
    """Every sendMessage of the fake answers `PART_DELAY` virtual seconds after it arrived;
    `after(n)` runs while the n-th (from 1) is being answered."""
    original = zalo._m_sendMessage
    count = 0

    async def slow(payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        nonlocal count
        count += 1
        await after(count)
        await time.sleep(PART_DELAY)
        return await original(payload)

    zalo._m_sendMessage = slow  # type: ignore[method-assign]


def rival_store(db: Database, clock: Callable[[], datetime]) -> OutboxStore:
    """Another worker's claims on the same token (as another process would make them)."""
    from bot.delivery.transports import rate_key

    return OutboxStore(
        db,
        channel="zalo",
        rate_key=rate_key("zalo", ZALO_TOKEN),
        pace=Pace(5.0),
        worker_id="rival-worker",
        lease=LEASE,
        max_attempts=8,
    )


async def test_a_slow_send_of_many_parts_keeps_its_lease_and_no_other_worker_takes_it(
    demo: Database, clock: FakeClock
) -> None:
    members = link_members(demo, ["zl-lease-1"], channel="zalo", now=clock())
    enqueue_to(demo, members, key="dir:long", now=clock(), text=LONG_TEXT)
    parts = calls_for("zalo", {"text": LONG_TEXT})
    assert parts >= 5 and parts * PART_DELAY > 2 * LEASE.total_seconds()
    time = VirtualTime(clock)
    rival = rival_store(demo, clock)
    taken: list[int] = []
    started = clock()

    async def rival_claims() -> None:
        """Every 3 s (virtual), the whole time the send lasts, another worker claims."""
        while True:
            await time.sleep(3.0)
            claim = await asyncio.to_thread(rival.claim, clock, 10)
            taken.extend(row.id for row in claim.rows)

    claims: list[asyncio.Task[None]] = []

    async def start_rival(number: int) -> None:
        if number == 1:  # the row is claimed and its first part on its way
            claims.append(asyncio.create_task(rival_claims()))

    async with running_fake_zalo() as zalo:
        slow_sends(zalo, time, start_rival)
        transport = zalo_transport(ZALO_TOKEN, zalo.url, timeout=10.0)
        worker = DeliveryWorker(
            demo, transport, pace=Pace(5.0), lease=LEASE, clock=clock, sleep=time.sleep
        )
        in_thread = worker._in_thread

        async def without_virtual_time(function: Callable[..., Any], *args: Any) -> Any:
            """The worker's database work takes no virtual time (as on a machine where it
            takes milliseconds): on a loaded one, the rival's 3-second steps ran on while a
            renewal waited for its thread, and the test measured the machine, not the lease."""
            async with time.held():
                return await in_thread(function, *args)

        worker._in_thread = without_virtual_time  # type: ignore[method-assign]
        try:
            async with transport:
                stats = await worker.drain()
        finally:
            for task in claims:
                task.cancel()
        sent = zalo.sent("zl-lease-1")

    assert clock() - started >= timedelta(seconds=PART_DELAY * len(sent))  # a minute and more
    assert taken == []  # never claimable while it was being sent
    assert len(sent) >= 5 and "".join(sent).replace("\n", "") == LONG_TEXT.replace("\n", "")
    row = rows(demo)[0]
    assert row.status == SENT and row.attempts == 1 and row.error is None
    assert stats.sent == 1 and stats.lease_lost == 0 and stats.lease_renewed >= 2


async def test_a_worker_whose_row_was_taken_over_stops_sending_it_at_the_next_part(
    demo: Database, clock: FakeClock
) -> None:
    """While the 2nd part is on its way, the row passes to another worker (as if this one
    had stalled past its lease): the 3rd part is not sent, the late outcome is dropped, and
    the new holder's claim stands."""
    members = link_members(demo, ["zl-lease-2"], channel="zalo", now=clock())
    enqueue_to(demo, members, key="dir:taken", now=clock(), text=LONG_TEXT)
    time = VirtualTime(clock)

    async def take_over(number: int) -> None:
        if number != 2:
            return
        with demo.engine.begin() as conn:
            table = Delivery.__table__  # type: ignore[attr-defined]
            conn.execute(
                sa.update(table).values(
                    lease_owner="rival-worker",
                    lease_until=clock() + timedelta(days=1),
                    attempts=table.c.attempts + 1,
                )
            )

    stop = asyncio.Event()
    async with running_fake_zalo() as zalo:
        slow_sends(zalo, time, take_over)
        transport = zalo_transport(ZALO_TOKEN, zalo.url, timeout=10.0)
        worker = DeliveryWorker(
            demo, transport, pace=Pace(5.0), lease=LEASE, clock=clock, sleep=time.sleep
        )
        async with transport:
            task = asyncio.create_task(worker.drain(stop))
            async with asyncio.timeout(20):
                while worker.stats.lease_lost == 0 and not task.done():
                    await asyncio.sleep(0.01)
            stop.set()
            stats = await task
        calls = zalo.calls_to("sendMessage")

    assert len(calls) == 2  # the 3rd part was never asked for
    assert stats.sent == 0 and stats.lease_lost == 1
    row = rows(demo)[0]
    assert row.status == SENDING and row.lease_owner == "rival-worker" and row.attempts == 2
