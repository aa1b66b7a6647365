"""`/moi`: invites from the chat, for secretaries, deputies and committees (and admins).

Who may be invited is decided by `services.invites.invite_refusal`; this module only offers
the members that rule allows and asks it again for the one chosen (a button may be old or
forged). A secretary or deputy picks from their cell; a committee member, whose subtree may
hold thousands of members, types a member code or part of a name.
"""

from __future__ import annotations

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, page, page_key
from handlers.registry import Audience, Command, Registry
from models import Channel, Member
from services import texts
from services.invites import deep_link, invitable, issue_invite, refusal_text, search_invitable
from services.org import cell_members, linked_member_ids

SEARCH_KEY = "s"


class InviteFlow(Flow):
    """`/moi [code or name]`: choose a member and get a code to hand over.

    Members already connected are offered too (after the others): a member who changed phone
    is re-linked with a new code, and the old account is cut off when it is used.
    """

    name = "invite"

    def begin(self, ctx: Ctx, args: str) -> None:
        if args.strip():
            self._search(ctx, args.strip())
        elif ctx.me.managed_cell_ids:
            self._offer(ctx, 0)
        else:
            self._ask_search(ctx)

    def _offer(self, ctx: Ctx, number: int) -> None:
        """The inviter's own cell(s), those not yet connected first, each by name."""
        members: list[Member] = []
        for cell_id in sorted(ctx.me.managed_cell_ids):
            members += cell_members(ctx.session, cell_id)
        allowed = invitable(ctx.session, ctx.me, members)
        linked = linked_member_ids(ctx.session, [m.id for m in allowed if m.id])
        allowed.sort(key=lambda m: m.id in linked)  # stable: names stay in order
        can_search = ctx.me.is_committee
        if not allowed:
            if can_search:
                self._ask_search(ctx)
                return
            ctx.finish()
            ctx.say(texts.INVITE_NOBODY)
            return
        items = [
            (
                f"m{m.id}",
                texts.INVITE_LINKED_LABEL.format(name=m.full_name)
                if m.id in linked
                else m.full_name,
            )
            for m in allowed
        ]
        options = page(items, number)
        if can_search:
            options.append((SEARCH_KEY, texts.INVITE_SEARCH_OPTION))
        ctx.ask(self.name, "member", texts.INVITE_CHOOSE_MEMBER, options)

    def _ask_search(self, ctx: Ctx) -> None:
        ctx.ask(self.name, "search", texts.INVITE_ASK_MEMBER)

    def _search(self, ctx: Ctx, text: str) -> None:
        found = search_invitable(ctx.session, ctx.me, text)
        if found.by_code and found.total == 1:
            self._issue(ctx, found.members[0])
            return
        if found.total == 0:
            reasons = dict.fromkeys(refusal_text(ctx.me, m, r) for m, r in found.refused[:3])
            ctx.say("\n".join(reasons) or texts.INVITE_SEARCH_NONE.format(text=text))
            self._ask_search(ctx)
            return
        if found.total > len(found.members):
            ctx.say(texts.INVITE_SEARCH_TOO_MANY.format(count=found.total, text=text))
            self._ask_search(ctx)
            return
        options = [
            (f"m{m.id}", texts.INVITE_SEARCH_LABEL.format(name=m.full_name, code=m.code))
            for m in found.members
        ]
        ctx.ask(self.name, "member", texts.INVITE_SEARCH_CHOOSE, options)

    def step_search(self, ctx: Ctx, answer: Answer) -> None:
        self._search(ctx, (answer.text or "").strip())

    def step_member(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        if key == SEARCH_KEY:
            self._ask_search(ctx)
            return
        number = page_key(key)
        if number is not None:
            self._offer(ctx, number)
            return
        member_id = as_id(key[1:]) if key.startswith("m") else None
        member = ctx.session.get(Member, member_id) if member_id else None
        if member is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        self._issue(ctx, member)

    def _issue(self, ctx: Ctx, member: Member) -> None:
        """Issue the code; `issue_invite` re-checks the rule, since the offer may be old."""
        assert member.id is not None
        relink = member.id in linked_member_ids(ctx.session, [member.id])
        code, invite = issue_invite(
            ctx.session,
            member,
            now=ctx.now,
            ttl=ctx.config.invite_ttl,
            secret=ctx.config.invite_secret,
            inviter=ctx.me,
        )
        ctx.finish()
        expires = invite.expires_at.astimezone(ctx.config.tz).strftime("%d/%m/%Y")
        values = {"name": member.full_name, "code": code, "expires": expires}
        # On Zalo a t.me link is noise: the member will most likely join where the secretary is.
        on_zalo = ctx.incoming.channel == Channel.ZALO
        link = None if on_zalo else deep_link(ctx.config.telegram_bot_username, code)
        if link:
            issued = texts.INVITE_ISSUED.format(link=link, **values)
        else:
            issued = texts.INVITE_ISSUED_NO_LINK.format(**values)
        if relink:
            issued += "\n\n" + texts.INVITE_RELINK_NOTE.format(name=member.full_name)
        ctx.say(issued)


def register(registry: Registry) -> None:
    flow = registry.flow(InviteFlow())
    registry.command(Command("moi", texts.CMD_INVITE, Audience.LEADER, flow.begin))
