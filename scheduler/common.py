"""Small queries several jobs share."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from sqlmodel import Session, col, select

from models import Role, RoleAssignment


def cell_leaders(session: Session, cell_id: int) -> list[int]:
    """Who gets a cell's chores: its secretaries, or its deputies when it has none.

    Not both: two leaders prompted to open check-in would each make a code, and each new code
    voids the previous one (`services.meetings.attendance.open_checkin`).
    """
    roles = session.exec(
        select(RoleAssignment)
        .where(RoleAssignment.unit_id == cell_id)
        .where(col(RoleAssignment.role).in_([Role.SECRETARY.value, Role.DEPUTY.value]))
    ).all()
    secretaries = sorted({r.member_id for r in roles if r.role == Role.SECRETARY})
    return secretaries or sorted({r.member_id for r in roles})


def local_moment(day: date, at: time, tz: tzinfo) -> datetime:
    """A local wall-clock moment as an aware datetime (compare it with UTC values freely)."""
    return datetime.combine(day, at, tzinfo=tz)
