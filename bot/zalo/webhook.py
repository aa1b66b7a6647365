"""`POST /zalo/webhook`: Zalo pushes updates here when a webhook is set (`sotay serve`).

* Only Zalo knows the secret: `X-Bot-Api-Secret-Token` must equal ZALO_WEBHOOK_SECRET
  (compared in constant time) before the body is read. Without a configured secret every
  request is refused: an open webhook would let anyone speak as any member.
* A body that is not JSON (or nests absurdly deep) gets 400 with no detail; a body too large
  gets 413, judged by its Content-Length before reading and by a capped read
  (`bot.webhook_body`). Nothing refused is recorded, and neither the secret nor the token is
  ever logged.
* Zalo expects a quick answer and never sends again an update it got 200 for, so the update
  is **recorded** before the answer and **handled** after it: each update of the body is
  inserted into the inbox (`inbound_inbox`, `services.inbox`: one short INSERT … ON CONFLICT
  DO NOTHING in a worker thread), then 200, then the core runs in a background task, the row
  marked handled in the core's own transaction. If the database cannot record it, the answer
  is 503 (never 200 for an update that is not recorded), and Zalo may post it again.
* A process that dies between the 200 and the handling leaves an unhandled row; every web
  process picks such rows up at start-up and every minute (`recover`), once they are older
  than the grace period, each row claimed by one process only.
* A repeated update is recognised by its key (chat and message id): first in memory
  (`RecentIds`: keys this process has recorded, no query), then by the inbox's unique key.
  The inbox replaces the inbound ledger (`inbound_updates`) for webhook posts: one write per
  update instead of two, and a repeat is known before the answer; polling keeps the ledger.
* Tasks for one chat run in arrival order, so "/moi" is handled before "1": each update takes
  its chat's turn as it arrives, before the insert is awaited.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.app import App
from bot.stopping import sleep_unless_stopped
from bot.webhook_body import BodyRefused, read_json
from bot.zalo.adapter import reply_turn
from bot.zalo.dedupe import RecentIds
from bot.zalo.inbox import ZaloInbox, inbox_key
from bot.zalo.incoming import incoming_from_update
from bot.zalo.sender import ZaloSender
from bot.zalo.updates import (
    ZaloUpdate,
    parse_update,
    raw_updates_from_body,
    stored_json,
)
from handlers.messages import Reply
from models import utcnow
from services import inbox

log = logging.getLogger(__name__)

PATH = "/zalo/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 1_048_576
RECOVER_EVERY = timedelta(minutes=1)
RETRY_AFTER = "5"  # seconds, in the 503 that asks Zalo to post again


@dataclass(frozen=True)
class Entry:
    """One update of a post, with its inbox key and the body recorded for it."""

    key: str
    update: ZaloUpdate
    received: inbox.Received

    @property
    def chat(self) -> str:
        return self.update.message.chat_id if self.update.message else ""


class ZaloWebhook:
    """The route plus what it needs between requests: recent keys, running tasks, chat order,
    the inbox, and the pick-up of updates other processes dropped."""

    def __init__(
        self,
        app: App,
        sender: ZaloSender,
        *,
        recent: RecentIds | None = None,
        inbox: ZaloInbox | None = None,
        path: str = PATH,
        max_body: int = MAX_BODY,
        clock: Callable[[], datetime] = utcnow,
        recover_every: timedelta = RECOVER_EVERY,
    ) -> None:
        self.app = app
        self.sender = sender
        self.recent = recent or RecentIds()
        self.inbox = inbox or ZaloInbox(app.db, clock=clock)
        self.max_body = max_body
        self.recover_every = recover_every
        secret = app.settings.zalo_webhook_secret
        self._secret = secret.get_secret_value().encode() if secret is not None else None
        if self._secret is None:
            log.warning("ZALO_WEBHOOK_SECRET is not set: the Zalo webhook refuses every request")
        self.tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: Counter[str] = Counter()
        self.route = Route(path, self.endpoint, methods=["POST"], name="zalo_webhook")

    # -- receiving ---------------------------------------------------------------------------
    async def endpoint(self, request: Request) -> Response:
        if not self._authorized(request):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = await read_json(request, max_body=self.max_body)
            entries = self._entries(data)
        except BodyRefused as refused:
            if refused.status == 413:
                return PlainTextResponse("payload too large", status_code=413)
            return PlainTextResponse("bad request", status_code=400)
        if not entries:
            return JSONResponse({"ok": True})
        # Each update takes its chat's turn now, in arrival order, and waits there for the
        # insert: a chat's next post cannot overtake this one while the database answers.
        recorded: asyncio.Future[set[str] | None] = asyncio.get_running_loop().create_future()
        for entry in entries:
            self._spawn(self._receive(entry, recorded))
        try:
            fresh = await asyncio.to_thread(self.inbox.record, [e.received for e in entries])
        except asyncio.CancelledError:
            # The request went away mid-insert: whatever got in is picked up after the grace.
            recorded.set_result(None)
            raise
        except Exception as error:
            recorded.set_result(None)
            # The type only: a driver's message may quote the connection string.
            log.error(
                "zalo webhook: %d update(s) not recorded (%s); answered 503 so Zalo retries",
                len(entries),
                type(error).__name__,
            )
            return PlainTextResponse(
                "unavailable", status_code=503, headers={"Retry-After": RETRY_AFTER}
            )
        recorded.set_result(fresh)
        for entry in entries:
            self.recent.first_time(entry.update)  # recorded: a repeat needs no query now
        return JSONResponse({"ok": True})

    def _entries(self, data: object) -> list[Entry]:
        """The body's updates worth recording: something to answer, not a repeat this process
        has recorded, each key once. Raises `BodyRefused(413)` for an update too large to
        store even without its extras."""
        entries: dict[str, Entry] = {}
        for raw, update in raw_updates_from_body(data):
            if incoming_from_update(update) is None:
                continue  # a bot's message, an event without a message: nothing to answer
            if update in self.recent:
                log.info("zalo update %s recorded before, dropped", inbox_key(update))
                continue
            key = inbox_key(update)
            try:
                body = stored_json(raw, update, inbox.MAX_STORED)
            except ValueError:
                raise BodyRefused(413) from None
            entries.setdefault(key, Entry(key, update, inbox.Received(key, body)))
        return list(entries.values())

    def _authorized(self, request: Request) -> bool:
        if self._secret is None:
            return False
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self._secret)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _receive(self, entry: Entry, recorded: asyncio.Future[set[str] | None]) -> None:
        try:
            async with self._in_order(entry.chat):
                fresh = await recorded
                if fresh is None:
                    return  # not recorded: answered 503, Zalo posts it again
                if entry.key not in fresh:
                    log.info("zalo update %s recorded before, dropped", entry.key)
                    return
                await self._handle(entry.key, entry.update)
        except Exception:
            log.exception("zalo update %s failed", entry.key)

    # -- handling ----------------------------------------------------------------------------
    async def _handle(self, key: str, update: ZaloUpdate) -> None:
        """Run the core with the row marked in its transaction, then send the replies (none if
        another process handled the row first)."""
        incoming = incoming_from_update(update)
        if incoming is None:
            await asyncio.to_thread(self.inbox.mark, key, "nothing to answer")
            return
        response = await asyncio.to_thread(self.inbox.handle, self.app.core.handle, incoming, key)
        if response is None:
            log.info("zalo update %s was handled by another process, dropped", key)
            return
        replies = list(response.replies)
        if not replies and response.notice:
            # Zalo has no button toasts: the notice is said as a message.
            replies = [Reply(text=response.notice)]
        if not replies:
            return
        async with reply_turn(self.app, incoming.chat_id) as gate:
            for reply in replies:
                result = await self.sender.send(incoming.chat_id, reply, gate=gate)
                if not result.ok:
                    break

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

    # -- picking up what a dead process dropped ----------------------------------------------
    async def recover(self) -> int:
        """Claim the rows nobody handled within the grace period (or within another process's
        lease) and handle them, in their chats' order; how many were claimed."""
        claims = await asyncio.to_thread(self.inbox.claim_stale)
        for key in claims.given_up:
            log.error("zalo update %s given up after %d attempts", key, inbox.MAX_ATTEMPTS)
        for row in claims.rows:
            log.warning("zalo update %s picked up (attempt %d)", row.key, row.attempts)
            self._spawn(self._recovered(row))
        return len(claims.rows)

    async def _recovered(self, row: inbox.Claimed) -> None:
        update = _read_stored(row.body)
        try:
            if update is None or update.message is None:
                await asyncio.to_thread(self.inbox.mark, row.key, "unreadable")
                return
            async with self._in_order(update.message.chat_id):
                await self._handle(row.key, update)
        except Exception:
            log.exception("zalo update %s failed", row.key)

    async def run_recovery(self, stop: asyncio.Event) -> None:
        """`recover` at once and every `recover_every` until `stop`; a failing round (the
        database away) is logged and tried again next time."""
        while not stop.is_set():
            try:
                await self.recover()
            except Exception as error:
                log.warning(
                    "zalo inbox pick-up failed (%s); next in %s",
                    type(error).__name__,
                    self.recover_every,
                )
            await sleep_unless_stopped(self.recover_every.total_seconds(), stop)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the updates in hand (tests; a clean shutdown)."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)


def _read_stored(body: str) -> ZaloUpdate | None:
    """A recorded body read back (it was JSON when recorded; None if it is not any more)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return parse_update(data) if isinstance(data, dict) else None


def zalo_webhook_route(app: App, sender: ZaloSender) -> Route:
    """The route alone, for mounting; keep a `ZaloWebhook` to `drain()` at shutdown."""
    return ZaloWebhook(app, sender).route
