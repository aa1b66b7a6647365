"""Who is acting, over which units: the one authorization helper every handler uses.

A member sees their own cell; a secretary or deputy acts on their own cell; a committee member
sees the subtree of the unit whose committee they sit on; an admin sees everything. Whoever does
either of the middle two "leads" (Permission.LEAD): writes directives to, and follows up, the
cells under them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from models import Member, Role, RoleAssignment, Unit
from services import texts
from services.errors import Forbidden
from services.org import is_cell, is_within, lineage_ids, subtree_units


class Permission(StrEnum):
    MEMBER = "member"
    MANAGE_CELL = "manage_cell"
    OVERSEE = "oversee"
    LEAD = "lead"  # MANAGE_CELL over a cell or OVERSEE over a unit: secretaries and committees
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    """A linked member with their roles, loaded once per update."""

    member_id: int
    code: str
    full_name: str
    status: str
    cell_id: int
    cell_name: str
    managed_cell_ids: frozenset[int]
    secretary_cell_ids: frozenset[int]
    committee_unit_ids: frozenset[int]
    is_admin: bool

    @property
    def is_cell_manager(self) -> bool:
        return self.is_admin or bool(self.managed_cell_ids)

    @property
    def is_committee(self) -> bool:
        return self.is_admin or bool(self.committee_unit_ids)

    def roles(self) -> list[str]:
        """Role codes for display, most senior first."""
        found: list[str] = []
        if self.is_admin:
            found.append(Role.ADMIN)
        if self.committee_unit_ids:
            found.append(Role.COMMITTEE)
        if self.secretary_cell_ids:
            found.append(Role.SECRETARY)
        elif self.managed_cell_ids:
            found.append(Role.DEPUTY)
        return found


def load_actor(session: Session, member: Member) -> Actor:
    roles = session.exec(
        select(RoleAssignment.role, RoleAssignment.unit_id).where(
            RoleAssignment.member_id == member.id
        )
    ).all()
    cell = session.get(Unit, member.cell_id)
    assert member.id is not None
    return actor_of(
        MemberFacts(member.id, member.code, member.full_name, member.status, member.cell_id),
        cell.name if cell else "",
        roles,
    )


@dataclass(frozen=True)
class MemberFacts:
    """The member's columns an `Actor` needs (read as columns on the update path: cheaper
    than a `Member` entity)."""

    id: int
    code: str
    full_name: str
    status: str
    cell_id: int


def actor_of(member: MemberFacts, cell_name: str, roles: Iterable[tuple[str, int | None]]) -> Actor:
    """The actor from what was read of them: the member, their cell's name, their roles as
    (role, unit id) pairs (`services.identities.identify` reads all three in one query)."""
    roles = list(roles)
    managed = {u for r, u in roles if r in (Role.SECRETARY, Role.DEPUTY) and u is not None}
    return Actor(
        member_id=member.id,
        code=member.code,
        full_name=member.full_name,
        status=member.status,
        cell_id=member.cell_id,
        cell_name=cell_name,
        managed_cell_ids=frozenset(managed),
        secretary_cell_ids=frozenset(u for r, u in roles if r == Role.SECRETARY and u is not None),
        committee_unit_ids=frozenset(u for r, u in roles if r == Role.COMMITTEE and u is not None),
        is_admin=any(r == Role.ADMIN for r, _ in roles),
    )


def readable_unit_ids(session: Session, actor: Actor) -> list[int] | None:
    """The units whose items (documents, search hits) the actor may read; None: all, an
    admin. Their cell and the cells they manage, with every unit above them (what a province
    sends reaches its cells); a committee's units with their subtrees and the units above."""
    if actor.is_admin:
        return None
    near = {actor.cell_id, *actor.managed_cell_ids, *actor.committee_unit_ids}
    wanted: set[int] = set()
    for unit in session.exec(select(Unit).where(col(Unit.id).in_(sorted(near)))):
        wanted.update(lineage_ids(unit))
    wanted.update(u.id for u in subtree_units(session, sorted(actor.committee_unit_ids)) if u.id)
    return sorted(wanted)


def allows(actor: Actor, permission: Permission, unit: Unit | None = None) -> bool:
    """Whether the actor holds the permission, over `unit` when given, or anywhere when not."""
    if permission is Permission.MEMBER:
        return unit is None or actor.is_admin or unit.id == actor.cell_id or _oversees(actor, unit)
    if actor.is_admin:
        return True
    if permission is Permission.MANAGE_CELL:
        return bool(actor.managed_cell_ids) if unit is None else unit.id in actor.managed_cell_ids
    if permission is Permission.OVERSEE:
        return bool(actor.committee_unit_ids) if unit is None else _oversees(actor, unit)
    if permission is Permission.LEAD:
        manages = allows(actor, Permission.MANAGE_CELL, unit) and (unit is None or is_cell(unit))
        return manages or allows(actor, Permission.OVERSEE, unit)
    return False


def authorize(actor: Actor, permission: Permission, unit: Unit | None = None) -> None:
    """Raise `Forbidden` with the Vietnamese reason unless `allows`."""
    if allows(actor, permission, unit):
        return
    if permission is Permission.MANAGE_CELL:
        reason = texts.FORBIDDEN_OTHER_CELL if actor.managed_cell_ids else texts.FORBIDDEN_SECRETARY
    elif permission is Permission.OVERSEE:
        reason = (
            texts.FORBIDDEN_OUTSIDE_SCOPE if actor.committee_unit_ids else texts.FORBIDDEN_COMMITTEE
        )
    elif permission is Permission.LEAD:
        if actor.committee_unit_ids:
            reason = texts.FORBIDDEN_OUTSIDE_SCOPE
        elif actor.managed_cell_ids:
            reason = texts.FORBIDDEN_OTHER_CELL
        else:
            reason = texts.FORBIDDEN_LEADER
    elif permission is Permission.ADMIN:
        reason = texts.FORBIDDEN_ADMIN
    else:
        reason = texts.FORBIDDEN_OUTSIDE_SCOPE
    raise Forbidden(reason)


def _oversees(actor: Actor, unit: Unit) -> bool:
    return is_within(unit, sorted(actor.committee_unit_ids))
