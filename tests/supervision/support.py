"""Tasks, meetings and an outside committee for the supervision tests, written directly as
rows (the meetings feature's own flows are tested with it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from models import Database, Meeting, MeetingKind, Member, Task, TaskStatus, Unit
from services.auth import Actor, load_actor
from services.demo import CELL_OFFICE, CELL_SCHOOLS, TOP
from services.identities import find_member, local_identity
from services.orgwrite import (
    MemberValues,
    ensure_unit_path,
    set_committee_units,
    upsert_member,
)

OUTSIDE_BASE = "Đảng bộ Sở Y tế"
OUTSIDE_CELL = "Chi bộ Văn phòng Sở Y tế"


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None, code
    return load_actor(session, member)


def member_id(session: Session, code: str) -> int:
    member = find_member(session, code)
    assert member is not None and member.id is not None
    return member.id


def cell_id(session: Session, name: str = CELL_OFFICE) -> int:
    unit = session.exec(select(Unit).where(Unit.name == name)).one()
    assert unit.id is not None
    return unit.id


def add_meeting(db: Database, starts_at: datetime, *, cell: str = CELL_OFFICE) -> int:
    with db.session() as session:
        meeting = Meeting(
            cell_id=cell_id(session, cell),
            kind=MeetingKind.REGULAR.value,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            place="Phòng họp",
            regular_month=starts_at.strftime("%Y-%m"),
            created_at=starts_at - timedelta(days=7),
        )
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        return meeting.id


def add_task(
    db: Database,
    owner: str,
    due_on: date,
    *,
    title: str = "Vận động đoàn viên ưu tú",
    cell: str = CELL_OFFICE,
    meeting_id: int | None = None,
    created_at: datetime,
    status: str = TaskStatus.OPEN.value,
    done_at: datetime | None = None,
) -> int:
    with db.session() as session:
        task = Task(
            cell_id=cell_id(session, cell),
            meeting_id=meeting_id,
            title=title,
            owner_member_id=member_id(session, owner),
            due_on=due_on,
            status=status,
            done_at=done_at,
            created_at=created_at,
            updated_at=created_at,
        )
        session.add(task)
        session.flush()
        assert task.id is not None
        return task.id


def add_outside_committee(db: Database, now: datetime) -> str:
    """A committee member of another base organisation (with a cell of its own): the
    committee outside the demo's subtree. Returns the member's code."""
    with db.session() as session:
        base, _ = ensure_unit_path(session, [TOP, OUTSIDE_BASE], leaf_is_cell=False, now=now)
        cell, _ = ensure_unit_path(
            session, [TOP, OUTSIDE_BASE, OUTSIDE_CELL], leaf_is_cell=True, now=now
        )
        assert cell.id is not None and base.id is not None
        member, _ = upsert_member(
            session,
            MemberValues(
                code="DV900", full_name="Cao Văn Tư", status="chinh_thuc", cell_id=cell.id
            ),
            now=now,
        )
        set_committee_units(session, member, {base.id})
        local_identity(session, member, now=now)
    return "DV900"


def link(db: Database, codes: list[str], now: datetime) -> None:
    """Give these members a chat account, so the outbox has somewhere to send."""
    with db.session() as session:
        for code in codes:
            member = find_member(session, code)
            assert isinstance(member, Member)
            local_identity(session, member, now=now)


__all__ = ["CELL_OFFICE", "CELL_SCHOOLS"]
