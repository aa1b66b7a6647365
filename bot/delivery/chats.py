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

**Replies first, across processes.** A slot of the shared schedule lies after everything the
workers claimed ahead (up to half a second), so a reply that took one waited that long behind
a broadcast. While members chat, the token's second is split instead: the workers schedule at
most the rate less a `reserve` a second (`engine.DeliveryWorker` reads `last_reply`), and
replies take one of `reserve` places ("the lane", rows `<token key>!r<n>`): a reply holds its
place while it is sent (all its messages, a chat's second apart) and gives it back for one
second after its last answer, as the send window counts (`window`): at most `reserve` replies
in any second at the platform, sent at once, beside at most rate − reserve of the outbox.
"Members chat" is one row, `<token key>!replies`: its `claimed_at` is the last reply of any
process, its `next_slot_at` when the lane opened. The lane opens `SETTLE` after the first
reply of a quiet token (the workers' slots claimed at full rate before they saw it must be a
second behind), and closes `quiet` seconds after the last reply. A reply that finds the lane
full, or not yet open, takes a slot of the schedule, as before (at the reduced spacing while
the lane is open).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, replace
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
# After the first reply of a quiet token, the lane opens this much later: slots the workers
# claimed at the full rate before they saw it (half a second ahead, a quarter more when one
# joins, and the time between its look and its claim) are then more than a second behind.
SETTLE = timedelta(seconds=2.5)
QUIET = timedelta(seconds=10)  # members chat: a reply within this long (`account.reply_quiet`)
RESERVE_SHARE = 0.2  # of the token's rate kept for replies while members chat


def reserve_for(pace: Pace, share: float = RESERVE_SHARE) -> int:
    """Places of the token's second kept for replies while members chat: a fifth of the rate
    (6 of Telegram's 30, 1 of Zalo's 5), none below 2 a second."""
    per_second = pace.per_second
    return 0 if per_second < 2 else max(1, math.ceil(per_second * share))


def replies_key(rate_key: str) -> str:
    """The row saying members chat with the token (see the module's doc)."""
    return f"{rate_key}!replies"


def lane_key(rate_key: str, place: int) -> str:
    """One place of the replies' lane: `next_slot_at` is when it is free again."""
    return f"{rate_key}!r{place}"


def last_reply(db: Database, rate_key: str) -> tuple[datetime | None, str | None]:
    """When any process last replied for the token, and which (its scope). One primary-key
    read: the workers ask before each claim, and schedule at the rate less the reserve while
    members chat."""
    with db.engine.connect() as conn:
        row = conn.execute(
            sa.select(R.c.claimed_at, R.c.claimed_by).where(R.c.key == replies_key(rate_key))
        ).first()
    return (None, None) if row is None else (row[0], row[1])


@dataclass(frozen=True)
class Hold:
    """The answer to `ChatStore.begin`: go (`wait_until` None), or not before `wait_until`.

    `slot` is when the reply's first call may start in the token's shared schedule (None: the
    token is not shared with another process, the in-memory account alone decides). `lane`
    is the lane's place the reply holds instead (then `slot` is now): its calls go at once,
    and `ChatStore.end` gives it back.
    """

    wait_until: datetime | None = None
    slot: datetime | None = None
    shared: bool = False
    lane: str | None = None


@dataclass(frozen=True)
class Slot:
    """The answer to `ChatStore.take_slot`: when the call may start; `lane` as in `Hold`."""

    at: datetime
    lane: str | None = None


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
        reserve: int | None = None,
        quiet: timedelta = QUIET,
        settle: timedelta = SETTLE,
    ) -> None:
        self.db = db
        self.channel = channel
        self.rate_key = rate_key
        self.pace = pace
        self.scope_id = scope_id[:64]
        self.hold = hold
        self.reserve = reserve_for(pace) if reserve is None else reserve
        self.quiet = quiet
        self.settle = settle
        # The schedule's spacing while the lane is open: the outbox's reduced rate.
        reduced = max(1.0, pace.rate_per_second - self.reserve)
        self.reduced_spacing = replace(pace, rate_per_second=reduced).spacing
        # A lane place given back is busy for a second after the reply's last answer, and a
        # little more for the clocks of two processes (`Pace.tolerance`).
        self.lane_rest = timedelta(seconds=1) + pace.tolerance
        self._slotted_at: datetime | None = None  # when this process last took a slot
        self.lane_taken = 0  # replies that went by the lane (for the benchmark and tests)
        self.slots_taken = 0  # replies that took a slot of the shared schedule

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
            lane_open = self._chatting(conn, now)
            slot = self._slot(conn, now, next_slot, lane_open) if shared else None
            if slot is None:
                self._announce(conn, now)
        if slot is None:
            return Hold(shared=shared)
        return Hold(slot=slot.at, shared=shared, lane=slot.lane)

    def take_slot(self, now: datetime) -> Slot:
        """When one more call of a reply may start: a place of the replies' lane while it is
        open and has one (held until `end`), else the next slot of the token's schedule."""
        with self.db.engine.begin() as conn:
            next_slot, paused, _by, _at = self._lock_token(conn, now)
            lane_open = self._chatting(conn, now)
            slot = self._slot(conn, now, next_slot, lane_open)
        if paused is not None and paused > slot.at:
            return Slot(paused, slot.lane)
        return slot

    # -- replies first --------------------------------------------------------------------------
    def _chatting(self, conn: sa.Connection, now: datetime) -> bool:
        """Note this reply in the token's "members chat" row; True when the lane is open.
        Called under the token's row lock, so replies and claims see it in turn."""
        if not self.reserve:
            return False
        key = replies_key(self.rate_key)
        row = conn.execute(
            sa.select(R.c.next_slot_at, R.c.claimed_at).where(R.c.key == key)
        ).first()
        if row is None or row[1] is None or row[1] <= now - self.quiet:
            opens = now + self.settle  # a quiet token: the workers slow down first
        else:
            opens = row[0]
        upsert_chat(conn, self.db.dialect, key, now, next_slot_at=opens, claimed_by=self.scope_id)
        return opens <= now

    def _slot(
        self, conn: sa.Connection, now: datetime, next_slot: datetime, lane_open: bool
    ) -> Slot:
        """A place of the lane when open and free (the reply goes at once), else the next
        slot of the schedule: at the outbox's reduced spacing while the lane is open, so the
        schedule's second together with the lane's never holds more than the rate."""
        if lane_open:
            place = self._lane(conn, now)
            if place is not None:
                self._announce(conn, now)
                self._slotted_at = now  # known to the workers: not joining when it takes a slot
                self.lane_taken += 1
                return Slot(now, place)
        self.slots_taken += 1
        spacing = self.reduced_spacing if lane_open else self.pace.spacing
        return Slot(self._take(conn, now, next_slot, spacing))

    def _lane(self, conn: sa.Connection, now: datetime) -> str | None:
        """Take the lane's place free longest ago, if one is free, and hold it (`hold`, in
        case this process dies) until the reply gives it back (`end`)."""
        keys = [lane_key(self.rate_key, place) for place in range(self.reserve)]
        busy: dict[str, datetime] = {
            key: until
            for key, until in conn.execute(
                sa.select(R.c.key, R.c.next_slot_at).where(R.c.key.in_(keys))
            )
        }
        free = [key for key in keys if key not in busy or busy[key] <= now]
        if not free:
            return None
        key = min(free, key=lambda k: (k in busy, busy.get(k) or now))
        upsert_chat(
            conn, self.db.dialect, key, now, next_slot_at=now + self.hold, claimed_by=self.scope_id
        )
        return key

    def end(
        self,
        chat_id: str,
        now: datetime,
        free_at: datetime,
        paused_until: datetime | None,
        *,
        lane: str | None = None,
        last_answer: datetime | None = None,
    ) -> None:
        """The reply is over: the chat is free from `free_at` (its last answer plus the chat's
        interval), or paused until `paused_until` after a 429 meant for it; the lane's place
        it held (`lane`) is free a second after its last answer (`last_answer`, else now)."""
        with self.db.engine.begin() as conn:
            if lane is not None:
                conn.execute(
                    sa.update(R)
                    .where(R.c.key == lane, R.c.claimed_by == self.scope_id)
                    .values(next_slot_at=(last_answer or now) + self.lane_rest, updated_at=now)
                )
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

    def _take(
        self, conn: sa.Connection, now: datetime, next_slot: datetime, spacing: timedelta
    ) -> datetime:
        """One slot of the shared schedule, kept strictly as a shared worker keeps its own."""
        window = timedelta(seconds=self.pace.shared_window)
        joining = self._slotted_at is None or self._slotted_at <= now - window
        slot = first_slot(self.pace, now, next_slot, shared=True, joining=joining)
        conn.execute(
            sa.update(R)
            .where(R.c.key == self.rate_key)
            .values(
                next_slot_at=slot + spacing,
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
