"""The secretary closes a task with one of four outcomes (done, done late, not done,
exceeded: vượt tiến độ/chỉ tiêu), with a note; the quality assessment (Quy định 366-QĐ/TW:
"all tasks on time, at least 30 % exceeded") reads these closures.

Closing is once per task (the unique row). Done, done late and exceeded also mark the task
done (`Task.status`, keeping an earlier `done_at`), so the member's list and the meetings'
reminders stop; "not done" leaves the task's own row as it was (the meetings feature has no
such status), and supervision's table and escalation go by the closure.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from models import TaskClosure, TaskStatus
from services.auth import Actor
from services.errors import UserError
from services.supervision import access
from services.supervision import texts as sv_texts
from services.supervision.rules import DEFAULT_RULES, OUTCOME_LABELS, Outcome, SupervisionRules
from services.textnorm import nfc


def parse_outcome(value: str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        raise UserError(sv_texts.CLOSE_BAD_OUTCOME) from None


def clean_note(note: str | None, rules: SupervisionRules = DEFAULT_RULES) -> str | None:
    """The closing note: optional, one line, within the limit."""
    text = " ".join(nfc(note or "").split()) or None
    if text is not None and len(text) > rules.close_note_limit:
        raise UserError(sv_texts.CLOSE_NOTE_TOO_LONG.format(limit=rules.close_note_limit))
    return text


def close_task(
    session: Session,
    actor: Actor,
    task_id: int,
    outcome: str,
    *,
    note: str | None,
    now: datetime,
    rules: SupervisionRules = DEFAULT_RULES,
) -> TaskClosure:
    """Close the task for its cell's secretary or deputy; every check before any write."""
    chosen = parse_outcome(outcome)
    text = clean_note(note, rules)
    task = access.load_task(session, task_id, for_update=True)
    access.managed_cell(session, actor, task.cell_id)
    existing = session.exec(select(TaskClosure).where(TaskClosure.task_id == task_id)).first()
    if existing is not None:
        label = OUTCOME_LABELS.get(Outcome(existing.outcome), existing.outcome)
        raise UserError(sv_texts.CLOSE_ALREADY.format(outcome=label))
    closure = TaskClosure(
        task_id=task_id,
        outcome=chosen.value,
        note=text,
        closed_by_member_id=actor.member_id,
        closed_at=now,
    )
    session.add(closure)
    if chosen is Outcome.NOT_DONE:
        # Off every open list (the owner's /nhiemvu, reminders, overdue counts) for good.
        task.status = TaskStatus.NOT_DONE
        task.updated_at = now
        session.add(task)
    elif task.status != TaskStatus.DONE:
        task.status = TaskStatus.DONE
        task.done_at = task.done_at or now
        task.updated_at = now
        session.add(task)
    session.flush()
    return closure
