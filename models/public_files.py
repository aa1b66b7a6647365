"""Generated images served under an unguessable URL, because Zalo sends photos only by URL.

A chart the bot drew has no address on the internet, and Zalo's sendPhoto takes nothing but a
public URL, which Zalo's servers then fetch. So the bytes are stored here under a random token
(`GET /files/<token>` serves them, `bot/web.py`) until `expires_at`. The token is the only key:
knowing it is the permission to read, so it is long (32 characters, 192 random bits) and never
derived from the content.

`sha256` is unique, so the same chart sent to 200 committee members is stored (and fetched by
Zalo) once, even when several senders publish it at the same moment: publishing is an upsert on
the hash (`services.public_files.publish`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


class PublicFile(SQLModel, table=True):
    """One published file; gone from the web at `expires_at`, deleted by a later purge."""

    __tablename__ = "public_files"
    __table_args__ = (sa.Index("ix_public_files_expires_at", "expires_at"),)

    token: str = Field(sa_type=sa.String(64), primary_key=True)
    sha256: str = Field(sa_type=sa.String(64), unique=True)
    name: str = Field(sa_type=sa.String(200))
    content_type: str = Field(sa_type=sa.String(128))
    data: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
