"""Secretary and deputy commands over their own cell."""

from __future__ import annotations

from handlers.context import Answer, Ctx, Flow
from handlers.registry import Audience, Command, Registry
from models import Channel, Member, Unit
from services import texts
from services.auth import Permission
from services.invites import deep_link, issue_invite
from services.org import cell_members, linked_member_ids

PAGE_SIZE = 8


class InviteFlow(Flow):
    """`/moi`: pick a not-yet-connected member of the cell and get a code to hand over."""

    name = "invite"

    def begin(self, ctx: Ctx, args: str) -> None:
        cell = ctx.session.get(Unit, min(ctx.me.managed_cell_ids or {ctx.me.cell_id}))
        assert cell is not None
        ctx.require(Permission.MANAGE_CELL, cell)
        self._offer(ctx, cell, page=0)

    def _offer(self, ctx: Ctx, cell: Unit, page: int) -> None:
        assert cell.id is not None
        members = cell_members(ctx.session, cell.id)
        linked = linked_member_ids(ctx.session, [m.id for m in members if m.id])
        waiting = [m for m in members if m.id not in linked]
        if not waiting:
            ctx.finish()
            ctx.say(texts.INVITE_ALL_LINKED)
            return
        start = page * PAGE_SIZE
        shown = waiting[start : start + PAGE_SIZE]
        options = [(f"m{m.id}", m.full_name) for m in shown]
        if start + PAGE_SIZE < len(waiting):
            options.append((f"p{page + 1}", texts.MORE))
        ctx.ask(self.name, "member", texts.INVITE_CHOOSE_MEMBER, options, data={"cell": cell.id})

    def step_member(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        cell = ctx.session.get(Unit, int(ctx.data.get("cell", 0)))
        if cell is None:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return
        ctx.require(Permission.MANAGE_CELL, cell)
        if key.startswith("p") and key[1:].isdigit():
            self._offer(ctx, cell, page=int(key[1:]))
            return
        member = ctx.session.get(Member, int(key[1:])) if key[1:].isdigit() else None
        # The member must still be in a cell this secretary manages: the list may be old.
        target_cell = ctx.session.get(Unit, member.cell_id) if member else None
        if member is None or target_cell is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        ctx.require(Permission.MANAGE_CELL, target_cell)
        code, invite = issue_invite(
            ctx.session, member, now=ctx.now, ttl=ctx.config.invite_ttl, created_by=ctx.me.member_id
        )
        ctx.finish()
        expires = invite.expires_at.astimezone(ctx.config.tz).strftime("%d/%m/%Y")
        values = {"name": member.full_name, "code": code, "expires": expires}
        # On Zalo a t.me link is noise: the member will most likely join where the secretary is.
        on_zalo = ctx.incoming.channel == Channel.ZALO
        link = None if on_zalo else deep_link(ctx.config.telegram_bot_username, code)
        if link:
            ctx.say(texts.INVITE_ISSUED.format(link=link, **values))
        else:
            ctx.say(texts.INVITE_ISSUED_NO_LINK.format(**values))


def register(registry: Registry) -> None:
    flow = registry.flow(InviteFlow())
    registry.command(Command("moi", texts.CMD_INVITE, Audience.SECRETARY, flow.begin))
