"""The automatic directive reminder: once, 24 hours after sending, to those who have not
acknowledged ("Đã nhận").

It is one more reminder round, counted like the sender's manual ones (`Directive.reminders`,
`last_reminded_at`), so the sender's "remind again" button keeps its minimum interval. If the
sender reminded by hand within `directive_quiet_after_manual`, the automatic round is skipped:
members are not pestered twice in a morning. It never goes stale within the lookback window: a
late reminder about an unacknowledged directive is still true.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models import Directive
from scheduler.claims import DueItem, Fired, Job
from scheduler.rules import SchedulerRules, span_label

# The member's copy is built exactly as the sender's manual reminder builds it (same text, same
# "Đã nhận" button); services.directives.rules keeps that builder module-private, so it is reused
# here
# rather than copied.
from services.directives.rules import send_reminder_round, unacknowledged


class DirectiveReminderJob(Job):
    name = "directives"

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        after = rules.directive_remind_after
        if after is None:
            return
        label = span_label(after)
        rows = session.exec(
            select(Directive.id, Directive.created_at)
            .where(col(Directive.created_at) <= now - after)
            .where(col(Directive.created_at) > now - rules.lookback - after)
        )
        for directive_id, created_at in rows:
            yield DueItem(
                key=f"directive:{directive_id}:remind_{label}",
                kind=f"directive_remind_{label}",
                ref_id=directive_id,
                due_at=created_at + after,
            )

    def fire(
        self,
        session: Session,
        item: DueItem,
        now: datetime,
        rules: SchedulerRules,
        prepared: Any,
    ) -> Fired:
        # The same lock as the sender's manual reminder: the two rounds cannot interleave.
        directive = session.exec(
            select(Directive).where(Directive.id == item.ref_id).with_for_update()
        ).first()
        if directive is None:
            return Fired.skipped("gone")
        assert directive.id is not None
        waiting = unacknowledged(session, directive.id)
        if not waiting:
            return Fired.skipped("all_acknowledged")
        last = directive.last_reminded_at
        if last is not None and now - last < rules.directive_quiet_after_manual:
            return Fired.skipped("reminded_recently")
        result = send_reminder_round(
            session, directive, waiting, now=now, tz=rules.tz, dedupe_key=item.key
        )
        return Fired.sent(result.created)


def jobs() -> list[Job]:
    """Reminders of directives not yet acknowledged, for the app's wiring list."""
    return [DirectiveReminderJob()]
