"""The task table (`/giamsat`): each resolution's tasks with owner, deadline, status and last
report; the committee's ranking of its cells by overdue tasks.

A task's status is derived, never stored: from its closure (the secretary's word is final),
else from `Task.status`/`done_at` against the deadline, else from the day (Hướng dẫn 08-HD/TW:
the cell follows each resolution's tasks to the end).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import Meeting, Member, Task, TaskClosure, TaskReport, TaskStatus, Unit
from services.auth import Actor
from services.supervision import access
from services.supervision.rules import DEFAULT_RULES, Outcome, Status, SupervisionRules

# Ids bound in one `IN (...)` (see `closures_of`).
IDS_PER_STATEMENT = 10_000

_OUTCOME_STATUS = {
    Outcome.DONE.value: Status.DONE,
    Outcome.DONE_LATE.value: Status.DONE_LATE,
    Outcome.NOT_DONE.value: Status.NOT_DONE,
    Outcome.EXCEEDED.value: Status.EXCEEDED,
}


def task_status(
    task: Task,
    closure: TaskClosure | None,
    today: date,
    tz: tzinfo,
    rules: SupervisionRules = DEFAULT_RULES,
) -> Status:
    """Where the task stands on `today` (a local day)."""
    if closure is not None:
        return _OUTCOME_STATUS.get(closure.outcome, Status.DONE)
    if task.status == TaskStatus.DONE:
        finished = task.done_at.astimezone(tz).date() if task.done_at else today
        return Status.DONE if finished <= task.due_on else Status.DONE_LATE
    if today > task.due_on:
        return Status.OVERDUE
    if (task.due_on - today).days <= rules.due_soon_days:
        return Status.DUE_SOON
    return Status.ON_TIME


@dataclass(frozen=True)
class Row:
    """One task of the table, with what the table shows about it."""

    task: Task
    owner: str
    status: Status
    last_report: TaskReport | None
    closure: TaskClosure | None


@dataclass(frozen=True)
class Group:
    """The tasks one meeting assigned (`meeting` None: tasks assigned outside a meeting)."""

    meeting: Meeting | None
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Counts:
    """A set of tasks by outcome: what the summary, the agenda line and the score use."""

    total: int = 0
    on_time: int = 0  # done in time, or exceeded
    late: int = 0  # done late
    failing: int = 0  # overdue, or closed as not done
    open: int = 0

    @property
    def done(self) -> int:
        return self.on_time + self.late


def count(statuses: Iterable[Status]) -> Counts:
    total = on_time = late = failing = open_ = 0
    for status in statuses:
        total += 1
        if status in (Status.DONE, Status.EXCEEDED):
            on_time += 1
        elif status is Status.DONE_LATE:
            late += 1
        if status.is_failing:
            failing += 1
        if status.is_open:
            open_ += 1
    return Counts(total, on_time, late, failing, open_)


def closures_of(session: Session, task_ids: Sequence[int]) -> dict[int, TaskClosure]:
    """The closures of these tasks, a bounded number of ids per statement: the drivers take
    at most 65,535 bound values (psycopg) or 32,766 (SQLite), and the top committee's open
    overdue tasks at 100× the pilot were 120,000 (docs/scale.md)."""
    found: dict[int, TaskClosure] = {}
    for start in range(0, len(task_ids), IDS_PER_STATEMENT):
        chunk = task_ids[start : start + IDS_PER_STATEMENT]
        rows = session.exec(select(TaskClosure).where(col(TaskClosure.task_id).in_(chunk)))
        found.update((c.task_id, c) for c in rows)
    return found


def last_reports(session: Session, task_ids: Sequence[int]) -> dict[int, TaskReport]:
    """Each task's newest report."""
    if not task_ids:
        return {}
    newest = (
        select(sa.func.max(TaskReport.id))
        .where(col(TaskReport.task_id).in_(task_ids))
        .group_by(col(TaskReport.task_id))
    )
    rows = session.exec(select(TaskReport).where(col(TaskReport.id).in_(newest)))
    return {r.task_id: r for r in rows}


def _cell_tasks(session: Session, cell_id: int, today: date, rules: SupervisionRules) -> list[Task]:
    since = today - timedelta(days=rules.table_window_days)
    return list(
        session.exec(
            select(Task)
            .where(Task.cell_id == cell_id)
            .where(Task.status != TaskStatus.CANCELLED)
            .where(sa.or_(col(Task.status) == TaskStatus.OPEN, col(Task.due_on) >= since))
            .order_by(col(Task.due_on), col(Task.id))
        )
    )


def rows_for(
    session: Session, tasks: Sequence[Task], today: date, rules: SupervisionRules
) -> list[Row]:
    ids = [t.id for t in tasks if t.id is not None]
    closures = closures_of(session, ids)
    reports = last_reports(session, ids)
    owners = {
        m.id: m.full_name
        for m in session.exec(
            select(Member).where(col(Member.id).in_({t.owner_member_id for t in tasks}))
        )
    }
    return [
        Row(
            task=t,
            owner=owners.get(t.owner_member_id, ""),
            status=task_status(t, closures.get(t.id or 0), today, rules.tz, rules),
            last_report=reports.get(t.id or 0),
            closure=closures.get(t.id or 0),
        )
        for t in tasks
    ]


@dataclass(frozen=True)
class Table:
    cell: Unit
    groups: tuple[Group, ...]
    counts: Counts


def cell_table(
    session: Session,
    actor: Actor,
    cell_id: int,
    now: datetime,
    *,
    overdue_only: bool = False,
    rules: SupervisionRules = DEFAULT_RULES,
) -> Table:
    """The cell's tasks grouped by the meeting that assigned them (newest meeting first), for
    its secretary or a committee above it. `counts` is over every task shown unfiltered."""
    cell = access.viewable_cell(session, actor, cell_id)
    today = now.astimezone(rules.tz).date()
    rows = rows_for(session, _cell_tasks(session, cell_id, today, rules), today, rules)
    counts = count(r.status for r in rows)
    if overdue_only:
        rows = [r for r in rows if r.status is Status.OVERDUE]
    meeting_ids = {r.task.meeting_id for r in rows if r.task.meeting_id is not None}
    meetings: dict[Any, Meeting] = {
        m.id: m for m in session.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids)))
    }
    by_meeting: dict[int | None, list[Row]] = {}
    for row in rows:
        key = row.task.meeting_id if row.task.meeting_id in meetings else None
        by_meeting.setdefault(key, []).append(row)
    order = sorted(
        (k for k in by_meeting if k is not None),
        key=lambda k: meetings[k].starts_at,
        reverse=True,
    )
    groups = [Group(meetings[k], tuple(by_meeting[k])) for k in order]
    if None in by_meeting:
        groups.append(Group(None, tuple(by_meeting[None])))
    return Table(cell, tuple(groups), counts)


@dataclass(frozen=True)
class CellRank:
    cell: Unit
    overdue: int
    open: int


def ranking(
    session: Session, actor: Actor, now: datetime, rules: SupervisionRules = DEFAULT_RULES
) -> list[CellRank]:
    """The cells of the committee's subtree, most overdue tasks first (then by name)."""
    cells = access.supervised_cells(session, actor)
    if not cells:
        return []
    today = now.astimezone(rules.tz).date()
    ids = [c.id for c in cells if c.id is not None]
    open_tasks = session.exec(
        select(col(Task.id), col(Task.cell_id), col(Task.due_on))
        .where(col(Task.cell_id).in_(ids))
        .where(Task.status == TaskStatus.OPEN)
    ).all()
    closed = set(closures_of(session, [t for t, _c, _d in open_tasks if t is not None]))
    overdue: dict[int, int] = {}
    opened: dict[int, int] = {}
    for task_id, cell_id, due_on in open_tasks:
        if task_id in closed:
            continue
        opened[cell_id] = opened.get(cell_id, 0) + 1
        if due_on < today:
            overdue[cell_id] = overdue.get(cell_id, 0) + 1
    ranks = [CellRank(c, overdue.get(c.id or 0, 0), opened.get(c.id or 0, 0)) for c in cells]
    ranks.sort(key=lambda r: (-r.overdue, -r.open, r.cell.name))
    return ranks


def open_for_closing(
    session: Session, actor: Actor, cell_id: int, now: datetime, rules: SupervisionRules
) -> list[Row]:
    """The cell's tasks the secretary may still close: not closed yet (open or marked done)."""
    access.managed_cell(session, actor, cell_id)
    today = now.astimezone(rules.tz).date()
    rows = rows_for(session, _cell_tasks(session, cell_id, today, rules), today, rules)
    return [r for r in rows if r.closure is None]
