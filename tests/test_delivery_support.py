"""Helpers shared by the delivery tests, and the engine's small pure parts tested on their own.

The helpers build real rows (members, linked chat accounts, outbox rows via
`services.outbox.enqueue`) and real workers against the fake servers; time is virtual where a
test needs seconds to pass (`VirtualTime`), real where the fake server's clock is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import random
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.app import App
from bot.delivery.account import CallGate, Scope, TokenAccount
from bot.delivery.claims import Backoff, Outcome, Pace
from bot.delivery.engine import DeliveryWorker, WorkerStats
from bot.delivery.files import RemoteFile, prepare_reply
from bot.delivery.service import WorkerOptions, build_worker
from bot.delivery.transports import TelegramTransport, telegram_transport
from bot.delivery.weights import calls_for
from bot.delivery.window import SendWindow
from bot.settings import SettingsError, load_settings
from handlers.messages import Reply
from models import ChatIdentity, Database, Delivery, Member, MemberStatus, Unit, utcnow
from services import outbox, texts
from services.directives.rules import ACK
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.support import FakeClock

TEXT = "Chỉ đạo: triển khai Nghị quyết số 05 trước ngày 30/11. Nội dung <quan trọng> & khẩn."


class VirtualTime:
    """`clock` and `sleep` for a worker: sleeping moves a fake clock instead of waiting.

    Sleepers wake one at a time in the order of their wake-up instants, each moving the clock
    forward to its own instant (never back), as real time would; between two wake-ups the
    loop gets some turns so the woken task can start its work and register its next sleep.
    Real I/O (HTTP to the fake server, database threads) still takes real time, during which
    virtual time may run on: timing assertions are lower bounds, or generous upper ones. A
    call made under `held()` stops virtual time while it runs, so that it takes none.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._seq = 0
        self._driver: asyncio.Task[None] | None = None
        self._holds = 0
        self._free = asyncio.Event()
        self._free.set()

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Virtual time stands still until the block ends."""
        self._holds += 1
        self._free.clear()
        try:
            yield
        finally:
            self._holds -= 1
            if self._holds == 0:
                self._free.set()

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        wake: asyncio.Future[None] = loop.create_future()
        target = self.clock.now + timedelta(seconds=max(0.0, seconds))
        heapq.heappush(self._sleepers, (target, self._seq, wake))
        self._seq += 1
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive())
        await wake

    async def _drive(self) -> None:
        while self._sleepers:
            # Enough turns for the last woken task to get past its own wake-up bookkeeping
            # (the worker's sleep races a stop event) and read the clock it was woken at.
            for _ in range(20):
                await asyncio.sleep(0)
            if self._holds:
                await self._free.wait()
                continue
            target, _seq, wake = heapq.heappop(self._sleepers)
            if wake.done():  # the sleeper was cancelled (the worker is stopping)
                continue
            if target > self.clock.now:
                self.clock.now = target
            wake.set_result(None)


@dataclass
class Linked:
    """A member with a chat account; `chat` is the chat id as the platform knows it."""

    member_id: int
    identity_id: int
    chat: str


def link_members(
    db: Database,
    chats: Sequence[str],
    *,
    channel: str = "telegram",
    now: datetime,
    prefix: str = "BC",
) -> list[Linked]:
    """One new member per chat id, in the demo's first cell, linked on `channel`."""
    linked: list[Linked] = []
    with db.session() as session:
        cell = session.exec(select(Unit).where(Unit.kind == "chi_bo_truc_thuoc")).first()
        assert cell is not None and cell.id is not None, "seed the demo first"
        for index, chat in enumerate(chats):
            member = Member(
                code=f"{prefix}{index:05d}",
                full_name=f"Đảng viên {index}",
                status=MemberStatus.OFFICIAL,
                cell_id=cell.id,
            )
            session.add(member)
            session.flush()
            identity = ChatIdentity(
                channel=channel,
                external_id=chat,
                chat_id=chat,
                member_id=member.id,
                linked_at=now,
            )
            session.add(identity)
            session.flush()
            assert member.id is not None and identity.id is not None
            linked.append(Linked(member.id, identity.id, chat))
    return linked


def enqueue_to(
    db: Database,
    members: Sequence[Linked],
    *,
    key: str,
    now: datetime,
    text: str = TEXT,
    options: Sequence[tuple[str, str]] = (),
    file_ref: str | None = None,
    file_kind: str | None = None,
) -> int:
    """One directive-like message to each member, through the real `enqueue`."""
    with db.session() as session:
        result = outbox.enqueue(
            session,
            kind="directive",
            ref_id=None,
            member_ids=[m.member_id for m in members],
            payload=outbox.message(text, options=options, file_ref=file_ref, file_kind=file_kind),
            dedupe_key=key,
            now=now,
        )
    return result.created


def rows(db: Database) -> list[Delivery]:
    with db.session() as session:
        return list(session.exec(select(Delivery).order_by(Delivery.id)))  # type: ignore[arg-type]


@dataclass
class Timed:
    """A transport wrapper that notes when (on the worker's clock) each send started.

    Not a mock: every call goes to the real transport and the fake server."""

    inner: TelegramTransport
    clock: Callable[[], datetime]
    starts: list[tuple[datetime, str]] = field(default_factory=list)
    # (start, answer) of every send, in the order the sends started (filled in when answered)
    spans: list[tuple[datetime, datetime]] = field(default_factory=list)
    # extra latency before the answer comes back, by send number (virtual time only)
    latency: Callable[[int], float] | None = None
    # how long the event loop stands still before a send, by send number (virtual time only)
    stall: Callable[[int], float] | None = None
    time: VirtualTime | None = None

    @property
    def channel(self) -> str:
        return self.inner.channel

    @property
    def rate_key(self) -> str:
        return self.inner.rate_key

    @property
    def call_timeout(self) -> float:
        return self.inner.call_timeout

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    async def __aenter__(self) -> Timed:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def send(
        self, chat_id: str, reply: Reply, *, skip_parts: int = 0, gate: CallGate | None = None
    ) -> Outcome:
        number, started = len(self.starts), self.clock()
        self.starts.append((started, chat_id))
        self.spans.append((started, started))  # the answer is filled in below
        if self.time is not None and self.stall is not None:  # the loop freezes right here
            self.time.clock.now += timedelta(seconds=self.stall(number))
        if self.time is None:
            outcome = await self.inner.send(chat_id, reply, skip_parts=skip_parts, gate=gate)
        else:  # the fake server answers at once in virtual time, then after `latency`
            async with self.time.held():
                outcome = await self.inner.send(chat_id, reply, skip_parts=skip_parts, gate=gate)
            if self.latency is not None:
                await self.time.sleep(self.latency(number))
        self.spans[number] = (started, self.clock())
        return outcome

    def times_for(self, chat: str) -> list[datetime]:
        return [at for at, c in self.starts if c == chat]


def telegram_worker(
    db: Database,
    fake: FakeTelegram,
    *,
    time: VirtualTime | None = None,
    rate: float = 30.0,
    timed: bool = False,
    stamped: bool = False,
    timeout: float = 5.0,
    paid_broadcast: bool = False,
    latency: Callable[[int], float] | None = None,
    stall: Callable[[int], float] | None = None,
    **options: Any,
) -> DeliveryWorker:
    """A worker on the fake Bot API; virtual time when `time` is given. `timed` (virtual) or
    `stamped` (real time) wrap the transport in `Timed` to note every send's start."""
    transport: Any = telegram_transport(
        TOKEN, fake.base_url, paid_broadcast=paid_broadcast, timeout=timeout
    )
    if timed:
        assert time is not None
        transport = Timed(transport, time.clock, latency=latency, stall=stall, time=time)
    elif stamped:  # real time: note starts on the wall clock
        transport = Timed(transport, utcnow)
    options.setdefault("backoff", Backoff(base=2.0, cap=60.0))
    options.setdefault("rng", random.Random(7))
    if time is not None:
        options.setdefault("clock", time.clock)
        options.setdefault("sleep", time.sleep)
    return DeliveryWorker(db, transport, pace=Pace(rate, group_prefix="-"), **options)


# -- the pure parts -------------------------------------------------------------------------------
def test_pace_spacing_keeps_a_margin_under_the_rate() -> None:
    pace = Pace(30.0)
    per_second = 1 / pace.spacing.total_seconds()
    assert 28.5 < per_second < 30.0
    # Late by up to the tolerance, a second still holds no more than the rate.
    tolerance = pace.tolerance.total_seconds()
    assert int((1 + tolerance) * per_second) + 1 <= 30
    with pytest.raises(ValueError):
        Pace(0)


def window_overruns(spans: Sequence[tuple[datetime, datetime]], limit: int, calls: int = 1) -> int:
    """Sends that started while the calls of earlier ones, unanswered or answered less than a
    second before, left no room for their own `calls`: the starts that could make a
    platform's one-second count exceed `limit`."""
    overruns = 0
    for index, (start, _answer) in enumerate(spans):
        earlier = spans[:index]
        counted = calls * sum(1 for _s, answer in earlier if answer > start - timedelta(seconds=1))
        overruns += counted + calls > limit
    return overruns


def test_send_window_counts_unanswered_and_recent_sends() -> None:
    start = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    window = SendWindow(3)
    for _ in range(3):
        assert window.wait(start) == timedelta(0)
        window.opened()
    # Three in flight: only an answer can make room.
    assert window.wait(start) is None
    window.closed(start + timedelta(milliseconds=50))
    assert window.counted(start + timedelta(milliseconds=60)) == 3
    # Answered at 0.05 s, it leaves the count at 1.05 s.
    assert window.wait(start + timedelta(milliseconds=60)) == timedelta(milliseconds=990)
    window.closed(start + timedelta(milliseconds=40))  # answers out of order
    window.closed(start + timedelta(milliseconds=70), calls=2)  # a text and a file
    assert window.in_flight == 0
    # Four calls counted, room wanted for one: two must leave first (the second at 1.05 s).
    assert window.wait(start + timedelta(milliseconds=80)) == timedelta(milliseconds=970)
    assert window.counted(start + timedelta(milliseconds=1041)) == 3
    assert window.wait(start + timedelta(milliseconds=1071)) == timedelta(0)
    # A reply of two messages holds two places while in flight.
    later = start + timedelta(seconds=5)
    window.opened(calls=2)
    assert window.counted(later) == 2 and window.wait(later, calls=2) is None
    window.closed(later, calls=2, opened=2)
    assert window.in_flight == 0 and window.counted(later) == 2
    assert window.wait(later + timedelta(milliseconds=1), calls=2) == timedelta(milliseconds=999)
    # More calls than the limit: it waits for an empty window, then goes.
    assert window.wait(later + timedelta(seconds=2), calls=5) == timedelta(0)
    with pytest.raises(ValueError):
        SendWindow(0)


def test_a_row_takes_a_slot_for_each_call_it_will_make() -> None:
    short = {"text": "Chỉ đạo ngắn"}
    long_text = {"text": "Nội dung. " * 1000}  # 10,000 characters
    photo = {"text": "Biểu đồ", "file": {"ref": "bieu_do.png", "kind": "photo"}}
    captionless = {"text": "x" * 2000, "file": {"ref": "bao_cao.xlsx"}}
    assert calls_for("telegram", short) == calls_for("zalo", short) == 1
    assert calls_for("telegram", long_text) == 3 and calls_for("zalo", long_text) == 6
    assert calls_for("telegram", photo) == 1  # the text rides as the caption
    assert calls_for("zalo", photo) == 2  # text, then the photo (Zalo has no captions)
    ack = [{"id": "dir_ack:1", "label": "Đã nhận"}]
    assert calls_for("zalo", {**photo, "options": ack}) == 3  # and the menu below it
    assert calls_for("telegram", captionless) == 2
    assert calls_for("telegram", {}) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    backoff = Backoff(base=2.0, cap=60.0)
    rng = random.Random(1)
    first = [backoff.delay(1, rng) for _ in range(50)]
    third = [backoff.delay(3, rng) for _ in range(50)]
    capped = [backoff.delay(20, rng) for _ in range(50)]
    assert all(1.0 <= d <= 2.0 for d in first) and len(set(first)) > 40
    assert all(4.0 <= d <= 8.0 for d in third)
    assert all(30.0 <= d <= 60.0 for d in capped)


def test_payload_becomes_reply_with_options_and_file_kinds(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    (exports / "charts").mkdir(parents=True)
    (exports / "charts" / "tuan.png").write_bytes(b"\x89PNG fake")
    payload = outbox.message("Báo cáo tuần", options=[(ACK(7), "Đã nhận")]).to_json()

    plain = prepare_reply(payload, exports).reply
    assert plain.text == "Báo cáo tuần"
    assert [(o.payload, o.label) for o in plain.options] == [("dir_ack:7", "Đã nhận")]
    assert plain.file is None

    local = prepare_reply({**payload, "file": {"ref": "charts/tuan.png", "kind": "photo"}}, exports)
    assert local.reply.file is not None and local.reply.file.data == b"\x89PNG fake"
    assert local.reply.file.kind == "photo" and local.note is None

    file_id = "BQACAgIAAxkBAAIBZ2Vx_fileid-123"
    remote = prepare_reply({**payload, "file": {"ref": file_id, "kind": "document"}}, exports)
    assert isinstance(remote.reply.file, RemoteFile) and remote.reply.file.ref == file_id

    url = prepare_reply(
        {"text": "x", "file": {"ref": "https://a.vn/b.jpg", "kind": "photo"}}, exports
    )
    assert isinstance(url.reply.file, RemoteFile) and url.reply.file.is_url

    # A path outside the folder is never read; a missing file leaves the text and a note.
    (tmp_path / "secret.txt").write_text("no")
    escaped = prepare_reply({"text": "x", "file": {"ref": "../secret.txt"}}, exports)
    assert escaped.reply.file is None
    assert escaped.reply.text == "x\n\n" + texts.DELIVERY_FILE_MISSING.format(name="secret.txt")
    assert escaped.note == "file not found: ../secret.txt"


def test_every_delivery_setting_is_documented_in_env_example() -> None:
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text(encoding="utf-8")
    for name in (
        "TELEGRAM_RATE_PER_SECOND",
        "TELEGRAM_PAID_BROADCAST",
        "ZALO_RATE_PER_SECOND",
        "DELIVERY_MAX_ATTEMPTS",
        "DELIVERY_LEASE_SECONDS",
        "EXPORTS_DIR",
    ):
        line = next(li for li in example.splitlines() if li.startswith(f"{name}="))
        above = example.splitlines()[example.splitlines().index(line) - 1]
        assert above.startswith("# "), name  # each setting has its one-line comment


def test_delivery_settings_have_defaults_and_refuse_bad_values() -> None:
    settings = load_settings(_env_file=None)
    assert settings.telegram_send_rate == 30.0
    assert settings.zalo_rate_per_second == 5.0
    assert settings.delivery_max_attempts == 8 and settings.delivery_lease_seconds == 60
    assert load_settings(_env_file=None, telegram_paid_broadcast=True).telegram_send_rate == 1000
    with pytest.raises(SettingsError, match="DELIVERY_LEASE_SECONDS"):
        load_settings(_env_file=None, delivery_lease_seconds=5)
    with pytest.raises(SettingsError, match="TELEGRAM_RATE_PER_SECOND"):
        load_settings(_env_file=None, telegram_rate_per_second=0)
    with pytest.raises(SettingsError, match="DELIVERY_MAX_ATTEMPTS"):
        load_settings(_env_file=None, delivery_max_attempts=0)


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
def test_offered_options_and_an_open_flow(db: Database, clock: FakeClock, channel: str) -> None:
    """On Telegram a member halfway through a flow keeps it (the message's buttons carry their
    own payloads); on Zalo numbers answer the message shown last, so the flow waits behind it.
    An expired flow is closed so it cannot swallow the answer; a new chat gets a state row."""
    from models import ConversationState
    from services.questions import SHOWN

    options = [{"id": "mtg:4:yes", "label": "Sẽ dự"}, {"id": "mtg:4:no", "label": "Xin vắng"}]
    with db.session() as session:
        session.add(
            ConversationState(
                channel=channel,
                chat_id="busy",
                user_id="busy",
                flow="chidao",
                step="text",
                options=[["a", "Cả chi bộ"]],
                expires_at=clock() + timedelta(minutes=5),
            )
        )
        session.add(
            ConversationState(
                channel=channel,
                chat_id="stale",
                user_id="stale",
                flow="chidao",
                step="text",
                data={"draft": "x"},
                expires_at=clock() - timedelta(minutes=1),
            )
        )
    with db.session() as session:
        now = clock()
        busy = outbox.offer_options(
            session, channel, "busy", "busy", options, now=now, numbered=channel == "zalo"
        )
        assert busy is (channel == "zalo")
        assert outbox.offer_options(
            session, channel, "stale", "stale", options, now=now, numbered=channel == "zalo"
        )
        assert outbox.offer_options(
            session, channel, "new", "new", options, now=now, numbered=channel == "zalo"
        )
    with db.session() as session:
        states = {
            s.chat_id: s
            for s in session.exec(
                select(ConversationState).where(ConversationState.channel == channel)
            )
        }
    offered = [["mtg:4:yes", "Sẽ dự"], ["mtg:4:no", "Xin vắng"]]
    if channel == "telegram":
        assert states["busy"].flow == "chidao" and states["busy"].options == [["a", "Cả chi bộ"]]
    else:
        busy_state = states["busy"]
        assert busy_state.flow is None and busy_state.options == offered
        assert [item["flow"]["flow"] for item in busy_state.pending] == ["chidao"]
        assert busy_state.pending[0]["flow"]["options"] == [["a", "Cả chi bộ"]]
    for chat in ("stale", "new"):
        assert states[chat].flow is None and states[chat].pending == []
        assert states[chat].options == offered and states[chat].nonce is None
        assert {k for k in states[chat].data if k != SHOWN} == set()


async def drain_as_run(app: App, channel: str, clock: FakeClock) -> WorkerStats:
    """The channel's worker, built as `sotay run` builds it, sends every pending row in
    virtual time; its counts for the caller to check."""
    worker = build_worker(
        app.settings,
        app.db,
        channel,
        WorkerOptions(concurrency=4, poll_interval=0.01, request_timeout=5.0),
    )
    virtual = VirtualTime(clock)
    worker.clock, worker.sleep = virtual.clock, virtual.sleep
    worker.heartbeat = None  # its sleeps would move virtual time on during database work
    async with worker.transport:  # type: ignore[attr-defined]
        return await asyncio.wait_for(worker.drain(), 10)


def test_a_429_counts_against_the_chat_only_when_a_chat_limit_is_plausible() -> None:
    """A 429 in a chat that got a message from this process within three intervals is that
    chat's; in a chat that got nothing lately, or at the moment another chat was refused
    too, it is the token's (a flood shows in every chat)."""
    start = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    account = TokenAccount(Pace(10.0), channel="telegram", rate_key="telegram:test")
    account.begin_send("111", 1)
    account.end_send("111", start, 1, opened=1, reached=True)
    later = start + timedelta(seconds=1.5)
    scope, until = account.note_429("111", later, 4.0)
    assert (scope, until) == (Scope.CHAT, later + timedelta(seconds=4))
    assert account.paused(later) is None  # nobody else waits
    assert account.chat_ready_at("111", later) == until and account.chat_ready_at("222", later)
    # A chat that got nothing lately: not its own limit.
    quiet = start + timedelta(seconds=20)
    assert account.note_429("333", quiet, None, default=1.0)[0] is Scope.TOKEN
    assert account.paused(quiet) == quiet + timedelta(seconds=1)
    # Two chats refused in the same moment: the token's, even where a chat limit is plausible.
    account.begin_send("444", 1)
    account.end_send("444", quiet + timedelta(seconds=3), 1, opened=1, reached=True)
    account.note_429("555", quiet + timedelta(seconds=3.1), 1.0, reached_now=True)
    moment = quiet + timedelta(seconds=3.3)
    assert account.note_429("444", moment, 1.0)[0] is Scope.TOKEN
    # Earlier parts of the same send just reached the chat: its limit is plausible.
    fresh = TokenAccount(Pace(10.0), channel="telegram", rate_key="telegram:test")
    assert fresh.note_429("666", start, 2.0, reached_now=True)[0] is Scope.CHAT


async def test_replies_come_first_and_the_outbox_leaves_them_a_reserve_while_members_chat() -> None:
    clock = FakeClock()
    time = VirtualTime(clock)
    account = TokenAccount(
        Pace(10.0), channel="telegram", rate_key="telegram:test", clock=clock, sleep=time.sleep
    )
    assert account.reserve == 2  # a fifth of the rate
    now = clock()
    for index in range(8):  # the outbox has eight messages in the token's second
        account.begin_send(str(index), 1)
    assert account.outbox_wait(now, 1) == timedelta(0)  # nobody chats: the ninth is the outbox's
    async with account.turn("900") as turn:  # a member chats: the reply takes the ninth
        await turn.before_call()
        turn.after_call()
        assert turn.calls == 1
    assert account.replies_active(clock())
    assert account.outbox_wait(clock(), 1) is None  # the last two are kept for replies
    for index in range(8):
        account.end_send(str(index), clock(), 1, opened=1, reached=True)
    assert account.outbox_wait(clock(), 1) is not None  # answered: they count for their second
    assert account.outbox_wait(clock() + timedelta(seconds=1), 1) == timedelta(0)
    # The chat that just got its answer waits its second, whoever sends next.
    assert account.chat_ready_at("900", clock()) == clock() + timedelta(seconds=1)
