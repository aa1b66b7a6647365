"""The committee's side: approve a cell's submitted period (it locks), reopen a submitted or
locked one (always with a reason, audited: the only way a locked result changes), and the
distribution of bands per cell of its subtree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import AssessmentDecision, AssessmentPeriod, Member, MemberStatus, Unit
from services import audit, outbox
from services.assessment import access
from services.assessment import texts as assessment_texts
from services.assessment.decisions import DECIDED_KIND, check_reason, period_label
from services.assessment.rules import LOCKED, OPEN, SUBMITTED, AssessmentRules, Period
from services.auth import Actor, Permission, authorize
from services.errors import UserError
from services.org import is_cell, subtree_units


def approve(
    session: Session, actor: Actor, cell_id: int, period: Period, *, now: datetime
) -> AssessmentPeriod:
    """The committee above approves what the cell submitted: the period locks."""
    cell = access.overseen_cell(session, actor, cell_id)
    record = access.period_row(session, cell_id, period)
    label = period_label(period)
    if record is None or record.status == OPEN:
        raise UserError(assessment_texts.NOT_SUBMITTED.format(period=label))
    if record.status == LOCKED:
        raise UserError(assessment_texts.PERIOD_LOCKED.format(period=label))
    record.status = LOCKED
    record.approved_at = now
    record.approved_by_member_id = actor.member_id
    record.updated_at = now
    session.add(record)
    audit.record(
        session,
        "assessment.approved",
        "assessment_period",
        record.id,
        actor_member_id=actor.member_id,
        detail={"cell_id": cell_id, "period": period.key},
        at=now,
    )
    _tell_cell(session, cell, record, assessment_texts.NOTIFY_APPROVED, period, now)
    return record


def unlock(
    session: Session,
    actor: Actor,
    cell_id: int,
    period: Period,
    reason: str,
    *,
    now: datetime,
) -> AssessmentPeriod:
    """Reopen a submitted or locked period for the cell to change: the reason is kept with the
    period and in the audit trail, with the decisions as they stood."""
    cell = access.overseen_cell(session, actor, cell_id)
    record = access.period_row(session, cell_id, period)
    if record is None or record.status == OPEN:
        raise UserError(assessment_texts.NOT_LOCKED.format(period=period_label(period)))
    reason = check_reason(reason)
    decisions = session.exec(
        select(AssessmentDecision).where(AssessmentDecision.period_id == record.id)
    ).all()
    audit.record(
        session,
        "assessment.unlocked",
        "assessment_period",
        record.id,
        actor_member_id=actor.member_id,
        detail={
            "cell_id": cell_id,
            "period": period.key,
            "was": record.status,
            "reason": reason,
            "bands": {str(d.member_id): d.band for d in decisions},
        },
        at=now,
    )
    record.status = OPEN
    record.unlocked_at = now
    record.unlocked_by_member_id = actor.member_id
    record.unlock_reason = reason
    record.updated_at = now
    session.add(record)
    text = assessment_texts.NOTIFY_UNLOCKED.replace("{reason}", reason)
    _tell_cell(session, cell, record, text, period, now)
    return record


def _tell_cell(
    session: Session,
    cell: Unit,
    record: AssessmentPeriod,
    template: str,
    period: Period,
    now: datetime,
) -> None:
    assert cell.id is not None
    outbox.enqueue(
        session,
        kind=DECIDED_KIND,
        ref_id=record.id,
        member_ids=access.cell_leaders(session, cell.id),
        payload=outbox.message(template.format(cell=cell.name, period=period_label(period))),
        dedupe_key=f"assessment_decided:{record.id}:{record.status}:{now.isoformat()}",
        now=now,
    )


@dataclass(frozen=True)
class CellBands:
    """One cell's row of the distribution: its status and the bands decided, by band."""

    cell_id: int
    name: str
    status: str | None  # None: nothing recorded yet
    members: int
    bands: Counter[str]


def distribution(
    session: Session, actor: Actor, unit_id: int, period: Period, rules: AssessmentRules
) -> tuple[Unit, list[CellBands]]:
    """Per cell of the unit's subtree: how many members in each band the cell decided (only
    counts: names stay with the cell), and where each cell stands."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UserError(assessment_texts.COMMITTEE_ONLY)
    authorize(actor, Permission.OVERSEE, unit)
    cells = [u for u in subtree_units(session, [unit_id]) if is_cell(u)]
    ids = [c.id for c in cells if c.id is not None]
    records = {
        r.cell_id: r
        for r in session.exec(
            select(AssessmentPeriod)
            .where(col(AssessmentPeriod.cell_id).in_(ids))
            .where(AssessmentPeriod.period == period.key)
        )
    }
    counts: dict[int, Counter[str]] = {cid: Counter() for cid in ids}
    record_cell = {r.id: r.cell_id for r in records.values()}
    if record_cell:
        for period_id, band, count in session.exec(
            select(AssessmentDecision.period_id, AssessmentDecision.band, sa.func.count())
            .where(col(AssessmentDecision.period_id).in_(list(record_cell)))
            .group_by(col(AssessmentDecision.period_id), col(AssessmentDecision.band))
        ):
            counts[record_cell[period_id]][band] += int(count)
    assessed = select(Member.cell_id, sa.func.count()).where(col(Member.cell_id).in_(ids))
    if not rules.formula.assess_exempt:
        assessed = assessed.where(Member.status != MemberStatus.EXEMPT)
    sizes = dict(session.exec(assessed.group_by(col(Member.cell_id))).all())
    rows = [
        CellBands(
            cell_id=cid,
            name=cell.name,
            status=records[cid].status if cid in records else None,
            members=int(sizes.get(cid, 0)),
            bands=counts[cid],
        )
        for cell in cells
        if (cid := cell.id) is not None
    ]
    return unit, rows


def waiting(rows: list[CellBands]) -> list[CellBands]:
    return [r for r in rows if r.status == SUBMITTED]
