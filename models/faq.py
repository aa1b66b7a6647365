"""Questions and answers (/hoidap): questions members relay to their secretary, the FAQ
entries that live in the database (a province's imported FAQ, pairs a secretary or committee
published), and approvals of entries.

The curated FAQ ships as a data file (`services/faq/data/faq.toml`) and is not copied here:
a new release corrects it for every deployment at once. Only what a deployment adds or decides
lives in the database. An approval names the entry by id and the digest of the text approved,
so an entry whose wording changes afterwards (a new release, a re-import) is unreviewed again.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class FaqQuestion(SQLModel, table=True):
    """A member's own question, relayed to the secretary of the cell they were in when asking.

    `status`: `open` until a leader of `cell_id` answers, then `answered`. `reminded_at` is
    when the scheduler reminded the secretary (once)."""

    __tablename__ = "faq_questions"
    __table_args__ = (sa.Index("ix_faq_questions_status_asked", "status", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    cell_id: int = Field(foreign_key="units.id", index=True)
    text: str = Field(sa_type=sa.String(1000))
    status: str = Field(default="open", sa_type=sa.String(16))
    asked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answer: str | None = Field(default=None, sa_type=sa.String(2000))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FaqEntry(SQLModel, table=True):
    """A question and answer kept in the database: imported by the province (`origin`
    `import`, for everyone: `unit_id` None) or published from an answered question
    (`published`, for the members of `unit_id`'s subtree). `key` is the entry's stable id: an
    imported file's `id` (re-import updates by it; the same id as a shipped entry replaces
    it), or `hd-<question>` for a published pair."""

    __tablename__ = "faq_entries"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=sa.String(64), unique=True)
    origin: str = Field(sa_type=sa.String(16))  # import | published
    unit_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    topic: str = Field(sa_type=sa.String(100))
    question: str = Field(sa_type=sa.String(1000))
    answer: str = Field(sa_type=sa.String(2000))
    source: str = Field(sa_type=sa.String(300))
    question_id: int | None = Field(default=None, foreign_key="faq_questions.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FaqReview(SQLModel, table=True):
    """An entry approved (thẩm định) by a committee member or an admin: the entry's key and
    the digest of the wording they read."""

    __tablename__ = "faq_reviews"

    key: str = Field(sa_type=sa.String(64), primary_key=True)
    digest: str = Field(sa_type=sa.String(64))
    reviewed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reviewed_by_member_id: int | None = Field(default=None, foreign_key="members.id")
