"""Workers' heartbeats: the rows a dead worker held are sent again within seconds.

A claimed row is `sending` under a lease long enough for every call it makes (60 s by
default), so a worker killed with rows in hand used to leave them until their leases ran out:
a broadcast restarted at once after a `kill -9` still waited a minute for those rows. Now each
worker beats (`delivery_workers.seen_at`, about every second) and, in the same short
transaction, looks for workers whose beat is older than `Heartbeat.dead_after`: the leases of
the rows such a worker held end now, so any worker claims them at its next claim, and its beat
row goes. A worker that stops cleanly ends its own leases and removes its row.

The duplicate bound is unchanged: a dead worker's rows were either not yet sent (sent once,
later) or in the middle of a call (perhaps sent twice), as with an expired lease. A live worker
taken for dead (its beat late by seconds: a frozen process, the database unreachable from it
alone) may have a row taken from it; recording checks the claim (`lease_owner`, `attempts`),
so only a send already under way can be doubled, the same bound again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from models import Database, Delivery, DeliveryStatus, DeliveryWorkerBeat
from models.upsert import dialect_insert

log = logging.getLogger(__name__)

D = Delivery.__table__  # type: ignore[attr-defined]
W = DeliveryWorkerBeat.__table__  # type: ignore[attr-defined]
SENDING = DeliveryStatus.SENDING.value


@dataclass(frozen=True)
class Heartbeat:
    """How often a worker beats and how late a beat means the worker is gone. `dead_after`
    plus `every` (the slowest detection) and a claim's poll stay under 5 s; a beat several
    times late is needed before a live worker loses a row."""

    every: timedelta = timedelta(seconds=1)
    dead_after: timedelta = timedelta(seconds=3)

    def __post_init__(self) -> None:
        if self.dead_after < 2 * self.every:
            raise ValueError("dead_after must be at least two beats")


DEFAULT_HEARTBEAT = Heartbeat()


def beat(db: Database, worker_id: str, channel: str, now: datetime, rules: Heartbeat) -> int:
    """Record this worker alive and free the rows of workers that are not: how many rows."""
    with db.engine.begin() as conn:
        insert = dialect_insert(W, conn).values(
            worker_id=worker_id, channel=channel, started_at=now, seen_at=now
        )
        alive = insert.on_conflict_do_update(index_elements=["worker_id"], set_={"seen_at": now})
        conn.execute(alive)
        return _free_the_dead(conn, now - rules.dead_after, now)


def _free_the_dead(conn: sa.Connection, cutoff: datetime, now: datetime) -> int:
    dead = conn.execute(sa.select(W.c.worker_id, W.c.channel).where(W.c.seen_at < cutoff)).all()
    if not dead:
        return 0
    freed = 0
    for worker_id, channel in dead:
        freed += end_leases(conn, worker_id, channel, now)
        # Only if it has not beaten since: a late worker that came back keeps its row.
        conn.execute(sa.delete(W).where(W.c.worker_id == worker_id, W.c.seen_at < cutoff))
    if freed:
        names = ", ".join(sorted(worker_id for worker_id, _ in dead))
        log.warning("delivery worker(s) %s stopped beating: %d row(s) sent again", names, freed)
    return freed


def end_leases(conn: sa.Connection, worker_id: str, channel: str, now: datetime) -> int:
    """End the leases of the rows `worker_id` holds (the claim then sees them due)."""
    result = conn.execute(
        sa.update(D)
        .where(D.c.channel == channel, D.c.status == SENDING, D.c.lease_owner == worker_id)
        .where(D.c.lease_until > now)
        .values(lease_until=now)
    )
    return int(result.rowcount or 0)


def leave(db: Database, worker_id: str, channel: str, now: datetime) -> None:
    """A clean stop: whatever this worker still holds is due now, and its beat row goes."""
    with db.engine.begin() as conn:
        end_leases(conn, worker_id, channel, now)
        conn.execute(sa.delete(W).where(W.c.worker_id == worker_id))
