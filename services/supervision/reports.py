"""Progress reports by a task's owner (issue 14): percent (0–100) or "xong", one line of at
most `note_limit` characters, an optional photo or file. Every report is kept: the history is
what the cell reviews at its next meeting.

Only the owner reports, only on a task still open and not closed by the secretary. "Xong"
also marks the task done (`Task.status`, `done_at`), exactly as its "Hoàn thành" button does,
so the member's list stops showing it; the secretary then closes it with an outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models import Task, TaskClosure, TaskReport, TaskStatus
from services.auth import Actor
from services.errors import UserError
from services.supervision import access
from services.supervision import texts as sv_texts
from services.supervision.rules import DEFAULT_RULES, SupervisionRules
from services.textnorm import fold_words, nfc

_PERCENT = re.compile(r"^(\d{1,3})( phan tram)?$")
_DONE_WORDS = frozenset({"xong", "da xong", "hoan thanh", "da hoan thanh", "done"})
FILE_KINDS = frozenset({"photo", "document"})


@dataclass(frozen=True)
class Progress:
    percent: int
    done: bool


def parse_progress(text: str) -> Progress:
    """ "50", "50%", "50 phần trăm" → 50 %; "xong", "hoàn thành", "100" → done. A refusal
    (Vietnamese) for anything else, so nothing half-understood is written."""
    words = fold_words(text or "").strip()
    if (text or "").strip().startswith("-"):
        raise UserError(sv_texts.REPORT_BAD_PROGRESS)
    if words in _DONE_WORDS:
        return Progress(100, True)
    match = _PERCENT.match(words)
    if match is None:
        raise UserError(sv_texts.REPORT_BAD_PROGRESS)
    percent = int(match.group(1))
    if percent > 100:
        raise UserError(sv_texts.REPORT_BAD_PROGRESS)
    return Progress(percent, percent == 100)


def check_note(text: str | None, *, has_file: bool, rules: SupervisionRules) -> str:
    """The report's one line: required unless a file carries the report, at most the limit."""
    note = " ".join(nfc(text or "").split())
    if not note and not has_file:
        raise UserError(sv_texts.REPORT_NOTE_EMPTY)
    if len(note) > rules.note_limit:
        raise UserError(
            sv_texts.REPORT_NOTE_TOO_LONG.format(length=len(note), limit=rules.note_limit)
        )
    return note


def my_open_tasks(session: Session, actor: Actor) -> list[Task]:
    """The actor's tasks they may still report on, soonest deadline first."""
    closed = select(TaskClosure.task_id)
    return list(
        session.exec(
            select(Task)
            .where(Task.owner_member_id == actor.member_id)
            .where(Task.status == TaskStatus.OPEN)
            .where(col(Task.id).not_in(closed))
            .order_by(col(Task.due_on), col(Task.id))
        )
    )


def reportable_task(
    session: Session, actor: Actor, task_id: int, *, for_update: bool = False
) -> Task:
    """The task, if the actor owns it and it is still open; a refusal otherwise."""
    task = access.load_task(session, task_id, for_update=for_update)
    if task.owner_member_id != actor.member_id:
        raise UserError(sv_texts.REPORT_NOT_OWNER)
    closed = session.exec(select(TaskClosure.id).where(TaskClosure.task_id == task_id)).first()
    if task.status != TaskStatus.OPEN or closed is not None:
        raise UserError(sv_texts.REPORT_TASK_CLOSED)
    return task


def record_report(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    progress: str,
    note: str | None,
    now: datetime,
    file_ref: str | None = None,
    file_kind: str | None = None,
    rules: SupervisionRules = DEFAULT_RULES,
) -> TaskReport:
    """Keep one report; every check runs before anything is written."""
    parsed = parse_progress(progress)
    if file_ref is not None and file_kind not in FILE_KINDS:
        raise UserError(sv_texts.REPORT_BAD_FILE)
    line = check_note(note, has_file=file_ref is not None, rules=rules)
    task = reportable_task(session, actor, task_id, for_update=True)
    assert task.id is not None
    report = TaskReport(
        task_id=task.id,
        member_id=actor.member_id,
        percent=parsed.percent,
        done=parsed.done,
        note=line,
        file_ref=file_ref,
        file_kind=file_kind if file_ref is not None else None,
        reported_at=now,
    )
    session.add(report)
    if parsed.done:
        task.status = TaskStatus.DONE
        task.done_at = now
        task.updated_at = now
        session.add(task)
    session.flush()
    return report


def history(session: Session, actor: Actor, task_id: int) -> list[TaskReport]:
    """A task's reports, oldest first: for its owner and for those who supervise the cell."""
    task = access.load_task(session, task_id)
    if task.owner_member_id != actor.member_id:
        access.viewable_cell(session, actor, task.cell_id)
    return list(
        session.exec(
            select(TaskReport)
            .where(TaskReport.task_id == task_id)
            .order_by(col(TaskReport.reported_at), col(TaskReport.id))
        )
    )


def progress_label(report: TaskReport) -> str:
    """ "50%" or "đã xong"."""
    if report.done:
        return sv_texts.PROGRESS_DONE
    return sv_texts.PROGRESS_PERCENT.format(percent=report.percent)
