"""Benchmark of the Telegram channel: the real PTB stack, polling the fake Bot API server.

For each stack, updates are injected into the fake server's getUpdates queue and the time is
measured from injection to the moment the reply's sendMessage reaches the fake server:

* burst: N updates queued at once, spread over the linked members' private chats; gives
  updates per second and the latency a member sees when the bot is busy;
* sequential: one update at a time, the next after the reply; gives the latency of an idle bot.

Stacks: a bare PTB echo bot (no database: the floor set by PTB, HTTP and the fake server; the
ratios are against it), the same echo bot sending on aiohttp as the handbook bot does
(`bot.telegram.aiohttp_request`: the floor with the bot's own HTTP layer, for reference) and
the handbook bot on SQLite and on PostgreSQL (a temporary database, dropped afterwards), each
answering `/toi` (the member's profile: identity, member, roles and conversation state read,
the update's key written to `inbound_updates`). The fake server runs in the same process on its
own thread, so the figures include its cost.

CPU per update: the process's CPU time (`time.process_time`, every thread: PTB, the adapter, the
core, the fake server) over the burst, divided by its updates; the echo bot's figure is the floor
that PTB and the fake server cost. On PostgreSQL, `db CPU` adds the CPU time of the bench
database's server backends over the burst (read from /proc, when the server runs on this
machine), divided the same way.

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
from bot.telegram.aiohttp_request import AiohttpRequest
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
    cpu_ms: float  # process CPU time over the burst per update
    db_cpu_ms: float | None = None  # the database backends' CPU time per update (PostgreSQL)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class BackendCpu:
    """CPU time of the PostgreSQL backends serving one database, read from /proc (the server
    on this machine). A backend that exits within the burst is not counted: the bot's pool
    keeps its connections, so none should."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.tick = os.sysconf("SC_CLK_TCK")

    @classmethod
    def open(cls, url: str | None) -> BackendCpu | None:
        if url is None or sa.make_url(url).get_backend_name() != "postgresql":
            return None
        return cls(sa.create_engine(url, poolclass=sa.NullPool))

    def sample(self) -> dict[int, float] | None:
        """Seconds of CPU per backend pid of this database (this probe's own left out)."""
        with self.engine.connect() as conn:
            pids = conn.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            spent: dict[int, float] = {}
            for pid in pids:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    return None  # not on this machine, or not ours to read
                spent[pid] = (int(fields[11]) + int(fields[12])) / self.tick
        return spent

    def spent_since(self, before: dict[int, float]) -> float:
        now = self.sample() or {}
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())

    def close(self) -> None:
        self.engine.dispose()


class Load:
    """Injects `/toi` updates and pairs each with its reply (per chat, in order)."""

    def __init__(
        self, fake: FakeTelegram, users: list[dict[str, Any]], database_url: str | None = None
    ) -> None:
        self.fake = fake
        self.users = users
        self.database_url = database_url

    def _sent(self) -> int:
        return self.fake.answered.get("sendmessage", 0)

    async def burst(self, count: int) -> tuple[float, list[float], int, float, float | None]:
        """Queue `count` updates at once; pair each chat's k-th update with its k-th reply.

        Also the process's CPU milliseconds per update over the burst, and the database
        backends' (None where they cannot be read)."""
        backends = BackendCpu.open(self.database_url)
        db_before = backends.sample() if backends else None
        cpu_before = time.process_time()
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
        cpu_ms = (time.process_time() - cpu_before) * 1000 / count
        db_cpu_ms: float | None = None
        if backends is not None and db_before is not None:
            db_cpu_ms = backends.spent_since(db_before) * 1000 / count
            backends.close()
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
        return count / (last - start), latencies, errors, cpu_ms, db_cpu_ms

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
    per_second, burst, errors, cpu_ms, db_cpu_ms = await load.burst(updates)
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
        cpu_ms,
        db_cpu_ms,
    )


# -- the stacks ---------------------------------------------------------------------------------
@asynccontextmanager
async def echo_bot(fake: FakeTelegram, *, aiohttp: bool = False) -> AsyncIterator[None]:
    """The floor: PTB polling, one sendMessage per update, nothing else (on PTB's default
    httpx, or with `aiohttp` on the request the handbook bot sends its replies with)."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat and update.effective_message:
            await context.bot.send_message(
                update.effective_chat.id, update.effective_message.text or "?"
            )

    builder = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{fake.base_url}/bot")
        .concurrent_updates(CONCURRENCY)
        .job_queue(None)
    )
    if aiohttp:
        builder = builder.request(AiohttpRequest())
    application = builder.build()
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
    database_url: str | None = None,
) -> Figures:
    """A fresh fake server per stack, so one stack's calls never count for another."""
    with FakeTelegram() as fake:
        users = [fake.user(USER_BASE + i, f"Đảng viên {i}") for i in range(16)]
        async with bot(fake, users):
            load = Load(fake, users, database_url)
            return await measure(name, database, load, updates, sequential)


def _table(rows: list[Figures]) -> str:
    header = (
        f"{'stack':<12} {'database':<11} {'updates':>7} {'upd/s':>8} {'burst p50':>10} "
        f"{'burst p99':>10} {'idle p50':>9} {'idle p99':>9} {'errors':>6} {'vs echo':>8} "
        f"{'idle p99/echo':>13} {'CPU/upd':>9} {'db CPU':>8}"
    )
    echo = rows[0]
    lines = [header, "-" * len(header)]
    for r in rows:
        db_cpu = "-" if r.db_cpu_ms is None else f"{r.db_cpu_ms:.2f}ms"
        lines.append(
            f"{r.stack:<12} {r.database:<11} {r.updates:>7} {r.per_second:>8.1f} "
            f"{r.burst_p50 * 1000:>8.1f}ms {r.burst_p99 * 1000:>8.1f}ms "
            f"{r.seq_p50 * 1000:>7.1f}ms {r.seq_p99 * 1000:>7.1f}ms {r.errors:>6} "
            f"{r.per_second / echo.per_second:>8.2f} {r.seq_p99 / echo.seq_p99:>13.2f} "
            f"{r.cpu_ms:>7.2f}ms {db_cpu:>8}"
        )
    return "\n".join(lines)


async def main(updates: int, sequential: int, with_pg: bool) -> None:
    rows: list[Figures] = []

    def echo(fake: FakeTelegram, _users: list[dict[str, Any]]) -> Any:
        return echo_bot(fake)

    def echo_aiohttp(fake: FakeTelegram, _users: list[dict[str, Any]]) -> Any:
        return echo_bot(fake, aiohttp=True)

    rows.append(await run_stack("PTB echo", "-", echo, updates, sequential))
    rows.append(await run_stack("echo aiohttp", "-", echo_aiohttp, updates, sequential))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"

        def sqlite(fake: FakeTelegram, users: list[dict[str, Any]]) -> Any:
            return handbook_bot(fake, url, users)

        rows.append(await run_stack("handbook", "sqlite", sqlite, updates, sequential))
    if with_pg:
        async with postgres_database() as pg_url:

            def postgres(fake: FakeTelegram, users: list[dict[str, Any]]) -> Any:
                return handbook_bot(fake, pg_url, users)

            rows.append(
                await run_stack("handbook", "postgresql", postgres, updates, sequential, pg_url)
            )
    print(
        f"\nTelegram channel, {updates} updates in a burst over 16 private chats, then "
        f"{sequential} one at a time; PTB concurrent_updates={CONCURRENCY}; {os.cpu_count()} CPUs."
    )
    print(_table(rows))
    print("vs echo: updates per second relative to the bare PTB echo bot (httpx) in the same run;")
    print("echo aiohttp: the echo bot sending on the handbook bot's HTTP layer, for reference;")
    print("idle p99/echo: one-at-a-time p99 latency relative to the echo bot's;")
    print("CPU/upd: this process's CPU time over the burst per update (PTB, fake server, bot);")
    print("db CPU: the PostgreSQL backends' CPU time over the burst per update.")


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
