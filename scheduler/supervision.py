"""Supervision's scheduled work: the escalation of overdue tasks, and the reminder of an
overdue item of the yearly programme.

`EscalationJob`: one per configured step (`SupervisionRules.steps()`: the secretary 3 days,
the committee above 7 days after the deadline), at `SchedulerRules.deadline_at` local time on
that day, for tasks still open and not closed. They extend the meetings' deadline reminders
(the owner the day before and on the day, the secretary the day after), which are unchanged.
The key is per task and step, and `task_escalations` records the step, so each goes once.

`ProgrammeReminderJob`: an item of the programme still without a conclusion once its month is
over: its cell's leaders, once (key per item), on the first day of the next month.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from scheduler.claims import DueItem, Fired, Job
from scheduler.common import local_moment
from scheduler.rules import SchedulerRules
from services.supervision import escalation, programme
from services.supervision.rules import (
    DEFAULT_RULES,
    ESCALATION_KIND,
    PROGRAMME_KIND,
    Step,
    SupervisionRules,
)


class EscalationJob(Job):
    group = "reminders"

    def __init__(self, step: Step, after_days: int) -> None:
        self.step = step
        self.after_days = after_days
        self.name = f"task_escalate_{step.value}"

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        today = now.astimezone(rules.tz).date()
        last = today - timedelta(days=self.after_days)
        first = last - timedelta(days=rules.lookback.days + 1)
        for row in escalation.due_rows(session, self.step, first, last):
            day = row.due_on + timedelta(days=self.after_days)
            due_at = local_moment(day, rules.deadline_at, rules.tz)
            if not now - rules.lookback < due_at <= now or due_at < row.created_at:
                continue
            yield DueItem(
                key=f"{self.name}:{row.task_id}",
                kind=ESCALATION_KIND,
                ref_id=row.task_id,
                due_at=due_at,
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
        assert item.ref_id is not None
        created = escalation.escalate(
            session,
            self.step,
            item.ref_id,
            str(item.data["due_on"]),
            self.after_days,
            key=item.key,
            now=now,
            tz=rules.tz,
        )
        if created is None:
            return Fired.skipped("not_due")
        return Fired.sent(created)


class ProgrammeReminderJob(Job):
    name = "supervision_programme_overdue"
    group = "reminders"

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        since = now - rules.lookback
        for found in programme.overdue_items(session, now, rules.deadline_at, rules.tz, since):
            yield DueItem(
                key=f"{self.name}:{found.item_id}",
                kind=PROGRAMME_KIND,
                ref_id=found.item_id,
                due_at=found.due_at,
            )

    def fire(
        self,
        session: Session,
        item: DueItem,
        now: datetime,
        rules: SchedulerRules,
        prepared: Any,
    ) -> Fired:
        assert item.ref_id is not None
        created = programme.remind_overdue(session, item.ref_id, key=item.key, now=now)
        if created is None:
            return Fired.skipped("concluded")
        return Fired.sent(created)


def jobs(rules: SupervisionRules = DEFAULT_RULES) -> list[Job]:
    """The escalation steps and the programme's reminder, for the app's wiring list."""
    found: list[Job] = [EscalationJob(step, days) for step, days in rules.steps()]
    found.append(ProgrammeReminderJob())
    return found
