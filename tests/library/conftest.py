"""The library's fixtures: a second branch beside the demo's (another base with one cell, a
member and a committee member of its own), and publishing through the real service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import Session, select

from models import Database, LibraryDocument, Member, MemberStatus, Unit
from services.auth import Actor, load_actor
from services.demo import BASE, TOP
from services.identities import find_member
from services.library.documents import Draft, publish
from services.orgwrite import MemberValues, ensure_unit_path, set_committee_units, upsert_member
from tests.support import FakeClock

OTHER_BASE = "Đảng bộ Sở Y tế"
OTHER_CELL = "Chi bộ Bệnh viện Tỉnh"
OTHER_MEMBER = "DV101"
OTHER_COMMITTEE = "DV102"


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None
    return load_actor(session, member)


def unit_id(session: Session, name: str) -> int:
    unit = session.exec(select(Unit).where(Unit.name == name)).one()
    assert unit.id is not None
    return unit.id


@pytest.fixture
def branch(demo: Database, clock: FakeClock) -> Database:
    """The demo plus another base under the same top unit, with its own cell and people."""
    with demo.session() as session:
        base, _ = ensure_unit_path(session, [TOP, OTHER_BASE], leaf_is_cell=False, now=clock())
        cell, _ = ensure_unit_path(
            session, [TOP, OTHER_BASE, OTHER_CELL], leaf_is_cell=True, now=clock()
        )
        assert cell.id is not None and base.id is not None
        for code, name in ((OTHER_MEMBER, "Kiều Văn Tâm"), (OTHER_COMMITTEE, "Lưu Thị Uyên")):
            member, _ = upsert_member(
                session,
                MemberValues(code, name, MemberStatus.OFFICIAL, cell.id),
                now=clock(),
            )
            if code == OTHER_COMMITTEE:
                set_committee_units(session, member, {base.id})
        session.commit()
    return demo


@dataclass(frozen=True)
class Doc:
    """What a test publishes; defaults make a valid "quy định" of the demo's base."""

    number: str = "366-QĐ/TW"
    kind: str = "quy_dinh"
    unit: str = BASE
    issuer: str = "Ban Chấp hành Trung ương"
    title: str = "Về kiểm điểm, đánh giá, xếp loại chất lượng"
    summary: str = "Đánh giá theo quý, năm và nhiệm kỳ, thang 100 điểm."
    issued_on: date = date(2025, 3, 15)
    file_ref: str | None = None
    file_name: str | None = None
    file_channel: str | None = None


def publish_as(db: Database, clock: FakeClock, code: str, doc: Doc = Doc()) -> int:
    """Publish `doc` as the member `code` through the service; the new document's id."""
    with db.session() as session:
        draft = Draft(
            unit_id=unit_id(session, doc.unit),
            kind=doc.kind,
            number=doc.number,
            issued_on=doc.issued_on,
            issuer=doc.issuer,
            title=doc.title,
            summary=doc.summary,
            file_ref=doc.file_ref,
            file_name=doc.file_name,
            file_kind="document" if doc.file_ref else None,
            file_channel=doc.file_channel,
        )
        published = publish(session, actor(session, code), draft, now=clock(), today=clock().date())
        session.commit()
        assert published.id is not None
        return published.id


def documents(db: Database) -> list[LibraryDocument]:
    with db.session() as session:
        return list(session.exec(select(LibraryDocument).order_by(LibraryDocument.id)))


def member_id(db: Database, code: str) -> int:
    with db.session() as session:
        member = session.exec(select(Member).where(Member.code == code)).one()
        assert member.id is not None
        return member.id
