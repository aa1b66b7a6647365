"""A fake Zalo Bot API server for end-to-end tests: real HTTP on 127.0.0.1, realistic JSON.

It serves `/bot<TOKEN>/<method>` like bot-api.zaloplatforms.com: getUpdates hands out one
update per call, or HTTP 408 after `empty_wait` seconds when there is none; sendMessage rejects
texts over 2,000 characters with 400; blocked chats get 403; any method can be made to fail
(429 with retry_after, 5xx) on demand; consumed updates can be delivered again. Every call is
recorded, so tests assert on what the bot really sent.

The server runs as a task in the test's own event loop (`running_fake_zalo()`), so its state is
plain Python shared with the test, and no thread is involved.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "1459232241454765289:FakeZaloTokenForTestsOnly0123456789abcdefghij"
MAX_TEXT = 2000
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendSticker", "sendChatAction"})


@dataclass(frozen=True)
class Call:
    method: str
    payload: dict[str, Any]
    status: int
    at: float


@dataclass
class Failure:
    status: int
    error_code: int
    description: str
    retry_after: float | None = None


@dataclass
class FakeZalo:
    """State and behaviour of the fake API. `url` is set once the server listens."""

    token: str = TOKEN
    empty_wait: float = 0.2
    url: str = ""
    pending: deque[dict[str, Any]] = field(default_factory=deque)
    consumed: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    failures: dict[str, deque[Failure]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=lambda: {"url": "", "updated_at": 0})
    polls: int = 0
    closing: bool = False
    delivered_at_poll: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    # -- controlling the fake -----------------------------------------------------------------
    def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates (flat `{event_name, message}` dicts)."""
        self.pending.extend(updates)
        self._notify()

    def redeliver_last(self) -> dict[str, Any]:
        """Hand the last consumed update out again, as Zalo may do."""
        update = self.consumed[-1]
        self.delivered_at_poll.pop(_message_id(update), None)
        self.pending.append(update)
        self._notify()
        return update

    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        description: str | None = None,
    ) -> None:
        """The next `times` calls of `method` answer `status` with Zalo's error JSON."""
        text = description or {429: "Too Many Requests"}.get(status, "Internal Server Error")
        queue = self.failures.setdefault(method, deque())
        for _ in range(times):
            queue.append(Failure(status, status, text, retry_after))

    # -- reading what happened ----------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: str | None = None) -> list[str]:
        """Texts of the sendMessage calls that succeeded, oldest first."""
        return [
            c.payload["text"]
            for c in self.calls_to("sendMessage")
            if c.status == 200 and (chat_id is None or c.payload.get("chat_id") == chat_id)
        ]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Until `condition()` holds, re-checked whenever the fake's state changes."""
        if not await self._until(condition, timeout):
            raise TimeoutError(f"fake Zalo: condition not met within {timeout} s")

    async def settled(self, message_id: str, timeout: float = 10.0) -> None:
        """Until the update was handed out and the poller came back for more: with a poller
        that answers one update at a time, every reply to it has been sent by then."""
        await self.wait_for(
            lambda: (
                message_id in self.delivered_at_poll
                and self.polls > self.delivered_at_poll[message_id]
            ),
            timeout,
        )

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """False if `timeout` passed first. Each waiter registers its own future right after
        checking, with no await in between, so no change can slip past unseen."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)
        return True

    # -- the HTTP side --------------------------------------------------------------------------
    def asgi(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["POST"])])

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        try:
            payload = await request.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        if request.path_params["token"] != self.token:
            status, body = 401, _error(401, "Unauthorized")
        else:
            status, body = await self._answer(method, payload)
        self.calls.append(Call(method, payload, status, time.monotonic()))
        self._notify()
        return JSONResponse(body, status_code=status)

    async def _answer(self, method: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getUpdates":
            self.polls += 1
            self._notify()  # `settled()` waits for the poll to begin, not for it to end
        queued = self.failures.get(method)
        if queued:
            failure = queued.popleft()
            body = _error(failure.error_code, failure.description)
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, body
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, _error(404, "Method not found")
        return await handler(payload)

    async def _m_getUpdates(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        poll = self.polls
        try:
            wait = min(self.empty_wait, float(payload.get("timeout", self.empty_wait)))
        except (TypeError, ValueError):
            wait = self.empty_wait
        if not await self._until(lambda: bool(self.pending) or self.closing, wait):
            return 408, _error(408, "Request timeout")
        if self.closing:
            return 408, _error(408, "Request timeout")
        update = self.pending.popleft()
        self.consumed.append(update)
        message_id = _message_id(update)
        if message_id:
            self.delivered_at_poll[message_id] = poll
        return 200, {"ok": True, "result": update}

    async def _m_getMe(self, _payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        bot_id = self.token.split(":", 1)[0]
        return 200, _ok(
            {
                "id": bot_id,
                "account_name": "bot.SoTayTest",
                "account_type": "BASIC",
                "can_join_groups": False,
            }
        )

    async def _m_setWebhook(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        url, secret = payload.get("url"), payload.get("secret_token")
        if not isinstance(url, str) or not url.startswith("https://"):
            return 400, _error(400, "url must be https")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return 400, _error(400, "secret_token must be 8-256 characters")
        self.webhook = {"url": url, "updated_at": _now_ms()}
        return 200, _ok(dict(self.webhook))

    async def _m_deleteWebhook(self, _payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.webhook = {"url": "", "updated_at": _now_ms()}
        return 200, _ok(dict(self.webhook))

    async def _m_getWebhookInfo(self, _payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, _ok(dict(self.webhook))

    async def _m_sendMessage(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        text = payload.get("text")
        if not isinstance(text, str) or not 1 <= _utf16_len(text) <= MAX_TEXT:
            return 400, _error(400, "text must be 1-2000 characters")
        return self._delivered(payload)

    async def _m_sendPhoto(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        photo = payload.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            return 400, _error(400, "photo must be a URL")
        return self._delivered(payload)

    async def _m_sendChatAction(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if payload.get("action") not in ("typing", "upload_photo"):
            return 400, _error(400, "unknown action")
        status, _body = self._delivered(payload)
        return status, ({"ok": True} if status == 200 else _body)

    def _delivered(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = payload.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            return 400, _error(400, "chat_id is required")
        if chat_id in self.blocked:
            return 403, _error(403, "User has blocked the bot")
        return 200, _ok({"message_id": uuid.uuid4().hex[:20], "date": _now_ms()})


@contextlib.asynccontextmanager
async def running_fake_zalo(**options: Any) -> AsyncIterator[FakeZalo]:
    """A `FakeZalo` listening on an ephemeral port of 127.0.0.1 for the duration."""
    fake = FakeZalo(**options)
    config = uvicorn.Config(
        fake.asgi(),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(5):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        fake.closing = True  # end the long polls in flight, so shutdown is immediate
        fake._notify()
        server.should_exit = True
        await task


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: pytest keeps Ctrl-C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


# -- updates as Zalo sends them -------------------------------------------------------------------
def _message(
    user_id: str, *, message_id: str | None, name: str, chat_id: str | None, group: bool
) -> dict[str, Any]:
    return {
        "message_id": message_id or uuid.uuid4().hex[:20],
        "chat": {"id": chat_id or user_id, "chat_type": "GROUP" if group else "PRIVATE"},
        "from": {"id": user_id, "display_name": name, "is_bot": False},
        "date": _now_ms(),
    }


def text_update(
    user_id: str,
    text: str,
    *,
    message_id: str | None = None,
    name: str = "Người dùng Zalo",
    chat_id: str | None = None,
    group: bool = False,
) -> dict[str, Any]:
    message = _message(user_id, message_id=message_id, name=name, chat_id=chat_id, group=group)
    message["text"] = text
    return {"event_name": "message.text.received", "message": message}


def sticker_update(user_id: str, *, message_id: str | None = None) -> dict[str, Any]:
    message = _message(user_id, message_id=message_id, name="", chat_id=None, group=False)
    message["sticker"] = "0e078a2fb66a5f34067b"
    message["url"] = "https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=1"
    return {"event_name": "message.sticker.received", "message": message}


def image_update(user_id: str, *, message_id: str | None = None) -> dict[str, Any]:
    message = _message(user_id, message_id=message_id, name="", chat_id=None, group=False)
    message["photo_url"] = "https://photo-zmp3.zadn.vn/fake.jpg"
    message["caption"] = ""
    return {"event_name": "message.image.received", "message": message}


def _message_id(update: dict[str, Any]) -> str | None:
    message = update.get("message")
    value = message.get("message_id") if isinstance(message, dict) else None
    return value if isinstance(value, str) else None


def _ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
