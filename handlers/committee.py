"""Committee commands over their subtree."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlmodel import col, select

from handlers.context import Ctx
from handlers.registry import Audience, Command, Registry
from models import ChatIdentity, Member, Unit
from services import texts
from services.auth import Permission
from services.org import is_cell, subtree_units


def units_overview(ctx: Ctx, _args: str) -> None:
    """Cells, members and connected members for each unit whose committee the member sits on."""
    unit_ids = sorted(ctx.me.committee_unit_ids)
    if ctx.me.is_admin and not unit_ids:
        unit_ids = [
            u.id
            for u in ctx.session.exec(select(Unit).where(col(Unit.parent_id).is_(None)))
            if u.id
        ]
    for unit_id in unit_ids:
        unit = ctx.session.get(Unit, unit_id)
        assert unit is not None
        ctx.require(Permission.OVERSEE, unit)
        cells = [u for u in subtree_units(ctx.session, [unit_id]) if is_cell(u)]
        cell_ids = [c.id for c in cells]
        members = Counter(
            ctx.session.exec(select(Member.cell_id).where(col(Member.cell_id).in_(cell_ids))).all()
        )
        linked_rows = ctx.session.exec(
            select(Member.cell_id, sa.func.count(sa.distinct(col(Member.id))))
            .join(ChatIdentity, col(ChatIdentity.member_id) == col(Member.id))
            .where(col(Member.cell_id).in_(cell_ids))
            .group_by(col(Member.cell_id))
        ).all()
        linked = dict(linked_rows)
        lines = [
            texts.UNITS_HEADER.format(
                unit=unit.name,
                cells=len(cells),
                members=sum(members.values()),
                linked=sum(linked.values()),
            )
        ]
        for cell in cells:
            lines.append(
                texts.UNITS_LINE.format(
                    cell=cell.name,
                    members=members.get(cell.id or 0, 0),
                    linked=linked.get(cell.id or 0, 0),
                )
            )
        ctx.say("\n".join(lines))


def register(registry: Registry) -> None:
    registry.command(Command("donvi", texts.CMD_UNITS, Audience.COMMITTEE, units_overview))
