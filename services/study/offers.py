"""What the study slice offers the other features, through the wiring list (`bot.features`):
the month's topic line for a regular meeting's agenda, the topics for the search, the share
of members who pledged for the committees' statistics, and the demo's topic."""

from __future__ import annotations

import functools
from datetime import date, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from models import StudyPledge, StudyPledgeReview
from services.offers import (
    AGENDA_ITEMS,
    ASSESSMENT_FACTS,
    CELL_FIGURES,
    DEMO_DATA,
    SEARCHABLE,
    AssessmentCriterion,
    AssessmentFact,
    CellFigure,
    Offer,
    Searchable,
)
from services.study import demo, pledges, topics
from services.study import texts as study_texts
from services.study.rules import APPROVED, DEFAULT_STUDY_RULES, END, MID, StudyRules

SEARCH_LABEL = "Học tập"


def offers(rules: StudyRules = DEFAULT_STUDY_RULES) -> list[Offer[Any]]:
    return [
        Offer(AGENDA_ITEMS, functools.partial(topics.agenda_lines, tz=rules.tz)),
        Offer(SEARCHABLE, Searchable(topics.TOPIC_KIND, SEARCH_LABEL, topics.search_items)),
        Offer(
            CELL_FIGURES,
            CellFigure(
                study_texts.FIGURE_PLEDGED, functools.partial(pledges.pledged_figure, rules=rules)
            ),
        ),
        Offer(DEMO_DATA, demo.seed),
        Offer(ASSESSMENT_FACTS, AssessmentCriterion("pledge", ASSESSMENT_LABEL, pledge_facts)),
    ]


ASSESSMENT_LABEL = "Đăng ký và kiểm điểm làm theo"


def pledge_facts(
    session: Session, member_ids: list[int], first_day: date, last_day: date, tz: tzinfo
) -> dict[int, AssessmentFact]:
    """The pledge of the year the days fall in (approved: 1) and, when the days reach the
    review's date (30 June: mid-year, 31 December: year-end), whether that review was confirmed
    (`review_due`, `reviewed`). Every member is counted: no pledge is a fact too."""
    year = last_day.year
    review = END if (last_day.month, last_day.day) == (12, 31) else None
    if (last_day.month, last_day.day) == (6, 30):
        review = MID
    facts: dict[int, AssessmentFact] = {
        m: {"approved": 0, "review_due": int(review is not None), "reviewed": 0} for m in member_ids
    }
    approved = (
        select(StudyPledge.member_id, StudyPledge.id)
        .where(col(StudyPledge.member_id).in_(member_ids))
        .where(StudyPledge.year == year, StudyPledge.status == APPROVED)
    )
    for member_id, _pledge_id in session.exec(approved):
        facts[member_id]["approved"] = 1
    if review is not None:
        for member_id, _pledge_id in session.exec(
            approved.join(StudyPledgeReview, col(StudyPledgeReview.pledge_id) == StudyPledge.id)
            .where(StudyPledgeReview.period == review)
            .where(col(StudyPledgeReview.confirmed_at).is_not(None))
        ):
            facts[member_id]["reviewed"] = 1
    return facts
