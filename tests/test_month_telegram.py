"""One cell month over Telegram: the real PTB adapter (polling the fake Bot API server) for what
people type and press, and the real delivery worker for what the core broadcasts (directive,
meeting invitation, resolution). Members answer the broadcasts with the inline buttons.

Runs on SQLite and PostgreSQL (the `demo` fixture). The worker runs in virtual time on the
test's clock, so Telegram's per-chat pacing costs no wall-clock time.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlmodel import select

from bot.delivery.service import WorkerOptions, build_worker
from handlers.core import Core
from models import Attendance, Database, Delivery, DirectiveRecipient, Meeting, Resolution
from services.directives import texts as directive_texts
from services.identities import find_member
from services.meetings import texts as meeting_texts
from tests.fake_telegram import FakeTelegram
from tests.meetings.test_flow_meetings import at_local
from tests.support import FakeClock
from tests.test_delivery_support import VirtualTime
from tests.test_telegram_e2e import FAST, Harness, _buttons, _polling, settings_for

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

SECRETARY = ("DV001", 6001, "An", "Nguyễn")
MEMBERS = (
    ("DV002", 6002, "Bình", "Trần"),
    ("DV003", 6003, "Cường", "Lê"),
    ("DV004", 6004, "Dung", "Phạm"),
    ("DV005", 6005, "Em", "Hoàng"),
)
DIRECTIVE = "Đề nghị các đồng chí nghiên cứu Chỉ thị 50-CT/TW trước buổi sinh hoạt."
RESOLUTION = "Nghị quyết tháng 12/2026: hoàn thành kế hoạch công tác năm; thu đảng phí quý IV."


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(
    fake: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Harness]:
    async for harness in _polling(fake, demo, core, clock, FAST):
        yield harness


# -- helpers ------------------------------------------------------------------------------------
async def _settle(
    fake: FakeTelegram, chat_id: int, before: int, expect: str | None = None
) -> dict[str, Any]:
    """Wait until the update was taken, the bot answered with a new message and went quiet;
    the new message holding `expect`, or the last one."""
    await fake.wait_for(
        lambda: fake.pending() == 0 and len(fake.bot_messages(chat_id)) > before,
        what=f"a reply in chat {chat_id}",
    )
    count, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 0.15:
        now = len(fake.bot_messages(chat_id))
        if now != count:
            count, quiet_since = now, time.monotonic()
        await asyncio.sleep(0.01)
    if expect is not None:
        return await fake.wait_for_message(chat_id, expect, after=before)
    return fake.bot_messages(chat_id)[-1]


async def _send(
    fake: FakeTelegram, user: dict[str, Any], text: str, expect: str | None = None
) -> dict[str, Any]:
    before = len(fake.bot_messages(user["id"]))
    fake.send_text(user, text)
    return await _settle(fake, user["id"], before, expect)


def _with_button(fake: FakeTelegram, chat_id: int, label: str) -> tuple[dict, dict]:
    """The newest bot message in the chat with a button labelled `label`, and that button."""
    for message in reversed(fake.bot_messages(chat_id)):
        for exact in (True, False):
            for button in _buttons(message):
                text = button["text"]
                if text == label or (not exact and text.startswith(label)):
                    return message, button
    raise AssertionError(f"no button {label!r} in chat {chat_id}: {fake.texts(chat_id)[-3:]}")


async def _press(
    fake: FakeTelegram, user: dict[str, Any], label: str, expect: str | None = None
) -> dict[str, Any]:
    message, button = _with_button(fake, user["id"], label)
    before = len(fake.bot_messages(user["id"]))
    fake.press(user, message, button["callback_data"])
    return await _settle(fake, user["id"], before, expect)


def _now_as_stored(fake: FakeTelegram, chat_id: int, message_id: int) -> dict[str, Any]:
    return next(m for m in fake.bot_messages(chat_id) if m["message_id"] == message_id)


async def _drain(bot: Harness, clock: FakeClock) -> None:
    """The real worker (built as `sotay run` builds it) sends every pending row, then stops."""
    worker = build_worker(
        settings_for(bot.fake, bot.db),
        bot.db,
        "telegram",
        WorkerOptions(concurrency=8, poll_interval=0.01, request_timeout=5.0),
    )
    virtual = VirtualTime(clock)
    worker.clock, worker.sleep = virtual.clock, virtual.sleep
    worker.heartbeat = None  # its sleeps would move virtual time on during database work
    async with worker.transport:  # type: ignore[attr-defined]
        stats = await asyncio.wait_for(worker.drain(), 20)
    assert stats.sent > 0 and stats.failed_final == stats.rejected == stats.blocked == 0


# -- the month ----------------------------------------------------------------------------------
async def test_one_month_over_telegram(bot: Harness, clock: FakeClock) -> None:
    fake, db = bot.fake, bot.db
    code, uid, first, last = SECRETARY
    secretary = fake.user(uid, first, last)
    await bot.link(secretary, code)
    members = {c: fake.user(u, f, la) for c, u, f, la in MEMBERS}
    for member_code, user in members.items():
        await bot.link(user, member_code)

    # 26/11 — the directive, sent with the inline buttons of the secretary's chat.
    await _send(fake, secretary, "/chidao")
    await _send(fake, secretary, DIRECTIVE)
    await _press(fake, secretary, "Toàn thể")
    sent = await _press(fake, secretary, "Gửi")
    assert "Đã gửi chỉ đạo đến 4 trong số 7 đảng viên (1 chi bộ)" in sent["text"], sent["text"]
    await _drain(bot, clock)

    for user in members.values():
        notice, button = _with_button(fake, user["id"], "Đã nhận")
        assert DIRECTIVE in notice["text"]
        before = len(fake.bot_messages(user["id"]))
        fake.press(user, notice, button["callback_data"])
        await fake.wait_for_message(user["id"], directive_texts.DIR_ACKED, after=before)
        await fake.wait_for(
            lambda u=user, n=notice: (
                "reply_markup" not in _now_as_stored(fake, u["id"], n["message_id"])
            ),
            what="the acknowledged directive's buttons removed",
        )
    await _send(fake, secretary, "/chidao_tinhhinh")
    status = await _send(fake, secretary, "1")
    assert f"Đã xác nhận “Đã nhận”: {len(members)}" in status["text"], status["text"]

    # The meeting on 19/12, scheduled through the adapter; invitations go out by the worker.
    await _send(fake, secretary, "/hop")
    await _press(fake, secretary, "Thường kỳ")
    await _send(fake, secretary, "14h 19/12/2026")
    await _press(fake, secretary, "Đến 16:00")
    await _send(fake, secretary, "Hội trường tầng 2, trụ sở Sở")
    await _press(fake, secretary, "Giữ chương trình")
    await _press(fake, secretary, meeting_texts.FLOW_LATER)  # no documents yet
    scheduled = await _press(fake, secretary, "Gửi thông báo")
    assert "Đã gửi thông báo họp đến 4 trong số 7 đảng viên." in scheduled["text"]
    await _drain(bot, clock)

    for user in members.values():
        invite, yes = _with_button(fake, user["id"], meeting_texts.MTG_ANSWER_YES)
        assert "19/12/2026" in invite["text"]
        before = len(fake.bot_messages(user["id"]))
        fake.press(user, invite, yes["callback_data"])
        await fake.wait_for_message(user["id"], "sẽ dự", after=before)
        await fake.wait_for(
            lambda u=user, m=invite: (
                "reply_markup" not in _now_as_stored(fake, u["id"], m["message_id"])
            ),
            what="the answered invitation's buttons removed",
        )
    await _send(fake, secretary, "/hop_quanly")
    answers = await _press(fake, secretary, "Ai sẽ dự", expect="• Sẽ dự")
    assert f"Sẽ dự ({len(members) + 1}): Nguyễn Văn An" in answers["text"], answers["text"]

    # 19/12, 13:50 — check-in: the code read out in the room, typed on its own.
    at_local(clock, 19, 12, 13, 50)
    await _send(fake, secretary, "/hop_quanly")
    opened = await _press(fake, secretary, "Mở điểm danh", expect="Mã điểm danh")
    found = re.search(r"Mã điểm danh: (\d{4})", opened["text"])
    assert found, opened["text"]
    for user in members.values():
        reply = await _send(fake, user, found.group(1), expect="Đã điểm danh")
        assert "Đã điểm danh" in reply["text"], reply["text"]
    await _send(fake, secretary, "/hop_quanly")
    await _press(fake, secretary, "Điểm danh từng người")
    await _press(fake, secretary, "Nguyễn Văn An")
    await _press(fake, secretary, "Có mặt")

    # 16:10 — the resolution: text, vote, publish; the worker delivers it.
    at_local(clock, 19, 12, 16, 10)
    await _send(fake, secretary, "/ketqua")
    await _press(fake, secretary, "Nghị quyết")
    await _send(fake, secretary, RESOLUTION)
    vote = await _press(fake, secretary, "Biểu quyết", expect="được biểu quyết")
    eligible = re.search(r"có mặt được biểu quyết: (\d+)", vote["text"])
    assert eligible, vote["text"]
    tally = await _send(fake, secretary, f"{eligible.group(1)} 0 0", expect="thông qua")
    assert "Nghị quyết được thông qua" in tally["text"], tally["text"]
    await _press(fake, secretary, "Gửi nghị quyết", expect="Gửi đến")
    published = await _press(fake, secretary, "Gửi", expect="Đã gửi nghị quyết")
    assert "Đã gửi nghị quyết đến 4 trong số 7 đảng viên" in published["text"]
    await _drain(bot, clock)

    for user in members.values():
        assert any("Nghị quyết tháng 12/2026" in t for t in fake.texts(user["id"]))

    # The database agrees.
    with db.session() as session:
        meeting = session.exec(select(Meeting)).one()
        present = {
            row.member_id
            for row in session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id))
            if row.status == "co_mat"
        }
        wanted = {code, *members}
        ids = {find_member(session, c).id for c in wanted}  # type: ignore[union-attr]
        assert ids <= present
        acked = session.exec(
            select(DirectiveRecipient).where(DirectiveRecipient.acknowledged_at.is_not(None))  # type: ignore[union-attr]
        ).all()
        assert len(acked) == len(members)
        resolution = session.exec(select(Resolution)).one()
        assert resolution.passed and resolution.published_at is not None
        pending = [d for d in session.exec(select(Delivery)) if d.status not in ("sent",)]
        assert [(d.chat_id, d.status, d.error) for d in pending] == []
