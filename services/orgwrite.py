"""Writing the organisation tree: units by path, members by code, roles. Used by import and demo.

Every writer is idempotent: called again with the same values it changes nothing and reports so,
which is what makes a re-import a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from models import Member, Role, RoleAssignment, Unit, UnitKind
from services.org import join_path


def unit_kind_for(depth: int, name: str, *, is_cell: bool, parent: Unit | None) -> UnitKind:
    """Kind from position and name: a cell right under an upper committee is a "chi bộ cơ sở"."""
    if is_cell:
        if parent is None or parent.kind == UnitKind.UPPER_COMMITTEE:
            return UnitKind.BASE_CELL
        return UnitKind.CELL
    if depth == 0:
        return UnitKind.UPPER_COMMITTEE
    return UnitKind.BASE_ORGANISATION


def ensure_unit_path(
    session: Session,
    parts: Sequence[str],
    *,
    leaf_is_cell: bool,
    now: datetime,
    cache: dict[str, Unit] | None = None,
    cache_is_complete: bool = False,
) -> tuple[Unit, int]:
    """The unit at `parts`, creating missing ancestors; returns it with the number created.

    `cache_is_complete`: the caller fetched every existing unit on these paths into `cache` in
    bulk, so a path missing from it is new and needs no SELECT (the import creates hundreds).
    """
    cache = cache if cache is not None else {}
    parent: Unit | None = None
    created = 0
    for depth, name in enumerate(parts):
        path = join_path(parts[: depth + 1])
        unit = cache.get(path)
        if unit is None and not cache_is_complete:
            unit = session.exec(select(Unit).where(Unit.path == path)).first()
        is_leaf = depth == len(parts) - 1
        if unit is None:
            kind = unit_kind_for(depth, name, is_cell=is_leaf and leaf_is_cell, parent=parent)
            unit = Unit(
                name=name,
                kind=kind,
                parent_id=parent.id if parent else None,
                path=path,
                created_at=now,
            )
            session.add(unit)
            session.flush()
            unit.lineage = f"{parent.lineage if parent else '/'}{unit.id}/"
            session.add(unit)
            created += 1
        elif is_leaf and leaf_is_cell and not UnitKind(unit.kind).is_cell:
            unit.kind = unit_kind_for(depth, name, is_cell=True, parent=parent)
            session.add(unit)
        cache[path] = unit
        parent = unit
    assert parent is not None
    return parent, created


@dataclass(frozen=True)
class MemberValues:
    code: str
    full_name: str
    status: str
    cell_id: int
    joined_on: date | None = None
    phone: str | None = None


def upsert_member(
    session: Session,
    values: MemberValues,
    *,
    now: datetime,
    known: Mapping[str, Member] | None = None,
    flush: bool = True,
) -> tuple[Member, str]:
    """Create or update by member code. Returns the member and "created", "updated" or "same".

    A bulk import passes `known` (the existing members it fetched by code in one query; a code
    missing from it is new, so no SELECT per row) and `flush=False` (new members are inserted in
    batches; the caller flushes before it needs `member.id`).
    """
    if known is not None:
        member = known.get(values.code)
    else:
        member = session.exec(select(Member).where(Member.code == values.code)).first()
    if member is None:
        member = Member(**values.__dict__, created_at=now, updated_at=now)
        session.add(member)
        if flush:
            session.flush()
        return member, "created"
    changed = False
    for name, value in values.__dict__.items():
        if getattr(member, name) != value:
            setattr(member, name, value)
            changed = True
    if changed:
        member.updated_at = now
        session.add(member)
    return member, "updated" if changed else "same"


def set_cell_role(
    session: Session,
    member: Member,
    role: str | None,
    *,
    assignments: Sequence[RoleAssignment] | None = None,
) -> bool:
    """Make `role` (secretary, deputy or None) the member's only cell role, in their own cell.

    `assignments`: the member's current role rows (any role), when a bulk caller already has them.
    """
    if assignments is not None:
        existing: Sequence[RoleAssignment] = [
            a for a in assignments if a.role in (Role.SECRETARY, Role.DEPUTY)
        ]
    else:
        existing = session.exec(
            select(RoleAssignment)
            .where(RoleAssignment.member_id == member.id)
            .where(col(RoleAssignment.role).in_([Role.SECRETARY, Role.DEPUTY]))
        ).all()
    wanted = {(role, member.cell_id)} if role else set()
    have = {(a.role, a.unit_id) for a in existing}
    if have == wanted:
        return False
    for assignment in existing:
        session.delete(assignment)
    if existing:
        session.flush()  # deletes first, so a re-added (role, unit) never meets its old row
    if role:
        session.add(RoleAssignment(member_id=member.id or 0, role=role, unit_id=member.cell_id))
    return True


def set_committee_units(
    session: Session,
    member: Member,
    unit_ids: set[int],
    *,
    assignments: Sequence[RoleAssignment] | None = None,
) -> bool:
    """Make `unit_ids` exactly the units on whose committee the member sits.

    `assignments`: the member's current role rows (any role), when a bulk caller already has them.
    """
    if assignments is not None:
        existing: Sequence[RoleAssignment] = [a for a in assignments if a.role == Role.COMMITTEE]
    else:
        existing = session.exec(
            select(RoleAssignment)
            .where(RoleAssignment.member_id == member.id)
            .where(RoleAssignment.role == Role.COMMITTEE)
        ).all()
    if {a.unit_id for a in existing} == unit_ids:
        return False
    for assignment in existing:
        if assignment.unit_id not in unit_ids:
            session.delete(assignment)
    have = {a.unit_id for a in existing}
    for unit_id in unit_ids - have:
        session.add(RoleAssignment(member_id=member.id or 0, role=Role.COMMITTEE, unit_id=unit_id))
    return True


def grant_admin(session: Session, member: Member) -> bool:
    exists = session.exec(
        select(RoleAssignment)
        .where(RoleAssignment.member_id == member.id)
        .where(RoleAssignment.role == Role.ADMIN)
    ).first()
    if exists:
        return False
    session.add(RoleAssignment(member_id=member.id or 0, role=Role.ADMIN, unit_id=None))
    return True
