"""The clock: APScheduler 3.11 ticking inside each process.

APScheduler only decides *when* to look; what is due and who does it come from the database
(`scheduler.jobs.tick`), so every process can run this clock and nothing fires twice (APScheduler
3 cannot share a job store between processes, and does not need to here).

Each group ("reminders", "weekly") is one interval job with coalesce=True (missed runs collapse
into one), max_instances=1 and a misfire grace as long as the interval; a tick still running when
the next is due is not overlapped (the next run is skipped). The first run is at start-up: work
that fell due while every process was down is done then. The tick itself runs in a worker thread
(`asyncio.to_thread`): database calls and chart rendering never block the event loop that serves
the chats.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from models import Database, utcnow
from scheduler.claims import Job, TickReport, worker_name
from scheduler.jobs import REMINDERS, WEEKLY, tick
from scheduler.rules import DEFAULT_SCHEDULER_RULES, SchedulerRules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchedulerConfig:
    """How often each group ticks, and the rules the jobs apply."""

    enabled: bool = True
    reminders_every: timedelta = timedelta(seconds=30)
    weekly_every: timedelta = timedelta(minutes=1)
    rules: SchedulerRules = DEFAULT_SCHEDULER_RULES
    worker: str = field(default_factory=worker_name)
    stop_timeout: float = 60.0


def config_from_settings(settings: Any) -> SchedulerConfig:
    """The configuration from `bot.settings.Settings`: TIMEZONE, and the optional
    SCHEDULER_ENABLED, SCHEDULER_INTERVAL_SECONDS and EXPORTS_DIR when those settings exist."""
    rules = DEFAULT_SCHEDULER_RULES.with_tz(settings.tz)
    exports = getattr(settings, "exports_dir", None)
    if exports:
        rules = replace(rules, exports_dir=Path(exports))
    seconds = float(getattr(settings, "scheduler_interval_seconds", 30) or 30)
    return SchedulerConfig(
        enabled=bool(getattr(settings, "scheduler_enabled", True)),
        reminders_every=timedelta(seconds=seconds),
        rules=rules,
    )


class Clock:
    """An AsyncIOScheduler with one interval job per group; `stop` waits for a running tick."""

    def __init__(
        self,
        db: Database,
        config: SchedulerConfig,
        *,
        jobs: Sequence[Job],
        now: Callable[[], datetime] = utcnow,
        on_tick: Callable[[str, TickReport], None] | None = None,
    ) -> None:
        self.db = db
        self.config = config
        self.jobs = tuple(jobs)
        self.now = now
        self.on_tick = on_tick
        self.ticks: dict[str, int] = {REMINDERS: 0, WEEKLY: 0}
        self._running: dict[str, asyncio.Future[TickReport]] = {}
        self._scheduler: AsyncIOScheduler | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        for group, every in (
            (REMINDERS, self.config.reminders_every),
            (WEEKLY, self.config.weekly_every),
        ):
            scheduler.add_job(
                self._tick,
                IntervalTrigger(seconds=every.total_seconds(), timezone=UTC),
                args=[group],
                id=f"sotay-{group}",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=max(int(every.total_seconds()), 1),
                next_run_time=datetime.now(UTC),
            )
        scheduler.start()
        self._scheduler = scheduler
        log.info(
            "scheduler started as %s: reminders every %ss, weekly every %ss",
            self.config.worker,
            self.config.reminders_every.total_seconds(),
            self.config.weekly_every.total_seconds(),
        )

    async def _tick(self, group: str) -> None:
        """Start one tick of `group` in a worker thread, unless the previous one still runs.

        The job itself returns at once, so a weekly run longer than its interval is simply not
        overlapped (instead of APScheduler warning every minute that an instance is running),
        and APScheduler's shutdown has nothing to cancel: `stop` waits for the thread instead.
        """
        if group in self._running:
            return
        work = asyncio.ensure_future(
            asyncio.to_thread(
                tick,
                self.db,
                self.now(),
                self.config.rules,
                jobs=self.jobs,
                group=group,
                worker=self.config.worker,
            )
        )
        self._running[group] = work
        work.add_done_callback(lambda done: self._finished(group, done))

    def _finished(self, group: str, work: asyncio.Future[TickReport]) -> None:
        self._running.pop(group, None)
        if work.cancelled():
            return
        error = work.exception()
        if error is not None:
            log.error("scheduler tick (%s) failed", group, exc_info=error)
            return
        report = work.result()
        self.ticks[group] += 1
        if report.busy():
            t = report.total
            log.info(
                "scheduler %s: %d sent (%d messages), %d skipped, %d stale, %d failed",
                group,
                t.sent,
                t.deliveries,
                t.skipped,
                t.stale,
                t.failed,
            )
        if self.on_tick is not None:
            self.on_tick(group, report)

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._running:
            await asyncio.wait(set(self._running.values()), timeout=self.config.stop_timeout)


async def start_scheduler(
    app: Any,
    stop_event: asyncio.Event,
    *,
    jobs: Sequence[Job] | None = None,
    config: SchedulerConfig | None = None,
    now: Callable[[], datetime] = utcnow,
    on_tick: Callable[[str, TickReport], None] | None = None,
) -> None:
    """Run the clock for `app` (a `bot.app.App`) until `stop_event` is set, ticking `jobs`
    (by default the app's: every feature's, from the wiring list `bot.features`).

    `bot/runner.py` runs it beside the channels.
    """
    settings = getattr(app, "settings", None)
    cfg = config or (config_from_settings(settings) if settings is not None else SchedulerConfig())
    if not cfg.enabled:
        await stop_event.wait()
        return
    work = tuple(jobs if jobs is not None else app.jobs)
    offered = getattr(app, "offers", None)
    if offered is not None:
        cfg = replace(cfg, rules=replace(cfg.rules, offers=offered))
    clock = Clock(app.db, cfg, jobs=work, now=now, on_tick=on_tick)
    clock.start()
    try:
        await stop_event.wait()
    finally:
        await clock.stop()
        log.info("scheduler stopped")
