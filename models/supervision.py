"""Supervision of the cell's resolutions (Quy định 296-QĐ/TW, Hướng dẫn 08-HD/TW): what the
owners report on their tasks, how the secretary closed each task, the escalation steps sent,
and the cell's yearly supervision programme.

The tasks themselves are the meetings' (`models.meetings.Task`); these tables only add what
supervision keeps about them, so the meetings feature is unchanged. The rules live in
`services/supervision/`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class TaskReport(SQLModel, table=True):
    """One progress report by a task's owner: percent (100 with `done`), one line, an optional
    file or photo. Never overwritten: the history is what the cell reviews."""

    __tablename__ = "task_reports"
    __table_args__ = (sa.Index("ix_task_reports_task_at", "task_id", "reported_at"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="tasks.id")
    member_id: int = Field(foreign_key="members.id")
    percent: int
    done: bool = False
    note: str = Field(sa_type=sa.String(300))
    file_ref: str | None = Field(default=None, sa_type=sa.String(500))
    file_kind: str | None = Field(default=None, sa_type=sa.String(16))
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TaskClosure(SQLModel, table=True):
    """How the secretary closed a task: `hoan_thanh`, `hoan_thanh_tre`, `khong_hoan_thanh`
    or `vuot` (exceeded), with who, when and a note. One per task; the assessment reads it."""

    __tablename__ = "task_closures"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="tasks.id", unique=True)
    outcome: str = Field(sa_type=sa.String(24))
    note: str | None = Field(default=None, sa_type=sa.String(500))
    closed_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    closed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TaskEscalation(SQLModel, table=True):
    """An escalation step sent for a task (`secretary`, `committee`), once per task and step:
    the unique pair is the record that it went out (the outbox key dedupes the messages)."""

    __tablename__ = "task_escalations"
    __table_args__ = (sa.UniqueConstraint("task_id", "step", name="uq_task_escalations_step"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="tasks.id")
    step: str = Field(sa_type=sa.String(16))
    due_on: date
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SupervisionItem(SQLModel, table=True):
    """One item of a cell's yearly supervision programme (chương trình kiểm tra, giám sát):
    who or what is supervised, the content, the month; the conclusion once done."""

    __tablename__ = "supervision_items"
    __table_args__ = (sa.Index("ix_supervision_items_cell_year", "cell_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    cell_id: int = Field(foreign_key="units.id")
    year: int
    month: int
    subject: str = Field(sa_type=sa.String(300))
    content: str = Field(sa_type=sa.String(1000))
    conclusion: str | None = Field(default=None, sa_type=sa.String(2000))
    concluded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    concluded_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_by_member_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
