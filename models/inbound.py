"""Updates already received from a platform, so a repeated delivery is answered once.

Zalo may hand the same update over twice (a consumed getUpdates result comes again, a webhook
call is retried), and with several web processes, or after a restart, no in-memory set can
tell. One row per (channel, update key) does: the first process to insert it handles the
update, every later insert finds it and drops the repeat. Rows only matter for as long as a
platform might repeat itself, so they are purged after a few days (`services.inbound`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


class InboundUpdate(SQLModel, table=True):
    """A received update's key; the primary key (channel, update_key) is the uniqueness."""

    __tablename__ = "inbound_updates"
    __table_args__ = (sa.Index("ix_inbound_updates_received_at", "received_at"),)

    channel: str = Field(sa_type=sa.String(16), primary_key=True)
    update_key: str = Field(sa_type=sa.String(200), primary_key=True)
    received_at: datetime = Field(sa_type=UTCDateTime)
