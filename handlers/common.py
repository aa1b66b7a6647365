"""Commands every member has: start, help, profile, own cell."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.onboarding import try_invite
from handlers.registry import Audience, Command, Registry
from models import Member, Unit
from services import texts
from services.auth import Permission
from services.org import cell_members, cell_roles, linked_member_ids

SECTION_TITLES = {
    Audience.MEMBER: texts.HELP_SECTION_MEMBER,
    Audience.SECRETARY: texts.HELP_SECTION_SECRETARY,
    Audience.COMMITTEE: texts.HELP_SECTION_COMMITTEE,
    Audience.ADMIN: texts.HELP_SECTION_ADMIN,
}


def register(registry: Registry) -> None:
    def start(ctx: Ctx, args: str) -> None:
        if args and try_invite(ctx, args):
            return
        ctx.say(texts.WELCOME_BACK.format(name=ctx.me.full_name, cell=ctx.me.cell_name))
        show_help(ctx, "")

    def show_help(ctx: Ctx, _args: str) -> None:
        lines = [texts.HELP_HEADER.format(name=ctx.me.full_name, cell=ctx.me.cell_name)]
        buttons: list[tuple[str, str]] = []
        for audience, section in registry.menu(ctx.me):
            lines.append(f"\n{SECTION_TITLES[audience]}:")
            for command in section:
                lines.append(f"/{command.name} – {command.description}")
                buttons.append((f"/{command.name}", command.description))
        lines.append("\n" + texts.HELP_FOOTER)
        ctx.menu("\n".join(lines), buttons)

    def profile(ctx: Ctx, _args: str) -> None:
        me = ctx.me
        member = ctx.session.get(Member, me.member_id)
        assert member is not None
        roles = ", ".join(texts.ROLE_LABELS[r] for r in me.roles()) or texts.NO_ROLE
        joined = member.joined_on.strftime("%d/%m/%Y") if member.joined_on else texts.NOT_RECORDED
        ctx.say(
            texts.PROFILE.format(
                name=member.full_name,
                code=member.code,
                cell=me.cell_name,
                status=texts.STATUS_LABELS.get(member.status, member.status),
                joined=joined,
                roles=roles,
            )
        )

    def own_cell(ctx: Ctx, _args: str) -> None:
        cell = ctx.session.get(Unit, ctx.me.cell_id)
        assert cell is not None
        ctx.require(Permission.MEMBER, cell)
        ctx.say(describe_cell(ctx, cell))

    registry.command(Command("start", texts.CMD_START, Audience.MEMBER, start, in_menu=False))
    registry.command(Command("help", texts.CMD_HELP, Audience.MEMBER, show_help, ("menu",)))
    registry.command(Command("toi", texts.CMD_PROFILE, Audience.MEMBER, profile))
    registry.command(Command("chibo", texts.CMD_CELL, Audience.MEMBER, own_cell))


def describe_cell(ctx: Ctx, cell: Unit) -> str:
    """The cell's member list. Everyone sees who is secretary and deputy, since that is whom a
    member turns to; only the cell's managers also see who is not yet connected."""
    assert cell.id is not None
    members = cell_members(ctx.session, cell.id)
    lines = [texts.CELL_HEADER.format(cell=cell.name, count=len(members))]
    manager = cell.id in ctx.me.managed_cell_ids or ctx.me.is_admin
    linked = linked_member_ids(ctx.session, [m.id for m in members if m.id]) if manager else set()
    roles = cell_roles(ctx.session, cell.id)
    for index, member in enumerate(members, start=1):
        status = texts.STATUS_LABELS.get(member.status, member.status)
        found = roles.get(member.id or 0)
        role = f", {texts.ROLE_LABELS[found].lower()}" if found else ""
        if manager:
            lines.append(
                texts.CELL_LINE_SECRETARY.format(
                    index=index,
                    name=member.full_name,
                    status=status,
                    role=role,
                    linked=texts.LINKED_MARK if member.id in linked else texts.NOT_LINKED_MARK,
                )
            )
        else:
            lines.append(
                texts.CELL_LINE.format(index=index, name=member.full_name, status=status, role=role)
            )
    return "\n".join(lines)
