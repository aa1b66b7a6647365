"""The suggestion: a 100-point score and a band per member from the facts the other features
offer (`services.offers.ASSESSMENT_FACTS`), with the breakdown that explains it.

Only a suggestion (366-QĐ/TW: the cell decides). A criterion of the formula that no feature
offers is skipped and said so; one with nothing to measure for a member is left out for that
member; the rest is scaled to 100, so a missing feature neither sinks nor lifts anyone. The
band then follows 366-QĐ/TW's conditions on tasks (all on time and 30 % exceeded for "xuất
sắc"; at most 20 % late for "hoàn thành" and above).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from sqlmodel import Session

from services.assessment import texts as assessment_texts
from services.assessment.criteria import Line, not_offered, score, task_counts
from services.assessment.rules import Band, Formula, Period
from services.offers import AssessmentCriterion, AssessmentFact
from services.vndate import format_vn_date

# Members per query: far below SQLite's bound on variables, large enough to keep queries few.
CHUNK = 2000


@dataclass(frozen=True)
class Suggestion:
    """A member's suggested score (None: no criterion measured) and band, with its lines."""

    member_id: int
    lines: tuple[Line, ...]
    base: int | None
    adjustment: int
    score: int | None
    band: Band | None
    notes: tuple[str, ...]


def facts_until(period: Period, today: date) -> date:
    """The last day facts are counted for: the period's end, or today while it runs."""
    return min(period.last_day, today)


def _custom_plans(session: Session) -> None:
    """PostgreSQL plans each chunk's query afresh, for this transaction. The criteria run the
    same statement (an IN list of `CHUNK` ids) once a chunk; from the sixth time psycopg
    prepares it and the server may switch to a generic plan that ignores the ids and scans the
    whole roll: measured at 10× the seed, 2.4 s a chunk instead of 0.06 (bench_assessment)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


def collect(
    session: Session,
    offered: Sequence[AssessmentCriterion],
    member_ids: Sequence[int],
    period: Period,
    today: date,
    formula: Formula,
    tz: tzinfo,
) -> dict[str, dict[int, AssessmentFact]]:
    """criterion key → member → facts, for the formula's criteria that are offered."""
    wanted = {c.key for c in formula.criteria}
    _custom_plans(session)
    last = facts_until(period, today)
    found: dict[str, dict[int, AssessmentFact]] = {}
    ids = list(member_ids)
    for criterion in offered:
        if criterion.key not in wanted or criterion.key in found:
            continue
        facts: dict[int, AssessmentFact] = {}
        for start in range(0, len(ids), CHUNK):
            facts.update(
                criterion.collect(session, ids[start : start + CHUNK], period.first_day, last, tz)
            )
        found[criterion.key] = facts
    return found


def build(
    member_id: int,
    formula: Formula,
    offered: Sequence[AssessmentCriterion],
    facts: dict[str, dict[int, AssessmentFact]],
    adjustment: int,
    in_progress_until: date | None,
) -> Suggestion:
    """One member's suggestion from the collected facts (no database: the core of the rule)."""
    labels = {c.key: c.label for c in offered}
    lines: list[Line] = []
    for criterion in formula.criteria:
        if criterion.key not in facts:
            lines.append(not_offered(criterion))
            continue
        fact = facts[criterion.key].get(member_id)
        lines.append(score(criterion, labels.get(criterion.key, criterion.key), fact))
    notes: list[str] = []
    if in_progress_until is not None:
        notes.append(
            assessment_texts.NOTE_IN_PROGRESS.format(date=format_vn_date(in_progress_until))
        )
    measured = [line for line in lines if line.points is not None]
    weight = sum(line.weight for line in measured)
    if not measured or weight <= 0:
        notes.append(assessment_texts.NOTE_NO_DATA)
        return Suggestion(member_id, tuple(lines), None, adjustment, None, None, tuple(notes))
    earned = sum(line.points or 0.0 for line in measured)
    base = math.floor(earned * 100 / weight + 0.5)
    if weight < 100:
        notes.append(assessment_texts.NOTE_SCALED.format(measured=weight))
    total = max(0, min(100, base + adjustment))
    band = formula.band_of(total)
    band, why = _conditions(band, facts.get("tasks", {}).get(member_id), formula)
    notes.extend(why)
    return Suggestion(member_id, tuple(lines), base, adjustment, total, band, tuple(notes))


def _conditions(
    band: Band, tasks: AssessmentFact | None, formula: Formula
) -> tuple[Band, list[str]]:
    """366-QĐ/TW's conditions on tasks; each band includes those of the bands below it."""
    if tasks is None:
        return band, []
    total, _on_time, late, not_done = task_counts(tasks)
    if total <= 0:
        return band, []
    notes: list[str] = []
    if band is not Band.NOT_DONE and (late + not_done) / total > formula.max_late_share:
        share = round(formula.max_late_share * 100)
        return Band.NOT_DONE, [assessment_texts.NOTE_CAP_LATE.format(share=share)]
    if band is Band.EXCELLENT:
        if late or not_done:
            return Band.GOOD, [assessment_texts.NOTE_CAP_NOT_ON_TIME]
        if not tasks.get("exceeded_known", 0):
            notes.append(assessment_texts.NOTE_EXCEEDED_UNKNOWN)
        elif tasks.get("exceeded", 0) / total < formula.excellent_min_exceeded:
            share = round(formula.excellent_min_exceeded * 100)
            return Band.GOOD, [assessment_texts.NOTE_CAP_EXCEEDED.format(share=share)]
    return band, notes


def suggest(
    session: Session,
    offered: Sequence[AssessmentCriterion],
    member_ids: Sequence[int],
    period: Period,
    today: date,
    formula: Formula,
    tz: tzinfo,
    adjustments: dict[int, int] | None = None,
) -> dict[int, Suggestion]:
    """The suggestions of `member_ids` for `period`, facts counted up to `today`."""
    facts = collect(session, offered, member_ids, period, today, formula, tz)
    until = today if today < period.last_day else None
    adjustments = adjustments or {}
    return {m: build(m, formula, offered, facts, adjustments.get(m, 0), until) for m in member_ids}
