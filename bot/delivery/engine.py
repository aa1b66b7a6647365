"""The delivery worker: claim → wait for the slot → send → record, for one channel and token.

One worker is one asyncio task. It claims a short stretch of the token's schedule at a time
(`claims.OutboxStore.claim`), starts one coroutine per claimed row that sleeps until the row's
slot, sends it (no transaction open) and hands the outcome to the recorder, which writes
whatever outcomes have piled up in one transaction. Several workers, in one process or many,
share the token's rate through the database.

Pacing (`_through_gate`): slots are 1/(rate × (1 - margin)) apart in the shared schedule, and
no message starts before its slot. A worker alone on the token also keeps an exact count of
what the platform may have seen in the last second (`window.SendWindow`): a message starts
only when that count is under the limit, whatever the network's jitter, so the schedule needs
only a thin margin and a stall is made up afterwards (at up to twice the pace). When another
process claimed lately, the count cannot see its messages: the wider shared margin applies, a
message starts at its slot and never less than the spacing after the worker's previous one,
and a send that would start more than `Pace.tolerance` after its slot could meet the other
process's messages, so it goes back for a fresh slot, and the worker takes smaller batches
until it keeps time again.

The count, the chats' pace and the 429 pauses are the process's account of the token
(`account.TokenAccount`), shared with the adapters' replies to members: a row waits while
replies wait for the window, leaves them a few places while members chat, and goes back to
pending (no attempt used) when its chat is getting a reply or got one within its interval.
While members chat with the token in any process (`chats.last_reply`, read before each
claim), the claims schedule at the rate less the account's reserve, and the replies of every
process take the reserve's places at once (`chats`, "Replies first, across processes").

Leases: a row's lease must outlast every call it makes, or another worker would send it again
while it is still being sent. Each call is bounded (`call_deadline`: twice the transport's
timeout and a second, enforced by the sender), and before each call the worker makes sure the
lease has that long and a margin left, renewing it in the database when not (`_keep_lease`):
a text in six parts, each up to its timeout, keeps its row however long the lease.

Faults, as the outbox sees them (see `claims.Verdict`):

* 429: when the chat's limit was hit (`account.TokenAccount.note_429`), only that chat waits
  `retry_after`; otherwise the whole token pauses - in this worker at once, in the others from
  their next claim. Either way the row goes back to pending without using up an attempt;
* 5xx, network faults and timeouts: the row waits with exponential backoff and jitter, up to
  `max_attempts`, then fails with the reason. A timeout may have been delivered: it is retried
  anyway (for directives a duplicate is the lesser harm) and noted on the row;
* 403: failed for good, the account is marked inactive, its other pending rows are failed;
* 400: failed with the reason, never retried;
* a rejected token stops the worker (`TokenRejected`); the row goes back untouched.

Stopping (the stop event) sends nothing new: rows still waiting for their slot go back to
pending at once, sends in flight finish and are recorded. A crash or kill -9 leaves rows in
`sending`; any worker claims them again when their lease expires or, sooner, when the dead
worker's heartbeat is a few seconds old (`heartbeat`; docs/delivery.md).

Time comes from `clock` and waiting from `sleep`, both injectable, so tests run in virtual time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.delivery.account import Scope, TokenAccount
from bot.delivery.chats import last_reply
from bot.delivery.claims import (
    Backoff,
    Claim,
    ClaimedRow,
    OutboxStore,
    Outcome,
    Pace,
    Recorded,
    Verdict,
)
from bot.delivery.files import PreparedReply, prepare_reply
from bot.delivery.heartbeat import Heartbeat, beat, leave
from bot.delivery.transports import TokenRejected, Transport
from bot.stopping import first_of
from models import Database, utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class WorkerStats:
    """Counts since the worker started; the benchmark and the stop log line read them."""

    claimed: int = 0
    sent: int = 0
    rate_limited: int = 0
    transient: int = 0
    timed_out: int = 0
    blocked: int = 0
    rejected: int = 0
    failed_final: int = 0
    released: int = 0
    late: int = 0
    lease_lost: int = 0
    lease_renewed: int = 0
    freed_from_dead: int = 0  # rows of workers that stopped beating, made due again
    chat_limited: int = 0  # 429s meant for one chat (counted in rate_limited too)
    options_offered: int = 0
    db_errors: int = 0


def default_worker_id() -> str:
    """Host, process and a random tail: unique even when a pid is reused after a restart."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class LeaseLost(Exception):
    """The row's lease could not be kept long enough for another call: stop sending it."""


LEASE_MARGIN = timedelta(seconds=2)  # the lease left after a call's deadline (clocks, commit)


class _RowGate:
    """The `account.CallGate` of one outbox row: before each call the lease must outlast it,
    and a call beyond those the claim counted takes one more place in the window."""

    def __init__(self, worker: DeliveryWorker, row: ClaimedRow) -> None:
        self.worker = worker
        self.row = row
        self.deadline: float | None = worker.call_deadline
        self.calls = 0
        self.extra = 0

    async def before_call(self) -> None:
        worker = self.worker
        if self.calls >= self.row.calls:
            await worker._window_room(1)
            worker.account.more_calls(1)
            self.extra += 1
        await worker._keep_lease(self.row)  # last, right before the call
        self.calls += 1

    def after_call(self, *, rate_limited: bool = False, retry_after: float | None = None) -> None:
        """Outcomes are taken from the whole send (`DeliveryWorker._deliver`)."""


class DeliveryWorker:
    """Sends one channel's outbox rows through `transport`, sharing the token's rate."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        *,
        pace: Pace,
        lease: timedelta = timedelta(seconds=60),
        max_attempts: int = 8,
        exports_dir: Path = Path("exports"),
        concurrency: int = 100,
        poll_interval: float = 0.25,
        default_retry_after: float = 1.0,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        worker_id: str | None = None,
        account: TokenAccount | None = None,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.db = db
        self.transport = transport
        self.channel = transport.channel
        self.worker_id = worker_id or default_worker_id()
        # The process's account of the token, shared with the adapters' replies when the
        # assembly has one (`service.build_worker`); otherwise this worker's own.
        self.account = account or TokenAccount(
            pace, channel=transport.channel, rate_key=transport.rate_key, clock=clock, sleep=sleep
        )
        self.account.local_workers.add(self.worker_id)
        # The pace of the claims: the token's, or less the replies' reserve while members
        # chat (`_claim`).
        self.pace = pace
        reserve = self.account.reserve
        self.chat_pace = (
            replace(pace, rate_per_second=max(1.0, pace.rate_per_second - reserve))
            if reserve
            else pace
        )
        self.chatting = False  # the last claim was made while members chat
        self.store = OutboxStore(
            db,
            channel=transport.channel,
            rate_key=transport.rate_key,
            pace=pace,
            worker_id=self.worker_id,
            lease=lease,
            max_attempts=max_attempts,
            backoff=backoff,
            rng=rng,
            scope_id=self.account.scope_id,
        )
        timeout = float(getattr(transport, "call_timeout", 10.0))
        # A hard bound on one call (the client's connect and read timeouts, and a second).
        self.call_deadline = 2 * timeout + 1
        self.exports_dir = exports_dir
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.default_retry_after = default_retry_after
        self.clock = clock
        self.sleep = sleep
        self.stats = WorkerStats()
        self._tasks: set[asyncio.Task[None]] = set()
        self._halt = asyncio.Event()
        self._fatal: TokenRejected | None = None
        self._next_start: datetime | None = None  # this worker's next start, at the earliest
        self._gate = asyncio.Lock()
        self._shared_until: datetime | None = None
        # How many rows this worker may hold at once, lowered when it cannot keep its slots
        # (sends waking too late) and raised again while it does: a worker on a busy machine
        # takes a smaller share of the schedule instead of wasting the slots it took.
        self._budget = float(concurrency)
        self._waiting: list[Recorded] = []
        self._record_lock = asyncio.Lock()
        self._leases: dict[int, datetime] = {}  # rows held, and when their lease ends
        # None: no heartbeat (a dead worker's rows then wait for their leases). The assembly
        # (`service.build_worker`) beats; tests in virtual time do not, since a periodic sleeper
        # would let virtual time run on while the worker waits for the database.
        self.heartbeat = heartbeat

    # -- entry points ---------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; raises `TokenRejected` if the platform refuses the token."""
        await self._serve(stop, until_idle=False)

    async def drain(self, stop: asyncio.Event | None = None) -> WorkerStats:
        """Send until no row of this channel is pending or sending (retries and pauses
        included, waited out with `sleep`). For tests, the benchmark and one-off runs."""
        await self._serve(stop or asyncio.Event(), until_idle=True)
        return self.stats

    # -- the loop -------------------------------------------------------------------------------
    async def _serve(self, stop: asyncio.Event, *, until_idle: bool) -> None:
        self._halt = asyncio.Event()
        self._fatal = None
        # Shared or not, the claims tell: a claim sees whether another worker claimed lately.
        self._shared_until = None
        relay = asyncio.create_task(self._relay(stop))
        beating = asyncio.create_task(self._beat()) if self.heartbeat else None
        log.info(
            "delivery worker %s for %s: %.1f messages/s per token",
            self.worker_id,
            self.channel,
            self.store.pace.rate_per_second,
        )
        failures = 0
        ready = False
        try:
            while not self._halt.is_set():
                try:
                    if not ready:
                        await self._in_thread(self.store.ensure_rate_row, self.clock())
                        ready = True
                    finished = await self._cycle(until_idle)
                    failures = 0
                except Exception:
                    # The database went away, or a bug: log, back off, keep the bot alive.
                    failures += 1
                    self.stats.db_errors += 1
                    log.exception("%s delivery cycle failed", self.channel)
                    await self._pause(min(30.0, 0.5 * 2 ** min(failures, 6)))
                    continue
                if finished:
                    break
        finally:
            self._halt.set()  # waiting rows go back to pending; sends in flight finish
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._flush()
            relay.cancel()
            if beating is not None:
                # Not cancelled: a beat already in its thread would still commit, after the
                # leave below, and leave a row behind. Halted, the loop ends after that beat.
                await asyncio.gather(beating, return_exceptions=True)
                await self._leave()
            log.info(
                "delivery worker %s for %s stopped: %s", self.worker_id, self.channel, self.stats
            )
        if self._fatal is not None:
            raise self._fatal

    async def _beat(self) -> None:
        """Beat until the worker stops, and free the rows of workers that stopped beating.
        A beat that fails is logged and tried again at the next; the sends go on."""
        assert self.heartbeat is not None
        every = self.heartbeat.every.total_seconds()
        while not self._halt.is_set():
            try:
                freed = await self._in_thread(
                    beat,
                    self.db,
                    self.worker_id,
                    self.channel,
                    self.clock(),
                    self.heartbeat,
                )
                self.stats.freed_from_dead += freed
            except Exception as error:
                log.warning("%s heartbeat failed: %s", self.channel, type(error).__name__)
            await self._pause(every)

    async def _leave(self) -> None:
        try:
            await self._in_thread(leave, self.db, self.worker_id, self.channel, self.clock())
        except Exception as error:  # the rows then wait for their leases, as before
            log.warning("%s: heartbeat row not removed: %s", self.channel, type(error).__name__)

    async def _relay(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._halt.set()

    async def _cycle(self, until_idle: bool) -> bool:
        """One claim and what follows; True when draining and nothing is left."""
        budget = int(self._budget)
        free = budget - len(self._tasks)
        if free <= 0 or (self._tasks and free < budget // 2):
            # Claim in batches: a claim costs the same for one row or fifty, so a busy
            # worker waits until half its budget is free rather than claiming row by row.
            await self._one_task_ends()
            return False
        claim: Claim = await self._in_thread(self._claim, free)
        if claim.shared:
            window = timedelta(seconds=self.store.pace.shared_window)
            self._shared_until = self.clock() + window
            # The replies of this process must then take slots of the shared schedule too.
            self.account.shared_until = self._shared_until
        if claim.rows:
            self.stats.claimed += len(claim.rows)
            for row in claim.rows:
                self._leases[row.id] = row.lease_until or self.clock() + self.store.lease
                self._spawn(row)
            return False
        now = self.clock()
        if claim.wait_until is not None:
            await self._pause((claim.wait_until - now).total_seconds())
            return False
        if until_idle:
            if self._tasks:
                await self._one_task_ends()
                return False
            if await self._in_thread(self.store.unfinished) == 0:
                return True
        next_due = await self._in_thread(self.store.next_due)
        wait = self.poll_interval
        if next_due is not None and next_due > now:
            wait = min(wait, (next_due - now).total_seconds())
        await self._pause(wait)
        return False

    def _claim(self, limit: int) -> Claim:
        """A claim (in a thread), at the token's rate less the reserve while members chat in
        this process or another: replies of every process then go at once in the reserve's
        places (`chats`), never behind the slots claimed here. Replies from another process
        lately make this worker keep strictly to its slots too, as a shared claim does: a
        lone worker making up a stall could otherwise meet them."""
        now = self.clock()
        chatting = self.account.replies_active(now)
        if self.account.reserve:
            at, scope = last_reply(self.db, self.store.rate_key)
            if at is not None and at > now - self.account.reply_quiet:
                chatting = True
                window = timedelta(seconds=self.pace.shared_window)
                if scope != self.account.scope_id and at > now - window:
                    self._shared_until = at + window
                    self.account.shared_until = self._shared_until
        self.chatting = chatting
        self.store.pace = self.chat_pace if chatting else self.pace
        return self.store.claim(self.clock, limit)

    def _spawn(self, row: ClaimedRow) -> None:
        task = asyncio.create_task(self._deliver(row), name=f"delivery-{row.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _one_task_ends(self) -> None:
        halt = asyncio.ensure_future(self._halt.wait())
        try:
            await asyncio.wait({*self._tasks, halt}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            halt.cancel()

    async def _pause(self, seconds: float | None, wake: asyncio.Event | None = None) -> None:
        """Sleep (the injected way) unless the worker is stopping or `wake` is set;
        `seconds=None` waits for those alone."""
        if self._halt.is_set():
            return
        if seconds is not None and seconds <= 0:
            await asyncio.sleep(0)
            return
        waits: list[Awaitable[object]] = [self._halt.wait()]
        if seconds is not None:
            waits.append(self.sleep(seconds))
        if wake is not None:
            waits.append(wake.wait())
        await first_of(*waits)

    # -- one row --------------------------------------------------------------------------------
    async def _deliver(self, row: ClaimedRow) -> None:
        try:
            try:
                # Before the slot, so reading a file never makes the send late.
                prepared = await self._prepare(row.payload)
            except Exception as error:  # a payload no channel can send: never retried
                log.exception("%s delivery %s has a bad payload", self.channel, row.id)
                bad = Outcome(Verdict.REJECTED, error=f"bad payload: {error}")
                await self._record(Recorded(row, bad, self.clock()))
                return
            await self._pause((row.slot - self.clock()).total_seconds())
            if await self._released(row) or not await self._through_gate(row):
                return
            gate = _RowGate(self, row)
            outcome: Outcome | None = None
            try:
                outcome = await self.transport.send(
                    row.chat_id, prepared.reply, skip_parts=row.parts_done, gate=gate
                )
            except LeaseLost as error:
                # Another worker has (or may soon have) the row: its outcome is not ours.
                log.warning("%s delivery %s: %s", self.channel, row.id, error)
                outcome = Outcome(Verdict.TRANSIENT, error=f"lease lost mid-send: {error}")
            except Exception as error:  # not a platform answer: count it and retry later
                log.exception("%s delivery %s: send raised", self.channel, row.id)
                outcome = Outcome(Verdict.TRANSIENT, error=f"{type(error).__name__}: {error}")
            finally:
                # Whatever happened (even a cancelled task), the chat and the window's places
                # are given back; the chat's interval starts if anything may have reached it.
                at = self.clock()
                ids = outcome.message_ids if outcome is not None else ()
                refused = outcome is not None and outcome.verdict in (
                    Verdict.BLOCKED,
                    Verdict.REJECTED,
                    Verdict.TOKEN_REJECTED,
                    Verdict.RATE_LIMITED,
                )
                self.account.end_send(
                    row.chat_id,
                    at,
                    max(gate.calls, len(ids)),
                    opened=row.calls + gate.extra,
                    reached=bool(ids) or (gate.calls > 0 and not refused),
                )
            assert outcome is not None  # set by the send or by one of its handlers
            resume, pause_token = self._react(row, outcome, at)
            await self._record(
                Recorded(
                    row,
                    outcome,
                    at,
                    note=prepared.note,
                    resume_at=resume,
                    pause_token=pause_token,
                )
            )
        except Exception:
            # Recording failed for good (logged there); the lease will bring the row back.
            log.exception("%s delivery %s: outcome not recorded", self.channel, row.id)
        finally:
            self._leases.pop(row.id, None)

    async def _released(self, row: ClaimedRow) -> bool:
        """Give the row back unsent if the worker is stopping, the token is paused (a 429
        seen here while the row waited for its slot), or its chat is not free: a reply to
        the member is under way or was answered within the chat's interval, or a 429 meant
        for the chat holds it. No attempt is used; the row is claimed again when it may go."""
        now = self.clock()
        if self._halt.is_set():
            await self._record(Recorded(row, Outcome(Verdict.RELEASED), now))
            return True
        paused = self.account.paused(now)
        if paused is not None:
            await self._record(Recorded(row, Outcome(Verdict.RELEASED), now, resume_at=paused))
            return True
        ready = self.account.chat_ready_at(row.chat_id, now)
        if ready is None or ready > now:
            resume = ready or now + self.store.pace.interval_for(row.chat_id)
            await self._record(Recorded(row, Outcome(Verdict.RELEASED), now, resume_at=resume))
            return True
        return False

    async def _keep_lease(self, row: ClaimedRow) -> None:
        """Before a call: the row's lease must outlast the call's deadline by a margin, so no
        other worker can take the row while the call may still be under way. Renewed in the
        database when it would not; `LeaseLost` when the row is no longer this worker's."""
        now = self.clock()
        needed = timedelta(seconds=self.call_deadline) + LEASE_MARGIN
        end = self._leases.get(row.id)
        if end is not None and end - now >= needed:
            return
        try:
            renewed = await self._in_thread(self.store.renew, [row], now)
        except Exception as error:
            raise LeaseLost(f"lease not renewed ({type(error).__name__})") from error
        if row.id not in renewed:
            raise LeaseLost("the row is no longer this worker's")
        self._leases[row.id] = renewed[row.id]
        self.stats.lease_renewed += 1

    def _shared(self, now: datetime) -> bool:
        return self._shared_until is not None and self._shared_until > now

    async def _through_gate(self, row: ClaimedRow) -> bool:
        """Let the row start, or give it back; rows pass one at a time, in the order they woke.

        Every row waits for room in the send window (`window.SendWindow`). Alone on the token,
        that exact count is the guard against the platform's limit, so after a stall (a slow
        thread, a garbage collection) the rows whose slots passed go at up to twice the pace
        until the worker is back on its schedule: the time is made up, not lost.

        When another worker claimed lately, its messages are not in the count: a row starts at
        its slot and never less than the slot spacing after this worker's previous start, so a
        stall delays messages but never turns into a burst, and the wider margin stays whole
        for the network's jitter. A little lateness (up to `Pace.slack`, a timer's usual) keeps
        the plan; after a longer stall the plan restarts from the actual start. A row that
        would start more than `Pace.tolerance` after its slot could meet the other worker's
        messages: it goes back for a fresh slot (no attempt used), and this worker takes
        smaller batches until it keeps time. True when the row may be sent now; the caller
        then owes the window a `closed`.
        """
        pace = self.store.pace
        async with self._gate:
            if self._next_start is not None:
                await self._pause((self._next_start - self.clock()).total_seconds())
            await self._window_room(row.calls)
            if await self._released(row):  # no await from here: the chat stays as seen
                return False
            now = self.clock()
            if not self._shared(now):
                self._next_start = now + row.gap / 2
            elif now - row.slot > pace.tolerance:
                self.stats.late += 1
                self._budget = max(1.0, self._budget / 2)
                log.debug(
                    "%s delivery %s %s late; rescheduled", self.channel, row.id, now - row.slot
                )
                await self._record(Recorded(row, Outcome(Verdict.RELEASED), now))
                return False
            else:
                planned = max(row.slot, self._next_start or row.slot)
                base = planned if now - planned <= pace.slack else now
                self._next_start = base + row.gap
            self._budget = min(float(self.concurrency), self._budget + 1 / self._budget)
            self.account.begin_send(row.chat_id, row.calls)
            return True

    async def _window_room(self, calls: int) -> None:
        """Until the token's window has room for `calls` more outbox calls (replies waiting
        first, a few places left to them while members chat), or the worker stops."""
        while not self._halt.is_set():
            changed = self.account.changed
            wait = self.account.outbox_wait(self.clock(), calls)
            if wait is not None and wait <= timedelta(0):
                return
            await self._pause(None if wait is None else wait.total_seconds(), changed)

    async def _prepare(self, payload: dict[str, Any]) -> PreparedReply:
        if payload.get("file"):
            return await asyncio.to_thread(prepare_reply, payload, self.exports_dir)
        return prepare_reply(payload, self.exports_dir)

    def _react(
        self, row: ClaimedRow, outcome: Outcome, at: datetime
    ) -> tuple[datetime | None, bool]:
        """Count the outcome and act on it in this process at once. For a 429: when the row
        may go again, and whether the whole token pauses (else only the row's chat)."""
        stats = self.stats
        verdict = outcome.verdict
        if verdict is Verdict.SENT:
            stats.sent += 1
        elif verdict is Verdict.RATE_LIMITED:
            stats.rate_limited += 1
            scope, until = self.account.note_429(
                row.chat_id,
                at,
                outcome.retry_after,
                default=self.default_retry_after,
                reached_now=bool(outcome.message_ids),
            )
            wait = (until - at).total_seconds()
            if scope is Scope.CHAT:
                stats.chat_limited += 1
                chat = row.chat_id
                log.warning("%s: 429 for chat %s, it waits %.1f s", self.channel, chat, wait)
                return until, False
            log.warning("%s: 429, the token pauses for %.1f s", self.channel, wait)
            return until, True
        elif verdict is Verdict.TRANSIENT:
            stats.transient += 1
            stats.timed_out += int(outcome.timed_out)
        elif verdict is Verdict.BLOCKED:
            stats.blocked += 1
        elif verdict is Verdict.REJECTED:
            stats.rejected += 1
        elif verdict is Verdict.TOKEN_REJECTED:
            if self._fatal is None:
                self._fatal = TokenRejected(
                    self.channel.capitalize(), f"{self.channel.upper()}_BOT_TOKEN"
                )
            self._halt.set()
        return None, True

    # -- recording ------------------------------------------------------------------------------
    async def _record(self, item: Recorded) -> None:
        """Queue the outcome and write everything queued; one writer at a time, so outcomes
        that arrive while a write is running go together in the next transaction."""
        if item.outcome.verdict is Verdict.RELEASED:
            self.stats.released += 1
        self._waiting.append(item)
        await self._flush()

    async def _flush(self) -> None:
        async with self._record_lock:
            if not self._waiting:
                return
            batch, self._waiting = self._waiting, []
            delay = 0.2
            for attempt in range(8):
                try:
                    report = await asyncio.to_thread(self.store.record, batch)
                    break
                except Exception:
                    self.stats.db_errors += 1
                    if attempt == 7:
                        log.exception(
                            "%s: %d outcomes could not be recorded; their rows will be sent "
                            "again when the lease ends",
                            self.channel,
                            len(batch),
                        )
                        return
                    log.warning("%s: recording failed, retry in %.1f s", self.channel, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
            self.stats.lease_lost += report.lease_lost
            self.stats.failed_final += report.failed_final
            self.stats.options_offered += report.options_offered

    async def _in_thread(self, function: Callable[..., T], *args: Any) -> T:
        """Database work off the event loop."""
        return await asyncio.to_thread(function, *args)
