"""Linking a chat account to a member with an invite code (`/start CODE`, or the code alone)."""

from __future__ import annotations

from handlers.context import Ctx
from models import Unit
from services import texts
from services.auth import load_actor
from services.identities import touch_identity
from services.invites import RedeemOutcome, looks_like_code, redeem

_MESSAGES = {
    RedeemOutcome.WRONG: texts.INVITE_WRONG,
    RedeemOutcome.EXPIRED: texts.INVITE_EXPIRED,
    RedeemOutcome.USED: texts.INVITE_USED,
    RedeemOutcome.REVOKED: texts.INVITE_REVOKED,
    RedeemOutcome.TOO_MANY: texts.INVITE_TOO_MANY,
}


def try_invite(ctx: Ctx, text: str) -> bool:
    """Handle `text` as an invite code; False when it does not even look like one."""
    if not looks_like_code(text):
        return False
    incoming = ctx.incoming
    identity = touch_identity(
        ctx.session, incoming.channel, incoming.user_id, incoming.chat_id, now=ctx.now
    )
    result = redeem(ctx.session, text, identity, now=ctx.now, secret=ctx.config.invite_secret)
    if result.outcome is not RedeemOutcome.LINKED or result.member is None:
        ctx.say(_MESSAGES[result.outcome])
        return True
    member = result.member
    cell = ctx.session.get(Unit, member.cell_id)
    ctx.actor = load_actor(ctx.session, member)
    ctx.finish()
    ctx.say(
        texts.WELCOME_LINKED.format(name=member.full_name, cell=cell.name if cell else ""),
    )
    return True
