"""`sotay run` with tokens: every configured channel polls in one event loop, one App shared.

Telegram and Zalo each long-poll their own API, and each has a delivery worker sending its
outbox (`bot.delivery`); more workers can run elsewhere with `sotay worker`. With
PUBLIC_BASE_URL set it also serves `/files` (the charts Zalo fetches) on FILES_HOST and
FILES_PORT. One stop event (SIGTERM, Ctrl-C) ends them all: pollers finish the updates in
hand, workers the sends in flight, before the database is closed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine
from functools import partial
from typing import Any

from bot import loops
from bot.app import build_app
from bot.settings import Settings
from bot.stopping import wind_down
from services import texts

log = logging.getLogger(__name__)


class ChannelFailed(Exception):
    """A channel could not run (a rejected token, an unreachable API); `str()` is one line."""


def _stop_on_failure(stop: asyncio.Event, task: asyncio.Task[Any]) -> None:
    """If one channel fails for good (a rejected token), the others stop too."""
    if not task.cancelled() and task.exception() is not None:
        stop.set()


def run_channels(settings: Settings) -> None:
    """Block until SIGTERM or Ctrl-C, serving Telegram and/or Zalo by polling."""
    app = build_app(settings)

    async def main() -> list[str]:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        jobs: dict[str, Coroutine[Any, Any, None]] = {}
        if settings.telegram_bot_token is not None:
            from bot.telegram.runner import build_telegram, poll

            jobs["Telegram"] = poll(build_telegram(settings, app), stop)
        if settings.zalo_bot_token is not None:
            from bot.zalo.runner import serve_polling

            jobs["Zalo"] = serve_polling(settings, app=app, stop_event=stop)
        from bot.delivery.service import build_worker, configured_channels, serve_worker

        for channel in configured_channels(settings):
            worker = build_worker(settings, app.db, channel)
            jobs[f"{channel.capitalize()} delivery"] = serve_worker(worker, stop)
        if settings.public_base_url is not None:
            from bot.web import serve_files

            jobs["Files"] = serve_files(app.db, settings.files_host, settings.files_port, stop)
        from scheduler.runner import start_scheduler

        # Every process ticks; the claimed rows make sure nothing fires twice (docs/scheduler.md).
        jobs["Scheduler"] = start_scheduler(app, stop)
        tasks = {name: asyncio.create_task(job, name=name) for name, job in jobs.items()}
        for task in tasks.values():
            # If one channel fails for good (a rejected token), stop the others too.
            task.add_done_callback(partial(_stop_on_failure, stop))
        await stop.wait()
        # Whatever each job was doing (a back-off, a hanging send), the process is gone in
        # about FINISH_GRACE + CANCEL_GRACE seconds after SIGTERM.
        await wind_down(list(tasks.values()))
        failures = [
            _explain(name, task.exception())
            for name, task in tasks.items()
            if task.done() and not task.cancelled() and task.exception()
        ]
        # A rejected token stops both the poller and the worker of that channel: say it once.
        return list(dict.fromkeys(failures))

    try:
        failures = loops.run(main())
    finally:
        app.db.dispose()
    if failures:
        raise ChannelFailed("; ".join(failures))


def _explain(channel: str, error: BaseException | None) -> str:
    """One line for the operator; the details go to the log."""
    from telegram.error import InvalidToken

    from bot.delivery.transports import TokenRejected
    from bot.zalo.errors import ZaloUnauthorized

    if isinstance(error, TokenRejected):
        return texts.CLI_TOKEN_REJECTED.format(channel=error.channel, setting=error.setting)
    if isinstance(error, InvalidToken):
        return texts.CLI_TOKEN_REJECTED.format(channel=channel, setting="TELEGRAM_BOT_TOKEN")
    if isinstance(error, ZaloUnauthorized):
        return texts.CLI_TOKEN_REJECTED.format(channel=channel, setting="ZALO_BOT_TOKEN")
    log.error("%s channel stopped", channel, exc_info=error)
    return texts.CLI_CHANNEL_FAILED.format(channel=channel, error=type(error).__name__)
