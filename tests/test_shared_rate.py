"""Replies to chatting members and the outbox share one account of the token's limits.

The fake Bot API here refuses (429) what Telegram would: more than `RATE` messages in any
second for the token, and a message to a private chat less than a second after the previous
one. Against it run the real delivery worker (a broadcast at the limit) and the real Telegram
adapter (members writing `/hoi` and getting an answer), on SQLite and PostgreSQL.

Time is virtual and stands still while anything real happens (an HTTP call, a database
thread), so the fake server counts on the same clock as the bot and every figure here is the
same on a slow machine: a reply's latency is the time it waited for the token's window or its
chat's pace, nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from telegram import Bot, Update
from telegram.request import HTTPXRequest

from bot.app import App
from bot.delivery.account import RateAccounts, TokenAccount, rate_key, share_accounts
from bot.delivery.chats import QUIET, SETTLE, ChatStore, last_reply
from bot.delivery.claims import SENT, Pace, chat_key
from bot.delivery.engine import DeliveryWorker
from bot.delivery.transports import ZaloTransport
from bot.retry import RetryPolicy
from bot.telegram.adapter import TelegramAdapter
from bot.telegram.incoming import BotIdentity
from bot.telegram.menus import MenuSync
from bot.telegram.sender import TelegramSender
from bot.zalo.adapter import handle_update
from bot.zalo.client import ZaloClient
from bot.zalo.http import HttpxPoster
from bot.zalo.sender import ZaloSender
from bot.zalo.updates import updates_from_body
from handlers.context import Ctx
from handlers.core import Core
from handlers.registry import Audience, Command, Registry
from models import Database, DeliveryRate
from tests.fake_telegram import TOKEN, FakeTelegram, Fault
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import FakeZalo, running_fake_zalo, text_update
from tests.support import FakeClock
from tests.test_delivery_support import (
    TEXT,
    Linked,
    VirtualTime,
    enqueue_to,
    link_members,
    rows,
    telegram_worker,
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

RATE = 10  # messages a second for the token (the fake's limit and the bot's setting)
CHAT_INTERVAL = 1.0  # seconds between two messages to one private chat
ANSWER = "Đồng chí hỏi, chi bộ trả lời."
SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
BASE_CHAT = 760_000_000


# -- the fake Bot API with Telegram's limits ------------------------------------------------
@dataclass(frozen=True)
class Accepted:
    at: datetime
    chat: int
    text: str


@dataclass
class LimitedTelegram(FakeTelegram):
    """The fake Bot API refusing, on the test's clock, what Telegram's limits refuse: a
    message that would make `limit` + 1 in one second for the token (retry_after 1), or that
    comes less than `chat_interval` after the previous one in the same private chat (its
    `chat_retry_after`). Faults injected with `fail` come first, as they would at Telegram."""

    clock: FakeClock | None = None
    limit: int = RATE
    chat_interval: float = CHAT_INTERVAL
    chat_retry_after: int = 1
    accepted: list[Accepted] = field(default_factory=list)
    refusals: list[Accepted] = field(default_factory=list)  # every 429, injected ones too
    refused_token: int = 0
    refused_chat: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        self._second: deque[datetime] = deque()
        self._last_in_chat: dict[int, datetime] = {}

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        fault = self._limits(method, params)
        if fault is not None and fault.status == 429 and self.clock is not None:
            chat = int(params.get("chat_id") or 0)
            self.refusals.append(Accepted(self.clock.now, chat, self._plain(params, "text")))
        return fault

    def _limits(self, method: str, params: dict[str, Any]) -> Fault | None:
        fault = super()._take_fault(method, params)
        if fault is not None or method not in SEND_METHODS:
            return fault
        assert self.clock is not None
        now, chat = self.clock.now, int(params["chat_id"])
        while self._second and self._second[0] <= now - timedelta(seconds=1):
            self._second.popleft()
        if len(self._second) >= self.limit:
            self.refused_token += 1
            return Fault(method, 429, "Too Many Requests: retry after 1", 1, None, 1)
        last = self._last_in_chat.get(chat)
        if chat > 0 and last is not None and now - last < timedelta(seconds=self.chat_interval):
            self.refused_chat += 1
            wait = self.chat_retry_after
            return Fault(method, 429, f"Too Many Requests: retry after {wait}", wait, None, 1)
        self._second.append(now)
        self._last_in_chat[chat] = now
        self.accepted.append(Accepted(now, chat, self._plain(params, "text")))
        return None

    @property
    def refused(self) -> int:
        return self.refused_token + self.refused_chat

    def answers(self, chat: int) -> list[datetime]:
        return [a.at for a in self.accepted if a.chat == chat and a.text == ANSWER]

    def directives(self, chat: int) -> list[datetime]:
        return [a.at for a in self.accepted if a.chat == chat and a.text == TEXT]


class HeldRequest(HTTPXRequest):
    """PTB's HTTP client, with virtual time standing still while a request is out."""

    def __init__(self, time: VirtualTime, **options: Any) -> None:
        super().__init__(**options)
        self._time = time

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        async with self._time.held():
            return await super().do_request(*args, **kwargs)


def hold_threads(monkeypatch: pytest.MonkeyPatch, time: VirtualTime) -> None:
    """Virtual time stands still while a thread works (the core, a claim, a record)."""
    real = asyncio.to_thread

    async def held(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        async with time.held():
            return await real(function, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", held)


# -- one process's bot: its account, its worker, its adapter ---------------------------------
def pace() -> Pace:
    return Pace(float(RATE), group_prefix="-")


def process_account(db: Database, time: VirtualTime, scope: str) -> TokenAccount:
    """The token's account of one process, shared by what is built on `db` (as `build_app`
    makes it from the settings)."""
    key = rate_key("telegram", TOKEN)
    store = ChatStore(db, channel="telegram", rate_key=key, pace=pace(), scope_id=scope)
    account = TokenAccount(
        pace(),
        channel="telegram",
        rate_key=key,
        clock=time.clock,
        sleep=time.sleep,
        store=store,
        scope_id=scope,
    )
    accounts = RateAccounts()
    accounts.add(account)
    share_accounts(db, accounts)
    return account


def ask_and_answer(ctx: Ctx, _args: str) -> None:
    ctx.say(ANSWER)


@dataclass
class Chatting:
    """The real Telegram adapter on its own PTB bot, with a one-command core."""

    adapter: TelegramAdapter
    bot: Bot
    fake: LimitedTelegram
    time: VirtualTime
    asked: list[tuple[int, datetime]] = field(default_factory=list)

    async def ask(self, user: dict[str, Any], at: datetime) -> None:
        """The member writes /hoi at virtual instant `at` and the bot answers."""
        await self.time.sleep((at - self.time.clock()).total_seconds())
        self.asked.append((user["id"], self.time.clock()))
        update = Update.de_json(self.fake.message_update(user, "/hoi"), self.bot)
        await self.adapter.on_update(update, None)  # type: ignore[arg-type]

    def latencies(self) -> list[tuple[int, float]]:
        """Each question's wait for its answer, in the order asked (answers of one chat are
        matched to its questions in order)."""
        answered: dict[int, list[datetime]] = {}
        out = []
        for chat, at in self.asked:
            given = answered.setdefault(chat, self.fake.answers(chat))
            first = given.pop(0)
            assert first >= at
            out.append((chat, (first - at).total_seconds()))
        return out


@contextlib.asynccontextmanager
async def chatting(
    db: Database, fake: LimitedTelegram, time: VirtualTime
) -> AsyncIterator[Chatting]:
    registry = Registry()
    registry.command(Command("hoi", "Hỏi chi bộ", Audience.MEMBER, ask_and_answer))
    core = Core(db, registry, clock=time.clock)
    bot = Bot(
        TOKEN,
        base_url=f"{fake.base_url}/bot",
        base_file_url=f"{fake.base_url}/file/bot",
        request=HeldRequest(time, connection_pool_size=16),
    )
    async with bot:
        sender = TelegramSender(bot, policy=RetryPolicy(sleep=time.sleep))
        adapter = TelegramAdapter(core, db, sender, MenuSync(registry, db), clock=time.clock)
        await adapter.startup(BotIdentity(id=bot.id, username=bot.username))
        yield Chatting(adapter, bot, fake, time)


def broadcast_worker(
    db: Database, fake: LimitedTelegram, time: VirtualTime, account: TokenAccount
) -> DeliveryWorker:
    return telegram_worker(
        db, fake, time=time, rate=float(RATE), timed=True, account=account, poll_interval=0.05
    )


def private_chats(fake: FakeTelegram, count: int, start: int = BASE_CHAT) -> dict[str, Any]:
    users = {}
    for index in range(count):
        chat = start + index
        users[str(chat)] = fake.user(chat, f"Người {index}")
    return users


def plan(start: datetime, members: Sequence[Linked], at: Sequence[tuple[int, float]]) -> list:
    return [(members[index], start + timedelta(seconds=seconds)) for index, seconds in at]


def most_in_one_second(instants: Sequence[datetime]) -> int:
    ordered = sorted(instants)
    best, first = 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= timedelta(seconds=1):
            first += 1
        best = max(best, last - first + 1)
    return best


# -- one process --------------------------------------------------------------------------------
QUESTIONS = (
    (5, 0.65),  # just after its directive: the answer waits for the chat's second
    (20, 1.0),  # asks twice in a row: the second answer keeps the chat's pace too
    (20, 1.2),
    # Eight at once while the broadcast runs at the limit: four whose directive just went,
    # four whose directive is still to come.
    *((index, 2.0) for index in (10, 11, 12, 13, 35, 36, 37, 38)),
    (30, 2.95),  # before its directive: the directive waits for the chat's second
    (45, 3.4),
)


async def test_a_broadcast_at_the_limit_while_members_chat_makes_no_429(
    demo: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    time = VirtualTime(clock)
    hold_threads(monkeypatch, time)
    with LimitedTelegram(clock=clock) as fake:
        users = private_chats(fake, 60)
        members = link_members(demo, list(users), now=clock())
        enqueue_to(demo, members, key="dir:chatting", now=clock())
        account = process_account(demo, time, "process-a")
        worker = broadcast_worker(demo, fake, time, account)
        async with worker.transport, chatting(demo, fake, time) as chat:  # type: ignore[attr-defined]
            assert chat.adapter.account is account  # one account for the replies and the outbox
            start = clock()
            drain = asyncio.create_task(worker.drain())
            await asyncio.gather(
                *(chat.ask(users[m.chat], at) for m, at in plan(start, members, QUESTIONS))
            )
            stats = await asyncio.wait_for(drain, 60)

        # Not one 429, and the fake counted every message: replies and broadcast alike.
        assert (fake.refused_token, fake.refused_chat) == (0, 0)
        assert stats.rate_limited == 0 and stats.sent == 60
        assert most_in_one_second([a.at for a in fake.accepted]) <= RATE
        # Every member got the directive once, every question its answer.
        assert all(len(fake.directives(int(m.chat))) == 1 for m in members)
        assert all(r.status == SENT for r in rows(demo))
        latencies = chat.latencies()
        assert len(latencies) == len(QUESTIONS)
        # Prompt: an answer waits at most for its chat's second after the chat's last message
        # and then for a place in the token's second (replies go first): never 2 s.
        assert max(wait for _chat, wait in latencies) < CHAT_INTERVAL + 1.0
        by_chat: dict[int, list[float]] = {}
        for chat_id, wait in latencies:
            by_chat.setdefault(chat_id, []).append(wait)
        # A member whose chat was quiet, once the burst of questions was answered, is answered
        # at once: a reply takes the window's reserve, or the next place before the broadcast.
        assert by_chat[int(members[30].chat)] == [pytest.approx(0.0, abs=0.15)]
        assert by_chat[int(members[45].chat)] == [pytest.approx(0.0, abs=0.15)]
        # Just after its directive, the answer waited for the chat's second, no longer.
        directive = fake.directives(int(members[5].chat))[0]
        answer = fake.answers(int(members[5].chat))[0]
        assert timedelta(seconds=CHAT_INTERVAL) <= answer - directive < timedelta(seconds=1.2)
        # Asked before its directive went, the member was answered first; the directive
        # waited for the chat's second after the answer.
        answer = fake.answers(int(members[30].chat))[0]
        directive = fake.directives(int(members[30].chat))[0]
        assert directive - answer >= timedelta(seconds=CHAT_INTERVAL)
        # The broadcast lost little to the replies: 60 messages at 10/s less the reserve
        # kept for the replies while members chat (2 a second).
        assert account.reserve == 2
        last = max(a.at for a in fake.accepted if a.text == TEXT)
        assert (last - start).total_seconds() < 60 / (RATE - account.reserve) + 1.5


async def test_a_429_meant_for_one_chat_delays_that_chat_not_the_broadcast(
    demo: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member chats, then Telegram refuses the directive to their chat for 4 s: that chat
    waits (its directive, and the answer to its next question), everyone else's directive
    keeps going at the limit, and the token is never paused."""
    time = VirtualTime(clock)
    hold_threads(monkeypatch, time)
    with LimitedTelegram(clock=clock) as fake:
        users = private_chats(fake, 60)
        members = link_members(demo, list(users), now=clock())
        enqueue_to(demo, members, key="dir:chat429", now=clock())
        account = process_account(demo, time, "process-a")
        worker = broadcast_worker(demo, fake, time, account)
        member = members[3]
        chat_id = int(member.chat)
        async with worker.transport, chatting(demo, fake, time) as chat:  # type: ignore[attr-defined]
            start = clock()
            drain = asyncio.create_task(worker.drain())
            await chat.ask(users[member.chat], start)
            # Telegram's answer to the next message in this chat (the directive): wait 4 s.
            fake.fail("sendMessage", 429, retry_after=4, chat_id=chat_id)
            await chat.ask(users[member.chat], start + timedelta(seconds=2.5))
            stats = await asyncio.wait_for(drain, 60)

    assert [r.chat for r in fake.refusals] == [chat_id] and fake.refused == 0
    refused_at = fake.refusals[0].at
    assert stats.rate_limited == stats.chat_limited == 1 and stats.sent == 60
    # The chat waited its 4 s: the directive, and the answer to the question asked meanwhile.
    resume = refused_at + timedelta(seconds=4)
    assert fake.directives(chat_id)[0] >= resume
    assert fake.answers(chat_id)[1] >= resume
    # Nobody else waited: the broadcast went on at the limit (less the replies' reserve,
    # members chat) through those 4 s.
    meanwhile = [a for a in fake.accepted if a.text == TEXT and refused_at < a.at < resume]
    assert len(meanwhile) >= 4 * (RATE - account.reserve) * 0.85
    with demo.session() as session:
        token = session.get(DeliveryRate, rate_key("telegram", TOKEN))
        held = session.get(DeliveryRate, chat_key(rate_key("telegram", TOKEN), member.chat))
    assert token is not None and token.paused_until is None  # the token never paused
    # The pause is in the database too, for the other processes of the token.
    assert held is not None and held.paused_until is not None
    assert held.paused_until >= resume - timedelta(milliseconds=1)
    assert all(r.status == SENT and r.attempts == 1 for r in rows(demo))


# -- two processes --------------------------------------------------------------------------
async def test_replies_in_another_process_keep_the_limits_through_the_database(
    demo: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Process A only sends the outbox (`sotay worker`), process B only answers members (a
    webhook server): they share no memory, only the database. Still no 429: B's answers take
    slots of the token's schedule, A keeps strictly to its slots, and a chat held by one is
    left alone by the other for its second."""
    time = VirtualTime(clock)
    hold_threads(monkeypatch, time)
    other = Database(demo.url)  # process B's own engine and connections
    try:
        with LimitedTelegram(clock=clock) as fake:
            users = private_chats(fake, 60)
            members = link_members(demo, list(users), now=clock())
            enqueue_to(demo, members, key="dir:processes", now=clock())
            worker = broadcast_worker(demo, fake, time, process_account(demo, time, "process-a"))
            process_account(other, time, "process-b")
            async with worker.transport, chatting(other, fake, time) as chat:  # type: ignore[attr-defined]
                start = clock()
                drain = asyncio.create_task(worker.drain())
                await asyncio.gather(
                    *(chat.ask(users[m.chat], at) for m, at in plan(start, members, QUESTIONS))
                )
                stats = await asyncio.wait_for(drain, 60)
    finally:
        other.dispose()

    assert (fake.refused_token, fake.refused_chat) == (0, 0)
    assert stats.rate_limited == 0 and stats.sent == 60
    assert most_in_one_second([a.at for a in fake.accepted]) <= RATE
    assert all(len(fake.directives(int(m.chat))) == 1 for m in members)
    latencies = chat.latencies()
    assert len(latencies) == len(QUESTIONS)
    # Bounded: the chat's second, a look again at a row the other process has in flight
    # (every 0.2 s), a slot after what the worker claimed ahead (its half second, and a
    # quarter when the reply process joins the token), and the slots of the answers asked
    # at the same moment (eight: 0.8 s).
    assert max(wait for _chat, wait in latencies) < CHAT_INTERVAL + 0.2 + 0.5 + 0.25 + 0.8
    # The answer after a directive kept the chat's second across the processes...
    directive = fake.directives(int(members[5].chat))[0]
    answer = fake.answers(int(members[5].chat))[0]
    assert answer - directive >= timedelta(seconds=CHAT_INTERVAL)
    # ...and the directive after an answer too.
    answer = fake.answers(int(members[30].chat))[0]
    directive = fake.directives(int(members[30].chat))[0]
    assert directive - answer >= timedelta(seconds=CHAT_INTERVAL)


# -- Zalo -------------------------------------------------------------------------------------
class HeldTransport(httpx.AsyncBaseTransport):
    """httpx's transport, with virtual time standing still while a request is out."""

    def __init__(self, time: VirtualTime) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._time = time

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with self._time.held():
            response = await self._inner.handle_async_request(request)
            await response.aread()
            return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def limit_zalo(zalo: FakeZalo, clock: FakeClock, limit: int) -> list[Accepted]:
    """The fake Zalo refuses (429, no wait named) a message over `limit` in a second for the
    token, or within a second of the previous one in its chat; returns the refusals."""
    original = zalo._answer
    second: deque[datetime] = deque()
    last_in_chat: dict[str, datetime] = {}
    refused: list[Accepted] = []

    async def answer(method: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method in ("sendMessage", "sendPhoto"):
            now, chat = clock.now, str(payload.get("chat_id"))
            while second and second[0] <= now - timedelta(seconds=1):
                second.popleft()
            last = last_in_chat.get(chat)
            if len(second) >= limit or (last is not None and now - last < timedelta(seconds=1)):
                refused.append(Accepted(now, 0, chat))
                return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests"}
            second.append(now)
            last_in_chat[chat] = now
        return await original(method, payload)

    zalo._answer = answer  # type: ignore[method-assign]
    return refused


async def test_zalo_replies_and_broadcast_share_the_token_without_429(
    demo: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same on Zalo (5 messages a second): the polling and webhook path
    (`bot.zalo.adapter.handle_update`) answers through the token's account."""
    time = VirtualTime(clock)
    hold_threads(monkeypatch, time)
    chats = [f"zl-{n:03d}" for n in range(25)]
    members = link_members(demo, chats, channel="zalo", now=clock())
    enqueue_to(demo, members, key="dir:zalo", now=clock())
    key = rate_key("zalo", ZALO_TOKEN)
    zalo_pace = Pace(5.0)
    store = ChatStore(demo, channel="zalo", rate_key=key, pace=zalo_pace, scope_id="process-z")
    account = TokenAccount(
        zalo_pace,
        channel="zalo",
        rate_key=key,
        clock=time.clock,
        sleep=time.sleep,
        store=store,
        scope_id="process-z",
    )
    accounts = RateAccounts()
    accounts.add(account)
    share_accounts(demo, accounts)
    registry = Registry()
    registry.command(Command("hoi", "Hỏi chi bộ", Audience.MEMBER, ask_and_answer))
    settings = SimpleNamespace(zalo_bot_token=SecretStr(ZALO_TOKEN))
    app = App(settings, demo, Core(demo, registry, clock=time.clock))  # type: ignore[arg-type]
    asked: list[tuple[str, datetime]] = []

    async def ask(chat: str, seconds: float) -> None:
        await time.sleep((start + timedelta(seconds=seconds) - clock()).total_seconds())
        asked.append((chat, clock()))
        (update,) = updates_from_body(text_update(chat, "/hoi"))
        await handle_update(app, sender, update)

    async with running_fake_zalo() as zalo:
        refused = limit_zalo(zalo, clock, 5)

        def client(**options: Any) -> ZaloClient:
            http = httpx.AsyncClient(transport=HeldTransport(time))
            return ZaloClient(ZALO_TOKEN, zalo.url, poster=HttpxPoster(http), **options)

        transport = ZaloTransport(client(policy=RetryPolicy(attempts=1)), ZALO_TOKEN)
        worker = DeliveryWorker(
            demo, transport, pace=zalo_pace, clock=clock, sleep=time.sleep, account=account
        )
        replies = client(policy=RetryPolicy(sleep=time.sleep))
        sender = ZaloSender(replies)
        start = clock()
        async with transport, replies:
            drain = asyncio.create_task(worker.drain())
            questions = ((2, 0.5), (8, 1.0), (9, 1.0), (10, 1.0), (20, 2.0), (2, 2.2))
            await asyncio.gather(*(ask(chats[index], at) for index, at in questions))
            stats = await asyncio.wait_for(drain, 60)
        sent = [c for c in zalo.calls_to("sendMessage") if c.status == 200]

    assert refused == [] and stats.rate_limited == 0 and stats.sent == 25
    texts_by_chat: dict[str, list[str]] = {}
    for call in sent:
        texts_by_chat.setdefault(call.payload["chat_id"], []).append(call.payload["text"])
    assert all(texts_by_chat[chat].count(TEXT) == 1 for chat in chats)
    assert sum(texts.count(ANSWER) for texts in texts_by_chat.values()) == len(asked) == 6


def test_a_chat_another_process_is_answering_is_asked_about_again_soon(
    db: Database, clock: FakeClock
) -> None:
    """Two webhook processes get updates of one chat: the second asks the database again
    every 0.2 s while the first holds the chat (not at the end of its 60 s hold, kept only in
    case it dies), waits the chat's second after the first's answer, and after waiting long
    enough goes anyway, but never through a 429 pause of the chat."""
    key = rate_key("telegram", TOKEN)
    first, second = (
        ChatStore(db, channel="telegram", rate_key=key, pace=pace(), scope_id=scope)
        for scope in ("process-1", "process-2")
    )
    now = clock()
    assert first.begin("7001", now, local_workers=(), shared=False).wait_until is None
    hold = second.begin("7001", now, local_workers=(), shared=False)
    assert hold.wait_until == now + timedelta(milliseconds=200)
    answered = now + timedelta(seconds=0.3)
    first.end("7001", answered, answered + timedelta(seconds=CHAT_INTERVAL), None)
    later = answered + timedelta(seconds=0.5)
    assert second.begin("7001", later, local_workers=(), shared=False).wait_until is not None
    free = answered + timedelta(seconds=CHAT_INTERVAL)
    assert second.begin("7001", free, local_workers=(), shared=False).wait_until is None
    # The second now holds the chat; the first gives up waiting after a while and goes...
    impatient = first.begin("7001", free, local_workers=(), shared=False, impatient=True)
    assert impatient.wait_until is None
    # ...but a 429 meant for the chat is waited out by every process, however impatient.
    paused = free + timedelta(seconds=5)
    second.end("7001", free, free, paused)
    late = first.begin("7001", free, local_workers=(), shared=False, impatient=True)
    assert late.wait_until == paused


# -- replies first, across processes ----------------------------------------------------------
def next_slot(db: Database) -> datetime:
    """Where the token's shared schedule stands: what the workers claimed runs up to here."""
    with db.session() as session:
        row = session.get(DeliveryRate, rate_key("telegram", TOKEN))
        assert row is not None
        return row.next_slot_at


async def test_a_reply_in_another_process_goes_before_the_slots_the_worker_claimed_ahead(
    demo: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Process A broadcasts (`sotay worker`), process B answers members (a webhook server).
    Once members chat (a reply, then `SETTLE` for A's claims to slow down by the reserve), an
    answer takes a place of the replies' lane at once: it is accepted before the slots A had
    already claimed ahead, not after them. More answers in one second than the reserve take
    slots of the schedule, as before. The token's limit and the chats' still hold: no 429."""
    time = VirtualTime(clock)
    hold_threads(monkeypatch, time)
    other = Database(demo.url)
    try:
        with LimitedTelegram(clock=clock) as fake:
            users = private_chats(fake, 60)
            members = link_members(demo, list(users), now=clock())
            enqueue_to(demo, members, key="dir:lane", now=clock())
            worker = broadcast_worker(demo, fake, time, process_account(demo, time, "process-a"))
            replies = process_account(other, time, "process-b")
            assert replies.store is not None and replies.store.reserve == 2
            ahead: dict[int, timedelta] = {}

            async def ask(index: int, seconds: float) -> None:
                await time.sleep((start + timedelta(seconds=seconds) - clock()).total_seconds())
                member = members[index]
                ahead[int(member.chat)] = next_slot(demo) - clock()
                await chat.ask(users[member.chat], clock())

            async with worker.transport, chatting(other, fake, time) as chat:  # type: ignore[attr-defined]
                start = clock()
                drain = asyncio.create_task(worker.drain())
                # The first answer opens the lane 2.5 s later; then two answers a second go
                # at once; a third in the same second waits for a slot of the schedule.
                asked = ((40, 0.5), (50, 3.2), (52, 4.5), (54, 4.55), (56, 4.6), (58, 6.0))
                await asyncio.gather(*(ask(index, at) for index, at in asked))
                stats = await asyncio.wait_for(drain, 60)
    finally:
        other.dispose()

    assert (fake.refused_token, fake.refused_chat) == (0, 0)
    assert stats.rate_limited == 0 and stats.sent == 60
    assert most_in_one_second([a.at for a in fake.accepted]) <= RATE
    assert all(len(fake.directives(int(m.chat))) == 1 for m in members)
    waits = dict(chat.latencies())
    chat_of = {index: int(members[index].chat) for index, _at in asked}
    # The lane: answered at once (the commit's lead), before the slots A had claimed ahead.
    for index in (50, 52, 54, 58):
        assert waits[chat_of[index]] < 0.1, (index, waits)
        assert timedelta(seconds=waits[chat_of[index]]) < ahead[chat_of[index]]
    # The first (the lane not open yet) and the third in one second took schedule slots:
    # after what A had claimed, as every answer did before the lane.
    for index in (40, 56):
        assert timedelta(seconds=waits[chat_of[index]]) >= ahead[chat_of[index]]
    assert (replies.store.lane_taken, replies.store.slots_taken) == (4, 2)
    # A claimed at the rate less the reserve while members chatted.
    assert worker.chatting and worker.store.pace.rate_per_second == RATE - 2


def test_the_replies_lane_opens_once_the_workers_slowed_down_and_holds_a_second(
    db: Database, clock: FakeClock
) -> None:
    """`ChatStore.take_slot` across two web processes: a quiet token's first reply takes a
    schedule slot and starts the wait for the lane (`SETTLE`); then each reply takes a place
    of the lane at once, held until it is given back and for a second after the reply's last
    answer, at most `reserve` for both processes together; beyond, slots of the schedule at
    the outbox's reduced spacing; after `QUIET` without a reply, it starts over."""
    key = rate_key("telegram", TOKEN)
    web1, web2 = (
        ChatStore(db, channel="telegram", rate_key=key, pace=pace(), scope_id=scope)
        for scope in ("web-1", "web-2")
    )
    assert web1.reserve == 2  # a fifth of 10 a second
    now = clock()
    assert last_reply(db, key) == (None, None)
    assert web1.take_slot(now).lane is None
    assert last_reply(db, key) == (now, "web-1")  # the workers read this before each claim
    assert web2.take_slot(now + SETTLE - timedelta(milliseconds=10)).lane is None
    opened = now + SETTLE
    first, second = web1.take_slot(opened), web2.take_slot(opened)
    assert (first.at, second.at) == (opened, opened)  # at once
    assert first.lane and second.lane and first.lane != second.lane
    # The reserve is held: more replies take slots of the schedule, at the reduced spacing.
    beyond = [web1.take_slot(opened) for _ in range(2)]
    assert [slot.lane for slot in beyond] == [None, None]
    assert beyond[1].at - beyond[0].at == web1.reduced_spacing == Pace(RATE - 2.0).spacing
    # Held however long the reply takes (its messages a chat's second apart)...
    later = opened + timedelta(seconds=5)
    assert web2.take_slot(later).lane is None
    # ...then free a second after its last answer; a process cannot give back another's.
    web2.end("7001", later, later, None, lane=first.lane, last_answer=later)
    web1.end("7001", later, later, None, lane=first.lane, last_answer=later)
    free = later + web1.lane_rest
    assert web2.take_slot(free - timedelta(milliseconds=1)).lane is None
    again = web2.take_slot(free)
    assert (again.at, again.lane) == (free, first.lane)
    web2.end("7002", free, free, None, lane=again.lane, last_answer=free)
    web2.end("7003", free, free, None, lane=second.lane, last_answer=free)
    # Nobody chatted for QUIET: the lane closes; the next reply waits for it again.
    quiet = free + QUIET + timedelta(seconds=1)
    lanes = web1.lane_taken + web2.lane_taken
    assert web1.take_slot(quiet).lane is None
    assert web1.take_slot(quiet + SETTLE - timedelta(milliseconds=10)).lane is None
    assert web1.lane_taken + web2.lane_taken == lanes
    assert web1.take_slot(quiet + SETTLE).lane is not None


async def test_the_messages_of_one_reply_keep_the_chats_second(
    demo: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reply of three messages (an update answered in parts) goes one message a second in
    its chat, as Telegram asks, not in a burst a strict counter refuses; the next update's
    answer keeps the second after the last of them. No 429."""
    time = VirtualTime(clock)
    hold_threads(monkeypatch, time)

    def three(ctx: Ctx, _args: str) -> None:
        for _ in range(3):
            ctx.say(ANSWER)

    with LimitedTelegram(clock=clock) as fake:
        users = private_chats(fake, 2)
        link_members(demo, list(users), now=clock())
        process_account(demo, time, "process-a")
        registry = Registry()
        registry.command(Command("hoi", "Hỏi chi bộ", Audience.MEMBER, three))
        core = Core(demo, registry, clock=time.clock)
        bot = Bot(
            TOKEN,
            base_url=f"{fake.base_url}/bot",
            base_file_url=f"{fake.base_url}/file/bot",
            request=HeldRequest(time, connection_pool_size=16),
        )
        async with bot:
            sender = TelegramSender(bot, policy=RetryPolicy(sleep=time.sleep))
            adapter = TelegramAdapter(
                core, demo, sender, MenuSync(registry, demo), clock=time.clock
            )
            await adapter.startup(BotIdentity(id=bot.id, username=bot.username))
            user, other = users.values()
            start = clock()
            for who in (user, other, user):
                update = Update.de_json(fake.message_update(who, "/hoi"), bot)
                await asyncio.gather(adapter.on_update(update, None))  # type: ignore[arg-type]

    assert fake.refused == 0 and fake.refusals == []
    mine = fake.answers(user["id"])
    assert len(mine) == 6 and len(fake.answers(other["id"])) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(mine)]
    assert all(gap >= timedelta(seconds=CHAT_INTERVAL) for gap in gaps), gaps
    assert mine[0] - start < timedelta(seconds=0.1)  # the first at once
