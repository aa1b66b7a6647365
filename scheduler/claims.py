"""The generic part of the scheduler: due items, claims, and the loop that fires them.

A `Job` knows how to find its due items in the database (`due`) and how to fire one (`fire`,
which enqueues outbox rows). `run_job` does the rest, the same way for every kind:

1. read the due items and drop those whose key is already in `scheduled_runs`;
2. record a stale item (its moment has passed, see `DueItem.stale_at`) as "stale", sending
   nothing;
3. for each remaining item, in its own short transaction: INSERT the key ON CONFLICT DO NOTHING;
   if another process holds it, stop; otherwise `fire` and record the outcome. The key and the
   outbox rows commit together, so the key exists exactly when the messages exist.

One transaction per item (not per tick) keeps row locks short, isolates a failing item (it is
logged and found due again next tick), and lets slow preparation (rendering a chart) run outside
any transaction (`Job.prepare`).
"""

from __future__ import annotations

import logging
import os
import random
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import Database, ScheduledRun
from models.upsert import insert_new
from scheduler.rules import SchedulerRules

log = logging.getLogger(__name__)

_CHUNK = 500


class Outcome:
    """What became of a claimed item (stored in `scheduled_runs.outcome`)."""

    SENT = "sent"
    SKIPPED = "skipped"
    STALE = "stale"


@dataclass(frozen=True)
class DueItem:
    """One piece of due work. `key` is deterministic: whoever computes it gets the same string.

    `stale_at`: from this instant on the item is no longer worth sending (a "1 hour before"
    reminder once the meeting has started); it is then recorded as stale instead.
    `data` carries what `due` already knows, for `fire`.
    """

    key: str
    kind: str
    ref_id: int | None
    due_at: datetime
    stale_at: datetime | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def is_stale(self, now: datetime) -> bool:
        return self.stale_at is not None and now >= self.stale_at


@dataclass(frozen=True)
class Fired:
    """What `fire` did: sent (with how many outbox rows), or skipped and why."""

    outcome: str
    deliveries: int = 0
    note: str | None = None

    @classmethod
    def sent(cls, deliveries: int, note: str | None = None) -> Fired:
        return cls(Outcome.SENT, deliveries, note)

    @classmethod
    def skipped(cls, note: str) -> Fired:
        return cls(Outcome.SKIPPED, 0, note)


class Job:
    """A kind of scheduled work. Subclasses set `name` and `group` and implement `due`/`fire`.

    `due(session, now, rules)` yields the items due at `now` (due_at <= now), no older than
    `rules.lookback`; it may yield items already done (the loop skips their keys).
    `fire(session, item, now, rules, prepared)` runs inside the claim's transaction: re-check
    the rows (lock them if a concurrent change matters), enqueue, return `Fired`.
    `prepare`/`release` bracket slow work that must not hold a transaction (e.g. a chart).
    """

    name: str = ""
    group: str = "reminders"
    chunk_size: int | None = None

    def batches(self, items: Sequence[DueItem], rng: random.Random) -> list[list[DueItem]]:
        """The order of work: shuffled, in chunks of `chunk_size` (all at once when None).

        The keys are re-checked before each batch after the first, so several processes that
        start together (they tick on the same schedule) mostly share the work instead of all
        preparing every item and losing most claims.
        """
        order = list(items)
        rng.shuffle(order)
        step = self.chunk_size or max(len(order), 1)
        return [order[i : i + step] for i in range(0, len(order), step)]

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        raise NotImplementedError

    def fire(
        self,
        session: Session,
        item: DueItem,
        now: datetime,
        rules: SchedulerRules,
        prepared: Any,
    ) -> Fired:
        raise NotImplementedError

    def prepare(
        self,
        db: Database,
        items: Sequence[DueItem],
        now: datetime,
        rules: SchedulerRules,
        cache: dict[str, Any],
    ) -> dict[str, Any]:
        """Work done before claiming, outside any transaction; `cache` lives for one run."""
        return {}

    def release(self, prepared: Mapping[str, Any], fired: set[str]) -> None:
        """At the end of a run: clean up what `prepare` made that no fired item uses."""


@dataclass
class JobReport:
    """Counts for one job in one tick: due (found, not yet done), sent, skipped, stale, taken
    (another process did it while this one was busy with other items), lost (another process
    won the claim itself), failed (an error; retried next tick), deliveries (outbox rows)."""

    due: int = 0
    sent: int = 0
    skipped: int = 0
    stale: int = 0
    taken: int = 0
    lost: int = 0
    failed: int = 0
    deliveries: int = 0

    def add(self, other: JobReport) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class TickReport:
    """What one tick did, per job name."""

    jobs: dict[str, JobReport] = field(default_factory=dict)

    @property
    def total(self) -> JobReport:
        total = JobReport()
        for report in self.jobs.values():
            total.add(report)
        return total

    def __getitem__(self, name: str) -> JobReport:
        return self.jobs.setdefault(name, JobReport())

    def busy(self) -> bool:
        t = self.total
        return bool(t.sent or t.skipped or t.stale or t.failed)


def worker_name() -> str:
    """Who claimed an item: host and process id (enough to find the process in the logs)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """The keys among `keys` already in `scheduled_runs`."""
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = list(keys[start : start + _CHUNK])
        found.update(
            session.exec(select(ScheduledRun.job_key).where(col(ScheduledRun.job_key).in_(chunk)))
        )
    return found


def _claim_rows(
    session: Session, items: Sequence[DueItem], *, now: datetime, worker: str, outcome: str
) -> list[int]:
    """INSERT the items' keys ON CONFLICT DO NOTHING; the ids of the rows really inserted.

    On PostgreSQL a concurrent transaction inserting the same key makes this wait for it: if it
    commits, the key is skipped; if it rolls back, ours goes in. SQLite serialises writers.
    """
    if not items:
        return []
    rows = [
        {
            "job_key": item.key[:200],
            "kind": item.kind[:40],
            "ref_id": item.ref_id,
            "due_at": item.due_at,
            "claimed_at": now,
            "claimed_by": worker,
            "outcome": outcome,
            "deliveries": 0,
            "note": None,
        }
        for item in items
    ]
    ids = insert_new(session, ScheduledRun, rows, index_elements=["job_key"], returning="id")
    return [int(run_id) for run_id in ids]


def claim(
    session: Session, item: DueItem, *, now: datetime, worker: str, outcome: str = Outcome.SENT
) -> int | None:
    """Claim one item: its new row id, or None when the key was already taken."""
    ids = _claim_rows(session, [item], now=now, worker=worker, outcome=outcome)
    return ids[0] if ids else None


def _record(session: Session, run_id: int, fired: Fired) -> None:
    session.exec(
        sa.update(ScheduledRun)
        .where(col(ScheduledRun.id) == run_id)
        .values(outcome=fired.outcome, deliveries=fired.deliveries, note=(fired.note or None))
    )


def run_job(
    db: Database,
    job: Job,
    *,
    now: datetime,
    rules: SchedulerRules,
    worker: str,
    rng: random.Random | None = None,
) -> JobReport:
    """Find the job's due items and fire each one not yet done, exactly once across processes.

    Stale items are recorded together in one statement (they send nothing). Fresh ones go in
    the job's `batches`, keys re-checked before each batch, each item claimed and fired in its
    own transaction; `release` runs once at the end, whatever happened.
    """
    report = JobReport()
    with db.session() as session:
        items = list(job.due(session, now, rules))
        done = existing_keys(session, [i.key for i in items])
    pending = [i for i in items if i.key not in done]
    report.due = len(pending)
    # Sorted: two processes inserting overlapping sets of keys in one statement each take the
    # row locks in the same order, so they queue instead of deadlocking (PostgreSQL).
    stale = sorted((i for i in pending if i.is_stale(now)), key=lambda i: i.key)
    fresh = [i for i in pending if not i.is_stale(now)]
    for start in range(0, len(stale), _CHUNK):
        chunk = stale[start : start + _CHUNK]
        with db.session() as session:
            recorded = len(
                _claim_rows(session, chunk, now=now, worker=worker, outcome=Outcome.STALE)
            )
        report.stale += recorded
        report.lost += len(chunk) - recorded
    cache: dict[str, Any] = {}
    prepared: dict[str, Any] = {}
    fired: set[str] = set()
    try:
        for index, batch in enumerate(job.batches(fresh, rng or random.Random())):
            if index:
                with db.session() as session:
                    taken = existing_keys(session, [i.key for i in batch])
                report.taken += len(taken)
                batch = [i for i in batch if i.key not in taken]
            if not batch:
                continue
            try:
                made = job.prepare(db, batch, now, rules, cache)
            except Exception:
                # One committee's chart failing must not hold back the others' reports.
                log.exception("preparing %d %s items failed; tried again", len(batch), job.name)
                report.failed += len(batch)
                continue
            prepared.update(made)
            for item in batch:
                _fire_one(db, job, item, now, rules, worker, made, report, fired)
    finally:
        job.release(prepared, fired)
    return report


def _fire_one(
    db: Database,
    job: Job,
    item: DueItem,
    now: datetime,
    rules: SchedulerRules,
    worker: str,
    prepared: Mapping[str, Any],
    report: JobReport,
    fired: set[str],
) -> None:
    """Claim and fire one item in one transaction; an error rolls both back (retried later)."""
    try:
        with db.session() as session:
            run_id = claim(session, item, now=now, worker=worker)
            if run_id is None:
                report.lost += 1
                return
            result = job.fire(session, item, now, rules, prepared.get(item.key))
            _record(session, run_id, result)
    except Exception:
        log.exception("scheduled item %s failed; it will be tried again", item.key)
        report.failed += 1
        return
    if result.outcome == Outcome.SENT:
        report.sent += 1
        report.deliveries += result.deliveries
        fired.add(item.key)
    else:
        report.skipped += 1
