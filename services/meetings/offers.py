"""What the meetings feature offers the others (`services.offers`), wired in `bot.features`:
the absence flag, counted per cell, for the committees' statistics; and the tasks assigned at
meetings, for the member's list (`/nhiemvu`)."""

from __future__ import annotations

import functools
from typing import Any

from services.meetings.attendance import flagged_per_cell
from services.meetings.planning import DEFAULT_RULES, CellMonthRules
from services.meetings.resolutions import task_todos
from services.offers import CELL_FLAGS, MEMBER_TODOS, CellFlags, Offer


def offers(rules: CellMonthRules = DEFAULT_RULES) -> list[Offer[Any]]:
    count = functools.partial(flagged_per_cell, rules=rules)
    return [
        Offer(CELL_FLAGS, CellFlags(months=rules.absence_flag_months, count=count)),
        Offer(MEMBER_TODOS, task_todos),
    ]
