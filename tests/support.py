"""Test helpers: a controllable clock and a scripted chat that talks to the real core."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from sqlmodel import select

from bot.channels import numbered
from handlers.core import Core
from handlers.messages import Incoming, Option, Response
from models import ConversationState, Database

ROOT = Path(__file__).resolve().parents[1]


CHILD_INVITE_SECRET = "child-process-invite-secret_0123456789abcdef"


def child_env(**settings: str) -> dict[str, str]:
    """The environment for a `sotay` subprocess: this one's, without the developer's own bot
    tokens, with the checkout importable, plus `settings`.

    `PYTHONPATH` is extended, not replaced: in CI's shifted run it carries the folder that moves
    the child's clock too (tests/clockshift).
    """
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "INVITE_"))
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    # A bot token needs INVITE_SECRET (bot.settings.invite_secret); tests may pass their own.
    env["INVITE_SECRET"] = CHILD_INVITE_SECRET
    env.update(settings)
    return env


@contextmanager
def fresh_pg_database(admin_url: str, prefix: str = "sotay_tmp") -> Iterator[str]:
    """A new, empty PostgreSQL database for the block (its URL), dropped afterwards."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class FakeClock:
    """Time under the test's control: nobody sleeps, tests `advance` instead."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 26, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class ChatDriver:
    """One user in one private chat, speaking to the core as a channel adapter would."""

    core: Core
    user_id: str
    channel: str = "telegram"
    chat_id: str | None = None
    is_group: bool = False
    last: Response = field(default_factory=Response)

    def send(self, text: str) -> Response:
        self.last = self.core.handle(
            Incoming(
                channel=self.channel,
                chat_id=self.chat_id or self.user_id,
                user_id=self.user_id,
                text=text,
                is_group=self.is_group,
                numbered=numbered(self.channel),
            )
        )
        return self.last

    def press_payload(self, payload: str) -> Response:
        self.last = self.core.handle(
            Incoming(
                channel=self.channel,
                chat_id=self.chat_id or self.user_id,
                user_id=self.user_id,
                choice=payload,
                is_group=self.is_group,
                numbered=numbered(self.channel),
            )
        )
        return self.last

    def options(self) -> list[Option]:
        return [o for r in self.last.replies for o in r.options]

    def option(self, label_part: str) -> Option:
        for option in self.options():
            if label_part in option.label:
                return option
        raise AssertionError(f"no option with {label_part!r} in {self.options()}")

    def press(self, label_part: str) -> Response:
        return self.press_payload(self.option(label_part).payload)

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last.replies)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(asgi_app: Any, timeout: float = 10.0) -> AsyncIterator[str]:
    """A real uvicorn on a free port of 127.0.0.1 (lifespan on) for the block: its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(asgi_app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = asyncio.get_running_loop().time() + timeout
    while not (server.started or task.done()):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("uvicorn did not start")
        await asyncio.sleep(0.005)
    if task.done():
        task.result()  # the start-up failed: say why
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


async def get_when_listening(
    http: httpx.AsyncClient, url: str, timeout: float = 10.0
) -> httpx.Response:
    """GET `url` once the server a test just started accepts connections."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return await http.get(url)
        except httpx.ConnectError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.02)


def state_of(db: Database, chat: ChatDriver) -> ConversationState:
    """The chat's conversation state as stored (flow, step, data, what is on offer)."""
    with db.session() as session:
        return session.exec(
            select(ConversationState)
            .where(ConversationState.channel == chat.channel)
            .where(ConversationState.user_id == chat.user_id)
        ).one()


def menu_screens(chat: ChatDriver) -> dict[str, list[Option]]:
    """Every screen of the chat's /help menu by its title: "" for the first screen, and each
    topic it opens (pressed as its button, so on any channel), the topic's options."""
    chat.send("/help")
    first = chat.options()
    screens = {"": first}
    for topic in (o for o in first if o.payload.startswith("menu:")):
        chat.send("/help")
        chat.press_payload(topic.payload)
        screens[topic.label] = chat.options()
    return screens


def menu_commands(chat: ChatDriver) -> set[str]:
    """The commands (`/name`) the chat's /help menu offers on any of its screens."""
    return {
        option.payload
        for options in menu_screens(chat).values()
        for option in options
        if option.payload.startswith("/")
    }
