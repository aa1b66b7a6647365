"""What recording a Zalo update before the 200 costs: the answer's latency and the pick-up.

Runs the real webhook (through httpx's ASGI transport, so no network between the "proxy" and
the process) on a PostgreSQL database of its own, with the fake Zalo Bot API receiving the
replies: `--posts` updates from unlinked members, one at a time, each answered after its row is
recorded (the answer's latency: POST to 200, with the earlier posts' handling running beside
it), and the record's transaction alone; then the same number recorded by a process that
"dies" before handling them, and picked up by another (rows claimed per second, one round of
at most 100 at a time, handling included).

Run: `.venv/bin/python -m bench.bench_zalo_inbox [--posts 500] [--pg-url URL] [--keep]`.
Figures are indicative on a shared machine; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import httpx
from starlette.applications import Starlette

from bot.app import App
from bot.features import build_core
from bot.retry import RetryPolicy
from bot.zalo.adapter import build_sender
from bot.zalo.client import ZaloClient
from bot.zalo.webhook import SECRET_HEADER, ZaloWebhook
from handlers.context import CoreConfig
from models import Database, utcnow
from services import inbox
from services.demo import seed_demo
from tests.conftest import PG_ADMIN_URL
from tests.fake_zalo import TOKEN, running_fake_zalo, text_update
from tests.support import FakeClock, fresh_pg_database
from tests.test_zalo_polling import zalo_settings

SECRET = "bench-zalo-inbox-secret_0123456789abcdef"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(posts: int, url: str) -> dict[str, Any]:
    import migrations

    migrations.upgrade(url)
    clock = FakeClock(utcnow())
    async with running_fake_zalo() as fake:

        def process() -> tuple[ZaloWebhook, httpx.AsyncClient, Database]:
            db = Database(url)
            settings = zalo_settings(fake, zalo_webhook_secret=SECRET)
            app = App(settings=settings, db=db, core=build_core(db, CoreConfig(), clock=clock))
            client = ZaloClient(TOKEN, fake.url, policy=RetryPolicy(attempts=2))
            webhook = ZaloWebhook(app, build_sender(app, client), clock=clock)
            transport = httpx.ASGITransport(app=Starlette(routes=[webhook.route]))
            return webhook, httpx.AsyncClient(transport=transport, base_url="http://b"), db

        first, http, db = process()
        with db.session() as session:
            seed_demo(session, now=clock())
        latencies: list[float] = []
        for index in range(posts):
            body = text_update(f"zl-bench-{index}", "xin chào", message_id=f"m{index}")
            started = time.perf_counter()
            response = await http.post("/zalo/webhook", json=body, headers={SECRET_HEADER: SECRET})
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200
        await first.drain(60)
        # The record alone (what the answer waits for), without the handling beside it.
        records: list[float] = []
        for index in range(posts):
            entry = inbox.Received(f"zl-rec/{index}", '{"event_name":"x"}')
            started = time.perf_counter()
            with db.session() as session:  # another channel: the pick-up below never sees it
                inbox.record(session, "bench", [entry], clock(), owner="bench")
            records.append(time.perf_counter() - started)

        async def never(*_args: Any) -> None:
            await asyncio.Event().wait()

        first._handle = never  # type: ignore[method-assign]  # the process dies before handling
        for index in range(posts):
            body = text_update(f"zl-lost-{index}", "xin chào", message_id=f"m{index}")
            await http.post("/zalo/webhook", json=body, headers={SECRET_HEADER: SECRET})
        for task in list(first.tasks):
            task.cancel()
        await first.drain(5)
        second, http2, db2 = process()
        clock.advance(seconds=inbox.GRACE.total_seconds() + 1)
        started = time.perf_counter()
        picked = 0
        while (claimed := await second.recover()) > 0:
            picked += claimed
            await second.drain(120)
        pick_up = time.perf_counter() - started
        answered = sum(1 for i in range(posts) if fake.sent(f"zl-lost-{i}"))
        for client in (http, http2):
            await client.aclose()
        for hook in (first, second):
            await hook.sender.client.aclose()
        db.dispose()
        db2.dispose()
    return {
        "posts": posts,
        "answer_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "answer_p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "record_p50_ms": round(statistics.median(records) * 1000, 2),
        "record_p99_ms": round(percentile(records, 0.99) * 1000, 2),
        "picked_up": picked,
        "picked_up_answered": answered,
        "pick_up_seconds": round(pick_up, 2),
        "pick_up_per_second": round(picked / pick_up, 1) if pick_up else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--pg-url", default=PG_ADMIN_URL, help="admin URL")
    args = parser.parse_args()
    with fresh_pg_database(args.pg_url, prefix="sotay_full_d_inbox") as url:
        print(asyncio.run(run(args.posts, url)))


if __name__ == "__main__":
    main()
