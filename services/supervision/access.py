"""Who may see and do what in supervision: the one place the feature authorises.

A task's owner reports on it; a secretary (or deputy) sees and closes their own cell's tasks
and keeps its programme; a committee sees the cells of its subtree. Ids come from buttons and
old conversations: untrusted, so every function here reloads and re-checks.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models import Role, RoleAssignment, Task, TaskStatus, Unit
from services.auth import Actor, Permission, allows, authorize
from services.errors import UserError
from services.org import cell_roles, is_cell, subtree_units
from services.supervision import texts as sv_texts


def load_cell(session: Session, cell_id: int) -> Unit:
    """The cell, or a refusal: supervision tables belong to cells only."""
    unit = session.get(Unit, cell_id)
    if unit is None or not is_cell(unit):
        raise UserError(sv_texts.NOT_A_CELL)
    return unit


def viewable_cell(session: Session, actor: Actor, cell_id: int) -> Unit:
    """A cell the actor may supervise: their own as secretary/deputy, or one in their
    committee's subtree (`Forbidden` otherwise)."""
    cell = load_cell(session, cell_id)
    if not allows(actor, Permission.OVERSEE, cell):
        authorize(actor, Permission.MANAGE_CELL, cell)
    return cell


def managed_cell(session: Session, actor: Actor, cell_id: int) -> Unit:
    """A cell the actor runs (secretary, deputy, admin): closing and the programme."""
    cell = load_cell(session, cell_id)
    authorize(actor, Permission.MANAGE_CELL, cell)
    return cell


def load_task(session: Session, task_id: int, *, for_update: bool = False) -> Task:
    """The task by id, or a refusal (a cancelled task counts as gone)."""
    query = select(Task).where(Task.id == task_id)
    if for_update:
        query = query.with_for_update()
    task = session.exec(query).first()
    if task is None or task.status == TaskStatus.CANCELLED:
        raise UserError(sv_texts.TASK_NOT_FOUND)
    return task


def supervised_cells(session: Session, actor: Actor) -> list[Unit]:
    """The cells of the actor's committee subtree (every cell for an admin), by name."""
    if actor.is_admin:
        units = list(session.exec(select(Unit)))
    else:
        units = subtree_units(session, sorted(actor.committee_unit_ids))
    return sorted((u for u in units if is_cell(u)), key=lambda u: u.path)


def cell_leaders(session: Session, cell_id: int) -> list[int]:
    """Who gets a cell's supervision chores: its secretaries, or its deputies when it has none
    (the same rule as the other reminders)."""
    roles = cell_roles(session, cell_id)
    secretaries = sorted(m for m, r in roles.items() if r == Role.SECRETARY)
    return secretaries or sorted(m for m, r in roles.items() if r == Role.DEPUTY)


def committee_above(session: Session, cell: Unit) -> list[int]:
    """The committee members of the nearest unit above the cell that has a committee (the
    cell's parent, usually): those who hold OVERSEE over it and answer for it."""
    parent_id = cell.parent_id
    while parent_id is not None:
        members = session.exec(
            select(RoleAssignment.member_id)
            .where(RoleAssignment.unit_id == parent_id)
            .where(RoleAssignment.role == Role.COMMITTEE.value)
            .order_by(col(RoleAssignment.member_id))
        ).all()
        found = sorted({m for m in members if m is not None})
        if found:
            return found
        parent = session.get(Unit, parent_id)
        parent_id = parent.parent_id if parent is not None else None
    return []
