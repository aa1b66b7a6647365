"""The study slice's tables (Chỉ thị 05-CT/TW, Kết luận 01-KL/TW): the month's study topics and
each member's yearly pledge (bản đăng ký làm theo) with its self-reviews (docs/study.md).

A later assessment slice reads, per member and year, `study_pledges.status` ("approved") and
the `study_pledge_reviews` of that pledge (`period` "mid" / "end", `confirmed_at` set once the
secretary confirmed).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class StudyTopic(SQLModel, table=True):
    """A month's study topic posted by a committee (to its subtree) or a cell's leaders (to
    the cell): one per unit and month, a second post replaces it. `month` is "2026-12" in the
    configured zone. `for_agenda` (a cell's own topic only): the secretary chose it for the
    regular meeting's agenda over the committee's. `reading_ref` is a platform file id (the
    chat keeps the file) with `reading_kind`, or a link (`reading_kind` "link")."""

    __tablename__ = "study_topics"
    __table_args__ = (sa.UniqueConstraint("unit_id", "month", name="uq_study_topics_unit_month"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    month: str = Field(sa_type=sa.String(7), index=True)
    title: str = Field(sa_type=sa.String(200))
    body: str = Field(sa_type=sa.String(1000))
    reading_ref: str | None = Field(default=None, sa_type=sa.String(500))
    reading_kind: str | None = Field(default=None, sa_type=sa.String(16))
    reading_name: str | None = Field(default=None, sa_type=sa.String(200))
    questions: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    for_agenda: bool = Field(default=False)
    posted_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StudyPledge(SQLModel, table=True):
    """A member's yearly pledge: 1 to 5 one-sentence commitments (`commitments`, a JSON list
    of strings). `status`: `submitted` (the secretary has not decided; the member may still
    edit), `returned` (sent back with `return_note`; editable), `approved` (final). `cell_id`
    is the member's cell when they pledged: its secretary decides."""

    __tablename__ = "study_pledges"
    __table_args__ = (
        sa.UniqueConstraint("member_id", "year", name="uq_study_pledges_member_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    cell_id: int = Field(foreign_key="units.id", index=True)
    year: int = Field(index=True)
    commitments: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    status: str = Field(default="submitted", sa_type=sa.String(16))
    return_note: str | None = Field(default=None, sa_type=sa.String(300))
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StudyPledgeReview(SQLModel, table=True):
    """A member's self-review of their approved pledge at mid-year (`period` "mid") or
    year-end ("end"): `ratings` is a JSON list, one `{"rating": "done"|"partly"|"not_done",
    "evidence": "..."}` per commitment, in order. Resubmitting before the secretary confirms
    replaces it; `confirmed_at` / `confirmed_by_member_id` once confirmed (final)."""

    __tablename__ = "study_pledge_reviews"
    __table_args__ = (
        sa.UniqueConstraint("pledge_id", "period", name="uq_study_pledge_reviews_pledge_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: int = Field(foreign_key="study_pledges.id", index=True)
    period: str = Field(sa_type=sa.String(8))
    ratings: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_by_member_id: int | None = Field(default=None, foreign_key="members.id")


class StudyAssignment(SQLModel, table=True):
    """A resolution or document a committee assigns its subtree to study by `due_on` (học tập
    nghị quyết): its key points, an optional document (platform file id or link, as a
    topic's reading) and up to ten self-check questions (`questions`, a JSON list of
    `{"q": text, "options": [2–4 texts], "answer": index}`)."""

    __tablename__ = "study_assignments"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    title: str = Field(sa_type=sa.String(200))
    key_points: str = Field(sa_type=sa.String(2000))
    document_ref: str | None = Field(default=None, sa_type=sa.String(500))
    document_kind: str | None = Field(default=None, sa_type=sa.String(16))
    document_name: str | None = Field(default=None, sa_type=sa.String(200))
    due_on: date
    questions: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StudyQuizResult(SQLModel, table=True):
    """A member's self-check on an assignment, once: their `answers` (option indexes, in the
    questions' order), `score` of `total`, and `cell_id`, the member's cell when they took it
    (the committee's per-cell completion). An assessment reads it per member."""

    __tablename__ = "study_quiz_results"
    __table_args__ = (
        sa.UniqueConstraint(
            "assignment_id", "member_id", name="uq_study_quiz_results_assignment_member"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="study_assignments.id", index=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    cell_id: int = Field(foreign_key="units.id", index=True)
    answers: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    score: int
    total: int
    completed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StudyRoleModel(SQLModel, table=True):
    """A local role model (gương điển hình): a short story with an optional photo (a platform
    file id), posted by a committee to the members of its unit's subtree."""

    __tablename__ = "study_role_models"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    title: str = Field(sa_type=sa.String(200))
    story: str = Field(sa_type=sa.String(1500))
    photo_ref: str | None = Field(default=None, sa_type=sa.String(500))
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
