"""The registry of scheduled work and the tick that runs it.

`tick(db, now, rules)` is what the clock calls (every 30 seconds in each process, see
`scheduler.runner`); tests call it directly with a controlled `now`. It takes the `Database`
rather than one session because every item is claimed in its own short transaction (see
`scheduler.claims`): a tick is many small commits, not one long one.

Two groups tick separately, so the weekly report (collecting the whole tree and drawing charts)
never delays a meeting reminder: "reminders" (meetings, directives, deadlines) and "weekly".
Which jobs exist is not decided here: each feature's scheduler module offers its `jobs()`, and
the app's wiring list (`bot.features`) hands them all to `tick`. Importing a module registers
nothing.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from datetime import datetime

from models import Database
from scheduler.claims import Job, TickReport, run_job, worker_name
from scheduler.rules import DEFAULT_SCHEDULER_RULES, SchedulerRules

log = logging.getLogger(__name__)

REMINDERS = "reminders"
WEEKLY = "weekly"


def checked(jobs: Iterable[Job]) -> tuple[Job, ...]:
    """The jobs as given, refused if a name is missing or repeated (it keys the claims)."""
    listed = tuple(jobs)
    seen: set[str] = set()
    for job in listed:
        if not job.name or job.name in seen:
            raise ValueError(f"job {job.name!r} has no name or is listed twice")
        seen.add(job.name)
    return listed


def tick(
    db: Database,
    now: datetime,
    rules: SchedulerRules = DEFAULT_SCHEDULER_RULES,
    *,
    jobs: Iterable[Job],
    group: str | None = None,
    worker: str | None = None,
    rng: random.Random | None = None,
) -> TickReport:
    """Fire everything due at `now` among `jobs` (those of `group`, if given) that no process
    has fired yet; safe to call anywhere, any number of times, from any number of processes.
    One failing job does not stop the others."""
    report = TickReport()
    who = worker or worker_name()
    for job in (j for j in jobs if group is None or j.group == group):
        try:
            report.jobs[job.name] = run_job(db, job, now=now, rules=rules, worker=who, rng=rng)
        except Exception:
            log.exception("scheduled job %s failed this tick", job.name)
            report[job.name].failed += 1
    return report
