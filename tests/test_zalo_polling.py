"""Zalo end to end by polling: fake Bot API over HTTP ↔ real client, runner, core, database.

Each test runs on SQLite and on PostgreSQL. A scripted member pushes updates into the fake
server and reads back what the bot really sent. Directive acknowledgement and attendance
answers on Zalo wait for those flows to exist.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.app import App
from bot.retry import RetryPolicy
from bot.settings import Settings
from bot.zalo.client import ZaloClient
from bot.zalo.errors import ZaloUnauthorized
from bot.zalo.runner import poll_forever, serve_polling
from handlers.context import CoreConfig
from handlers.core import Core
from handlers.messages import Incoming, Response
from models import ChatIdentity, Database, utcnow
from services import texts
from services.identities import find_member
from services.invites import issue_invite
from tests.fake_zalo import (
    TOKEN,
    FakeZalo,
    image_update,
    running_fake_zalo,
    sticker_update,
    text_update,
)
from tests.support import FakeClock

SLEEPS: list[float] = []


async def _recorded_sleep(seconds: float) -> None:
    SLEEPS.append(seconds)
    await asyncio.sleep(seconds)


FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, sleep=_recorded_sleep)


def zalo_settings(fake: FakeZalo, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "zalo_bot_token": TOKEN,
        "zalo_api_base": fake.url,
        # The key every CoreConfig() of this process hashes invites with, so `invite` works
        # for a core built by the test and for one built from these settings alike.
        "invite_secret": CoreConfig().invite_secret,
        **extra,
    }
    return Settings(_env_file=None, **values)


def invite(db: Database, clock: Callable[[], datetime], code: str) -> str:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        invite_code, _ = issue_invite(
            session, member, now=clock(), ttl=timedelta(days=14), secret=CoreConfig().invite_secret
        )
    return invite_code


def identity(db: Database, user_id: str) -> ChatIdentity | None:
    with db.session() as session:
        return session.exec(
            select(ChatIdentity)
            .where(ChatIdentity.channel == "zalo")
            .where(ChatIdentity.external_id == user_id)
        ).first()


def digit_of(menu: str, label: str) -> str:
    """The number the bot put in front of `label` in a numbered list."""
    match = re.search(rf"^(\d+)\. {re.escape(label)}$", menu, re.M)
    assert match, f"{label!r} not offered in:\n{menu}"
    return match.group(1)


@dataclass
class ZaloUser:
    """One Zalo account chatting with the bot through the fake server."""

    fake: FakeZalo
    user_id: str
    name: str = "Người dùng Zalo"

    async def say(self, text: str) -> str:
        return await self.send(text_update(self.user_id, text, name=self.name))

    async def send(self, update: dict[str, Any]) -> str:
        """Push the update, wait until the poller has answered it; the replies, joined."""
        before = len(self.fake.sent(self.user_id))
        self.fake.push(update)
        await self.fake.settled(update["message"]["message_id"])
        return "\n---\n".join(self.fake.sent(self.user_id)[before:])


@dataclass
class Running:
    fake: FakeZalo
    app: App
    task: asyncio.Task[None]

    def user(self, user_id: str, name: str = "Người dùng Zalo") -> ZaloUser:
        return ZaloUser(self.fake, user_id, name)

    async def linked(self, user_id: str, code: str, clock: FakeClock) -> ZaloUser:
        user = self.user(user_id)
        welcome = await user.say(invite(self.app.db, clock, code))
        assert "Tài khoản đã được liên kết" in welcome
        return user


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo(empty_wait=0.2) as server:
        yield server


@pytest.fixture
async def bot(demo: Database, core: Core, fake: FakeZalo) -> AsyncIterator[Running]:
    app = App(settings=zalo_settings(fake), db=demo, core=core)
    stop = asyncio.Event()
    async with ZaloClient(TOKEN, fake.url, policy=FAST, poll_interval=0.0) as client:
        task = asyncio.create_task(poll_forever(app, client, stop))
        yield Running(fake, app, task)
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_onboarding_with_a_code_then_a_menu_answered_with_a_digit(
    bot: Running, clock: FakeClock
) -> None:
    user = bot.user("zl-cuong", name="Cường Lê")
    assert "chưa được liên kết" in await user.say("xin chào")
    code = invite(bot.app.db, clock, "DV003")
    welcome = await user.say(f"{code[:5].lower()} {code[5:]}")
    assert "Lê Văn Cường" in welcome and "Chi bộ Văn phòng Sở" in welcome
    linked = identity(bot.app.db, "zl-cuong")
    assert linked is not None and linked.member_id is not None
    assert linked.display_name == "Cường Lê" and linked.chat_id == "zl-cuong"

    menu = await user.say("/help")
    assert menu.rstrip().endswith(texts.OPTION_HINT)
    personal = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_PERSONAL)
    topic = await user.say(digit_of(menu, personal))
    profile = await user.say(digit_of(topic, texts.CMD_PROFILE))
    assert "Mã đảng viên: DV003" in profile and "Tình trạng: chính thức" in profile
    # "menu" (or 0) brings the numbered menu back, as there are no buttons to press.
    assert digit_of(await user.say("menu"), personal)


async def test_secretary_invites_a_member_by_digits_and_the_code_links_them(
    bot: Running, clock: FakeClock
) -> None:
    secretary = await bot.linked("zl-an", "DV001", clock)
    choices = await secretary.say("/moi")
    assert texts.INVITE_CHOOSE_MEMBER in choices and texts.OPTION_HINT in choices
    issued = await secretary.say(digit_of(choices, "Lê Văn Cường"))
    match = re.search(r"Mã mời cho đồng chí Lê Văn Cường: ([A-Z0-9]{10})", issued)
    assert match, issued
    newcomer = bot.user("zl-cuong")
    assert "Chào đồng chí Lê Văn Cường" in await newcomer.say(match.group(1))
    assert "Mã đảng viên: DV003" in await newcomer.say("/toi")


async def test_a_wrong_digit_is_asked_again_and_the_flow_goes_on(
    bot: Running, clock: FakeClock
) -> None:
    secretary = await bot.linked("zl-an", "DV001", clock)
    choices = await secretary.say("/moi")
    offered = len(re.findall(r"^\d+\. ", choices, re.M))
    assert await secretary.say("99") == texts.CHOOSE_NUMBER.format(count=offered)
    assert "Mã mời cho đồng chí" in await secretary.say("1")


async def test_a_redelivered_update_is_answered_once(bot: Running, clock: FakeClock) -> None:
    member = await bot.linked("zl-cuong", "DV003", clock)
    assert "DV003" in await member.say("/toi")
    answered = len(bot.fake.sent("zl-cuong"))
    again = bot.fake.redeliver_last()
    await bot.fake.settled(again["message"]["message_id"])
    assert len(bot.fake.sent("zl-cuong")) == answered
    assert not bot.fake.pending


async def test_empty_polls_and_failing_polls_do_not_stop_the_loop(
    bot: Running, clock: FakeClock
) -> None:
    await bot.fake.wait_for(lambda: bot.fake.polls >= 3)
    assert {c.status for c in bot.fake.calls_to("getUpdates")} == {408}
    bot.fake.fail("getUpdates", 502, times=2)
    bot.fake.fail("getUpdates", 400, description="Bad Request: something odd")
    member = await bot.linked("zl-cuong", "DV003", clock)
    assert "DV003" in await member.say("/toi")
    statuses = [c.status for c in bot.fake.calls_to("getUpdates")]
    assert statuses.count(502) == 2 and 400 in statuses
    assert not bot.task.done()


async def test_a_rate_limited_reply_is_retried_after_the_wait(
    bot: Running, clock: FakeClock
) -> None:
    member = await bot.linked("zl-cuong", "DV003", clock)
    SLEEPS.clear()
    bot.fake.fail("sendMessage", 429, retry_after=0.3)
    assert "DV003" in await member.say("/toi")
    refused, delivered = bot.fake.calls_to("sendMessage")[-2:]
    assert (refused.status, delivered.status) == (429, 200)
    assert delivered.at - refused.at >= 0.3 and SLEEPS == [0.3]


async def test_stickers_and_images_get_the_polite_text_only_hint(
    bot: Running, clock: FakeClock
) -> None:
    stranger = bot.user("zl-stranger")
    assert "chưa được liên kết" in await stranger.send(sticker_update("zl-stranger"))
    member = await bot.linked("zl-cuong", "DV003", clock)
    assert await member.send(sticker_update("zl-cuong")) == texts.TEXT_ONLY
    assert await member.send(image_update("zl-cuong")) == texts.TEXT_ONLY


async def test_a_member_who_blocked_the_bot_is_marked_inactive(
    bot: Running, clock: FakeClock
) -> None:
    await bot.linked("zl-cuong", "DV003", clock)
    bot.fake.blocked.add("zl-cuong")
    await bot.user("zl-cuong").say("/toi")
    assert bot.fake.calls_to("sendMessage")[-1].status == 403
    blocked = identity(bot.app.db, "zl-cuong")
    assert blocked is not None and blocked.active is False


async def test_one_bad_update_never_stops_the_loop(
    bot: Running, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle: Callable[[Incoming], Response] = bot.app.core.handle

    def explode_on_boom(incoming: Incoming) -> Response:
        if incoming.text == "boom":
            raise RuntimeError("a fault in the adapter path")
        return handle(incoming)

    monkeypatch.setattr(bot.app.core, "handle", explode_on_boom)
    member = await bot.linked("zl-cuong", "DV003", clock)
    bot.fake.push({"event_name": "message.text.received", "message": "not an object"})
    assert await member.say("boom") == ""
    assert "DV003" in await member.say("/toi")
    assert not bot.task.done()


async def test_serve_polling_checks_the_token_drops_the_webhook_and_stops_on_request(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock
) -> None:
    fake.webhook = {"url": "https://old.example/zalo/webhook", "updated_at": 1}
    fake.empty_wait = 5.0  # a long poll will be in flight when we stop
    app = App(settings=zalo_settings(fake), db=demo, core=core)
    stop = asyncio.Event()
    client = ZaloClient(TOKEN, fake.url, policy=FAST, poll_interval=0.0)
    task = asyncio.create_task(serve_polling(app.settings, app=app, stop_event=stop, client=client))
    member = ZaloUser(fake, "zl-cuong")
    assert "Tài khoản đã được liên kết" in await member.say(invite(demo, clock, "DV003"))
    assert [c.method for c in fake.calls[:3]] == ["getMe", "deleteWebhook", "getUpdates"]
    assert fake.webhook["url"] == ""
    await fake.wait_for(lambda: fake.polls >= 2)
    started = time.monotonic()
    stop.set()
    await asyncio.wait_for(task, 2)
    assert time.monotonic() - started < 1.0  # the long poll was cut short


async def test_a_rejected_token_stops_polling_with_a_clear_error(
    demo: Database, core: Core, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    revoked = TOKEN[:-6] + "REVOKD"
    settings = zalo_settings(fake, zalo_bot_token=revoked)
    app = App(settings=settings, db=demo, core=core)
    client = ZaloClient(revoked, fake.url, policy=FAST)
    with pytest.raises(ZaloUnauthorized) as caught:
        await serve_polling(settings, app=app, stop_event=asyncio.Event(), client=client)
    assert [c.method for c in fake.calls] == ["getMe"]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("bot.zalo")]
    assert any("check ZALO_BOT_TOKEN" in line for line in ours)
    assert all(revoked not in line for line in [*ours, str(caught.value)])


async def test_sigterm_stops_run_polling_cleanly(
    demo: Database, db_url: str, fake: FakeZalo, clock: FakeClock
) -> None:
    settings = zalo_settings(fake, database_url=db_url)
    client = ZaloClient(TOKEN, fake.url, policy=FAST, poll_interval=0.0)
    task = asyncio.create_task(serve_polling(settings, client=client))
    member = ZaloUser(fake, "zl-cuong")
    # serve_polling builds its app on the real clock: the invite must be valid on that clock.
    assert "Lê Văn Cường" in await member.say(invite(demo, utcnow, "DV003"))
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, 3)
    assert task.exception() is None
    # The handler is gone again: SIGTERM no longer belongs to the stopped loop.
    assert not asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)


async def test_polling_answers_two_chats_whose_messages_share_an_id(bot: Running) -> None:
    """The client's in-memory filter keys on chat and message, like the database: a message id
    that happens to repeat in another chat is that member's own message, not a repeat."""
    for user in ("zl-an", "zl-binh"):
        # Waited on by chat: the fake's own `settled` tells updates apart by message id alone.
        bot.fake.push(text_update(user, "xin chào", message_id="shared-1"))
        await bot.fake.wait_for(lambda user=user: bool(bot.fake.sent(user)))
        (reply,) = bot.fake.sent(user)
        assert "chưa được liên kết" in reply
