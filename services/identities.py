"""Chat accounts: find or create on every update, mark blocked, link the local terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import Channel, ChatIdentity, ConversationState, Member, RoleAssignment, Unit
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


def _actor_statement(with_state: bool) -> sa.Select[Any]:
    """The account, its member, the member's cell name and roles (a row per role); with
    `with_state`, the chat's conversation state too, inner-joined (so no row when either is
    missing). Built once, with bound parameters: building the expression and its cache key
    on every update was a third of the core's CPU (issue 16)."""
    entities: list[Any] = [ChatIdentity]
    if with_state:
        entities.append(ConversationState)
    statement = sa.select(
        *entities,
        col(Member.id),
        col(Member.code),
        col(Member.full_name),
        col(Member.status),
        col(Member.cell_id),
        col(Unit.name),
        col(RoleAssignment.role),
        col(RoleAssignment.unit_id),
    ).select_from(ChatIdentity)
    if with_state:
        statement = statement.join(
            ConversationState,
            sa.and_(
                col(ConversationState.channel) == col(ChatIdentity.channel),
                col(ConversationState.user_id) == col(ChatIdentity.external_id),
                col(ConversationState.chat_id) == sa.bindparam("chat_id"),
            ),
        )
    statement = (
        statement.outerjoin(Member, col(Member.id) == ChatIdentity.member_id)
        .outerjoin(Unit, col(Unit.id) == Member.cell_id)
        .outerjoin(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .where(col(ChatIdentity.channel) == sa.bindparam("channel"))
        .where(col(ChatIdentity.external_id) == sa.bindparam("user_id"))
    )
    # Both rows locked when both are read: PostgreSQL (READ COMMITTED) then re-reads each
    # locked row at its newest version after waiting, or when it changed since the statement
    # began. A row only joined (not locked) would stay as the statement first saw it: the
    # state an update committed a moment earlier by a quick second tap. Member and roles stay
    # unlocked: they are not written under this lock.
    locked = [ChatIdentity, ConversationState] if with_state else [ChatIdentity]
    return statement.with_for_update(of=locked)


_ACTOR = _actor_statement(with_state=False)
_ACTOR_AND_STATE = _actor_statement(with_state=True)


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
    locked as `touch_identity` locks it."""
    rows = session.execute(_ACTOR, {"channel": channel, "user_id": user_id}).all()
    identity = rows[0][0] if rows else None
    if identity is None:
        identity = ChatIdentity(channel=channel, external_id=user_id, chat_id=chat_id)
    _touch(session, identity, chat_id, now=now, display_name=display_name, is_group=is_group)
    return identity, _actor(rows, 1)


def identify_in_chat(
    session: Session,
    channel: str,
    user_id: str,
    chat_id: str,
    *,
    now: datetime,
    display_name: str | None = None,
    is_group: bool = False,
) -> tuple[ChatIdentity, Actor | None, ConversationState | None]:
    """`identify`, and the user's conversation state in this chat, in the same query (every
    update starts here: issue 16, the update path). Both rows are locked, so two quick taps
    are served in turn and the second sees what the first wrote. The state is None when the
    account or the state row does not exist yet (a first contact, a new chat): then this is
    `identify` alone, and the caller reads or creates the state after it, under the lock."""
    rows = session.execute(
        _ACTOR_AND_STATE, {"channel": channel, "user_id": user_id, "chat_id": chat_id}
    ).all()
    if not rows:
        identity, actor = identify(
            session,
            channel,
            user_id,
            chat_id,
            now=now,
            display_name=display_name,
            is_group=is_group,
        )
        return identity, actor, None
    identity, state = rows[0][0], rows[0][1]
    _touch(session, identity, chat_id, now=now, display_name=display_name, is_group=is_group)
    return identity, _actor(rows, 2), state


def _actor(rows: Sequence[sa.Row[Any]], at: int) -> Actor | None:
    """The `Actor` from the member's columns, which start at `at` in each row."""
    first = rows[0] if rows else None
    if first is None or first[at] is None:
        return None
    member = MemberFacts(first[at], first[at + 1], first[at + 2], first[at + 3], first[at + 4])
    roles = [(row[at + 6], row[at + 7]) for row in rows if row[at + 6] is not None]
    return actor_of(member, first[at + 5] or "", roles)


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
