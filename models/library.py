"""The document library (/tailieu): the Party's and the State's documents a committee (or, for
its internal papers, a cell) publishes for its subtree, and the documents each member keeps in
"Đã lưu".

A document names its file by reference only (`file_ref`: a platform file id, or an http(s)
link), as meeting documents do: the chat platform keeps the bytes (docs/library.md says why).
`file_channel` is the channel whose id it is (None for a link), so a member on another channel
is told where to get it rather than sent an id that means nothing there.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class LibraryDocument(SQLModel, table=True):
    """One published document, read by the members of `unit_id`'s subtree.

    `number_key` and `folded` are the number and the searchable words without case or
    diacritics (`services.textnorm.fold_words`), so "366 qd tw" finds "366-QĐ/TW".
    `superseded_by_id` points at the document that replaced this one; `withdrawn_at` hides it
    from everyone (kept, not deleted: saved copies and search entries refer to it)."""

    __tablename__ = "library_documents"
    __table_args__ = (sa.Index("ix_library_documents_unit_issued", "unit_id", "issued_on"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id")
    kind: str = Field(sa_type=sa.String(16))
    number: str = Field(sa_type=sa.String(64))
    number_key: str = Field(sa_type=sa.String(64), index=True)
    # None only for seeded documents whose exact date is unverified (docs/library.md).
    issued_on: date | None = None
    issuer: str = Field(sa_type=sa.String(200))
    title: str = Field(sa_type=sa.String(300))
    summary: str = Field(sa_type=sa.String(1500))
    folded: str = Field(sa_type=sa.String(2000))
    file_ref: str | None = Field(default=None, sa_type=sa.String(500))
    file_name: str | None = Field(default=None, sa_type=sa.String(200))
    file_kind: str | None = Field(default=None, sa_type=sa.String(16))
    file_channel: str | None = Field(default=None, sa_type=sa.String(16))
    superseded_by_id: int | None = Field(default=None, foreign_key="library_documents.id")
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LibrarySaved(SQLModel, table=True):
    """A document a member keeps in "Đã lưu" (one row per member and document)."""

    __tablename__ = "library_saved"

    member_id: int = Field(foreign_key="members.id", primary_key=True)
    document_id: int = Field(foreign_key="library_documents.id", primary_key=True)
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
