"""Bulletins (/bantin): news a committee posts to its subtree, and items read from the RSS/Atom
feeds an admin configured for a unit (the province's party newspaper, say).

A bulletin is addressed to one unit and read by every member of every cell under it; it is
listed, not pushed, unless a committee pushes that one item (`pushed_at`, once). Feed items are
bulletins too (`feed_id` set, `guid` their dedupe key within the feed), so members read both in
one list and the search indexes both the same way.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class BulletinFeed(SQLModel, table=True):
    """An RSS or Atom feed polled for `unit_id`'s subtree.

    `next_poll_at` is when it is due; after a failure it moves by a growing backoff
    (`failures` in a row) and `last_error` keeps a short reason for the admin (no secrets: the
    URL's credentials, if any, are never stored)."""

    __tablename__ = "bulletin_feeds"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    url: str = Field(sa_type=sa.String(500))
    title: str = Field(default="", sa_type=sa.String(200))
    active: bool = Field(default=True)
    next_poll_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    failures: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_type=sa.String(300))
    last_ok_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Bulletin(SQLModel, table=True):
    """One bulletin for the members of `unit_id`'s subtree.

    Posted by a committee (`author_member_id`) or read from a feed (`feed_id`, `guid`: the
    entry's id, else its link, else a hash of its title; unique per feed so an entry is never
    listed twice). `withdrawn_at` hides it from members; `pushed_at` records the one push to
    members through the outbox. `updated_at` moves on every change, for the search index."""

    __tablename__ = "bulletins"
    __table_args__ = (
        sa.UniqueConstraint("feed_id", "guid", name="uq_bulletins_feed_guid"),
        sa.Index("ix_bulletins_unit_posted", "unit_id", "posted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id")
    title: str = Field(sa_type=sa.String(200))
    text: str = Field(default="", sa_type=sa.String(4000))
    link: str | None = Field(default=None, sa_type=sa.String(500))
    file_ref: str | None = Field(default=None, sa_type=sa.String(500))
    file_kind: str | None = Field(default=None, sa_type=sa.String(16))
    file_name: str | None = Field(default=None, sa_type=sa.String(200))
    source: str = Field(default="", sa_type=sa.String(200))
    feed_id: int | None = Field(default=None, foreign_key="bulletin_feeds.id", index=True)
    guid: str | None = Field(default=None, sa_type=sa.String(200))
    author_member_id: int | None = Field(default=None, foreign_key="members.id")
    posted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pushed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pushed_by_member_id: int | None = Field(default=None, foreign_key="members.id")
