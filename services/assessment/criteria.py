"""The formula: from one criterion's counts to its points, and the words that show them.

The numbers (weights, credits) are data (`data/formula.toml`, `rules.Formula`); the shape of
each criterion's fraction is here, one small function each, so docs/assessment.md can state
them exactly. A criterion with nothing to measure for a member (no meeting held, no task
due) gives None: it is left out and the rest scaled to 100, rather than counted as zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.assessment import texts as assessment_texts
from services.assessment.rules import Criterion
from services.offers import AssessmentFact


@dataclass(frozen=True)
class Line:
    """One criterion for one member: `points` of `weight`, None when not measured; `offered`
    False when no feature offers its facts (the feature is not installed)."""

    key: str
    label: str
    weight: int
    points: float | None
    detail: str
    offered: bool = True

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "weight": self.weight,
            "points": self.points,
            "detail": self.detail,
            "offered": self.offered,
        }

    @staticmethod
    def from_json(raw: dict[str, object]) -> Line:
        points = raw.get("points")
        weight = raw.get("weight")
        return Line(
            key=str(raw.get("key", "")),
            label=str(raw.get("label", "")),
            weight=weight if isinstance(weight, int) else 0,
            points=float(points) if isinstance(points, (int, float)) else None,
            detail=str(raw.get("detail", "")),
            offered=bool(raw.get("offered", True)),
        )


def _attendance(c: Criterion, f: AssessmentFact) -> tuple[float | None, str]:
    convened = f.get("convened", 0)
    if convened <= 0:
        return None, assessment_texts.DETAIL_ATTENDANCE_NONE
    attended, excused = f.get("attended", 0), f.get("excused", 0)
    share = (attended + c.param("excused_credit") * excused) / convened
    detail = assessment_texts.DETAIL_ATTENDANCE.format(
        attended=attended, convened=convened, excused=excused, unexcused=f.get("unexcused", 0)
    )
    return share, detail


def task_counts(f: AssessmentFact) -> tuple[int, int, int, int]:
    """(total, on time, late, not done) of a tasks fact."""
    on_time, late, not_done = f.get("on_time", 0), f.get("late", 0), f.get("not_done", 0)
    return on_time + late + not_done, on_time, late, not_done


def _tasks(c: Criterion, f: AssessmentFact) -> tuple[float | None, str]:
    total, on_time, late, not_done = task_counts(f)
    if total <= 0:
        return None, assessment_texts.DETAIL_TASKS_NONE
    exceeded = (
        assessment_texts.DETAIL_TASKS_EXCEEDED.format(exceeded=f.get("exceeded", 0))
        if f.get("exceeded_known", 0)
        else ""
    )
    detail = assessment_texts.DETAIL_TASKS.format(
        total=total, on_time=on_time, late=late, not_done=not_done, exceeded=exceeded
    )
    return (on_time + c.param("late_credit") * late) / total, detail


def _fees(c: Criterion, f: AssessmentFact) -> tuple[float | None, str]:
    months = f.get("months_due", 0)
    if months <= 0:
        return None, assessment_texts.DETAIL_FEES_NONE
    on_time, late = f.get("on_time", 0), f.get("late", 0)
    detail = assessment_texts.DETAIL_FEES.format(
        months=months, on_time=on_time, late=late, unpaid=max(0, months - on_time - late)
    )
    return (on_time + c.param("late_credit") * late) / months, detail


def _pledge(c: Criterion, f: AssessmentFact) -> tuple[float | None, str]:
    approved, due, reviewed = f.get("approved", 0), f.get("review_due", 0), f.get("reviewed", 0)
    a, r = c.param("approved_share", 1.0), c.param("reviewed_share")
    whole = a + (r if due else 0)
    review = ""
    if due:
        review = (
            assessment_texts.DETAIL_PLEDGE_REVIEWED
            if reviewed
            else assessment_texts.DETAIL_PLEDGE_NOT_REVIEWED
        )
    detail = assessment_texts.DETAIL_PLEDGE.format(
        approved=assessment_texts.DETAIL_PLEDGE_APPROVED
        if approved
        else assessment_texts.DETAIL_PLEDGE_MISSING,
        review=review,
    )
    if whole <= 0:
        return None, detail
    return (a * bool(approved) + (r * bool(reviewed) if due else 0)) / whole, detail


SCORERS: dict[str, Callable[[Criterion, AssessmentFact], tuple[float | None, str]]] = {
    "attendance": _attendance,
    "tasks": _tasks,
    "fees": _fees,
    "pledge": _pledge,
}


def score(criterion: Criterion, label: str, fact: AssessmentFact | None) -> Line:
    """The criterion's line for one member (`fact` None: nothing recorded for them)."""
    scorer = SCORERS.get(criterion.key)
    if scorer is None:
        return Line(criterion.key, label, criterion.weight, None, assessment_texts.DETAIL_UNKNOWN)
    share, detail = scorer(criterion, fact or {})
    points = None if share is None else criterion.weight * min(max(share, 0.0), 1.0)
    return Line(criterion.key, label, criterion.weight, points, detail)


def not_offered(criterion: Criterion) -> Line:
    label = assessment_texts.CRITERION_LABELS.get(criterion.key, criterion.key)
    return Line(criterion.key, label, criterion.weight, None, "", offered=False)
