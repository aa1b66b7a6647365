"""Committee commands over their subtree."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.registry import Audience, Command, Registry
from services import texts
from services.stats import figures as stats


def units_overview(ctx: Ctx, _args: str) -> None:
    """Cells, members and connected members for each unit whose committee the member sits on
    (`stats.units_overview` checks each unit)."""
    for overview in stats.units_overview(ctx.session, ctx.me):
        lines = [
            texts.UNITS_HEADER.format(
                unit=overview.unit.name,
                cells=len(overview.cells),
                members=overview.members,
                linked=overview.linked,
            )
        ]
        for cell, counts in overview.cells:
            lines.append(
                texts.UNITS_LINE.format(
                    cell=cell.name, members=counts.members, linked=counts.linked
                )
            )
        ctx.say("\n".join(lines))


def register(registry: Registry) -> None:
    registry.command(Command("donvi", texts.CMD_UNITS, Audience.COMMITTEE, units_overview))
