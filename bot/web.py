"""The webhook server: one Starlette app, one route set per messaging channel, `GET /healthz`.

Channels plug in as `WebChannel`s (routes plus start-up and shut-down), so adding Zalo means
writing a `ZaloWebhook` with its own routes and listing it in `web_channels`; nothing else here
changes. Any number of these processes can run behind a load balancer: the state is in the
database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import App, build_app
from bot.logging_setup import setup_logging
from bot.settings import Settings, SettingsError
from bot.telegram.runner import build_telegram
from bot.telegram.webhook import TelegramWebhook
from bot.zalo.adapter import build_sender
from bot.zalo.client import ZaloClient
from bot.zalo.webhook import ZaloWebhook

log = logging.getLogger(__name__)


class WebChannel(Protocol):
    """A messaging channel served over HTTP."""

    name: str
    routes: Sequence[BaseRoute]

    async def startup(self) -> None: ...

    async def shutdown(self) -> None: ...


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_web_app(channels: Sequence[WebChannel]) -> Starlette:
    """Routes of every channel plus /healthz; channels start in order and stop in reverse."""
    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    for channel in channels:
        routes.extend(channel.routes)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        started: list[WebChannel] = []
        try:
            for channel in channels:
                await channel.startup()
                started.append(channel)
                log.info("web channel %s started", channel.name)
            yield
        finally:
            for channel in reversed(started):
                try:
                    await channel.shutdown()
                except Exception:
                    log.exception("web channel %s did not stop cleanly", channel.name)

    return Starlette(routes=routes, lifespan=lifespan)


def web_channels(settings: Settings, app: App) -> list[WebChannel]:
    """Every channel configured in the settings."""
    channels: list[WebChannel] = []
    if settings.telegram_bot_token is not None:
        if settings.telegram_webhook_secret is None:
            raise SettingsError(
                "Invalid setting TELEGRAM_WEBHOOK_SECRET: required for the webhook server"
            )
        channels.append(
            TelegramWebhook(
                build_telegram(settings, app, webhook=True),
                secret=settings.telegram_webhook_secret.get_secret_value(),
                url=settings.telegram_webhook_url,
            )
        )
    if settings.zalo_bot_token is not None:
        if settings.zalo_webhook_secret is None:
            raise SettingsError(
                "Invalid setting ZALO_WEBHOOK_SECRET: required for the webhook server"
            )
        channels.append(ZaloWebChannel(settings, app))
    return channels


class ZaloWebChannel:
    """Zalo's webhook as a `WebChannel`: the route, and a clean stop (finish updates in hand)."""

    name = "zalo"

    def __init__(self, settings: Settings, app: App) -> None:
        assert settings.zalo_bot_token is not None
        self.client = ZaloClient(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base)
        self.webhook = ZaloWebhook(app, build_sender(app, self.client))
        self.routes: Sequence[BaseRoute] = [self.webhook.route]

    async def startup(self) -> None:
        """The webhook URL is registered once by the operator (docs/zalo.md)."""

    async def shutdown(self) -> None:
        await self.webhook.drain(10)
        await self.client.aclose()


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Run the webhook server until SIGTERM/SIGINT (uvicorn stops it gracefully)."""
    setup_logging(settings.log_level_number, settings.secrets())
    app = build_app(settings)
    channels = web_channels(settings, app)
    if not channels:
        raise SettingsError(
            "No channel configured for the webhook server (TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN)"
        )
    config = uvicorn.Config(
        create_web_app(channels),
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        app.db.dispose()
