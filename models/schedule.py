"""The scheduler's claims: one row per piece of due work, written once, by whoever does it.

Scheduled work (a meeting's reminders, a directive's 24-hour reminder, a task's deadline, a
week's statistics) is derived from other rows; nothing is stored in advance. When a process finds
an item due, it inserts the item's deterministic `job_key` (``meeting:12:remind_1d:…``,
``weekly:2026-W48:member:16``) with INSERT … ON CONFLICT DO NOTHING in the same transaction
as the outbox rows the item enqueues. So the key exists exactly when its messages exist: a second
process (or the same one after a restart) finds the key and does nothing, and a crash before the
commit leaves neither, so the item is simply found due again.

There is no lease and no "done" column, unlike the outbox: the claim and its effect commit
together, so there is never a claimed-but-unfinished row to recover. The slow part (sending)
belongs to the outbox, which has its own lease.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


class ScheduledRun(SQLModel, table=True):
    """One decision about one due item: sent (`deliveries` rows enqueued), skipped (the item
    no longer applied: the meeting was cancelled, everyone acknowledged), or stale (it fell due
    while no process ran and its moment has passed; see docs/scheduler.md)."""

    __tablename__ = "scheduled_runs"
    __table_args__ = (sa.Index("ix_scheduled_runs_kind_due", "kind", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job_key: str = Field(sa_type=sa.String(200), unique=True)
    kind: str = Field(sa_type=sa.String(40))
    ref_id: int | None = None
    due_at: datetime = Field(sa_type=UTCDateTime)
    claimed_at: datetime = Field(sa_type=UTCDateTime)
    claimed_by: str = Field(sa_type=sa.String(64))
    outcome: str = Field(sa_type=sa.String(16))
    deliveries: int = 0
    note: str | None = Field(default=None, sa_type=sa.String(200))
