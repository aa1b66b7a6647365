"""What the delivery workers share besides the outbox rows: the per-token pace and part progress.

The outbox itself is `models.directives.Delivery`. Two things live here because several worker
processes must agree on them through the database (DESIGN.md, "Scaling past one machine"):

* `DeliveryRate`: one row per bot token (channel + a hash of the token, never the token). It
  holds the token's schedule: the earliest instant the next message may start (`next_slot_at`,
  a "theoretical arrival time" as in GCRA) and a pause after the platform answered 429. Every
  claim locks this row for a few milliseconds, so any number of workers together keep the
  token's rate.
* `DeliveryPart`: the platform ids of the messages one delivery became when it was split (a
  long text, or a text and a file). A retry after a partial failure starts at the first part
  the platform did not accept, so an accepted part is never sent again.
* `DeliveryWorkerBeat`: one row per running worker, its heartbeat. A worker whose beat is
  older than a few seconds is gone (killed, crashed, its machine lost): any live worker ends
  the leases of the rows it held, so they are sent again within seconds instead of waiting out
  the lease (`bot.delivery.heartbeat`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.directives import Delivery
from models.types import UTCDateTime, utcnow


class DeliveryRate(SQLModel, table=True):
    """The shared send schedule of one bot token.

    `next_slot_at` moves forward by 1/rate for every message claimed, so the messages of all
    workers start at least 1/rate apart. `paused_until` is set from a 429's retry_after: no
    worker claims for this token before then. `claimed_by` and `claimed_at` name the last
    worker that claimed: a worker that sees another one claiming knows it shares the token
    and must keep strictly to its slots.
    """

    __tablename__ = "delivery_rates"

    key: str = Field(sa_type=sa.String(80), primary_key=True)
    next_slot_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, sa_type=sa.String(64))
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeliveryPart(SQLModel, table=True):
    """One accepted message of a delivery that went out as several messages."""

    __tablename__ = "delivery_parts"
    __table_args__ = (sa.UniqueConstraint("delivery_id", "part", name="uq_delivery_part"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="deliveries.id")
    part: int
    platform_message_id: str = Field(sa_type=sa.String(64))
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeliveryWorkerBeat(SQLModel, table=True):
    """A running delivery worker's heartbeat (`worker_id` is the outbox's `lease_owner`).

    Written every second or so by the worker; removed when it stops cleanly. `seen_at` comes
    from the worker's clock, like the leases: machines sharing a database keep their clocks
    within a second (NTP)."""

    __tablename__ = "delivery_workers"

    worker_id: str = Field(sa_type=sa.String(64), primary_key=True)
    channel: str = Field(sa_type=sa.String(16))
    started_at: datetime = Field(sa_type=UTCDateTime)
    seen_at: datetime = Field(sa_type=UTCDateTime, index=True)


# The delivery engine's claim reads the outbox two ways, each a plain index range scan so the
# plan stays cheap at any backlog and without table statistics (bot/delivery/claims.py):
# due rows of a channel in id order, and, for the candidates' chats, the oldest unfinished row
# and the last send (per-chat order and pace). Declared here, not in models/directives.py,
# because they belong to the engine.
_deliveries = Delivery.__table__  # type: ignore[attr-defined]
sa.Index("ix_deliveries_claim", _deliveries.c.channel, _deliveries.c.status, _deliveries.c.id)
sa.Index(
    "ix_deliveries_chat",
    _deliveries.c.channel,
    _deliveries.c.chat_id,
    _deliveries.c.status,
    _deliveries.c.sent_at,
)
