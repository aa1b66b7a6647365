"""A relayed question left unanswered: the cell's secretary is reminded once.

`FaqReminderJob` finds questions still open `FaqRules.remind_after` (3 days) after they were
asked, and sends the cell's leaders (`relay.cell_leaders`: its secretaries, or its deputies
when it has none) the question again with its "Trả lời" button. The key is per question,
``faq_remind:<id>``, so it is never sent twice; a question answered meanwhile is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models import FaqQuestion
from scheduler.claims import DueItem, Fired, Job
from scheduler.rules import SchedulerRules
from services import outbox
from services.faq import relay
from services.faq import texts as faq_texts
from services.faq.rules import DEFAULT_FAQ_RULES


class FaqReminderJob(Job):
    name = "faq_reminder"
    group = "reminders"

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        after = DEFAULT_FAQ_RULES.remind_after
        questions = session.exec(
            select(FaqQuestion)
            .where(FaqQuestion.status == relay.OPEN)
            .where(col(FaqQuestion.reminded_at).is_(None))
            .where(col(FaqQuestion.asked_at) <= now - after)
            .where(col(FaqQuestion.asked_at) >= now - after - rules.lookback)
            .order_by(col(FaqQuestion.id))
        ).all()
        for question in questions:
            yield DueItem(
                key=f"faq_remind:{question.id}",
                kind=relay.REMINDER_KIND,
                ref_id=question.id,
                due_at=question.asked_at + after,
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
        question = session.exec(
            select(FaqQuestion).where(FaqQuestion.id == item.ref_id).with_for_update()
        ).first()
        if question is None or question.status != relay.OPEN:
            return Fired.skipped("answered")
        leaders = [
            m for m in relay.cell_leaders(session, question.cell_id) if m != question.member_id
        ]
        if not leaders:
            return Fired.skipped("no_leader")
        days = max((now - question.asked_at).days, 1)
        text = faq_texts.REMIND_LEADER.format(
            name=relay.asker_name(session, question), days=days, question=question.text
        )
        result = outbox.enqueue(
            session,
            kind=relay.REMINDER_KIND,
            ref_id=question.id,
            member_ids=leaders,
            payload=relay.leader_notice(session, question, text),
            dedupe_key=item.key,
            now=now,
        )
        question.reminded_at = now
        session.add(question)
        return Fired.sent(result.created)


def jobs() -> list[Job]:
    """The one reminder about an unanswered question, for the app's wiring list."""
    return [FaqReminderJob()]
