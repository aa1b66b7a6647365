"""The cell's yearly supervision programme (chương trình kiểm tra, giám sát; Quy định
296-QĐ/TW, Hướng dẫn 08-HD/TW): items naming who or what is supervised, the content and the
month; each gets its conclusion when done. An item whose month has passed without a
conclusion is overdue, and its cell's leaders are reminded once (`scheduler/supervision.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from sqlmodel import Session, col, select

from models import SupervisionItem
from services import outbox
from services.auth import Actor
from services.errors import UserError
from services.supervision import access
from services.supervision import texts as sv_texts
from services.supervision.rules import DEFAULT_RULES, PROGRAMME_KIND, SupervisionRules
from services.textnorm import nfc


def _text(value: str, limit: int) -> str:
    text = " ".join(nfc(value or "").split())
    if not text:
        raise UserError(sv_texts.PROG_TEXT_EMPTY)
    if len(text) > limit:
        raise UserError(sv_texts.PROG_TEXT_TOO_LONG.format(limit=limit))
    return text


def check_text(value: str, rules: SupervisionRules = DEFAULT_RULES) -> str:
    """A subject or content: one line, not empty, within the limit."""
    return _text(value, rules.text_limit)


def parse_month(value: str) -> int:
    text = (value or "").strip().lower().removeprefix("tháng").strip()
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise UserError(sv_texts.PROG_BAD_MONTH)
    return int(text)


def add_item(
    session: Session,
    actor: Actor,
    cell_id: int,
    *,
    year: int,
    month: int,
    subject: str,
    content: str,
    now: datetime,
    rules: SupervisionRules = DEFAULT_RULES,
) -> SupervisionItem:
    access.managed_cell(session, actor, cell_id)
    if not 1 <= month <= 12:
        raise UserError(sv_texts.PROG_BAD_MONTH)
    item = SupervisionItem(
        cell_id=cell_id,
        year=year,
        month=month,
        subject=check_text(subject, rules),
        content=check_text(content, rules),
        created_by_member_id=actor.member_id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def items(session: Session, actor: Actor, cell_id: int, year: int) -> list[SupervisionItem]:
    """The cell's programme for the year, by month: for its leaders and the committee above."""
    access.viewable_cell(session, actor, cell_id)
    return list(
        session.exec(
            select(SupervisionItem)
            .where(SupervisionItem.cell_id == cell_id)
            .where(SupervisionItem.year == year)
            .order_by(col(SupervisionItem.month), col(SupervisionItem.id))
        )
    )


def open_item(session: Session, actor: Actor, item_id: int) -> SupervisionItem:
    """An item the actor may conclude: their cell's, without a conclusion yet."""
    item = session.exec(
        select(SupervisionItem).where(SupervisionItem.id == item_id).with_for_update()
    ).first()
    if item is None:
        raise UserError(sv_texts.PROG_NOT_FOUND)
    access.managed_cell(session, actor, item.cell_id)
    if item.conclusion is not None:
        raise UserError(sv_texts.PROG_ALREADY)
    return item


def conclude(
    session: Session,
    actor: Actor,
    item_id: int,
    conclusion: str,
    *,
    now: datetime,
    rules: SupervisionRules = DEFAULT_RULES,
) -> SupervisionItem:
    text = _text(conclusion, rules.conclusion_limit)
    item = open_item(session, actor, item_id)
    item.conclusion = text
    item.concluded_at = now
    item.concluded_by_member_id = actor.member_id
    session.add(item)
    session.flush()
    return item


def is_overdue(item: SupervisionItem, today: date) -> bool:
    """Its month is over and it has no conclusion."""
    return item.conclusion is None and (item.year, item.month) < (today.year, today.month)


def overdue_from(item: SupervisionItem, at: time, tz: tzinfo) -> datetime:
    """When the item turns overdue: the first day of the next month, at `at` local time."""
    year, month = (item.year + 1, 1) if item.month == 12 else (item.year, item.month + 1)
    return datetime.combine(date(year, month, 1), at, tzinfo=tz)


@dataclass(frozen=True)
class OverdueItem:
    item_id: int
    due_at: datetime


def overdue_items(
    session: Session, now: datetime, at: time, tz: tzinfo, since: datetime
) -> list[OverdueItem]:
    """Items without a conclusion that turned overdue between `since` and `now`."""
    today = now.astimezone(tz).date()
    rows = session.exec(
        select(SupervisionItem)
        .where(col(SupervisionItem.conclusion).is_(None))
        .where(col(SupervisionItem.year) <= today.year)
        .where(col(SupervisionItem.year) >= today.year - 1)
        .order_by(col(SupervisionItem.id))
    ).all()
    found = []
    for item in rows:
        due_at = overdue_from(item, at, tz)
        if item.id is not None and since < due_at <= now:
            found.append(OverdueItem(item.id, due_at))
    return found


def remind_overdue(session: Session, item_id: int, *, key: str, now: datetime) -> int | None:
    """Remind the cell's leaders of an overdue item: the outbox rows created, or None when it
    has been concluded meanwhile (or the cell has no leader)."""
    item = session.exec(
        select(SupervisionItem).where(SupervisionItem.id == item_id).with_for_update()
    ).first()
    if item is None or item.conclusion is not None:
        return None
    leaders = access.cell_leaders(session, item.cell_id)
    if not leaders:
        return None
    text = sv_texts.PROG_REMIND.format(
        month=item.month, year=item.year, subject=item.subject, content=item.content
    )
    result = outbox.enqueue(
        session,
        kind=PROGRAMME_KIND,
        ref_id=item.id,
        member_ids=leaders,
        payload=outbox.message(text),
        dedupe_key=key,
        now=now,
    )
    return result.created
