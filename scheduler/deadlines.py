"""Deadlines: a generic reminder for any row that has a due day, and the task reminders.

A `Deadline` is a `Job` made from three things a feature supplies:

- `rows(session, first, last)`: the open rows whose due day lies in [first, last] (local days),
  as `DeadlineRow(ref_id, due_on, created_at)`;
- `offset_days`: the reminder's day relative to the due day (-1 the day before, 0 on the day,
  1 the day after), sent at `SchedulerRules.deadline_at` local time;
- `send(session, item, now, rules)`: re-check the row (it may be done by now), enqueue, and
  return `Fired`.

A later feature (fees due, a pledge to review) registers another `Deadline` in `scheduler.jobs`
and touches neither the loop nor the claims. The key holds the due day, so a moved deadline
is reminded again.

Staleness: a reminder whose words name its day ("tomorrow", "today") is only sent on that local
day (`same_day_only`); after downtime that spans the day it is recorded as stale. A reminder
due before the row existed is never generated (the assignment notice covers it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models import DeliveryKind, Member, Task, TaskStatus
from scheduler.claims import DueItem, Fired, Job
from scheduler.common import cell_leaders, local_moment
from scheduler.rules import SchedulerRules
from services import outbox
from services.meetings import texts as meeting_texts
from services.meetings.resolutions import TASK_DONE
from services.vndate import format_vn_date

TASK_REMINDER_KIND = DeliveryKind.TASK_REMINDER.value  # outbox kind


@dataclass(frozen=True)
class DeadlineRow:
    """A row with a deadline: its id, its due day (local), when it was created."""

    ref_id: int
    due_on: date
    created_at: datetime


RowsQuery = Callable[[Session, date, date], Iterable[DeadlineRow]]
Sender = Callable[[Session, DueItem, datetime, SchedulerRules], Fired]


class Deadline(Job):
    """One reminder of one deadline kind; see the module docstring."""

    def __init__(
        self,
        name: str,
        *,
        offset_days: int,
        rows: RowsQuery,
        send: Sender,
        same_day_only: bool,
    ) -> None:
        self.name = name
        self.offset_days = offset_days
        self.rows = rows
        self.send = send
        self.same_day_only = same_day_only

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        today = now.astimezone(rules.tz).date()
        horizon = rules.lookback.days + 1
        first = today - timedelta(days=horizon + self.offset_days)
        last = today - timedelta(days=self.offset_days)
        for row in self.rows(session, first, last):
            day = row.due_on + timedelta(days=self.offset_days)
            due_at = local_moment(day, rules.deadline_at, rules.tz)
            if not now - rules.lookback < due_at <= now or due_at < row.created_at:
                continue
            stale_at = (
                local_moment(day + timedelta(days=1), datetime.min.time(), rules.tz)
                if self.same_day_only
                else None
            )
            yield DueItem(
                key=f"{self.name}:{row.ref_id}:{row.due_on.isoformat()}",
                kind=self.name,
                ref_id=row.ref_id,
                due_at=due_at,
                stale_at=stale_at,
                data={"due_on": row.due_on.isoformat()},
            )

    def fire(
        self,
        session: Session,
        item: DueItem,
        now: datetime,
        rules: SchedulerRules,
        prepared: Any,
    ) -> Fired:
        return self.send(session, item, now, rules)


# --- Tasks ------------------------------------------------------------------------------------


def open_task_rows(session: Session, first: date, last: date) -> Iterable[DeadlineRow]:
    rows = session.exec(
        select(col(Task.id), col(Task.due_on), col(Task.created_at))
        .where(Task.status == TaskStatus.OPEN)
        .where(col(Task.due_on) >= first)
        .where(col(Task.due_on) <= last)
    )
    return [
        DeadlineRow(task_id, due_on, created_at)
        for task_id, due_on, created_at in rows
        if task_id is not None
    ]


def _open_task(session: Session, item: DueItem) -> Task | None:
    """The task, locked, if it is still open with the same due day as the key says."""
    task = session.exec(select(Task).where(Task.id == item.ref_id).with_for_update()).first()
    if task is None or task.status != TaskStatus.OPEN:
        return None
    if task.due_on.isoformat() != item.data["due_on"]:
        return None
    return task


def _remind_owner(template: str) -> Sender:
    def send(session: Session, item: DueItem, now: datetime, rules: SchedulerRules) -> Fired:
        task = _open_task(session, item)
        if task is None:
            return Fired.skipped("not_open")
        result = outbox.enqueue(
            session,
            kind=TASK_REMINDER_KIND,
            ref_id=task.id,
            member_ids=[task.owner_member_id],
            payload=outbox.message(
                template.format(title=task.title, due=format_vn_date(task.due_on)),
                options=[(TASK_DONE(task.id or 0), meeting_texts.SCHED_TASK_DONE_BUTTON)],
            ),
            dedupe_key=item.key,
            now=now,
        )
        return Fired.sent(result.created)

    return send


def _remind_secretary(
    session: Session, item: DueItem, now: datetime, rules: SchedulerRules
) -> Fired:
    task = _open_task(session, item)
    if task is None:
        return Fired.skipped("not_open")
    leaders = cell_leaders(session, task.cell_id)
    if not leaders:
        return Fired.skipped("no_secretary")
    owner = session.get(Member, task.owner_member_id)
    result = outbox.enqueue(
        session,
        kind=TASK_REMINDER_KIND,
        ref_id=task.id,
        member_ids=leaders,
        payload=outbox.message(
            meeting_texts.SCHED_TASK_OVERDUE.format(
                title=task.title,
                owner=owner.full_name if owner else "",
                due=format_vn_date(task.due_on),
            )
        ),
        dedupe_key=item.key,
        now=now,
    )
    return Fired.sent(result.created)


def task_deadlines() -> list[Deadline]:
    """The owner the day before and on the day; the secretary the day after, if still open."""
    return [
        Deadline(
            "task_due_tomorrow",
            offset_days=-1,
            rows=open_task_rows,
            send=_remind_owner(meeting_texts.SCHED_TASK_TOMORROW),
            same_day_only=True,
        ),
        Deadline(
            "task_due_today",
            offset_days=0,
            rows=open_task_rows,
            send=_remind_owner(meeting_texts.SCHED_TASK_TODAY),
            same_day_only=True,
        ),
        Deadline(
            "task_overdue",
            offset_days=1,
            rows=open_task_rows,
            send=_remind_secretary,
            same_day_only=False,
        ),
    ]


def jobs() -> list[Job]:
    """The tasks' deadline reminders, for the app's wiring list."""
    return list(task_deadlines())
