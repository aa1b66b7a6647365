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
worker claimed lately, the count cannot see its messages: the wider shared margin applies, a
message starts at its slot and never less than the spacing after the worker's previous one,
and a send that would start more than `Pace.tolerance` after its slot could meet the other
worker's messages, so it goes back for a fresh slot, and the worker takes smaller batches
until it keeps time again.

Faults, as the outbox sees them (see `claims.Verdict`):

* 429: the whole token pauses for `retry_after` - in this worker at once, in the others from
  their next claim - and the row goes back to pending without using up an attempt;
* 5xx, network faults and timeouts: the row waits with exponential backoff and jitter, up to
  `max_attempts`, then fails with the reason. A timeout may have been delivered: it is retried
  anyway (for directives a duplicate is the lesser harm) and noted on the row;
* 403: failed for good, the account is marked inactive, its other pending rows are failed;
* 400: failed with the reason, never retried;
* a rejected token stops the worker (`TokenRejected`); the row goes back untouched.

Stopping (the stop event) sends nothing new: rows still waiting for their slot go back to
pending at once, sends in flight finish and are recorded. A crash or kill -9 leaves rows in
`sending`; when their lease expires any worker claims them again (docs/delivery.md).

Time comes from `clock` and waiting from `sleep`, both injectable, so tests run in virtual time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

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
from bot.delivery.transports import TokenRejected, Transport
from bot.delivery.window import SendWindow
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
    options_offered: int = 0
    db_errors: int = 0


def default_worker_id() -> str:
    """Host, process and a random tail: unique even when a pid is reused after a restart."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


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
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.db = db
        self.transport = transport
        self.channel = transport.channel
        self.worker_id = worker_id or default_worker_id()
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
        )
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
        self._paused_until: datetime | None = None
        self._next_start: datetime | None = None  # this worker's next start, at the earliest
        self._gate = asyncio.Lock()
        self._shared_until: datetime | None = None
        # How many rows this worker may hold at once, lowered when it cannot keep its slots
        # (sends waking too late) and raised again while it does: a worker on a busy machine
        # takes a smaller share of the schedule instead of wasting the slots it took.
        self._budget = float(concurrency)
        self._waiting: list[Recorded] = []
        self._record_lock = asyncio.Lock()
        self._window = SendWindow(pace.per_second)
        self._answered = asyncio.Event()  # set whenever a send is answered: room in the window

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
            log.info(
                "delivery worker %s for %s stopped: %s", self.worker_id, self.channel, self.stats
            )
        if self._fatal is not None:
            raise self._fatal

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
        claim: Claim = await self._in_thread(self.store.claim, self.clock, free)
        if claim.shared:
            window = timedelta(seconds=self.store.pace.shared_window)
            self._shared_until = self.clock() + window
        if claim.rows:
            self.stats.claimed += len(claim.rows)
            for row in claim.rows:
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
        waits = {asyncio.ensure_future(self._halt.wait())}
        if seconds is not None:
            waits.add(asyncio.ensure_future(self.sleep(seconds)))
        if wake is not None:
            waits.add(asyncio.ensure_future(wake.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for future in waits:
                if not future.done():
                    future.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await future

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
            if not await self._through_gate(row):
                return
            try:
                outcome = await self.transport.send(
                    row.chat_id, prepared.reply, skip_parts=row.parts_done
                )
            except Exception as error:  # not a platform answer: count it and retry later
                log.exception("%s delivery %s: send raised", self.channel, row.id)
                outcome = Outcome(Verdict.TRANSIENT, error=f"{type(error).__name__}: {error}")
            at = self.clock()
            failed_call = 0 if outcome.verdict is Verdict.SENT else 1
            self._window.closed(at, len(outcome.message_ids) + failed_call, opened=row.calls)
            self._answered.set()
            resume = self._react(outcome, at)
            await self._record(Recorded(row, outcome, at, note=prepared.note, resume_at=resume))
        except Exception:
            # Recording failed for good (logged there); the lease will bring the row back.
            log.exception("%s delivery %s: outcome not recorded", self.channel, row.id)

    async def _released(self, row: ClaimedRow) -> bool:
        """Give the row back unsent if the worker is stopping or the token is paused (a 429
        seen here while the row waited for its slot)."""
        now = self.clock()
        if self._halt.is_set():
            await self._record(Recorded(row, Outcome(Verdict.RELEASED), now))
            return True
        if self._paused_until is not None and self._paused_until > now:
            await self._record(
                Recorded(row, Outcome(Verdict.RELEASED), now, resume_at=self._paused_until)
            )
            return True
        return False

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
            if await self._released(row):
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
            self._window.opened(row.calls)
            return True

    async def _window_room(self, calls: int) -> None:
        """Until the send window has room for `calls` more (or the worker stops)."""
        while not self._halt.is_set():
            wait = self._window.wait(self.clock(), calls)
            if wait is not None and wait <= timedelta(0):
                return
            self._answered.clear()
            await self._pause(None if wait is None else wait.total_seconds(), self._answered)

    async def _prepare(self, payload: dict[str, Any]) -> PreparedReply:
        if payload.get("file"):
            return await asyncio.to_thread(prepare_reply, payload, self.exports_dir)
        return prepare_reply(payload, self.exports_dir)

    def _react(self, outcome: Outcome, at: datetime) -> datetime | None:
        """Count the outcome and act on it in this worker at once; the pause end for a 429."""
        stats = self.stats
        verdict = outcome.verdict
        if verdict is Verdict.SENT:
            stats.sent += 1
        elif verdict is Verdict.RATE_LIMITED:
            stats.rate_limited += 1
            wait = outcome.retry_after
            if wait is None:
                wait = self.default_retry_after
            until = at + timedelta(seconds=wait)
            if self._paused_until is None or self._paused_until < until:
                self._paused_until = until
            log.warning("%s: 429, the token pauses for %.1f s", self.channel, wait)
            return until
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
        return None

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
