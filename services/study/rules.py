"""The study slice's numbers, dates and button ids, in one place, so a province can adjust them.

Dates are local calendar days in the configured zone (`tz`); the year of a pledge is the local
year of the moment it is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from services.buttons import ButtonId
from services.vndate import DEFAULT_TZ

# Buttons outside any flow (docs/core.md, "Buttons outside a flow"), answered in handlers/study.py.
READING = ButtonId("st_read")  # st_read:{topic}: the topic's reading, sent again to this member
DOCUMENT = ButtonId("st_doc")  # st_doc:{assignment}: the resolution's document, sent again

MID = "mid"  # review periods (study_pledge_reviews.period)
END = "end"
PERIODS = (MID, END)

DONE = "done"  # a commitment's rating in a review
PARTLY = "partly"
NOT_DONE = "not_done"
RATINGS = (DONE, PARTLY, NOT_DONE)

SUBMITTED = "submitted"  # study_pledges.status
RETURNED = "returned"
APPROVED = "approved"


@dataclass(frozen=True)
class StudyRules:
    """`pledge_deadline` (month, day) is when pledges are due (31 March by default, unverified:
    set by each committee's plan); reminders go out `pledge_reminders_before` days before it
    at `remind_at` local time, to members without a pledge. Mid-year reviews open on
    `mid_review_opens`, year-end reviews on `end_review_opens` (month, day)."""

    tz: tzinfo = DEFAULT_TZ
    title_max_chars: int = 150
    body_max_chars: int = 800
    questions_max: int = 5
    question_max_chars: int = 200
    link_max_chars: int = 400
    commitments_max: int = 5
    commitment_min_chars: int = 10
    commitment_max_chars: int = 200
    evidence_max_chars: int = 200
    note_max_chars: int = 300
    pledge_deadline: tuple[int, int] = (3, 31)
    pledge_reminders_before: tuple[int, ...] = (30, 7)
    remind_at: time = time(8, 0)
    mid_review_opens: tuple[int, int] = (6, 1)
    end_review_opens: tuple[int, int] = (11, 15)
    past_topics_shown: int = 36
    # Resolution study (học tập nghị quyết): the self-check's size and shape.
    key_points_max_chars: int = 1500
    quiz_max_questions: int = 10
    quiz_question_max_chars: int = 300
    quiz_option_max_chars: int = 150
    quiz_options_max: int = 4
    assignments_shown_after_due_days: int = 60
    # Role models (gương điển hình).
    story_max_chars: int = 1500
    role_models_shown: int = 20
    reading_again_every: timedelta = timedelta(minutes=1)

    def local_day(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()

    def year(self, now: datetime) -> int:
        return self.local_day(now).year

    def month(self, now: datetime) -> str:
        """The local month as "2026-12" (`study_topics.month`)."""
        return month_key(self.local_day(now))

    def deadline(self, year: int) -> date:
        return date(year, *self.pledge_deadline)

    def review_period(self, now: datetime) -> str | None:
        """The self-review open at `now`: year-end from `end_review_opens`, mid-year from
        `mid_review_opens`, none before."""
        day = self.local_day(now)
        if day >= date(day.year, *self.end_review_opens):
            return END
        if day >= date(day.year, *self.mid_review_opens):
            return MID
        return None


DEFAULT_STUDY_RULES = StudyRules()


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month_key(day: date) -> str:
    return month_key(
        date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    )


def month_label(key: str) -> str:
    """ "2026-12" → "12/2026", as documents write a month."""
    year, _, month = key.partition("-")
    return f"{month}/{year}"
