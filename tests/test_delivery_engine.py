"""The delivery engine against the fake Telegram Bot API, on SQLite and PostgreSQL.

Each test enqueues real outbox rows for linked members and lets a real worker (PTB underneath)
send them to the fake server; time is virtual (`VirtualTime`) so backoffs, 429 pauses and
per-chat pacing take no wall-clock time. Assertions read both sides: what the fake server
received, and what the outbox rows say.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.delivery.claims import FAILED, PENDING, SENDING, SENT, Pace
from models import (
    ChatIdentity,
    ConversationState,
    Database,
    Delivery,
    DeliveryPart,
    DeliveryRate,
)
from services.directives.rules import ACK
from tests.fake_telegram import ApiError, FakeTelegram
from tests.support import FakeClock
from tests.test_delivery_support import (
    TEXT,
    VirtualTime,
    enqueue_to,
    link_members,
    rows,
    telegram_worker,
    window_overruns,
)

BASE_CHAT = 700_000_000


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


def chats(fake: FakeTelegram, count: int, start: int = BASE_CHAT) -> list[str]:
    """`count` private chats that exist on the fake server."""
    ids = [start + i for i in range(count)]
    for chat in ids:
        fake.user(chat, f"Người {chat}")
    return [str(c) for c in ids]


def sent_texts(fake: FakeTelegram) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for call in fake.calls_to("sendMessage"):
        out.setdefault(int(call.params["chat_id"]), []).append(call.result["text"])
    return out


async def test_a_broadcast_reaches_every_member_once_and_keeps_message_ids(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, chats(telegram, 40), now=clock())
    assert enqueue_to(demo, members, key="dir:1", now=clock(), options=[(ACK(1), "Đã nhận")]) == 40
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time)
    async with worker.transport:  # type: ignore[attr-defined]
        stats = await worker.drain()

    # A row that woke late goes back for a new slot (no attempt used): claimed may exceed 40.
    assert stats.sent == 40 and stats.claimed - stats.released == 40
    assert stats.rate_limited == 0
    received = sent_texts(telegram)
    assert sorted(received) == sorted(int(m.chat) for m in members)
    assert all(texts == [TEXT] for texts in received.values())
    # The option is a real inline button, its payload the outbox option id.
    first = telegram.bot_messages(int(members[0].chat))[0]
    assert first["reply_markup"]["inline_keyboard"] == [
        [{"text": "Đã nhận", "callback_data": "dir_ack:1"}]
    ]
    by_chat = {m.chat: m for m in members}
    for row in rows(demo):
        assert row.status == SENT and row.attempts == 1 and row.error is None
        message = telegram.bot_messages(int(row.chat_id))[0]
        assert row.platform_message_id == str(message["message_id"])
        assert row.lease_until is None and row.sent_at is not None
        assert row.identity_id == by_chat[row.chat_id].identity_id
    with demo.session() as session:
        state = session.exec(
            select(ConversationState).where(ConversationState.chat_id == members[3].chat)
        ).one()
    assert state.options == [["dir_ack:1", "Đã nhận"]] and state.flow is None


async def test_paced_at_the_tokens_rate_in_virtual_time(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, chats(telegram, 31), now=clock())
    enqueue_to(demo, members, key="dir:rate", now=clock())
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time, rate=10.0, timed=True)
    async with worker.transport:  # type: ignore[attr-defined]
        await worker.drain()
    spans = worker.transport.spans  # type: ignore[attr-defined]
    starts = sorted(start for start, _answer in spans)
    assert len(starts) == 31
    # Never a start that the platform could count as the 11th in a second...
    assert window_overruns(spans, 10) == 0
    # ...and the schedule kept: 1/rate apart with the thin margin of a worker alone.
    spacing = Pace(10.0).spacing_for(shared=False).total_seconds()
    assert 0.1 < spacing < Pace(10.0).spacing.total_seconds()
    assert (starts[-1] - starts[0]).total_seconds() == pytest.approx(30 * spacing, abs=0.05)


async def test_slow_answers_hold_sends_back_so_no_second_can_count_too_many(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    """Sends 5 to 9 are answered 0.6 s late (a congested link): the platform may have counted
    them at any moment until their answer, so they stay in the worker's count longer and later
    sends wait; the schedule's margin alone would have let them go."""
    members = link_members(demo, chats(telegram, 41), now=clock())
    enqueue_to(demo, members, key="dir:slow", now=clock())
    time = VirtualTime(clock)
    worker = telegram_worker(
        demo,
        telegram,
        time=time,
        rate=10.0,
        timed=True,
        latency=lambda number: 0.6 if 5 <= number < 10 else 0.0,
    )
    async with worker.transport:  # type: ignore[attr-defined]
        await worker.drain()
    spans = worker.transport.spans  # type: ignore[attr-defined]
    starts = sorted(start for start, _answer in spans)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    spacing = Pace(10.0).spacing_for(shared=False).total_seconds()
    assert len(starts) == 41 and window_overruns(spans, 10) == 0
    assert max(gaps) > 2 * spacing  # held back by the slow answers
    assert min(gaps) >= spacing / 2 - 1e-6  # never faster than twice the pace
    # Held back no longer than the slow answers warrant (their 0.6 s and their second).
    assert (starts[-1] - starts[0]).total_seconds() < 40 * spacing + 1.6


async def test_a_stalled_worker_makes_up_the_time_at_up_to_twice_the_pace(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    """The 6th send blocks the event loop for 0.3 s (a slow thread, a garbage collection):
    the rows whose slots passed meanwhile go at up to twice the pace, so the broadcast ends
    about when its schedule said, and no second holds more than the rate."""
    members = link_members(demo, chats(telegram, 31), now=clock())
    enqueue_to(demo, members, key="dir:stall", now=clock())
    time = VirtualTime(clock)
    worker = telegram_worker(
        demo, telegram, time=time, rate=10.0, timed=True, stall=lambda n: 0.3 if n == 5 else 0
    )
    async with worker.transport:  # type: ignore[attr-defined]
        await worker.drain()
    spans = worker.transport.spans  # type: ignore[attr-defined]
    starts = sorted(start for start, _answer in spans)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    spacing = Pace(10.0).spacing_for(shared=False).total_seconds()
    assert len(starts) == 31 and window_overruns(spans, 10) == 0
    assert min(gaps) >= spacing / 2 - 1e-6 and max(gaps) >= 0.3
    assert sum(1 for gap in gaps if gap < 0.9 * spacing) >= 3  # the catching up
    assert (starts[-1] - starts[0]).total_seconds() < 30 * spacing + 0.15


async def test_a_reply_of_two_messages_takes_two_slots(
    demo: Database, telegram: FakeTelegram, clock: FakeClock, tmp_path: Path
) -> None:
    """A text too long to be a caption goes before its document: two calls per member, so a
    broadcast of them runs at half the rows per second, and the count stays under the rate."""
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "bao_cao.xlsx").write_bytes(b"PK workbook")
    members = link_members(demo, chats(telegram, 12), now=clock())
    text = "Nội dung chỉ đạo chi tiết. " * 60  # > 1024 characters: not a caption
    enqueue_to(demo, members, key="dir:two", now=clock(), text=text, file_ref="bao_cao.xlsx")
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time, rate=10.0, timed=True, exports_dir=exports)
    async with worker.transport:  # type: ignore[attr-defined]
        await worker.drain()
    spans = worker.transport.spans  # type: ignore[attr-defined]
    starts = sorted(start for start, _answer in spans)
    assert len(telegram.calls_to("sendMessage")) == len(telegram.calls_to("sendDocument")) == 12
    assert window_overruns(spans, 10, calls=2) == 0
    spacing = Pace(10.0).spacing_for(shared=False).total_seconds()
    assert (starts[-1] - starts[0]).total_seconds() >= 11 * 2 * spacing - 0.3


async def test_429_pauses_the_whole_token_for_retry_after_then_sends_everything(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, chats(telegram, 12), now=clock())
    enqueue_to(demo, members, key="dir:429", now=clock())
    telegram.fail("sendMessage", 429, retry_after=5, chat_id=int(members[2].chat))
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time, rate=10.0, timed=True)
    async with worker.transport:  # type: ignore[attr-defined]
        stats = await worker.drain()

    assert stats.rate_limited == 1 and stats.sent == 12
    refused = telegram.calls_to("sendMessage", ok=False)
    assert [(c.status, int(c.params["chat_id"])) for c in refused] == [(429, int(members[2].chat))]
    assert len(telegram.calls_to("sendMessage")) == 12  # nothing lost, nothing doubled
    with demo.session() as session:
        rate = session.exec(select(DeliveryRate)).one()
    assert rate.paused_until is not None
    pause_start = rate.paused_until - timedelta(seconds=5)
    # Every send that started after the 429 came back waited for the pause to end.
    starts = worker.transport.starts  # type: ignore[attr-defined]
    after = [at for at, _chat in starts if at > pause_start]
    assert after and min(after) >= rate.paused_until
    by_chat = {r.chat_id: r for r in rows(demo)}
    limited = by_chat[members[2].chat]
    # The 429 did not use up an attempt; the row was sent after the pause.
    assert limited.status == SENT and limited.attempts == 1
    assert limited.sent_at is not None and limited.sent_at >= rate.paused_until


async def test_5xx_is_retried_with_growing_backoff_then_sent(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, chats(telegram, 3), now=clock())
    enqueue_to(demo, members, key="dir:5xx", now=clock())
    flaky = members[1].chat
    telegram.fail("sendMessage", 502, times=2, chat_id=int(flaky))
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time, timed=True)
    async with worker.transport:  # type: ignore[attr-defined]
        stats = await worker.drain()

    assert stats.transient == 2 and stats.sent == 3
    tries = worker.transport.times_for(flaky)  # type: ignore[attr-defined]
    assert len(tries) == 3
    first_wait = (tries[1] - tries[0]).total_seconds()
    second_wait = (tries[2] - tries[1]).total_seconds()
    assert 1.0 <= first_wait <= 2.3 and 2.0 <= second_wait <= 4.3  # base 2 s, doubling, jitter
    row = {r.chat_id: r for r in rows(demo)}[flaky]
    assert row.status == SENT and row.attempts == 3 and row.error is None
    assert sent_texts(telegram)[int(flaky)] == [TEXT]


async def test_5xx_until_max_attempts_fails_with_the_reason(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, chats(telegram, 2), now=clock())
    enqueue_to(demo, members, key="dir:down", now=clock())
    broken = members[0].chat
    telegram.fail("sendMessage", 500, times=10, chat_id=int(broken))
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time, max_attempts=3)
    async with worker.transport:  # type: ignore[attr-defined]
        stats = await worker.drain()

    assert stats.failed_final == 1 and stats.sent == 1
    calls = [c for c in telegram.calls_to("sendMessage", ok=None) if c.params["chat_id"] == broken]
    assert len(calls) == 3 and all(c.status == 500 for c in calls)
    row = {r.chat_id: r for r in rows(demo)}[broken]
    assert row.status == FAILED and row.attempts == 3
    assert row.error is not None
    assert row.error.startswith("gave up after 3 attempts") and "Internal Server Error" in row.error


async def test_a_member_who_blocked_the_bot_fails_for_good_and_goes_inactive(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, chats(telegram, 3), now=clock())
    blocked = members[1]
    telegram.block(int(blocked.chat))
    enqueue_to(demo, members, key="dir:a", now=clock())
    enqueue_to(demo, [blocked], key="dir:b", now=clock(), text="Tin thứ hai")
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time)
    async with worker.transport:  # type: ignore[attr-defined]
        stats = await worker.drain()

    assert stats.blocked == 1 and stats.sent == 2
    mine = [r for r in rows(demo) if r.chat_id == blocked.chat]
    assert [r.status for r in mine] == [FAILED, FAILED]
    assert "blocked" in (mine[0].error or "") and mine[0].attempts == 1
    assert mine[1].error == "not sent: the member blocked the bot" and mine[1].attempts == 0
    # One call only: the 403 is never retried and the second message is not even tried.
    tried = [
        c for c in telegram.calls_to("sendMessage", ok=None) if c.params["chat_id"] == blocked.chat
    ]
    assert [c.status for c in tried] == [403]
    with demo.session() as session:
        identity = session.get(ChatIdentity, blocked.identity_id)
        assert identity is not None and identity.active is False


async def test_400_fails_with_the_reason_and_is_not_retried(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, [*chats(telegram, 2), "555"], now=clock())  # 555: no such chat
    enqueue_to(demo, members, key="dir:400", now=clock())
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time)
    async with worker.transport:  # type: ignore[attr-defined]
        stats = await worker.drain()

    assert stats.rejected == 1 and stats.sent == 2 and stats.transient == 0
    row = {r.chat_id: r for r in rows(demo)}["555"]
    assert row.status == FAILED and row.attempts == 1
    assert row.error == "BadRequest: Chat not found"
    assert len([c for c in telegram.calls if c.params.get("chat_id") == "555"]) == 1


async def test_a_timeout_is_retried_and_noted_as_maybe_delivered(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, chats(telegram, 1), now=clock())
    enqueue_to(demo, members, key="dir:slow", now=clock())
    telegram.slow("sendMessage", 1.0)  # answers after the client gave up, but delivers
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time, timeout=0.5)
    async with worker.transport:  # type: ignore[attr-defined]
        stats = await worker.drain()

    # The slow answer times out; on a busy machine a retry may time out too (the timeout is
    # real time), so the figures are read from what happened, not fixed in advance.
    assert stats.timed_out >= 1 and stats.sent == 1
    # The documented cost of "maybe delivered": every timed-out send still completes on the
    # server after the client gave up, so the member has it once per try.
    tries = stats.timed_out + stats.sent
    await telegram.wait_for(lambda: len(telegram.calls_to("sendMessage")) == tries)
    assert sent_texts(telegram)[int(members[0].chat)] == [TEXT] * tries
    row = rows(demo)[0]
    assert row.status == SENT and row.attempts == 2
    assert row.error == "sent; an earlier attempt timed out and may have arrived too"


async def test_a_split_message_resumes_after_the_last_accepted_part(
    demo: Database, telegram: FakeTelegram, clock: FakeClock, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "bao_cao.xlsx").write_bytes(b"PK fake workbook")
    members = link_members(demo, chats(telegram, 1), now=clock())
    long_text = "Nội dung chỉ đạo chi tiết. " * 60  # > 1024: text first, then the file
    enqueue_to(demo, members, key="dir:file", now=clock(), text=long_text, file_ref="bao_cao.xlsx")
    telegram.fail("sendDocument", 502)
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time, exports_dir=exports)
    async with worker.transport:  # type: ignore[attr-defined]
        await worker.drain()

    chat = int(members[0].chat)
    messages = telegram.bot_messages(chat)
    # The text went once; only the document was tried again.
    assert [("text" in m, "document" in m) for m in messages] == [(True, False), (False, True)]
    assert messages[1]["document"]["file_name"] == "bao_cao.xlsx"
    row = rows(demo)[0]
    assert row.status == SENT and row.attempts == 2
    assert row.platform_message_id == str(messages[1]["message_id"])
    with demo.session() as session:
        parts = session.exec(select(DeliveryPart).order_by(DeliveryPart.part)).all()  # type: ignore[arg-type]
    assert [(p.part, p.platform_message_id) for p in parts] == [
        (0, str(messages[0]["message_id"])),
        (1, str(messages[1]["message_id"])),
    ]


class FileIdTelegram(FakeTelegram):
    """The fake Bot API, also accepting a file by the id of a file it already holds, as
    Telegram does (the base fake only takes uploads); an unknown id gets Telegram's 400."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.known_files: set[str] = set()

    def _file(self, kind: str, params: dict[str, Any], files: dict[str, Any]) -> tuple[str, bytes]:
        value = params.get(kind)
        if isinstance(value, str) and kind not in files and not value.startswith("attach://"):
            if value not in self.known_files:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return value, b"held by the server"
        return super()._file(kind, params, files)


async def test_a_telegram_file_id_is_sent_as_a_document_by_reference(
    demo: Database, clock: FakeClock
) -> None:
    with FileIdTelegram() as telegram:
        members = link_members(demo, chats(telegram, 2), now=clock())
        file_id = "BQACAgIAAxkBAAIBZ2VxFileIdFromAnUpload"
        telegram.known_files.add(file_id)
        enqueue_to(demo, members[:1], key="dir:fid", now=clock(), text="Tài liệu", file_ref=file_id)
        gone = "BQACAgIAAxkBAAIBZ2VxFileIdNoLongerThere"
        enqueue_to(demo, members[1:], key="dir:gone", now=clock(), text="Tài liệu", file_ref=gone)
        worker = telegram_worker(demo, telegram, time=VirtualTime(clock))
        async with worker.transport:  # type: ignore[attr-defined]
            await worker.drain()
        calls = telegram.calls_to("sendDocument", ok=None)
    # The id travels as the document itself (Telegram resends its own file); no upload.
    sent_as = {c.params["document"]: (c.files, c.params["caption"]) for c in calls}
    assert len(calls) == 2 and sent_as == {file_id: ({}, "Tài liệu"), gone: ({}, "Tài liệu")}
    by_chat = {r.chat_id: r for r in rows(demo)}
    sent, failed = by_chat[members[0].chat], by_chat[members[1].chat]
    assert sent.status == SENT and sent.platform_message_id is not None
    assert failed.status == FAILED and failed.attempts == 1
    assert failed.error == "BadRequest: Wrong file identifier/http url specified"


async def test_per_chat_pacing_one_a_second_private_three_seconds_group(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    private, other = chats(telegram, 2)
    group = "-1001234567890"
    telegram.group(int(group), "Chi bộ Văn phòng Sở")
    members = link_members(demo, [private, other, group], now=clock())
    for n in range(3):
        enqueue_to(demo, [members[0], members[2]], key=f"burst:{n}", now=clock(), text=f"Tin {n}")
    enqueue_to(demo, [members[1]], key="single", now=clock(), text="Tin lẻ")
    time = VirtualTime(clock)
    worker = telegram_worker(demo, telegram, time=time, timed=True)
    async with worker.transport:  # type: ignore[attr-defined]
        await worker.drain()

    timed = worker.transport  # type: ignore[attr-defined]
    for chat, least in ((private, 1.0), (group, 3.0)):
        starts = timed.times_for(chat)
        assert len(starts) == 3
        assert all((b - a).total_seconds() >= least for a, b in itertools.pairwise(starts))
        assert [m["text"] for m in telegram.bot_messages(int(chat))] == ["Tin 0", "Tin 1", "Tin 2"]
    # The other member was not held back behind the busy chats.
    first = min(at for at, _chat in timed.starts)
    assert (timed.times_for(other)[0] - first).total_seconds() < 0.2


async def test_stop_releases_claimed_rows_and_a_new_worker_finishes_without_doubles(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    """Half-way stop, then a crash left rows in `sending`: nothing lost, doubles only where the
    send was in flight when the worker died."""
    members = link_members(demo, chats(telegram, 30), now=clock())
    enqueue_to(demo, members, key="dir:restart", now=clock())
    time = VirtualTime(clock)
    first = telegram_worker(demo, telegram, time=time)
    stop = asyncio.Event()

    async def stop_half_way() -> None:
        await telegram.wait_for(lambda: len(telegram.calls_to("sendMessage")) >= 12)
        stop.set()

    async with first.transport:  # type: ignore[attr-defined]
        watcher = asyncio.create_task(stop_half_way())
        await first.drain(stop)
        await watcher
    after_stop = rows(demo)
    assert not [r for r in after_stop if r.status == SENDING], "a stop leaves nothing leased"
    sent_first = {r.chat_id for r in after_stop if r.status == SENT}
    assert 12 <= len(sent_first) < 30
    assert first.stats.released > 0  # claimed rows that were waiting for their slot

    # Now a crash: one row was in flight (the platform has it, the outbox does not know),
    # one was claimed but not yet sent; both still leased to the dead worker.
    lease_end = clock() + timedelta(seconds=60)
    with demo.session() as session:
        pending = session.exec(
            select(Delivery).where(Delivery.status == PENDING).order_by(Delivery.id)  # type: ignore[arg-type]
        ).all()
        unsent = pending[0]
        in_flight = session.exec(
            select(Delivery).where(Delivery.status == SENT).order_by(Delivery.id)  # type: ignore[arg-type]
        ).first()
        assert in_flight is not None
        for row in (unsent, in_flight):
            row.status, row.lease_owner = SENDING, "dead-worker"
            row.lease_until = lease_end
            row.attempts += 1
            session.add(row)
        in_flight_chat, unsent_chat = in_flight.chat_id, unsent.chat_id

    second = telegram_worker(demo, telegram, time=time)
    async with second.transport:  # type: ignore[attr-defined]
        await second.drain()
    final = rows(demo)
    assert all(r.status == SENT for r in final)
    received = sent_texts(telegram)
    assert sorted(received) == sorted(int(m.chat) for m in members)  # nothing lost
    doubled = {chat for chat, texts in received.items() if len(texts) > 1}
    assert doubled == {int(in_flight_chat)}  # the in-flight one only
    assert len(received[int(unsent_chat)]) == 1
    # The leased rows waited for their lease to end before anyone touched them.
    by_chat = {r.chat_id: r for r in final}
    for chat in (unsent_chat, in_flight_chat):
        sent_at = by_chat[chat].sent_at
        assert sent_at is not None and sent_at >= lease_end


async def test_paid_broadcast_asks_for_it_on_every_message(
    demo: Database, telegram: FakeTelegram, clock: FakeClock
) -> None:
    members = link_members(demo, chats(telegram, 3), now=clock())
    enqueue_to(demo, members, key="dir:paid", now=clock())
    worker = telegram_worker(
        demo, telegram, time=VirtualTime(clock), rate=1000, paid_broadcast=True
    )
    async with worker.transport:  # type: ignore[attr-defined]
        await worker.drain()
    calls = telegram.calls_to("sendMessage")
    assert len(calls) == 3 and all(c.params.get("allow_paid_broadcast") is True for c in calls)


async def test_the_same_file_is_uploaded_once_then_sent_by_its_file_id(
    demo: Database, telegram: FakeTelegram, clock: FakeClock, tmp_path: Path
) -> None:
    """A committee's weekly chart goes to each of its members: the bytes travel once, the
    other chats get Telegram's file id. An id Telegram no longer honours means a new upload."""
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "bieu_do.png").write_bytes(b"\x89PNG chart bytes")
    members = link_members(demo, chats(telegram, 3), now=clock())
    enqueue_to(
        demo,
        members,
        key="stats:w1",
        now=clock(),
        text="Thống kê tuần",
        file_ref="bieu_do.png",
        file_kind="photo",
    )
    worker = telegram_worker(demo, telegram, time=VirtualTime(clock), exports_dir=exports)
    async with worker.transport:  # type: ignore[attr-defined]
        await worker.drain()
        photos = telegram.calls_to("sendPhoto")
        assert len(photos) == 3 and all(c.ok for c in photos)
        assert [bool(c.files) for c in photos] == [True, False, False]
        assert {c.params["photo"] for c in photos[1:]} <= set(telegram.issued_files)
        assert all(r.status == SENT for r in rows(demo))

        # The server forgets its files (another bot token, a purge): upload again, once.
        telegram.issued_files.clear()
        enqueue_to(
            demo,
            members[:2],
            key="stats:w2",
            now=clock(),
            text="Thống kê tuần",
            file_ref="bieu_do.png",
            file_kind="photo",
        )
        await worker.drain()
    later = telegram.calls_to("sendPhoto", ok=None)[3:]
    uploads = [c for c in later if c.files]
    refused = [c for c in later if not c.ok]
    assert len(uploads) == 1 and uploads[0].ok  # one new upload, whoever noticed first
    assert 1 <= len(refused) <= 2 and not any(c.files for c in refused)  # the old id, tried
    by_id = [c for c in later if c.ok and not c.files]
    assert len(by_id) == 1 and by_id[0].params["photo"] in telegram.issued_files
    assert all(r.status == SENT for r in rows(demo))
