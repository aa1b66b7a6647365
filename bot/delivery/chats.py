"""The database side of interactive replies: what other processes must know of them.

A process's own replies and outbox rows share one in-memory account of the token
(`account.TokenAccount`). Other processes (webhook servers, `sotay worker`s elsewhere) cannot
see it; what they must know goes through `delivery_rates`, in short transactions that never
span a call to the platform:

* **per chat**: before a reply, the chat's row (`claims.chat_key`) is marked as held by this
  process (`next_slot_at` = now + `hold`), and after it, free from its last answer plus the
  chat's interval. A claim in any process skips a held chat (`OutboxStore._eligible`), and a
  reply here waits while another process holds the chat or has an outbox row of that chat in
  flight (asking again every `BUSY_POLL`, and going anyway after a few seconds: that process
  may have died holding it), or until the chat's interval after its last outbox message has
  passed. A 429 meant for one chat pauses it there (`paused_until`), for every process.
* **per token**: every reply announces this process in the token's row (`claimed_by`,
  `claimed_at`), so a worker elsewhere knows it does not have the token to itself and keeps
  strictly to its slots. When another process sends for the token lately, each call of a reply
  takes a slot of the token's shared schedule, as a claimed row does, so the processes' sends
  together keep the rate.

Taking the token's row lock first serializes a reply's look at the chat with the claims of
every worker (the claim takes the same lock first): a chat is never both claimed elsewhere and
replied to here within its interval.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.delivery.claims import (
    SENDING,
    SENT,
    D,
    Pace,
    R,
    chat_key,
    create_rate_row,
    first_slot,
    upsert_chat,
)
from models import Database

HOLD = timedelta(seconds=60)  # how long a reply may hold a chat if its process dies meanwhile
BUSY_POLL = timedelta(milliseconds=200)  # a look again at a chat another process is using


@dataclass(frozen=True)
class Hold:
    """The answer to `ChatStore.begin`: go (`wait_until` None), or not before `wait_until`.

    `slot` is when the reply's first call may start in the token's shared schedule (None: the
    token is not shared with another process, the in-memory account alone decides).
    """

    wait_until: datetime | None = None
    slot: datetime | None = None
    shared: bool = False


class ChatStore:
    """The reply side of one channel and token in `delivery_rates` (see the module's doc)."""

    def __init__(
        self,
        db: Database,
        *,
        channel: str,
        rate_key: str,
        pace: Pace,
        scope_id: str,
        hold: timedelta = HOLD,
    ) -> None:
        self.db = db
        self.channel = channel
        self.rate_key = rate_key
        self.pace = pace
        self.scope_id = scope_id[:64]
        self.hold = hold
        self._slotted_at: datetime | None = None  # when this process last took a slot

    def begin(
        self,
        chat_id: str,
        now: datetime,
        *,
        local_workers: Collection[str],
        shared: bool,
        impatient: bool = False,
    ) -> Hold:
        """Hold the chat for a reply, or say until when to wait; one short transaction.

        `local_workers` are this process's workers (their rows are in the in-memory account);
        `shared` that this process already knows another one sends for the token.
        `impatient` goes ahead despite another process using the chat (its reply, its outbox
        row in flight), after waiting long enough: a process that died holds its row until
        the lease ends and the chat until the hold does. Pauses and the chat's interval after
        a message that went are always kept.
        """
        key = chat_key(self.rate_key, chat_id)
        interval = self.pace.interval_for(chat_id)
        with self.db.engine.begin() as conn:
            next_slot, paused, last_by, last_at = self._lock_token(conn, now)
            shared = shared or self._foreign(last_by, last_at, now)
            waits: list[datetime] = []  # each ends then for sure
            in_use = False  # another process uses the chat: ask again soon
            if paused is not None and paused > now:
                waits.append(paused)
            chat = conn.execute(
                sa.select(R.c.next_slot_at, R.c.paused_until, R.c.claimed_by).where(R.c.key == key)
            ).first()
            if chat is not None:
                chat_next, chat_paused, chat_by = chat
                if chat_paused is not None and chat_paused > now:
                    waits.append(chat_paused)
                if chat_by != self.scope_id and chat_next > now and not impatient:
                    in_use = True  # another process's reply, or the interval after it
            sent = conn.execute(
                sa.select(sa.func.max(D.c.sent_at)).where(
                    D.c.channel == self.channel, D.c.chat_id == chat_id, D.c.status == SENT
                )
            ).scalar()
            if sent is not None and sent + interval > now:
                waits.append(sent + interval)
            if not impatient:
                in_flight = sa.select(D.c.id).where(
                    D.c.channel == self.channel,
                    D.c.chat_id == chat_id,
                    D.c.status == SENDING,
                    D.c.lease_until > now,
                )
                if local_workers:
                    in_flight = in_flight.where(D.c.lease_owner.not_in(list(local_workers)))
                in_use = in_use or conn.execute(in_flight.limit(1)).first() is not None
            if waits or in_use:
                until = max(waits, default=now)
                if in_use:
                    until = max(until, now + BUSY_POLL)
                return Hold(wait_until=until, shared=shared)
            upsert_chat(
                conn,
                self.db.dialect,
                key,
                now,
                next_slot_at=now + self.hold,
                claimed_by=self.scope_id,
            )
            slot = self._take(conn, now, next_slot) if shared else None
            if slot is None:
                self._announce(conn, now)
        return Hold(slot=slot, shared=shared)

    def take_slot(self, now: datetime) -> datetime:
        """The next slot of the token's shared schedule, for one more call of a reply."""
        with self.db.engine.begin() as conn:
            next_slot, paused, _by, _at = self._lock_token(conn, now)
            slot = self._take(conn, now, next_slot)
        return max(slot, paused) if paused is not None else slot

    def end(
        self, chat_id: str, now: datetime, free_at: datetime, paused_until: datetime | None
    ) -> None:
        """The reply is over: the chat is free from `free_at` (its last answer plus the chat's
        interval), or paused until `paused_until` after a 429 meant for it."""
        with self.db.engine.begin() as conn:
            conn.execute(
                sa.update(R)
                .where(R.c.key == chat_key(self.rate_key, chat_id))
                .where(R.c.claimed_by == self.scope_id)
                .values(next_slot_at=free_at, claimed_at=now, updated_at=now)
            )
            if paused_until is not None:
                upsert_chat(
                    conn,
                    self.db.dialect,
                    chat_key(self.rate_key, chat_id),
                    now,
                    paused_until=paused_until,
                )

    # -- the token's row ----------------------------------------------------------------------
    def _lock_token(
        self, conn: sa.Connection, now: datetime
    ) -> tuple[datetime, datetime | None, str | None, datetime | None]:
        """Lock the token's row (created if no worker made it yet), as a claim does first."""
        for _ in range(2):
            state = conn.execute(
                sa.update(R)
                .where(R.c.key == self.rate_key)
                .values(updated_at=now)
                .returning(R.c.next_slot_at, R.c.paused_until, R.c.claimed_by, R.c.claimed_at)
            ).first()
            if state is not None:
                return state[0], state[1], state[2], state[3]
            create_rate_row(conn, self.rate_key, now)
        raise RuntimeError(f"rate row {self.rate_key!r} could not be created")

    def _foreign(self, last_by: str | None, last_at: datetime | None, now: datetime) -> bool:
        window = timedelta(seconds=self.pace.shared_window)
        return (
            last_by is not None
            and last_by != self.scope_id
            and last_at is not None
            and last_at > now - window
        )

    def _take(self, conn: sa.Connection, now: datetime, next_slot: datetime) -> datetime:
        """One slot of the shared schedule, kept strictly as a shared worker keeps its own."""
        window = timedelta(seconds=self.pace.shared_window)
        joining = self._slotted_at is None or self._slotted_at <= now - window
        slot = first_slot(self.pace, now, next_slot, shared=True, joining=joining)
        conn.execute(
            sa.update(R)
            .where(R.c.key == self.rate_key)
            .values(
                next_slot_at=slot + self.pace.spacing,
                claimed_by=self.scope_id,
                claimed_at=now,
            )
        )
        self._slotted_at = now
        return slot

    def _announce(self, conn: sa.Connection, now: datetime) -> None:
        """This process sends for the token now: a worker elsewhere must not count on having
        the token to itself (it would make up stalls in bursts its window cannot see)."""
        conn.execute(
            sa.update(R)
            .where(R.c.key == self.rate_key)
            .values(claimed_by=self.scope_id, claimed_at=now)
        )
