"""The study's part of the demo organisation (`services.offers.DEMO_DATA`): the base
committee's topic of this month, so `/hoctap` and the agenda's study line show something in a
first local chat."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import Member, StudyTopic, Unit
from services.study.rules import DEFAULT_STUDY_RULES

TITLE = "Học tập và làm theo phong cách quần chúng của Bác"
BODY = (
    "Bác dạy: «Dễ trăm lần không dân cũng chịu, khó vạn lần dân liệu cũng xong». "
    "Mỗi đảng viên gần dân, nghe dân, nói dân hiểu, làm dân tin."
)
QUESTIONS = [
    "Trong công việc hằng ngày, đồng chí đã gần gũi, lắng nghe người dân như thế nào?",
    "Chi bộ cần làm gì để giải quyết nhanh hơn các ý kiến của người dân?",
]


def seed(session: Session, now: datetime) -> None:
    secretary = session.exec(select(Member).where(Member.code == "DV001")).first()
    if secretary is None:
        return
    cell = session.get(Unit, secretary.cell_id)
    if cell is None or cell.parent_id is None:
        return
    base = session.exec(select(Unit).where(col(Unit.id) == cell.parent_id)).one()
    assert base.id is not None
    session.add(
        StudyTopic(
            unit_id=base.id,
            month=DEFAULT_STUDY_RULES.month(now),
            title=TITLE,
            body=BODY,
            questions=QUESTIONS,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
