"""The Zalo webhook route, driven through httpx.ASGITransport; replies go to the fake Bot API.

Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from bot.app import App
from bot.retry import RetryPolicy
from bot.zalo.adapter import build_sender
from bot.zalo.client import ZaloClient
from bot.zalo.dedupe import RecentIds
from bot.zalo.updates import ZaloUpdate, updates_from_body
from bot.zalo.webhook import SECRET_HEADER, ZaloWebhook, zalo_webhook_route
from handlers.core import Core
from handlers.messages import Incoming, Response
from models import ChatIdentity, ConversationState, Database
from services import texts
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo, sticker_update, text_update
from tests.support import FakeClock
from tests.test_zalo_polling import invite, zalo_settings

SECRET = "zalo-webhook-secret_0123456789abcdef"
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)


@dataclass
class Hooked:
    fake: FakeZalo
    app: App
    webhook: ZaloWebhook
    http: httpx.AsyncClient

    async def post(self, body: Any, secret: str | None = SECRET) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        if isinstance(body, bytes):
            return await self.http.post("/zalo/webhook", content=body, headers=headers)
        return await self.http.post("/zalo/webhook", json=body, headers=headers)

    async def say(self, user_id: str, text: str, **options: Any) -> str:
        """Zalo posts a text update; the replies it caused, once handled."""
        before = len(self.fake.sent(user_id))
        response = await self.post(text_update(user_id, text, **options))
        assert response.status_code == 200 and response.json() == {"ok": True}
        await self.webhook.drain(5)
        return "\n---\n".join(self.fake.sent(user_id)[before:])


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


async def _hooked(db: Database, core: Core, fake: FakeZalo, secret: str | None) -> Hooked:
    app = App(settings=zalo_settings(fake, zalo_webhook_secret=secret), db=db, core=core)
    client = ZaloClient(TOKEN, fake.url, policy=FAST)
    webhook = ZaloWebhook(app, build_sender(app, client))
    transport = httpx.ASGITransport(app=Starlette(routes=[webhook.route]))
    http = httpx.AsyncClient(transport=transport, base_url="http://sotay.test")
    return Hooked(fake, app, webhook, http)


@pytest.fixture
async def hooked(demo: Database, core: Core, fake: FakeZalo) -> AsyncIterator[Hooked]:
    bundle = await _hooked(demo, core, fake, SECRET)
    yield bundle
    await bundle.webhook.drain(5)
    await bundle.http.aclose()
    await bundle.webhook.sender.client.aclose()


def _touched(db: Database, user_id: str) -> bool:
    """Did anything of this user reach the core (an identity or a conversation state)?"""
    with db.session() as session:
        identity = session.exec(
            select(ChatIdentity).where(ChatIdentity.external_id == user_id)
        ).first()
        state = session.exec(
            select(ConversationState).where(ConversationState.user_id == user_id)
        ).first()
    return identity is not None or state is not None


async def test_forged_requests_are_refused_and_nothing_is_processed(
    hooked: Hooked, clock: FakeClock
) -> None:
    update = text_update("zl-forger", invite(hooked.app.db, clock, "DV003"))
    for secret in (None, "", "wrong-secret", SECRET + "x", SECRET[:-1]):
        response = await hooked.post(update, secret=secret)
        assert response.status_code == 403, secret
    await hooked.webhook.drain(5)
    assert hooked.fake.calls == []
    assert not _touched(hooked.app.db, "zl-forger")
    # Refused requests mark nothing as seen: the genuine delivery is still processed.
    assert (await hooked.post(update)).status_code == 200
    await hooked.webhook.drain(5)
    assert "Chào đồng chí Lê Văn Cường" in hooked.fake.sent("zl-forger")[0]


async def test_without_a_configured_secret_every_request_is_refused(
    demo: Database, core: Core, fake: FakeZalo
) -> None:
    bundle = await _hooked(demo, core, fake, None)
    try:
        for secret in (None, "", "anything"):
            response = await bundle.post(text_update("zl-x", "/help"), secret=secret)
            assert response.status_code == 403
        await bundle.webhook.drain(5)
        assert fake.calls == [] and not _touched(demo, "zl-x")
    finally:
        await bundle.http.aclose()
        await bundle.webhook.sender.client.aclose()


async def test_flat_and_wrapped_bodies_both_work(hooked: Hooked, clock: FakeClock) -> None:
    code = invite(hooked.app.db, clock, "DV003")
    welcome = await hooked.say("zl-cuong", code, name="Cường")
    assert "Chào đồng chí Lê Văn Cường" in welcome
    wrapped = {"ok": True, "result": text_update("zl-cuong", "/toi")}
    assert (await hooked.post(wrapped)).status_code == 200
    await hooked.webhook.drain(5)
    assert "Mã đảng viên: DV003" in hooked.fake.sent("zl-cuong")[-1]


async def test_malformed_or_oversized_bodies_are_refused_without_detail(hooked: Hooked) -> None:
    response = await hooked.post(b'{"event_name": "message.text.received", "message": {')
    assert response.status_code == 400 and response.text == "bad request"
    assert (await hooked.post(b"[" + b"0," * 600_000 + b"0]")).status_code == 413
    odd = await hooked.post({"event_name": "message.text.received", "message": []})
    assert odd.status_code == 200  # valid JSON that says nothing: accepted, ignored
    await hooked.webhook.drain(5)
    assert hooked.fake.calls == []
    # What the lead mounts: the same endpoint at the documented path.
    route = zalo_webhook_route(hooked.app, hooked.webhook.sender)
    assert route.path == "/zalo/webhook" and route.methods == {"POST"}


async def test_a_repeated_delivery_is_processed_once(hooked: Hooked, clock: FakeClock) -> None:
    code = invite(hooked.app.db, clock, "DV003")
    await hooked.say("zl-cuong", code)
    update = text_update("zl-cuong", "/toi", message_id="dup-1")
    for _ in range(3):
        assert (await hooked.post(update)).status_code == 200
    await hooked.webhook.drain(5)
    profiles = [t for t in hooked.fake.sent("zl-cuong") if "Mã đảng viên" in t]
    assert len(profiles) == 1


async def test_the_answer_comes_before_the_work(
    hooked: Hooked, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    handle = hooked.app.core.handle

    def slow(incoming: Incoming) -> Response:
        release.wait(5)
        return handle(incoming)

    monkeypatch.setattr(hooked.app.core, "handle", slow)
    response = await asyncio.wait_for(hooked.post(text_update("zl-new", "xin chào")), 1)
    assert response.status_code == 200 and hooked.fake.calls == []
    release.set()
    await hooked.webhook.drain(5)
    assert "chưa được liên kết" in hooked.fake.sent("zl-new")[0]


async def test_one_chats_updates_are_handled_in_order(hooked: Hooked, clock: FakeClock) -> None:
    await hooked.say("zl-an", invite(hooked.app.db, clock, "DV001"))
    # "/moi" and its answer arrive together; the answer must wait for the question.
    for text in ("/moi", "1"):
        assert (await hooked.post(text_update("zl-an", text))).status_code == 200
    await hooked.webhook.drain(5)
    choices, issued = hooked.fake.sent("zl-an")[-2:]
    assert texts.INVITE_CHOOSE_MEMBER in choices
    assert re.search(r"Mã mời cho đồng chí .+: [A-Z0-9]{10}", issued), issued


async def test_sticker_through_the_webhook_gets_the_hint(hooked: Hooked, clock: FakeClock) -> None:
    await hooked.say("zl-cuong", invite(hooked.app.db, clock, "DV003"))
    assert (await hooked.post(sticker_update("zl-cuong"))).status_code == 200
    await hooked.webhook.drain(5)
    assert hooked.fake.sent("zl-cuong")[-1] == texts.TEXT_ONLY


async def test_two_chats_whose_messages_share_an_id_are_both_answered(hooked: Hooked) -> None:
    """Zalo's message ids may only be unique within a chat: the in-memory filter keys on the
    chat and the message (`update_key`), as the database does, so neither member is ignored."""
    for user in ("zl-an", "zl-binh"):
        update = text_update(user, "xin chào", message_id="shared-1")
        assert (await hooked.post(update)).status_code == 200
    await hooked.webhook.drain(5)
    for user in ("zl-an", "zl-binh"):
        (answer,) = hooked.fake.sent(user)
        assert "chưa được liên kết" in answer
    # The same chat's repeat is still dropped, before any query.
    assert (await hooked.post(text_update("zl-an", "xin chào", message_id="shared-1"))).is_success
    await hooked.webhook.drain(5)
    assert len(hooked.fake.sent("zl-an")) == 1
    assert len(hooked.webhook.recent) == 2


def test_recent_ids_remember_the_chat_and_the_message() -> None:
    def update(user: str, message_id: str) -> ZaloUpdate:
        (parsed,) = updates_from_body(text_update(user, "hi", message_id=message_id))
        return parsed

    recent = RecentIds(capacity=2)
    first, other_chat = update("zl-an", "m-1"), update("zl-binh", "m-1")
    assert recent.first_time(first) and recent.first_time(other_chat)
    assert not recent.first_time(update("zl-an", "m-1")) and first in recent
    assert recent.first_time(update("zl-an", "m-2"))  # the least recently seen goes
    assert other_chat not in recent and first in recent
    assert recent.first_time(ZaloUpdate("message.unsupported.received"))  # no id: passes
    assert recent.first_time(ZaloUpdate("message.unsupported.received"))
    assert len(recent) == 2
