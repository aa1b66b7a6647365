"""`POST /telegram/webhook`: Telegram's pushes, accepted only with the shared secret.

The secret travels in `X-Telegram-Bot-Api-Secret-Token` (set with setWebhook). It is compared in
constant time before the body is read, so a forged request costs us nothing and changes nothing.
A valid update is handled, then answered 200: Telegram never sends again an update it got 200
for, so one answered before it was handled would be lost with the process (kill -9, a crash);
unanswered, Telegram delivers it again. A faulty update still gets 200 (the core never raises: the
member gets the apology), or Telegram would retry it forever. A retried update that did get
through before is dropped by the adapter (`inbound_updates`).

The body is read with `bot.webhook_body.read_json`: Content-Length first, then a capped read,
then JSON that may not nest absurdly deep, so a malformed or oversized body gets a bare 400 or
413 (never a 500 with a traceback) even from someone who holds the secret.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.telegram.adapter import ALLOWED_UPDATES
from bot.telegram.runner import TelegramChannel
from bot.webhook_body import BodyRefused, read_json

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram/webhook"
MAX_BODY = 1_000_000


class TelegramWebhook:
    """The Telegram channel as seen by the web server (see `bot.web.WebChannel`)."""

    name = "telegram"

    def __init__(
        self,
        channel: TelegramChannel,
        *,
        secret: str,
        url: str | None,
        path: str = PATH,
        max_connections: int = 40,
        max_body: int = MAX_BODY,
    ) -> None:
        if not secret:
            raise ValueError("a Telegram webhook needs a secret")
        self.channel = channel
        self._secret = secret.encode()
        self.url = url
        self.max_connections = max_connections
        self.max_body = max_body
        self.routes: Sequence[BaseRoute] = [Route(path, self.receive, methods=["POST"])]

    async def startup(self) -> None:
        """Start the application, then point Telegram at us (idempotent, safe per process)."""
        await self.channel.start()
        if self.url:
            await self.channel.sender.call(
                "setWebhook",
                lambda: self.channel.application.bot.set_webhook(
                    self.url or "",
                    secret_token=self._secret.decode(),
                    allowed_updates=list(ALLOWED_UPDATES),
                    max_connections=self.max_connections,
                ),
            )
            log.info("telegram webhook set")
        else:
            log.warning("TELEGRAM_WEBHOOK_URL not set: Telegram was not told where to push")

    async def shutdown(self) -> None:
        # The webhook stays set: other processes behind the same URL keep serving.
        await self.channel.stop()

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return JSONResponse({"ok": False}, status_code=403)
        try:
            data = await read_json(request, max_body=self.max_body)
        except BodyRefused as refused:
            return JSONResponse({"ok": False}, status_code=refused.status)
        if not isinstance(data, dict) or not _is_update_id(data.get("update_id")):
            # Not an update at all (Telegram always numbers its updates): nothing to queue.
            return JSONResponse({"ok": False}, status_code=400)
        await self.channel.handle(data)
        return JSONResponse({"ok": True})


def _is_update_id(value: object) -> bool:
    """An update id is a non-negative integer; it keys the update in `inbound_updates`."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
