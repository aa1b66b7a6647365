"""Escalation of overdue tasks (issue 14), extending the meetings' reminders (the owner the
day before and on the day, the secretary the day after): the cell's secretary
`secretary_after_days` (3) after the deadline, the committee above the cell
`committee_after_days` (7) after. Each step once per task (`task_escalations`, unique), through
the outbox; none once the task is done or closed.

The scheduler (`scheduler/supervision.py`) finds the due steps with `due_rows` and fires each
with `escalate`, in its claim's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlmodel import Session, col, select

from models import Member, Task, TaskClosure, TaskEscalation, TaskStatus, Unit
from services import outbox
from services.supervision import access
from services.supervision import texts as sv_texts
from services.supervision.reports import progress_label
from services.supervision.rules import ESCALATION_KIND, Step
from services.supervision.table import last_reports
from services.vndate import format_vn_date


@dataclass(frozen=True)
class EscalationRow:
    task_id: int
    due_on: date
    created_at: datetime


def due_rows(session: Session, step: Step, first: date, last: date) -> list[EscalationRow]:
    """Open, unclosed tasks due within [first, last] that this step has not reached yet."""
    sent = select(TaskEscalation.task_id).where(TaskEscalation.step == step.value)
    closed = select(TaskClosure.task_id)
    rows = session.exec(
        select(col(Task.id), col(Task.due_on), col(Task.created_at))
        .where(Task.status == TaskStatus.OPEN)
        .where(col(Task.due_on) >= first)
        .where(col(Task.due_on) <= last)
        .where(col(Task.id).not_in(sent))
        .where(col(Task.id).not_in(closed))
        .order_by(col(Task.id))
    ).all()
    return [EscalationRow(t, d, c) for t, d, c in rows if t is not None]


def escalate(
    session: Session,
    step: Step,
    task_id: int,
    due_on: str,
    days: int,
    *,
    key: str,
    now: datetime,
    tz: tzinfo,
) -> int | None:
    """Send the step for the task if it still applies: the outbox rows created, or None when
    skipped (done, closed, moved deadline, already sent, nobody to tell)."""
    task = session.exec(select(Task).where(Task.id == task_id).with_for_update()).first()
    if task is None or task.status != TaskStatus.OPEN or task.due_on.isoformat() != due_on:
        return None
    if session.exec(select(TaskClosure.id).where(TaskClosure.task_id == task_id)).first():
        return None
    already = session.exec(
        select(TaskEscalation.id)
        .where(TaskEscalation.task_id == task_id)
        .where(TaskEscalation.step == step.value)
    ).first()
    if already is not None:
        return None
    cell = session.get(Unit, task.cell_id)
    if cell is None:
        return None
    if step is Step.SECRETARY:
        recipients = access.cell_leaders(session, task.cell_id)
        template = sv_texts.ESCALATE_SECRETARY
    else:
        recipients = access.committee_above(session, cell)
        template = sv_texts.ESCALATE_COMMITTEE
    if not recipients:
        return None
    owner = session.get(Member, task.owner_member_id)
    report = last_reports(session, [task_id]).get(task_id)
    last = (
        sv_texts.ESCALATE_LAST.format(
            progress=progress_label(report),
            date=format_vn_date(report.reported_at.astimezone(tz).date()),
        )
        if report is not None
        else sv_texts.ESCALATE_NO_REPORT
    )
    text = template.format(
        days=days,
        title=task.title,
        owner=owner.full_name if owner else "",
        due=format_vn_date(task.due_on),
        last=last,
        cell=cell.name,
    )
    result = outbox.enqueue(
        session,
        kind=ESCALATION_KIND,
        ref_id=task_id,
        member_ids=recipients,
        payload=outbox.message(text),
        dedupe_key=key,
        now=now,
    )
    session.add(TaskEscalation(task_id=task_id, step=step.value, due_on=task.due_on, sent_at=now))
    session.flush()
    return result.created
