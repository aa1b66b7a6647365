"""What the fees slice offers the other features, through the wiring list (`bot.features`):
its import columns (`sotay import`), the committees' figures (dues collected of dues expected
this month; cells that closed last month's book), the secretary's private notes on unpaid
months (beside the meetings' absence flags), and "pay your dues" on the member's list."""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date, datetime, time, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from models import FeeMonthClose, FeePayment, FeeProfile, Member
from services.fees import demo
from services.fees import texts as fee_texts
from services.fees.book import arrears_notes, cell_dues_figure, member_todos
from services.fees.dues import add_months, month_start
from services.fees.importing import IMPORT_FEE_COLUMNS
from services.fees.ledger import CONFIRMED, current_month, ledgers
from services.fees.rules import DEFAULT_FEE_RULES, FeeRules
from services.offers import (
    ASSESSMENT_FACTS,
    CELL_FIGURES,
    DEMO_DATA,
    IMPORT_COLUMNS,
    LEADER_NOTES,
    MEMBER_TODOS,
    AssessmentCriterion,
    AssessmentFact,
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
        Offer(
            ASSESSMENT_FACTS,
            AssessmentCriterion(
                "fees", ASSESSMENT_LABEL, functools.partial(assessment_facts, rules=rules)
            ),
        ),
    ]


ASSESSMENT_LABEL = "Đóng đảng phí đúng hạn"


def assessment_facts(
    session: Session,
    member_ids: list[int],
    first_day: date,
    last_day: date,
    tz: tzinfo,
    *,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> dict[int, AssessmentFact]:
    """Months of the days with dues to pay (exempt months and months whose basis lacks what it
    needs aside): paid by the month's last day (`on_time`), paid since (`late`), or not. The
    ledger's rule, oldest month first, decides which month a payment covers, so a month is on
    time when the confirmed payments dated up to its last day cover every month up to it."""
    ledger_of = ledgers(
        session, member_ids, now=datetime.combine(last_day, time(12), tz), rules=rules
    )
    paid_by: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for member_id, paid_on, amount, extra in session.exec(
        select(
            col(FeePayment.member_id),
            col(FeePayment.paid_on),
            col(FeePayment.amount),
            col(FeePayment.extra),
        )
        .where(col(FeePayment.member_id).in_(member_ids))
        .where(FeePayment.status == CONFIRMED, col(FeePayment.paid_on) <= last_day)
        .order_by(col(FeePayment.member_id), col(FeePayment.paid_on))
    ):
        paid_by[member_id].append((paid_on, int(amount) - min(int(extra), int(amount))))
    first, last = month_start(first_day), month_start(last_day)
    facts: dict[int, AssessmentFact] = {}
    for member_id, ledger in ledger_of.items():
        fact = {"months_due": 0, "on_time": 0, "late": 0}
        payments, index, paid, owed = paid_by.get(member_id, []), 0, 0, 0
        for line in ledger.lines:
            if line.month > last:
                break
            owed += line.due
            month_end = add_months(line.month, 1).toordinal() - 1
            while index < len(payments) and payments[index][0].toordinal() <= month_end:
                paid += payments[index][1]
                index += 1
            if line.month < first or line.dues is None or line.due <= 0:
                continue
            fact["months_due"] += 1
            if paid >= owed:
                fact["on_time"] += 1
            elif line.settled:
                fact["late"] += 1
        if fact["months_due"]:
            facts[member_id] = fact
    return facts


def _notes(
    session: Session, actor: Any, cell_id: int, now: datetime, *, rules: FeeRules
) -> list[str]:
    return arrears_notes(session, actor, cell_id, now, rules)
