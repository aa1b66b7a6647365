"""What the supervision feature offers the others (`services.offers`), wired in
`bot.features`: the regular meeting's agenda line on last month's resolution, with the
suggested points of the meeting score; the statistics' "Nhiệm vụ đúng hạn" rate and the
cells' overdue tasks for the committee's attention; the "report progress" option under the
member's list (`/nhiemvu`)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from models import Meeting, MeetingKind, MeetingStatus, Task, TaskStatus
from services.auth import Actor
from services.offers import (
    AGENDA_ITEMS,
    ASSESSMENT_FACTS,
    CELL_ATTENTION,
    CELL_FIGURES,
    TODO_OPTIONS,
    AssessmentCriterion,
    CellFigure,
    Offer,
)
from services.supervision import texts as sv_texts
from services.supervision.assessment_facts import ASSESSMENT_LABEL, task_facts
from services.supervision.reports import my_open_tasks
from services.supervision.rules import (
    DEFAULT_RULES,
    Status,
    SupervisionRules,
    suggest_results_points,
)
from services.supervision.table import closures_of, count, task_status

REGULAR_KINDS = (MeetingKind.REGULAR.value, MeetingKind.COMBINED.value)


def previous_meeting(session: Session, cell_id: int, starts_at: datetime) -> Meeting | None:
    """The cell's last regular (or combined) meeting held before `starts_at`."""
    return session.exec(
        select(Meeting)
        .where(Meeting.cell_id == cell_id)
        .where(col(Meeting.kind).in_(REGULAR_KINDS))
        .where(Meeting.status != MeetingStatus.CANCELLED.value)
        .where(col(Meeting.starts_at) < starts_at)
        .order_by(col(Meeting.starts_at).desc())
        .limit(1)
    ).first()


def statuses(
    session: Session, tasks: list[Task], now: datetime, rules: SupervisionRules
) -> list[Status]:
    today = now.astimezone(rules.tz).date()
    closures = closures_of(session, [t.id for t in tasks if t.id is not None])
    return [task_status(t, closures.get(t.id or 0), today, rules.tz, rules) for t in tasks]


def results_line(
    session: Session, cell_id: int, starts_at: datetime, rules: SupervisionRules = DEFAULT_RULES
) -> list[str]:
    """ "Kết quả thực hiện nghị quyết tháng trước: x/y nhiệm vụ hoàn thành, z quá hạn (gợi ý
    n/30 điểm)", from the tasks the previous regular meeting assigned, as they stand when the
    new meeting starts; nothing when that meeting assigned none."""
    meeting = previous_meeting(session, cell_id, starts_at)
    if meeting is None:
        return []
    tasks = list(
        session.exec(
            select(Task)
            .where(Task.meeting_id == meeting.id)
            .where(Task.status != TaskStatus.CANCELLED)
        )
    )
    if not tasks:
        return []
    counts = count(statuses(session, tasks, starts_at, rules))
    points = suggest_results_points(counts.on_time, counts.late, counts.total, rules)
    return [
        sv_texts.AGENDA_RESULTS.format(
            done=counts.done,
            total=counts.total,
            overdue=counts.failing,
            points=points,
            max=rules.results_points,
        )
    ]


def on_time_figure(
    session: Session, cell_ids: Any, now: datetime, tz: tzinfo
) -> dict[int, tuple[int, int]]:
    """Per cell: tasks done on time (or exceeded) of the tasks due in the last
    `figure_window_days` days."""
    rules = DEFAULT_RULES
    today = now.astimezone(tz).date()
    tasks = list(
        session.exec(
            select(Task)
            .where(col(Task.cell_id).in_(cell_ids))
            .where(Task.status != TaskStatus.CANCELLED)
            .where(col(Task.due_on) >= today - timedelta(days=rules.figure_window_days))
            .where(col(Task.due_on) <= today)
        )
    )
    closures = closures_of(session, [t.id for t in tasks if t.id is not None])
    found: dict[int, tuple[int, int]] = {}
    for task in tasks:
        status = task_status(task, closures.get(task.id or 0), today, tz, rules)
        part, whole = found.get(task.cell_id, (0, 0))
        good = status in (Status.DONE, Status.EXCEEDED)
        found[task.cell_id] = (part + int(good), whole + 1)
    return found


def overdue_attention(session: Session, cell_ids: Any, now: datetime, tz: tzinfo) -> dict[int, str]:
    """Per cell with overdue tasks (open, unclosed, past the deadline): "n nhiệm vụ quá hạn"."""
    today = now.astimezone(tz).date()
    rows = session.exec(
        select(col(Task.id), col(Task.cell_id))
        .where(col(Task.cell_id).in_(cell_ids))
        .where(Task.status == TaskStatus.OPEN)
        .where(col(Task.due_on) < today)
    ).all()
    closed = closures_of(session, [t for t, _c in rows if t is not None])
    found: dict[int, int] = {}
    for task_id, cell_id in rows:
        if task_id not in closed:
            found[cell_id] = found.get(cell_id, 0) + 1
    return {cell: sv_texts.ATTENTION_OVERDUE.format(n=n) for cell, n in found.items()}


def report_option(session: Session, actor: Actor, _now: datetime) -> list[tuple[str, str]]:
    """ "📝 Báo cáo tiến độ" under `/nhiemvu`, for a member with a task to report on."""
    if not my_open_tasks(session, actor):
        return []
    return [("/baocao", sv_texts.TODO_REPORT_BUTTON)]


def offers() -> list[Offer[Any]]:
    return [
        Offer(AGENDA_ITEMS, results_line),
        Offer(CELL_FIGURES, CellFigure(sv_texts.FIGURE_ON_TIME, on_time_figure)),
        Offer(CELL_ATTENTION, overdue_attention),
        Offer(TODO_OPTIONS, report_option),
        Offer(ASSESSMENT_FACTS, AssessmentCriterion("tasks", ASSESSMENT_LABEL, task_facts)),
    ]
