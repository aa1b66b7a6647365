"""One bot token's limits as one process spends them: its outbox rows and its interactive
replies alike.

Telegram counts every message a token sends, whoever in the bot sends it: about 30 a second for
the token, about one a second in a private chat and 20 a minute in a group (Zalo publishes no
numbers; its configured rate and one a second per chat are assumed). The delivery worker used
to keep those limits for the outbox alone, while the adapters answered members outside them,
so a broadcast at the limit plus a member chatting made 429s: a reply and a directive met in
one chat within a second, or a reply took a place of the second the outbox had filled.

`TokenAccount` is the one account of a token in a process, used by the delivery worker
(`engine.DeliveryWorker`) and by the adapters' reply path (`turn`):

* **global**: one send window (`window.SendWindow`) counts every call either makes. The outbox
  starts a row only while its calls fit under the limit less a `reserve` kept for replies
  while members are chatting (a reply in the last `reply_quiet` seconds), and never while a
  reply waits for a place: replies come first, and the reserve lets a few go at once.
* **per chat**: one send at a time (an outbox row, or a reply with all its messages) and the
  chat's interval (1 s private, 3 s group) from the last answer of one send to the start of
  the next, whichever path sends. The messages of one reply keep that interval between them
  too: Telegram tolerates "short bursts", but promises nothing, and a strict counter (the
  fakes of the benchmarks) answered `/hoidap`'s five messages at once with four 429s.
* **429**: a refusal counts against the chat when a per-chat limit is plausible (the chat got
  a message from here within three intervals) and no other chat was refused in the same
  moment; that chat alone waits `retry_after`, in this process and, through its row in
  `delivery_rates`, in every other. Otherwise the whole token pauses, as before.

Across processes the account cannot see what others send; `chats.ChatStore` carries through
the database what they must know (docs/delivery.md, "Interactive replies"): while members
chat, the workers of every process schedule at most the rate less the reserve, and a reply
takes one of the reserve's places at once instead of a slot after what the workers claimed
ahead (`chats`, "Replies first, across processes").

Time comes from `clock`, waits from `sleep` (both injectable, so tests run in virtual time).
Everything here runs on the event loop; the database work goes to a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import socket
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.delivery.chats import QUIET, RESERVE_SHARE, ChatStore, Hold, Slot, reserve_for
from bot.delivery.claims import Pace
from bot.delivery.window import SendWindow
from bot.stopping import first_of
from models import Database, utcnow

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

PATIENCE = timedelta(seconds=3)  # how long a reply waits for another process's row in flight
MIN_WAIT = 0.01  # seconds: a wait the database asked for never spins the loop
SWEEP_EVERY = 512  # chat records looked over for idle ones every so many sends


def rate_key(channel: str, token: str) -> str:
    """The token's key in `delivery_rates`: the channel and a hash, never the token itself."""
    return f"{channel}:{hashlib.sha256(token.encode()).hexdigest()[:16]}"


def default_scope_id() -> str:
    """Host, process and a random tail: one process's account, unique across restarts."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Scope(StrEnum):
    """What a 429 held back."""

    CHAT = "chat"
    TOKEN = "token"


class CallGate(Protocol):
    """What a sender asks before and tells after each API call that sends a message.

    `deadline` bounds one call in seconds (None: the HTTP client's own timeouts): the outbox
    needs a hard bound to keep a row's lease longer than any call it makes."""

    deadline: float | None

    async def before_call(self) -> None: ...

    def after_call(self, *, rate_limited: bool = False, retry_after: float | None = None) -> None:
        """`rate_limited`: the platform answered 429 (`retry_after` its wait, if named)."""


@dataclass
class _Chat:
    busy: int = 0  # sends under way in this chat (an outbox row or a reply)
    free_at: datetime | None = None  # the next send may start from here
    paused_until: datetime | None = None  # a 429 meant for this chat
    last_answer: datetime | None = None  # the last message that reached it (its answer)


class TokenAccount:
    """Everything one process sends with one bot token (see the module's doc)."""

    def __init__(
        self,
        pace: Pace,
        *,
        channel: str,
        rate_key: str,
        clock: Callable[[], datetime] = utcnow,
        sleep: Sleep = asyncio.sleep,
        reserve_share: float = RESERVE_SHARE,
        reply_quiet: float = QUIET.total_seconds(),
        store: ChatStore | None = None,
        scope_id: str | None = None,
    ) -> None:
        self.pace = pace
        self.channel = channel
        self.rate_key = rate_key
        self.clock = clock
        self.sleep = sleep
        self.window = SendWindow(pace.per_second)
        # The same places the database's lane keeps for replies across processes.
        self.reserve = store.reserve if store is not None else reserve_for(pace, reserve_share)
        self.reply_quiet = timedelta(seconds=reply_quiet)
        self.scope_id = (scope_id or default_scope_id())[:64]
        self.store = store
        self.local_workers: set[str] = set()  # workers of this process on this token
        self.paused_until: datetime | None = None  # the whole token, after a 429
        self.shared_until: datetime | None = None  # another process sends for the token
        self._chats: dict[str, _Chat] = {}
        self._replies_waiting = 0
        self._last_reply: datetime | None = None
        self._last_refusal: tuple[str, datetime] | None = None
        self._changed = asyncio.Event()
        self._sends = 0

    # -- waiting --------------------------------------------------------------------------------
    @property
    def changed(self) -> asyncio.Event:
        """Set at the next change (an answer, a chat freed, a reply placed): read it before
        looking at the state, then wait on it."""
        return self._changed

    def notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait(self, seconds: float | None, event: asyncio.Event) -> None:
        """Until `seconds` have passed (the injected sleep) or `event` is set."""
        if seconds is not None and seconds <= 0:
            await asyncio.sleep(0)
            return
        await first_of(event.wait(), *([] if seconds is None else [self.sleep(seconds)]))

    # -- state ----------------------------------------------------------------------------------
    def _chat(self, chat_id: str) -> _Chat:
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = _Chat()
        return state

    def paused(self, now: datetime) -> datetime | None:
        """The end of the token's 429 pause, while it lasts."""
        until = self.paused_until
        return until if until is not None and until > now else None

    def shared(self, now: datetime) -> bool:
        """Another process sent for the token lately (its claims or replies say so)."""
        return self.shared_until is not None and self.shared_until > now

    def replies_active(self, now: datetime) -> bool:
        return self._last_reply is not None and now - self._last_reply < self.reply_quiet

    def chat_ready_at(self, chat_id: str, now: datetime) -> datetime | None:
        """When the chat may get its next send (now or later); None while one is under way."""
        state = self._chats.get(chat_id)
        if state is None:
            return now
        if state.busy:
            return None
        ready = now
        for instant in (state.free_at, state.paused_until):
            if instant is not None and instant > ready:
                ready = instant
        return ready

    def _sweep(self, now: datetime) -> None:
        """Forget chats with nothing under way and nothing to wait for: the record stays the
        size of the chats active in the last few seconds, not of every chat ever served."""
        self._sends += 1
        if self._sends % SWEEP_EVERY:
            return
        horizon = timedelta(seconds=3 * max(self.pace.private_interval, self.pace.group_interval))
        stale = [
            chat
            for chat, state in self._chats.items()
            if not state.busy
            and all(
                instant is None or instant < now - horizon
                for instant in (state.free_at, state.paused_until, state.last_answer)
            )
        ]
        for chat in stale:
            del self._chats[chat]

    # -- the outbox's side ----------------------------------------------------------------------
    def outbox_wait(self, now: datetime, calls: int) -> timedelta | None:
        """Zero when an outbox send of `calls` calls may start now; else how long until the
        window may have room, or None to wait for a change. Replies waiting come first, and
        while members chat the outbox leaves `reserve` places of the window to them."""
        if self._replies_waiting:
            return None
        limit = self.window.limit - (self.reserve if self.replies_active(now) else 0)
        return self.window.wait(now, calls, limit=limit)

    def begin_send(self, chat_id: str, calls: int) -> None:
        """An outbox row starts now, holding `calls` places and its chat."""
        self.window.opened(calls)
        self._chat(chat_id).busy += 1

    def more_calls(self, calls: int = 1) -> None:
        """A row makes more calls than its claim counted (a split, an upload again)."""
        self.window.opened(calls)

    def end_send(
        self, chat_id: str, at: datetime, calls: int, *, opened: int, reached: bool
    ) -> None:
        """The row was answered at `at` after `calls` calls; `reached`: something may have
        arrived in the chat, whose interval then starts."""
        self.window.closed(at, calls, opened=opened)
        state = self._chat(chat_id)
        state.busy = max(0, state.busy - 1)
        if reached:
            state.last_answer = at
            free = at + self.pace.interval_for(chat_id)
            if state.free_at is None or state.free_at < free:
                state.free_at = free
        self._sweep(at)
        self.notify()

    def note_429(
        self,
        chat_id: str,
        at: datetime,
        retry_after: float | None,
        *,
        default: float = 1.0,
        reached_now: bool = False,
    ) -> tuple[Scope, datetime]:
        """A 429 answered at `at` for a message to `chat_id`: whose limit was it, and until
        when does it hold? (see the module's doc). `reached_now`: earlier parts of the same
        send reached the chat a moment ago."""
        wait = default if retry_after is None else max(0.0, retry_after)
        until = at + timedelta(seconds=wait)
        state = self._chat(chat_id)
        interval = self.pace.interval_for(chat_id)
        plausible = reached_now or (
            state.last_answer is not None and state.last_answer >= at - 3 * interval
        )
        moment = timedelta(seconds=max(1.0, 2.0 / self.pace.rate_per_second))
        other = self._last_refusal
        elsewhere = other is not None and other[0] != chat_id and other[1] > at - moment
        self._last_refusal = (chat_id, at)
        if state.paused_until is None or state.paused_until < until:
            state.paused_until = until
        scope = Scope.CHAT if plausible and not elsewhere else Scope.TOKEN
        if scope is Scope.TOKEN and (self.paused_until is None or self.paused_until < until):
            self.paused_until = until
        self.notify()
        return scope, until

    # -- the replies' side ----------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def turn(self, chat_id: str) -> AsyncIterator[ReplyTurn]:
        """A reply to a member: waits for the chat (its interval, any send under way, a
        pause), holds it, and yields the gate its sender asks before each call."""
        hold = await self._enter(chat_id)
        turn = ReplyTurn(self, chat_id, hold)
        try:
            yield turn
        finally:
            await self._leave(turn)

    async def _enter(self, chat_id: str) -> Hold:
        """Wait until this process leaves the chat free, take it, then wait as long as the
        database says another process still needs it (`chats.ChatStore.begin`)."""
        started = self.clock()
        while True:
            event = self._changed
            now = self.clock()
            ready = self.chat_ready_at(chat_id, now)
            paused = self.paused(now)
            if paused is not None and (ready is None or ready < paused):
                ready = paused
            if ready is not None and ready <= now:
                break
            await self._wait(None if ready is None else (ready - now).total_seconds(), event)
        state = self._chat(chat_id)
        state.busy += 1  # from here this process's outbox leaves the chat alone
        self._last_reply = now
        try:
            while True:
                hold = await self._begin_in_database(chat_id, now, now - started > PATIENCE)
                if hold.wait_until is None:
                    return hold
                # Kept while waiting, and waited on the clock alone: what holds the reply is
                # in another process (or in the database), and a change here cannot end it.
                if hold.shared:
                    self.shared_until = now + timedelta(seconds=self.pace.shared_window)
                wait = (hold.wait_until - self.clock()).total_seconds()
                await self.sleep(max(wait, MIN_WAIT))
                now = self.clock()
        except BaseException:
            state.busy = max(0, state.busy - 1)
            self.notify()
            raise

    async def _begin_in_database(self, chat_id: str, now: datetime, impatient: bool) -> Hold:
        if self.store is None:
            return Hold()
        try:
            hold = await asyncio.to_thread(
                self.store.begin,
                chat_id,
                now,
                local_workers=frozenset(self.local_workers),
                shared=self.shared(now),
                impatient=impatient,
            )
        except Exception:
            # The member is waiting: answer anyway, with this process's account alone.
            log.exception(
                "%s: reply to chat %s not registered in the database", self.channel, chat_id
            )
            return Hold()
        if hold.shared and hold.wait_until is None:
            self.shared_until = now + timedelta(seconds=self.pace.shared_window)
        return hold

    async def _leave(self, turn: ReplyTurn) -> None:
        chat_id = turn.chat_id
        state = self._chat(chat_id)
        state.busy = max(0, state.busy - 1)
        now = self.clock()
        if turn.last_answer is not None:
            free = turn.last_answer + self.pace.interval_for(chat_id)
            if state.free_at is None or state.free_at < free:
                state.free_at = free
        self._sweep(now)
        self.notify()
        if self.store is None:
            return
        free_at = state.free_at if state.free_at is not None and state.free_at > now else now
        paused = state.paused_until if state.paused_until and state.paused_until > now else None
        try:
            await asyncio.to_thread(
                self.store.end,
                chat_id,
                now,
                free_at,
                paused,
                lane=turn.lane,
                last_answer=turn.last_done,
            )
        except Exception:
            log.exception("%s: chat %s stays held until its hold ends", self.channel, chat_id)

    async def _reply_room(self, chat_id: str) -> None:
        """Until one more call of a reply may start: the token and the chat not paused, and a
        place in the window (the whole window: the reserve is the replies')."""
        self._replies_waiting += 1
        try:
            while True:
                event = self._changed
                now = self.clock()
                waits: list[timedelta | None] = []
                for until in (self.paused(now), self._chat(chat_id).paused_until):
                    if until is not None and until > now:
                        waits.append(until - now)
                room = self.window.wait(now, 1)
                if room is None or room > timedelta(0):
                    waits.append(room)
                if not waits:
                    return
                known = [w for w in waits if w is not None]
                wait = max(known).total_seconds() if known and None not in waits else None
                await self._wait(wait, event)
        finally:
            self._replies_waiting -= 1
            self.notify()

    async def _chat_clear(self, chat_id: str, last_answer: datetime | None) -> None:
        """Until the chat may get the next message of a reply: the chat's interval after the
        reply's previous message, and no 429 pause of the chat or the token. Waited before a
        slot is taken, so no slot is spent waiting for the chat."""
        interval = self.pace.interval_for(chat_id)
        while True:
            event = self._changed
            now = self.clock()
            ready = now if last_answer is None else max(now, last_answer + interval)
            for until in (self.paused(now), self._chat(chat_id).paused_until):
                if until is not None and until > ready:
                    ready = until
            if ready <= now:
                return
            await self._wait((ready - now).total_seconds(), event)

    async def _take_slot(self) -> Slot:
        """A place of the replies' lane or a slot of the shared schedule
        (`chats.ChatStore.take_slot`)."""
        assert self.store is not None
        return await asyncio.to_thread(self.store.take_slot, self.clock())


class ReplyTurn:
    """The `CallGate` of one reply: each call keeps the chat's interval after the previous
    one, and takes a place in the token's window (and, when another process sends for the
    token, a place of the replies' lane or a slot of its shared schedule)."""

    deadline: float | None = None  # interactive calls keep the client's own timeouts

    def __init__(self, account: TokenAccount, chat_id: str, hold: Hold) -> None:
        self.account = account
        self.chat_id = chat_id
        self.calls = 0
        self.last_answer: datetime | None = None
        self.last_done: datetime | None = None  # the last call's answer, 429 or failure
        self._shared = hold.shared
        # A place of the replies' lane, held for the whole reply: its messages go a chat's
        # second apart, so each keeps the place's second after the previous one.
        self.lane = hold.lane
        self._slot = hold.slot if hold.lane is None else None

    async def before_call(self) -> None:
        account = self.account
        pace = account.pace
        # One message at a time in the chat: the next waits for the chat's interval after
        # the previous call's answer (and for a 429's pause, after a refusal).
        await account._chat_clear(self.chat_id, self.last_done)
        while True:
            slot: datetime | None = None  # a slot of the schedule, kept strictly
            if self._shared and account.store is not None and self.lane is None:
                if self._slot is not None:
                    start, self._slot = self._slot, None
                else:
                    taken = await account._take_slot()
                    start, self.lane = taken.at, taken.lane
                slot = start if self.lane is None else None
                wait = (start - account.clock()).total_seconds()
                if wait > 0:
                    await account.sleep(wait)
            await account._reply_room(self.chat_id)
            # Late for the slot, the call could meet another process's: take a fresh one.
            # (A lane's place is held until the reply gives it back: never late.)
            if slot is None or account.clock() - slot <= pace.tolerance:
                break
        account.window.opened(1)
        account._last_reply = account.clock()
        self.calls += 1

    def after_call(self, *, rate_limited: bool = False, retry_after: float | None = None) -> None:
        account = self.account
        at = account.clock()
        self.last_done = at
        account.window.closed(at, 1, opened=1)
        if rate_limited:
            account.note_429(
                self.chat_id, at, retry_after, reached_now=self.last_answer is not None
            )
        else:
            self.last_answer = at
            account._chat(self.chat_id).last_answer = at
        account.notify()


class RateAccounts:
    """The accounts of one process's tokens, found by their `rate_key`: the adapters' reply
    paths and the delivery workers of one assembly (`bot.app.build_app`) share them."""

    def __init__(self) -> None:
        self._accounts: dict[str, TokenAccount] = {}

    def get(self, key: str) -> TokenAccount | None:
        return self._accounts.get(key)

    def add(self, account: TokenAccount) -> TokenAccount:
        return self._accounts.setdefault(account.rate_key, account)

    def __len__(self) -> int:
        return len(self._accounts)


# The accounts of an assembly, by its database handle: the Telegram adapter and a worker built
# from the settings see the handle, not the assembly. Weak, so a closed assembly leaves nothing.
_SHARED: weakref.WeakKeyDictionary[Database, RateAccounts] = weakref.WeakKeyDictionary()


def share_accounts(db: Database, accounts: RateAccounts) -> RateAccounts:
    """Make `accounts` the ones every component built on `db` sends through."""
    _SHARED[db] = accounts
    return accounts


def accounts_of(db: Database) -> RateAccounts | None:
    return _SHARED.get(db)


def account_for(db: Database, channel: str, token: str) -> TokenAccount | None:
    """The shared account of a token in this assembly, if it has one."""
    accounts = _SHARED.get(db)
    return None if accounts is None else accounts.get(rate_key(channel, token))
