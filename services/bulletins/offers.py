"""What the bulletins offer the others (`services.offers`), wired in `bot.features`: the
bulletins for the search (`/timkiem`), and a few for the demo organisation.

Who may read a bulletin in the search: the members of every cell under its unit (`unit_ids`);
committees above read it through their subtree. A withdrawn bulletin is offered again (its
`updated_at` moved) with no reader and no text, so the index forgets who could find it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models import Bulletin
from services.offers import DEMO_DATA, SEARCHABLE, Offer, Searchable, SearchItem
from services.org import root_units, subtree_units

KIND = "bulletin"
LABEL = "Bản tin"
_CHUNK = 1000


def bulletin_items(session: Session, since: datetime | None) -> Iterator[SearchItem]:
    """Bulletins posted or changed after `since` (all when None), in chunks of `_CHUNK`."""
    after = 0
    while True:
        query = select(Bulletin).where(col(Bulletin.id) > after)
        if since is not None:
            query = query.where(col(Bulletin.updated_at) > since)
        chunk = list(session.exec(query.order_by(col(Bulletin.id)).limit(_CHUNK)))
        if not chunk:
            return
        for bulletin in chunk:
            assert bulletin.id is not None
            after = bulletin.id
            withdrawn = bulletin.withdrawn_at is not None
            yield SearchItem(
                kind=KIND,
                ref_id=bulletin.id,
                title=bulletin.title,
                body="" if withdrawn else bulletin.text,
                at=bulletin.posted_at,
                unit_ids=() if withdrawn else (bulletin.unit_id,),
                opens="/bantin",
            )


# Two or three plausible bulletins from the top of the demo tree, for `sotay demo`.
_DEMO = (
    (
        "Hướng dẫn học tập chuyên đề năm 2026",
        "Ban Tuyên giáo hướng dẫn các chi bộ tổ chức học tập chuyên đề năm 2026 về học tập "
        "và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh trong sinh hoạt tháng tới.",
        timedelta(days=3),
    ),
    (
        "Kết quả thu đảng phí quý IV",
        "Đảng ủy Khối thông báo kết quả thu, nộp đảng phí quý IV. Đề nghị các chi bộ hoàn thành "
        "việc thu trước ngày 25 của tháng cuối quý.",
        timedelta(days=1),
    ),
    (
        "Lịch tiếp công dân của Đảng ủy Khối",
        "Đảng ủy Khối tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở cơ quan.",
        timedelta(hours=6),
    ),
)


def seed_demo(session: Session, now: datetime) -> None:
    """Demo bulletins: for the top unit, and one for the base organisation below it."""
    roots = root_units(session)
    top = roots[0] if roots else None
    if top is None or top.id is None:
        return
    top_id: int = top.id
    below = [u for u in subtree_units(session, [top_id]) if u.parent_id == top_id]
    for index, (title, text, age) in enumerate(_DEMO):
        unit = below[0] if index == 1 and below else top
        assert unit.id is not None
        session.add(
            Bulletin(
                unit_id=unit.id,
                title=title,
                text=text,
                source="",
                posted_at=now - age,
                updated_at=now - age,
            )
        )
    session.flush()


def offers() -> list[Offer[Any]]:
    return [
        Offer(SEARCHABLE, Searchable(KIND, LABEL, bulletin_items)),
        Offer(DEMO_DATA, seed_demo),
    ]
