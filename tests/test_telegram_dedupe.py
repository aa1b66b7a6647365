"""Telegram updates delivered twice are handled once (`inbound_updates`, keyed by bot and update).

Telegram retries a webhook post it thinks failed, and gives a restarted polling process the
updates the last one took but never confirmed. The real PTB, polling or behind the webhook
server (a real uvicorn), talks HTTP to the fake Bot API; every test runs on SQLite and on
PostgreSQL. Each test ends with a sentinel update in the same chat: a chat's updates are
handled in order, so once the sentinel is answered every earlier update has been dealt with,
and counting replies needs no waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.app import App
from bot.settings import Settings
from bot.telegram.runner import TelegramChannel, build_telegram, poll
from bot.telegram.webhook import SECRET_HEADER, TelegramWebhook
from bot.web import create_web_app
from handlers.core import Core
from models import Database, InboundUpdate
from services import inbound, texts
from tests.fake_telegram import BOT_ID, FakeTelegram
from tests.support import FakeClock, serving
from tests.test_delivery_support import link_members
from tests.test_telegram_e2e import FAST, Harness, settings_for

SECRET = "telegram-dedupe-webhook-secret_0123456789"
OTHER_TOKEN = "987654321:AAHotherFakeTokenForTests_0123456789abc"

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


def ledger(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        rows = session.exec(select(InboundUpdate.channel, InboundUpdate.update_key)).all()
    return sorted((channel, key) for channel, key in rows)


def texts_after(fake: FakeTelegram, chat_id: int, before: int) -> list[str]:
    return fake.texts(chat_id)[before:]


def _button(message: dict[str, Any], label: str) -> str:
    """The callback data of the message's button labelled `label`."""
    rows = message["reply_markup"]["inline_keyboard"]
    return next(str(b["callback_data"]) for row in rows for b in row if b["text"] == label)


def linked_member(fake: FakeTelegram, db: Database, clock: FakeClock) -> dict[str, Any]:
    """Telegram user 5001, already linked to member BC00000 of the demo's first cell."""
    link_members(db, ["5001"], now=clock())
    return fake.user(5001, "Cường", "Lê")


PROFILE = "Mã đảng viên: BC00000"
MENU = "Các việc có thể làm"


@contextlib.asynccontextmanager
async def polling(
    fake: FakeTelegram, db: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Harness]:
    """One polling process (a fresh PTB application: its memory starts empty), as `fake`'s bot."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=fake.token,
        telegram_api_base=fake.base_url,
        telegram_bot_username=fake.username,
        database_url=db.url,
    )
    channel = build_telegram(settings, App(settings, db, core), options=FAST)
    stop = asyncio.Event()
    calls = len(fake.calls_to("getUpdates", ok=None))
    task = asyncio.create_task(poll(channel, stop, timeout=FAST.poll_timeout))
    await fake.wait_for(
        lambda: len(fake.calls_to("getUpdates", ok=None)) > calls or task.done(), what="polling"
    )
    try:
        yield Harness(fake, channel, db, clock)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


# -- webhook -------------------------------------------------------------------------------------
@dataclass
class Hooked:
    url: str
    bot: Harness

    async def post(self, update: dict[str, Any]) -> int:
        async with httpx.AsyncClient(base_url=self.url) as client:
            answer = await client.post(
                "/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
            )
        return answer.status_code


@contextlib.asynccontextmanager
async def webhook_process(
    fake: FakeTelegram, db: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Hooked]:
    """One `sotay serve` process: a real uvicorn on an ephemeral port, its own PTB app."""
    settings = settings_for(
        fake,
        db,
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret=SECRET,
    )
    channel: TelegramChannel = build_telegram(
        settings, App(settings, db, core), webhook=True, options=FAST
    )
    hook = TelegramWebhook(channel, secret=SECRET, url=settings.telegram_webhook_url)
    async with serving(create_web_app([hook])) as url:
        yield Hooked(url, Harness(fake, channel, db, clock))


async def test_an_update_posted_twice_to_the_webhook_is_handled_once(
    fake: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> None:
    member = linked_member(fake, demo, clock)
    async with webhook_process(fake, demo, core, clock) as hook:
        # Telegram did not get our 200 in time and posts the same update again.
        profile = fake.message_update(member, "/toi")
        assert [await hook.post(profile), await hook.post(profile)] == [200, 200]
        # Or the two posts race (Telegram's retry overtaking a slow answer).
        again = fake.message_update(member, "/toi")
        assert await asyncio.gather(hook.post(again), hook.post(again)) == [200, 200]
        # A button pressed once, delivered twice: one answer, one profile.
        assert await hook.post(fake.message_update(member, "/help")) == 200
        menu = await fake.wait_for_message(5001, MENU)
        personal = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_PERSONAL)
        assert await hook.post(fake.callback_update(member, menu, _button(menu, personal))) == 200
        topic = await fake.wait_for_message(
            5001, texts.MENU_TOPIC_HEADER.format(title=texts.TOPIC_PERSONAL)
        )
        press = fake.callback_update(member, topic, _button(topic, texts.CMD_PROFILE))
        assert [await hook.post(press), await hook.post(press)] == [200, 200]
        # The sentinel: once it is answered, every earlier update of the chat was dealt with.
        assert await hook.post(fake.message_update(member, "/help")) == 200
        after_menu = [m["message_id"] for m in fake.bot_messages(5001)].index(menu["message_id"])
        await fake.wait_for_message(5001, MENU, after=after_menu + 1)

    replies = fake.texts(5001)
    assert sum(PROFILE in t for t in replies) == 3, replies  # /toi, /toi, the button
    assert sum(MENU in t for t in replies) == 2, replies
    query = press["callback_query"]["id"]
    answers = [
        c for c in fake.calls_to("answerCallbackQuery") if c.params["callback_query_id"] == query
    ]
    assert len(answers) == 1
    assert ("telegram", f"{BOT_ID}/{profile['update_id']}") in ledger(demo)


async def test_the_webhook_answers_only_once_the_update_is_handled(
    fake: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> None:
    """Telegram never resends an update it got 200 for: an update answered while still in a
    queue died with the process (kill -9) in the soak. The 200 now comes after the handling,
    so by the time the POST returns the member's reply has reached the Bot API."""
    member = linked_member(fake, demo, clock)
    async with webhook_process(fake, demo, core, clock) as hook:
        before = len(fake.bot_messages(5001))
        assert await hook.post(fake.message_update(member, "/toi")) == 200
        assert any(PROFILE in text for text in fake.texts(5001)[before:])


# -- polling -------------------------------------------------------------------------------------
async def test_polling_after_a_restart_does_not_handle_a_redelivered_update_again(
    fake: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> None:
    member = linked_member(fake, demo, clock)
    async with polling(fake, demo, core, clock):
        profile = fake.send_text(member, "/toi")
        await fake.wait_for_message(5001, PROFILE)
        chat = fake.send_text(member, "/chibo")
        await fake.wait_for(lambda: len(fake.texts(5001)) >= 2, what="the /chibo answer")
    before = len(fake.texts(5001))

    # The process died before confirming them: Telegram hands both out again to the next one
    # (one twice in the same batch, for good measure), followed by a new update.
    for update in (profile, chat, profile):
        fake.queue(update)
    sentinel = fake.send_text(member, "/help")
    async with polling(fake, demo, core, clock):
        await fake.wait_for_message(5001, MENU, after=before)
    replies = texts_after(fake, 5001, before)
    assert len(replies) == 1 and MENU in replies[0], replies  # the sentinel's answer only
    keys = ledger(demo)
    for update in (profile, chat, sentinel):
        assert ("telegram", f"{BOT_ID}/{update['update_id']}") in keys


async def test_two_bots_sharing_a_database_do_not_shadow_each_others_updates(
    fake: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> None:
    """Update ids are per bot (both fakes number from the same start): the key names the bot."""
    with FakeTelegram(token=OTHER_TOKEN, bot_id=987654321, username="SoTayOtherBot") as other:
        async with polling(fake, demo, core, clock), polling(other, demo, core, clock):
            first = fake.send_text(fake.user(7001, "Bình"), "xin chào")
            second = other.send_text(other.user(7002, "An"), "xin chào")
            assert first["update_id"] == second["update_id"]
            await fake.wait_for_message(7001, "chưa được liên kết")
            await other.wait_for_message(7002, "chưa được liên kết")
    keys = ledger(demo)
    assert ("telegram", f"{BOT_ID}/{first['update_id']}") in keys
    assert ("telegram", f"987654321/{second['update_id']}") in keys


async def test_a_database_failure_in_the_check_still_answers_the_member(
    fake: FakeTelegram,
    demo: Database,
    core: Core,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> bool:
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(inbound, "first_time", broken)
    async with polling(fake, demo, core, clock):
        fake.send_text(fake.user(7001, "Bình"), "xin chào")
        await fake.wait_for_message(7001, "chưa được liên kết")
    assert ledger(demo) == []
