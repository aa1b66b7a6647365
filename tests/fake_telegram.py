"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and the benchmark.

The real python-telegram-bot talks HTTP to it exactly as it would to api.telegram.org:
`/bot<token>/<method>` with form, JSON or multipart bodies, answers shaped like Telegram's
(`ok`/`result`, or `ok: false` with `error_code`, `description` and `parameters.retry_after`).
It enforces the limits that bite in production (4096 characters after entity parsing, counted in
UTF-16; 1024 for captions; 64-byte callback data; HTML that Telegram can parse), long-polls
getUpdates, and records every call so tests assert on what was really sent.

Faults are injected per method (and optionally per chat): 429 with retry_after, 5xx, slow
answers (a client timeout on a request the server still carries out: "maybe delivered"), and
users who blocked the bot (403). It is stricter than Telegram in one place: a bare `&` that does
not start an entity is rejected, because escaped text never contains one.

The server runs in its own thread with its own event loop, so sync and async tests can use it
and the bot under test never shares a loop with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123456789:AAHfakeTokenForTests_0123456789abcdef"
BOT_ID = 123456789  # a token starts with its bot's id
BOT_USERNAME = "SoTayTestBot"

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_ANSWER_TEXT = 200

_ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"code", "pre", "blockquote", "tg-emoji"}
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_UPDATE_KINDS = ("message", "edited_message", "callback_query", "my_chat_member", "chat_member")
_DESCRIPTIONS = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """An error answer, as Telegram would give it."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def html_to_plain(text: str) -> str:
    """Parse Telegram-HTML into its plain text, failing like Telegram on malformed markup."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = _TAG.match(text, i)
            if match is None:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Unsupported start tag at byte offset "
                    f"{_byte_offset(text, i)}",
                )
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in _ALLOWED_TAGS:
                raise ApiError(
                    400,
                    f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at byte '
                    f"offset {_byte_offset(text, i)}",
                )
            if closing:
                if not stack or stack[-1] != name:
                    expected = f'"</{stack[-1]}>"' if stack else "nothing"
                    raise ApiError(
                        400,
                        "Bad Request: can't parse entities: Unmatched end tag at byte offset "
                        f'{_byte_offset(text, i)}, expected {expected}, found "</{name}>"',
                    )
                stack.pop()
            else:
                stack.append(name)
            i = match.end()
        elif char == "&":
            match = _ENTITY.match(text, i)
            if match is None:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Can't find end of the entity starting "
                    f"at byte offset {_byte_offset(text, i)}",
                )
            ref = match.group(1)
            if ref in _NAMED:
                out.append(_NAMED[ref])
            else:
                out.append(chr(int(ref[2:], 16) if ref[1] == "x" else int(ref[1:])))
            i = match.end()
        else:
            out.append(char)
            i += 1
    if stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1]}"',
        )
    return "".join(out)


@dataclass
class Call:
    """One request the bot made, and what it got back."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    at: float
    status: int = 0
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None


@dataclass
class Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    chat_id: int | None
    remaining: int
    delay: float = 0.0


@dataclass
class _Queued:
    update: dict[str, Any]
    injected_at: float


@dataclass
class FakeTelegram:
    """The server and the world behind it: users, chats, messages, pending updates."""

    token: str = TOKEN
    bot_id: int = BOT_ID
    username: str = BOT_USERNAME
    first_name: str = "Sổ tay đảng viên"
    calls: list[Call] = field(default_factory=list)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    webhook: dict[str, Any] | None = None
    reply_keyboards: dict[int, Any] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)  # successful calls per method

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_ids: dict[int, int] = {}
        self._queue: list[_Queued] = []
        self._next_update_id = 500_000_000
        self._allowed: list[str] | None = None
        self._queries: dict[str, dict[str, Any]] = {}
        self._faults: list[Fault] = []
        self._blocked: set[int] = set()
        self._file_seq = 0
        self.issued_files: dict[str, tuple[str, bytes]] = {}  # file id → (name, content)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._closing = False
        self.port = 0
        self._methods: dict[str, Callable[[dict[str, Any], dict[str, Any]], Any]] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmycommands": self._get_my_commands,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
        }

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTelegram:
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the
        # listening socket says so, and without it Nagle + delayed ACK add 40 ms per answer.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name="fake-telegram", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Telegram server did not start")
            time.sleep(0.005)
        return self

    def _run(self, sock: socket.socket) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._wakeup = asyncio.Event()
            assert self._server is not None
            await self._server.serve(sockets=[sock])

        asyncio.run(main())

    def stop(self) -> None:
        self._closing = True
        self._wake()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _wake(self) -> None:
        if self._loop is not None and self._wakeup is not None:
            self._loop.call_soon_threadsafe(self._wakeup.set)

    # -- the world ----------------------------------------------------------------------------
    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        """A Telegram user, with the private chat the bot shares with them."""
        person: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            person["last_name"] = chat["last_name"] = last_name
        if username:
            person["username"] = chat["username"] = username
        person["language_code"] = "vi"
        with self._lock:
            self._users[user_id] = person
            self._chats[user_id] = chat
        return person

    def group(self, chat_id: int, title: str, kind: str = "supergroup") -> dict[str, Any]:
        chat = {"id": chat_id, "type": kind, "title": title}
        with self._lock:
            self._chats[chat_id] = chat
        return chat

    def block(self, user_id: int) -> None:
        with self._lock:
            self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        with self._lock:
            self._blocked.discard(user_id)

    def fail(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        description: str | None = None,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) fail with `status`."""
        text = description or _DESCRIPTIONS.get(status, "Error").format(retry_after=retry_after)
        with self._lock:
            self._faults.append(
                Fault(method.lower(), status, text, retry_after, chat_id, remaining=times)
            )

    def slow(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next calls answer after `seconds` but are carried out all the same."""
        with self._lock:
            self._faults.append(Fault(method.lower(), 200, "", None, None, times, delay=seconds))

    # -- updates from users ---------------------------------------------------------------
    def _new_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _wrap(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._next_update_id += 1
        return {"update_id": self._next_update_id, kind: payload}

    def message_update(
        self,
        user: dict[str, Any],
        text: str,
        *,
        chat: dict[str, Any] | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A message the user wrote (not yet queued), with a bot_command entity like Telegram's."""
        with self._lock:
            chat = chat or self._chats[user["id"]]
            message: dict[str, Any] = {
                "message_id": self._new_message_id(chat["id"]),
                "from": user,
                "chat": chat,
                "date": int(time.time()),
                "text": text,
            }
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [
                    {"offset": 0, "length": utf16_len(command), "type": "bot_command"}
                ]
            if reply_to is not None:
                message["reply_to_message"] = reply_to
            self._messages[(chat["id"], message["message_id"])] = message
            return self._wrap("message", message)

    def callback_update(
        self, user: dict[str, Any], message: dict[str, Any], data: str
    ) -> dict[str, Any]:
        """A press on a button of `message` (as the server stores it now)."""
        with self._lock:
            chat_id = message["chat"]["id"]
            current = self._messages.get((chat_id, message["message_id"]), message)
            query_id = str(random.getrandbits(63))
            query = {
                "id": query_id,
                "from": user,
                "message": current,
                "chat_instance": str(-(abs(hash((self.bot_id, chat_id))) % 10**18)),
                "data": data,
            }
            self._queries[query_id] = query
            return self._wrap("callback_query", query)

    def my_chat_member_update(self, user: dict[str, Any], status: str) -> dict[str, Any]:
        """The user blocked ("kicked") or unblocked ("member") the bot in their private chat."""
        with self._lock:
            old = "member" if status == "kicked" else "kicked"
            payload = {
                "chat": self._chats[user["id"]],
                "from": user,
                "date": int(time.time()),
                "old_chat_member": {"user": self.bot_user, "status": old},
                "new_chat_member": {"user": self.bot_user, "status": status},
            }
            if status == "kicked":
                payload["new_chat_member"]["until_date"] = 0
            return self._wrap("my_chat_member", payload)

    def queue(self, update: dict[str, Any]) -> int:
        """Make an update available to getUpdates (and wake a waiting long poll)."""
        with self._lock:
            self._queue.append(_Queued(update, time.monotonic()))
        self._wake()
        return int(update["update_id"])

    def send_text(self, user: dict[str, Any], text: str, **kwargs: Any) -> dict[str, Any]:
        update = self.message_update(user, text, **kwargs)
        self.queue(update)
        return update

    def press(self, user: dict[str, Any], message: dict[str, Any], data: str) -> dict[str, Any]:
        update = self.callback_update(user, message, data)
        self.queue(update)
        return update

    # -- what the bot did ------------------------------------------------------------------
    def calls_to(self, method: str, *, ok: bool | None = True) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method.lower() == method.lower() and (ok is None or c.ok == ok)
            ]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat, oldest first, as they look now (after edits)."""
        with self._lock:
            found = [
                m
                for (cid, _mid), m in sorted(self._messages.items())
                if cid == chat_id and m["from"]["id"] == self.bot_id
            ]
            return json.loads(json.dumps(found))

    def texts(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.bot_messages(chat_id)]

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        *,
        timeout: float = 10.0,
        what: str = "condition",
        interval: float = 0.005,
    ) -> Any:
        """Poll `predicate` until it returns something truthy; fail with the calls on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                made = [(c.method, c.status, c.description) for c in self.calls[-15:]]
                raise AssertionError(f"timed out waiting for {what}; last calls: {made}")
            await asyncio.sleep(interval)

    async def wait_for_message(
        self, chat_id: int, fragment: str, *, after: int = 0, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The first bot message in the chat, from index `after`, whose text holds `fragment`."""

        def find() -> dict[str, Any] | None:
            for message in self.bot_messages(chat_id)[after:]:
                if fragment in (message.get("text") or message.get("caption") or ""):
                    return message
            return None

        return await self.wait_for(find, timeout=timeout, what=f"{fragment!r} in chat {chat_id}")

    # -- HTTP ----------------------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.path_params["method"]
        try:
            params, files = await _parse_body(request)
        except ValueError as exc:
            return _error(ApiError(400, f"Bad Request: {exc}"))
        call = Call(method, params, files, time.monotonic())
        with self._lock:
            self.calls.append(call)
            fault = self._take_fault(method.lower(), params)
        try:
            if fault is not None and fault.delay:
                await asyncio.sleep(fault.delay)
            elif fault is not None:
                parameters = {"retry_after": fault.retry_after} if fault.retry_after else None
                raise ApiError(fault.status, fault.description, parameters)
            if method.lower() == "getupdates":
                result = await self._get_updates(params)
            else:
                handler = self._methods.get(method.lower())
                if handler is None:
                    raise ApiError(404, "Not Found")
                with self._lock:
                    result = handler(params, files)
        except ApiError as error:
            call.status, call.description = error.status, error.description
            return _error(error)
        call.status, call.result = 200, result
        with self._lock:
            self.answered[method.lower()] = self.answered.get(method.lower(), 0) + 1
        return JSONResponse({"ok": True, "result": result})

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self._faults:
            if fault.method != method or fault.remaining <= 0:
                continue
            if fault.chat_id is not None and str(params.get("chat_id")) != str(fault.chat_id):
                continue
            fault.remaining -= 1
            return fault
        return None

    # -- methods ------------------------------------------------------------------------------
    def _get_me(self, _params: dict[str, Any], _files: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self._lock:
            if self.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            if "allowed_updates" in params:
                self._allowed = list(params["allowed_updates"]) or None
        assert self._wakeup is not None
        while True:
            self._wakeup.clear()
            with self._lock:
                # Asking from `offset` confirms everything before it: Telegram forgets those.
                self._queue = [q for q in self._queue if q.update["update_id"] >= offset]
                if self._allowed:
                    self._queue = [q for q in self._queue if _kind(q.update) in self._allowed]
                ready = [q.update for q in self._queue[:limit]]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                return ready
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), remaining)

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat_id is empty") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _plain(self, params: dict[str, Any], key: str) -> str:
        text = str(params.get(key) or "")
        return html_to_plain(text) if str(params.get("parse_mode", "")).upper() == "HTML" else text

    def _markup(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        """Validate reply_markup; return it when it belongs on the message (inline keyboards)."""
        markup = params.get("reply_markup")
        if not markup:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    if not button.get("text"):
                        raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
                    if "callback_data" in button:
                        size = len(str(button["callback_data"]).encode())
                        if not 1 <= size <= MAX_CALLBACK_DATA:
                            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    elif "url" in button:
                        if not re.match(r"^(https?|tg)://", str(button["url"])):
                            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                    else:
                        raise ApiError(400, 'Bad Request: can\'t find field "callback_data"')
            return markup
        if "keyboard" in markup:
            self.reply_keyboards[chat_id] = markup
        elif markup.get("remove_keyboard"):
            self.reply_keyboards.pop(chat_id, None)
        return None

    def _store_bot_message(
        self, chat: dict[str, Any], params: dict[str, Any], body: dict[str, Any]
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            **body,
        }
        markup = self._markup(chat["id"], params)
        if markup is not None:
            message["reply_markup"] = markup
        replying = params.get("reply_parameters") or {}
        reply_id = replying.get("message_id") if isinstance(replying, dict) else None
        if reply_id is not None and (chat["id"], int(reply_id)) in self._messages:
            message["reply_to_message"] = self._messages[(chat["id"], int(reply_id))]
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _send_message(self, params: dict[str, Any], _files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        text = self._plain(params, "text")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return self._store_bot_message(chat, params, {"text": text})

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        caption = self._plain(params, "caption")
        if utf16_len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        return {"caption": caption} if caption else {}

    def _file(self, kind: str, params: dict[str, Any], files: dict[str, Any]) -> tuple[str, bytes]:
        value = params.get(kind)
        if kind in files:
            return files[kind]
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            return files[value[9:]]
        if isinstance(value, str) and value in self.issued_files:  # a file id we handed out
            return self.issued_files[value]
        if isinstance(value, str) and value and not value.startswith("attach://"):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise ApiError(400, f"Bad Request: there is no {kind} in the request")

    def _file_ids(self, name: str = "", data: bytes = b"") -> dict[str, str]:
        """A new file id, remembered with its content so it can be sent again by id."""
        self._file_seq += 1
        file_id = f"AgACAgIAAxk{self._file_seq:012d}"
        self.issued_files[file_id] = (name, data)
        return {"file_id": file_id, "file_unique_id": f"AQAD{self._file_seq}"}

    def _send_photo(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        name, data = self._file("photo", params, files)
        sizes = [
            {**self._file_ids(name, data), "file_size": len(data), "width": w, "height": w}
            for w in (90, 320)
        ]
        return self._store_bot_message(chat, params, {"photo": sizes, **self._caption(params)})

    def _send_document(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        name, data = self._file("document", params, files)
        document = {**self._file_ids(name, data), "file_name": name, "file_size": len(data)}
        return self._store_bot_message(
            chat, params, {"document": document, **self._caption(params)}
        )

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        message = self._messages.get((chat["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _apply_edit(
        self, message: dict[str, Any], params: dict[str, Any], text: str | None
    ) -> None:
        markup = self._markup(message["chat"]["id"], params)
        same_text = text is None or text == message.get("text")
        if same_text and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        if text is not None:
            message["text"] = text
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())

    def _edit_message_text(self, params: dict[str, Any], _files: dict[str, Any]) -> Any:
        message = self._editable(params)
        text = self._plain(params, "text")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._apply_edit(message, params, text)
        return message

    def _edit_message_reply_markup(self, params: dict[str, Any], _files: dict[str, Any]) -> Any:
        message = self._editable(params)
        self._apply_edit(message, params, None)
        return message

    def _answer_callback_query(self, params: dict[str, Any], _files: dict[str, Any]) -> bool:
        if self._queries.pop(str(params.get("callback_query_id")), None) is None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(params.get("text") or "")) > MAX_ANSWER_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _set_my_commands(self, params: dict[str, Any], _files: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100")
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[_scope_key(params)] = commands
        return True

    def _delete_my_commands(self, params: dict[str, Any], _files: dict[str, Any]) -> bool:
        self.commands.pop(_scope_key(params), None)
        return True

    def _get_my_commands(self, params: dict[str, Any], _files: dict[str, Any]) -> Any:
        return self.commands.get(_scope_key(params), [])

    def _set_webhook(self, params: dict[str, Any], _files: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            self.webhook = None
            return True
        if not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(str(secret)):
            raise ApiError(
                400, "Bad Request: bad webhook: secret token contains unallowed characters"
            )
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._queue.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": params.get("max_connections"),
        }
        return True

    def _delete_webhook(self, params: dict[str, Any], _files: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._queue.clear()
        return True

    def _get_webhook_info(self, _params: dict[str, Any], _files: dict[str, Any]) -> Any:
        hook = self.webhook or {}
        info: dict[str, Any] = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if hook.get("allowed_updates"):
            info["allowed_updates"] = hook["allowed_updates"]
        return info


def _kind(update: dict[str, Any]) -> str:
    return next((k for k in _UPDATE_KINDS if k in update), "other")


def _scope_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    key = scope.get("type", "default")
    if "chat_id" in scope:
        key += f":{int(scope['chat_id'])}"
    return key


def _error(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.parameters:
        body["parameters"] = error.parameters
    return JSONResponse(body, status_code=error.status)


def _coerce(value: str) -> Any:
    """Form fields carry JSON for arrays and objects (reply_markup, commands, scope...)."""
    if value.startswith(("[", "{")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _parse_body(request: Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Query string, JSON, urlencoded or multipart, as Telegram accepts them all."""
    params: dict[str, Any] = {k: _coerce(v) for k, v in request.query_params.items()}
    files: dict[str, tuple[str, bytes]] = {}
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if not body:
        return params, files
    if content_type.startswith("application/json"):
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("JSON object expected")
        params.update(data)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        params.update({k: _coerce(v) for k, v in parse_qsl(body.decode(), keep_blank_values=True)})
    elif content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[str(name)] = (filename, payload)
            else:
                params[str(name)] = _coerce(payload.decode())
    else:
        raise ValueError(f"unsupported content type {content_type!r}")
    return params, files
