"""The registry of scheduled work and the tick that runs it.

`tick(db, now, rules)` is what the clock calls (every 30 seconds in each process, see
`scheduler.runner`); tests call it directly with a controlled `now`. It takes the `Database`
rather than one session because every item is claimed in its own short transaction (see
`scheduler.claims`): a tick is many small commits, not one long one.

Two groups tick separately, so the weekly report (collecting the whole tree and drawing charts)
never delays a meeting reminder: "reminders" (meetings, directives, deadlines) and "weekly".
A new kind of work registers a `Job` (or a `scheduler.deadlines.Deadline`) with `register`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from datetime import datetime

from models import Database
from scheduler.claims import Job, TickReport, run_job, worker_name
from scheduler.deadlines import task_deadlines
from scheduler.directives import DirectiveReminderJob
from scheduler.meetings import MeetingJob
from scheduler.rules import DEFAULT_SCHEDULER_RULES, SchedulerRules
from scheduler.weekly import WeeklyStatsJob

log = logging.getLogger(__name__)

REMINDERS = "reminders"
WEEKLY = "weekly"

_REGISTRY: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Add a kind of scheduled work; its `name` must be unique, its `group` says which tick."""
    if not job.name or job.name in _REGISTRY:
        raise ValueError(f"job {job.name!r} has no name or is registered twice")
    _REGISTRY[job.name] = job
    return job


def registered(group: str | None = None) -> list[Job]:
    return [job for job in _REGISTRY.values() if group is None or job.group == group]


register(MeetingJob())
register(DirectiveReminderJob())
for _deadline in task_deadlines():
    register(_deadline)
register(WeeklyStatsJob())


def tick(
    db: Database,
    now: datetime,
    rules: SchedulerRules = DEFAULT_SCHEDULER_RULES,
    *,
    group: str | None = None,
    jobs: Iterable[Job] | None = None,
    worker: str | None = None,
    rng: random.Random | None = None,
) -> TickReport:
    """Fire everything due at `now` that no process has fired yet; safe to call anywhere, any
    number of times, from any number of processes. One failing job does not stop the others."""
    report = TickReport()
    who = worker or worker_name()
    for job in jobs if jobs is not None else registered(group):
        try:
            report.jobs[job.name] = run_job(db, job, now=now, rules=rules, worker=who, rng=rng)
        except Exception:
            log.exception("scheduled job %s failed this tick", job.name)
            report[job.name].failed += 1
    return report
