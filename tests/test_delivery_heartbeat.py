"""A worker that stops beating (kill -9, a crash, a lost machine) gives its rows back within
seconds, not after their lease; a worker that beats keeps them, however long its sends take.

The store-level tests move the test's clock by hand; the worker test runs the real engine in
virtual time against the fake Bot API, with a "ghost" worker that claimed rows and died. Both
databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.delivery.claims import SENDING, SENT, OutboxStore, Pace
from bot.delivery.heartbeat import Heartbeat, beat, leave
from bot.delivery.transports import rate_key
from models import Database, DeliveryWorkerBeat
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.support import FakeClock
from tests.test_delivery_support import (
    VirtualTime,
    enqueue_to,
    link_members,
    rows,
    telegram_worker,
)

LEASE = timedelta(seconds=60)
RULES = Heartbeat(every=timedelta(seconds=1), dead_after=timedelta(seconds=3))
GHOST = "host:4242:dead00"


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


def store(db: Database, worker_id: str) -> OutboxStore:
    """A worker's claims on the fake's token, as another process would make them."""
    return OutboxStore(
        db,
        channel="telegram",
        rate_key=rate_key("telegram", TOKEN),
        pace=Pace(30.0),
        worker_id=worker_id,
        lease=LEASE,
        max_attempts=8,
    )


def claimed_by_ghost(db: Database, clock: FakeClock, count: int) -> list[int]:
    """`count` rows enqueued and claimed by the ghost, which beat once, then died."""
    members = link_members(db, [f"hb-{n}" for n in range(count)], now=clock())
    enqueue_to(db, members, key="dir:hb", now=clock())
    ghost = store(db, GHOST)
    ghost.ensure_rate_row(clock())
    claim = ghost.claim(clock, count)
    assert len(claim.rows) == count
    beat(db, GHOST, "telegram", clock(), RULES)
    return [row.id for row in claim.rows]


def beats(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(sa.select(DeliveryWorkerBeat.worker_id)).scalars())  # type: ignore[call-overload]


def test_a_dead_workers_rows_are_due_again_once_its_beat_is_late(
    demo: Database, clock: FakeClock
) -> None:
    held = claimed_by_ghost(demo, clock, 3)
    live = store(demo, "live-worker")
    clock.advance(seconds=2)  # the ghost's beat is 2 s old: not yet dead
    assert beat(demo, "live-worker", "telegram", clock(), RULES) == 0
    assert live.claim(clock, 10).rows == []
    clock.advance(seconds=2)  # 4 s: dead
    assert beat(demo, "live-worker", "telegram", clock(), RULES) == 3
    assert beats(demo) == {"live-worker"}
    taken = live.claim(clock, 10).rows
    assert sorted(row.id for row in taken) == sorted(held)
    assert all(row.status == SENDING for row in rows(demo))
    # Freeing is done once: the next beat finds nobody dead.
    assert beat(demo, "live-worker", "telegram", clock(), RULES) == 0


def test_a_worker_that_beats_keeps_its_rows_past_many_beats(
    demo: Database, clock: FakeClock
) -> None:
    claimed_by_ghost(demo, clock, 2)
    live = store(demo, "live-worker")
    for _ in range(20):  # 20 s: the "ghost" is alive after all and beats every second
        clock.advance(seconds=1)
        beat(demo, GHOST, "telegram", clock(), RULES)
        assert beat(demo, "live-worker", "telegram", clock(), RULES) == 0
        assert live.claim(clock, 10).rows == []
    assert beats(demo) == {GHOST, "live-worker"}


def test_a_clean_stop_gives_back_what_it_holds_and_removes_its_beat(
    demo: Database, clock: FakeClock
) -> None:
    held = claimed_by_ghost(demo, clock, 2)
    leave(demo, GHOST, "telegram", clock())
    assert beats(demo) == set()
    clock.advance(seconds=2)  # past the shared schedule's window the ghost's claim opened
    taken = store(demo, "next-worker").claim(clock, 10).rows
    assert sorted(row.id for row in taken) == sorted(held)


def test_heartbeat_rules_need_two_beats_before_death() -> None:
    with pytest.raises(ValueError):
        Heartbeat(every=timedelta(seconds=2), dead_after=timedelta(seconds=3))


async def test_a_running_worker_sends_a_dead_workers_rows_once_within_seconds(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, [str(700_100_000 + n) for n in range(5)], now=clock())
    for member in members:
        telegram.user(int(member.chat), "Người nhận")
    enqueue_to(demo, members, key="dir:hb-run", now=clock())
    ghost = store(demo, GHOST)
    ghost.ensure_rate_row(clock())
    assert len(ghost.claim(clock, 5).rows) == 5
    beat(demo, GHOST, "telegram", clock(), RULES)
    died = clock()
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time, timed=True, heartbeat=RULES)
    async with worker.transport:  # type: ignore[attr-defined]
        stats = await worker.drain()
    assert stats.freed_from_dead == 5 and stats.sent == 5
    starts = sorted(start for start, _chat in worker.transport.starts)  # type: ignore[attr-defined]
    # Sent once each, a few seconds after the death (not after the 60 s lease).
    assert sorted(int(c.params["chat_id"]) for c in telegram.calls_to("sendMessage")) == sorted(
        int(m.chat) for m in members
    )
    assert timedelta(seconds=3) <= starts[0] - died < LEASE / 4
    assert all(row.status == SENT and row.attempts == 2 for row in rows(demo))
    assert beats(demo) == set()  # the ghost's row was removed, and the worker left cleanly
