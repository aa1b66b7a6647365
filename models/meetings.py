"""The cell's month: meetings, their documents, the roll, check-in codes, resolutions, tasks.

Rules come from Chỉ thị 50-CT/TW and Hướng dẫn 42-HD/BTCTW (2025); see docs/domain.md. The rules
themselves live in services/; these tables only keep what happened.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Meeting(SQLModel, table=True):
    """One cell meeting: regular, thematic, or both held together.

    `regular_month` ("2026-12", in the local time zone) is set while a regular (or combined)
    meeting holds its month and cleared when it is cancelled. The unique constraint on
    (cell, regular_month) makes "one regular meeting a month" hold even when two secretaries
    confirm at the same moment; NULLs never collide, so thematic meetings are unaffected.
    """

    __tablename__ = "meetings"
    __table_args__ = (
        sa.UniqueConstraint("cell_id", "regular_month", name="uq_meetings_regular_month"),
        sa.Index("ix_meetings_cell_starts", "cell_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cell_id: int = Field(foreign_key="units.id")
    kind: str = Field(sa_type=sa.String(24))
    topic: str | None = Field(default=None, sa_type=sa.String(300))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(sa_type=sa.String(300))
    agenda: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    status: str = Field(default="scheduled", sa_type=sa.String(16))
    regular_month: str | None = Field(default=None, sa_type=sa.String(7))
    cancel_reason: str | None = Field(default=None, sa_type=sa.String(500))
    attendance_closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MeetingDocument(SQLModel, table=True):
    """A document posted to members for a meeting (draft resolution, report).

    `posted_at` is when it went out: the rule is at least one day before the meeting.
    `file_ref` is a platform file id or a URL; the chat keeps the file, not the database.
    """

    __tablename__ = "meeting_documents"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    title: str = Field(sa_type=sa.String(300))
    file_ref: str | None = Field(default=None, sa_type=sa.String(500))
    file_kind: str | None = Field(default=None, sa_type=sa.String(16))
    posted_at: datetime = Field(sa_type=UTCDateTime)
    posted_by_member_id: int | None = Field(default=None, foreign_key="members.id")


class Attendance(SQLModel, table=True):
    """One member on one meeting's roll: their answer before, their status after.

    `member_status` is a snapshot of the member's status (official, probationary, exempt) when
    they were put on the roll, so a later change does not rewrite who could vote at this meeting.
    `vote_exclusion` marks official members left out of the vote's denominator (temporary
    transfer, suspension). The row is also the lock taken while a check-in code is judged.
    """

    __tablename__ = "attendances"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "member_id", name="uq_attendance"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    member_status: str = Field(sa_type=sa.String(16))
    answer: str | None = Field(default=None, sa_type=sa.String(16))
    answer_reason: str | None = Field(default=None, sa_type=sa.String(500))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str | None = Field(default=None, sa_type=sa.String(24))
    status_reason: str | None = Field(default=None, sa_type=sa.String(500))
    status_source: str | None = Field(default=None, sa_type=sa.String(16))
    status_set_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_set_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    vote_exclusion: str | None = Field(default=None, sa_type=sa.String(16))


class CheckinCode(SQLModel, table=True):
    """A short code read out in the room; valid until `expires_at` or until a newer one opens.

    Stored in clear: it has four digits (hashing would hide nothing) and the secretary may need
    to read it again. Its protection is its short life and the per-member guess limit.
    """

    __tablename__ = "checkin_codes"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    code: str = Field(sa_type=sa.String(8))
    opened_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class CheckinAttempt(SQLModel, table=True):
    """Every code a member sent for a meeting; wrong and stale ones count towards the lock."""

    __tablename__ = "checkin_attempts"
    __table_args__ = (sa.Index("ix_checkin_attempts_member", "meeting_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id")
    member_id: int = Field(foreign_key="members.id")
    at: datetime = Field(sa_type=UTCDateTime)
    outcome: str = Field(sa_type=sa.String(16))


class Resolution(SQLModel, table=True):
    """What a meeting decided and how well it went: resolution, vote, quality score.

    One per meeting. The resolution's history lives in `resolution_versions` (every text it
    had once voted on or published) and `resolution_votes` (every vote recorded); this row
    mirrors the current version (`text`, `file_*`) and the vote that decides whether it stands
    adopted (`votes_*`, `convened`, `eligible_present`, `passed`, `voted_at`; all None while
    a changed content awaits its vote), so a reader needs one row. Only
    `services.meetings.resolutions` writes them, from the history. `published_at` is the first
    publication (the 2-day rule); later versions carry their own. `quality_scores` maps
    criterion → points on the 100-point sheet.
    """

    __tablename__ = "resolutions"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", unique=True)
    text: str | None = Field(default=None, sa_type=sa.Text)
    file_ref: str | None = Field(default=None, sa_type=sa.String(500))
    file_kind: str | None = Field(default=None, sa_type=sa.String(16))
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None
    convened: int | None = None
    eligible_present: int | None = None
    passed: bool | None = None
    voted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    quality_scores: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    quality_total: int | None = None
    quality_band: str | None = Field(default=None, sa_type=sa.String(16))
    scored_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ResolutionChange(StrEnum):
    """Why a resolution has a version: its first text, or a change the secretary named.

    A correction of wording keeps the adoption of the version it corrects; a change of content
    is not adopted until the cell votes on it (and is not published until adopted).
    """

    FIRST = "ban_dau"
    WORDING = "sua_cau_chu"
    CONTENT = "sua_noi_dung"


class ResolutionVersion(SQLModel, table=True):
    """One text (and/or file) a meeting's resolution had, numbered from 1.

    A version that was voted on or published is never rewritten: a change makes the next
    version, and `change` says which kind it is (`ResolutionChange`). `published_at` is when
    this version went to members (the first publication, or the announcement of an amendment).
    A version without text or file is the place a vote recorded before the text waits in.
    """

    __tablename__ = "resolution_versions"
    __table_args__ = (
        sa.UniqueConstraint("resolution_id", "number", name="uq_resolution_versions_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id")
    number: int
    change: str = Field(sa_type=sa.String(16))
    text: str | None = Field(default=None, sa_type=sa.Text)
    file_ref: str | None = Field(default=None, sa_type=sa.String(500))
    file_kind: str | None = Field(default=None, sa_type=sa.String(16))
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ResolutionVote(SQLModel, table=True):
    """One recorded vote on one version, numbered from 1 per resolution; never overwritten.

    A version's latest vote decides whether it is adopted. The denominator (`convened`) and
    the official members present (`eligible_present`) are kept as they were when it was
    recorded, so the record stands even if the roll changes later.
    """

    __tablename__ = "resolution_votes"
    __table_args__ = (
        sa.UniqueConstraint("resolution_id", "number", name="uq_resolution_votes_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id")
    version_id: int = Field(foreign_key="resolution_versions.id", index=True)
    number: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    convened: int
    eligible_present: int
    passed: bool
    recorded_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class Task(SQLModel, table=True):
    """A task the cell assigned, with an owner and a deadline (a local calendar day)."""

    __tablename__ = "tasks"
    __table_args__ = (sa.Index("ix_tasks_cell_status", "cell_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    cell_id: int = Field(foreign_key="units.id")
    meeting_id: int | None = Field(default=None, foreign_key="meetings.id", index=True)
    title: str = Field(sa_type=sa.String(500))
    owner_member_id: int = Field(foreign_key="members.id", index=True)
    due_on: date
    status: str = Field(default="dang_lam", sa_type=sa.String(16))
    result: str | None = Field(default=None, sa_type=sa.Text)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
