"""Chat accounts: find or create on every update, mark blocked, link the local terminal."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import Channel, ChatIdentity, Member, RoleAssignment, Unit
from services import audit
from services.auth import Actor, MemberFacts, actor_of
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
    _touch(session, identity, chat_id, now=now, display_name=display_name, is_group=is_group)
    return identity


def identify(
    session: Session,
    channel: str,
    user_id: str,
    chat_id: str,
    *,
    now: datetime,
    display_name: str | None = None,
    is_group: bool = False,
) -> tuple[ChatIdentity, Actor | None]:
    """`touch_identity` and the linked member's `Actor` in one round trip: the account, its
    member, the member's cell name and roles in one query (a row per role), the account's row
    locked as `touch_identity` locks it. Every update starts here (issue 16: the update path)."""
    rows = session.execute(
        sa.select(
            ChatIdentity,
            col(Member.id),
            col(Member.code),
            col(Member.full_name),
            col(Member.status),
            col(Member.cell_id),
            col(Unit.name),
            col(RoleAssignment.role),
            col(RoleAssignment.unit_id),
        )
        .outerjoin(Member, col(Member.id) == ChatIdentity.member_id)
        .outerjoin(Unit, col(Unit.id) == Member.cell_id)
        .outerjoin(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .where(col(ChatIdentity.channel) == channel)
        .where(col(ChatIdentity.external_id) == user_id)
        .with_for_update(of=ChatIdentity)
    ).all()
    identity = rows[0][0] if rows else None
    if identity is None:
        identity = ChatIdentity(channel=channel, external_id=user_id, chat_id=chat_id)
    _touch(session, identity, chat_id, now=now, display_name=display_name, is_group=is_group)
    first = rows[0] if rows else None
    if first is None or first[1] is None:
        return identity, None
    member = MemberFacts(first[1], first[2], first[3], first[4], first[5])
    roles = [(row[7], row[8]) for row in rows if row[7] is not None]
    return identity, actor_of(member, first[6] or "", roles)


def _touch(
    session: Session,
    identity: ChatIdentity,
    chat_id: str,
    *,
    now: datetime,
    display_name: str | None,
    is_group: bool,
) -> None:
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
