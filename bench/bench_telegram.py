"""Benchmark of the Telegram channel: the real PTB stack, polling the fake Bot API server.

For each stack, updates are injected into the fake server's getUpdates queue and the time is
measured from injection to the moment the reply's sendMessage reaches the fake server:

* burst: N updates queued at once, spread over the linked members' private chats; gives
  updates per second and the latency a member sees when the bot is busy;
* sequential: one update at a time, the next after the reply; gives the latency of an idle bot.

Stacks: a bare PTB echo bot (no database: the floor set by PTB, HTTP and the fake server) and
the handbook bot on SQLite and on PostgreSQL (a temporary database, dropped afterwards), each
answering `/toi` (the member's profile: identity, conversation state, roles, member, two writes).
The fake server runs in the same process on its own thread, so the figures include its cost.

Run: `.venv/bin/python -m bench.bench_telegram [--updates 600] [--sequential 100] [--no-pg]`
(PostgreSQL at SOTAY_BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import select
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

import migrations
from bot.app import App
from bot.features import build_core
from bot.settings import Settings
from bot.telegram.runner import TelegramOptions, build_telegram, poll
from handlers.context import CoreConfig
from models import Channel, Database, Member, utcnow
from services import texts
from services.demo import seed_demo
from services.identities import touch_identity
from services.invites import link_identity
from tests.fake_telegram import BOT_USERNAME, TOKEN, FakeTelegram

PG_ADMIN_URL = os.environ.get(
    "SOTAY_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
USER_BASE = 910_000_000
CONCURRENCY = 32


@dataclass
class Figures:
    stack: str
    database: str
    updates: int
    per_second: float
    burst_p50: float
    burst_p99: float
    seq_p50: float
    seq_p99: float
    errors: int


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Load:
    """Injects `/toi` updates and pairs each with its reply (per chat, in order)."""

    def __init__(self, fake: FakeTelegram, users: list[dict[str, Any]]) -> None:
        self.fake = fake
        self.users = users

    def _sent(self) -> int:
        return self.fake.answered.get("sendmessage", 0)

    async def burst(self, count: int) -> tuple[float, list[float], int]:
        """Queue `count` updates at once; pair each chat's k-th update with its k-th reply."""
        start = time.monotonic()
        expected = self._sent() + count
        injected: dict[int, list[float]] = {u["id"]: [] for u in self.users}
        for i in range(count):
            user = self.users[i % len(self.users)]
            self.fake.send_text(user, "/toi")
            injected[user["id"]].append(time.monotonic())
        # A cheap counter, polled slowly: the measuring must not steal the measured CPU.
        await self.fake.wait_for(
            lambda: self._sent() >= expected, timeout=600, what="burst replies", interval=0.05
        )
        replies: dict[int, list[Any]] = {cid: [] for cid in injected}
        for call in self.fake.calls_to("sendMessage"):
            if call.at >= start:
                replies[call.chat_id() or 0].append(call)
        latencies: list[float] = []
        errors = 0
        last = start
        for chat_id, times in injected.items():
            for sent, reply in zip(times, replies[chat_id], strict=True):
                latencies.append(reply.at - sent)
                last = max(last, reply.at)
                errors += texts.INTERNAL_ERROR in str(reply.params.get("text"))
        return count / (last - start), latencies, errors

    async def sequential(self, count: int) -> list[float]:
        """One update at a time: the latency of a bot with nothing else to do."""
        latencies: list[float] = []
        for i in range(count):
            user = self.users[i % len(self.users)]
            expected = self._sent() + 1
            since = time.monotonic()
            self.fake.send_text(user, "/toi")
            await self.fake.wait_for(
                lambda n=expected: self._sent() >= n, timeout=60, what="reply", interval=0.001
            )
            latencies.append(self.fake.calls_to("sendMessage")[-1].at - since)
        return latencies


async def measure(stack: str, database: str, load: Load, updates: int, sequential: int) -> Figures:
    await load.sequential(len(load.users))  # warm-up: menus applied, connections opened
    per_second, burst, errors = await load.burst(updates)
    idle = await load.sequential(sequential)
    return Figures(
        stack,
        database,
        updates,
        per_second,
        statistics.median(burst),
        _percentile(burst, 0.99),
        statistics.median(idle),
        _percentile(idle, 0.99),
        errors,
    )


# -- the stacks ---------------------------------------------------------------------------------
@asynccontextmanager
async def echo_bot(fake: FakeTelegram) -> AsyncIterator[None]:
    """The floor: PTB polling, one sendMessage per update, nothing else."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat and update.effective_message:
            await context.bot.send_message(
                update.effective_chat.id, update.effective_message.text or "?"
            )

    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{fake.base_url}/bot")
        .concurrent_updates(CONCURRENCY)
        .job_queue(None)
        .build()
    )
    application.add_handler(TypeHandler(Update, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=10)
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


def _link_members(db: Database, users: list[dict[str, Any]]) -> None:
    """Every demo member gets a Telegram account, as if each had redeemed an invite."""
    now = utcnow()
    with db.session() as session:
        seed_demo(session, now=now)
        members = session.exec(select(Member).order_by(Member.code)).all()
        for user, member in zip(users, members, strict=False):
            identity = touch_identity(
                session, Channel.TELEGRAM, str(user["id"]), str(user["id"]), now=now
            )
            link_identity(session, identity, member, now=now)


@asynccontextmanager
async def handbook_bot(
    fake: FakeTelegram, url: str, users: list[dict[str, Any]]
) -> AsyncIterator[None]:
    migrations.upgrade(url)
    db = Database(url)
    _link_members(db, users)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        telegram_api_base=fake.base_url,
        database_url=url,
    )
    core = build_core(db, CoreConfig(telegram_bot_username=BOT_USERNAME))
    options = TelegramOptions(concurrency=CONCURRENCY, poll_timeout=10)
    channel = build_telegram(settings, App(settings, db, core), options=options)
    stop = asyncio.Event()
    task = asyncio.create_task(poll(channel, stop, timeout=options.poll_timeout))
    await fake.wait_for(lambda: fake.calls_to("getUpdates", ok=None), what="polling")
    try:
        yield
    finally:
        stop.set()
        await task
        db.dispose()


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sotay_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


async def run_stack(
    name: str,
    database: str,
    bot: Callable[[FakeTelegram, list[dict[str, Any]]], Any],
    updates: int,
    sequential: int,
) -> Figures:
    """A fresh fake server per stack, so one stack's calls never count for another."""
    with FakeTelegram() as fake:
        users = [fake.user(USER_BASE + i, f"Đảng viên {i}") for i in range(16)]
        async with bot(fake, users):
            return await measure(name, database, Load(fake, users), updates, sequential)


def _table(rows: list[Figures]) -> str:
    header = (
        f"{'stack':<12} {'database':<11} {'updates':>7} {'upd/s':>8} {'burst p50':>10} "
        f"{'burst p99':>10} {'idle p50':>9} {'idle p99':>9} {'errors':>6} {'vs echo':>8}"
    )
    echo = rows[0].per_second
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.stack:<12} {r.database:<11} {r.updates:>7} {r.per_second:>8.1f} "
            f"{r.burst_p50 * 1000:>8.1f}ms {r.burst_p99 * 1000:>8.1f}ms "
            f"{r.seq_p50 * 1000:>7.1f}ms {r.seq_p99 * 1000:>7.1f}ms {r.errors:>6} "
            f"{r.per_second / echo:>8.2f}"
        )
    return "\n".join(lines)


async def main(updates: int, sequential: int, with_pg: bool) -> None:
    rows: list[Figures] = []

    def echo(fake: FakeTelegram, _users: list[dict[str, Any]]) -> Any:
        return echo_bot(fake)

    rows.append(await run_stack("PTB echo", "-", echo, updates, sequential))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"

        def sqlite(fake: FakeTelegram, users: list[dict[str, Any]]) -> Any:
            return handbook_bot(fake, url, users)

        rows.append(await run_stack("handbook", "sqlite", sqlite, updates, sequential))
    if with_pg:
        async with postgres_database() as pg_url:

            def postgres(fake: FakeTelegram, users: list[dict[str, Any]]) -> Any:
                return handbook_bot(fake, pg_url, users)

            rows.append(await run_stack("handbook", "postgresql", postgres, updates, sequential))
    print(
        f"\nTelegram channel, {updates} updates in a burst over 16 private chats, then "
        f"{sequential} one at a time; PTB concurrent_updates={CONCURRENCY}; {os.cpu_count()} CPUs."
    )
    print(_table(rows))
    print("vs echo: updates per second relative to the bare PTB echo bot in the same run.")


def _cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--sequential", type=int, default=100)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(main(args.updates, args.sequential, not args.no_pg))


if __name__ == "__main__":
    _cli()
