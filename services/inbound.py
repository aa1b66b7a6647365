"""Has this update been received before? One insert answers it for every process.

`first_time` inserts (channel, key) with INSERT … ON CONFLICT DO NOTHING (as the scheduler's
claims and the outbox do): exactly one caller, in any process, sees its row go in, and only that
one handles the update. The row is committed with the caller's session; run it in its own short
transaction before handling, not inside the core's, so a failed handling is not retried as new
(a platform that repeats an update does not want two answers).

Keys only need to outlive the platform's repeats (minutes in practice), so rows older than
`KEEP` are purged in bounded batches.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import InboundUpdate
from models.upsert import dialect_of, insert_ignoring

KEEP = timedelta(days=3)
PURGE_BATCH = 1000
MAX_KEY = 200


# The insert, built once per dialect with bound parameters, so SQLAlchemy compiles it once
# (a VALUES list built per call was compiled on every update: issue 16).
_INSERTS: dict[str, sa.Insert] = {}


def _insert(dialect: str) -> sa.Insert:
    statement = _INSERTS.get(dialect)
    if statement is None:
        statement = (
            insert_ignoring(InboundUpdate, ["channel", "update_key"], dialect)
            .values(
                channel=sa.bindparam("channel"),
                update_key=sa.bindparam("update_key"),
                received_at=sa.bindparam("received_at"),
            )
            .returning(col(InboundUpdate.update_key))
        )
        _INSERTS[dialect] = statement
    return statement


def first_time(session: Session, channel: str, key: str, now: datetime) -> bool:
    """True for the first caller with this (channel, key), False for every later one.

    Runs in the session's transaction (the row goes in when it commits): one statement,
    INSERT … ON CONFLICT DO NOTHING, as `models.upsert.insert_new` explains."""
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"an update key is 1-{MAX_KEY} characters")
    row = {"channel": channel, "update_key": key, "received_at": now}
    inserted = session.execute(_insert(dialect_of(session)), row).first()
    return inserted is not None


def purge_older_than(session: Session, cutoff: datetime, *, limit: int = PURGE_BATCH) -> int:
    """Delete up to `limit` keys received before `cutoff`, oldest first; how many went."""
    old = list(
        session.exec(
            select(InboundUpdate.channel, InboundUpdate.update_key)
            .where(col(InboundUpdate.received_at) < cutoff)
            .order_by(col(InboundUpdate.received_at))
            .limit(limit)
        )
    )
    if not old:
        return 0
    pairs = sa.tuple_(col(InboundUpdate.channel), col(InboundUpdate.update_key))
    session.connection().execute(sa.delete(InboundUpdate).where(pairs.in_(old)))
    return len(old)
