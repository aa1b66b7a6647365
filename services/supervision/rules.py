"""The supervision feature's numbers and vocabularies, in one place, so a province can adjust
them (Quy định 296-QĐ/TW, Hướng dẫn 08-HD/TW; the meeting score's 30 points for the results
of last month's resolution)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from enum import StrEnum

from services.supervision import texts as sv_texts
from services.vndate import DEFAULT_TZ


class Outcome(StrEnum):
    """How the secretary closed a task (stored in `task_closures.outcome`)."""

    DONE = "hoan_thanh"
    DONE_LATE = "hoan_thanh_tre"
    NOT_DONE = "khong_hoan_thanh"
    EXCEEDED = "vuot"


class Status(StrEnum):
    """A task's place in the table: derived from the task, its closure and the day."""

    ON_TIME = "trong_han"
    DUE_SOON = "sap_den_han"
    OVERDUE = "qua_han"
    DONE = "hoan_thanh"
    DONE_LATE = "hoan_thanh_tre"
    NOT_DONE = "khong_hoan_thanh"
    EXCEEDED = "vuot"

    @property
    def is_open(self) -> bool:
        return self in (Status.ON_TIME, Status.DUE_SOON, Status.OVERDUE)

    @property
    def is_done(self) -> bool:
        """Done, in time or not (what "x/y hoàn thành" counts)."""
        return self in (Status.DONE, Status.DONE_LATE, Status.EXCEEDED)

    @property
    def is_failing(self) -> bool:
        """Overdue, or closed as not done: what "z quá hạn" counts."""
        return self in (Status.OVERDUE, Status.NOT_DONE)


STATUS_LABELS: dict[Status, str] = {
    Status.ON_TIME: sv_texts.STATUS_ON_TIME,
    Status.DUE_SOON: sv_texts.STATUS_DUE_SOON,
    Status.OVERDUE: sv_texts.STATUS_OVERDUE,
    Status.DONE: sv_texts.STATUS_DONE,
    Status.DONE_LATE: sv_texts.STATUS_DONE_LATE,
    Status.NOT_DONE: sv_texts.STATUS_NOT_DONE,
    Status.EXCEEDED: sv_texts.STATUS_EXCEEDED,
}

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.DONE: sv_texts.OUTCOME_DONE,
    Outcome.DONE_LATE: sv_texts.OUTCOME_DONE_LATE,
    Outcome.NOT_DONE: sv_texts.OUTCOME_NOT_DONE,
    Outcome.EXCEEDED: sv_texts.OUTCOME_EXCEEDED,
}


class Step(StrEnum):
    """Escalation steps beyond the owner's own reminders (the meetings' deadline jobs)."""

    SECRETARY = "secretary"
    COMMITTEE = "committee"


@dataclass(frozen=True)
class SupervisionRules:
    """What the table, the escalation and the suggestions use.

    `escalate_after`: days after the deadline at which each step goes out (None: never). The
    owner is reminded the day before and on the day by the meetings' deadline jobs, and the
    secretary the day after; these steps extend them (issue 14).
    """

    tz: tzinfo = DEFAULT_TZ
    due_soon_days: int = 3
    note_limit: int = 300
    close_note_limit: int = 500
    text_limit: int = 300
    conclusion_limit: int = 2000
    # Tasks shown in the table: every open one, and the others due within this many days.
    table_window_days: int = 120
    secretary_after_days: int | None = 3
    committee_after_days: int | None = 7
    # The meeting score's criterion "results of last month's resolution".
    results_points: int = 30
    # The statistics' "Nhiệm vụ đúng hạn": tasks due within this many days.
    figure_window_days: int = 30

    def steps(self) -> list[tuple[Step, int]]:
        """The configured escalation steps with their day offsets."""
        found: list[tuple[Step, int]] = []
        if self.secretary_after_days is not None:
            found.append((Step.SECRETARY, self.secretary_after_days))
        if self.committee_after_days is not None:
            found.append((Step.COMMITTEE, self.committee_after_days))
        return found


DEFAULT_RULES = SupervisionRules()

ESCALATION_KIND = "task_escalation"  # outbox kind of the escalation messages
PROGRAMME_KIND = "supervision_programme"  # outbox kind of the programme's reminders


def suggest_results_points(
    on_time: int, late: int, total: int, rules: SupervisionRules = DEFAULT_RULES
) -> int:
    """Points suggested for "results of last month's resolution": full for every task done on
    time (or exceeded), half for one done late, none for one overdue or not done. No task:
    full points (nothing was left undone). The secretary decides; this only suggests."""
    if total <= 0:
        return rules.results_points
    return round(rules.results_points * (on_time + 0.5 * late) / total)
