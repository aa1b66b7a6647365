"""Who did what, when, to which record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class AuditLog(SQLModel, table=True):
    """Append-only. `actor_member_id` is None for the command line and the system itself."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_member_id: int | None = Field(default=None, foreign_key="members.id", index=True)
    actor_label: str | None = Field(default=None, sa_type=sa.String(100))
    action: str = Field(sa_type=sa.String(64))
    entity: str = Field(sa_type=sa.String(64))
    entity_id: str | None = Field(default=None, sa_type=sa.String(64))
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
