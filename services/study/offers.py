"""What the study slice offers the other features, through the wiring list (`bot.features`):
the month's topic line for a regular meeting's agenda, the topics for the search, the share
of members who pledged for the committees' statistics, and the demo's topic."""

from __future__ import annotations

import functools
from typing import Any

from services.offers import (
    AGENDA_ITEMS,
    CELL_FIGURES,
    DEMO_DATA,
    SEARCHABLE,
    CellFigure,
    Offer,
    Searchable,
)
from services.study import demo, pledges, topics
from services.study import texts as study_texts
from services.study.rules import DEFAULT_STUDY_RULES, StudyRules

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
    ]
