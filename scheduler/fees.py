"""Unpaid party fees, told privately to the cell's collector and secretary once a month.

On the first day of each month at `SchedulerRules.deadline_at` (local), each cell that charges
fees gets one item, ``fee_arrears:2026-12:cell:7``: its notes (`services.fees.book`) name the
members with at least `FeeRules.flag_months` unpaid months in the last `window_months` and the
months themselves, and say when Điều lệ Đảng, Article 8 applies. Nothing is sent when nobody
is flagged. The notes also stand beside the absence flags in `/hop_quanly` whenever it is
opened; this job is the nudge. Stale after a week: next month's round says it all again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models import FeeProfile, Member
from scheduler.claims import DueItem, Fired, Job
from scheduler.common import local_moment
from scheduler.rules import SchedulerRules
from services import outbox
from services.fees import texts as fee_texts
from services.fees.access import fee_leaders
from services.fees.book import cell_arrears_notes
from services.fees.ledger import current_month
from services.fees.rules import DEFAULT_FEE_RULES, FeeRules

ARREARS_KIND = "fee_arrears"  # outbox kind


def _fee_rules(rules: SchedulerRules) -> FeeRules:
    return dataclasses.replace(DEFAULT_FEE_RULES, tz=rules.tz)


class FeeArrearsJob(Job):
    name = "fee_arrears"
    group = "reminders"

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        month = current_month(now, _fee_rules(rules))
        due_at = local_moment(month, rules.deadline_at, rules.tz)
        if now < due_at:
            return
        cells = session.exec(
            select(Member.cell_id)
            .join(FeeProfile, col(FeeProfile.member_id) == col(Member.id))
            .where(col(FeeProfile.valid_from) < month)
            .distinct()
        )
        for cell_id in sorted(cells):
            yield DueItem(
                key=f"fee_arrears:{month:%Y-%m}:cell:{cell_id}",
                kind=ARREARS_KIND,
                ref_id=cell_id,
                due_at=due_at,
                stale_at=due_at + timedelta(days=7),
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
        notes = cell_arrears_notes(session, item.ref_id, now, _fee_rules(rules))
        if not notes:
            return Fired.skipped("nobody_flagged")
        leaders = fee_leaders(session, item.ref_id)
        if not leaders:
            return Fired.skipped("no_collector")
        result = outbox.enqueue(
            session,
            kind=ARREARS_KIND,
            ref_id=item.ref_id,
            member_ids=leaders,
            payload=outbox.message("\n".join([fee_texts.ARREARS_HEAD, *notes])),
            dedupe_key=item.key,
            now=now,
        )
        return Fired.sent(result.created)


def jobs() -> list[Job]:
    """The monthly private note on unpaid fees, for the app's wiring list."""
    return [FeeArrearsJob()]
