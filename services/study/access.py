"""Who may post, read and decide what in the study slice (services/auth.py's rules applied).

A topic is read by the members of its unit's subtree (a cell's topic by the cell, a
committee's by every cell under it) and by those who lead over its unit. A cell's leaders
(secretary or deputy) post to their cell and decide its pledges; a committee posts to units
of its subtree and sees its cells' progress.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models import Member, MemberStatus, Unit
from services import texts
from services.auth import Actor, Permission, allows, authorize
from services.errors import Forbidden, UserError
from services.org import is_cell, subtree_units
from services.study import texts as study_texts


def load_unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UserError(texts.STALE_BUTTON)
    return unit


def chain(session: Session, cell_id: int) -> list[int]:
    """The ids from the root down to `cell_id` (its lineage)."""
    unit = session.get(Unit, cell_id)
    if unit is None:
        return []
    return [int(part) for part in unit.lineage.strip("/").split("/") if part.isdigit()]


def post_targets(session: Session, actor: Actor) -> list[Unit]:
    """Where the actor may post a topic: the units whose committee they sit on, then the
    cells they lead (an admin: the roots of the tree)."""
    ids = sorted(actor.committee_unit_ids) + sorted(actor.managed_cell_ids)
    if actor.is_admin and not ids:
        ids = [
            u.id
            for u in session.exec(select(Unit).where(col(Unit.parent_id).is_(None)))
            if u.id is not None
        ]
    units = [session.get(Unit, i) for i in dict.fromkeys(ids)]
    return [u for u in units if u is not None]


def require_post(actor: Actor, unit: Unit) -> None:
    """A cell's leaders post to their cell; a committee to a unit of its subtree."""
    if is_cell(unit) and unit.id in actor.managed_cell_ids:
        return
    if allows(actor, Permission.OVERSEE, unit):
        return
    authorize(actor, Permission.LEAD, unit)  # raises with the right sentence
    raise Forbidden(study_texts.FORBIDDEN_POST)


def may_read_unit(session: Session, actor: Actor, unit: Unit) -> bool:
    """Addressed to the actor's cell or a unit above it, or the actor leads over it."""
    return unit.id in chain(session, actor.cell_id) or allows(actor, Permission.LEAD, unit)


def require_manage_cell(session: Session, actor: Actor, cell_id: int) -> Unit:
    """The cell's leaders only (the secretary of another cell is refused)."""
    cell = load_unit(session, cell_id)
    authorize(actor, Permission.MANAGE_CELL, cell)
    return cell


def counted_members(session: Session, cell_ids: list[int]) -> list[Member]:
    """The members a pledge is asked of: everyone in the cells but those exempt from party
    activities (miễn sinh hoạt)."""
    if not cell_ids:
        return []
    return list(
        session.exec(
            select(Member)
            .where(col(Member.cell_id).in_(cell_ids))
            .where(Member.status != MemberStatus.EXEMPT.value)
            .order_by(col(Member.id))
        )
    )


def visible_cells(session: Session, actor: Actor) -> list[Unit]:
    """The cells whose study progress the actor sees: the cells of their committees' subtrees
    and the cells they lead, by path."""
    found: dict[int, Unit] = {}
    for unit in subtree_units(session, sorted(actor.committee_unit_ids)):
        if is_cell(unit) and unit.id is not None:
            found[unit.id] = unit
    for cell_id in actor.managed_cell_ids:
        cell = session.get(Unit, cell_id)
        if cell is not None:
            found[cell_id] = cell
    return sorted(found.values(), key=lambda u: u.path)
