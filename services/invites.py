"""Invites: single-use, expiring, stored hashed; guessing is limited per chat."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import ChatIdentity, Invite, InviteAttempt, Member
from services import audit

# No I, L, O, 0 or 1: codes are read aloud and copied from paper by elderly members.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_WRONG_PER_HOUR = 5
_CODE_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\- ]{6,18}[A-Za-z0-9]$")


class RedeemOutcome(StrEnum):
    LINKED = "linked"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    member: Member | None = None


def deep_link(bot_username: str | None, code: str) -> str | None:
    """The t.me link that opens the bot with `/start CODE`; None while the username is unknown."""
    if not bot_username:
        return None
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """Members type codes with spaces, dashes or lower case; none of that matters."""
    return re.sub(r"[\s\-]", "", text).upper()


def looks_like_code(text: str) -> bool:
    return bool(_CODE_LIKE.match(text.strip())) and len(normalize_code(text)) == CODE_LENGTH


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def issue_invite(
    session: Session,
    member: Member,
    *,
    now: datetime,
    ttl: timedelta,
    created_by: int | None = None,
    actor_label: str | None = None,
) -> tuple[str, Invite]:
    """A new code for the member. Earlier unused codes stop working, so only the last one counts."""
    session.exec(
        sa.update(Invite)
        .where(col(Invite.member_id) == member.id)
        .where(col(Invite.used_at).is_(None))
        .where(col(Invite.expires_at) > now)
        .values(expires_at=now)
    )
    code = new_code()
    invite = Invite(
        member_id=member.id or 0,
        code_hash=hash_code(code),
        created_at=now,
        expires_at=now + ttl,
        created_by_member_id=created_by,
    )
    session.add(invite)
    session.flush()
    audit.record(
        session,
        "invite.issued",
        "member",
        member.id,
        actor_member_id=created_by,
        actor_label=actor_label,
        detail={"invite_id": invite.id, "expires_at": invite.expires_at.isoformat()},
        at=now,
    )
    return code, invite


def wrong_attempts_last_hour(session: Session, channel: str, chat_key: str, now: datetime) -> int:
    count = session.exec(
        select(sa.func.count())
        .select_from(InviteAttempt)
        .where(InviteAttempt.channel == channel)
        .where(InviteAttempt.chat_key == chat_key)
        .where(col(InviteAttempt.success).is_(False))
        .where(col(InviteAttempt.at) > now - timedelta(hours=1))
    ).one()
    return int(count)


def redeem(
    session: Session,
    code: str,
    identity: ChatIdentity,
    *,
    now: datetime,
) -> RedeemResult:
    """Link `identity` to the invite's member; same-channel accounts of that member are unlinked."""
    key = identity.external_id
    if wrong_attempts_last_hour(session, identity.channel, key, now) >= MAX_WRONG_PER_HOUR:
        return RedeemResult(RedeemOutcome.TOO_MANY)
    invite = session.exec(select(Invite).where(Invite.code_hash == hash_code(code))).first()
    outcome = RedeemOutcome.LINKED
    if invite is None:
        outcome = RedeemOutcome.WRONG
    elif invite.used_at is not None:
        outcome = RedeemOutcome.USED
    elif invite.expires_at <= now:
        outcome = RedeemOutcome.EXPIRED
    session.add(
        InviteAttempt(
            channel=identity.channel,
            chat_key=key,
            at=now,
            success=outcome is RedeemOutcome.LINKED,
        )
    )
    if outcome is not RedeemOutcome.LINKED or invite is None:
        return RedeemResult(outcome)
    member = session.get(Member, invite.member_id)
    assert member is not None
    link_identity(session, identity, member, now=now)
    invite.used_at = now
    invite.used_by_identity_id = identity.id
    session.add(invite)
    return RedeemResult(RedeemOutcome.LINKED, member)


def link_identity(
    session: Session, identity: ChatIdentity, member: Member, *, now: datetime
) -> None:
    """Bind the account to the member and unlink the member's older account on this channel."""
    previous = session.exec(
        select(ChatIdentity)
        .where(ChatIdentity.channel == identity.channel)
        .where(ChatIdentity.member_id == member.id)
        .where(ChatIdentity.id != identity.id)
    ).all()
    for old in previous:
        old.member_id = None
        old.linked_at = None
        session.add(old)
        audit.record(
            session,
            "identity.unlinked",
            "chat_identity",
            old.id,
            actor_member_id=member.id,
            detail={"member_id": member.id, "reason": "new account"},
            at=now,
        )
    was = identity.member_id
    identity.member_id = member.id
    identity.linked_at = now
    identity.active = True
    session.add(identity)
    session.flush()
    audit.record(
        session,
        "identity.linked",
        "chat_identity",
        identity.id,
        actor_member_id=member.id,
        detail={"member_id": member.id, "channel": identity.channel, "previous_member_id": was},
        at=now,
    )
