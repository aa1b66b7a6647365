"""What the fees slice offers the other features, through the wiring list (`bot.features`):
its import columns (`sotay import`), the committees' figures (dues collected of dues expected
this month; cells that closed last month's book), the secretary's private notes on unpaid
months (beside the meetings' absence flags), and "pay your dues" on the member's list."""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from models import FeeMonthClose, FeeProfile, Member
from services.fees import demo
from services.fees import texts as fee_texts
from services.fees.book import arrears_notes, cell_dues_figure, member_todos
from services.fees.dues import add_months
from services.fees.importing import IMPORT_FEE_COLUMNS
from services.fees.ledger import current_month
from services.fees.rules import DEFAULT_FEE_RULES, FeeRules
from services.offers import (
    CELL_FIGURES,
    DEMO_DATA,
    IMPORT_COLUMNS,
    LEADER_NOTES,
    MEMBER_TODOS,
    CellFigure,
    Offer,
)


def closed_last_month(
    session: Session,
    cells_q: Any,
    now: datetime,
    tz: tzinfo,
    *,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> dict[int, tuple[int, int]]:
    """Per cell that charged fees last month: (1 if its book of last month is closed, 1), so
    the committee's total reads "4 of 5 cells closed"; cells without fees are left out."""
    last = add_months(current_month(now, rules), -1)
    cells = list(cells_q) if isinstance(cells_q, (list, tuple, set, frozenset)) else cells_q
    charging = set(
        session.exec(
            select(Member.cell_id)
            .join(FeeProfile, col(FeeProfile.member_id) == col(Member.id))
            .where(col(Member.cell_id).in_(cells))
            .where(col(FeeProfile.valid_from) <= last)
            .distinct()
        )
    )
    closed = set(
        session.exec(
            select(FeeMonthClose.cell_id)
            .where(FeeMonthClose.month == last)
            .where(col(FeeMonthClose.cell_id).in_(cells))
        )
    )
    return {cell_id: (int(cell_id in closed), 1) for cell_id in charging}


def offers(rules: FeeRules = DEFAULT_FEE_RULES) -> list[Offer[Any]]:
    return [
        Offer(IMPORT_COLUMNS, IMPORT_FEE_COLUMNS),
        Offer(
            CELL_FIGURES,
            CellFigure(
                fee_texts.FIGURE_DUES, functools.partial(cell_dues_figure, rules=rules), "đ"
            ),
        ),
        Offer(
            CELL_FIGURES,
            CellFigure(fee_texts.FIGURE_CLOSED, functools.partial(closed_last_month, rules=rules)),
        ),
        Offer(LEADER_NOTES, functools.partial(_notes, rules=rules)),
        Offer(MEMBER_TODOS, functools.partial(member_todos, rules=rules)),
        Offer(DEMO_DATA, demo.seed),
    ]


def _notes(
    session: Session, actor: Any, cell_id: int, now: datetime, *, rules: FeeRules
) -> list[str]:
    return arrears_notes(session, actor, cell_id, now, rules)
