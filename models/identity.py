"""Chat accounts, invites and the record of invite attempts (for rate limiting)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class ChatIdentity(SQLModel, table=True):
    """One account on one channel. Ids are strings: Telegram's exceed 32 bits, Zalo's are strings.

    `member_id` is None once the account has been unlinked (the member moved to a new account);
    `active` turns False when the platform says the user blocked the bot.
    """

    __tablename__ = "chat_identities"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id", name="uq_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_type=sa.String(16))
    external_id: str = Field(sa_type=sa.String(64))
    chat_id: str = Field(sa_type=sa.String(64))
    member_id: int | None = Field(default=None, foreign_key="members.id", index=True)
    display_name: str | None = Field(default=None, sa_type=sa.String(200))
    active: bool = True
    linked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    """A single-use code that links a chat account to a member.

    Only a keyed hash is stored (`services.invites.hash_code`: HMAC under INVITE_SECRET, which
    never enters the database); rows without the `h1:` prefix are older plain SHA-256 hashes.
    """

    __tablename__ = "invites"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    code_hash: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by_identity_id: int | None = Field(default=None, foreign_key="chat_identities.id")
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")


class InviteAttempt(SQLModel, table=True):
    """A code tried from a chat; wrong ones count towards the hourly limit."""

    __tablename__ = "invite_attempts"
    __table_args__ = (sa.Index("ix_invite_attempts_chat", "channel", "chat_key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_type=sa.String(16))
    chat_key: str = Field(sa_type=sa.String(64))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    success: bool = False
