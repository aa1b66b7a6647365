"""Webhook updates recorded before they are answered, so a process that dies loses none.

A platform that pushes to a webhook (Zalo) wants a quick answer, and after a 200 it never
sends the update again. So the update is written here first (one short INSERT), then answered,
then handled in the background; a process that dies in between leaves the row unhandled, and
any web process picks it up after a grace period (`services.inbox`). The row also recognises a
repeated delivery: (channel, update_key) is unique, and a handled row stays until it is older
than the platform's repeats (`services.inbox.KEEP`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


class InboxUpdate(SQLModel, table=True):
    """One received update: its key and body, who holds it until when, and when it was handled.

    `claimed_until` is the claim's end: the receiving process holds a new row for the grace
    period, a process that picks it up holds it for its lease; an unhandled row past it may be
    taken by any process. `handled_at` is set in the core's transaction (or right after it, for
    an update the core refused), and only where it was still empty, so one handling commits.
    """

    __tablename__ = "inbound_inbox"
    __table_args__ = (
        sa.UniqueConstraint("channel", "update_key"),
        # Both the pick-up (unhandled rows past their claim) and the purge (rows handled long
        # ago) read this index.
        sa.Index("ix_inbound_inbox_pending", "handled_at", "claimed_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_type=sa.String(16))
    update_key: str = Field(sa_type=sa.String(200))
    body: str = Field(sa_type=sa.Text)
    received_at: datetime = Field(sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, sa_type=sa.String(64))
    claimed_until: datetime = Field(sa_type=UTCDateTime)
    attempts: int = Field(default=1)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, sa_type=sa.String(200))
