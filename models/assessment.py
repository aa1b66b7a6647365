"""The quality assessment of party members (Quy định 366-QĐ/TW): a cell's period, the points
its secretary adds or removes, and the band the cell decided for each member.

The suggestion itself is computed from the other features' facts and never stored while the
period is open: facts recorded late (a fee paid, a task closed) show up at once. The decision
keeps the suggestion as it stood when the band was recorded (`suggested_*`, `breakdown`), so a
locked period reads the same for ever, whatever changes in the facts later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class AssessmentPeriod(SQLModel, table=True):
    """One cell's assessment of one period (`period`: "2026" or "2026-Q3").

    `status`: `open` (the secretary works), `submitted` (waiting for the committee above),
    `locked` (approved: nothing changes until an audited unlock sets it `open` again)."""

    __tablename__ = "assessment_periods"
    __table_args__ = (sa.UniqueConstraint("cell_id", "period", name="uq_assessment_cell_period"),)

    id: int | None = Field(default=None, primary_key=True)
    cell_id: int = Field(foreign_key="units.id", index=True)
    period: str = Field(sa_type=sa.String(8), index=True)
    status: str = Field(default="open", sa_type=sa.String(16))
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    unlocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unlocked_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    unlock_reason: str | None = Field(default=None, sa_type=sa.String(500))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssessmentAdjustment(SQLModel, table=True):
    """Points the secretary adds (positive) or removes (negative) for one member, with why."""

    __tablename__ = "assessment_adjustments"

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="assessment_periods.id", index=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    points: int
    reason: str = Field(sa_type=sa.String(500))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")


class AssessmentDecision(SQLModel, table=True):
    """The band the cell decided for one member: the vote when one was taken, the note that
    explains a band other than the suggestion, and the suggestion as it then stood."""

    __tablename__ = "assessment_decisions"
    __table_args__ = (sa.UniqueConstraint("period_id", "member_id", name="uq_assessment_decision"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="assessment_periods.id", index=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    band: str = Field(sa_type=sa.String(24))
    votes_for: int | None = None
    votes_cast: int | None = None
    note: str | None = Field(default=None, sa_type=sa.String(500))
    suggested_score: int | None = None
    suggested_band: str | None = Field(default=None, sa_type=sa.String(24))
    breakdown: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by_member_id: int | None = Field(default=None, foreign_key="members.id")
