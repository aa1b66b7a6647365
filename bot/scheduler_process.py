"""`sotay scheduler`: the scheduler's clock, alone in its process.

What `sotay serve` runs in the background beside its webhooks is two things
(`bot.web.BackgroundWork`): the scheduler (every feature's jobs from the wiring list: meeting
reminders, directive follow-ups, deadlines, the weekly statistics, the bulletins' feed polls,
each claimed row by row, docs/scheduler.md) and one delivery worker per channel. The other
upkeep rides on ordinary work and needs no process of its own: expired public files are purged
by whoever publishes, old update keys by whoever receives, the Zalo inbox by the web processes
that pick up its dropped updates (docs/zalo.md).

This process runs the scheduler only: no web server, no polling, no delivery worker. The jobs
write outbox rows; sending them is the delivery workers' (`sotay worker`, M of them, sharing
each token's rate, docs/delivery.md), so a scheduler that also sent would only be one more
worker hidden in the wrong unit. Several scheduler processes at once are safe and buy nothing:
each item is claimed by INSERT … ON CONFLICT DO NOTHING on its key in the transaction that
enqueues its messages (`scheduler.claims`), so two processes never both fire it.

SIGTERM or SIGINT stops it: no new tick starts, and a tick under way is waited for (each of its
items commits on its own, so even a kill loses nothing: what was not committed is due again).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot import loops
from bot.app import App, build_app
from bot.settings import Settings, SettingsError
from models import utcnow
from scheduler.claims import TickReport
from scheduler.runner import SchedulerConfig, start_scheduler

log = logging.getLogger(__name__)


def check_settings(settings: Settings) -> None:
    """Refuse, with one line naming the setting, what would make the process tick for nothing.

    * No channel token: the jobs would queue messages that no worker may send (and the local
      chat, the only use without a token, ticks nothing either).
    * An exports folder it cannot write: every weekly report would fail at its chart, each
      week, only in the log.
    """
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        raise SettingsError(
            "No channel configured for the scheduler (TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN)"
        )
    folder = Path(settings.exports_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise SettingsError(
            f"Invalid setting EXPORTS_DIR: cannot write to {folder} ({error.strerror or error})"
        ) from None


async def run_scheduler(
    app: App,
    stop: asyncio.Event,
    *,
    config: SchedulerConfig | None = None,
    now: Callable[[], datetime] = utcnow,
    on_tick: Callable[[str, TickReport], None] | None = None,
) -> None:
    """Tick the app's jobs until `stop` is set; then wait for a tick under way.

    `config`, `now` and `on_tick` are for tests (a short interval, a controlled clock, a look
    at each tick); by default the settings' configuration and the wall clock."""
    await start_scheduler(app, stop, config=config, now=now, on_tick=on_tick)


def serve_scheduler(settings: Settings) -> None:
    """`sotay scheduler`: blocks until SIGTERM or SIGINT. Raises `SettingsError` first when
    the settings cannot work (`check_settings`)."""
    check_settings(settings)
    app = build_app(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_scheduler(app, stop)

    try:
        loops.run(main())
    finally:
        app.db.dispose()
