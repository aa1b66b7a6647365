"""Party fees: who pays how much (bases and reductions, with history), who collects, the
account members pay into, payments and claims, and the months a cell has closed.

What a member owes is computed, never stored: the dues of each month follow from the basis in
force that month (`fee_profiles`, one row per change) and any reduction, and payments clear
the oldest month first (`services.fees.ledger`). Only facts are kept here, so correcting a
basis or an amount never leaves a stale total behind.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class FeeUnitSettings(SQLModel, table=True):
    """Per unit (a cell or a base organisation above it; cells inherit from the nearest
    ancestor that sets a value): the region of the minimum wage, and the account members pay
    into. `payee_member_id` is set when the account is a person's own (the collector's), so the
    members see whose it is."""

    __tablename__ = "fee_unit_settings"

    unit_id: int = Field(foreign_key="units.id", primary_key=True)
    region: int | None = None
    bank_bin: str | None = Field(default=None, sa_type=sa.String(6))
    account_number: str | None = Field(default=None, sa_type=sa.String(19))
    account_holder: str | None = Field(default=None, sa_type=sa.String(100))
    payee_member_id: int | None = Field(default=None, foreign_key="members.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_member_id: int | None = Field(default=None, foreign_key="members.id")


class FeeCollector(SQLModel, table=True):
    """The member the secretary named collector (thủ quỹ) of a cell; the secretary always is."""

    __tablename__ = "fee_collectors"

    cell_id: int = Field(foreign_key="units.id", primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    appointed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    appointed_by_member_id: int | None = Field(default=None, foreign_key="members.id")


class FeeProfile(SQLModel, table=True):
    """A member's fee basis from `valid_from` (the first of a month) until the next row: a
    change applies from its month on, and earlier months keep what was in force then."""

    __tablename__ = "fee_profiles"
    __table_args__ = (sa.UniqueConstraint("member_id", "valid_from", name="uq_fee_profiles_month"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    valid_from: date
    basis: str = Field(sa_type=sa.String(24))
    income: int | None = Field(default=None, sa_type=sa.BigInteger)
    region: int | None = None  # the member's own override of the unit's region
    exemption: str | None = Field(default=None, sa_type=sa.String(24))
    birth_date: date | None = None
    source: str = Field(default="collector", sa_type=sa.String(16))  # collector | import
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")


class FeeReduction(SQLModel, table=True):
    """A hardship reduction (30/50/70/100 %) for at most 12 months from `start`; it ends by
    itself, or earlier when `cancelled_at` is set."""

    __tablename__ = "fee_reductions"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    percent: int
    reason: str = Field(sa_type=sa.String(300))
    start: date
    months: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FeePayment(SQLModel, table=True):
    """Money a member paid or says they paid.

    `status`: `claimed` (the member says so: a transfer or the public-service portal; waits
    for the collector), `confirmed` (counts), `rejected` (with `reject_reason`). `book_month`
    is the month whose book records the money: the month it was received (confirmed), even when
    it clears an earlier, already closed month. `key` makes a repeated press or request record
    nothing new.
    """

    __tablename__ = "fee_payments"
    __table_args__ = (sa.Index("ix_fee_payments_cell_book", "cell_id", "book_month"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, sa_type=sa.String(64), unique=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    cell_id: int = Field(foreign_key="units.id")
    amount: int = Field(sa_type=sa.BigInteger)
    extra: int = Field(default=0, sa_type=sa.BigInteger)  # of `amount`, paid on top on purpose
    method: str = Field(sa_type=sa.String(16))  # cash | transfer | portal
    status: str = Field(sa_type=sa.String(16))  # claimed | confirmed | rejected
    book_month: date | None = None
    paid_on: date
    note: str | None = Field(default=None, sa_type=sa.String(500))
    receipt_ref: str | None = Field(default=None, sa_type=sa.String(500))
    reject_reason: str | None = Field(default=None, sa_type=sa.String(500))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_member_id: int | None = Field(default=None, foreign_key="members.id")


class FeeMonthClose(SQLModel, table=True):
    """A cell's month closed by its collector: the totals as they stood, and what goes up."""

    __tablename__ = "fee_month_closes"
    __table_args__ = (sa.UniqueConstraint("cell_id", "month", name="uq_fee_month_closes_month"),)

    id: int | None = Field(default=None, primary_key=True)
    cell_id: int = Field(foreign_key="units.id", index=True)
    month: date
    expected: int = Field(sa_type=sa.BigInteger)
    collected: int = Field(sa_type=sa.BigInteger)
    remit: int = Field(sa_type=sa.BigInteger)
    closed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_by_member_id: int | None = Field(default=None, foreign_key="members.id")


class FeeReminder(SQLModel, table=True):
    """When a cell last sent its reminder round (at most one every few days)."""

    __tablename__ = "fee_reminders"

    cell_id: int = Field(foreign_key="units.id", primary_key=True)
    sent_at: datetime = Field(sa_type=UTCDateTime)
    sent_by_member_id: int | None = Field(default=None, foreign_key="members.id")
