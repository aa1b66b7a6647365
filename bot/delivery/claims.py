"""The outbox's database side: claim due rows under a lease, record outcomes. Short transactions.

Every function here is synchronous and runs in a worker thread; none is ever called while a
message is on its way (DESIGN.md: never hold a transaction across a call to Telegram or Zalo).

A claim is one transaction:

1. lock the token's `delivery_rates` row (an UPDATE, so it is also the first write on SQLite
   and takes the database's write lock there, which makes the rest atomic on one file too);
2. if the token is paused (a 429) or its schedule is already filled far enough ahead, stop;
3. pick due rows, oldest first: `pending` whose `next_attempt_at` has come, or `sending` whose
   lease expired (a worker died with it in hand). A row is only taken when no earlier row to
   the same chat is unfinished (so a chat gets its messages in order, one at a time) and no
   message went to that chat within its interval (about 1/s for a private chat, 20/min for a
   group). On PostgreSQL `FOR UPDATE SKIP LOCKED`;
4. mark them `sending`, `lease_owner` = this worker, `lease_until` = now + lease, attempts + 1;
5. give each a start time ("slot"), a little more than 1/rate apart (`Pace.margin`),
   continuing the token's schedule, and move the schedule on. Workers in several processes
   share one schedule, so they share the rate.

A chat is also held back while its row in `delivery_rates` (key `chat_key`) says so: an
interactive reply in any process holds the chat there while it is sent and for the chat's
interval after it, and a 429 meant for one chat pauses that chat there (`bot.delivery.chats`).

Recording is another transaction, and changes a row only while this worker still holds it
(`lease_owner`, `attempts` and `status` unchanged): if the lease ran out and another worker
took the row, the late outcome is dropped rather than overwrite the newer claim. A worker
renews the leases of the rows it holds while they wait and while they are sent (`renew`), so
a slow send of many parts does not outlive its lease.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from bot.channels import numbered
from bot.delivery.weights import calls_for
from bot.retry import jittered
from models import (
    ChatIdentity,
    Database,
    Delivery,
    DeliveryPart,
    DeliveryRate,
    DeliveryStatus,
    UTCDateTime,
)
from models.upsert import dialect_insert, insert_ignoring
from services.identities import mark_blocked
from services.outbox import STALE_NOT_SENT, Offer, is_stale, offer_options_many

log = logging.getLogger(__name__)

D = Delivery.__table__  # type: ignore[attr-defined]
R = DeliveryRate.__table__  # type: ignore[attr-defined]
P = DeliveryPart.__table__  # type: ignore[attr-defined]

PENDING = DeliveryStatus.PENDING.value
SENDING = DeliveryStatus.SENDING.value
SENT = DeliveryStatus.SENT.value
FAILED = DeliveryStatus.FAILED.value
EXPIRED = DeliveryStatus.EXPIRED.value

TIMEOUT_NOTE = "timeout (maybe delivered)"
ERROR_LENGTH = 500
KEY_LENGTH = 80  # delivery_rates.key


def chat_key(rate_key: str, chat_id: str) -> str:
    """A chat's row in `delivery_rates`, beside its token's: when it may next get a message
    (`next_slot_at`) and until when the platform asked us to leave it alone (`paused_until`).
    A chat id too long for the key is hashed."""
    key = f"{rate_key}#{chat_id}"
    if len(key) <= KEY_LENGTH:
        return key
    return f"{rate_key}#h{hashlib.sha256(chat_id.encode()).hexdigest()[:40]}"


@dataclass(frozen=True)
class Pace:
    """How fast one bot token may send, and how its claims are sized.

    `margin` keeps the schedule a little under the limit while several workers share the token,
    so that a message that leaves a few milliseconds late (event loop, network) does not put a
    second's count over it. A worker alone on the token also keeps its own exact count of what
    the platform may have seen in the last second (`window.SendWindow`), so its schedule needs
    only `solo_margin`: the count, not the margin, keeps it under the limit. `lead` puts the
    first slot a little after the claim, so the claim's own commit does not make it late;
    `catch_up` is how far back a lone worker's schedule may resume after it stalled (see
    `OutboxStore._first_slot`). `horizon` is how far ahead a worker claims: long enough for
    few claims per second, short enough that a stopped worker holds little and workers take
    turns.
    """

    rate_per_second: float
    private_interval: float = 1.0
    group_interval: float = 3.0
    group_prefix: str | None = None
    margin: float = 0.04
    solo_margin: float = 0.01
    catch_up: float = 0.25
    lead: float = 0.02
    horizon: float = 0.5
    shared_window: float = 2.0

    def interval_for(self, chat_id: str) -> timedelta:
        """The least time between two sends to one chat: 3 s for a Telegram group, else 1 s."""
        prefix = self.group_prefix
        group = bool(prefix) and chat_id.startswith(prefix or "")
        return timedelta(seconds=self.group_interval if group else self.private_interval)

    def __post_init__(self) -> None:
        if self.rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        if not 0 <= self.margin < 0.5 or not 0 <= self.solo_margin < 0.5:
            raise ValueError("margin must be in [0, 0.5)")

    @property
    def spacing(self) -> timedelta:
        """The time between two starts of this token's messages while workers share it."""
        return self.spacing_for(shared=True)

    def spacing_for(self, *, shared: bool) -> timedelta:
        """The time between two slots: wider when another worker sends for the token too."""
        margin = self.margin if shared else self.solo_margin
        return timedelta(seconds=1.0 / (self.rate_per_second * (1.0 - margin)))

    @property
    def per_second(self) -> int:
        """The platform's count per second that a worker's `SendWindow` keeps under."""
        return max(1, math.floor(self.rate_per_second))

    @property
    def slack(self) -> timedelta:
        """How much of a timer's lateness the next start may make up (a tenth of the spacing,
        at most 2 ms): enough that wake-ups a millisecond late do not add up."""
        return min(self.spacing / 10, timedelta(milliseconds=2))

    @property
    def tolerance(self) -> timedelta:
        """How late after its slot a message may still start.

        Every start lies in [slot, slot + tolerance] and slots are `spacing` apart, so a window
        of one second holds at most floor((1 + tolerance) / spacing) + 1 starts; with the
        tolerance at 80 % of the margin (in seconds) that is never more than the rate. A send
        that wakes later goes back to the schedule for a new slot instead.
        """
        return timedelta(seconds=0.8 * self.margin)


@dataclass(frozen=True)
class Backoff:
    """Waits after a 5xx or timeout: exponential, with jitter so workers do not retry together."""

    base: float = 2.0
    cap: float = 600.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """`attempt` counts from 1 (the row's attempts so far)."""
        return jittered(attempt - 1, self.base, self.cap, rng)


@dataclass(frozen=True)
class ClaimedRow:
    """One delivery this worker holds: what to send, and when it may start (`slot`)."""

    id: int
    chat_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    previous_error: str | None
    identity_id: int | None
    slot: datetime
    parts_done: int = 0
    gap: timedelta = timedelta(0)  # the time this row's slots take in the schedule
    calls: int = 1  # the API calls it will make, at most (`weights.calls_for`)
    lease_until: datetime | None = None  # as claimed; `OutboxStore.renew` moves it on


@dataclass(frozen=True)
class Claim:
    """Rows claimed now; when none, `wait_until` is the first instant worth trying again
    (the end of a 429 pause, or when the token's schedule has room), if that is known.
    `shared`: another worker claimed for this token lately, so slots must be kept strictly."""

    rows: list[ClaimedRow]
    wait_until: datetime | None = None
    shared: bool = False


class Verdict(StrEnum):
    """How one send ended, as far as the outbox is concerned."""

    SENT = "sent"
    RATE_LIMITED = "rate_limited"  # 429: the token pauses, the row waits; not the row's fault
    TRANSIENT = "transient"  # 5xx, network, timeout: back off, retry up to max attempts
    BLOCKED = "blocked"  # 403: failed for good, the account is marked inactive
    REJECTED = "rejected"  # 400 and other mistakes of ours: failed, never retried
    TOKEN_REJECTED = "token_rejected"  # 401: nothing can be sent; the row goes back untouched
    RELEASED = "released"  # not sent at all (stopping, paused): back to pending, uncounted


@dataclass(frozen=True)
class Outcome:
    """What a send did. `message_ids` are the parts accepted by this attempt."""

    verdict: Verdict
    message_ids: tuple[str, ...] = ()
    parts: int = 0
    error: str | None = None
    retry_after: float | None = None
    timed_out: bool = False


@dataclass(frozen=True)
class Recorded:
    """An outcome waiting to be written: the row as claimed, the outcome, when it happened."""

    row: ClaimedRow
    outcome: Outcome
    at: datetime
    note: str | None = None
    resume_at: datetime | None = None  # for RELEASED and RATE_LIMITED rows
    # A RATE_LIMITED row: True when the 429 was the token's (every worker pauses until
    # `resume_at`), False when it was the chat's (only that chat waits; `account.note_429`).
    pause_token: bool = True


@dataclass
class RecordReport:
    written: int = 0
    lease_lost: int = 0
    failed_final: int = 0
    skipped_for_blocked: int = 0
    options_offered: int = 0
    ids_lost: list[int] = field(default_factory=list)


def _at(value: datetime) -> sa.BindParameter[datetime]:
    """A datetime bound with the UTC column type (stored naive UTC on both dialects)."""
    return sa.literal(value, UTCDateTime())


def first_slot(
    pace: Pace,
    now: datetime,
    next_slot: datetime,
    *,
    shared: bool,
    joining: bool,
) -> datetime:
    """Where a claim's slots begin in the token's schedule.

    Alone, a worker that stalled for less than `Pace.catch_up` takes the slots it missed
    (its send window keeps the platform's count exact); after a longer pause or an idle
    token the schedule starts afresh. Shared, a missed slot is gone. A process that joins
    a token another process was using alone leaves `catch_up` free first: the other may
    still be making up a stall with the rows it holds.
    """
    lead = timedelta(seconds=pace.lead)
    catch_up = timedelta(seconds=pace.catch_up)
    if not shared:
        return next_slot if next_slot >= now - catch_up else now + lead
    start = max(now + lead, next_slot)
    return start + catch_up if joining else start


def create_rate_row(conn: sa.Connection, key: str, now: datetime) -> None:
    """A token's row in `delivery_rates`, unless one exists: the first worker or reply of
    any process creates it, the others find it (no error, no savepoint needed)."""
    conn.execute(
        insert_ignoring(R, ["key"], conn).values(
            key=key, next_slot_at=now, paused_until=None, updated_at=now
        )
    )


def upsert_chat(
    conn: sa.Connection,
    dialect: str,
    key: str,
    now: datetime,
    *,
    next_slot_at: datetime | None = None,
    paused_until: datetime | None = None,
    claimed_by: str | None = None,
) -> None:
    """Create or move on a chat's row in `delivery_rates`: `next_slot_at` as given (or left
    as it is), `paused_until` only ever later."""
    statement = dialect_insert(R, dialect).values(
        key=key,
        next_slot_at=next_slot_at or now,
        paused_until=paused_until,
        claimed_by=claimed_by,
        claimed_at=now,
        updated_at=now,
    )
    changes: dict[str, Any] = {"updated_at": now}
    if next_slot_at is not None:
        changes["next_slot_at"] = next_slot_at
        changes["claimed_by"] = claimed_by
        changes["claimed_at"] = now
    if paused_until is not None:
        changes["paused_until"] = sa.case(
            (R.c.paused_until.is_(None), _at(paused_until)),
            (R.c.paused_until < _at(paused_until), _at(paused_until)),
            else_=R.c.paused_until,
        )
    conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_=changes))


class OutboxStore:
    """The claim and record queries of one worker for one channel and one bot token."""

    def __init__(
        self,
        db: Database,
        *,
        channel: str,
        rate_key: str,
        pace: Pace,
        worker_id: str,
        lease: timedelta,
        max_attempts: int,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        scope_id: str | None = None,
    ) -> None:
        self.db = db
        self.channel = channel
        self.numbered = numbered(channel)  # how its members answer options (bot.channels)
        self.rate_key = rate_key[:KEY_LENGTH]
        self.pace = pace
        self.worker_id = worker_id[:64]
        # Who this claim speaks for in `claimed_by`: the process's account of the token
        # (`account.TokenAccount`), which its interactive replies share. A claim made by
        # another scope lately means another process sends for the token too.
        self.scope_id = (scope_id or worker_id)[:64]
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.rng = rng or random.Random()
        self._claimed_at: datetime | None = None  # when this worker last moved the schedule

    # -- claiming -------------------------------------------------------------------------------
    def ensure_rate_row(self, now: datetime) -> None:
        """The token's schedule row exists (created by whichever worker comes first)."""
        with self.db.engine.begin() as conn:
            create_rate_row(conn, self.rate_key, now)

    def has_due(self, now: datetime) -> bool:
        """A cheap read: is any row of this channel due? Idle workers ask this, nothing more.

        Ordered by the due time so that PostgreSQL reads it from an index (`ix_deliveries_due`
        for pending rows): without an order, a sequential scan looks cheapest for a large
        backlog, and it reads the year's sent rows that lie ahead of the backlog in the table
        (docs/scale.md)."""
        with self.db.engine.connect() as conn:
            for status, when in ((PENDING, D.c.next_attempt_at), (SENDING, D.c.lease_until)):
                found = conn.execute(
                    sa.select(D.c.id)
                    .where(D.c.channel == self.channel, D.c.status == status, when <= now)
                    .order_by(when)
                    .limit(1)
                ).first()
                if found is not None:
                    return True
        return False

    def claim(self, clock: Callable[[], datetime], limit: int) -> Claim:
        """Claim up to `limit` due rows that fit the token's schedule within the horizon.

        `clock` is read again after the token's row is locked and just before the slots are
        fixed: waiting for the lock or choosing rows must not make the first slot late.
        """
        if limit <= 0 or not self.has_due(clock()):
            return Claim([])
        pace = self.pace
        horizon = timedelta(seconds=pace.horizon)
        with self.db.engine.begin() as conn:
            now = clock()
            state = conn.execute(
                sa.update(R)
                .where(R.c.key == self.rate_key)
                .values(updated_at=now)
                .returning(R.c.next_slot_at, R.c.paused_until, R.c.claimed_by, R.c.claimed_at)
            ).first()
            if state is None:
                raise RuntimeError(f"rate row {self.rate_key!r} missing: call ensure_rate_row")
            next_slot, paused_until, last_by, last_at = state
            now = clock()
            shared = (
                last_by is not None
                and last_by != self.scope_id
                and last_at is not None
                and last_at > now - timedelta(seconds=pace.shared_window)
            )
            if paused_until is not None and paused_until > now:
                return Claim([], wait_until=paused_until, shared=shared)
            spacing = pace.spacing_for(shared=shared)
            joining = shared and (
                self._claimed_at is None
                or self._claimed_at <= now - timedelta(seconds=pace.shared_window)
            )
            start = self._first_slot(now, next_slot, shared=shared, joining=joining)
            if joining:  # reserved at once, so the other worker sees this one from now on
                self._move_schedule(conn, start, now)
                next_slot = start
            if start > now + horizon / 2:
                return Claim([], wait_until=start - horizon / 2, shared=shared)
            room = math.floor((now + horizon - start) / spacing) + 1
            self._fail_abandoned(conn, now)
            rows = self._take(conn, now, min(limit, room))
            if not rows:
                return Claim([], shared=shared)
            done = self._parts_done(conn, [r["id"] for r in rows if r["attempts"] > 1])
            # A row takes as many slots as the calls it will make (`weights.calls_for`).
            calls = [
                max(1, calls_for(self.channel, r["payload"] or {}) - done.get(r["id"], 0))
                for r in rows
            ]
            offsets = [0, *itertools.accumulate(calls)]
            start = self._first_slot(clock(), next_slot, shared=shared, joining=False)
            self._move_schedule(conn, start + spacing * offsets[-1], now)
        return Claim(
            [
                ClaimedRow(
                    id=r["id"],
                    chat_id=r["chat_id"],
                    kind=r["kind"],
                    payload=dict(r["payload"] or {}),
                    attempts=r["attempts"],
                    previous_error=r["error"],
                    identity_id=r["identity_id"],
                    slot=start + spacing * offsets[index],
                    parts_done=done.get(r["id"], 0),
                    gap=spacing * calls[index],
                    calls=calls[index],
                    lease_until=r["lease_until"],
                )
                for index, r in enumerate(rows)
            ],
            shared=shared,
        )

    def _move_schedule(self, conn: sa.Connection, next_slot: datetime, now: datetime) -> None:
        conn.execute(
            sa.update(R)
            .where(R.c.key == self.rate_key)
            .values(next_slot_at=next_slot, claimed_by=self.scope_id, claimed_at=now)
        )
        self._claimed_at = now

    def _first_slot(
        self, now: datetime, next_slot: datetime, *, shared: bool, joining: bool
    ) -> datetime:
        """Where this claim's slots begin (`first_slot`)."""
        return first_slot(self.pace, now, next_slot, shared=shared, joining=joining)

    def _due(self, now: datetime) -> sa.ColumnElement[bool]:
        return sa.or_(
            sa.and_(D.c.status == PENDING, D.c.next_attempt_at <= now),
            sa.and_(D.c.status == SENDING, D.c.lease_until <= now),
        )

    def _take(self, conn: sa.Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Lock and mark up to `limit` due rows, oldest first, that their chats may receive now.

        Built from plain index range scans (no correlated subqueries), so the plan stays cheap
        whatever the planner knows about the table: due rows in id order from
        `ix_deliveries_claim`, then one look at the candidates' chats in `ix_deliveries_chat`.
        Candidates come a page at a time, in case the oldest ones are all held back.
        """
        taken: list[int] = []
        after = 0
        page = 4 * limit + 16
        for _ in range(4):
            candidates = self._candidates(conn, now, after, page)
            if not candidates:
                break
            taken += self._eligible(conn, now, candidates)[: limit - len(taken)]
            if len(taken) >= limit or len(candidates) < page:
                break
            after = candidates[-1][0]
        if not taken:
            return []
        claimed = conn.execute(
            sa.update(D)
            .where(D.c.id.in_(taken), self._due(now))
            .values(
                status=SENDING,
                lease_owner=self.worker_id,
                lease_until=now + self.lease,
                attempts=D.c.attempts + 1,
            )
            .returning(
                D.c.id,
                D.c.chat_id,
                D.c.kind,
                D.c.payload,
                D.c.attempts,
                D.c.error,
                D.c.identity_id,
                D.c.lease_until,
            )
        )
        rows = sorted((dict(r._mapping) for r in claimed), key=lambda r: r["id"])
        stale = [r["id"] for r in rows if is_stale(r["payload"] or {}, now)]
        if stale:  # e.g. answers to a meeting that has begun: dropped, never sent late
            conn.execute(
                sa.update(D)
                .where(D.c.id.in_(stale))
                .values(status=EXPIRED, lease_until=None, lease_owner=None, error=STALE_NOT_SENT)
            )
            log.info("%s: %d stale deliveries dropped unsent", self.channel, len(stale))
        return [r for r in rows if r["id"] not in set(stale)]

    def _candidates(
        self, conn: sa.Connection, now: datetime, after: int, count: int
    ) -> list[tuple[int, str]]:
        """Due rows with id > `after`, oldest first, locked (skipping rows another worker has
        locked on PostgreSQL): pending ones whose time has come, and expired leases.

        The page is a keyset on `ix_deliveries_claim`'s own key, `(status, id) > (status,
        after)` ordered by status then id, which says `status = s AND id > after`. Written as
        that equality, PostgreSQL (which treats `status` as a constant there) may walk the
        primary key in id order instead, expecting due rows all along it: with the year's sent
        rows ahead of a broadcast it read 1.5 million of them per page (2 s, docs/scale.md)."""
        found: list[tuple[int, str]] = []
        for status, when in ((PENDING, D.c.next_attempt_at), (SENDING, D.c.lease_until)):
            result = conn.execute(
                sa.select(D.c.id, D.c.chat_id)
                .where(D.c.channel == self.channel)
                .where(sa.tuple_(D.c.status, D.c.id) > sa.tuple_(status, after))
                .where(D.c.status <= status)
                .where(when <= now)
                .order_by(D.c.status, D.c.id)
                .limit(count)
                .with_for_update(skip_locked=True)
            )
            found += [(row_id, chat) for row_id, chat in result]
        return sorted(found)[:count]

    def _eligible(
        self, conn: sa.Connection, now: datetime, candidates: list[tuple[int, str]]
    ) -> list[int]:
        """The candidates that are the oldest unfinished row of their chat, in a chat that got
        nothing within its interval (1 s private, 3 s group) and that no interactive reply or
        per-chat 429 holds (its `chat_key` row): order and per-chat pace."""
        pace = self.pace
        chats = sorted({chat for _id, chat in candidates})
        first_unfinished: dict[str, int] = {}
        recently: set[str] = set()
        private_cut = now - timedelta(seconds=pace.private_interval)
        group_cut = now - timedelta(seconds=pace.group_interval)
        for start in range(0, len(chats), 500):
            chunk = chats[start : start + 500]
            for chat, first in conn.execute(
                sa.select(D.c.chat_id, sa.func.min(D.c.id))
                .where(D.c.channel == self.channel, D.c.chat_id.in_(chunk))
                .where(D.c.status.in_((PENDING, SENDING)))
                .group_by(D.c.chat_id)
            ):
                first_unfinished[chat] = first
            for chat, sent_at in conn.execute(
                sa.select(D.c.chat_id, sa.func.max(D.c.sent_at))
                .where(D.c.channel == self.channel, D.c.chat_id.in_(chunk))
                .where(D.c.status == SENT, D.c.sent_at > min(private_cut, group_cut))
                .group_by(D.c.chat_id)
            ):
                is_group = bool(pace.group_prefix) and chat.startswith(pace.group_prefix or "")
                if sent_at > (group_cut if is_group else private_cut):
                    recently.add(chat)
            keys = {chat_key(self.rate_key, chat): chat for chat in chunk}
            for key, next_slot, paused in conn.execute(
                sa.select(R.c.key, R.c.next_slot_at, R.c.paused_until).where(
                    R.c.key.in_(list(keys))
                )
            ):
                if next_slot > now or (paused is not None and paused > now):
                    recently.add(keys[key])
        return [
            row_id
            for row_id, chat in candidates
            if first_unfinished.get(chat) == row_id and chat not in recently
        ]

    def _fail_abandoned(self, conn: sa.Connection, now: datetime) -> None:
        """A row whose lease ran out on its last allowed attempt is failed, not tried again:
        a message that crashes every worker that sends it must not stop the outbox forever."""
        abandoned = (
            sa.select(D.c.id)
            .where(D.c.channel == self.channel, D.c.status == SENDING, D.c.lease_until <= now)
            .where(D.c.attempts >= self.max_attempts)
            .with_for_update(skip_locked=True)
        )
        result = conn.execute(
            sa.update(D)
            .where(D.c.id.in_(abandoned.scalar_subquery()))
            .values(
                status=FAILED,
                lease_until=None,
                error=f"no outcome after {self.max_attempts} attempts (worker stopped mid-send)",
            )
        )
        if result.rowcount:
            log.error("%s: %d deliveries abandoned mid-send, failed", self.channel, result.rowcount)

    def _parts_done(self, conn: sa.Connection, ids: Sequence[int]) -> dict[int, int]:
        """For retried rows: how many leading parts the platform already accepted."""
        if not ids:
            return {}
        rows = conn.execute(
            sa.select(P.c.delivery_id, sa.func.max(P.c.part))
            .where(P.c.delivery_id.in_(ids))
            .group_by(P.c.delivery_id)
        )
        return {delivery_id: int(top) + 1 for delivery_id, top in rows}

    # -- leases ---------------------------------------------------------------------------------
    def renew(self, rows: Sequence[ClaimedRow], now: datetime) -> dict[int, datetime]:
        """Move the lease of rows this worker still holds to now + lease, in one statement.

        The new lease end of each row renewed; a row missing from the answer is no longer
        this worker's (its lease ran out and another worker took it, or it was recorded).
        """
        wanted = {row.id: row.attempts for row in rows}
        if not wanted:
            return {}
        until = now + self.lease
        with self.db.engine.begin() as conn:
            renewed = conn.execute(
                sa.update(D)
                .where(D.c.id.in_(list(wanted)))
                .where(D.c.status == SENDING, D.c.lease_owner == self.worker_id)
                .values(lease_until=until)
                .returning(D.c.id, D.c.attempts)
            )
            return {row_id: until for row_id, attempts in renewed if wanted.get(row_id) == attempts}

    # -- idle and drain -------------------------------------------------------------------------
    def next_due(self) -> datetime | None:
        """The earliest instant a row of this channel becomes due (pending or lease end)."""
        with self.db.engine.connect() as conn:
            pending = conn.execute(
                sa.select(sa.func.min(D.c.next_attempt_at)).where(
                    D.c.channel == self.channel, D.c.status == PENDING
                )
            ).scalar()
            leased = conn.execute(
                sa.select(sa.func.min(D.c.lease_until)).where(
                    D.c.channel == self.channel, D.c.status == SENDING
                )
            ).scalar()
        found = [t for t in (pending, leased) if t is not None]
        return min(found) if found else None

    def unfinished(self) -> int:
        """Rows of this channel still pending or sending."""
        with self.db.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(D)
                    .where(D.c.channel == self.channel, D.c.status.in_((PENDING, SENDING)))
                ).scalar_one()
            )

    # -- recording ------------------------------------------------------------------------------
    def record(self, batch: Sequence[Recorded]) -> RecordReport:
        """Write a batch of outcomes in one transaction; rows no longer ours are left alone.

        Successful sends, nearly all of a broadcast, take a fixed handful of statements per
        batch (ownership check, one executemany update, parts, options); the rarer failures
        and releases are written one by one.
        """
        report = RecordReport()
        if not batch:
            return report
        with self.db.session() as session:
            conn = session.connection()
            # The token's row first: a claim locks it before rows, so the same order here
            # cannot deadlock with a claim.
            limited = [r for r in batch if r.outcome.verdict is Verdict.RATE_LIMITED]
            pauses = [r for r in limited if r.pause_token]
            if pauses:
                until = max(r.resume_at or r.at for r in pauses)
                self._pause(conn, until)
            for item in limited:
                if not item.pause_token:  # the chat's own 429: held back in every process
                    upsert_chat(
                        conn,
                        self.db.dialect,
                        chat_key(self.rate_key, item.row.chat_id),
                        item.at,
                        paused_until=item.resume_at or item.at,
                    )
            owned = self._owned(conn, [item.row for item in batch])
            sent: list[Recorded] = []
            for item in batch:
                if item.row.id not in owned:
                    report.lease_lost += 1
                    report.ids_lost.append(item.row.id)
                elif item.outcome.verdict is Verdict.SENT:
                    sent.append(item)
                elif self._record_one(session, conn, item, report):
                    report.written += 1
                else:  # pragma: no cover - owned a moment ago, under the same lock
                    report.lease_lost += 1
                    report.ids_lost.append(item.row.id)
            if sent:
                self._record_sent(session, conn, sent, report)
        if report.lease_lost:
            log.warning(
                "%s: %d outcomes arrived after the lease passed to another worker: %s",
                self.channel,
                report.lease_lost,
                report.ids_lost[:10],
            )
        return report

    def _owned(self, conn: sa.Connection, rows: Sequence[ClaimedRow]) -> set[int]:
        """The rows still held by this worker under the same claim (lease owner, attempts),
        locked for the rest of the transaction."""
        wanted = {row.id: row.attempts for row in rows}
        found = conn.execute(
            sa.select(D.c.id, D.c.attempts)
            .where(D.c.id.in_(list(wanted)))
            .where(D.c.status == SENDING, D.c.lease_owner == self.worker_id)
            .with_for_update()
        )
        return {row_id for row_id, attempts in found if wanted.get(row_id) == attempts}

    def _record_sent(
        self, session: Any, conn: sa.Connection, items: Sequence[Recorded], report: RecordReport
    ) -> None:
        params = []
        for item in items:
            row, outcome = item.row, item.outcome
            note = item.note
            if note is None and (row.previous_error or "").startswith(TIMEOUT_NOTE):
                note = "sent; an earlier attempt timed out and may have arrived too"
            params.append(
                {
                    "b_id": row.id,
                    "b_attempts": row.attempts,
                    "b_message": (outcome.message_ids or ("",))[-1][:64] or None,
                    "b_at": item.at,
                    "b_error": _clip(note),
                }
            )
        conn.execute(
            sa.update(D)
            .where(D.c.id == sa.bindparam("b_id"), D.c.attempts == sa.bindparam("b_attempts"))
            .where(D.c.status == SENDING, D.c.lease_owner == self.worker_id)
            .values(
                status=SENT,
                platform_message_id=sa.bindparam("b_message"),
                sent_at=sa.bindparam("b_at", type_=UTCDateTime()),
                lease_until=None,
                error=sa.bindparam("b_error"),
            ),
            params,
        )
        report.written += len(items)
        for item in items:
            self._store_parts(conn, item.row, item.outcome, item.at)
        with_options = [i for i in items if i.row.payload.get("options")]
        if with_options:
            report.options_offered += self._offer(session, with_options)

    def _pause(self, conn: sa.Connection, until: datetime) -> None:
        """No worker claims for this token before `until`, and the schedule resumes there."""
        conn.execute(
            sa.update(R)
            .where(R.c.key == self.rate_key)
            .values(
                paused_until=sa.case(
                    (R.c.paused_until.is_(None), _at(until)),
                    (R.c.paused_until < _at(until), _at(until)),
                    else_=R.c.paused_until,
                ),
                next_slot_at=sa.case(
                    (R.c.next_slot_at < _at(until), _at(until)), else_=R.c.next_slot_at
                ),
            )
        )

    def _mine(self, row: ClaimedRow) -> sa.ColumnElement[bool]:
        return sa.and_(
            D.c.id == row.id,
            D.c.status == SENDING,
            D.c.lease_owner == self.worker_id,
            D.c.attempts == row.attempts,
        )

    def _update(self, conn: sa.Connection, row: ClaimedRow, **values: Any) -> bool:
        result = conn.execute(sa.update(D).where(self._mine(row)).values(**values))
        return result.rowcount == 1

    def _record_one(
        self, session: Any, conn: sa.Connection, item: Recorded, report: RecordReport
    ) -> bool:
        """A failure or a release (sends go through `_record_sent`)."""
        row, outcome, at = item.row, item.outcome, item.at
        verdict = outcome.verdict
        error = _clip(outcome.error)
        if verdict in (Verdict.RELEASED, Verdict.TOKEN_REJECTED, Verdict.RATE_LIMITED):
            # Not the row's fault: the attempt is given back.
            values: dict[str, Any] = {
                "status": PENDING,
                "attempts": D.c.attempts - 1,
                "next_attempt_at": item.resume_at or at,
                "lease_until": None,
                "lease_owner": None,
            }
            if verdict is Verdict.RATE_LIMITED:
                values["error"] = error
            if not self._update(conn, row, **values):
                return False
            self._store_parts(conn, row, outcome, at)
            return True
        if verdict is Verdict.TRANSIENT:
            if outcome.timed_out:
                error = _clip(f"{TIMEOUT_NOTE}: {outcome.error}")
            if row.attempts >= self.max_attempts:
                report.failed_final += 1
                done = self._update(
                    conn,
                    row,
                    status=FAILED,
                    lease_until=None,
                    error=_clip(f"gave up after {row.attempts} attempts: {error}"),
                )
            else:
                wait = self.backoff.delay(row.attempts, self.rng)
                done = self._update(
                    conn,
                    row,
                    status=PENDING,
                    next_attempt_at=at + timedelta(seconds=wait),
                    lease_until=None,
                    lease_owner=None,
                    error=error,
                )
            if done:
                self._store_parts(conn, row, outcome, at)
            return done
        # BLOCKED and REJECTED: failed for good.
        report.failed_final += 1
        if not self._update(conn, row, status=FAILED, lease_until=None, error=error):
            return False
        self._store_parts(conn, row, outcome, at)
        if verdict is Verdict.BLOCKED:
            mark_blocked(session, self.channel, row.chat_id, now=at)
            skipped = conn.execute(
                sa.update(D)
                .where(D.c.channel == self.channel, D.c.chat_id == row.chat_id)
                .where(D.c.status == PENDING)
                .values(status=FAILED, error="not sent: the member blocked the bot")
            )
            report.skipped_for_blocked += skipped.rowcount or 0
        return True

    def _store_parts(
        self, conn: sa.Connection, row: ClaimedRow, outcome: Outcome, at: datetime
    ) -> None:
        """Keep the id of each accepted part of a split message, so a retry skips them."""
        if not outcome.message_ids or (outcome.parts <= 1 and row.parts_done == 0):
            return
        conn.execute(
            sa.insert(P),
            [
                {
                    "delivery_id": row.id,
                    "part": row.parts_done + index,
                    "platform_message_id": str(message_id)[:64],
                    "sent_at": at,
                }
                for index, message_id in enumerate(outcome.message_ids)
            ],
        )

    def _offer(self, session: Any, items: Sequence[Recorded]) -> int:
        """The delivered options become each chat's choices (see `services.outbox`)."""
        identity_ids = [i.row.identity_id for i in items if i.row.identity_id is not None]
        users: dict[int, str] = {}
        if identity_ids:
            users = dict(
                session.exec(
                    select(ChatIdentity.id, ChatIdentity.external_id).where(
                        col(ChatIdentity.id).in_(identity_ids)
                    )
                ).all()
            )
        offers = [
            Offer.of(
                i.row.chat_id, users.get(i.row.identity_id or 0, i.row.chat_id), i.row.payload, i.at
            )
            for i in items
        ]
        try:
            # A savepoint: a member writing at this very moment may create a state row
            # first; losing that race must not undo the batch's outcomes.
            with session.begin_nested():
                return offer_options_many(session, self.channel, offers, numbered=self.numbered)
        except sa.exc.IntegrityError:
            log.info(
                "%s: options offered one by one (a state row appeared meanwhile)", self.channel
            )
        offered = 0
        for offer in offers:
            try:
                with session.begin_nested():
                    one = [offer]
                    offered += offer_options_many(
                        session, self.channel, one, numbered=self.numbered
                    )
            except sa.exc.IntegrityError:
                log.info("%s chat %s: options not offered", self.channel, offer.chat_id)
        return offered

    # -- reading back ---------------------------------------------------------------------------
    def parts_of(self, delivery_id: int) -> list[str]:
        """The accepted part ids of a split delivery, in order (for tests and support)."""
        with self.db.session() as session:
            parts = session.exec(
                select(DeliveryPart)
                .where(DeliveryPart.delivery_id == delivery_id)
                .order_by(DeliveryPart.part)  # type: ignore[arg-type]
            ).all()
            return [p.platform_message_id for p in parts]


def _clip(text: str | None) -> str | None:
    return text[:ERROR_LENGTH] if text else None
