"""Housekeeping that rides on ordinary work: run a clean-up at most once per interval.

Expired public files and old update keys are purged by whichever process happens to be
publishing or receiving, so no separate job is needed; this keeps the "at most once an hour,
and a failure only delays it" rule in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

log = logging.getLogger(__name__)


class NowAndThen:
    """Calls `job(now)` when at least `every` has passed since the last call (or never ran).

    The time is taken before the job runs, so a failing job is not retried at once: it waits
    for the next interval, logged. Not thread-safe across instances; one per owner.
    """

    def __init__(self, job: Callable[[datetime], object], every: timedelta, what: str) -> None:
        self.job = job
        self.every = every
        self.what = what
        self.last: datetime | None = None

    def __call__(self, now: datetime) -> None:
        if self.last is not None and now - self.last < self.every:
            return
        self.last = now
        try:
            self.job(now)
        except Exception:
            log.exception("%s: not done, tried again in %s", self.what, self.every)
