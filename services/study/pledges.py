"""The yearly pledge (bản đăng ký làm theo, Chỉ thị 05-CT/TW; Kết luận 01-KL/TW): 1 to 5
concrete commitments, one sentence each, editable until the cell's secretary approves it;
at mid-year and year-end each member rates each commitment (done / partly / not done) with a
line of evidence, and the secretary confirms the review.

Every refusal happens before anything is written. What an assessment reads later, per member
and year: the pledge's `status` ("approved") and its reviews' `confirmed_at` (docs/study.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import Member, MemberStatus, StudyPledge, StudyPledgeReview
from services import audit, outbox, texts
from services.auth import Actor
from services.errors import Forbidden, UserError
from services.study import access
from services.study import texts as study_texts
from services.study.rules import (
    APPROVED,
    DEFAULT_STUDY_RULES,
    END,
    MID,
    RATINGS,
    RETURNED,
    SUBMITTED,
    StudyRules,
)
from services.textnorm import nfc

DECISION_KIND = "study_pledge_decision"  # outbox kinds
REMINDER_KIND = "study_pledge_reminder"


def clean_commitment(text: str, rules: StudyRules = DEFAULT_STUDY_RULES) -> str:
    """One commitment: one sentence, `commitment_min_chars` to `commitment_max_chars`."""
    value = " ".join(nfc(text).split())
    if len(value) < rules.commitment_min_chars:
        raise UserError(study_texts.COMMITMENT_TOO_SHORT.format(limit=rules.commitment_min_chars))
    if len(value) > rules.commitment_max_chars:
        raise UserError(
            study_texts.COMMITMENT_TOO_LONG.format(
                length=len(value), limit=rules.commitment_max_chars
            )
        )
    return value


def check_count(count: int, rules: StudyRules = DEFAULT_STUDY_RULES) -> None:
    if count < 1:
        raise UserError(study_texts.COMMITMENTS_NONE)
    if count > rules.commitments_max:
        raise UserError(study_texts.COMMITMENTS_TOO_MANY.format(limit=rules.commitments_max))


def my_pledge(session: Session, actor: Actor, year: int) -> StudyPledge | None:
    return session.exec(
        select(StudyPledge)
        .where(StudyPledge.member_id == actor.member_id)
        .where(StudyPledge.year == year)
    ).first()


def submit_pledge(
    session: Session,
    actor: Actor,
    commitments: Sequence[str],
    *,
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> StudyPledge:
    """Write (or rewrite) the member's pledge of this year for the secretary to approve.
    Refused with nothing written: none or more than `commitments_max`, one too short or
    long, or the pledge already approved (it is final)."""
    check_count(len(commitments), rules)
    cleaned = [clean_commitment(c, rules) for c in commitments]
    year = rules.year(now)
    pledge = session.exec(
        select(StudyPledge)
        .where(StudyPledge.member_id == actor.member_id)
        .where(StudyPledge.year == year)
        .with_for_update()
    ).first()
    if pledge is not None and pledge.status == APPROVED:
        raise UserError(study_texts.PLEDGE_LOCKED)
    if pledge is None:
        pledge = StudyPledge(
            member_id=actor.member_id, cell_id=actor.cell_id, year=year, submitted_at=now
        )
    pledge.cell_id = actor.cell_id
    pledge.commitments = cleaned
    pledge.status = SUBMITTED
    pledge.return_note = None
    pledge.submitted_at = now
    pledge.updated_at = now
    session.add(pledge)
    session.flush()
    audit.record(
        session,
        "study.pledge_submitted",
        "study_pledge",
        pledge.id,
        actor_member_id=actor.member_id,
        detail={"year": year, "count": len(cleaned)},
        at=now,
    )
    return pledge


def _load_pledge(session: Session, pledge_id: int, *, lock: bool = False) -> StudyPledge:
    query = select(StudyPledge).where(StudyPledge.id == pledge_id)
    pledge = session.exec(query.with_for_update() if lock else query).first()
    if pledge is None:
        raise UserError(texts.STALE_BUTTON)
    return pledge


def waiting_pledges(session: Session, actor: Actor, cell_id: int, year: int) -> list[StudyPledge]:
    """The cell's pledges waiting for the secretary's decision, oldest first."""
    access.require_manage_cell(session, actor, cell_id)
    return list(
        session.exec(
            select(StudyPledge)
            .where(StudyPledge.cell_id == cell_id)
            .where(StudyPledge.year == year)
            .where(StudyPledge.status == SUBMITTED)
            .order_by(col(StudyPledge.submitted_at), col(StudyPledge.id))
        )
    )


def pledge_to_decide(session: Session, actor: Actor, pledge_id: int) -> StudyPledge:
    """A pledge the actor may approve or return now: their cell's, still waiting."""
    pledge = _load_pledge(session, pledge_id)
    access.require_manage_cell(session, actor, pledge.cell_id)
    if pledge.status != SUBMITTED:
        raise UserError(study_texts.PLEDGE_DECIDED)
    return pledge


def _decide(
    session: Session, actor: Actor, pledge_id: int, status: str, note: str | None, now: datetime
) -> StudyPledge:
    pledge = _load_pledge(session, pledge_id, lock=True)
    access.require_manage_cell(session, actor, pledge.cell_id)
    if pledge.status != SUBMITTED:
        raise UserError(study_texts.PLEDGE_DECIDED)
    pledge.status = status
    pledge.return_note = note
    pledge.decided_at = now
    pledge.decided_by_member_id = actor.member_id
    pledge.updated_at = now
    session.add(pledge)
    assert pledge.id is not None
    text = (
        study_texts.PLEDGE_APPROVED_NOTICE.format(year=pledge.year)
        if status == APPROVED
        else study_texts.PLEDGE_RETURNED_NOTICE.format(year=pledge.year, note=note or "")
    )
    outbox.enqueue(
        session,
        kind=DECISION_KIND,
        ref_id=pledge.id,
        member_ids=[pledge.member_id],
        payload=outbox.message(text),
        dedupe_key=f"study_pledge:{pledge.id}:{status}:{now:%Y%m%d%H%M%S}",
        now=now,
    )
    audit.record(
        session,
        f"study.pledge_{status}",
        "study_pledge",
        pledge.id,
        actor_member_id=actor.member_id,
        at=now,
    )
    return pledge


def approve_pledge(session: Session, actor: Actor, pledge_id: int, *, now: datetime) -> StudyPledge:
    return _decide(session, actor, pledge_id, APPROVED, None, now)


def return_pledge(
    session: Session,
    actor: Actor,
    pledge_id: int,
    note: str,
    *,
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> StudyPledge:
    """Sent back with a note: the member edits it and sends it again."""
    value = " ".join(nfc(note).split())
    if len(value) < 3:
        raise UserError(study_texts.NOTE_TOO_SHORT)
    if len(value) > rules.note_max_chars:
        raise UserError(study_texts.TOO_LONG.format(length=len(value), limit=rules.note_max_chars))
    return _decide(session, actor, pledge_id, RETURNED, value, now)


# -- reviews ------------------------------------------------------------------------------


def review_of(session: Session, pledge: StudyPledge, period: str) -> StudyPledgeReview | None:
    return session.exec(
        select(StudyPledgeReview)
        .where(StudyPledgeReview.pledge_id == pledge.id)
        .where(StudyPledgeReview.period == period)
    ).first()


def clean_evidence(text: str, rules: StudyRules = DEFAULT_STUDY_RULES) -> str:
    value = " ".join(nfc(text).split())
    if len(value) < 3:
        raise UserError(study_texts.EVIDENCE_TOO_SHORT)
    if len(value) > rules.evidence_max_chars:
        raise UserError(
            study_texts.TOO_LONG.format(length=len(value), limit=rules.evidence_max_chars)
        )
    return value


def reviewable_pledge(
    session: Session, actor: Actor, *, now: datetime, rules: StudyRules = DEFAULT_STUDY_RULES
) -> tuple[StudyPledge, str]:
    """The member's approved pledge of this year and the review period open now; refused
    when there is no approved pledge, no period is open, or that review is confirmed."""
    period = rules.review_period(now)
    if period is None:
        raise UserError(study_texts.REVIEW_NOT_OPEN)
    pledge = my_pledge(session, actor, rules.year(now))
    if pledge is None or pledge.status != APPROVED:
        raise UserError(study_texts.REVIEW_NEEDS_APPROVED)
    review = review_of(session, pledge, period)
    if review is not None and review.confirmed_at is not None:
        raise UserError(study_texts.REVIEW_CONFIRMED_ALREADY)
    return pledge, period


def submit_review(
    session: Session,
    actor: Actor,
    ratings: Sequence[tuple[str, str]],
    *,
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> StudyPledgeReview:
    """Write the member's self-review of the open period: one (rating, evidence) per
    commitment. Resubmitting before the secretary confirms replaces it."""
    pledge, period = reviewable_pledge(session, actor, now=now, rules=rules)
    if len(ratings) != len(pledge.commitments):
        raise UserError(study_texts.REVIEW_INCOMPLETE)
    rows: list[dict[str, Any]] = []
    for rating, evidence in ratings:
        if rating not in RATINGS:
            raise UserError(texts.STALE_BUTTON)
        rows.append({"rating": rating, "evidence": clean_evidence(evidence, rules)})
    review = review_of(session, pledge, period)
    if review is None:
        assert pledge.id is not None
        review = StudyPledgeReview(pledge_id=pledge.id, period=period)
    review.ratings = rows
    review.submitted_at = now
    session.add(review)
    session.flush()
    audit.record(
        session,
        "study.review_submitted",
        "study_pledge_review",
        review.id,
        actor_member_id=actor.member_id,
        detail={"period": period, "year": pledge.year},
        at=now,
    )
    return review


def waiting_reviews(
    session: Session, actor: Actor, cell_id: int, year: int
) -> list[tuple[StudyPledgeReview, StudyPledge]]:
    """The cell's reviews of `year` waiting for the secretary's confirmation."""
    access.require_manage_cell(session, actor, cell_id)
    rows = session.exec(
        select(StudyPledgeReview, StudyPledge)
        .join(StudyPledge, col(StudyPledge.id) == col(StudyPledgeReview.pledge_id))
        .where(StudyPledge.cell_id == cell_id)
        .where(StudyPledge.year == year)
        .where(col(StudyPledgeReview.confirmed_at).is_(None))
        .order_by(col(StudyPledgeReview.submitted_at), col(StudyPledgeReview.id))
    )
    return [(review, pledge) for review, pledge in rows]


def review_to_confirm(
    session: Session, actor: Actor, review_id: int
) -> tuple[StudyPledgeReview, StudyPledge]:
    review = session.get(StudyPledgeReview, review_id)
    if review is None:
        raise UserError(texts.STALE_BUTTON)
    pledge = _load_pledge(session, review.pledge_id)
    access.require_manage_cell(session, actor, pledge.cell_id)
    if review.confirmed_at is not None:
        raise UserError(study_texts.REVIEW_CONFIRMED_ALREADY)
    return review, pledge


def confirm_review(
    session: Session, actor: Actor, review_id: int, *, now: datetime
) -> StudyPledgeReview:
    review, pledge = review_to_confirm(session, actor, review_id)
    locked = session.exec(
        select(StudyPledgeReview).where(StudyPledgeReview.id == review_id).with_for_update()
    ).one()
    if locked.confirmed_at is not None:
        raise UserError(study_texts.REVIEW_CONFIRMED_ALREADY)
    locked.confirmed_at = now
    locked.confirmed_by_member_id = actor.member_id
    session.add(locked)
    audit.record(
        session,
        "study.review_confirmed",
        "study_pledge_review",
        review_id,
        actor_member_id=actor.member_id,
        detail={"member": pledge.member_id, "period": review.period, "year": pledge.year},
        at=now,
    )
    return locked


def member_name(session: Session, member_id: int) -> str:
    member = session.get(Member, member_id)
    return member.full_name if member is not None else ""


# -- progress -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A cell's members asked to pledge, and how many pledged (sent), were approved,
    reviewed (a review of the period submitted) and confirmed."""

    members: int = 0
    pledged: int = 0
    approved: int = 0
    reviewed: int = 0
    confirmed: int = 0


def progress(session: Session, cell_ids: Any, year: int, period: str | None) -> dict[int, Progress]:
    """Per cell of `cell_ids` (a list, or a query of cell ids: the committees' statistics
    pass one for a whole tree): its counted members (all but the exempt,
    `access.counted_members`) and their pledges of `year` and reviews of `period`, counted by
    the database in one grouped query; no list of members goes back to it (at ten times the
    pilot a list of 70,000 ids is over PostgreSQL's 65,535 parameters)."""
    if isinstance(cell_ids, (list, tuple, set, frozenset)):
        wanted: Any = sorted({int(c) for c in cell_ids})
        if not wanted:
            return {}
    else:
        wanted = cell_ids
    reviewed = (
        select(col(StudyPledgeReview.pledge_id), col(StudyPledgeReview.confirmed_at))
        .where(col(StudyPledgeReview.period) == (period or ""))
        .subquery()
    )
    approved = sa.case((col(StudyPledge.status) == APPROVED, 1), else_=0)
    confirmed = sa.case((reviewed.c.confirmed_at.is_not(None), 1), else_=0)
    rows = session.execute(
        sa.select(
            col(Member.cell_id),
            sa.func.count(col(Member.id)),
            sa.func.count(col(StudyPledge.id)),
            sa.func.coalesce(sa.func.sum(approved), 0),
            sa.func.count(reviewed.c.pledge_id),
            sa.func.coalesce(sa.func.sum(confirmed), 0),
        )
        .select_from(Member)
        .outerjoin(
            StudyPledge,
            sa.and_(col(StudyPledge.member_id) == Member.id, col(StudyPledge.year) == year),
        )
        .outerjoin(reviewed, reviewed.c.pledge_id == StudyPledge.id)
        .where(col(Member.cell_id).in_(wanted))
        .where(col(Member.status) != MemberStatus.EXEMPT.value)
        .group_by(col(Member.cell_id))
    ).all()
    found = {
        int(cell): Progress(int(m), int(p), int(a), int(r), int(c)) for cell, m, p, a, r, c in rows
    }
    if isinstance(wanted, list):
        for cell in wanted:
            found.setdefault(cell, Progress())
    return found


def members_without_pledge(session: Session, cell_id: int, year: int) -> list[int]:
    """The cell's counted members with no pledge of `year` at all (for the reminders)."""
    members = [m.id for m in access.counted_members(session, [cell_id]) if m.id is not None]
    if not members:
        return []
    pledged = set(
        session.exec(
            select(StudyPledge.member_id)
            .where(col(StudyPledge.member_id).in_(members))
            .where(StudyPledge.year == year)
        )
    )
    return [m for m in members if m not in pledged]


def pledged_figure(
    session: Session,
    cells_q: Any,
    now: datetime,
    tz: tzinfo,
    *,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> dict[int, tuple[int, int]]:
    """`services.offers.CELL_FIGURES`: per cell, members who pledged this year of members
    asked to; cells without counted members are left out."""
    year = now.astimezone(tz).year
    return {
        cell_id: (p.pledged, p.members)
        for cell_id, p in progress(session, cells_q, year, None).items()
        if p.members
    }


def require_own(actor: Actor, pledge: StudyPledge) -> None:
    """Someone else's pledge is refused."""
    if pledge.member_id != actor.member_id:
        raise Forbidden(study_texts.NOT_YOURS)


PERIOD_LABELS = {MID: study_texts.PERIOD_MID, END: study_texts.PERIOD_END}
