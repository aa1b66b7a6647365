"""Commands every member has: start, help (the two-level menu), profile, own cell."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.onboarding import try_invite
from handlers.registry import Action, Audience, Command, Registry, Topic
from models import Member, Unit
from services import texts
from services.auth import Permission
from services.menu import MENU
from services.org import cell_members, cell_roles, linked_member_ids
from services.questions import PAUSED

TOPIC_TITLES = {
    Topic.MEETINGS: texts.TOPIC_MEETINGS,
    Topic.DIRECTIVES: texts.TOPIC_DIRECTIVES,
    Topic.STUDY: texts.TOPIC_STUDY,
    Topic.FEES: texts.TOPIC_FEES,
    Topic.LOOKUP: texts.TOPIC_LOOKUP,
    Topic.PERSONAL: texts.TOPIC_PERSONAL,
    Topic.CELL: texts.TOPIC_CELL,
    Topic.COMMITTEE: texts.TOPIC_COMMITTEE,
    Topic.ADMIN: texts.TOPIC_ADMIN,
}


def register(registry: Registry) -> None:
    def start(ctx: Ctx, args: str) -> None:
        if args and try_invite(ctx, args):
            return
        ctx.say(texts.WELCOME_BACK.format(name=ctx.me.full_name, cell=ctx.me.cell_name))
        show_help(ctx, "")

    def show_help(ctx: Ctx, _args: str) -> None:
        """The first screen: the shortcuts, then the topics. A topic holding one command for
        this person is that command (no list of one to open); the others open their list."""
        shortcuts, topics = registry.front(ctx.me)
        options = [(f"/{c.name}", c.description) for c in shortcuts]
        for topic, commands in topics:
            title = TOPIC_TITLES[topic]
            if len(commands) == 1:
                options.append((f"/{commands[0].name}", title))
            else:
                options.append((MENU(topic.value), texts.MENU_TOPIC_OPTION.format(title=title)))
        header = texts.HELP_HEADER.format(name=ctx.me.full_name, cell=ctx.me.cell_name)
        ctx.menu(f"{header}\n{texts.HELP_FOOTER}\n{texts.HELP_LIST}", options)

    def show_topic(ctx: Ctx, topic: Topic, commands: list[Command]) -> None:
        options = [(f"/{c.name}", c.description) for c in commands]
        title = TOPIC_TITLES[topic]
        ctx.menu(texts.MENU_TOPIC_HEADER.format(title=title), [*options, (MENU(), texts.MENU_BACK)])
        ctx.chosen = title

    def menu_button(ctx: Ctx, args: list[str]) -> None:
        """A topic of the menu (`menu:<topic>`) or its first screen again (`menu`, "Quay lại").

        Moving about the menu is not leaving it: a task the menu set aside stays for /tieptuc,
        and what waits behind the menu is not offered over it. A pressed button counts only
        while it is on offer (as the core treats the menu's commands): one from an older menu,
        or a topic that holds nothing for this person any more, is stale."""
        pressed = ctx.incoming.choice
        if pressed is not None and pressed not in {key for key, _ in ctx.state.options or []}:
            ctx.say(texts.STALE_BUTTON)
            return
        found = registry.topic(ctx.me, args[0]) if args else None
        if args and (len(args) > 1 or found is None):
            ctx.say(texts.STALE_BUTTON)
            return
        paused = (ctx.state.data or {}).get(PAUSED)
        if found is None:
            show_help(ctx, "")
        else:
            show_topic(ctx, *found)
        if paused is not None:
            ctx.update_data(**{PAUSED: paused})
        ctx.keep_options = True

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
    registry.command(
        Command("toi", texts.CMD_PROFILE, Audience.MEMBER, profile, topic=Topic.PERSONAL)
    )
    registry.command(
        Command("chibo", texts.CMD_CELL, Audience.MEMBER, own_cell, topic=Topic.PERSONAL)
    )
    registry.action(Action(MENU, menu_button))


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
