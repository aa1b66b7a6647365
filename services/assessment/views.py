"""The assessment as text: a member's result and breakdown, the cell's list, the committee's
distribution. Queries and checks are done by the callers' services; these only word them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from models import AssessmentAdjustment, AssessmentDecision, Member, MemberStatus
from services.assessment import access
from services.assessment import texts as assessment_texts
from services.assessment.decisions import CellAssessment, build_view, period_label
from services.assessment.locking import CellBands
from services.assessment.rules import BANDS, LOCKED, AssessmentRules, Period
from services.assessment.suggest import Suggestion
from services.auth import Actor
from services.offers import AssessmentCriterion


def number(value: float) -> str:
    """28.8 → "28,8"; 30.0 → "30" (Vietnamese decimal comma)."""
    return f"{round(value, 1):g}".replace(".", ",")


def band_name(band: str | None) -> str:
    return assessment_texts.BAND_NAMES.get(str(band), "—")


def breakdown(suggestion: Suggestion, adjustments: Sequence[AssessmentAdjustment] = ()) -> str:
    """The lines, the score and the notes: why the suggestion is what it is."""
    lines = []
    for line in suggestion.lines:
        if not line.offered:
            lines.append(assessment_texts.LINE_NOT_OFFERED.format(label=line.label))
        elif line.points is None:
            lines.append(
                assessment_texts.LINE_NOT_MEASURED.format(label=line.label, detail=line.detail)
            )
        else:
            lines.append(
                assessment_texts.LINE.format(
                    label=line.label,
                    detail=line.detail,
                    points=number(line.points),
                    weight=line.weight,
                )
            )
    for row in adjustments:
        sign = "+" if row.points > 0 else "−"
        lines.append(
            assessment_texts.ADJUST_ITEM.format(
                sign=sign, points=abs(row.points), reason=row.reason
            )
        )
    if suggestion.score is None or suggestion.base is None:
        lines.append(assessment_texts.SCORE_NONE)
    else:
        adjust = ""
        if suggestion.adjustment:
            sign = "+" if suggestion.adjustment > 0 else "−"
            adjust = assessment_texts.SCORE_ADJUST.format(
                sign=sign, points=abs(suggestion.adjustment)
            )
        lines.append(
            assessment_texts.SCORE_LINE.format(
                base=suggestion.base,
                adjust=adjust,
                score=suggestion.score,
                band=band_name(suggestion.band),
            )
        )
    lines.extend(suggestion.notes)
    return "\n".join(lines)


def _vote(decision: AssessmentDecision) -> str:
    if decision.votes_for is None or decision.votes_cast is None:
        return ""
    return assessment_texts.MINE_VOTE.format(
        votes_for=decision.votes_for, votes_cast=decision.votes_cast
    )


def decision_lines(view: CellAssessment, member_id: int) -> list[str]:
    decision = view.decisions.get(member_id)
    if decision is None:
        return [assessment_texts.MINE_SUGGESTION_ONLY]
    template = (
        assessment_texts.MINE_FINAL if view.status == LOCKED else assessment_texts.MINE_DECIDED
    )
    lines = [template.format(band=band_name(decision.band), vote=_vote(decision))]
    if decision.note:
        lines.append(assessment_texts.MINE_NOTE.format(note=decision.note))
    if view.status != LOCKED:
        lines.append(assessment_texts.MINE_SUGGESTION_ONLY)
    return lines


def member_text(view: CellAssessment, member: Member) -> str:
    """One member's page: the head, where the period stands, the breakdown, the decision."""
    assert member.id is not None
    head = assessment_texts.MEMBER_HEAD.format(
        name=member.full_name, period=period_label(view.period)
    )
    status = assessment_texts.MINE_STATUS.format(
        status=assessment_texts.STATUS_NAMES.get(view.status, view.status)
    )
    body = breakdown(view.suggestions[member.id], view.adjustments.get(member.id, []))
    return "\n".join([head, status, body, *decision_lines(view, member.id)])


def my_result(
    session: Session,
    actor: Actor,
    period: Period,
    offered: Sequence[AssessmentCriterion],
    today: date,
    rules: AssessmentRules,
) -> tuple[str, bool]:
    """The member's own result and breakdown (anyone linked may read their own), and whether
    the cell's locked list may be shown to them (`announce_within_cell`)."""
    member = session.get(Member, actor.member_id)
    assert member is not None
    head = assessment_texts.MINE_HEAD.format(period=period_label(period), name=member.full_name)
    if member.status == MemberStatus.EXEMPT and not rules.formula.assess_exempt:
        return f"{head}\n{assessment_texts.MINE_EXEMPT}", False
    cell = access.load_cell(session, member.cell_id)
    view = build_view(session, cell, period, offered, today, rules, member_ids=[actor.member_id])
    status = assessment_texts.MINE_STATUS.format(
        status=assessment_texts.STATUS_NAMES.get(view.status, view.status)
    )
    body = breakdown(view.suggestions[actor.member_id], view.adjustments.get(actor.member_id, []))
    text = "\n".join([head, status, body, *decision_lines(view, actor.member_id)])
    announced = rules.formula.announce_within_cell and view.status == LOCKED
    return text, announced


def announced_list(
    session: Session, actor: Actor, period: Period, today: date, rules: AssessmentRules
) -> str:
    """The cell's locked bands, for its members, where the committee announces them."""
    cell = access.load_cell(session, actor.cell_id)
    view = build_view(session, cell, period, (), today, rules, member_ids=[])
    if not rules.formula.announce_within_cell or view.status != LOCKED:
        return assessment_texts.CELL_RESULTS_NOT_LOCKED
    members, _exempt = access.members_of(session, actor.cell_id, rules.formula)
    lines = [assessment_texts.CELL_RESULTS_HEAD.format(period=period_label(period), cell=cell.name)]
    for n, member in enumerate(members, start=1):
        decision = view.decisions.get(member.id or 0)
        lines.append(
            assessment_texts.CELL_RESULTS_LINE.format(
                n=n,
                name=member.full_name,
                band=band_name(decision.band if decision else None),
            )
        )
    return "\n".join(lines)


def cell_text(view: CellAssessment) -> str:
    """The secretary's list: each member's suggested score and band, and the cell's band."""
    lines = [
        assessment_texts.CELL_HEAD.format(
            cell=view.cell.name,
            period=period_label(view.period),
            status=assessment_texts.STATUS_NAMES.get(view.status, view.status),
            decided=sum(1 for m in view.members if m.id in view.decisions),
            total=len(view.members),
        )
    ]
    for n, member in enumerate(view.members, start=1):
        assert member.id is not None
        suggestion = view.suggestions[member.id]
        decision = view.decisions.get(member.id)
        decided = (
            assessment_texts.CELL_DECIDED_MARK.format(
                band=assessment_texts.BAND_SHORT.get(decision.band, decision.band)
            )
            if decision
            else ""
        )
        if suggestion.score is None:
            lines.append(
                assessment_texts.CELL_MEMBER_NO_SCORE.format(
                    n=n, name=member.full_name, decided=decided
                )
            )
        else:
            lines.append(
                assessment_texts.CELL_MEMBER.format(
                    n=n,
                    name=member.full_name,
                    score=suggestion.score,
                    band=assessment_texts.BAND_SHORT.get(str(suggestion.band), "—"),
                    decided=decided,
                )
            )
    if view.exempt:
        names = ", ".join(m.full_name for m in view.exempt)
        lines.append(assessment_texts.CELL_EXEMPT.format(names=names))
    return "\n".join(lines)


def counts_text(bands: Counter[str], members: int) -> str:
    return assessment_texts.DIST_COUNTS.format(
        members=members, **{band.value: bands.get(band.value, 0) for band in BANDS}
    )


def distribution_text(unit_name: str, period: Period, rows: Sequence[CellBands]) -> str:
    lines = [assessment_texts.DIST_HEAD.format(period=period_label(period), unit=unit_name)]
    total: Counter[str] = Counter()
    members = 0
    for row in rows:
        if row.status is None:
            lines.append(assessment_texts.DIST_NONE.format(cell=row.name))
            continue
        total.update(row.bands)
        members += row.members
        lines.append(
            assessment_texts.DIST_LINE.format(
                cell=row.name,
                counts=counts_text(row.bands, row.members),
                status=assessment_texts.STATUS_NAMES.get(row.status, row.status),
            )
        )
    lines.append(assessment_texts.DIST_TOTAL.format(counts=counts_text(total, members)))
    return "\n".join(lines)
