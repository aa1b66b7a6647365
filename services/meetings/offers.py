"""What the meetings feature offers the others (`services.offers`), wired in `bot.features`:
the absence flag, counted per cell, for the committees' statistics; and the tasks assigned at
meetings, for the member's list (`/nhiemvu`); and meeting agendas, resolutions as published
and tasks, for the search (`/timkiem`), each readable by the meeting's (the task's) cell.

Changes are found by `Meeting.updated_at` (scheduling, agenda, move, cancel), the published
versions' `published_at` (what members have changes only when a version is sent) and
`Task.updated_at` (assigned, done). A cancelled meeting stays findable, marked as cancelled:
the index drops nothing between rebuilds."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Resolution,
    ResolutionVersion,
    Task,
)
from services.meetings import texts as meeting_texts
from services.meetings.attendance import flagged_per_cell
from services.meetings.planning import DEFAULT_RULES, CellMonthRules
from services.meetings.resolutions import task_todos
from services.offers import (
    ASSESSMENT_FACTS,
    CELL_FLAGS,
    MEMBER_TODOS,
    SEARCHABLE,
    AssessmentCriterion,
    AssessmentFact,
    CellFlags,
    Offer,
    Searchable,
    SearchItem,
)
from services.vndate import format_vn_date

# The search's names for these items (kept here, with the offers).
AGENDA_LABEL = "Lịch họp"
RESOLUTION_LABEL = "Nghị quyết"
TASK_LABEL = "Nhiệm vụ"
RESOLUTION_TITLE = "Nghị quyết buổi sinh hoạt {date}"
CANCELLED_MARK = "(Đã hủy) "
_KIND_NAMES = {
    MeetingKind.REGULAR.value: meeting_texts.FLOW_MTG_KIND_REGULAR,
    MeetingKind.THEMATIC.value: meeting_texts.FLOW_MTG_KIND_THEMATIC,
    MeetingKind.COMBINED.value: meeting_texts.FLOW_MTG_KIND_COMBINED,
}
_CHUNK = 1000


def _chunks(session: Session, query: Any, id_column: Any, first: bool = False) -> Iterator[Any]:
    """The rows of `query` in id order, `_CHUNK` at a time (the index writes in batches);
    `first`: the rows are tuples whose first element carries the id."""
    after = 0
    while True:
        rows = list(session.exec(query.where(id_column > after).order_by(id_column).limit(_CHUNK)))
        if not rows:
            return
        yield from rows
        after = (rows[-1][0] if first else rows[-1]).id


def agenda_items(
    session: Session, since: datetime | None, tz: tzinfo = DEFAULT_RULES.tz
) -> Iterator[SearchItem]:
    """Meetings scheduled or changed after `since`: topic (or kind) and date as the title, the
    agenda and place as the body."""
    query = select(Meeting)
    if since is not None:
        query = query.where(col(Meeting.updated_at) > since)
    for meeting in _chunks(session, query, col(Meeting.id)):
        assert meeting.id is not None
        name = meeting.topic or _KIND_NAMES.get(meeting.kind, meeting.kind)
        when = meeting.starts_at.astimezone(tz).strftime("%H:%M %d/%m/%Y")
        mark = CANCELLED_MARK if meeting.status == MeetingStatus.CANCELLED.value else ""
        yield SearchItem(
            kind="meeting_agenda",
            ref_id=meeting.id,
            title=f"{mark}{name} ({when})",
            body="\n".join([*meeting.agenda, meeting.place]),
            at=meeting.starts_at,
            cell_ids=(meeting.cell_id,),
            opens="/lichhop",
        )


def resolution_items(
    session: Session, since: datetime | None, tz: tzinfo = DEFAULT_RULES.tz
) -> Iterator[SearchItem]:
    """Resolutions as members have them (the newest version sent), for those with a version
    sent after `since`; a version not sent (a draft, a change awaiting its vote) never."""
    sent = select(ResolutionVersion.resolution_id).where(
        col(ResolutionVersion.published_at).is_not(None)
    )
    if since is not None:
        sent = sent.where(col(ResolutionVersion.published_at) > since)
    query = (
        select(Resolution, Meeting)
        .join(Meeting, col(Meeting.id) == col(Resolution.meeting_id))
        .where(col(Resolution.id).in_(sent))
    )
    for resolution, meeting in _chunks(session, query, col(Resolution.id), first=True):
        version = session.exec(
            select(ResolutionVersion)
            .where(ResolutionVersion.resolution_id == resolution.id)
            .where(col(ResolutionVersion.published_at).is_not(None))
            .order_by(col(ResolutionVersion.number).desc())
            .limit(1)
        ).first()
        if version is None or version.published_at is None or resolution.id is None:
            continue
        title = RESOLUTION_TITLE.format(date=format_vn_date(meeting.starts_at.astimezone(tz)))
        yield SearchItem(
            kind="resolution",
            ref_id=resolution.id,
            title=f"{title}: {meeting.topic}" if meeting.topic else title,
            body=version.text or "",
            at=version.published_at,
            cell_ids=(meeting.cell_id,),
            opens="/nghiquyet",
        )


def task_items(session: Session, since: datetime | None) -> Iterator[SearchItem]:
    """Tasks assigned or changed after `since`: the title, and the result once reported."""
    query = select(Task)
    if since is not None:
        query = query.where(col(Task.updated_at) > since)
    for task in _chunks(session, query, col(Task.id)):
        assert task.id is not None
        yield SearchItem(
            kind="task",
            ref_id=task.id,
            title=task.title,
            body=task.result or "",
            at=task.created_at,
            cell_ids=(task.cell_id,),
            opens="/nhiemvu",
        )


def offers(rules: CellMonthRules = DEFAULT_RULES) -> list[Offer[Any]]:
    count = functools.partial(flagged_per_cell, rules=rules)
    return [
        Offer(CELL_FLAGS, CellFlags(months=rules.absence_flag_months, count=count)),
        Offer(MEMBER_TODOS, task_todos),
        Offer(SEARCHABLE, Searchable("meeting_agenda", AGENDA_LABEL, agenda_items)),
        Offer(SEARCHABLE, Searchable("resolution", RESOLUTION_LABEL, resolution_items)),
        Offer(SEARCHABLE, Searchable("task", TASK_LABEL, task_items)),
        Offer(
            ASSESSMENT_FACTS, AssessmentCriterion("attendance", ATTENDANCE_LABEL, attendance_facts)
        ),
    ]


# -- the assessment's facts (Quy định 366-QĐ/TW), per member over local days ------------------

ATTENDANCE_LABEL = "Dự sinh hoạt chi bộ"


def _utc_bounds(first_day: date, last_day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first_day, time(), tz).astimezone(UTC)
    return start, datetime.combine(last_day + timedelta(days=1), time(), tz).astimezone(UTC)


def attendance_facts(
    session: Session, member_ids: list[int], first_day: date, last_day: date, tz: tzinfo
) -> dict[int, AssessmentFact]:
    """Held (not cancelled) meetings of the days with the member on the closed roll: present,
    excused (vắng có phép), unexcused; `convened` leaves out the exempt (miễn sinh hoạt) and rows
    never given a status, as the roll call does."""
    start, end = _utc_bounds(first_day, last_day, tz)
    facts: dict[int, AssessmentFact] = defaultdict(
        lambda: {"attended": 0, "excused": 0, "unexcused": 0, "convened": 0}
    )
    keys = {
        AttendanceStatus.PRESENT.value: "attended",
        AttendanceStatus.ABSENT_WITH_LEAVE.value: "excused",
        AttendanceStatus.ABSENT_WITHOUT_LEAVE.value: "unexcused",
    }
    for member_id, status, count in session.exec(
        select(Attendance.member_id, Attendance.status, sa.func.count())
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .where(col(Attendance.member_id).in_(member_ids))
        .where(Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) >= start, col(Meeting.starts_at) < end)
        .where(col(Attendance.status).in_(list(keys)))
        .group_by(col(Attendance.member_id), col(Attendance.status))
    ):
        fact = facts[member_id]
        fact[keys[str(status)]] += int(count)
        fact["convened"] += int(count)
    return dict(facts)
