"""Queries over the organisation tree: cells, subtrees, members of a cell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import ChatIdentity, Member, RoleAssignment, Unit, UnitKind
from services.textnorm import fold

PATH_SEPARATOR = " / "


def split_path(path: str) -> list[str]:
    """`A / B / C` → [A, B, C]; tolerant of spacing around the slashes."""
    return [part.strip() for part in path.split("/") if part.strip()]


def join_path(parts: Sequence[str]) -> str:
    return PATH_SEPARATOR.join(parts)


def find_unit_by_path(session: Session, path: str) -> Unit | None:
    """Exact path first; otherwise a match without regard to case, spacing or diacritics."""
    parts = split_path(path)
    exact = session.exec(select(Unit).where(Unit.path == join_path(parts))).first()
    if exact is not None:
        return exact
    wanted = fold(join_path(parts))
    for unit in session.exec(select(Unit).where(Unit.name == parts[-1] if parts else sa.false())):
        if fold(unit.path) == wanted:
            return unit
    for unit in session.exec(select(Unit)):
        if fold(unit.path) == wanted:
            return unit
    return None


def subtree_units(session: Session, unit_ids: Sequence[int]) -> list[Unit]:
    """Every unit under (and including) the given units, by lineage prefix."""
    if not unit_ids:
        return []
    clauses = [col(Unit.lineage).contains(f"/{uid}/") for uid in unit_ids]
    return list(session.exec(select(Unit).where(sa.or_(*clauses)).order_by(Unit.path)))


def is_within(unit: Unit, ancestor_ids: Sequence[int]) -> bool:
    """True when the unit is one of the ancestors or lies below one of them."""
    return any(f"/{uid}/" in unit.lineage for uid in ancestor_ids)


def vn_name_key(full_name: str) -> tuple[str, str]:
    """Vietnamese lists sort by given name (the last word), then the whole name, without marks."""
    folded = fold(full_name)
    return (folded.rsplit(" ", 1)[-1], folded)


def member_names(session: Session, member_ids: Sequence[int]) -> dict[int, Member]:
    """id → member, in one query."""
    if not member_ids:
        return {}
    rows = session.exec(select(Member).where(col(Member.id).in_(list(member_ids))))
    return {m.id: m for m in rows if m.id is not None}


def cell_members(session: Session, cell_id: int) -> list[Member]:
    members = session.exec(select(Member).where(Member.cell_id == cell_id)).all()
    return sorted(members, key=lambda m: vn_name_key(m.full_name))


def _is_linked() -> sa.ColumnElement[bool]:
    """The rule for a linked ("connected") member: at least one chat account points to them.

    An account the member moved away from has no member any more; an account whose user
    blocked the bot (`ChatIdentity.active` False) still counts."""
    return sa.exists().where(col(ChatIdentity.member_id) == col(Member.id))


def linked_member_ids(session: Session, member_ids: Sequence[int]) -> set[int]:
    """Members that have at least one linked chat account."""
    if not member_ids:
        return set()
    rows = session.exec(
        select(Member.id).where(col(Member.id).in_(list(member_ids))).where(_is_linked())
    )
    return {row for row in rows if row is not None}


@dataclass(frozen=True)
class CellCounts:
    """A cell's members, and how many of them are linked (`linked_member_ids`' rule)."""

    members: int = 0
    linked: int = 0


def cell_counts(session: Session, cell_ids: Sequence[int]) -> dict[int, CellCounts]:
    """cell id → its members and linked members, in one GROUP BY however many cells; a cell
    without members is left out (read it as `CellCounts()`)."""
    if not cell_ids:
        return {}
    linked_id = sa.case((_is_linked(), col(Member.id)))  # NULL, which COUNT skips, if not
    rows = session.exec(
        select(Member.cell_id, sa.func.count(col(Member.id)), sa.func.count(linked_id))
        .where(col(Member.cell_id).in_(list(cell_ids)))
        .group_by(col(Member.cell_id))
    )
    return {cell_id: CellCounts(total, linked) for cell_id, total, linked in rows}


def root_units(session: Session) -> list[Unit]:
    """The units at the top of the tree (no parent), by path: together, the whole tree."""
    return list(session.exec(select(Unit).where(col(Unit.parent_id).is_(None)).order_by(Unit.path)))


def cell_roles(session: Session, cell_id: int) -> dict[int, str]:
    """member id → secretary/deputy role in this cell."""
    rows = session.exec(select(RoleAssignment).where(RoleAssignment.unit_id == cell_id))
    return {r.member_id: r.role for r in rows if r.role in ("bi_thu", "pho_bi_thu")}


def lineage_ids(unit: Unit) -> list[int]:
    """The unit ids from the root down to `unit` itself (`Unit.lineage`, "/1/4/9/")."""
    return [int(part) for part in unit.lineage.split("/") if part.isdigit()]


def is_cell(unit: Unit) -> bool:
    return UnitKind(unit.kind).is_cell
