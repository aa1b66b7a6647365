"""The organisation tree, its members and their roles."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Unit(SQLModel, table=True):
    """A node of the party's tree: upper committee, base organisation or cell.

    `lineage` holds the ids from the root down to this unit (``/1/4/9/``) so that a committee's
    whole subtree is one indexed prefix query, whatever the depth.
    """

    __tablename__ = "units"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200))
    kind: str = Field(sa_type=sa.String(32))
    parent_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    path: str = Field(sa_type=sa.String(1000), unique=True)
    lineage: str = Field(default="/", sa_type=sa.String(400), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Member(SQLModel, table=True):
    """A party member; belongs to exactly one cell."""

    __tablename__ = "members"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=sa.String(32), unique=True)
    full_name: str = Field(sa_type=sa.String(200))
    status: str = Field(sa_type=sa.String(16))
    cell_id: int = Field(foreign_key="units.id", index=True)
    joined_on: date | None = None
    phone: str | None = Field(default=None, sa_type=sa.String(32))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RoleAssignment(SQLModel, table=True):
    """A role of a member over a unit (admin carries no unit)."""

    __tablename__ = "role_assignments"
    __table_args__ = (sa.UniqueConstraint("member_id", "role", "unit_id", name="uq_role"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    role: str = Field(sa_type=sa.String(16))
    unit_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
