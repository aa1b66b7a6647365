"""The Zalo webhook loses nothing: recorded before the 200, handled once, picked up after a death.

Each "process" is its own `Database` engine, core and webhook (so its own memory) on the same
database; the clock is the test's, so the grace period passes without sleeping. Runs on SQLite
and on PostgreSQL; Zalo is the fake Bot API over real HTTP.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from bot.app import App
from bot.features import build_core
from bot.retry import RetryPolicy
from bot.web import ZaloWebChannel, create_web_app
from bot.zalo.adapter import build_sender
from bot.zalo.client import ZaloClient
from bot.zalo.inbox import ZaloInbox
from bot.zalo.updates import parse_update, raw_updates_from_body, stored_json
from bot.zalo.webhook import SECRET_HEADER, ZaloWebhook
from handlers.context import CoreConfig
from handlers.messages import Incoming, Response
from models import Database, InboundUpdate, InboxUpdate
from services import inbox
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo, text_update
from tests.support import FakeClock
from tests.test_zalo_polling import invite, zalo_settings

SECRET = "zalo-inbox-secret_0123456789abcdefghijkl"
FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
PAST_GRACE = inbox.GRACE.total_seconds() + 1
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"


@dataclass
class Process:
    """One web process: its own engine, core, webhook (memory) and HTTP client."""

    db: Database
    webhook: ZaloWebhook
    http: httpx.AsyncClient
    client: ZaloClient

    async def post(self, body: Any, secret: str = SECRET) -> httpx.Response:
        headers = {SECRET_HEADER: secret}
        if isinstance(body, bytes):
            return await self.http.post("/zalo/webhook", content=body, headers=headers)
        return await self.http.post("/zalo/webhook", json=body, headers=headers)

    async def close(self) -> None:
        await self.webhook.drain(5)
        await self.http.aclose()
        await self.client.aclose()
        self.db.dispose()


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo(empty_wait=0.2) as server:
        yield server


@pytest.fixture
async def start(
    demo: Database, db_url: str, fake: FakeZalo, clock: FakeClock
) -> AsyncIterator[Callable[..., Process]]:
    """`start()`: a new web process on the test's database."""
    started: list[Process] = []

    def make() -> Process:
        db = Database(db_url)
        app = App(
            settings=zalo_settings(fake, zalo_webhook_secret=SECRET),
            db=db,
            core=build_core(db, CoreConfig(), clock=clock),
        )
        client = ZaloClient(TOKEN, fake.url, policy=FAST)
        webhook = ZaloWebhook(app, build_sender(app, client), clock=clock)
        transport = httpx.ASGITransport(app=Starlette(routes=[webhook.route]))
        http = httpx.AsyncClient(transport=transport, base_url="http://sotay.test")
        process = Process(db, webhook, http, client)
        started.append(process)
        return process

    yield make
    for process in started:
        await process.close()


def rows(db: Database) -> list[InboxUpdate]:
    with db.session() as session:
        return list(session.exec(select(InboxUpdate).order_by(col(InboxUpdate.id))))


def profiles(fake: FakeZalo, user: str) -> list[str]:
    return [text for text in fake.sent(user) if "Mã đảng viên" in text]


async def linked(
    process: Process, fake: FakeZalo, demo: Database, clock: FakeClock, user: str
) -> None:
    """`user` links as DV003 through `process`, handled to the end."""
    assert (await process.post(text_update(user, invite(demo, clock, "DV003")))).status_code == 200
    await process.webhook.drain(5)
    assert "Chào đồng chí Lê Văn Cường" in fake.sent(user)[-1]


async def never(*_args: Any) -> None:
    """A handling that never ends: the process dies before it handles anything."""
    await asyncio.Event().wait()


async def kill(process: Process) -> None:
    """The process dies: its background tasks go, nothing else is done for them."""
    for task in list(process.webhook.tasks):
        task.cancel()
    await process.webhook.drain(5)


# -- the process dies after the 200 ---------------------------------------------------------------
async def test_an_update_recorded_before_a_death_is_handled_once_by_the_next_process(
    start: Callable[..., Process],
    demo: Database,
    fake: FakeZalo,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = start()
    await linked(first, fake, demo, clock, "zl-cuong")
    monkeypatch.setattr(first.webhook, "_handle", never)
    update = text_update("zl-cuong", "/toi", message_id="before-death")
    response = await first.post(update)
    assert response.status_code == 200 and response.json() == {"ok": True}
    await kill(first)
    (row,) = [r for r in rows(demo) if r.update_key == "zl-cuong/before-death"]
    assert row.handled_at is None and json.loads(row.body)["message"]["text"] == "/toi"
    assert profiles(fake, "zl-cuong") == []

    second = start()  # the restarted process (systemd), memory empty
    assert await second.webhook.recover() == 0  # within the grace: the first may still live
    clock.advance(seconds=PAST_GRACE)
    assert await second.webhook.recover() == 1
    await second.webhook.drain(5)
    assert len(profiles(fake, "zl-cuong")) == 1
    # Picked up once: neither another round nor another process takes it again, and Zalo's
    # own repeat of the post is recognised.
    third = start()
    clock.advance(minutes=5)
    assert await second.webhook.recover() == 0 and await third.webhook.recover() == 0
    assert (await third.post(update)).status_code == 200
    await third.webhook.drain(5)
    assert len(profiles(fake, "zl-cuong")) == 1
    (row,) = [r for r in rows(demo) if r.update_key == "zl-cuong/before-death"]
    assert row.handled_at is not None and row.attempts == 2


async def test_the_mark_commits_with_the_core_so_a_death_after_it_handles_nothing_twice(
    start: Callable[..., Process],
    demo: Database,
    fake: FakeZalo,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = start()
    code = invite(demo, clock, "DV003")

    sending = asyncio.Event()

    async def dies_sending(*_args: Any, **_kwargs: Any) -> None:
        sending.set()
        await asyncio.Event().wait()  # the process dies before the replies leave

    monkeypatch.setattr(first.webhook.sender, "send", dies_sending)
    assert (await first.post(text_update("zl-cuong", code, message_id="link"))).status_code == 200
    await asyncio.wait_for(sending.wait(), 10)
    await kill(first)
    assert fake.sent("zl-cuong") == []
    (row,) = rows(demo)
    assert row.handled_at is not None  # in the core's transaction: the link and the mark
    second = start()
    clock.advance(minutes=5)
    assert await second.webhook.recover() == 0
    # The member was linked once: the next message is answered as a linked member.
    assert (await second.post(text_update("zl-cuong", "/toi"))).status_code == 200
    await second.webhook.drain(5)
    assert len(profiles(fake, "zl-cuong")) == 1


async def test_a_slow_handling_overtaken_by_a_pick_up_commits_once(
    start: Callable[..., Process],
    demo: Database,
    fake: FakeZalo,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.core")
    first, second = start(), start()
    await linked(first, fake, demo, clock, "zl-cuong")
    release = threading.Event()
    handle = first.webhook.app.core.handle

    def slow(incoming: Incoming) -> Response:
        release.wait(10)
        return handle(incoming)

    monkeypatch.setattr(first.webhook.app.core, "handle", slow)
    assert (await first.post(text_update("zl-cuong", "/toi", message_id="slow"))).is_success
    clock.advance(seconds=PAST_GRACE)  # the first is still at it when its hold runs out
    assert await second.webhook.recover() == 1
    await second.webhook.drain(5)
    assert len(profiles(fake, "zl-cuong")) == 1
    release.set()
    await first.webhook.drain(5)
    # The first's core found the row handled at its commit: rolled back, nothing sent, and
    # an expected race is not logged as a failure.
    assert len(profiles(fake, "zl-cuong")) == 1
    assert [r.handled_at is not None for r in rows(demo)] == [True, True]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("superseded" in r.getMessage() for r in caplog.records)


async def test_two_processes_picking_up_together_handle_each_update_once(
    start: Callable[..., Process],
    demo: Database,
    fake: FakeZalo,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dead = start()
    monkeypatch.setattr(dead.webhook, "_handle", never)
    users = [f"zl-new-{index}" for index in range(8)]
    for user in users:
        assert (await dead.post(text_update(user, "xin chào", message_id="m1"))).is_success
    await kill(dead)
    first, second = start(), start()
    clock.advance(seconds=PAST_GRACE)
    claimed = await asyncio.gather(first.webhook.recover(), second.webhook.recover())
    await asyncio.gather(first.webhook.drain(10), second.webhook.drain(10))
    assert sum(claimed) == len(users)
    for user in users:
        (answer,) = fake.sent(user)
        assert "chưa được liên kết" in answer
    assert all(r.handled_at is not None and r.attempts == 2 for r in rows(demo))


async def test_chat_order_holds_for_picked_up_updates(
    start: Callable[..., Process],
    demo: Database,
    fake: FakeZalo,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = start()
    await linked(first, fake, demo, clock, "zl-an")
    monkeypatch.setattr(first.webhook, "_handle", never)
    for text in ("/toi", "/huy"):
        assert (await first.post(text_update("zl-an", text))).is_success
    await kill(first)
    second = start()
    clock.advance(seconds=PAST_GRACE)
    assert await second.webhook.recover() == 2
    await second.webhook.drain(5)
    profile, cancelled = fake.sent("zl-an")[-2:]
    assert "Mã đảng viên" in profile and "hủy" not in profile.lower()
    assert cancelled != profile


# -- refusals ------------------------------------------------------------------------------------
async def test_with_the_database_down_the_answer_is_503_and_a_retry_is_handled(
    start: Callable[..., Process], demo: Database, fake: FakeZalo
) -> None:
    down = start()
    unreachable = Database(UNREACHABLE)
    down.webhook.inbox = ZaloInbox(unreachable)  # the database goes away
    update = text_update("zl-new", "xin chào", message_id="while-down")
    response = await down.post(update)
    assert response.status_code == 503 and response.headers["retry-after"].isdigit()
    assert "postgres" not in response.text and SECRET not in response.text
    await down.webhook.drain(5)
    assert fake.calls == [] and rows(demo) == []
    # Zalo posts it again once the database is back: not taken for a repeat (the failed post
    # left nothing in memory either), handled once.
    unreachable.dispose()
    down.webhook.inbox = ZaloInbox(down.db)
    assert (await down.post(update)).status_code == 200
    await down.webhook.drain(5)
    (answer,) = fake.sent("zl-new")
    assert "chưa được liên kết" in answer
    assert [r.update_key for r in rows(demo)] == ["zl-new/while-down"]


async def test_refused_posts_record_nothing(
    start: Callable[..., Process], demo: Database, fake: FakeZalo
) -> None:
    process = start()
    update = text_update("zl-x", "/help", message_id="refused")
    for secret in ("", "wrong-secret", SECRET + "x"):
        assert (await process.post(update, secret=secret)).status_code == 403
    assert (
        await process.post(b'{"event_name": "message.text.received", "message": {')
    ).status_code == 400
    assert (await process.post(b"[" + b"0," * 600_000 + b"0]")).status_code == 413
    assert (await process.post(b"[" * 100 + b"]" * 100)).status_code == 400
    # Valid JSON that says nothing to answer: 200, and nothing kept.
    bot_message = text_update("zl-bot", "hi", message_id="b1")
    bot_message["message"]["from"]["is_bot"] = True
    for body in ({"event_name": "message.text.received", "message": []}, bot_message):
        assert (await process.post(body)).status_code == 200
    await process.webhook.drain(5)
    assert rows(demo) == [] and fake.calls == []


async def test_a_repeat_in_one_body_or_across_posts_is_recorded_and_handled_once(
    start: Callable[..., Process], demo: Database, fake: FakeZalo
) -> None:
    process = start()
    update = text_update("zl-new", "xin chào", message_id="twice")
    assert (await process.post([update, update])).status_code == 200
    assert (await process.post({"ok": True, "result": update})).status_code == 200
    await process.webhook.drain(5)
    assert len(fake.sent("zl-new")) == 1
    assert [r.update_key for r in rows(demo)] == ["zl-new/twice"]
    # The webhook's inbox stands in for the inbound ledger: one write per update, not two.
    with demo.session() as session:
        assert session.exec(select(InboundUpdate)).all() == []


async def test_an_update_without_a_message_id_is_recorded_and_handled(
    start: Callable[..., Process], demo: Database, fake: FakeZalo
) -> None:
    process = start()
    update = text_update("zl-anon", "xin chào")
    del update["message"]["message_id"]
    for _ in range(2):  # nothing tells two of them apart: both are answered
        assert (await process.post(update)).status_code == 200
    await process.webhook.drain(5)
    assert len(fake.sent("zl-anon")) == 2
    keys = [r.update_key for r in rows(demo)]
    assert len(set(keys)) == 2 and all(k.startswith("zl-anon/anon-") for k in keys)


async def test_the_server_picks_up_at_start_up(
    start: Callable[..., Process],
    demo: Database,
    fake: FakeZalo,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dead = start()
    monkeypatch.setattr(dead.webhook, "_handle", never)
    assert (await dead.post(text_update("zl-new", "xin chào", message_id="s1"))).is_success
    await kill(dead)
    clock.advance(seconds=PAST_GRACE)
    settings = zalo_settings(fake, zalo_webhook_secret=SECRET)
    app = App(settings=settings, db=demo, core=build_core(demo, CoreConfig(), clock=clock))
    channel = ZaloWebChannel(settings, app)
    channel.webhook.inbox = ZaloInbox(demo, clock=clock)
    server = create_web_app([channel])
    async with server.router.lifespan_context(server):
        await until(lambda: len(fake.sent("zl-new")) == 1)
    assert channel.recovery is not None and channel.recovery.done()
    assert all(r.handled_at is not None for r in rows(demo))


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Wait (bounded) until `condition` holds: work done by a background task."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


# -- the service ---------------------------------------------------------------------------------
def test_a_row_claimed_too_often_is_given_up_and_purged_later(
    db: Database, clock: FakeClock
) -> None:
    with db.session() as session:
        new = inbox.record(
            session,
            "zalo",
            [inbox.Received("c/1", "{}"), inbox.Received("c/2", "{}")],
            clock(),
            owner="a",
        )
    assert new == {"c/1", "c/2"}
    with db.session() as session:
        assert (
            inbox.record(session, "zalo", [inbox.Received("c/1", "{}")], clock(), owner="b")
            == set()
        )
    with db.session() as session:
        assert inbox.mark_handled(session, "zalo", "c/2", clock())
        assert not inbox.mark_handled(session, "zalo", "c/2", clock())
    for attempt in range(2, inbox.MAX_ATTEMPTS + 1):
        clock.advance(seconds=inbox.LEASE.total_seconds() + inbox.GRACE.total_seconds())
        with db.session() as session:
            claims = inbox.claim_stale(session, "zalo", clock(), owner="b")
        assert [(c.key, c.attempts) for c in claims.rows] == [("c/1", attempt)]
        with db.session() as session:  # held for the lease: nobody takes it meanwhile
            assert inbox.claim_stale(session, "zalo", clock(), owner="c").rows == []
    clock.advance(minutes=5)
    with db.session() as session:
        claims = inbox.claim_stale(session, "zalo", clock(), owner="b")
    assert claims.rows == [] and claims.given_up == ["c/1"]
    given_up = next(r for r in rows(db) if r.update_key == "c/1")
    assert given_up.handled_at is not None and "gave up" in (given_up.note or "")
    # Handled rows go once older than KEEP, in batches; an unhandled one never does.
    with db.session() as session:
        inbox.record(session, "zalo", [inbox.Received("c/3", "{}")], clock(), owner="a")
    clock.advance(days=inbox.KEEP.days, minutes=10)
    with db.session() as session:
        assert inbox.purge_handled(session, clock() - inbox.KEEP, limit=1) == 1
    with db.session() as session:
        assert inbox.purge_handled(session, clock() - inbox.KEEP) == 1
        assert inbox.purge_handled(session, clock() - inbox.KEEP) == 0
    assert [r.update_key for r in rows(db)] == ["c/3"]
    with pytest.raises(ValueError):
        inbox.Received("", "{}")
    with pytest.raises(ValueError):
        inbox.Received("k", "x" * (inbox.MAX_STORED + 1))


def test_a_body_too_large_to_keep_is_stored_as_what_the_bot_reads() -> None:
    body = text_update("zl-big", "chào " * 10, message_id="big")
    body["message"]["extra"] = "x" * 5000
    ((raw, update),) = raw_updates_from_body({"ok": True, "result": body})
    assert stored_json(raw, update, 10_000) == json.dumps(
        body, ensure_ascii=False, separators=(",", ":")
    )
    small = stored_json(raw, update, 1000)
    assert len(small) <= 1000 and "extra" not in small
    assert parse_update(json.loads(small)) == update
    long_text = text_update("zl-big", "ư" * 3000, message_id="long")
    ((raw, update),) = raw_updates_from_body(long_text)
    cut = stored_json(raw, update, 1000)
    reread = parse_update(json.loads(cut))
    assert len(cut) <= 1000 and reread is not None and reread.message is not None
    assert reread.message.message_id == "long" and (reread.message.text or "").startswith("ưư")
