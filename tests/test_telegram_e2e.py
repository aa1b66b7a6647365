"""The Telegram channel end to end: the real python-telegram-bot Application, polling or behind
the webhook server, talking HTTP to the fake Bot API server, over the real core and database.

Every test that touches the database runs on SQLite and on PostgreSQL (the `demo` fixture).
Time is kept short: retry backoff is shrunk, and the only real waits are Telegram's own
one-second retry_after and one slow answer.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

import migrations
from bot.app import App
from bot.features import registry as build_registry
from bot.retry import RetryPolicy
from bot.settings import Settings
from bot.telegram.runner import TelegramChannel, TelegramOptions, build_telegram, poll
from bot.telegram.webhook import SECRET_HEADER, TelegramWebhook
from bot.web import create_web_app
from handlers.context import CoreConfig
from handlers.core import Core
from handlers.messages import Incoming, Response
from handlers.registry import MAX_MENU_OPTIONS, Audience
from models import (
    ChatIdentity,
    ConversationState,
    Database,
    Member,
    MemberStatus,
    Unit,
    utcnow,
)
from services import texts
from services.demo import CELL_OFFICE, seed_demo
from services.identities import find_member
from services.invites import issue_invite
from services.meetings import texts as meeting_texts
from services.orgwrite import MemberValues, upsert_member
from tests.fake_telegram import BOT_USERNAME, TOKEN, FakeTelegram, utf16_len
from tests.support import FakeClock, child_env, get_when_listening, serving
from tests.test_delivery_support import enqueue_to, link_members

ROOT = Path(__file__).resolve().parents[1]
SECRET = "webhook-secret_0123456789abcdefghijk"
FAST = TelegramOptions(
    concurrency=8,
    poll_timeout=2,
    retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05),
    timeout=5,
)
ALLOWED = ["message", "callback_query", "my_chat_member"]

# PTB itself warns when it builds a RetryAfter with an int (its timedelta migration); not ours.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


# -- harness ------------------------------------------------------------------------------------
@dataclass
class Harness:
    """The running bot, the fake Telegram it talks to, and the database behind it."""

    fake: FakeTelegram
    channel: TelegramChannel
    db: Database
    clock: FakeClock

    def invite(self, member_code: str) -> str:
        with self.db.session() as session:
            member = find_member(session, member_code)
            assert member is not None
            code, _ = issue_invite(
                session,
                member,
                now=self.clock(),
                ttl=timedelta(days=14),
                secret=CoreConfig().invite_secret,
            )
        return code

    async def link(self, user: dict[str, Any], member_code: str) -> dict[str, Any]:
        """Onboard through the deep link: t.me/<bot>?start=CODE makes the app send /start CODE."""
        before = len(self.fake.bot_messages(user["id"]))
        self.fake.send_text(user, f"/start {self.invite(member_code)}")
        return await self.fake.wait_for_message(user["id"], "đã được liên kết với", after=before)

    def identity(self, user_id: int) -> ChatIdentity | None:
        with self.db.session() as session:
            return session.exec(
                select(ChatIdentity)
                .where(ChatIdentity.channel == "telegram")
                .where(ChatIdentity.external_id == str(user_id))
            ).first()

    def member_id(self, code: str) -> int:
        with self.db.session() as session:
            member = find_member(session, code)
            assert member is not None and member.id is not None
            return member.id

    async def say(self, user: dict[str, Any], text: str, expect: str, **kw: Any) -> dict:
        """Send `text` and wait for a new bot message containing `expect`."""
        chat_id = kw["chat"]["id"] if "chat" in kw else user["id"]
        before = len(self.fake.bot_messages(chat_id))
        self.fake.send_text(user, text, **kw)
        return await self.fake.wait_for_message(chat_id, expect, after=before)


def settings_for(fake: FakeTelegram, db: Database, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        telegram_api_base=fake.base_url,
        telegram_bot_username=BOT_USERNAME,
        database_url=db.url,
        **extra,
    )


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


async def _polling(
    fake: FakeTelegram, db: Database, core: Core, clock: FakeClock, options: TelegramOptions
) -> AsyncIterator[Harness]:
    settings = settings_for(fake, db)
    channel = build_telegram(settings, App(settings, db, core), options=options)
    stop = asyncio.Event()
    task = asyncio.create_task(poll(channel, stop, timeout=options.poll_timeout))
    await fake.wait_for(lambda: fake.calls_to("getUpdates", ok=None) or task.done(), what="polling")
    try:
        yield Harness(fake, channel, db, clock)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def bot(
    fake: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Harness]:
    async for harness in _polling(fake, demo, core, clock, FAST):
        yield harness


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def _answers(fake: FakeTelegram, update: dict[str, Any]) -> list[Any]:
    query_id = update["callback_query"]["id"]
    return [
        c for c in fake.calls_to("answerCallbackQuery") if c.params["callback_query_id"] == query_id
    ]


# -- onboarding and menus ---------------------------------------------------------------------
async def test_deep_link_links_member_and_gives_member_menus(bot: Harness) -> None:
    fake = bot.fake
    default = fake.commands["default"]
    member_commands = [
        c.name for c in build_registry().commands() if c.audience is Audience.MEMBER and c.in_menu
    ]
    assert [c["command"] for c in default] == [*member_commands, "huy"]
    assert {"help", "toi", "chibo"} <= set(member_commands)
    assert default[1]["description"] == texts.CMD_PROFILE

    user = fake.user(5001, "Cường", "Lê")
    welcome = await bot.link(user, "DV003")

    assert welcome["text"].startswith("Chào đồng chí Lê Văn Cường!")
    assert CELL_OFFICE in welcome["text"]
    identity = bot.identity(5001)
    assert identity is not None and identity.member_id == bot.member_id("DV003")
    keyboard = fake.reply_keyboards[5001]
    labels = [button["text"] for row in keyboard["keyboard"] for button in row]
    assert labels == [texts.TG_BUTTON_MENU, texts.TG_BUTTON_PROFILE, texts.TG_BUTTON_CELL]
    assert keyboard["is_persistent"] is True
    # A plain member has no list of their own: the default one applies.
    await fake.wait_for(lambda: fake.calls_to("deleteMyCommands"), what="deleteMyCommands")
    assert fake.calls_to("deleteMyCommands")[0].params["scope"] == {"type": "chat", "chat_id": 5001}
    assert "chat:5001" not in fake.commands

    # The reply-keyboard button stands for /toi.
    profile = await bot.say(user, texts.TG_BUTTON_PROFILE, "Mã đảng viên: DV003")
    assert "Họ tên: Lê Văn Cường" in profile["text"]


async def test_secretary_issues_invite_with_buttons_and_member_joins(bot: Harness) -> None:
    fake = bot.fake
    secretary = fake.user(5002, "An", "Nguyễn")
    await bot.link(secretary, "DV001")
    await fake.wait_for(lambda: "chat:5002" in fake.commands, what="secretary's menu")
    menu = {c["command"]: c["description"] for c in fake.commands["chat:5002"]}
    assert menu["moi"] == texts.CMD_INVITE
    assert {"help", "toi", "chibo", "huy"} <= set(menu)
    assert "donvi" not in menu

    prompt = await bot.say(secretary, "/moi", texts.INVITE_CHOOSE_MEMBER)
    labels = [b["text"] for b in _buttons(prompt)]
    assert "Lê Văn Cường" in labels
    assert "Nguyễn Văn An" not in labels  # already linked
    assert all(len(b["callback_data"].encode()) <= 64 for b in _buttons(prompt))

    chosen = next(b for b in _buttons(prompt) if b["text"] == "Lê Văn Cường")
    before = len(fake.bot_messages(5002))
    press = fake.press(secretary, prompt, chosen["callback_data"])
    issued = await fake.wait_for_message(5002, "Mã mời cho đồng chí Lê Văn Cường", after=before)

    assert [a.params.get("text") for a in _answers(fake, press)] == [None]
    edited = next(m for m in fake.bot_messages(5002) if m["message_id"] == prompt["message_id"])
    assert edited["text"].endswith(texts.CHOSEN.format(label="Lê Văn Cường"))
    assert "reply_markup" not in edited
    link = re.search(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Z0-9]+)", issued["text"])
    assert link is not None

    member = fake.user(5003, "Cường", "Lê")
    fake.send_text(member, f"/start {link.group(1)}")
    welcome = await fake.wait_for_message(5003, "Chào đồng chí Lê Văn Cường")
    assert CELL_OFFICE in welcome["text"]
    identity = bot.identity(5003)
    assert identity is not None and identity.member_id == bot.member_id("DV003")


async def test_the_menu_by_buttons_topics_quay_lai_and_a_stale_topic(bot: Harness) -> None:
    """/help's first screen, a topic opened by its button, a command run from it, "Quay lại",
    and a first-screen button pressed once a topic is on offer (stale)."""
    fake = bot.fake
    secretary = fake.user(5002, "An", "Nguyễn")
    await bot.link(secretary, "DV001")
    menu = await bot.say(secretary, "/help", texts.HELP_LIST)
    first = {b["text"]: b["callback_data"] for b in _buttons(menu)}
    assert 0 < len(first) <= MAX_MENU_OPTIONS
    assert all(len(data.encode()) <= 64 for data in first.values())
    meetings = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_MEETINGS)
    study = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_STUDY)
    assert {meetings, study, texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_CELL)} <= set(first)

    before = len(fake.bot_messages(5002))
    press = fake.press(secretary, menu, first[meetings])
    header = texts.MENU_TOPIC_HEADER.format(title=texts.TOPIC_MEETINGS)
    topic = await fake.wait_for_message(5002, header, after=before)
    labels = [b["text"] for b in _buttons(topic)]
    assert meeting_texts.CMD_MEETING_NEW in labels and texts.CMD_NEXT_MEETING in labels
    assert labels[-1] == texts.MENU_BACK and len(labels) <= MAX_MENU_OPTIONS
    await fake.wait_for(lambda: _answers(fake, press), what="answerCallbackQuery")
    edited = next(m for m in fake.bot_messages(5002) if m["message_id"] == menu["message_id"])
    assert edited["text"].endswith(texts.CHOSEN.format(label=texts.TOPIC_MEETINGS))
    assert "reply_markup" not in edited

    # The first screen's "Học tập" button, pressed now that the topic is on offer: stale.
    before = len(fake.bot_messages(5002))
    fake.press(secretary, menu, first[study])
    await fake.wait_for_message(5002, texts.STALE_BUTTON, after=before)
    # The topic's own buttons still work: "Quay lại" brings the same first screen back.
    back = next(b for b in _buttons(topic) if b["text"] == texts.MENU_BACK)
    before = len(fake.bot_messages(5002))
    fake.press(secretary, topic, back["callback_data"])
    again = await fake.wait_for_message(5002, texts.HELP_LIST, after=before)
    assert {b["text"]: b["callback_data"] for b in _buttons(again)} == first

    # A command from a topic runs as if typed.
    personal = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_PERSONAL)
    before = len(fake.bot_messages(5002))
    fake.press(secretary, again, first[personal])
    topic = await fake.wait_for_message(
        5002, texts.MENU_TOPIC_HEADER.format(title=texts.TOPIC_PERSONAL), after=before
    )
    profile = next(b for b in _buttons(topic) if b["text"] == texts.CMD_PROFILE)
    fake.press(secretary, topic, profile["callback_data"])
    await fake.wait_for_message(5002, "Mã đảng viên: DV001", after=before)


async def test_stale_and_forged_buttons_get_a_notice_and_change_nothing(bot: Harness) -> None:
    fake = bot.fake
    secretary = fake.user(5002, "An", "Nguyễn")
    await bot.link(secretary, "DV001")
    prompt = await bot.say(secretary, "/moi", texts.INVITE_CHOOSE_MEMBER)
    button = next(b for b in _buttons(prompt) if b["text"] == "Lê Văn Cường")
    fake.press(secretary, prompt, button["callback_data"])
    await fake.wait_for_message(5002, "Mã mời cho đồng chí Lê Văn Cường")
    sent_before = len(fake.calls_to("sendMessage"))
    edits_before = len(fake.calls_to("editMessageText", ok=None))

    stale = fake.press(secretary, prompt, button["callback_data"])
    wrong_nonce = fake.press(secretary, prompt, "ffffff:" + button["callback_data"].split(":")[1])
    for update in (stale, wrong_nonce):
        answers = await fake.wait_for(lambda u=update: _answers(fake, u), what="an answer")
        assert [a.params.get("text") for a in answers] == [texts.STALE_BUTTON]
    bot.clock.advance(minutes=5)
    oversized = fake.press(secretary, prompt, "x" * 80)
    answers = await fake.wait_for(lambda: _answers(fake, oversized), what="an answer")
    assert [a.params.get("text") for a in answers] == [texts.STALE_BUTTON]

    assert len(fake.calls_to("sendMessage")) == sent_before
    assert len(fake.calls_to("editMessageText", ok=None)) == edits_before
    # The oversized one never reached the core: the account was not even touched.
    identity = bot.identity(5002)
    assert identity is not None and identity.last_seen_at < bot.clock()
    with bot.db.session() as session:
        assert session.exec(select(sa.func.count()).select_from(Member)).one() == 16


async def test_member_names_are_escaped_and_long_lists_split_at_lines(bot: Harness) -> None:
    fake = bot.fake
    with bot.db.session() as session:
        cell = session.exec(select(Unit).where(Unit.name == CELL_OFFICE)).one()
        assert cell.id is not None
        odd = find_member(session, "DV004")
        assert odd is not None
        odd.full_name = 'Phạm <b>Thị</b> & "Dung" <3'
        session.add(odd)
        for i in range(200):
            upsert_member(
                session,
                MemberValues(
                    code=f"T{i:03d}",
                    full_name=f"Đảng viên thử nghiệm số {i:03d} – {'Nguyễn ' * 3}",
                    status=MemberStatus.OFFICIAL,
                    cell_id=cell.id,
                ),
                now=bot.clock(),
            )
    member = fake.user(5001, "Cường", "Lê")
    await bot.link(member, "DV003")
    before = len(fake.bot_messages(5001))
    fake.send_text(member, "/chibo")
    await fake.wait_for_message(5001, "số 199", after=before)

    parts = [m["text"] for m in fake.bot_messages(5001)[before:]]
    assert len(parts) >= 2
    assert parts[0].startswith(f"{CELL_OFFICE}: 208 đảng viên")
    assert all(utf16_len(p) <= 4096 for p in parts)
    lines = "\n".join(parts).split("\n")[1:]
    assert len(lines) == 208
    assert all(re.match(r"^\d+\. .+ – ", line) for line in lines)  # no line was cut
    assert any('Phạm <b>Thị</b> & "Dung" <3' in line for line in lines)


# -- faults -------------------------------------------------------------------------------------
async def test_flood_control_mid_conversation_waits_retry_after(bot: Harness) -> None:
    fake = bot.fake
    member = fake.user(5001, "Cường", "Lê")
    await bot.link(member, "DV003")
    fake.fail("sendMessage", 429, retry_after=1, chat_id=5001)

    await bot.say(member, "/toi", "Mã đảng viên: DV003")

    limited = fake.calls_to("sendMessage", ok=False)
    assert [c.status for c in limited] == [429]
    delivered = [c for c in fake.calls_to("sendMessage") if "DV003" in c.params["text"]]
    assert len(delivered) == 1
    assert delivered[0].at - limited[0].at >= 1.0


async def test_server_errors_are_retried_with_backoff(bot: Harness) -> None:
    fake = bot.fake
    member = fake.user(5001, "Cường", "Lê")
    await bot.link(member, "DV003")
    fake.fail("sendMessage", 502, times=2, chat_id=5001)

    await bot.say(member, "/toi", "Mã đảng viên: DV003")

    assert [c.status for c in fake.calls_to("sendMessage", ok=False)] == [502, 502]


async def test_blocked_user_is_marked_inactive_until_they_write_again(bot: Harness) -> None:
    fake = bot.fake
    member = fake.user(5001, "Cường", "Lê")
    await bot.link(member, "DV003")
    fake.block(5001)

    fake.send_text(member, "/toi")
    await fake.wait_for(lambda: fake.calls_to("sendMessage", ok=False), what="the 403")
    await fake.wait_for(lambda: not bot.identity(5001).active, what="identity inactive")
    assert fake.calls_to("sendMessage", ok=False)[0].status == 403

    fake.unblock(5001)
    await bot.say(member, "/toi", "Mã đảng viên: DV003")
    assert bot.identity(5001).active

    # Blocking is also announced as a my_chat_member update, before any send fails.
    fake.queue(fake.my_chat_member_update(member, "kicked"))
    await fake.wait_for(lambda: not bot.identity(5001).active, what="inactive after kicked")


async def test_timeout_is_retried_and_the_reply_arrives(
    fake: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> None:
    """A timed-out send may have been delivered: retrying can duplicate, never lose."""
    options = TelegramOptions(
        concurrency=4, poll_timeout=2, retry=RetryPolicy(base_delay=0.01), timeout=0.4
    )
    async for bot in _polling(fake, demo, core, clock, options):
        member = fake.user(5001, "Cường", "Lê")
        await bot.link(member, "DV003")
        fake.slow("sendMessage", 0.8)
        await bot.say(member, "/toi", "Mã đảng viên: DV003")
        profiles = [t for t in fake.texts(5001) if "Mã đảng viên: DV003" in t]
        # At least once; more only as retries of a timeout (a loaded machine may add one).
        assert 1 <= len(profiles) <= options.retry.attempts


class _ExplodingCore(Core):
    """Stands for a bug that escapes the core's own guard (the contract says it never raises)."""

    def handle_once(self, incoming: Incoming, key: str) -> Response | None:
        if incoming.text == "/boom":
            raise RuntimeError("bug in a handler")
        return super().handle_once(incoming, key)


async def test_an_escaped_exception_gets_an_apology_and_the_bot_keeps_serving(
    fake: FakeTelegram,
    demo: Database,
    core: Core,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    exploding = _ExplodingCore(
        demo, core.registry, config=core.config, clock=clock, onboarding=core.onboarding
    )
    async for bot in _polling(fake, demo, exploding, clock, FAST):
        member = fake.user(5001, "Cường", "Lê")
        await bot.link(member, "DV003")
        with caplog.at_level(logging.ERROR, logger="bot.telegram.adapter"):
            await bot.say(member, "/boom", texts.INTERNAL_ERROR)
        await bot.say(member, "/toi", "Mã đảng viên: DV003")

    failure = next(r for r in caplog.records if r.name == "bot.telegram.adapter")
    line = failure.getMessage()
    assert "kind=message chat=5001 user=5001" in line and "RuntimeError" in line
    assert "/boom" not in line and TOKEN not in caplog.text


# -- groups -------------------------------------------------------------------------------------
async def test_group_answers_only_addressed_commands_and_shows_nothing_private(
    bot: Harness,
) -> None:
    fake = bot.fake
    member = fake.user(5001, "Cường", "Lê")
    await bot.link(member, "DV003")
    group = fake.group(-1001234567890, "Chi bộ Văn phòng Sở")

    fake.send_text(member, "/toi", chat=group)  # not addressed: another bot may own /toi
    fake.send_text(member, "Chào cả chi bộ", chat=group)
    fake.send_text(member, "/toi@OtherBot", chat=group)
    addressed = fake.send_text(member, f"/toi@{BOT_USERNAME}", chat=group)
    first = await fake.wait_for_message(group["id"], texts.PRIVATE_ONLY)

    assert first["reply_to_message"]["message_id"] == addressed["message"]["message_id"]
    assert _buttons(first) == [
        {"text": texts.TG_OPEN_PRIVATE, "url": f"https://t.me/{BOT_USERNAME}"}
    ]
    # Replying to the bot counts as addressing it.
    second = await bot.say(member, "/chibo", texts.PRIVATE_ONLY, chat=group, reply_to=first)
    assert second["message_id"] != first["message_id"]

    group_texts = fake.texts(group["id"])
    assert group_texts == [texts.PRIVATE_ONLY, texts.PRIVATE_ONLY]
    assert group["id"] not in fake.reply_keyboards
    assert not any("DV003" in t or "Lê Văn Cường" in t for t in group_texts)


# -- files through the real PTB bot --------------------------------------------------------------
async def test_sender_sends_photo_and_document_with_escaped_captions(fake: FakeTelegram) -> None:
    from telegram import Bot

    from bot.telegram.sender import TelegramSender
    from handlers.messages import Option, OutFile, Reply

    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    fake.user(5001, "Cường", "Lê")
    async with Bot(TOKEN, base_url=f"{fake.base_url}/bot") as ptb:
        sender = TelegramSender(ptb)
        photo = await sender.send(
            5001,
            Reply(
                "Biểu đồ <tháng 11> & dự kiến",
                (Option("a1b2c3:ok", "Đã xem"),),
                OutFile("c.png", png, "photo"),
            ),
        )
        long_text = "\n\n".join(f"Đoạn {i}: " + "x" * 900 for i in range(6))
        document = await sender.send(
            5001, Reply(long_text, file=OutFile("bao-cao.xlsx", b"PK\x03\x04data"))
        )

    assert photo.ok and len(photo.message_ids) == 1
    (call,) = fake.calls_to("sendPhoto")
    assert call.files["photo"] == ("c.png", png)
    assert call.result["caption"] == "Biểu đồ <tháng 11> & dự kiến"
    assert _buttons(call.result) == [{"text": "Đã xem", "callback_data": "a1b2c3:ok"}]

    assert document.ok and len(document.message_ids) == 3  # two text parts, then the file
    (doc,) = fake.calls_to("sendDocument")
    assert doc.files["document"] == ("bao-cao.xlsx", b"PK\x03\x04data")
    assert "caption" not in doc.result
    assert "\n\n".join(fake.texts(5001)[1:3]) == long_text


# -- webhook ------------------------------------------------------------------------------------
@dataclass
class WebServer:
    url: str
    harness: Harness


@pytest.fixture
async def web(
    fake: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> AsyncIterator[WebServer]:
    """The Starlette webhook app served by a real uvicorn on an ephemeral port."""
    settings = settings_for(
        fake,
        demo,
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret=SECRET,
    )
    channel = build_telegram(settings, App(settings, demo, core), webhook=True, options=FAST)
    hook = TelegramWebhook(channel, secret=SECRET, url=settings.telegram_webhook_url)
    async with serving(create_web_app([hook])) as url:
        yield WebServer(url, Harness(fake, channel, demo, clock))


async def _post(web: WebServer, update: dict[str, Any], secret: str | None = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with httpx.AsyncClient(base_url=web.url) as client:
        answer = await client.post("/telegram/webhook", json=update, headers=headers)
    return answer.status_code


async def test_webhook_rejects_a_wrong_secret_and_serves_a_right_one(web: WebServer) -> None:
    fake, bot = web.harness.fake, web.harness
    hook = fake.webhook
    assert hook is not None
    assert hook["url"] == "https://bot.example.org/telegram/webhook"
    assert hook["secret_token"] == SECRET
    assert hook["allowed_updates"] == ALLOWED
    async with httpx.AsyncClient(base_url=web.url) as client:
        health = await client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}

    intruder = fake.user(6666, "Kẻ", "Giả")
    assert await _post(web, fake.message_update(intruder, "/start"), "wrong-secret") == 403
    assert await _post(web, fake.message_update(intruder, "/start"), None) == 403
    assert await _post(web, fake.message_update(intruder, "/start"), SECRET[:-1]) == 403

    member = fake.user(5001, "Cường", "Lê")
    code = bot.invite("DV003")
    assert await _post(web, fake.message_update(member, f"/start {code}")) == 200
    await fake.wait_for_message(5001, "Chào đồng chí Lê Văn Cường")

    assert bot.identity(6666) is None
    assert fake.bot_messages(6666) == []
    assert fake.calls_to("getUpdates", ok=None) == []


async def test_webhook_menu_button_flow(web: WebServer) -> None:
    fake, bot = web.harness.fake, web.harness
    member = fake.user(5001, "Cường", "Lê")
    assert await _post(web, fake.message_update(member, f"/start {bot.invite('DV003')}")) == 200
    await fake.wait_for_message(5001, "Chào đồng chí")
    assert await _post(web, fake.message_update(member, "/help")) == 200
    menu = await fake.wait_for_message(5001, "Các việc có thể làm")
    personal = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_PERSONAL)
    button = next(b for b in _buttons(menu) if b["text"] == personal)
    assert await _post(web, fake.callback_update(member, menu, button["callback_data"])) == 200
    topic = await fake.wait_for_message(
        5001, texts.MENU_TOPIC_HEADER.format(title=texts.TOPIC_PERSONAL)
    )
    button = next(b for b in _buttons(topic) if b["text"] == texts.CMD_PROFILE)

    press = fake.callback_update(member, topic, button["callback_data"])
    assert await _post(web, press) == 200
    await fake.wait_for_message(5001, "Mã đảng viên: DV003")
    await fake.wait_for(lambda: _answers(fake, press), what="answerCallbackQuery")
    edited = next(m for m in fake.bot_messages(5001) if m["message_id"] == topic["message_id"])
    assert edited["text"].endswith(texts.CHOSEN.format(label=texts.CMD_PROFILE))
    assert "reply_markup" not in edited


# -- the process ------------------------------------------------------------------------------
async def test_run_polling_stops_cleanly_on_sigterm(fake: FakeTelegram, tmp_path: Path) -> None:
    env = child_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=fake.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        LOG_LEVEL="INFO",
    )
    code = (
        "from bot.settings import load_settings\n"
        "from bot.telegram.runner import run_polling\n"
        "run_polling(load_settings())\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        await fake.wait_for(
            lambda: fake.calls_to("getUpdates", ok=None), timeout=30, what="polling"
        )
        stranger = fake.user(7001, "Bình")
        fake.send_text(stranger, "xin chào")
        await fake.wait_for_message(7001, "chưa được liên kết")
        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.to_thread(process.communicate, timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "telegram polling stopped" in err
    assert TOKEN not in err and TOKEN.split(":")[1] not in err
    last = fake.calls_to("getUpdates")[-1]
    assert last.at >= stopping and str(last.params.get("timeout")) == "0"
    with Database(env["DATABASE_URL"]).session() as session:
        assert session.exec(select(ConversationState)).first() is not None


async def test_serve_runs_the_webhook_server_until_sigterm(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """`serve(settings, host, port)` as the CLI runs it: setWebhook, healthz, an update, SIGTERM;
    and the outbox and the scheduler, which a webhook-only deployment relies on."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    migrations.upgrade(url)
    queued = Database(url)
    with queued.session() as session:
        seed_demo(session, now=utcnow())
    fake.user(7002, "Chi")  # a member who has started the bot before
    (member,) = link_members(queued, ["7002"], now=utcnow())
    enqueue_to(queued, [member], key="serve-outbox", now=utcnow(), text="Chỉ đạo qua webhook")
    queued.dispose()
    env = child_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=fake.base_url,
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        DATABASE_URL=url,
        LOG_LEVEL="INFO",
    )
    code = (
        "from bot.settings import load_settings\n"
        "from bot.web import serve\n"
        f"serve(load_settings(), '127.0.0.1', {port})\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        await fake.wait_for(lambda: fake.webhook, timeout=30, what="setWebhook")
        stranger = fake.user(7001, "Bình")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            health = await get_when_listening(client, "/healthz")
            posted = await client.post(
                "/telegram/webhook",
                json=fake.message_update(stranger, "xin chào"),
                headers={SECRET_HEADER: SECRET},
            )
        await fake.wait_for_message(7001, "chưa được liên kết")
        await fake.wait_for_message(7002, "Chỉ đạo qua webhook")  # the worker inside serve
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.to_thread(process.communicate, timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert health.status_code == 200 and posted.status_code == 200
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells the truth.
    assert process.returncode in (0, -signal.SIGTERM), err
    assert "Application.stop() complete" in err and "Application shutdown complete" in err
    assert "scheduler started" in err and "scheduler stopped" in err
    assert TOKEN.split(":")[1] not in err and SECRET not in err
    assert fake.webhook is not None and fake.webhook["secret_token"] == SECRET
