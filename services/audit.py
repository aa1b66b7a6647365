"""The audit trail: one helper so every write is recorded the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from models import AuditLog, utcnow


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: object | None = None,
    *,
    actor_member_id: int | None = None,
    actor_label: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Adds the entry to the caller's transaction, so it lands only if the change lands."""
    session.add(
        AuditLog(
            at=at or utcnow(),
            actor_member_id=actor_member_id,
            actor_label=actor_label,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail or {},
        )
    )
