"""Shared helpers of the study tests: the demo's members as actors, a second base
organisation (for a committee outside the demo's subtree), deliveries by kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import col, select

from models import Database, Delivery, Member, Unit
from services.auth import Actor, load_actor
from services.identities import find_member
from services.orgwrite import MemberValues, ensure_unit_path, set_committee_units, upsert_member
from services.study.topics import TopicDraft
from tests.support import ChatDriver, FakeClock

Chat = Callable[[str], ChatDriver]

OTHER_TOP = "Đảng ủy Khối doanh nghiệp tỉnh"
OTHER_CELL = "Chi bộ Phòng Kế toán"


@pytest.fixture
def chat(chat_as: Chat) -> Chat:
    """`chat("DV001")`: a linked terminal chat of that member (the app's core: study is wired)."""
    return chat_as


def actor(db: Database, code: str) -> Actor:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        return load_actor(session, member)


def member_id(db: Database, code: str) -> int:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None and member.id is not None
        return member.id


def unit_id(db: Database, name: str) -> int:
    with db.session() as session:
        unit = session.exec(select(Unit).where(Unit.name == name)).one()
        assert unit.id is not None
        return unit.id


def cell_of(db: Database, code: str) -> int:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        return member.cell_id


def outside_committee(db: Database, clock: FakeClock, code: str = "DV013") -> Actor:
    """`code` made a committee member of another tree's top unit (outside the demo's)."""
    with db.session() as session:
        top, _ = ensure_unit_path(session, [OTHER_TOP], leaf_is_cell=False, now=clock())
        ensure_unit_path(session, [OTHER_TOP, OTHER_CELL], leaf_is_cell=True, now=clock())
        member = session.exec(select(Member).where(Member.code == code)).one()
        assert top.id is not None
        set_committee_units(session, member, {top.id})
    return actor(db, code)


OUTSIDER = "DV900"


def outside_member(db: Database, clock: FakeClock) -> Actor:
    """A member of a cell in another tree (`OUTSIDER`): nothing of the demo's is theirs."""
    with db.session() as session:
        cell, _ = ensure_unit_path(session, [OTHER_TOP, OTHER_CELL], leaf_is_cell=True, now=clock())
        assert cell.id is not None
        upsert_member(
            session,
            MemberValues(
                code=OUTSIDER, full_name="Tạ Văn Xa", status="chinh_thuc", cell_id=cell.id
            ),
            now=clock(),
        )
    return actor(db, OUTSIDER)


def deliveries(db: Database, kind: str) -> list[Delivery]:
    with db.session() as session:
        return list(
            session.exec(select(Delivery).where(Delivery.kind == kind).order_by(col(Delivery.id)))
        )


DRAFT = TopicDraft(
    title="Học tập tấm gương tiết kiệm của Bác",
    body="Bác sống giản dị, tiết kiệm; mỗi đảng viên tự liên hệ bản thân.",
    questions=("Đồng chí đã tiết kiệm ra sao?", "Chi bộ cần làm gì?"),
)
