"""Chat accounts: find or create on every update, mark blocked, link the local terminal."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from models import Channel, ChatIdentity, Member
from services import audit
from services.invites import link_identity

LAST_SEEN_PRECISION = timedelta(minutes=1)


def touch_identity(
    session: Session,
    channel: str,
    user_id: str,
    chat_id: str,
    *,
    now: datetime,
    display_name: str | None = None,
    is_group: bool = False,
) -> ChatIdentity:
    """The account behind an update, created on first contact.

    A member who writes again after blocking the bot is reachable again, so `active` comes back.
    The private chat id is only learnt from private chats.
    """
    identity = session.exec(
        select(ChatIdentity)
        .where(ChatIdentity.channel == channel)
        .where(ChatIdentity.external_id == user_id)
        .with_for_update()
    ).first()
    if identity is None:
        identity = ChatIdentity(channel=channel, external_id=user_id, chat_id=chat_id)
    changed = identity.id is None
    if not is_group and (identity.chat_id != chat_id or not identity.active):
        identity.chat_id = chat_id
        identity.active = True
        changed = True
    # "Active" only needs minute precision; skipping the write keeps most updates read-only,
    # which matters on SQLite where writers queue behind each other.
    seen = identity.last_seen_at
    if seen is None or now - seen >= LAST_SEEN_PRECISION or now < seen:
        identity.last_seen_at = now
        changed = True
    if display_name and identity.display_name != display_name[:200]:
        identity.display_name = display_name[:200]
        changed = True
    if changed:
        session.add(identity)
        session.flush()
    return identity


def mark_blocked(session: Session, channel: str, chat_id: str, *, now: datetime) -> int:
    """The platform says the user blocked the bot: stop sending until they write again."""
    rows = session.exec(
        select(ChatIdentity)
        .where(ChatIdentity.channel == channel)
        .where(ChatIdentity.chat_id == chat_id)
    ).all()
    for identity in rows:
        if identity.active:
            identity.active = False
            session.add(identity)
            audit.record(session, "identity.blocked", "chat_identity", identity.id, at=now)
    return len(rows)


def local_identity(session: Session, member: Member, *, now: datetime) -> ChatIdentity:
    """The terminal chat is run by whoever holds the server; it needs no invite."""
    key = f"local-{member.code}"
    identity = touch_identity(session, Channel.TERMINAL, key, key, now=now)
    if identity.member_id != member.id:
        link_identity(session, identity, member, now=now)
    return identity


def find_member(session: Session, code: str) -> Member | None:
    """The member with the code a person typed: exactly, or else without regard to case
    (codes are copied from paper, `dv003` is DV003) when that matches one member only."""
    typed = code.strip()
    exact = session.exec(select(Member).where(Member.code == typed)).first()
    if exact is not None or not typed:
        return exact
    folded = select(Member).where(sa.func.upper(Member.code) == typed.upper()).limit(2)
    matches = session.exec(folded).all()
    return matches[0] if len(matches) == 1 else None
