"""Hostile bodies on both webhooks, and public-file tokens kept out of the access log.

The webhooks are served by a real uvicorn on 127.0.0.1 (so bodies arrive as real HTTP, with or
without Content-Length), and the requests carry the right secret: the body itself is what is
hostile. Nothing here reaches a database or a Bot API: the channels are built but never
started, against an address nobody listens on, and a refused body must not get that far.
Where a test must see how much of a body was read, it drives the route through
httpx.ASGITransport, which hands the app the request body one chunk per read.

The access-log tests run the real servers of `sotay run` (`serve_files`, in-process, on SQLite
and PostgreSQL) and of `sotay serve` (a subprocess with its own logging, as the CLI runs it, on
SQLite). Both servers read the real clock, so the files they serve are published at it too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
import uvicorn.logging
from starlette.applications import Starlette

from bot.app import App
from bot.features import build_core
from bot.logging_setup import AccessPathMask
from bot.settings import Settings
from bot.telegram.runner import TelegramOptions, build_telegram
from bot.telegram.webhook import MAX_BODY as TELEGRAM_MAX_BODY
from bot.telegram.webhook import SECRET_HEADER as TELEGRAM_SECRET_HEADER
from bot.telegram.webhook import TelegramWebhook
from bot.web import serve_files
from bot.webhook_body import MAX_DEPTH, nested_deeper_than
from bot.zalo.adapter import build_sender
from bot.zalo.client import ZaloClient
from bot.zalo.updates import MAX_NESTING, MAX_UPDATES, updates_from_body
from bot.zalo.webhook import MAX_BODY as ZALO_MAX_BODY
from bot.zalo.webhook import SECRET_HEADER as ZALO_SECRET_HEADER
from bot.zalo.webhook import ZaloWebhook
from handlers.context import CoreConfig
from models import Database, utcnow
from services import public_files
from tests.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import text_update
from tests.support import child_env, free_port, get_when_listening

TELEGRAM_SECRET = "telegram-hardening-secret_0123456789abcdef"
ZALO_SECRET = "zalo-hardening-secret_0123456789abcdefghij"
NOBODY = "http://127.0.0.1:9"  # the discard port: any call to a Bot API would fail loudly
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Route:
    """One webhook as a client sees it."""

    name: str
    path: str
    headers: dict[str, str]
    max_body: int


TELEGRAM = Route(
    "telegram", "/telegram/webhook", {TELEGRAM_SECRET_HEADER: TELEGRAM_SECRET}, TELEGRAM_MAX_BODY
)
ZALO = Route("zalo", "/zalo/webhook", {ZALO_SECRET_HEADER: ZALO_SECRET}, ZALO_MAX_BODY)


@dataclass
class Hooks:
    """Both webhooks in one Starlette app, never started: nothing may be queued or handled."""

    app: Starlette
    telegram: TelegramWebhook
    zalo: ZaloWebhook

    def nothing_taken(self) -> bool:
        queue = self.telegram.channel.application.update_queue
        return queue.empty() and not self.zalo.tasks


@pytest.fixture
async def hooks(tmp_path: Path) -> AsyncIterator[Hooks]:
    # A database file that is never created: a refused body must not reach it.
    db = Database(f"sqlite:///{tmp_path / 'never-used.db'}")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TELEGRAM_TOKEN,
        telegram_api_base=NOBODY,
        telegram_webhook_secret=TELEGRAM_SECRET,
        zalo_bot_token=ZALO_TOKEN,
        zalo_api_base=NOBODY,
        zalo_webhook_secret=ZALO_SECRET,
        database_url=db.url,
    )
    app = App(settings, db, build_core(db, CoreConfig()))
    channel = build_telegram(settings, app, webhook=True, options=TelegramOptions())
    telegram = TelegramWebhook(channel, secret=TELEGRAM_SECRET, url=None)
    client = ZaloClient(ZALO_TOKEN, NOBODY)
    zalo = ZaloWebhook(app, build_sender(app, client))
    yield Hooks(Starlette(routes=[*telegram.routes, zalo.route]), telegram, zalo)
    await zalo.drain(5)
    await client.aclose()
    db.dispose()
    assert not (tmp_path / "never-used.db").exists()


@dataclass
class Served:
    url: str
    hooks: Hooks


@pytest.fixture
async def served(hooks: Hooks) -> AsyncIterator[Served]:
    """The webhooks behind a real uvicorn on an ephemeral port (no lifespan: never started)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(hooks.app, lifespan="off", log_config=None))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not (server.started or task.done()):
        await asyncio.sleep(0.01)
    yield Served(f"http://127.0.0.1:{port}", hooks)
    server.should_exit = True
    await asyncio.wait_for(task, 15)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record, uvicorn's included: another test's uvicorn may have given its loggers
    handlers of their own and stopped their propagation to the root logger."""
    caplog.set_level(logging.INFO)
    attached = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.access")]
    levels = [logger.level for logger in attached]
    for logger in attached:
        logger.addHandler(caplog.handler)
        logger.setLevel(logging.INFO)
    yield caplog
    for logger, level in zip(attached, levels, strict=True):
        logger.removeHandler(caplog.handler)
        logger.setLevel(level)


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None and not record.exc_text, record.getMessage()
        assert "Traceback" not in record.getMessage()
        assert record.levelno < logging.ERROR, record.getMessage()


async def post(served: Served, route: Route, body: object, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
        return await http.post(
            route.path,
            content=body,  # type: ignore[arg-type]
            headers={**route.headers, "Content-Type": "application/json", **headers},
        )


def deep_arrays(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_objects(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def deep_wrappers(depth: int) -> bytes:
    """`{"result": {"result": … update …}}`: Zalo's own wrapper shape, absurdly deep."""
    update = text_update("zl-deep", "xin chào", message_id="deep-1")
    return b'{"result":' * depth + json.dumps(update).encode() + b"}" * depth


ROUTES = pytest.mark.parametrize("route", [TELEGRAM, ZALO], ids=lambda r: r.name)


# -- nesting -------------------------------------------------------------------------------------
@ROUTES
async def test_json_nested_100k_deep_is_a_bad_request_without_a_traceback(
    served: Served, route: Route, logs: pytest.LogCaptureFixture
) -> None:
    """`json.loads` raises RecursionError (no ValueError) on these: it was a 500 and a
    traceback; and bodies that parse but nest far deeper than an update are refused too."""
    for body in (
        deep_arrays(100_000),
        deep_objects(100_000),
        deep_arrays(900),  # parses, but deeper than any update
        deep_objects(MAX_DEPTH + 1),
        deep_wrappers(900),
    ):
        assert len(body) < route.max_body
        response = await post(served, route, body)
        assert response.status_code == 400, (len(body), response.text)
        assert "Traceback" not in response.text and "Recursion" not in response.text
    assert served.hooks.nothing_taken()
    assert_no_traceback(logs)


def test_nesting_is_measured_without_recursion() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    assert nested_deeper_than(deep, MAX_DEPTH)
    assert not nested_deeper_than({"a": [{"b": [1, 2]}], "c": "x"}, 4)
    assert nested_deeper_than({"a": [{"b": [1, 2]}], "c": "x"}, 3)
    assert not nested_deeper_than("scalar", 0)


def test_zalo_bodies_are_flattened_without_recursion_and_within_bounds() -> None:
    update = text_update("zl-1", "xin chào", message_id="m-1")
    deep: object = update
    for _ in range(100_000):
        deep = [deep]
    assert updates_from_body(deep) == []  # far too deep: ignored, no RecursionError
    wrapped: object = update
    for _ in range(100_000):
        wrapped = {"result": wrapped}
    assert updates_from_body(wrapped) == []
    # Real shapes still work, in their order: flat, wrapped, a list, a wrapped list.
    second = text_update("zl-2", "chào", message_id="m-2")
    for body in (
        [update, second],
        {"ok": True, "result": [update, second]},
        [{"result": update}, [second]],
    ):
        found = updates_from_body(body)
        assert [u.message_id for u in found] == ["m-1", "m-2"], body
    nested: object = update
    for _ in range(MAX_NESTING):
        nested = [nested]
    assert len(updates_from_body(nested)) == 1
    many = [text_update(f"zl-{i}", "hi", message_id=f"m{i}") for i in range(MAX_UPDATES * 3)]
    assert len(updates_from_body(many)) == MAX_UPDATES


# -- size ----------------------------------------------------------------------------------------
@ROUTES
async def test_an_oversized_body_is_refused_with_and_without_content_length(
    served: Served, route: Route, logs: pytest.LogCaptureFixture
) -> None:
    big = b"[" + b"0," * route.max_body + b"0]"
    declared = await post(served, route, big)  # httpx sends Content-Length
    assert declared.status_code == 413

    async def chunked() -> AsyncIterator[bytes]:
        """No Content-Length: Transfer-Encoding: chunked, 64 KiB at a time."""
        for start in range(0, len(big), CHUNK):
            yield big[start : start + CHUNK]

    streamed = await post(served, route, chunked())
    assert streamed.status_code == 413
    assert served.hooks.nothing_taken()
    assert_no_traceback(logs)


class Endless:
    """A chunked body far past any limit (32 MiB), counting how much of it the app asked for."""

    def __init__(self) -> None:
        self.chunks = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"[" + b"0," * (CHUNK // 2 - 1)
        while self.chunks < 512:
            self.chunks += 1
            yield b"0," * (CHUNK // 2)


@ROUTES
async def test_reading_stops_at_the_limit_and_a_declared_size_is_checked_first(
    hooks: Hooks, route: Route, logs: pytest.LogCaptureFixture
) -> None:
    transport = httpx.ASGITransport(app=hooks.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sotay.test") as http:
        endless = Endless()
        response = await http.post(route.path, content=endless, headers=route.headers)
        assert response.status_code == 413
        assert endless.chunks <= route.max_body // CHUNK + 1  # stopped past the limit

        # Declared too large: refused before a single byte is read.
        declared = Endless()
        too_long = {**route.headers, "Content-Length": str(route.max_body + 1)}
        response = await http.post(route.path, content=declared, headers=too_long)
        assert response.status_code == 413 and declared.chunks == 0

        for bad in ("lots", "-1", "1e6"):
            response = await http.post(
                route.path, content=b"{}", headers={**route.headers, "Content-Length": bad}
            )
            assert response.status_code == 400, bad
    assert hooks.nothing_taken()
    assert_no_traceback(logs)


async def test_a_telegram_body_that_is_not_an_update_is_a_bad_request(
    served: Served, logs: pytest.LogCaptureFixture
) -> None:
    for body in (b"[]", b'"text"', b"{}", b'{"update_id": "7"}', b'{"update_id": true}'):
        assert (await post(served, TELEGRAM, body)).status_code == 400, body
    assert served.hooks.nothing_taken()
    assert_no_traceback(logs)


# -- public-file tokens and the access log -------------------------------------------------------
def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]


def publish(db: Database, now: datetime) -> str:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with db.session() as session:
        return public_files.publish(
            session, "chart.png", png, "image/png", now=now, ttl=timedelta(days=7)
        )


async def test_sotay_run_files_server_logs_requests_without_the_token(
    db: Database, logs: pytest.LogCaptureFixture
) -> None:
    # The files server reads the real clock (as in production): so does this publish.
    token = publish(db, utcnow())
    unknown = "A" * len(token)
    port, stop = free_port(), asyncio.Event()
    server = asyncio.create_task(serve_files(db, "127.0.0.1", port, stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await get_when_listening(http, "/healthz")).status_code == 200
            assert (await http.get(f"/files/{token}")).status_code == 200
            assert (await http.get(f"/files/{unknown}?x=1")).status_code == 404
    finally:
        stop.set()
        await asyncio.wait_for(server, 10)
    lines = access_lines(logs)
    assert any('"GET /files/… HTTP/1.1" 200' in line for line in lines), lines
    assert any('"GET /files/…?x=1 HTTP/1.1" 404' in line for line in lines), lines
    assert any("/healthz" in line for line in lines), lines  # other paths are left as they are
    # The server's records only: httpx's are this test's own client, which knows the token.
    server_side = [r for r in logs.records if r.name != "httpx"]
    everything = [r.getMessage() for r in server_side] + [str(r.args) for r in server_side]
    assert not [line for line in everything if token in line or unknown in line]


def test_the_mask_keeps_uvicorns_record_shape() -> None:
    """uvicorn's own access formatter unpacks five arguments: they stay five."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("10.0.0.1:5000", "GET", "/files/SECRETtoken_-123", "1.1", 200),
        None,
    )
    assert AccessPathMask(["/files"]).filter(record)
    assert record.args == ("10.0.0.1:5000", "GET", "/files/…", "1.1", 200)
    formatter = uvicorn.logging.AccessFormatter(
        '%(client_addr)s "%(request_line)s" %(status_code)s', use_colors=False
    )
    assert formatter.format(record) == '10.0.0.1:5000 "GET /files/… HTTP/1.1" 200 OK'


async def test_sotay_serve_logs_file_requests_without_the_token(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """`serve(settings, host, port)` as the CLI runs it, with its own logging set-up."""
    path = tmp_path / "bot.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    try:
        token = publish(db, utcnow())  # the server reads the real clock
    finally:
        db.dispose()
    port = free_port()
    env = child_env(
        DATABASE_URL=f"sqlite:///{path}",
        PUBLIC_BASE_URL="https://files.sotay.test",
        LOG_LEVEL="INFO",
    )
    code = (
        "from bot.settings import load_settings\n"
        "from bot.web import serve\n"
        f"serve(load_settings(), '127.0.0.1', {port})\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            while True:  # until it listens, or fails to start (then its log says why)
                try:
                    assert (await http.get("/healthz")).status_code == 200
                    break
                except httpx.ConnectError:
                    assert process.poll() is None, process.communicate(timeout=5)[1]
                    await asyncio.sleep(0.02)
            assert (await http.get(f"/files/{token}")).status_code == 200
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.to_thread(process.communicate, timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode in (0, -signal.SIGTERM), err
    assert '"GET /files/… HTTP/1.1" 200' in err, err
    assert token not in err
