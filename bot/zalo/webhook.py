"""`POST /zalo/webhook`: Zalo pushes updates here when a webhook is set (`sotay serve`).

* Only Zalo knows the secret: `X-Bot-Api-Secret-Token` must equal ZALO_WEBHOOK_SECRET
  (compared in constant time). Without a configured secret every request is refused: an open
  webhook would let anyone speak as any member.
* Zalo expects a quick answer, so the route answers 200 at once and the update is handled in a
  background task. Tasks for one chat run in arrival order, so "/moi" is handled before "1".
* A repeated update is dropped: first by its key (chat and message id) in memory
  (`RecentIds`, before answering, no query), then in the background by the database
  (`UpdateLedger`), so several web processes, or one after a restart, still handle an update
  once. The database check runs in the chat's turn, so it cannot reorder a chat's updates.
* A body that is not JSON (or nests absurdly deep) gets 400 with no detail; a body too large
  gets 413, judged by its Content-Length before reading and by a capped read
  (`bot.webhook_body`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections import Counter
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.app import App
from bot.webhook_body import BodyRefused, read_json
from bot.zalo.adapter import handle_update
from bot.zalo.dedupe import RecentIds, UpdateLedger, update_key
from bot.zalo.sender import ZaloSender
from bot.zalo.updates import ZaloUpdate, updates_from_body

log = logging.getLogger(__name__)

PATH = "/zalo/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 1_048_576


class ZaloWebhook:
    """The route plus what it needs between requests: recent ids, running tasks, chat order."""

    def __init__(
        self,
        app: App,
        sender: ZaloSender,
        *,
        recent: RecentIds | None = None,
        ledger: UpdateLedger | None = None,
        path: str = PATH,
        max_body: int = MAX_BODY,
    ) -> None:
        self.app = app
        self.sender = sender
        self.recent = recent or RecentIds()
        self.ledger = ledger or UpdateLedger(app.db)
        self.max_body = max_body
        secret = app.settings.zalo_webhook_secret
        self._secret = secret.get_secret_value().encode() if secret is not None else None
        if self._secret is None:
            log.warning("ZALO_WEBHOOK_SECRET is not set: the Zalo webhook refuses every request")
        self.tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: Counter[str] = Counter()
        self.route = Route(path, self.endpoint, methods=["POST"], name="zalo_webhook")

    async def endpoint(self, request: Request) -> Response:
        if not self._authorized(request):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = await read_json(request, max_body=self.max_body)
        except BodyRefused as refused:
            if refused.status == 413:
                return PlainTextResponse("payload too large", status_code=413)
            return PlainTextResponse("bad request", status_code=400)
        for update in updates_from_body(data):
            if not self.recent.first_time(update):
                log.info("zalo update %s seen before, dropped", update_key(update))
                continue
            task = asyncio.create_task(self._process(update))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return JSONResponse({"ok": True})

    def _authorized(self, request: Request) -> bool:
        if self._secret is None:
            return False
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self._secret)

    async def _process(self, update: ZaloUpdate) -> None:
        key = update.message.chat_id if update.message else ""
        try:
            async with self._in_order(key):
                if not await self.ledger.first_time(update):
                    log.info("zalo update %s handled before, dropped", update_key(update))
                    return
                await handle_update(self.app, self.sender, update)
        except Exception:
            log.exception("zalo update %s failed", update_key(update))

    @contextlib.asynccontextmanager
    async def _in_order(self, key: str) -> AsyncIterator[None]:
        """One update at a time per chat; asyncio.Lock wakes waiters first come, first served."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                self._locks.pop(key, None)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the updates in hand (tests; a clean shutdown)."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)


def zalo_webhook_route(app: App, sender: ZaloSender) -> Route:
    """The route alone, for mounting; keep a `ZaloWebhook` to `drain()` at shutdown."""
    return ZaloWebhook(app, sender).route
