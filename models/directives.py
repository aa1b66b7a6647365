"""Directives to members, who received them, and the outbox every important message goes through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Directive(SQLModel, table=True):
    """A message from a secretary, deputy or committee member to the members of a unit.

    `unit_id` is the unit it was addressed to: a cell, or a committee's unit (then every cell of
    its subtree). Recipients are listed in `directive_recipients`; the messages themselves are
    rows of `deliveries` (kind "directive", ref_id = this id).
    """

    __tablename__ = "directives"

    id: int | None = Field(default=None, primary_key=True)
    sender_member_id: int = Field(foreign_key="members.id", index=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    audience: str = Field(sa_type=sa.String(16))
    text: str = Field(sa_type=sa.Text)
    file_ref: str | None = Field(default=None, sa_type=sa.String(500))
    file_kind: str | None = Field(default=None, sa_type=sa.String(16))
    recipient_count: int = 0
    reminders: int = 0
    last_reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class DirectiveRecipient(SQLModel, table=True):
    """One member's copy of a directive, and their "Đã nhận" (received) acknowledgement.

    Kept per member rather than per chat account: a member with Telegram and Zalo acknowledges
    once, and a member with no chat account is still listed (and counted as not reached).
    """

    __tablename__ = "directive_recipients"
    __table_args__ = (
        sa.UniqueConstraint("directive_id", "member_id", name="uq_directive_recipient"),
    )

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directives.id", index=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    cell_id: int = Field(foreign_key="units.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """The outbox: one row per message to one chat account, written before anything is sent.

    A delivery worker (`bot.delivery`, docs/delivery.md) claims due rows (`status` pending and
    `next_attempt_at` reached, or `sending` with an expired `lease_until`), sends, and records
    `platform_message_id` or `error`. `dedupe_key` is unique so the same message is never
    enqueued twice, whoever retries. Rows are kept: they are each member's history and the
    source of delivery statistics.

    `payload` is channel-neutral: {"text": str, "options": [{"id", "label"}], "file":
    {"ref", "kind"}}; the channel adapter renders it (buttons or numbered options).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        sa.Index("ix_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_deliveries_ref", "kind", "ref_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(sa_type=sa.String(200), unique=True)
    kind: str = Field(sa_type=sa.String(32))
    ref_id: int | None = None
    member_id: int | None = Field(default=None, foreign_key="members.id", index=True)
    identity_id: int | None = Field(default=None, foreign_key="chat_identities.id")
    channel: str = Field(sa_type=sa.String(16))
    chat_id: str = Field(sa_type=sa.String(64))
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: str = Field(default="pending", sa_type=sa.String(16))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, sa_type=sa.String(64))
    platform_message_id: str | None = Field(default=None, sa_type=sa.String(64))
    error: str | None = Field(default=None, sa_type=sa.String(500))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
