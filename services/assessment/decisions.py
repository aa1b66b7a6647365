"""The cell's side: its list for a period (suggestion, points added or removed, the band
decided), the secretary's adjustments and decisions, and the submission to the committee.

Every write checks, before it writes anything: the actor runs the cell, the member belongs to
it and is assessed, the period is open (not submitted, not locked), and the input is sound.
A refusal is a `UserError` in Vietnamese and nothing is written.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from models import AssessmentAdjustment, AssessmentDecision, AssessmentPeriod, Member, Unit
from services import audit, outbox
from services.assessment import access
from services.assessment import texts as assessment_texts
from services.assessment.criteria import Line
from services.assessment.rules import (
    LOCKED,
    OPEN,
    SUBMITTED,
    AssessmentRules,
    Band,
    Period,
)
from services.assessment.suggest import Suggestion, suggest
from services.auth import Actor
from services.errors import UserError
from services.offers import AssessmentCriterion
from services.textnorm import nfc

REASON_MIN = 5
TEXT_MAX = 500
SUBMITTED_KIND = "assessment_submitted"  # outbox kinds
DECIDED_KIND = "assessment_decided"


def period_label(period: Period) -> str:
    if period.quarter is None:
        return assessment_texts.PERIOD_YEAR.format(year=period.year)
    roman = ("I", "II", "III", "IV")[period.quarter - 1]
    return assessment_texts.PERIOD_QUARTER.format(roman=roman, year=period.year)


@dataclass(frozen=True)
class CellAssessment:
    """A cell's period as its secretary and the committees above see it."""

    cell: Unit
    period: Period
    record: AssessmentPeriod | None
    members: list[Member]
    exempt: list[Member]
    suggestions: dict[int, Suggestion]
    adjustments: dict[int, list[AssessmentAdjustment]]
    decisions: dict[int, AssessmentDecision]

    @property
    def status(self) -> str:
        return self.record.status if self.record is not None else OPEN


def snapshot(suggestion: Suggestion) -> dict[str, Any]:
    """The suggestion as stored with a decision (what a locked period shows for ever)."""
    return {
        "lines": [line.as_json() for line in suggestion.lines],
        "base": suggestion.base,
        "adjustment": suggestion.adjustment,
        "notes": list(suggestion.notes),
    }


def from_snapshot(decision: AssessmentDecision) -> Suggestion:
    raw = decision.breakdown or {}
    lines = tuple(Line.from_json(x) for x in raw.get("lines", []) if isinstance(x, dict))
    band = Band(decision.suggested_band) if decision.suggested_band in set(Band) else None
    base = raw.get("base")
    adjustment = raw.get("adjustment")
    return Suggestion(
        member_id=decision.member_id,
        lines=lines,
        base=base if isinstance(base, int) else None,
        adjustment=adjustment if isinstance(adjustment, int) else 0,
        score=decision.suggested_score,
        band=band,
        notes=tuple(str(n) for n in raw.get("notes", [])),
    )


def _adjustments(
    session: Session, record: AssessmentPeriod | None
) -> dict[int, list[AssessmentAdjustment]]:
    found: dict[int, list[AssessmentAdjustment]] = defaultdict(list)
    if record is None:
        return found
    for row in session.exec(
        select(AssessmentAdjustment)
        .where(AssessmentAdjustment.period_id == record.id)
        .order_by(col(AssessmentAdjustment.id))
    ):
        found[row.member_id].append(row)
    return found


def _decisions(session: Session, record: AssessmentPeriod | None) -> dict[int, AssessmentDecision]:
    if record is None:
        return {}
    rows = session.exec(select(AssessmentDecision).where(AssessmentDecision.period_id == record.id))
    return {row.member_id: row for row in rows}


def build_view(
    session: Session,
    cell: Unit,
    period: Period,
    offered: Sequence[AssessmentCriterion],
    today: date,
    rules: AssessmentRules,
    member_ids: Sequence[int] | None = None,
) -> CellAssessment:
    """The cell's period (no authorization: callers check it). Once submitted or locked, a
    decided member reads as it was decided; otherwise the suggestion is live."""
    assert cell.id is not None
    record = access.period_row(session, cell.id, period)
    members, exempt = access.members_of(session, cell.id, rules.formula)
    if member_ids is not None:
        wanted = set(member_ids)
        members = [m for m in members if m.id in wanted]
    adjustments = _adjustments(session, record)
    decisions = _decisions(session, record)
    frozen = record is not None and record.status != OPEN
    live_ids = [m.id for m in members if m.id is not None and not (frozen and m.id in decisions)]
    sums = {mid: sum(a.points for a in rows) for mid, rows in adjustments.items()}
    suggestions = suggest(session, offered, live_ids, period, today, rules.formula, rules.tz, sums)
    for member_id, decision in decisions.items():
        if frozen and member_id not in suggestions:
            suggestions[member_id] = from_snapshot(decision)
    return CellAssessment(
        cell, period, record, members, exempt, suggestions, adjustments, decisions
    )


def cell_view(
    session: Session,
    actor: Actor,
    cell_id: int,
    period: Period,
    offered: Sequence[AssessmentCriterion],
    today: date,
    rules: AssessmentRules,
) -> CellAssessment:
    """The whole list, for those who see every member's result (`access.readable_cell`)."""
    cell = access.readable_cell(session, actor, cell_id)
    return build_view(session, cell, period, offered, today, rules)


def _open_record(session: Session, cell_id: int, period: Period, now: datetime) -> AssessmentPeriod:
    """The period's row, created on the first write; refused unless open."""
    record = access.period_row(session, cell_id, period)
    if record is None:
        record = AssessmentPeriod(
            cell_id=cell_id, period=period.key, created_at=now, updated_at=now
        )
        session.add(record)
        session.flush()
        return record
    ensure_open(record, period)
    return record


def ensure_open(record: AssessmentPeriod | None, period: Period) -> None:
    if record is None or record.status == OPEN:
        return
    label = period_label(period)
    if record.status == LOCKED:
        raise UserError(assessment_texts.PERIOD_LOCKED.format(period=label))
    raise UserError(assessment_texts.PERIOD_SUBMITTED.format(period=label))


def check_points(text: str) -> int:
    """ "+5", "-3", "5": a whole number of points, not zero."""
    cleaned = text.strip().replace(" ", "").replace("−", "-")
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-")
    if not digits.isdigit() or len(digits) > 3 or cleaned[1:].startswith(("+", "-")):
        raise UserError(assessment_texts.BAD_POINTS)
    points = sign * int(digits)
    if points == 0:
        raise UserError(assessment_texts.BAD_POINTS)
    return points


def check_reason(text: str) -> str:
    reason = " ".join(nfc(text).split())
    if not REASON_MIN <= len(reason) <= TEXT_MAX:
        raise UserError(assessment_texts.BAD_REASON.format(min=REASON_MIN, max=TEXT_MAX))
    return reason


def check_adjustment(
    session: Session,
    actor: Actor,
    cell_id: int,
    period: Period,
    member_id: int,
    points: int,
    rules: AssessmentRules,
) -> Member:
    """Everything `adjust` checks before the reason is asked, so a refusal comes first."""
    access.managed_cell(session, actor, cell_id)
    member = access.assessed_member(session, cell_id, member_id, rules.formula)
    record = access.period_row(session, cell_id, period)
    ensure_open(record, period)
    current = sum(a.points for a in _adjustments(session, record).get(member_id, []))
    limit = rules.formula.adjustment_limit
    if abs(current + points) > limit:
        raise UserError(assessment_texts.ADJUST_LIMIT.format(limit=limit, current=f"{current:+d}"))
    return member


def adjust(
    session: Session,
    actor: Actor,
    cell_id: int,
    period: Period,
    member_id: int,
    points: int,
    reason: str,
    *,
    now: datetime,
    rules: AssessmentRules,
) -> AssessmentAdjustment:
    """Add (or remove) points for one member, with the reason; audited."""
    check_adjustment(session, actor, cell_id, period, member_id, points, rules)
    reason = check_reason(reason)
    record = _open_record(session, cell_id, period, now)
    assert record.id is not None
    row = AssessmentAdjustment(
        period_id=record.id,
        member_id=member_id,
        points=points,
        reason=reason,
        created_at=now,
        created_by_member_id=actor.member_id,
    )
    session.add(row)
    record.updated_at = now
    session.flush()
    audit.record(
        session,
        "assessment.adjusted",
        "assessment_period",
        record.id,
        actor_member_id=actor.member_id,
        detail={"member_id": member_id, "points": points, "reason": reason},
        at=now,
    )
    return row


def check_vote(text: str) -> tuple[int, int]:
    """ "9 10" (for, cast): both whole, for ≤ cast, cast > 0."""
    from services.textnorm import fold_words

    parts = fold_words(text).replace("/", " ").replace(",", " ").split()
    numbers = [p for p in parts if p.isdigit()]
    if len(numbers) != 2 or len(parts) > 4 or any(len(n) > 4 for n in numbers):
        raise UserError(assessment_texts.BAD_VOTE)
    votes_for, cast = int(numbers[0]), int(numbers[1])
    if cast <= 0 or votes_for > cast:
        raise UserError(assessment_texts.BAD_VOTE)
    return votes_for, cast


def decide(
    session: Session,
    actor: Actor,
    cell_id: int,
    period: Period,
    member_id: int,
    band: Band,
    *,
    votes: tuple[int, int] | None,
    note: str | None,
    offered: Sequence[AssessmentCriterion],
    today: date,
    now: datetime,
    rules: AssessmentRules,
) -> AssessmentDecision:
    """Record the band the cell decided for one member (again: the latest replaces it), with
    the suggestion as it stands; a band other than the suggestion needs a note."""
    cell = access.managed_cell(session, actor, cell_id)
    member = access.assessed_member(session, cell_id, member_id, rules.formula)
    ensure_open(access.period_row(session, cell_id, period), period)
    view = build_view(session, cell, period, offered, today, rules, member_ids=[member_id])
    suggestion = view.suggestions[member_id]
    cleaned = " ".join(nfc(note or "").split()) or None
    if cleaned is not None and len(cleaned) > TEXT_MAX:
        raise UserError(assessment_texts.BAD_NOTE.format(max=TEXT_MAX))
    if band is not suggestion.band and cleaned is None:
        suggested = assessment_texts.BAND_NAMES.get(str(suggestion.band), "—")
        raise UserError(assessment_texts.NOTE_REQUIRED.format(band=suggested))
    if votes is not None:
        votes_for, cast = votes
        if cast <= 0 or not 0 <= votes_for <= cast:
            raise UserError(assessment_texts.BAD_VOTE)
    record = _open_record(session, cell_id, period, now)
    assert record.id is not None
    row = view.decisions.get(member_id) or AssessmentDecision(
        period_id=record.id, member_id=member_id, band=band
    )
    row.band = band
    row.votes_for, row.votes_cast = votes if votes is not None else (None, None)
    row.note = cleaned
    row.suggested_score = suggestion.score
    row.suggested_band = suggestion.band.value if suggestion.band is not None else None
    row.breakdown = snapshot(suggestion)
    row.decided_at = now
    row.decided_by_member_id = actor.member_id
    session.add(row)
    record.updated_at = now
    session.flush()
    audit.record(
        session,
        "assessment.decided",
        "assessment_period",
        record.id,
        actor_member_id=actor.member_id,
        detail={
            "member_id": member.id,
            "band": band.value,
            "suggested": row.suggested_band,
            "votes": list(votes) if votes else None,
        },
        at=now,
    )
    return row


def allowed_excellent(good: int, share: float) -> int:
    return math.floor(good * share + 1e-9)


def submit(
    session: Session,
    actor: Actor,
    cell_id: int,
    period: Period,
    *,
    now: datetime,
    rules: AssessmentRules,
) -> AssessmentPeriod:
    """Send the cell's decisions to the committee above: every assessed member decided and
    the "xuất sắc" quota kept; then nothing changes until the committee approves or reopens."""
    cell = access.managed_cell(session, actor, cell_id)
    record = access.period_row(session, cell_id, period)
    ensure_open(record, period)
    members, _exempt = access.members_of(session, cell_id, rules.formula)
    decisions = _decisions(session, record)
    missing = [m.full_name for m in members if m.id not in decisions]
    if missing:
        raise UserError(
            assessment_texts.NOT_ALL_DECIDED.format(count=len(missing), names=", ".join(missing))
        )
    assessed = {m.id for m in members}
    bands = [d.band for mid, d in decisions.items() if mid in assessed]
    excellent, good = bands.count(Band.EXCELLENT), bands.count(Band.GOOD)
    share = rules.formula.excellent_per_good
    allowed = allowed_excellent(good, share)
    if excellent > allowed:
        raise UserError(
            assessment_texts.QUOTA_EXCEEDED.format(
                excellent=excellent, share=round(share * 100), good=good, allowed=allowed
            )
        )
    assert record is not None  # members all decided: the row exists
    record.status = SUBMITTED
    record.submitted_at = now
    record.submitted_by_member_id = actor.member_id
    record.updated_at = now
    session.add(record)
    audit.record(
        session,
        "assessment.submitted",
        "assessment_period",
        record.id,
        actor_member_id=actor.member_id,
        detail={"cell_id": cell_id, "period": period.key},
        at=now,
    )
    outbox.enqueue(
        session,
        kind=SUBMITTED_KIND,
        ref_id=record.id,
        member_ids=[m for m in access.committees_above(session, cell) if m != actor.member_id],
        payload=outbox.message(
            assessment_texts.NOTIFY_SUBMITTED.format(cell=cell.name, period=period_label(period))
        ),
        dedupe_key=f"assessment_submitted:{record.id}:{now.isoformat()}",
        now=now,
    )
    return record
