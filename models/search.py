"""The search index: what every feature offered the search (`services.offers.SEARCHABLE`),
copied into one table with its text folded by the project's own normaliser, who may read each
item, and how far each kind has been refreshed.

The copy exists so one full-text query covers every feature, on both databases, without the
search importing any feature: SQLite searches it through an FTS5 table (`search_fts`, external
content, kept in step by triggers), PostgreSQL through a GIN index on its tsvector; both are
created by migration 0010 in raw SQL, since neither is expressible as a model.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class SearchEntry(SQLModel, table=True):
    """One searchable item, as its feature described it (`SearchItem`), and its folded text.

    `title_folded` and `body_folded` are `textnorm.fold_words` of the originals: lower case,
    no diacritics (đ → d), words separated by single spaces, so the full-text engines of both
    databases split them alike and "nghi quyet dai hoi" finds "Nghị quyết Đại hội".
    """

    __tablename__ = "search_items"
    __table_args__ = (
        sa.UniqueConstraint("kind", "ref_id", name="uq_search_items_kind_ref"),
        sa.Index("ix_search_items_kind_at", "kind", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(32))
    ref_id: int
    title: str = Field(sa_type=sa.String(500))
    body: str = Field(sa_type=sa.Text)
    title_folded: str = Field(sa_type=sa.Text)
    body_folded: str = Field(sa_type=sa.Text)
    at: datetime = Field(sa_type=UTCDateTime)
    opens: str | None = Field(default=None, sa_type=sa.String(64))
    indexed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SearchReader(SQLModel, table=True):
    """Who may read an item: the members of every cell at or under `unit_id` (a cell is a unit,
    so an item's cells and units are both kept here), or the one member `member_id`.

    Rows rather than columns so the check is an indexed equality: a member's cell and its
    ancestors, a committee's subtree and ancestors, the member's own id.
    """

    __tablename__ = "search_readers"
    __table_args__ = (
        sa.Index("ix_search_readers_unit", "unit_id", "item_id"),
        sa.Index("ix_search_readers_member", "member_id", "item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="search_items.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="units.id")
    member_id: int | None = Field(default=None, foreign_key="members.id")


class SearchState(SQLModel, table=True):
    """How far the index has read one kind's items: `refreshed_at` is the `now` of the last
    refresh (the next asks its feature for what changed since, less a safety margin)."""

    __tablename__ = "search_state"

    kind: str = Field(sa_type=sa.String(32), primary_key=True)
    refreshed_at: datetime = Field(sa_type=UTCDateTime)
