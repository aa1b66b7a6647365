"""Polling: deleteWebhook, then getUpdates one update at a time until told to stop.

One process per token (Zalo hands each update to whoever asks). Updates are answered in
order, one at a time, so a member's "/moi" is always handled before the "1" that answers it;
with one update per poll and a second between polls this serves a cell or a small unit. Larger
units run `sotay serve` behind a webhook instead.

Nothing stops the loop but the stop event (SIGTERM, SIGINT) or a rejected token: a bad update
is logged and skipped, and API faults are waited out with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import App, build_app
from bot.settings import Settings
from bot.stopping import Stopped, sleep_unless_stopped, until_stopped
from bot.zalo.adapter import build_sender, handle_update
from bot.zalo.client import ZaloClient
from bot.zalo.dedupe import UpdateLedger, update_key
from bot.zalo.errors import ZaloError, ZaloUnauthorized
from bot.zalo.sender import ZaloSender

log = logging.getLogger(__name__)

TOKEN_REJECTED = "zalo rejected the bot token (401): check ZALO_BOT_TOKEN"


async def poll_forever(
    app: App,
    client: ZaloClient,
    stop_event: asyncio.Event,
    *,
    sender: ZaloSender | None = None,
    ledger: UpdateLedger | None = None,
) -> None:
    """Answer updates until `stop_event` is set. Raises only `ZaloUnauthorized` (bad token).

    The client drops repeats it remembers (in memory); `ledger` drops those the database has
    seen, from an earlier run of this process or another one that polled the same token.
    """
    sender = sender or build_sender(app, client)
    ledger = ledger or UpdateLedger(app.db)
    failures = 0
    while not stop_event.is_set():
        try:
            updates = await until_stopped(client.get_updates(), stop_event)
        except Stopped:
            break
        except ZaloUnauthorized:
            log.error(TOKEN_REJECTED)
            raise
        except ZaloError as error:
            wait = client.policy.backoff(failures)
            failures += 1
            log.warning("zalo getUpdates failed (%s); next poll in %.2f s", error, wait)
            await sleep_unless_stopped(wait, stop_event)
            continue
        failures = 0
        for update in updates:
            try:
                if not await ledger.first_time(update):
                    log.info("zalo update %s handled before, dropped", update_key(update))
                    continue
                await handle_update(app, sender, update)
            except Exception:
                # One bad update must never stop the bot for everyone else.
                log.exception("zalo update %s failed", update_key(update))


async def serve_polling(
    settings: Settings,
    *,
    app: App | None = None,
    stop_event: asyncio.Event | None = None,
    client: ZaloClient | None = None,
) -> None:
    """Check the token (getMe), drop any webhook, poll until stopped.

    Pass `app` and `stop_event` to run beside other channels in one event loop; without a
    stop event, SIGTERM and SIGINT set one here. `client` (closed on return) replaces the one
    built from the settings, for tests and tuning.
    """
    if settings.zalo_bot_token is None:
        raise ValueError("ZALO_BOT_TOKEN is not set")
    if settings.zalo_webhook_url is not None:
        log.warning(
            "ZALO_WEBHOOK_URL is set but this process polls: the webhook is deleted, and "
            "`sotay serve` sets it again when it starts"
        )
    own_app = app is None
    bundle: App = app if app is not None else await asyncio.to_thread(build_app, settings)
    stop = stop_event or asyncio.Event()
    signals = [] if stop_event is not None else _install_signal_handlers(stop)
    try:
        token = settings.zalo_bot_token.get_secret_value()
        async with client or ZaloClient(token, settings.zalo_api_base) as zalo:
            try:
                await until_stopped(_start(zalo), stop)
            except Stopped:
                return
            await poll_forever(bundle, zalo, stop)
    finally:
        loop = asyncio.get_running_loop()
        for signum in signals:
            loop.remove_signal_handler(signum)
        if own_app:
            bundle.db.dispose()
        log.info("zalo polling stopped")


async def _start(client: ZaloClient) -> None:
    """The token works (or a clear error says it does not), and no webhook takes our updates."""
    try:
        me = await client.get_me()
    except ZaloUnauthorized:
        log.error(TOKEN_REJECTED)
        raise
    log.info("zalo bot %s (%s) polling", me.name, me.id)
    await client.delete_webhook()


def run_polling(settings: Settings) -> None:
    """`sotay run` with ZALO_BOT_TOKEN: blocks until SIGTERM or Ctrl-C."""
    asyncio.run(serve_polling(settings))


def _install_signal_handlers(stop: asyncio.Event) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
            continue
        installed.append(signum)
    return installed
