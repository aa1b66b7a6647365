"""Conversation state, kept in the database so any process can serve the next message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class ConversationState(SQLModel, table=True):
    """Where one user in one chat stands: the flow and step, its data, and the options on offer.

    `nonce` changes whenever new options are offered, so a button from an earlier prompt is
    recognised as stale. `options` keeps id and label of what was offered, so a digit typed on a
    channel without buttons maps to the same choice. `pending` holds, on such channels, the
    delivered questions shown earlier and not answered yet, oldest first (`services.questions`).
    """

    __tablename__ = "conversation_states"
    __table_args__ = (sa.UniqueConstraint("channel", "chat_id", "user_id", name="uq_conversation"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_type=sa.String(16))
    chat_id: str = Field(sa_type=sa.String(64))
    user_id: str = Field(sa_type=sa.String(64))
    flow: str | None = Field(default=None, sa_type=sa.String(64))
    step: str | None = Field(default=None, sa_type=sa.String(64))
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    options: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    pending: list[Any] = Field(
        default_factory=list, sa_type=sa.JSON, sa_column_kwargs={"server_default": "[]"}
    )
    nonce: str | None = Field(default=None, sa_type=sa.String(16))
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
