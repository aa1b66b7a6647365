"""Reminders to pledge (bản đăng ký làm theo) before the deadline.

For each round (`StudyRules.pledge_reminders_before`: 30 and 7 days before 31 March by
default, at `remind_at` local time) each cell gets one item,
``study_pledge:2027:30d:cell:7``; firing it sends the cell's members who have no pledge of the
year yet (exempt members are not asked) one message each, keyed by the item, so a member gets
at most one reminder per round however often the job ticks. Stale from the deadline's end:
nothing is sent after it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from models import Member
from scheduler.claims import DueItem, Fired, Job
from scheduler.common import local_moment
from scheduler.rules import SchedulerRules
from services import outbox
from services.study import pledges
from services.study import texts as study_texts
from services.study.rules import DEFAULT_STUDY_RULES, StudyRules
from services.vndate import format_vn_date


def _study_rules(rules: SchedulerRules) -> StudyRules:
    return dataclasses.replace(DEFAULT_STUDY_RULES, tz=rules.tz)


class PledgeReminderJob(Job):
    name = "study_pledge_reminder"
    group = "reminders"

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        study = _study_rules(rules)
        year = study.year(now)
        deadline = study.deadline(year)
        ends = local_moment(deadline + timedelta(days=1), time(0, 0), rules.tz)
        if now >= ends:
            return
        cells: list[int] | None = None
        for days in study.pledge_reminders_before:
            due_at = local_moment(deadline - timedelta(days=days), study.remind_at, rules.tz)
            if not (due_at <= now and now - due_at <= rules.lookback):
                continue
            if cells is None:
                cells = sorted(set(session.exec(select(Member.cell_id).distinct())))
            for cell_id in cells:
                yield DueItem(
                    key=f"study_pledge:{year}:{days}d:cell:{cell_id}",
                    kind=pledges.REMINDER_KIND,
                    ref_id=cell_id,
                    due_at=due_at,
                    stale_at=ends,
                    data={"year": year},
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
        study = _study_rules(rules)
        year = int(item.data["year"])
        waiting = pledges.members_without_pledge(session, item.ref_id, year)
        if not waiting:
            return Fired.skipped("all_pledged")
        text = study_texts.REMIND_PLEDGE.format(
            year=year,
            date=format_vn_date(study.deadline(year)),
            limit=study.commitments_max,
        )
        result = outbox.enqueue(
            session,
            kind=pledges.REMINDER_KIND,
            ref_id=item.ref_id,
            member_ids=waiting,
            payload=outbox.message(text),
            dedupe_key=item.key,
            now=now,
        )
        return Fired.sent(result.created)


def jobs() -> list[Job]:
    """The reminders to pledge, for the app's wiring list."""
    return [PledgeReminderJob()]
