"""The supervision's facts for the quality assessment (Quy định 366-QĐ/TW), offered through
`services.offers.ASSESSMENT_FACTS` (`offers.py`): each member's tasks due within
the days, as the task table counts them (a closure's outcome first, else the task itself), so
the assessment's "tasks" criterion and the table never disagree. Closures record "exceeded"
(vượt), so the assessment can check 366-QĐ/TW's "30 % exceeded" for the top band."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, tzinfo

from sqlmodel import Session, col, select

from models import Task, TaskStatus
from services.offers import AssessmentFact
from services.supervision.rules import Status
from services.supervision.table import closures_of, task_status

ASSESSMENT_LABEL = "Thực hiện nhiệm vụ được giao"


def task_facts(
    session: Session, member_ids: list[int], first_day: date, last_day: date, tz: tzinfo
) -> dict[int, AssessmentFact]:
    """Per owner: tasks due within the days (cancelled aside) done on time (exceeded among
    them), done late, not done or overdue on `last_day`; tasks not yet due are not counted."""
    tasks = session.exec(
        select(Task)
        .where(col(Task.owner_member_id).in_(member_ids))
        .where(col(Task.due_on) >= first_day, col(Task.due_on) <= last_day)
        .where(Task.status != TaskStatus.CANCELLED)
    ).all()
    closures = closures_of(session, [t.id for t in tasks if t.id is not None])
    facts: dict[int, AssessmentFact] = defaultdict(
        lambda: {"on_time": 0, "late": 0, "not_done": 0, "exceeded": 0, "exceeded_known": 1}
    )
    for task in tasks:
        status = task_status(task, closures.get(task.id or 0), last_day, tz)
        fact = facts[task.owner_member_id]
        if status in (Status.DONE, Status.EXCEEDED):
            fact["on_time"] += 1
            fact["exceeded"] += int(status is Status.EXCEEDED)
        elif status is Status.DONE_LATE:
            fact["late"] += 1
        elif status.is_failing:
            fact["not_done"] += 1
    return dict(facts)
