"""The webhook server: one Starlette app, one route set per messaging channel, `GET /healthz`.

Channels plug in as `WebChannel`s (routes plus start-up and shut-down), so adding Zalo means
writing a `ZaloWebhook` with its own routes and listing it in `web_channels`; nothing else here
changes. Any number of these processes can run behind a load balancer: the state is in the
database. With PUBLIC_BASE_URL set, `GET /files/<token>` serves the files published for Zalo
(`PublicFiles`), since Zalo sends photos only by URL and has no documents: charts, and the
documents members get as links (minutes, reports, readings, receipts). A file's token is its
only key, so uvicorn's access log shows those requests as `GET /files/…` (`_server_config`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Protocol
from urllib.parse import quote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import App, build_app
from bot.logging_setup import mask_access_log, setup_logging
from bot.settings import Settings, SettingsError
from bot.stopping import wind_down
from bot.telegram.runner import build_telegram
from bot.telegram.webhook import TelegramWebhook
from bot.zalo.adapter import build_sender
from bot.zalo.client import ZaloClient
from bot.zalo.errors import ZaloError, ZaloUnauthorized
from bot.zalo.public_urls import FILES_PATH
from bot.zalo.webhook import ZaloWebhook
from models import Database, PublicFile, utcnow
from services import public_files

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


class BackgroundWork:
    """The scheduler and one delivery worker per channel, inside the webhook server.

    A webhook process answers chats, but directives, invitations, reminders and the weekly
    statistics go out through the outbox and the scheduler: without these, a webhook-only
    deployment would send none of them. Several server processes may run them side by side:
    scheduled work is claimed row by row and the workers share each token's rate through the
    database (docs/delivery.md, docs/scheduler.md). `sotay serve --no-background` leaves them
    to `sotay worker` processes and one process that ticks.
    """

    name = "background"
    routes: Sequence[BaseRoute] = ()

    def __init__(self, settings: Settings, app: App) -> None:
        self.settings = settings
        self.app = app
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    async def startup(self) -> None:
        from bot.delivery.service import build_worker, configured_channels, serve_worker
        from scheduler.runner import start_scheduler

        jobs = {"scheduler": start_scheduler(self.app, self.stop)}
        for channel in configured_channels(self.settings):
            worker = build_worker(self.settings, self.app.db, channel)
            jobs[f"{channel} delivery"] = serve_worker(worker, self.stop)
        for name, job in jobs.items():
            task = asyncio.create_task(job, name=name)
            task.add_done_callback(_log_background_end)
            self.tasks.append(task)

    async def shutdown(self) -> None:
        self.stop.set()
        await wind_down(self.tasks)


def _log_background_end(task: asyncio.Task[None]) -> None:
    """A worker that stops for good (a rejected token) is logged; the webhooks keep serving."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("%s stopped", task.get_name(), exc_info=error)


def web_channels(settings: Settings, app: App, *, background: bool = True) -> list[WebChannel]:
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
    if settings.public_base_url is not None:
        channels.append(PublicFiles(app.db))
    if background and (settings.telegram_bot_token or settings.zalo_bot_token):
        channels.append(BackgroundWork(settings, app))
    return channels


class ZaloWebChannel:
    """Zalo's webhook as a `WebChannel`: the route, the pick-up of updates recorded but not
    handled (at start-up, then every minute), and a clean stop (finish updates in hand)."""

    name = "zalo"

    def __init__(self, settings: Settings, app: App) -> None:
        assert settings.zalo_bot_token is not None
        self.settings = settings
        self.client = ZaloClient(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base)
        self.webhook = ZaloWebhook(app, build_sender(app, self.client))
        self.routes: Sequence[BaseRoute] = [self.webhook.route]
        self.registration: asyncio.Task[None] | None = None
        self.stop_recovery = asyncio.Event()
        self.recovery: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        """Start picking up the inbox's dropped updates, and with ZALO_WEBHOOK_URL register
        it (setWebhook) so Zalo pushes here; otherwise the operator registers it once
        (docs/zalo.md).

        Both run in the background: the server must be listening if Zalo checks the URL, and
        a slow or failing Zalo API (retried with backoff) or database must not hold the
        start-up back. A failure is logged; the server keeps answering whatever Zalo sends,
        and a restart tries again.
        """
        self.recovery = asyncio.create_task(
            self.webhook.run_recovery(self.stop_recovery), name="zalo inbox pick-up"
        )
        if self.settings.zalo_webhook_url is not None:
            self.registration = asyncio.create_task(self._set_webhook())

    async def _set_webhook(self) -> None:
        url = self.settings.zalo_webhook_url
        secret = self.settings.zalo_webhook_secret
        assert url is not None and secret is not None  # web_channels requires the secret
        try:
            await self.client.set_webhook(url, secret.get_secret_value())
        except ZaloUnauthorized:
            log.error("zalo setWebhook refused the bot token (401): check ZALO_BOT_TOKEN")
        except ZaloError as error:  # the client masks the token in its messages
            log.error("zalo setWebhook for %s failed: %s", url, error)
        else:
            log.info("zalo webhook set to %s", url)

    async def shutdown(self) -> None:
        if self.registration is not None and not self.registration.done():
            self.registration.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.registration
        self.stop_recovery.set()
        if self.recovery is not None:
            await wind_down([self.recovery])
        await self.webhook.drain(10)
        await self.client.aclose()


class PublicFiles:
    """`GET /files/<token>`: the files published for Zalo (`services.public_files`).

    The token is the only key, so every refusal looks the same (404, same body) whether the
    token is malformed, unknown or expired, or the stored bytes are not of an allowed type; a
    malformed token never reaches the database. The bytes are served as stored, typed by what
    they are (checked when published and again here), with nosniff and no script allowed, so
    they can never be taken for a page. Images are shown (Zalo fetches them for sendPhoto);
    documents are downloads, so a PDF is never rendered from our domain. Both carry a clean
    file name, in ASCII and in Vietnamese (RFC 6266 and 5987).
    """

    name = "files"

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock
        self.routes: Sequence[BaseRoute] = [
            # `:path` so that "../x" and the like reach the check below, and get its 404.
            Route(f"{FILES_PATH}/{{token:path}}", self.endpoint, methods=["GET"], name="files")
        ]

    async def startup(self) -> None:
        """Nothing to start: the files are in the database."""

    async def shutdown(self) -> None:
        """Nothing to stop."""

    async def endpoint(self, request: Request) -> Response:
        token = request.path_params["token"]
        if not public_files.is_token(token):
            return _not_found()
        now = self.clock()
        # In a thread: the query, and the check of the bytes (an Office file's manifest).
        found = await asyncio.to_thread(self._lookup, token, now)
        if found is None:
            return _not_found()
        max_age = max(0, int((found.expires_at - now).total_seconds()))
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": f"private, max-age={max_age}",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Content-Disposition": content_disposition(found.name, found.content_type),
        }
        return Response(found.data, media_type=found.content_type, headers=headers)

    def _lookup(self, token: str, now: datetime) -> PublicFile | None:
        with self.db.session() as session:
            return public_files.lookup(session, token, now)


def content_disposition(name: str, content_type: str) -> str:
    """`Content-Disposition` for a published file: `inline` for an image, `attachment` for a
    document; an ASCII name for old clients and the Vietnamese one (RFC 5987 `filename*`)
    for the rest, both cleaned and with the extension the bytes call for."""
    disposition = "inline" if content_type in public_files.IMAGES else "attachment"
    clean = public_files.download_name(name, content_type)
    plain = public_files.ascii_name(clean)
    return f"{disposition}; filename=\"{plain}\"; filename*=UTF-8''{quote(clean, safe='')}"


def _not_found() -> Response:
    """The one refusal: it tells nothing about why."""
    return PlainTextResponse("Not Found", status_code=404)


def _server_config(web_app: Starlette, host: str, port: int, grace: int) -> uvicorn.Config:
    """uvicorn as both servers run it: our logging (`log_config=None`), the client address
    from the proxy, and an access log that never shows a public file's token."""
    mask_access_log(FILES_PATH)
    return uvicorn.Config(
        web_app,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=grace,
    )


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside a process that has its own signal handling (`sotay run`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_files(db: Database, host: str, port: int, stop: asyncio.Event) -> None:
    """`GET /files/<token>` and `/healthz` until `stop`: `sotay run` polls, so nothing else
    would serve the charts its Zalo messages link to. Raises if the port cannot be taken."""
    server = _EmbeddedServer(_server_config(create_web_app([PublicFiles(db)]), host, port, 5))

    async def stopper() -> None:
        await stop.wait()
        server.should_exit = True

    watcher = asyncio.create_task(stopper())
    try:
        # Awaited here, not in a task of its own: uvicorn raises SystemExit when it cannot
        # bind, and a task must not end in one.
        await server.serve()
    except SystemExit:
        raise OSError(f"cannot serve files on {host}:{port}") from None
    finally:
        watcher.cancel()
    if not stop.is_set():
        raise OSError(f"the files server on {host}:{port} stopped")


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 8080, *, background: bool = True
) -> None:
    """Run the webhook server until SIGTERM/SIGINT (uvicorn stops it gracefully); with
    `background`, the scheduler and the delivery workers run in it too (`BackgroundWork`)."""
    setup_logging(settings.log_level_number, settings.secrets())
    app = build_app(settings)
    channels = web_channels(settings, app, background=background)
    if not channels:
        raise SettingsError(
            "No channel configured for the webhook server "
            "(TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN, PUBLIC_BASE_URL)"
        )
    try:
        uvicorn.Server(_server_config(create_web_app(channels), host, port, 10)).run()
    finally:
        app.db.dispose()
