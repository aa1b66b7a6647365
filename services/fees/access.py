"""Who may do what with fees. A member's basis, income and payments are private: only the
member, the cell's secretary and the cell's collector see them (01-QĐ/TW; DOMAIN.md). Deputies,
committees and admins see the cell's totals, never a member's line."""

from __future__ import annotations

from sqlmodel import Session, select

from models import FeeCollector, Member, Role, RoleAssignment, Unit
from services.auth import Actor
from services.errors import Forbidden, UserError
from services.fees import texts as fee_texts
from services.org import is_cell


def collector_of(session: Session, cell_id: int) -> int | None:
    """The member named collector of the cell, if any (the secretary collects anyway)."""
    row = session.get(FeeCollector, cell_id)
    return row.member_id if row is not None else None


def may_collect(session: Session, actor: Actor, cell_id: int) -> bool:
    """The cell's secretary, or the member the secretary named collector (thủ quỹ)."""
    return cell_id in actor.secretary_cell_ids or collector_of(session, cell_id) == actor.member_id


def collected_cells(session: Session, actor: Actor) -> list[Unit]:
    """The cells whose fees the actor collects: those they are secretary of, and the one they
    were named collector of (their own cell)."""
    ids = set(actor.secretary_cell_ids)
    if collector_of(session, actor.cell_id) == actor.member_id:
        ids.add(actor.cell_id)
    cells = [session.get(Unit, cell_id) for cell_id in sorted(ids)]
    return [c for c in cells if c is not None and is_cell(c)]


def require_collector(session: Session, actor: Actor, cell_id: int) -> None:
    if not may_collect(session, actor, cell_id):
        raise Forbidden(fee_texts.FORBIDDEN_COLLECTOR)


def member_in_cell(session: Session, member_id: int, cell_id: int) -> Member:
    """The member, refused as gone when they are not (or no longer) in the cell: a button or
    a state may be old, and a forged id must not reach another cell's member."""
    member = session.get(Member, member_id)
    if member is None or member.cell_id != cell_id:
        raise UserError(fee_texts.MEMBER_NOT_IN_CELL)
    return member


def fee_leaders(session: Session, cell_id: int) -> list[int]:
    """Who hears about the cell's fees (claims to confirm, unpaid months): the named collector
    and the secretary; either may act."""
    secretaries = session.exec(
        select(RoleAssignment.member_id)
        .where(RoleAssignment.unit_id == cell_id)
        .where(RoleAssignment.role == Role.SECRETARY)
    ).all()
    named = collector_of(session, cell_id)
    return list(dict.fromkeys([*([named] if named else []), *secretaries]))
