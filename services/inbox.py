"""The webhook inbox: record an update before answering, handle it once, pick up the dropped.

A platform that pushes updates (Zalo) never sends again one it got 200 for. Answering before
handling is what it asks for, and what loses an update when the process dies in between. So:

1. `record` inserts each update of a post (INSERT … ON CONFLICT (channel, update_key) DO
   NOTHING, in one short transaction) before the 200: a key already there is a repeat. The
   receiving process holds the new rows until `received_at + grace` (`claimed_until`).
2. The update is handled in the background. `marking` marks the row handled *inside the
   core's transaction* (a SQLAlchemy `before_commit` hook on that session, scoped by a context
   variable to the thread handling this update), and only where `handled_at` is still empty:
   the core's changes and the mark commit together, and a second handling of the same row
   (another process that took it over) finds it marked and is rolled back. The core's own
   code is untouched. An update the core refuses or fails on (it rolls back) is marked right
   after (`mark_handled`), in its own transaction, with the same condition.
3. `claim_stale` hands a process the rows nobody handled whose claim ran out (the receiving
   process died, or its handling failed before the mark), oldest first: FOR UPDATE SKIP LOCKED
   on PostgreSQL, and a conditional UPDATE per row on both databases, so two processes never
   both claim one. A row claimed `MAX_ATTEMPTS` times without being handled (an update that
   kills its process every time) is given up: marked with a note, logged by the caller.
4. `purge_handled` deletes rows handled more than `KEEP` ago, in bounded batches; an
   unhandled row is never purged.

So an update is handled at least once, and its effects in the database commit exactly once.
What is not covered: the replies of a handling whose process dies after the core's commit and
before they are sent (the member may ask again), as for every adapter.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, col, select

from models import InboxUpdate
from models.upsert import dialect_of, insert_new
from services.errors import Superseded

log = logging.getLogger(__name__)

KEEP = timedelta(days=3)  # as long as the inbound ledger keeps keys (services.inbound.KEEP)
GRACE = timedelta(seconds=30)
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 5
MAX_KEY = 200
MAX_STORED = 32_768  # characters of one update's body
CLAIM_BATCH = 100
PURGE_BATCH = 1000


@dataclass(frozen=True)
class Received:
    """One update of a post, as it is recorded: its key and its body (JSON, capped)."""

    key: str
    body: str

    def __post_init__(self) -> None:
        if not self.key or len(self.key) > MAX_KEY:
            raise ValueError(f"an update key is 1-{MAX_KEY} characters")
        if len(self.body) > MAX_STORED:
            raise ValueError(f"an update body is at most {MAX_STORED} characters")


@dataclass(frozen=True)
class Claimed:
    """A row handed to this process by `claim_stale`."""

    id: int
    key: str
    body: str
    attempts: int


@dataclass
class Claims:
    """What `claim_stale` found: rows to handle now, and rows given up."""

    rows: list[Claimed] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)


def record(
    session: Session,
    channel: str,
    updates: Sequence[Received],
    now: datetime,
    *,
    owner: str,
    grace: timedelta = GRACE,
) -> set[str]:
    """Insert the updates not seen before; the keys that went in (the others are repeats).

    The new rows are held by `owner` until `now + grace`: the receiving process handles them,
    and only after that may another take them over."""
    if not updates:
        return set()
    rows = [
        {
            "channel": channel,
            "update_key": update.key,
            "body": update.body,
            "received_at": now,
            "claimed_by": owner[:64],
            "claimed_until": now + grace,
            "attempts": 1,
            "handled_at": None,
            "note": None,
        }
        for update in updates
    ]
    inserted = insert_new(
        session,
        InboxUpdate,
        rows,
        index_elements=["channel", "update_key"],
        returning="update_key",
    )
    return {str(key) for key in inserted}


def mark_handled(
    session: Session, channel: str, key: str, now: datetime, *, note: str | None = None
) -> bool:
    """Mark the row handled, unless it already is; True when this call marked it."""
    result = session.connection().execute(
        sa.update(InboxUpdate)
        .where(
            col(InboxUpdate.channel) == channel,
            col(InboxUpdate.update_key) == key,
            col(InboxUpdate.handled_at).is_(None),
        )
        .values(handled_at=now, note=note)
    )
    return bool(result.rowcount)


class AlreadyHandled(Superseded):
    """Raised in the core's commit when another handling of the same row committed first: the
    core rolls its transaction back, and the caller drops the response."""


@dataclass
class Mark:
    """One handling's mark (`marking`): did the core's transaction mark the row, or find it
    handled by someone else?"""

    engine: sa.Engine
    channel: str
    key: str
    now: datetime
    marked: bool = False
    taken: bool = False
    _in_commit: bool = False


_CURRENT: ContextVar[Mark | None] = ContextVar("inbox_mark", default=None)


@contextlib.contextmanager
def marking(engine: sa.Engine, channel: str, key: str, now: datetime) -> Iterator[Mark]:
    """Within the block, the first session on `engine` to commit marks the row handled in
    its own transaction (or is refused with `AlreadyHandled` if the row is marked already).

    Call it in the thread that runs the core (a context variable scopes it to that thread and
    this update); `Mark.marked` and `Mark.taken` tell the outcome afterwards."""
    mark = Mark(engine=engine, channel=channel, key=key, now=now)
    token = _CURRENT.set(mark)
    try:
        yield mark
    finally:
        _CURRENT.reset(token)


def _session_mark(session: Session) -> Mark | None:
    mark = _CURRENT.get()
    if mark is None or mark.marked or session.bind is not mark.engine:
        return None
    return mark


@event.listens_for(Session, "before_commit")
def _mark_before_commit(session: Session) -> None:
    mark = _session_mark(session)
    if mark is None:
        return
    if not mark_handled(session, mark.channel, mark.key, mark.now):
        mark.taken = True
        raise AlreadyHandled(f"{mark.channel} update {mark.key} was handled by another process")
    mark._in_commit = True


@event.listens_for(Session, "after_commit")
def _mark_committed(session: Session) -> None:
    mark = _session_mark(session)
    if mark is not None and mark._in_commit:
        mark.marked, mark._in_commit = True, False


@event.listens_for(Session, "after_rollback")
def _mark_rolled_back(session: Session) -> None:
    mark = _session_mark(session)
    if mark is not None:
        mark._in_commit = False


def claim_stale(
    session: Session,
    channel: str,
    now: datetime,
    *,
    owner: str,
    lease: timedelta = LEASE,
    limit: int = CLAIM_BATCH,
    max_attempts: int = MAX_ATTEMPTS,
) -> Claims:
    """Claim up to `limit` unhandled rows whose claim ran out, oldest first, for `lease`.

    Each row is taken by a conditional UPDATE (still unhandled, claim still run out), so two
    processes never both take one, on either database; on PostgreSQL the candidates are read
    with FOR UPDATE SKIP LOCKED, so they do not even wait for each other. A row already
    claimed `max_attempts` times is marked handled with a note instead (given up)."""
    query = (
        select(InboxUpdate.id, InboxUpdate.update_key, InboxUpdate.body, InboxUpdate.attempts)
        .where(
            col(InboxUpdate.handled_at).is_(None),
            col(InboxUpdate.claimed_until) <= now,
            col(InboxUpdate.channel) == channel,
        )
        .order_by(col(InboxUpdate.id))
        .limit(limit)
    )
    if dialect_of(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claims = Claims()
    connection = session.connection()
    for row_id, key, body, attempts in session.exec(query).all():
        assert row_id is not None
        still_free = (
            col(InboxUpdate.id) == row_id,
            col(InboxUpdate.handled_at).is_(None),
            col(InboxUpdate.claimed_until) <= now,
        )
        if attempts >= max_attempts:
            note = f"gave up after {attempts} attempts"
            given = connection.execute(
                sa.update(InboxUpdate).where(*still_free).values(handled_at=now, note=note)
            )
            if given.rowcount:
                claims.given_up.append(key)
            continue
        taken = connection.execute(
            sa.update(InboxUpdate)
            .where(*still_free)
            .values(claimed_by=owner[:64], claimed_until=now + lease, attempts=attempts + 1)
        )
        if taken.rowcount:
            claims.rows.append(Claimed(row_id, key, body, attempts + 1))
    return claims


def purge_handled(session: Session, cutoff: datetime, *, limit: int = PURGE_BATCH) -> int:
    """Delete up to `limit` rows handled before `cutoff`, oldest first; how many went."""
    old = list(
        session.exec(
            select(InboxUpdate.id)
            .where(col(InboxUpdate.handled_at) < cutoff)
            .order_by(col(InboxUpdate.handled_at))
            .limit(limit)
        )
    )
    if not old:
        return 0
    session.connection().execute(sa.delete(InboxUpdate).where(col(InboxUpdate.id).in_(old)))
    return len(old)
