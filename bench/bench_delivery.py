"""Benchmark of the delivery engine: one directive to many members through `sotay worker`.

The fake Bot API here ENFORCES Telegram's limits: more than 30 messages in any sliding second
for the token (1000 for messages sent with allow_paid_broadcast), or a message to a private
chat less than a second after the previous one there, are refused with 429 and retry_after=1,
as Telegram does. Workers are real `python -m bot worker` processes (or `python -m bot run`,
polling and worker in one process) talking HTTP to it; the fake server runs in this process
on its own thread. Every figure is read from what the fake server accepted and from the
outbox rows:

* achieved rate: accepted messages over the time from the first to the last (vs the limit);
* 429s: refusals the bot provoked, for the token's limit and for a chat's (target 0 and 0);
* lost: members who never got the message; duplicated: extra copies received;
* replies (chat scenario): questions answered, and the time from a member's message reaching
  the fake server to the answer being accepted (p50, p99, max).

Scenarios: one worker on PostgreSQL (and on SQLite), two workers sharing one token on
PostgreSQL, paid broadcast at 1000/s, kill -9 of the worker at random moments during a
broadcast (restarted at once each time), with the duplicates compared to the rows that were
in flight at each kill, `sotay run` broadcasting to every member while members chat with
it (a `/toi` every `--ask-every` seconds on average, random members, some in bursts), and
`web`: the soak's shape, short (two `sotay serve --no-background` answering webhook posts, two
`sotay worker`s, `--web-rate` updates/s of the soak's mix, `/hoidap` included), reporting the
replies' latency while a directive to `--web-members` goes out, the directive's msg/s, what the
replies cost at the fake (their messages per second) and the rows the workers gave back.

Run: `.venv/bin/python -m bench.bench_delivery [--members 7500] [--kill-members 2000]
[--kills 10] [--kill-within S] [--chat-members 1500] [--web-members 3000] [--web-rate 5]
[--skip free,sqlite,shared,paid,kill,chat,zalo,web] [--code DIR]`.
The full run takes about 15 minutes (7,500 at 30/s is 250 s per database); PostgreSQL at
SOTAY_BENCH_PG_URL (default: the local server). `--code` runs the bot from another checkout
(an older version, to compare), the fake server and the figures from this one.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import concurrent.futures
import contextlib
import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

import migrations
from models import ChatIdentity, Database, Delivery, Member, MemberStatus, Unit
from services import outbox
from services.demo import seed_demo
from services.directives.rules import ACK
from tests.fake_telegram import TOKEN, FakeTelegram, Fault
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import FakeZalo, running_fake_zalo

PG_ADMIN_URL = os.environ.get(
    "SOTAY_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ROOT = Path(__file__).resolve().parents[1]
CODE = ROOT  # where the bot's processes run from (`--code`)
# Invite codes are signed with it; a process with a bot token refuses to start without one.
INVITE_SECRET = "bench-invite-secret-0123456789-abcdefghijklmnop"
# `python -m bot` from another checkout: the editable install's finder would otherwise serve
# this checkout's modules for every name below `bot`.
FROM_CODE = (
    "import runpy, sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in type(f).__module__]; "
    "runpy.run_module('bot', run_name='__main__', alter_sys=True)"
)
# `--profile DIR`: each worker runs under cProfile and writes DIR/worker-<pid>.prof when it
# stops (SIGTERM ends it cleanly); read with `python -m pstats`.
PROFILED = (
    "import cProfile, os, runpy, sys; "
    "cProfile.run(\"runpy.run_module('bot', run_name='__main__', alter_sys=True)\", "
    "os.path.join({dir!r}, f'worker-{{os.getpid()}}.prof'))"
)
PROFILE_DIR: Path | None = None
CHAT_BASE = 930_000_000
FREE_LIMIT = 30
POLL = 2.0  # seconds between looks at the outbox (the bench's own load stays small)
PAID_LIMIT = 1000
SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
TEXT = (
    "Chỉ đạo của Đảng ủy Khối: các chi bộ tổ chức học tập chuyên đề năm 2026 trước ngày 15/12; "
    "báo cáo kết quả về Văn phòng Đảng ủy."
)


class EnforcingTelegram(FakeTelegram):
    """The fake Bot API with Telegram's limits: a sliding one-second window per token, and
    one message a second in a private chat."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.free_window: deque[float] = deque()
        self.paid_window: deque[float] = deque()
        self.last_in_chat: dict[int, float] = {}
        self.refused = 0  # for the token's limit
        self.refused_chat = 0  # for a private chat's

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        # Called under the server's lock for every request, before the method runs.
        if method in SEND_METHODS:
            paid = str(params.get("allow_paid_broadcast", "")).lower() == "true"
            window, limit = (
                (self.paid_window, PAID_LIMIT) if paid else (self.free_window, FREE_LIMIT)
            )
            now = time.monotonic()
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                self.refused += 1
                return Fault(method, 429, "Too Many Requests: retry after 1", 1, None, 1)
            chat = int(params.get("chat_id") or 0)
            last = self.last_in_chat.get(chat)
            if chat > 0 and last is not None and now - last < 1.0:
                self.refused_chat += 1
                return Fault(method, 429, "Too Many Requests: retry after 1", 1, None, 1)
            window.append(now)
            self.last_in_chat[chat] = now
        return super()._take_fault(method, params)


@dataclass
class Result:
    name: str
    members: int
    limit: float
    seconds: float
    rate: float
    max_second: int
    refused: int
    lost: int
    duplicated: int
    in_flight_at_kills: int | None = None
    refused_chat: int = 0
    replies: str = ""  # chat scenario: answered/asked, latency p50/p99/max
    cpu_ms: float | None = None  # the workers' CPU per accepted message, while sending

    def row(self) -> str:
        share = f"{100 * self.rate / self.limit:5.1f} %"
        bound = "" if self.in_flight_at_kills is None else f"{self.in_flight_at_kills:>9}"
        refused = f"{self.refused}/{self.refused_chat}"
        cpu = "" if self.cpu_ms is None else f"{self.cpu_ms:.2f}"
        return (
            f"| {self.name:<38} | {self.members:>6} | {self.limit:>5.0f} | {self.seconds:>7.1f} "
            f"| {self.rate:>7.1f} | {share} | {self.max_second:>5} | {refused:>9} "
            f"| {self.lost:>4} | {self.duplicated:>4} | {bound:>9} | {cpu:>6} | {self.replies} |"
        )


HEADER = (
    "| scenario                               | members | limit | seconds |  msg/s  | of limit"
    " | max/s | 429s token/chat | lost | dup. | in flight | CPU ms/msg"
    " | replies: answered, p50/p99/max |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


# -- databases --------------------------------------------------------------------------------
@contextmanager
def postgres() -> Iterator[str]:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sotay_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def sqlite_file() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def prepare(
    url: str, fake: FakeTelegram | None, members: int, channel: str = "telegram"
) -> list[int]:
    """Migrate, seed the demo units, add `members` members linked on `channel`, enqueue one
    directive to all of them (the real `enqueue`). Returns the chat ids."""
    migrations.upgrade(url)
    db = Database(url)
    now = datetime.now(UTC)
    chats = [CHAT_BASE + i for i in range(members)]
    with db.session() as session:
        seed_demo(session, now=now)
        cell = session.exec(select(Unit).where(Unit.kind == "chi_bo_truc_thuoc")).first()
        assert cell is not None and cell.id is not None
        member_table = Member.__table__  # type: ignore[attr-defined]
        session.execute(
            sa.insert(member_table),
            [
                {
                    "code": f"BM{i:06d}",
                    "full_name": f"Đảng viên {i}",
                    "status": MemberStatus.OFFICIAL.value,
                    "cell_id": cell.id,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(members)
            ],
        )
        ids = dict(
            session.exec(select(Member.code, Member.id).where(Member.code.startswith("BM"))).all()
        )  # type: ignore[attr-defined]
        identity_table = ChatIdentity.__table__  # type: ignore[attr-defined]
        session.execute(
            sa.insert(identity_table),
            [
                {
                    "channel": channel,
                    "external_id": str(chat),
                    "chat_id": str(chat),
                    "member_id": ids[f"BM{i:06d}"],
                    "active": True,
                    "linked_at": now,
                }
                for i, chat in enumerate(chats)
            ],
        )
        result = outbox.enqueue(
            session,
            kind="directive",
            ref_id=None,
            member_ids=list(ids.values()),
            payload=outbox.message(TEXT, options=[(ACK(1), "Đã nhận")]),
            dedupe_key="bench:directive",
            now=now,
        )
        assert result.created == members, result
    db.dispose()
    for chat in chats if fake is not None else ():
        fake.user(chat, "Đảng viên")
    return chats


# -- workers ------------------------------------------------------------------------------------
def start_worker(
    url: str,
    fake: FakeTelegram | None,
    *,
    paid: bool,
    log: Path,
    command: str = "worker",
    channel: str = "telegram",
    extra: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`python -m bot worker --channel telegram` (or `run`: polling, worker and scheduler)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    if fake is not None:
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=fake.base_url)
    env.update(
        DATABASE_URL=url,
        TELEGRAM_RATE_PER_SECOND=str(FREE_LIMIT),
        TELEGRAM_PAID_BROADCAST="true" if paid else "false",
        DELIVERY_LEASE_SECONDS="30",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(CODE),
        INVITE_SECRET=INVITE_SECRET,
    )
    env.update(extra or {})
    handle = log.open("ab")
    arguments = ["worker", "--channel", channel] if command == "worker" else [command]
    launch = ["-m", "bot"] if CODE == ROOT else ["-c", FROM_CODE]
    if PROFILE_DIR is not None and command == "worker":
        launch = ["-c", PROFILED.format(dir=str(PROFILE_DIR))]
    return subprocess.Popen(
        [sys.executable, *launch, *arguments],
        cwd=CODE,
        env=env,
        stdout=handle,
        stderr=handle,
    )


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a live process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Samples the workers' CPU time and the messages sent, from the first message on, so
    start-up (imports, migrations, the token check) is left out: CPU ms per message sent."""

    def __init__(self, processes: list[subprocess.Popen[bytes]], sent: Any) -> None:
        self.processes = processes
        self.sent = sent
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CpuMeter:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            try:
                cpu = sum(cpu_seconds(p.pid) for p in self.processes)
            except (OSError, IndexError):  # a process gone (killed): stop sampling
                return
            self.samples.append((cpu, self.sent()))

    def ms_per_message(self) -> float | None:
        started = [(cpu, n) for cpu, n in self.samples if n > 0]
        if len(started) < 2 or started[-1][1] == started[0][1]:
            return None
        (cpu0, n0), (cpu1, n1) = started[0], started[-1]
        return 1000 * (cpu1 - cpu0) / (n1 - n0)


def unfinished(db: Database) -> int:
    with db.engine.connect() as conn:
        table = Delivery.__table__  # type: ignore[attr-defined]
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.status.in_(("pending", "sending")))
            ).scalar_one()
        )


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_done(db: Database, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while unfinished(db):
        if time.monotonic() > deadline:
            raise TimeoutError("the broadcast did not finish in time")
        time.sleep(POLL)


def measure(
    name: str, fake: EnforcingTelegram, chats: list[int], limit: float, **extra: Any
) -> Result:
    sent = [c for c in fake.calls_to("sendMessage") if c.ok]
    accepted = [c for c in sent if c.result["text"] == TEXT]  # the directive
    times = sorted(c.at for c in accepted)
    per_chat = Counter(int(c.params["chat_id"]) for c in accepted)
    seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    every = sorted(c.at for c in sent)  # the directive and the answers to members alike
    busiest = max((bisect.bisect_left(every, t + 1.0) - i for i, t in enumerate(every)), default=0)
    return Result(
        name=name,
        members=len(chats),
        limit=limit,
        seconds=seconds,
        rate=(len(times) - 1) / seconds if seconds else 0.0,
        max_second=busiest,
        refused=fake.refused,
        refused_chat=fake.refused_chat,
        lost=sum(1 for chat in chats if per_chat[chat] == 0),
        duplicated=sum(n - 1 for n in per_chat.values() if n > 1),
        **extra,
    )


def broadcast(
    name: str, url: str, members: int, *, workers: int = 1, paid: bool = False, log: Path
) -> Result:
    with EnforcingTelegram() as fake:
        chats = prepare(url, fake, members)
        db = Database(url)
        processes = [start_worker(url, fake, paid=paid, log=log) for _ in range(workers)]
        limit = PAID_LIMIT if paid else FREE_LIMIT
        meter = CpuMeter(processes, lambda: len(fake.calls_to("sendMessage")))
        try:
            with meter:
                wait_done(db, timeout=members / limit * 3 + 120)
        finally:
            stop(processes)
            db.dispose()
        return measure(name, fake, chats, limit, cpu_ms=meter.ms_per_message())


@contextmanager
def fake_zalo_thread() -> Iterator[FakeZalo]:
    """The fake Zalo API (an asyncio server) on a loop of its own thread."""
    loop = asyncio.new_event_loop()
    ready: concurrent.futures.Future[FakeZalo] = concurrent.futures.Future()
    done = asyncio.Event()

    async def serve() -> None:
        async with running_fake_zalo() as fake:
            ready.set_result(fake)
            await done.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=10)
    finally:
        loop.call_soon_threadsafe(done.set)
        thread.join(10)


def zalo_broadcast(url: str, members: int, *, log: Path) -> Result:
    """One worker sending a directive on Zalo at up to 1000/s (the setting's ceiling; the
    fake enforces no limit): the figure is the worker's CPU per message."""
    with fake_zalo_thread() as fake:
        chats = prepare(url, None, members, channel="zalo")
        db = Database(url)
        env = {
            "ZALO_BOT_TOKEN": ZALO_TOKEN,
            "ZALO_API_BASE": fake.url,
            "ZALO_RATE_PER_SECOND": "1000",
        }
        process = start_worker(url, None, paid=False, log=log, channel="zalo", extra=env)
        meter = CpuMeter([process], lambda: len(fake.calls_to("sendMessage")))
        try:
            with meter:
                wait_done(db, timeout=members / 100 + 120)
        finally:
            stop([process])
            db.dispose()
        sent = fake.calls_to("sendMessage")
        times = sorted(c.at for c in sent)
        seconds = times[-1] - times[0] if len(times) > 1 else 0.0
        per_chat = Counter(str(c.payload.get("chat_id")) for c in sent)
        return Result(
            name="1 worker, PostgreSQL, Zalo (no limit)",
            members=len(chats),
            limit=1000,
            seconds=seconds,
            rate=(len(times) - 1) / seconds if seconds else 0.0,
            max_second=0,
            refused=0,
            lost=sum(1 for chat in chats if per_chat[str(chat)] == 0),
            duplicated=sum(n - 1 for n in per_chat.values() if n > 1),
            cpu_ms=meter.ms_per_message(),
        )


def leased_to_dead(db: Database, accepted: set[int]) -> set[int]:
    """Rows still `sending` right after a kill whose chat already has the message: these are
    the ones in flight (sent, outcome not yet written) - the only possible duplicates."""
    with db.engine.connect() as conn:
        table = Delivery.__table__  # type: ignore[attr-defined]
        rows = conn.execute(
            sa.select(table.c.id, table.c.chat_id).where(table.c.status == "sending")
        )
        return {row_id for row_id, chat in rows if int(chat) in accepted}


def kill_test(
    url: str, members: int, kills: int, *, log: Path, seed: int, within: float | None = None
) -> Result:
    """`kills` kill -9 of the worker at random moments (in the first `within` seconds when
    given, else over the broadcast), each followed at once by a new worker. The dead worker's
    rows come back when its heartbeat is late (a few seconds), not after the lease."""
    rng = random.Random(seed)
    with EnforcingTelegram() as fake:
        # A killed worker leaves requests half-written; the server's complaint is expected.
        logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
        chats = prepare(url, fake, members)
        db = Database(url)
        expected = members / (FREE_LIMIT * 0.97)
        end = expected * 0.9 if within is None else within
        moments = sorted(rng.uniform(2.0, end) for _ in range(kills))
        worker = start_worker(url, fake, paid=False, log=log)
        started = time.monotonic()
        in_flight: set[int] = set()  # rows leased to a dead worker at the moment it died
        try:
            for moment in moments:
                time.sleep(max(0.0, started + moment - time.monotonic()))
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                time.sleep(0.2)  # requests already on the wire reach the fake server
                accepted = {int(c.params["chat_id"]) for c in fake.calls_to("sendMessage")}
                in_flight |= leased_to_dead(db, accepted)
                worker = start_worker(url, fake, paid=False, log=log)
            wait_done(db, timeout=expected * 3 + 180)
        finally:
            stop([worker])
            db.dispose()
        return measure(
            f"kill -9 x{kills}, PostgreSQL, 30/s",
            fake,
            chats,
            FREE_LIMIT,
            in_flight_at_kills=len(in_flight),
        )


def chatting_broadcast(url: str, members: int, *, ask_every: float, log: Path, seed: int) -> Result:
    """`sotay run` (Telegram polling and the delivery worker in one process, as a new user
    starts it) sends one directive to every member while random members write `/toi`:
    one every `ask_every` seconds on average, a fifth of them in bursts of five at once."""
    rng = random.Random(seed)
    with EnforcingTelegram() as fake:
        chats = prepare(url, fake, members)
        users = {chat: fake.user(chat, "Đảng viên") for chat in chats}
        db = Database(url)
        process = start_worker(url, fake, paid=False, log=log, command="run")
        asked: list[tuple[int, float]] = []
        stop_asking = threading.Event()

        def ask() -> None:
            expected = members / (FREE_LIMIT * 0.97)
            time.sleep(2.0)  # the poller starts; the broadcast is under way
            ends = time.monotonic() + expected * 0.9
            while time.monotonic() < ends and not stop_asking.is_set():
                burst = 5 if rng.random() < 0.2 else 1
                for chat in rng.sample(chats, burst):
                    fake.send_text(users[chat], "/toi")
                    asked.append((chat, time.monotonic()))
                time.sleep(rng.expovariate(burst / ask_every))

        asker = threading.Thread(target=ask, name="members", daemon=True)
        asker.start()
        try:
            wait_done(db, timeout=members / FREE_LIMIT * 3 + 120)
            asker.join(members / FREE_LIMIT * 3)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(answers(fake, asked)) < len(asked):
                time.sleep(0.5)
        finally:
            stop_asking.set()
            stop([process])
            db.dispose()
        waits = answers(fake, asked)
        replies = f"{len(waits)}/{len(asked)}"
        if waits:
            waits.sort()
            p99 = waits[min(len(waits) - 1, int(0.99 * len(waits)))]
            replies += f", {statistics.median(waits):.2f}/{p99:.2f}/{waits[-1]:.2f} s"
        return measure(
            "sotay run + members chatting, PostgreSQL, 30/s"
            if url.startswith("postgresql")
            else "sotay run + members chatting, SQLite, 30/s",
            fake,
            chats,
            FREE_LIMIT,
            replies=replies,
        )


def start_web(url: str, fake: Any, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`python -m bot serve --no-background --port P` (webhooks, chats only), from `--code`."""
    from bench.soak import bot_env

    env = bot_env(url, fake)
    env["PYTHONPATH"] = str(CODE)
    launch = ["-m", "bot"] if CODE == ROOT else ["-c", FROM_CODE]
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, *launch, "serve", "--no-background", "--port", str(port)],
        cwd=CODE,
        env=env,
        stdout=handle,
        stderr=handle,
    )


def webhook_chatting(
    url: str, members: int, *, rate: float, log: Path, seed: int, ports: tuple[int, int]
) -> Result:
    """The soak's shape, short (docs/soak.md): two `sotay serve --no-background` web
    processes answering webhook posts and two `sotay worker`s, members writing at `rate`
    updates/s with the soak's mix (`/hoidap` included) from a few seconds before a directive
    to every member until it is out. Measured while the directive goes out: the directive's
    msg/s, the replies' latency (webhook POST to the answer accepted), what the replies cost
    at the fake (their messages per second), the rows each worker gave back (late ones among
    them), 429s over the whole run, lost and duplicated. "max/s" counts the directive alone."""
    import argparse as _argparse

    from bench import soak as soak_module

    class Timed(soak_module.Soak):
        """The soak's load, keeping each reply's instant and each directive copy's."""

        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self.replied: list[tuple[float, float]] = []  # (accepted at, latency)
            self.copies: list[tuple[float, int]] = []  # (accepted at, chat)
            self.messages: list[float] = []  # the replies' messages accepted (not the copies)

        def on_event(self, method: str, chat: int, text: str) -> None:
            if soak_module.is_directive_copy(method, text):
                self.copies.append((time.monotonic(), chat))
            elif method in SEND_METHODS:
                self.messages.append(time.monotonic())
            seen = len(self.window.latencies)
            super().on_event(method, chat, text)
            if len(self.window.latencies) > seen:
                self.replied.append((time.monotonic(), self.window.latencies[-1]))

    seeded = soak_module.seed(url, members)
    db = Database(url)
    args = _argparse.Namespace(seed=seed, rate=rate, ports=list(ports))
    with soak_module.SoakTelegram() as fake:
        for chat in [
            *seeded.chats,
            *range(soak_module.NEWCOMER_BASE, soak_module.NEWCOMER_BASE + soak_module.NEWCOMERS),
        ]:
            fake.user(chat, "Đảng viên")
        load = Timed(args, fake, seeded)
        processes = [start_web(url, fake, port, log) for port in ports]
        # INFO: each worker logs its counts when it stops (rows given back, late ones).
        offset = log.stat().st_size
        processes += [
            start_worker(url, fake, paid=False, log=log, extra={"LOG_LEVEL": "INFO"})
            for _ in range(2)
        ]
        try:
            asyncio.run(soak_module.wait_healthy(list(ports), 90))
            time.sleep(3.0)  # the workers start and claim nothing yet

            async def drive() -> None:
                until = time.monotonic() + members / FREE_LIMIT * 4 + 60
                running = asyncio.create_task(load.load(until))
                await asyncio.sleep(5.0)  # members chat before the directive
                await asyncio.to_thread(soak_module.send_soak_directive, db, seeded, 1)
                while unfinished(db) or not load.copies:
                    if time.monotonic() > until:
                        raise TimeoutError("the directive did not go out in time")
                    await asyncio.sleep(POLL)
                await asyncio.sleep(3.0)
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running

            refused_before = (fake.refused, fake.refused_chat)
            asyncio.run(drive())
            deadline = time.monotonic() + 15
            while load.pending and time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            stop(processes)
            db.dispose()
        times = sorted(at for at, _chat in load.copies)
        first, last = times[0], times[-1]
        seconds = last - first
        during = sorted(wait for at, wait in load.replied if first <= at <= last)
        replies = f"{len(during)} during"
        if during:
            p99 = during[min(len(during) - 1, int(0.99 * len(during)))]
            replies += f", {statistics.median(during):.2f}/{p99:.2f}/{during[-1]:.2f} s"
            replies += f", {len(during) / seconds:.1f} replies/s"
        # What the replies cost the directive's second, at the fake: their messages and the
        # 429s refused to them, per second while it went out; and what the workers gave back.
        messages = sum(1 for at in load.messages if first <= at <= last)
        replies += f"; reply msgs {messages / seconds:.1f}/s"
        with log.open("rb") as handle:
            handle.seek(offset)
            tail = handle.read().decode(errors="replace")
        stats = [
            line.split("WorkerStats(", 1)[1] for line in tail.splitlines() if "WorkerStats(" in line
        ]
        for counts in stats:
            fields = dict(item.split("=") for item in counts.rstrip(")").split(", "))
            replies += (
                f"; worker: sent {fields['sent']}, released {fields['released']} "
                f"(late {fields['late']}), 429 {fields['rate_limited']}"
            )
        per_chat = Counter(chat for _at, chat in load.copies)
        busiest = max(
            (bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0
        )
        return Result(
            name=f"2 web + 2 workers, {rate:g} updates/s",
            members=len(seeded.chats),
            limit=FREE_LIMIT,
            seconds=seconds,
            rate=(len(times) - 1) / seconds if seconds else 0.0,
            max_second=busiest,
            refused=fake.refused - refused_before[0],
            refused_chat=fake.refused_chat - refused_before[1],
            lost=sum(1 for chat in seeded.chats if per_chat[chat] == 0),
            duplicated=sum(n - 1 for n in per_chat.values() if n > 1),
            replies=replies,
        )


def answers(fake: FakeTelegram, asked: list[tuple[int, float]]) -> list[float]:
    """For each question answered, the seconds from the question reaching the fake server
    to the answer being accepted (a chat's answers matched to its questions in order)."""
    given: dict[int, list[float]] = {}
    for call in fake.calls_to("sendMessage"):
        if call.ok and call.result["text"] != TEXT:
            given.setdefault(int(call.params["chat_id"]), []).append(call.at)
    waits = []
    for chat, at in sorted(asked, key=lambda item: item[1]):
        later = [t for t in given.get(chat, []) if t >= at]
        if later:
            waits.append(later[0] - at)
            given[chat].remove(later[0])
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=7500)
    parser.add_argument("--kill-members", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--kill-within", type=float, default=None, help="seconds; default: all")
    parser.add_argument("--paid-workers", type=int, default=2)
    parser.add_argument("--chat-members", type=int, default=1500)
    parser.add_argument("--ask-every", type=float, default=0.3, help="seconds between questions")
    parser.add_argument("--web-members", type=int, default=3000)
    parser.add_argument("--web-rate", type=float, default=5.0, help="member updates/s (web)")
    parser.add_argument("--web-port", type=int, default=18181, help="and the next one")
    parser.add_argument(
        "--skip", default="", help="comma list: free,sqlite,shared,paid,kill,chat,zalo,web"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout the bot runs from")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the workers here")
    args = parser.parse_args()
    global CODE, PROFILE_DIR
    CODE = args.code.resolve()
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile.resolve()
    # SIGTERM unwinds like Ctrl-C: workers stopped, temporary databases and files removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    log = Path(tempfile.gettempdir()) / "bench_delivery_workers.log"
    log.write_text("")
    print(f"workers log: {log}", flush=True)
    results: list[Result] = []
    print(HEADER, flush=True)

    def report(result: Result) -> None:
        results.append(result)
        print(result.row(), flush=True)

    if "free" not in skip:
        with postgres() as url:
            report(broadcast("1 worker, PostgreSQL, 30/s", url, args.members, log=log))
    if "sqlite" not in skip:
        with sqlite_file() as url:
            report(broadcast("1 worker, SQLite, 30/s", url, args.members, log=log))
    if "shared" not in skip:
        with postgres() as url:
            members = min(args.members, 3000)
            report(
                broadcast("2 workers, PostgreSQL, 30/s shared", url, members, workers=2, log=log)
            )
    if "paid" not in skip:
        for workers in sorted({1, args.paid_workers}):
            with postgres() as url:
                name = f"{workers} worker{'s' if workers > 1 else ''}, PostgreSQL, paid 1000/s"
                report(broadcast(name, url, args.members, workers=workers, paid=True, log=log))
    if "zalo" not in skip:
        with postgres() as url:
            report(zalo_broadcast(url, min(args.members, 3000), log=log))
    if "kill" not in skip:
        with postgres() as url:
            report(
                kill_test(
                    url,
                    args.kill_members,
                    args.kills,
                    log=log,
                    seed=args.seed,
                    within=args.kill_within,
                )
            )
    if "chat" not in skip:
        with postgres() as url:
            report(
                chatting_broadcast(
                    url, args.chat_members, ask_every=args.ask_every, log=log, seed=args.seed
                )
            )
    if "web" not in skip:
        with postgres() as url:
            report(
                webhook_chatting(
                    url,
                    args.web_members,
                    rate=args.web_rate,
                    log=log,
                    seed=args.seed,
                    ports=(args.web_port, args.web_port + 1),
                )
            )
    print("\nall scenarios:\n" + HEADER)
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
