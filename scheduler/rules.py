"""Every number the scheduler uses, in one place, so a province can adjust them.

Times of day (deadline reminders, the weekly report) are local, in the configured zone; every
instant computed from them is stored and compared in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import time, timedelta, tzinfo
from pathlib import Path

from services.offers import NO_OFFERS, Offers
from services.vndate import DEFAULT_TZ


@dataclass(frozen=True)
class SchedulerRules:
    """What fires when (docs/scheduler.md explains each one and its staleness rule).

    `lookback` bounds catching up: work that fell due longer ago than this is never looked at,
    so a first start on a database with a year of history does not dig it all up.
    """

    tz: tzinfo = DEFAULT_TZ
    lookback: timedelta = timedelta(days=7)
    # Meetings: reminders before the start (to members who have not asked to be excused), the
    # reminder to members who have not answered, the secretary's prompts around the meeting.
    meeting_reminders: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=1))
    unanswered_before: timedelta | None = timedelta(days=2)
    checkin_prompt_before: timedelta = timedelta(minutes=15)
    close_prompt_after: timedelta = timedelta(minutes=30)
    # Directives: one automatic reminder to members who have not acknowledged (None: never),
    # unless the sender reminded them by hand within `directive_quiet_after_manual`.
    directive_remind_after: timedelta | None = timedelta(hours=24)
    directive_quiet_after_manual: timedelta = timedelta(hours=12)
    # Deadlines (tasks and later kinds) are local calendar days; reminders go out at this time.
    deadline_at: time = time(8, 0)
    # Weekly committee statistics: Monday (0) 07:30 local.
    weekly_weekday: int = 0
    weekly_at: time = time(7, 30)
    stats_window: timedelta = timedelta(days=30)
    exports_dir: Path = field(default_factory=lambda: Path("exports"))
    exports_keep_weeks: int = 8
    # What features offer one another (the wiring list's, `bot.features.offers`).
    offers: Offers = NO_OFFERS

    def with_tz(self, tz: tzinfo) -> SchedulerRules:
        """The same rules in another zone (TIMEZONE from the settings)."""
        return replace(self, tz=tz)


DEFAULT_SCHEDULER_RULES = SchedulerRules()


def span_label(span: timedelta) -> str:
    """A short, stable name for an offset, used in job keys: 1d, 1h, 30m."""
    seconds = int(span.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"
