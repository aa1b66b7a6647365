"""Soak test: the production shape under a steady mixed load, for 30 minutes or 24 hours.

Why: the benches measure one thing at a time; a deployment fails in the seams between them
(memory that creeps, connections that leak, an outbox that falls behind while members chat, a
process that does not come back after a crash). This runs what production runs, on this
machine, and samples it every `--window` seconds:

* two `python -m bot serve --no-background` web processes (two ports; the fake Telegram's
  webhook push goes round-robin over them, standing in for the reverse proxy);
* two `python -m bot worker --channel telegram` delivery workers;
* one scheduler process (`python -m bot scheduler`, production's `sotay scheduler`);
* one PostgreSQL database created for the run (dropped after unless `--keep`);
* the enforcing fake Bot API (bench_delivery's `EnforcingTelegram`: 30 messages/s per token,
  1 per second per chat) in this process, which records every reply as it is accepted.

Simulated members (`--members`, linked on Telegram, spread over the demo's two cells) write at
`--rate` updates/s (Poisson): `/toi`, `/lichhop`, `/thongbao`, `/nhiemvu`,
`/hoidap chuyen sinh hoat`, `/menu`, a four-digit check-in code, "Đã nhận" pressed on their
latest directive, and unlinked newcomers' `/start`. A reply's latency runs from the webhook
POST to the fake server accepting the bot's answer in that chat. A POST that fails (connection
refused, 5xx) is retried like Telegram does (after 1 s, up to 5 times, alternating ports).
Every `--directive-every` seconds a committee member sends a directive to the whole base
(`services.directives.rules.send_directive`: the real outbox).

Per window, to `--out`/soak.csv: updates sent, replies, missing replies (none after
`--reply-timeout`), webhook errors, p50/p99/max latency, each process's RSS and CPU, the
database's connections, outbox pending/sending and the oldest pending row's age. Faults
(`--faults web@8,worker@13,pg@23`, minutes): kill -9 of a web process or a worker (restarted at
once), restart of PostgreSQL (`--pg-restart`, a command). At the end: each directive's lost and
duplicated copies (vs the rows in flight at the worker kills), the replies lost, memory growth
after warm-up per process, CPU per update of the web processes; summary.json and soak.png
(bench/soak_report.py).

Run: `.venv/bin/python -m bench.soak [--minutes 30] [--members 7500] [--rate 5]
[--directive-every 600] [--faults web@8,worker@13,pg@23] [--pg-url URL] [--pg-restart CMD]
[--out DIR] [--keep]`. It keeps only per-window aggregates, so it can run for 24 hours.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from array import array
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import select

import migrations
from bench import bench_delivery
from bench.bench_delivery import (
    CHAT_BASE,
    FREE_LIMIT,
    INVITE_SECRET,
    ROOT,
    SEND_METHODS,
    EnforcingTelegram,
    cpu_seconds,
    leased_to_dead,
    start_worker,
    stop,
)
from models import ChatIdentity, Database, Delivery, Member, MemberStatus, Unit
from services.auth import load_actor
from services.demo import COMMITTEE_CODE, seed_demo
from services.directives.rules import send_directive
from tests.fake_telegram import TOKEN

WEBHOOK_SECRET = "soak-webhook-secret-0123456789-abcdefghijklmnop"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
NEWCOMER_BASE = 990_000_000  # unlinked users who write /start
NEWCOMERS = 500
DIRECTIVE_MARK = "Chỉ đạo kiểm thử số "
DIRECTIVE_NUMBER = re.compile(re.escape(DIRECTIVE_MARK) + r"(\d+)")
REPLY_EVENTS = ("sendmessage", "sendphoto", "senddocument", "editmessagetext")
# kind, weight: what members do, roughly as often as a cell's members would
MIX: list[tuple[str, float]] = [
    ("/toi", 3),
    ("/lichhop", 2),
    ("/thongbao", 2),
    ("/nhiemvu", 2),
    ("/hoidap chuyen sinh hoat", 2),
    ("/menu", 2),
    ("checkin", 1),
    ("ack", 3),
    ("start", 1),
]
PROCESS_NAMES = ("web1", "web2", "worker1", "worker2", "scheduler")


def is_directive_copy(method: str, text: str) -> bool:
    """A member's copy of a soak directive (the outbox's message), not a list that quotes it
    (/thongbao) nor the edit after "Đã nhận"."""
    return method == "sendmessage" and text.startswith("📢") and DIRECTIVE_MARK in text


# -- the fake Bot API, bounded for a long run ------------------------------------------------
class SoakTelegram(EnforcingTelegram):
    """The enforcing fake, keeping only what a 24-hour run can afford: the last calls, the
    last bot message of each kind per chat; every accepted reply goes to `on_event`."""

    def __enter__(self) -> SoakTelegram:
        self.start()
        return self

    def __post_init__(self) -> None:
        super().__post_init__()
        self.calls = deque(maxlen=200)  # type: ignore[assignment]
        self.on_event: Any = None  # (method, chat_id, text) under the server's lock
        self.query_chats: dict[str, int] = {}  # callback query id → chat
        self._slots: dict[tuple[int, bool], int] = {}  # (chat, directive?) → message id
        self.latest_directive: dict[int, dict[str, Any]] = {}  # chat → message
        # Why the bot met a chat's one-message-a-second limit: (what was sent just before in
        # that chat, what was refused) → count, by the first words of each text.
        self.last_text: dict[int, str] = {}
        self.chat_refusals: Counter[str] = Counter()
        for method in (*REPLY_EVENTS, "answercallbackquery"):
            self._methods[method] = self._recorded(method, self._methods[method])

    def _recorded(self, method: str, handler: Any) -> Any:
        def call(params: dict[str, Any], files: dict[str, Any]) -> Any:
            result = handler(params, files)
            if method == "answercallbackquery":
                chat = self.query_chats.pop(str(params.get("callback_query_id")), None)
                self._queries.pop(str(params.get("callback_query_id")), None)
                text = ""
            else:
                chat = int(params.get("chat_id") or 0)
                text = result.get("text", "") if isinstance(result, dict) else ""
            if chat is not None and self.on_event is not None:
                self.on_event(method, chat, text)
            return result

        return call

    def _take_fault(self, method: str, params: dict[str, Any]) -> Any:
        before = self.refused_chat
        fault = super()._take_fault(method, params)
        if method in SEND_METHODS:
            chat = int(params.get("chat_id") or 0)
            text = " ".join(str(params.get("text") or params.get("caption") or "").split()[:4])
            if self.refused_chat > before:
                previous = self.last_text.get(chat, "?")
                if len(self.chat_refusals) < 200 or f"{previous} → {text}" in self.chat_refusals:
                    self.chat_refusals[f"{previous} → {text}"] += 1
            elif fault is None:
                self.last_text[chat] = text
        return fault

    def _store_bot_message(
        self, chat: dict[str, Any], params: dict[str, Any], body: dict[str, Any]
    ) -> dict[str, Any]:
        message = super()._store_bot_message(chat, params, body)
        directive = is_directive_copy("sendmessage", str(body.get("text", "")))
        slot = (chat["id"], directive)
        old = self._slots.get(slot)
        if old is not None and old != message["message_id"]:
            self._messages.pop((chat["id"], old), None)
        self._slots[slot] = message["message_id"]
        if directive:
            self.latest_directive[chat["id"]] = message
        return message


# -- the database ---------------------------------------------------------------------------------
@dataclass
class Seeded:
    chats: list[int]
    committee_id: int
    base_id: int


def seed(url: str, members: int) -> Seeded:
    """Migrate, seed the demo (with every feature's demo data: meetings, fees, the library)
    and add `members` members linked on Telegram, alternating between the demo's cells."""
    from bot.features import offers
    from services.offers import DEMO_DATA

    migrations.upgrade(url)
    db = Database(url)
    now = datetime.now(UTC)
    chats = [CHAT_BASE + i for i in range(members)]
    with db.session() as session:
        seed_demo(session, now=now, extras=offers().of(DEMO_DATA))
        cells = session.exec(
            select(Unit).where(Unit.kind == "chi_bo_truc_thuoc").order_by(Unit.id)  # type: ignore[arg-type]
        ).all()
        base = session.exec(select(Unit).where(Unit.id == cells[0].parent_id)).one()
        committee = session.exec(select(Member).where(Member.code == COMMITTEE_CODE)).one()
        session.execute(
            sa.insert(Member.__table__),  # type: ignore[attr-defined]
            [
                {
                    "code": f"SK{i:07d}",
                    "full_name": f"Đảng viên {i}",
                    "status": MemberStatus.OFFICIAL.value,
                    "cell_id": cells[i % len(cells)].id,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(members)
            ],
        )
        ids = dict(
            session.exec(select(Member.code, Member.id).where(Member.code.startswith("SK"))).all()
        )
        session.execute(
            sa.insert(ChatIdentity.__table__),  # type: ignore[attr-defined]
            [
                {
                    "channel": "telegram",
                    "external_id": str(chat),
                    "chat_id": str(chat),
                    "member_id": ids[f"SK{i:07d}"],
                    "active": True,
                    "linked_at": now,
                }
                for i, chat in enumerate(chats)
            ],
        )
        assert committee.id is not None and base.id is not None
        seeded = Seeded(chats, committee.id, base.id)
    db.dispose()
    return seeded


def send_soak_directive(db: Database, seeded: Seeded, number: int) -> int:
    """A committee member's directive to every member of the base: the real path."""
    with db.session() as session:
        committee = session.exec(select(Member).where(Member.id == seeded.committee_id)).one()
        receipt = send_directive(
            session,
            load_actor(session, committee),
            seeded.base_id,
            audience="all",
            text=f"{DIRECTIVE_MARK}{number}: các chi bộ tổ chức học tập chuyên đề, "
            "báo cáo kết quả về Văn phòng Đảng ủy.",
            now=datetime.now(UTC),
        )
        return receipt.enqueued


@dataclass
class OutboxState:
    pending: int = 0
    sending: int = 0
    oldest_pending_s: float = 0.0
    connections: int = 0
    backends: tuple[int, ...] = ()  # the server processes serving the bot's database


def outbox_state(db: Database, name: str) -> OutboxState:
    table = Delivery.__table__  # type: ignore[attr-defined]
    with db.engine.connect() as conn:
        counts: dict[str, int] = dict(
            conn.execute(
                sa.select(table.c.status, sa.func.count())
                .where(table.c.status.in_(("pending", "sending")))
                .group_by(table.c.status)
            ).all()
        )
        oldest = conn.execute(
            sa.select(sa.func.min(table.c.created_at)).where(
                table.c.status.in_(("pending", "sending"))
            )
        ).scalar_one()
        backends = tuple(
            conn.execute(
                sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            ).scalars()
        )
    age = 0.0
    if oldest is not None:
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
    pending, sending = int(counts.get("pending", 0)), int(counts.get("sending", 0))
    # Less this sampler's own connection.
    return OutboxState(pending, sending, age, len(backends) - 1, backends)


def backend_cpu(pids: tuple[int, ...], before: dict[int, float]) -> tuple[float, dict[int, float]]:
    """CPU seconds the database's server processes used since `before` (a backend born in
    between counts from its start; one that ended is missed): PostgreSQL's share of the
    work, when the server runs on this machine (else 0)."""
    now: dict[int, float] = {}
    for pid in pids:
        with suppress(OSError, IndexError):
            now[pid] = cpu_seconds(pid)
    used = sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())
    return max(0.0, used), now


# -- processes ----------------------------------------------------------------------------------
def bot_env(url: str, fake: SoakTelegram) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update(
        DATABASE_URL=url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=fake.base_url,
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        TELEGRAM_WEBHOOK_URL="https://soak.invalid/telegram/webhook",
        TELEGRAM_RATE_PER_SECOND=str(FREE_LIMIT),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        INVITE_SECRET=INVITE_SECRET,
    )
    return env


class Fleet:
    """The bot's processes by name, each restartable."""

    def __init__(self, url: str, fake: SoakTelegram, ports: tuple[int, int], log: Path) -> None:
        self.url, self.fake, self.ports, self.log = url, fake, ports, log
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.cpu_base: dict[str, float] = {}  # CPU of processes that were killed, per name

    def start(self, name: str) -> None:
        if name.startswith("worker"):
            process = start_worker(self.url, self.fake, paid=False, log=self.log)
        else:
            if name.startswith("web"):
                port = self.ports[int(name[-1]) - 1]
                arguments = ["-m", "bot", "serve", "--no-background", "--port", str(port)]
            else:
                arguments = ["-m", "bot", "scheduler"]
            handle = self.log.open("ab")
            process = subprocess.Popen(
                [sys.executable, *arguments],
                cwd=ROOT,
                env=bot_env(self.url, self.fake),
                stdout=handle,
                stderr=handle,
            )
        self.processes[name] = process

    def kill(self, name: str) -> None:
        process = self.processes[name]
        with suppress(OSError, IndexError):
            self.cpu_base[name] = self.cpu_base.get(name, 0.0) + cpu_seconds(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def cpu(self, name: str) -> float:
        try:
            return self.cpu_base.get(name, 0.0) + cpu_seconds(self.processes[name].pid)
        except (OSError, IndexError):
            return self.cpu_base.get(name, 0.0)

    def stop_all(self) -> None:
        stop(list(self.processes.values()))


def rss_mb(pid: int) -> float:
    """Resident memory of a live process, from /proc/<pid>/status (VmRSS, kB)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def scheduler_child() -> None:
    """`--scheduler-child`, kept for older command lines: the same as `sotay scheduler`."""
    from bot.scheduler_process import serve_scheduler
    from bot.settings import load_settings

    serve_scheduler(load_settings())


# -- the load -----------------------------------------------------------------------------------
@dataclass
class Window:
    """What one sampling window saw (reset after each row)."""

    sent: int = 0
    replies: int = 0
    missing: int = 0
    errors: int = 0
    retried: int = 0
    directive_sent: int = 0
    latencies: list[float] = field(default_factory=list)


@dataclass
class DirectiveTrack:
    number: int
    enqueued: int
    at: float
    copies: array[int]
    in_flight_at_kills: int = 0


class Soak:
    def __init__(self, args: argparse.Namespace, fake: SoakTelegram, seeded: Seeded) -> None:
        self.args = args
        self.fake = fake
        self.seeded = seeded
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.pending: dict[int, deque[tuple[float, str]]] = {}  # chat → (posted at, kind)
        self.window = Window()
        self.totals: Counter[str] = Counter()
        self.latency_ms: Counter[int] = Counter()  # whole run, 10 ms buckets
        self.directives: dict[int, DirectiveTrack] = {}
        self.finished_directives: list[dict[str, Any]] = []
        self.update_id = 700_000_000
        self.message_id = 0
        fake.on_event = self.on_event

    # The fake server's thread, under its lock: keep it short.
    def on_event(self, method: str, chat: int, text: str) -> None:
        now = time.monotonic()
        if is_directive_copy(method, text):
            match = DIRECTIVE_NUMBER.search(text)
            track = self.directives.get(int(match.group(1))) if match else None
            index = chat - CHAT_BASE
            if track is not None and 0 <= index < len(track.copies):
                track.copies[index] += 1
            with self.lock:
                self.window.directive_sent += 1
                self.totals["directive_messages"] += 1
            return
        with self.lock:
            queue = self.pending.get(chat)
            if not queue:
                return
            posted, kind = queue.popleft()
            if not queue:
                del self.pending[chat]
            wait = now - posted
            self.window.replies += 1
            self.window.latencies.append(wait)
            self.latency_ms[int(wait * 100)] += 1
            self.totals["replies"] += 1
            self.totals[f"replies:{kind}"] += 1

    def next_update_id(self) -> int:
        self.update_id += 1
        return self.update_id

    def update_for(self, kind: str) -> tuple[int, dict[str, Any]] | None:
        chats = self.seeded.chats
        if kind == "start":
            chat = NEWCOMER_BASE + self.rng.randrange(NEWCOMERS)
            return chat, self.message(chat, "/start")
        chat = self.rng.choice(chats)
        if kind == "checkin":
            return chat, self.message(chat, f"{self.rng.randrange(10000):04d}")
        if kind == "ack":
            with self.fake._lock:
                directive = self.fake.latest_directive.get(chat)
            if directive is None:
                return None
            markup = directive.get("reply_markup") or {}
            rows = markup.get("inline_keyboard") or []
            if not rows:
                return None
            # Through the fake, so that it knows the query the bot will answer.
            update = self.fake.callback_update(
                self.user(chat), directive, rows[0][0]["callback_data"]
            )
            update["update_id"] = self.next_update_id()
            self.fake.query_chats[update["callback_query"]["id"]] = chat
            return chat, update
        return chat, self.message(chat, kind)

    @staticmethod
    def user(chat: int) -> dict[str, Any]:
        return {"id": chat, "is_bot": False, "first_name": "Đảng viên", "language_code": "vi"}

    def message(self, chat: int, text: str) -> dict[str, Any]:
        self.message_id += 1
        body: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.user(chat),
            "chat": {"id": chat, "type": "private", "first_name": "Đảng viên"},
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            body["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
        return {"update_id": self.next_update_id(), "message": body}

    async def post(self, client: httpx.AsyncClient, chat: int, kind: str, update: Any) -> None:
        """One update pushed like Telegram pushes it: retried when the POST fails."""
        ports = self.args.ports
        first = self.next_port()
        with self.lock:
            self.pending.setdefault(chat, deque()).append((time.monotonic(), kind))
            self.window.sent += 1
            self.totals["sent"] += 1
        for attempt in range(6):
            port = ports[(first + attempt) % len(ports)]
            try:
                answer = await client.post(
                    f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
                    json=update,
                    headers={SECRET_HEADER: WEBHOOK_SECRET},
                )
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            with self.lock:
                self.window.errors += 1
                self.totals["webhook_errors"] += 1
            await asyncio.sleep(1.0)
            with self.lock:
                self.window.retried += 1
                self.totals["retried"] += 1
        with self.lock:
            self.totals["undelivered"] += 1

    _port_turn = 0

    def next_port(self) -> int:
        self._port_turn += 1
        return self._port_turn

    async def load(self, until: float) -> None:
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        tasks: set[asyncio.Task[None]] = set()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:
            while time.monotonic() < until:
                await asyncio.sleep(self.rng.expovariate(self.args.rate))
                kind = self.rng.choices(kinds, weights)[0]
                made = self.update_for(kind)
                if made is None:
                    made = self.update_for("/toi")
                assert made is not None
                chat, update = made
                task = asyncio.create_task(self.post(client, chat, kind, update))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks)

    def sweep(self, timeout: float) -> None:
        """Updates unanswered after `timeout` seconds count as missing, and are forgotten."""
        cutoff = time.monotonic() - timeout
        with self.lock:
            for chat in list(self.pending):
                queue = self.pending[chat]
                while queue and queue[0][0] < cutoff:
                    _, kind = queue.popleft()
                    self.window.missing += 1
                    self.totals["missing"] += 1
                    self.totals[f"missing:{kind}"] += 1
                if not queue:
                    del self.pending[chat]
            self.fake.query_chats = {
                q: c for q, c in list(self.fake.query_chats.items())[-5000:]
            }  # presses the bot never answered: forget the oldest
        with self.fake._lock:
            queries = self.fake._queries
            for query in list(queries)[: max(0, len(queries) - 5000)]:
                del queries[query]

    def take_window(self) -> Window:
        with self.lock:
            window, self.window = self.window, Window()
        return window


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def histogram_percentile(buckets: Counter[int], share: float) -> float:
    total = sum(buckets.values())
    if not total:
        return float("nan")
    seen = 0
    for bucket in sorted(buckets):
        seen += buckets[bucket]
        if seen >= share * total:
            return (bucket + 1) / 100
    return float("nan")


def parse_faults(text: str) -> list[tuple[float, str]]:
    faults = []
    for item in filter(None, (s.strip() for s in text.split(","))):
        kind, _, minute = item.partition("@")
        if kind not in ("web", "worker", "pg"):
            raise SystemExit(f"unknown fault {kind!r}: web, worker or pg")
        faults.append((float(minute) * 60, kind))
    return sorted(faults)


async def run(args: argparse.Namespace, url: str, out: Path) -> dict[str, Any]:
    name = sa.make_url(url).database or ""
    log = out / "processes.log"
    log.write_text("")
    seeded = await asyncio.to_thread(seed, url, args.members)
    print(f"seeded {args.members} members; processes log: {log}", flush=True)
    db = Database(url)
    with SoakTelegram() as fake:
        for chat in [*seeded.chats, *range(NEWCOMER_BASE, NEWCOMER_BASE + NEWCOMERS)]:
            fake.user(chat, "Đảng viên")
        soak = Soak(args, fake, seeded)
        fleet = Fleet(url, fake, tuple(args.ports), log)
        for process in PROCESS_NAMES:
            fleet.start(process)
        await wait_healthy(args.ports, 90)
        started = time.monotonic()
        until = started + args.minutes * 60
        events: list[dict[str, Any]] = []
        faults = parse_faults(args.faults)
        rows: list[dict[str, Any]] = []
        csv_path = out / "soak.csv"
        columns = [
            "t_s", "sent", "replies", "missing", "webhook_errors", "retried",
            "p50_s", "p99_s", "max_s", "pending", "sending", "oldest_pending_s",
            "db_connections", "directive_sent", "refused_token", "refused_chat", "load1",
            *(f"rss_{p}_mb" for p in (*PROCESS_NAMES, "soak")),
            *(f"cpu_{p}_pct" for p in (*PROCESS_NAMES, "soak")),
            "cpu_postgres_pct",
        ]  # fmt: skip
        handle = csv_path.open("w", newline="")
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()

        async def sampler() -> None:
            last_cpu = {p: fleet.cpu(p) for p in PROCESS_NAMES}
            last_cpu["soak"] = cpu_seconds(os.getpid())
            last = time.monotonic()
            refused = [0, 0]
            backends: dict[int, float] = {}
            while True:
                await asyncio.sleep(args.window)
                soak.sweep(args.reply_timeout)
                now = time.monotonic()
                window = soak.take_window()
                try:
                    state = await asyncio.to_thread(outbox_state, db, name)
                except sa.exc.SQLAlchemyError:
                    state = OutboxState(-1, -1, float("nan"), -1)  # the database is down
                row: dict[str, Any] = {
                    "t_s": round(now - started, 1),
                    "sent": window.sent,
                    "replies": window.replies,
                    "missing": window.missing,
                    "webhook_errors": window.errors,
                    "retried": window.retried,
                    "p50_s": round(percentile(window.latencies, 0.5), 3),
                    "p99_s": round(percentile(window.latencies, 0.99), 3),
                    "max_s": round(max(window.latencies, default=float("nan")), 3),
                    "pending": state.pending,
                    "sending": state.sending,
                    "oldest_pending_s": round(state.oldest_pending_s, 1),
                    "db_connections": state.connections,
                    "directive_sent": window.directive_sent,
                    "refused_token": fake.refused - refused[0],
                    "refused_chat": fake.refused_chat - refused[1],
                    "load1": round(os.getloadavg()[0], 2),
                }
                cpus = {p: fleet.cpu(p) for p in PROCESS_NAMES}
                cpus["soak"] = cpu_seconds(os.getpid())
                for process in PROCESS_NAMES:
                    row[f"rss_{process}_mb"] = round(rss_mb(fleet.processes[process].pid), 1)
                row["rss_soak_mb"] = round(rss_mb(os.getpid()), 1)
                for process, cpu in cpus.items():
                    share = 100 * (cpu - last_cpu[process]) / (now - last)
                    row[f"cpu_{process}_pct"] = round(max(0.0, share), 1)
                used, backends = backend_cpu(state.backends, backends)
                row["cpu_postgres_pct"] = round(100 * used / (now - last), 1)
                last_cpu, last = cpus, now
                refused[:] = [fake.refused, fake.refused_chat]
                writer.writerow(row)
                handle.flush()
                rows.append(row)
                del rows[:-2000]  # the CSV has them all; the summary needs only a tail
                await asyncio.to_thread(settle_directives, soak, db, state)
                print(
                    f"{row['t_s']:>7.0f}s sent {window.sent:>3} replies {window.replies:>3} "
                    f"missing {window.missing} err {window.errors} p50 {row['p50_s']} "
                    f"p99 {row['p99_s']} outbox {state.pending}/{state.sending} "
                    f"lag {row['oldest_pending_s']}s conns {state.connections} "
                    f"load {row['load1']}",
                    flush=True,
                )

        async def directives() -> None:
            number = 0
            await asyncio.sleep(args.first_directive)
            while time.monotonic() < until:
                number += 1
                track = DirectiveTrack(
                    number, 0, time.monotonic(), array("H", bytes(2 * len(seeded.chats)))
                )
                soak.directives[number] = track
                track.enqueued = await asyncio.to_thread(send_soak_directive, db, seeded, number)
                events.append(
                    {"t_s": round(time.monotonic() - started, 1), "event": f"directive {number}"}
                )
                print(f"directive {number}: {track.enqueued} rows enqueued", flush=True)
                await asyncio.sleep(args.directive_every)

        async def inject() -> None:
            for at, kind in faults:
                await asyncio.sleep(max(0.0, started + at - time.monotonic()))
                if time.monotonic() >= until:
                    return
                moment = time.monotonic()
                event: dict[str, Any] = {"t_s": round(moment - started, 1), "event": kind}
                if kind == "web":
                    fleet.kill("web1")
                    fleet.start("web1")
                    await wait_healthy(args.ports[:1], 90)
                elif kind == "worker":
                    fleet.kill("worker1")
                    await asyncio.sleep(0.2)  # requests on the wire reach the fake server
                    event["in_flight"] = await asyncio.to_thread(in_flight, soak, db)
                    fleet.start("worker1")
                else:
                    done = await asyncio.to_thread(
                        subprocess.run, args.pg_restart, shell=True, capture_output=True
                    )
                    event["rc"] = done.returncode
                    if done.returncode:
                        event["stderr"] = done.stderr.decode(errors="replace")[-500:]
                event["restart_s"] = round(time.monotonic() - moment, 2)
                events.append(event)
                print(f"fault: {event}", flush=True)

        background = [
            asyncio.create_task(sampler()),
            asyncio.create_task(directives()),
            asyncio.create_task(inject()),
        ]
        try:
            await soak.load(until)
            print("load stopped; waiting for the outbox and the last replies", flush=True)
            drain_until = time.monotonic() + args.drain
            while time.monotonic() < drain_until:
                state = await asyncio.to_thread(outbox_state, db, name)
                if state.pending + state.sending == 0 and not soak.pending:
                    break
                await asyncio.sleep(2)
            await asyncio.sleep(args.window + 1)  # one last sample
            soak.sweep(0)
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            rss_end = {p: rss_mb(fleet.processes[p].pid) for p in PROCESS_NAMES}
            cpu_web = fleet.cpu("web1") + fleet.cpu("web2")
            fleet.stop_all()
            handle.close()
        for number in list(soak.directives):
            settle(soak, number)
        summary = {
            "args": {k: v for k, v in vars(args).items() if k != "func"},
            "totals": dict(soak.totals),
            "latency_p50_s": histogram_percentile(soak.latency_ms, 0.5),
            "latency_p99_s": histogram_percentile(soak.latency_ms, 0.99),
            "directives": soak.finished_directives,
            "events": events,
            "rss_end_mb": rss_end,
            "web_cpu_s": round(cpu_web, 1),
            "web_cpu_ms_per_update": round(1000 * cpu_web / max(1, soak.totals["sent"]), 2),
            "rows": len(rows),
            "refused_token": fake.refused,
            "refused_chat": fake.refused_chat,
            "chat_refusals_top": fake.chat_refusals.most_common(15),
        }
        (out / "events.json").write_text(json.dumps(events, indent=1))
        (out / "summary.json").write_text(
            json.dumps(summary, indent=1, ensure_ascii=False, default=str)
        )
        db.dispose()
        return summary


def in_flight(soak: Soak, db: Database) -> int:
    """Rows still `sending` right after the kill whose chat already had the directive: the
    only possible duplicates (bench_delivery's measure, for the directive under way)."""
    if not soak.directives:
        return 0
    track = soak.directives[max(soak.directives)]
    accepted = {CHAT_BASE + i for i, n in enumerate(track.copies) if n}
    count = len(leased_to_dead(db, accepted))
    track.in_flight_at_kills += count
    return count


def settle_directives(soak: Soak, db: Database, state: OutboxState) -> None:
    """A directive whose copies are all out (or the outbox is empty) is summed up and its
    per-chat counts dropped: the run keeps no more than a directive or two in memory."""
    for number, track in list(soak.directives.items()):
        delivered = len(track.copies) - track.copies.count(0)
        newer = any(n > number for n in soak.directives)
        if delivered >= track.enqueued > 0 and (newer or state.pending + state.sending == 0):
            settle(soak, number)


def settle(soak: Soak, number: int) -> None:
    track = soak.directives.pop(number, None)
    if track is None:
        return
    lost = track.copies.count(0)
    duplicated = sum(n - 1 for n in track.copies if n > 1)
    soak.finished_directives.append(
        {
            "number": number,
            "enqueued": track.enqueued,
            "lost": lost,
            "duplicated": duplicated,
            "in_flight_at_kills": track.in_flight_at_kills,
        }
    )
    print(f"directive {number}: lost {lost}, duplicated {duplicated}", flush=True)


async def wait_healthy(ports: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2.0) as client:
        for port in ports:
            while True:
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the web process on port {port} did not start")
                await asyncio.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--members", type=int, default=7500)
    parser.add_argument("--rate", type=float, default=5.0, help="member updates per second")
    parser.add_argument("--directive-every", type=float, default=600)
    parser.add_argument("--first-directive", type=float, default=60, help="seconds")
    parser.add_argument("--faults", default="web@8,worker@13,pg@23", help="kind@minute,...")
    parser.add_argument("--window", type=float, default=10, help="seconds per sample")
    parser.add_argument("--reply-timeout", type=float, default=60)
    parser.add_argument("--drain", type=float, default=600, help="seconds to wait at the end")
    parser.add_argument("--ports", type=int, nargs=2, default=[18081, 18082])
    parser.add_argument("--pg-url", default=bench_delivery.PG_ADMIN_URL, help="admin URL")
    parser.add_argument(
        "--pg-restart",
        default=None,
        help="shell command restarting the PostgreSQL server of --pg-url (required by a pg "
        "fault), e.g. 'pg_ctlcluster --skip-systemctl-redirect 15 soak restart'",
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/soak"))
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scheduler-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scheduler_child:
        scheduler_child()
        return
    # Restarting a database server is never a default: other work may be using it.
    if any(kind == "pg" for _, kind in parse_faults(args.faults)) and not args.pg_restart:
        parser.error("a pg fault needs --pg-restart (or leave pg out of --faults)")
    args.out.mkdir(parents=True, exist_ok=True)
    # SIGTERM unwinds like Ctrl-C: processes stopped, the database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with database(args.pg_url, keep=args.keep) as url:
        summary = asyncio.run(run(args, url, args.out))
    from bench.soak_report import chart

    chart(args.out / "soak.csv", args.out / "events.json", args.out / "soak.png")
    print(json.dumps({k: v for k, v in summary.items() if k != "args"}, indent=1, default=str))


@contextmanager
def database(admin_url: str, *, keep: bool) -> Iterator[str]:
    """A database for the run, dropped after unless `--keep`. Fresh admin connections each
    time: the server may have been restarted in between (bench_delivery's `postgres()` keeps
    one pool open for the whole run, and its drop fails after a restart)."""
    name = f"sotay_soak_{datetime.now(UTC):%Y%m%d_%H%M%S}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    print(f"database: {url}", flush=True)
    try:
        yield url
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
