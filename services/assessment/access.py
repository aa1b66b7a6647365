"""Who may see and do what in the assessment (services/auth.py's rules, applied here once).

Each member sees their own result. The cell's secretary (and deputy) works on their own cell;
the committees above see the cells of their subtree and approve; an admin may do either.
Whether members see the whole cell's locked list is the formula's `announce_within_cell`.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models import AssessmentPeriod, Member, MemberStatus, Role, RoleAssignment, Unit
from services import texts
from services.assessment import texts as assessment_texts
from services.assessment.rules import Formula, Period
from services.auth import Actor, Permission, allows, authorize
from services.errors import UserError
from services.org import is_cell, vn_name_key


def load_cell(session: Session, cell_id: int) -> Unit:
    """The cell, or a refusal: an id from a button may name nothing, or a unit that is no cell."""
    cell = session.get(Unit, cell_id)
    if cell is None or not is_cell(cell):
        raise UserError(texts.STALE_BUTTON)
    return cell


def managed_cell(session: Session, actor: Actor, cell_id: int) -> Unit:
    """The cell, if the actor is its secretary or deputy (or an admin)."""
    cell = load_cell(session, cell_id)
    authorize(actor, Permission.MANAGE_CELL, cell)
    return cell


def overseen_cell(session: Session, actor: Actor, cell_id: int) -> Unit:
    """The cell, if it lies in the subtree of a committee the actor sits on (or an admin)."""
    cell = load_cell(session, cell_id)
    authorize(actor, Permission.OVERSEE, cell)
    return cell


def readable_cell(session: Session, actor: Actor, cell_id: int) -> Unit:
    """The cell, if the actor runs it or oversees it: who sees every member's result."""
    cell = load_cell(session, cell_id)
    if not allows(actor, Permission.MANAGE_CELL, cell):
        authorize(actor, Permission.OVERSEE, cell)
    return cell


def members_of(
    session: Session, cell_id: int, formula: Formula
) -> tuple[list[Member], list[Member]]:
    """(assessed, set aside) members of the cell, by Vietnamese name order: exempt members
    (miễn sinh hoạt) are set aside unless the formula assesses them."""
    members = sorted(
        session.exec(select(Member).where(Member.cell_id == cell_id)).all(),
        key=lambda m: vn_name_key(m.full_name),
    )
    if formula.assess_exempt:
        return members, []
    assessed = [m for m in members if m.status != MemberStatus.EXEMPT]
    return assessed, [m for m in members if m.status == MemberStatus.EXEMPT]


def assessed_member(session: Session, cell_id: int, member_id: int, formula: Formula) -> Member:
    """A member of the cell who is assessed; a forged or stale id is refused."""
    member = session.get(Member, member_id)
    if (
        member is None
        or member.cell_id != cell_id
        or (member.status == MemberStatus.EXEMPT and not formula.assess_exempt)
    ):
        raise UserError(assessment_texts.NOT_IN_CELL)
    return member


def period_row(session: Session, cell_id: int, period: Period) -> AssessmentPeriod | None:
    return session.exec(
        select(AssessmentPeriod)
        .where(AssessmentPeriod.cell_id == cell_id)
        .where(AssessmentPeriod.period == period.key)
    ).first()


def cell_leaders(session: Session, cell_id: int) -> list[int]:
    """The cell's secretary, else its deputies: who hears the committee's answer."""
    roles = session.exec(
        select(RoleAssignment)
        .where(RoleAssignment.unit_id == cell_id)
        .where(col(RoleAssignment.role).in_([Role.SECRETARY, Role.DEPUTY]))
    ).all()
    secretaries = [r.member_id for r in roles if r.role == Role.SECRETARY]
    return secretaries or [r.member_id for r in roles]


def committees_above(session: Session, cell: Unit) -> list[int]:
    """Members of the committees of the units right above the cell (its parent first; the
    next level up when the parent has none)."""
    unit_id = cell.parent_id
    while unit_id is not None:
        found = session.exec(
            select(RoleAssignment.member_id)
            .where(RoleAssignment.unit_id == unit_id)
            .where(RoleAssignment.role == Role.COMMITTEE)
        ).all()
        if found:
            return sorted(set(found))
        parent = session.get(Unit, unit_id)
        unit_id = parent.parent_id if parent is not None else None
    return []
