"""Assembly of the PTB `Application` around the adapter, and the polling entry point.

Polling suits one process per bot token (Telegram allows a single getUpdates consumer); the
webhook server (`bot/web.py`) is the way to run several. Both build through `build_telegram`,
so both drop an update delivered twice the same way: the adapter records each in
`inbound_updates` (keyed by bot id and update id) before handling it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder

from bot.app import App, build_app
from bot.logging_setup import setup_logging
from bot.retry import RetryPolicy
from bot.settings import Settings, SettingsError
from bot.stopping import Stopped, until_stopped
from bot.telegram.adapter import ALLOWED_UPDATES, TelegramAdapter
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.incoming import BotIdentity
from bot.telegram.menus import MenuSync
from bot.telegram.sender import TelegramSender

log = logging.getLogger(__name__)

PTBApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class TelegramOptions:
    """Knobs that tests and the benchmark turn; production uses the defaults."""

    concurrency: int = 32
    poll_timeout: float = 30.0
    menu_ttl: float = 300.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 10.0
    connections: int = 100  # the replies' connection pool to the Bot API


class TelegramChannel:
    """A PTB application wired to the core; started and stopped by polling or the web server."""

    def __init__(
        self,
        application: PTBApplication,
        adapter: TelegramAdapter,
        app: App,
        request: AiohttpRequest | None = None,
    ) -> None:
        self.application = application
        self.adapter = adapter
        self.app = app
        self.request = request

    @property
    def sender(self) -> TelegramSender:
        return self.adapter.sender

    async def start(self) -> None:
        """getMe, the default command menu, then start consuming the update queue."""
        await self.application.initialize()
        bot = self.application.bot
        me = BotIdentity(id=bot.id, username=bot.username)
        core = self.app.core
        configured = core.config.telegram_bot_username
        if configured and configured.lstrip("@").lower() != me.username.lower():
            log.warning(
                "TELEGRAM_BOT_USERNAME=%s but the token belongs to @%s", configured, me.username
            )
        if not configured:
            # Invite deep links need the username; the token already tells us.
            core.config = dataclasses.replace(core.config, telegram_bot_username=me.username)
        await self.adapter.startup(me)
        await self.application.start()

    async def stop(self) -> None:
        """Finish the updates already taken, then close the HTTP clients (also after a start
        that was cut short: whatever was initialised is shut down)."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        try:
            await self.application.shutdown()
        finally:
            # PTB skips its requests' shutdown when its initialize was cut short (a stop during
            # start-up), and an aiohttp session left open is reported at exit: close ours.
            if self.request is not None:
                await self.request.shutdown()

    async def handle(self, data: dict[str, Any]) -> bool:
        """Handle a webhook's update before the webhook is answered; False when it is not an
        update at all. Not queued: Telegram never sends again an update it got 200 for, so an
        update queued in memory and then lost with the process (kill -9, a crash) was lost for
        good (the soak lost two at a web process's kill, docs/soak.md). Now a process that dies
        has not answered, and Telegram delivers the update again."""
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception:
            log.exception("telegram webhook body is not an update; dropped")
            return False
        await self.application.process_update(update)
        return True


def build_telegram(
    settings: Settings,
    app: App,
    *,
    webhook: bool = False,
    options: TelegramOptions | None = None,
) -> TelegramChannel:
    """The PTB application against TELEGRAM_API_BASE (api.telegram.org, a local Bot API server,
    or the tests' fake), with our adapter as its only handler.

    The replies go out on aiohttp (`bot.telegram.aiohttp_request`, as the delivery workers'
    sends): with PTB's default httpx, every request walked the whole connection pool asking
    each idle socket whether it was closed, a third of the event loop's time per update in
    `bench.bench_telegram` (issue 16). getUpdates keeps PTB's own request: one at a time."""
    if settings.telegram_bot_token is None:
        raise SettingsError("Invalid setting TELEGRAM_BOT_TOKEN: not set")
    options = options or TelegramOptions()
    base = settings.telegram_api_base
    request = AiohttpRequest(
        connections=options.connections,
        connect_timeout=options.timeout,
        read_timeout=options.timeout,
        write_timeout=options.timeout,
        pool_timeout=options.timeout,
    )
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(options.concurrency)
        .request(request)
        .job_queue(None)
    )
    if webhook:
        builder = builder.updater(None)
    application: PTBApplication = builder.build()
    sender = TelegramSender(application.bot, policy=options.retry)
    menus = MenuSync(app.core.registry, app.db, ttl=options.menu_ttl)
    adapter = TelegramAdapter(app.core, app.db, sender, menus, clock=app.core.clock)
    adapter.install(application)
    return TelegramChannel(application, adapter, app, request)


async def poll(channel: TelegramChannel, stop: asyncio.Event, *, timeout: float = 30.0) -> None:
    """Serve by long polling until `stop` is set; updates already fetched are finished first.

    Start-up (getMe, deleteWebhook retried with back-off) gives way to `stop` at once. Once
    polling, PTB's own retry loop sleeps up to 30 s between failed polls and cannot be woken:
    `sotay run` cancels what has not finished in its grace (`bot.stopping.wind_down`).
    """
    updater = channel.application.updater
    if updater is None:
        raise RuntimeError("this Telegram application was built for webhooks")
    try:
        await until_stopped(channel.start(), stop)
        await until_stopped(
            updater.start_polling(
                timeout=timedelta(seconds=timeout),
                allowed_updates=list(ALLOWED_UPDATES),
                bootstrap_retries=5,
            ),
            stop,
        )
        log.info("telegram polling as @%s", channel.application.bot.username)
        await stop.wait()
    except Stopped:
        pass
    finally:
        try:
            await channel.stop()
        finally:
            log.info("telegram polling stopped")


def run_polling(settings: Settings, *, options: TelegramOptions | None = None) -> None:
    """`sotay run` with TELEGRAM_BOT_TOKEN set: serve until SIGTERM or Ctrl-C, then exit cleanly."""
    setup_logging(settings.log_level_number, settings.secrets())
    app = build_app(settings)
    options = options or TelegramOptions()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        channel = build_telegram(settings, app, options=options)
        await poll(channel, stop, timeout=options.poll_timeout)

    try:
        asyncio.run(main())
    finally:
        app.db.dispose()
