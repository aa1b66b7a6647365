"""Zalo across processes: repeated updates handled once through the database, and the webhook
registered at start-up.

Each "process" is its own `Database` engine, core and webhook (so its own in-memory ids) on the
same database; runs on SQLite and on PostgreSQL. Zalo is the fake Bot API over real HTTP.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from bot.app import App
from bot.features import build_core
from bot.retry import RetryPolicy
from bot.settings import SettingsError, load_settings
from bot.web import ZaloWebChannel, create_web_app
from bot.zalo.adapter import build_sender
from bot.zalo.client import ZaloClient
from bot.zalo.dedupe import UpdateLedger, update_key
from bot.zalo.runner import poll_forever, serve_polling
from bot.zalo.updates import ZaloUpdate, updates_from_body
from bot.zalo.webhook import SECRET_HEADER, ZaloWebhook
from handlers.context import CoreConfig
from models import Database, InboundUpdate, InboxUpdate
from services import inbound
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo, text_update
from tests.support import FakeClock
from tests.test_zalo_polling import invite, zalo_settings

SECRET = "zalo-webhook-secret_0123456789abcdef"
HOOK_URL = "https://bot.sotay.test/zalo/webhook"
FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)


def keys(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        found = session.exec(select(InboundUpdate.channel, InboundUpdate.update_key)).all()
    return sorted((channel, key) for channel, key in found)


def first_time(db: Database, channel: str, key: str, clock: FakeClock) -> bool:
    with db.session() as session:
        return inbound.first_time(session, channel, key, clock())


def parsed(body: dict[str, Any]) -> ZaloUpdate:
    (update,) = updates_from_body(body)
    return update


# -- the service ---------------------------------------------------------------------------------
def test_first_time_is_true_once_per_channel_and_key(db: Database, clock: FakeClock) -> None:
    assert first_time(db, "zalo", "chat-1/m-1", clock)
    assert not first_time(db, "zalo", "chat-1/m-1", clock)
    assert first_time(db, "zalo", "chat-1/m-2", clock)
    assert first_time(db, "telegram", "chat-1/m-1", clock)  # channels do not collide
    # A repeat inside a longer transaction leaves it usable (no failed statement on PostgreSQL).
    with db.session() as session:
        assert not inbound.first_time(session, "zalo", "chat-1/m-2", clock())
        assert inbound.first_time(session, "zalo", "chat-1/m-3", clock())
    assert len(keys(db)) == 4
    with pytest.raises(ValueError):
        first_time(db, "zalo", "", clock)


def test_old_keys_are_purged_in_bounded_batches(db: Database, clock: FakeClock) -> None:
    for index in range(5):
        assert first_time(db, "zalo", f"old-{index}", clock)
    clock.advance(days=2)
    assert first_time(db, "zalo", "recent", clock)
    cutoff = clock() - timedelta(days=1)
    with db.session() as session:
        assert inbound.purge_older_than(session, cutoff, limit=3) == 3
    with db.session() as session:
        assert inbound.purge_older_than(session, cutoff) == 2
        assert inbound.purge_older_than(session, cutoff) == 0
    assert keys(db) == [("zalo", "recent")]


def test_update_keys_name_the_chat_and_stay_short() -> None:
    update = parsed(text_update("u1", "/toi", message_id="m1"))
    assert update_key(update) == "u1/m1"
    huge = parsed(text_update("u" * 300, "/toi", message_id="m" * 300))
    key = update_key(huge)
    assert key is not None and key.startswith("sha256:") and len(key) <= inbound.MAX_KEY
    assert update_key(ZaloUpdate("message.unsupported.received")) is None


async def test_the_ledger_purges_old_keys_at_most_hourly(db: Database, clock: FakeClock) -> None:
    ledger = UpdateLedger(db, clock=clock)

    async def receive(message_id: str) -> bool:
        return await ledger.first_time(parsed(text_update("u1", "hi", message_id=message_id)))

    assert await receive("m1")  # the process's first purge: nothing old yet
    clock.advance(days=inbound.KEEP.days, minutes=-10)
    assert await receive("m2")  # a purge again (days later): m1 is not old enough yet
    clock.advance(minutes=20)  # m1 is older than KEEP now...
    assert await receive("m3")  # ...but the last purge was 20 minutes ago
    assert len(keys(db)) == 3
    clock.advance(hours=1)
    assert await receive("m4")
    assert keys(db) == [("zalo", "u1/m2"), ("zalo", "u1/m3"), ("zalo", "u1/m4")]
    assert not await receive("m4")
    # An update without an id is always handled, and writes nothing.
    assert await ledger.first_time(ZaloUpdate("message.unsupported.received"))
    assert len(keys(db)) == 3


# -- the webhook in two processes ----------------------------------------------------------------
@dataclass
class Process:
    """One web process: its own engine, core, webhook (in-memory ids) and HTTP client."""

    db: Database
    webhook: ZaloWebhook
    http: httpx.AsyncClient

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post("/zalo/webhook", json=body, headers={SECRET_HEADER: SECRET})


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo(empty_wait=0.2) as server:
        yield server


@pytest.fixture
async def processes(
    demo: Database, db_url: str, fake: FakeZalo, clock: FakeClock
) -> AsyncIterator[list[Process]]:
    settings = zalo_settings(fake, zalo_webhook_secret=SECRET)
    started: list[tuple[Process, ZaloClient]] = []
    for _ in range(2):
        db = Database(db_url)
        core = build_core(db, CoreConfig(), clock=clock)
        app = App(settings=settings, db=db, core=core)
        client = ZaloClient(TOKEN, fake.url, policy=FAST)
        webhook = ZaloWebhook(app, build_sender(app, client))
        transport = httpx.ASGITransport(app=Starlette(routes=[webhook.route]))
        http = httpx.AsyncClient(transport=transport, base_url="http://sotay.test")
        started.append((Process(db, webhook, http), client))
    yield [process for process, _client in started]
    for process, client in started:
        await process.webhook.drain(5)
        await process.http.aclose()
        await client.aclose()
        process.db.dispose()


async def test_one_update_posted_to_two_processes_is_handled_once(
    processes: list[Process], fake: FakeZalo, demo: Database, clock: FakeClock
) -> None:
    first, second = processes
    code = invite(demo, clock, "DV003")
    assert (await first.post(text_update("zl-cuong", code))).status_code == 200
    await first.webhook.drain(5)
    assert "Chào đồng chí Lê Văn Cường" in fake.sent("zl-cuong")[0]

    profile = text_update("zl-cuong", "/toi", message_id="dup-across")
    assert (await first.post(profile)).status_code == 200
    await first.webhook.drain(5)
    # Zalo retries the same delivery, and the load balancer sends it to the other process.
    assert (await second.post(profile)).status_code == 200
    await second.webhook.drain(5)
    # And both at once: whichever inserts the key first answers.
    both = text_update("zl-cuong", "/toi", message_id="dup-both")
    answers = await asyncio.gather(first.post(both), second.post(both))
    assert [a.status_code for a in answers] == [200, 200]
    await asyncio.gather(first.webhook.drain(5), second.webhook.drain(5))

    profiles = [t for t in fake.sent("zl-cuong") if "Mã đảng viên: DV003" in t]
    assert len(profiles) == 2  # one per distinct update
    # The webhook's inbox recognised the repeats (tests/test_zalo_inbox.py); the ledger is
    # polling's.
    with demo.session() as session:
        recorded = session.exec(select(InboxUpdate.update_key)).all()
    assert sorted(k for k in recorded if k.startswith("zl-cuong/dup")) == [
        "zl-cuong/dup-across",
        "zl-cuong/dup-both",
    ]
    assert keys(demo) == []


# The webhook records an update before it answers, and answers 503 when the database cannot
# record it: tests/test_zalo_inbox.py. (It used to answer first and check the ledger after,
# handling the update anyway when the database failed.)


# -- polling after a restart ---------------------------------------------------------------------
async def test_polling_after_a_restart_does_not_answer_a_redelivered_update_again(
    demo: Database, fake: FakeZalo, clock: FakeClock
) -> None:
    app = App(settings=zalo_settings(fake), db=demo, core=build_core(demo, CoreConfig()))
    update = text_update("zl-x", "xin chào", message_id="poll-1")
    for run in range(2):  # two runs: a new client, so its in-memory ids start empty
        if run == 0:
            fake.push(update)
        else:
            fake.redeliver_last()
        stop = asyncio.Event()
        async with ZaloClient(TOKEN, fake.url, policy=FAST, poll_interval=0.0) as client:
            task = asyncio.create_task(poll_forever(app, client, stop))
            await fake.settled("poll-1")
            stop.set()
            await asyncio.wait_for(task, 5)
    assert len(fake.sent("zl-x")) == 1 and len(fake.consumed) == 2
    assert keys(demo) == [("zalo", "zl-x/poll-1")]


# -- ZALO_WEBHOOK_URL ----------------------------------------------------------------------------
def test_zalo_webhook_url_must_be_https() -> None:
    settings = load_settings(_env_file=None, zalo_webhook_url=HOOK_URL + "/")
    assert settings.zalo_webhook_url == HOOK_URL
    assert load_settings(_env_file=None, zalo_webhook_url="").zalo_webhook_url is None
    for bad in ("http://bot.sotay.test/zalo/webhook", "bot.sotay.test", "https://a b"):
        with pytest.raises(SettingsError, match="ZALO_WEBHOOK_URL"):
            load_settings(_env_file=None, zalo_webhook_url=bad)


async def test_serve_sets_the_webhook_at_start_up_with_the_secret(
    demo: Database, fake: FakeZalo, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = zalo_settings(fake, zalo_webhook_secret=SECRET, zalo_webhook_url=HOOK_URL)
    app = App(settings=settings, db=demo, core=build_core(demo, CoreConfig(), clock=clock))
    channel = ZaloWebChannel(settings, app)
    server = create_web_app([channel])
    caplog.set_level(logging.INFO)
    async with server.router.lifespan_context(server):
        assert channel.registration is not None
        await asyncio.wait_for(channel.registration, 5)
    (call,) = fake.calls_to("setWebhook")
    assert call.status == 200 and call.payload == {"url": HOOK_URL, "secret_token": SECRET}
    assert fake.webhook["url"] == HOOK_URL
    # Ours only: httpx's own request lines are masked by the log filter of `setup_logging`.
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]
    assert any(f"zalo webhook set to {HOOK_URL}" in line for line in lines)
    assert all(SECRET not in line and TOKEN not in line for line in lines)


async def test_a_failed_set_webhook_is_logged_and_the_server_still_starts(
    demo: Database, fake: FakeZalo, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = zalo_settings(fake, zalo_webhook_secret=SECRET, zalo_webhook_url=HOOK_URL)
    app = App(settings=settings, db=demo, core=build_core(demo, CoreConfig(), clock=clock))
    fake.fail("setWebhook", 400, description="Bad Request: url not reachable")
    channel = ZaloWebChannel(settings, app)
    server = create_web_app([channel])
    async with server.router.lifespan_context(server):
        assert channel.registration is not None
        await asyncio.wait_for(channel.registration, 5)
        transport = httpx.ASGITransport(app=server)
        async with httpx.AsyncClient(transport=transport, base_url="http://sotay.test") as http:
            assert (await http.get("/healthz")).status_code == 200  # serving all the same
    errors = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith("bot.")
    ]
    assert any("setWebhook" in line and "failed" in line for line in errors)
    assert all(SECRET not in line and TOKEN not in line for line in errors)
    assert fake.webhook["url"] == ""


async def test_polling_deletes_the_webhook_that_serve_had_set(
    demo: Database, fake: FakeZalo, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = zalo_settings(fake, zalo_webhook_secret=SECRET, zalo_webhook_url=HOOK_URL)
    app = App(settings=settings, db=demo, core=build_core(demo, CoreConfig(), clock=clock))
    fake.webhook = {"url": HOOK_URL, "updated_at": 1}
    stop = asyncio.Event()
    client = ZaloClient(TOKEN, fake.url, policy=FAST, poll_interval=0.0)
    task = asyncio.create_task(serve_polling(settings, app=app, stop_event=stop, client=client))
    await fake.wait_for(lambda: bool(fake.calls_to("getUpdates")))
    stop.set()
    await asyncio.wait_for(task, 5)
    assert [c.method for c in fake.calls[:3]] == ["getMe", "deleteWebhook", "getUpdates"]
    assert fake.webhook["url"] == ""
    assert any("ZALO_WEBHOOK_URL is set" in r.getMessage() for r in caplog.records)
