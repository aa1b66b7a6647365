"""Attendance: answers before the meeting, check-in in the room, statuses, absence flags.

- Members answer the invitation "sẽ dự" or "xin vắng" (with a reason) until the meeting starts.
- In the room the secretary opens check-in: a four-digit code, read out, valid for a few
  minutes (`CellMonthRules.checkin_ttl`). A member sends it to be marked present. Wrong and
  stale codes count; after `checkin_wrong_limit` of them the member is locked out of
  self check-in for that meeting, so nobody at home can guess their way in.
- The secretary can set any status: có mặt, vắng có phép, vắng không phép, miễn sinh hoạt
  (the four of Hướng dẫn 42-HD/BTCTW), and close the roll, which fills the blanks.
- Điều lệ Đảng, Article 8: missing cell meetings for 3 months within a year without good
  reason leads the cell to consider removal. At 2 such months the secretary is told, privately,
  with the meetings named, so the cell can talk to the member first.

Check-in returns an outcome instead of raising: a wrong code must still be *recorded* (it
counts towards the lock), and raising would roll the record back.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models import (
    Attendance,
    AttendanceAnswer,
    AttendanceStatus,
    CheckinAttempt,
    CheckinCode,
    CheckinOutcome,
    DeliveryKind,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Role,
    RoleAssignment,
    StatusSource,
    VoteExclusion,
)
from services import audit, outbox, texts
from services.auth import Actor, Permission, authorize
from services.errors import Forbidden, UserError
from services.meetings import (
    DEFAULT_RULES,
    CellMonthRules,
    ensure_roll,
    load_cell,
    load_meeting,
    managed_meeting,
    member_names,
    name_key,
    require_active,
    viewed_meeting,
)
from services.textnorm import nfc
from services.vndate import format_vn_date, format_vn_datetime

CODE_DIGITS = 4
CHECKIN_CODE_RE = re.compile(r"^\s*\d[\d\s]{2,6}\d\s*$")
_COUNTED = (CheckinOutcome.WRONG.value, CheckinOutcome.EXPIRED.value)


def looks_like_checkin_code(text: str) -> bool:
    """Four digits (spaces allowed): what a handler should route to `check_in`."""
    return bool(CHECKIN_CODE_RE.match(text)) and len(re.sub(r"\s", "", text)) == CODE_DIGITS


@dataclass(frozen=True)
class RollLine:
    """One member on a meeting's roll, as the secretary sees it."""

    member_id: int
    name: str
    member_status: str
    answer: str | None
    answer_reason: str | None
    status: str | None
    status_reason: str | None
    vote_exclusion: str | None


@dataclass(frozen=True)
class AnswersOverview:
    """Who said they will come, who asked to be excused (with reasons), who has not answered.

    Exempt members (miễn sinh hoạt) need not answer, so they are never listed as unanswered.
    """

    meeting: Meeting
    attending: list[RollLine]
    absent: list[RollLine]
    unanswered: list[RollLine]


@dataclass(frozen=True)
class CheckinResult:
    """The outcome of a code sent by a member, with the sentence to show them."""

    outcome: CheckinOutcome
    meeting: Meeting | None
    attempts_left: int
    message: str


@dataclass(frozen=True)
class AbsenceFlag:
    """A member with unexcused absences in `months` distinct months of the window."""

    member_id: int
    name: str
    months: int
    meetings: list[Meeting]
    reaches_removal: bool


# --- Answers ----------------------------------------------------------------------------------


def _own_row(session: Session, actor: Actor, meeting: Meeting) -> Attendance:
    """The actor's roll row; only members of the meeting's cell have one."""
    if actor.cell_id != meeting.cell_id:
        raise Forbidden(texts.ATT_NOT_IN_CELL)
    ensure_roll(session, meeting)
    row = session.exec(
        select(Attendance)
        .where(Attendance.meeting_id == meeting.id)
        .where(Attendance.member_id == actor.member_id)
        .with_for_update()
    ).first()
    if row is None:
        raise Forbidden(texts.ATT_NOT_IN_CELL)
    return row


def answer_invitation(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    attend: bool,
    reason: str | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> tuple[Attendance, str]:
    """Record "sẽ dự" or "xin vắng" (a reason is required); returns the row and the reply.

    Answers close when the meeting starts: from then on the roll call decides.
    """
    meeting = load_meeting(session, meeting_id)
    require_active(meeting)
    row = _own_row(session, actor, meeting)
    if meeting.starts_at <= now:
        raise UserError(texts.ATT_ANSWER_CLOSED)
    clean_reason = nfc(reason or "")[:500]
    if not attend and not clean_reason:
        raise UserError(texts.ATT_REASON_REQUIRED)
    row.answer = AttendanceAnswer.WILL_ATTEND if attend else AttendanceAnswer.ABSENT_REQUEST
    row.answer_reason = None if attend else clean_reason
    row.answered_at = now
    session.add(row)
    audit.record(
        session,
        "attendance.answered",
        "meeting",
        meeting_id,
        actor_member_id=actor.member_id,
        detail={"answer": row.answer, "reason": row.answer_reason},
        at=now,
    )
    when = format_vn_datetime(meeting.starts_at, rules.tz)
    if attend:
        return row, texts.ATT_ANSWERED_YES.format(when=when)
    return row, texts.ATT_ANSWERED_NO.format(when=when, reason=clean_reason)


def _roll_lines(session: Session, meeting: Meeting) -> list[RollLine]:
    rows = list(session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)))
    names = member_names(session, [r.member_id for r in rows])
    lines = [
        RollLine(
            member_id=r.member_id,
            name=names[r.member_id].full_name if r.member_id in names else str(r.member_id),
            member_status=r.member_status,
            answer=r.answer,
            answer_reason=r.answer_reason,
            status=r.status,
            status_reason=r.status_reason,
            vote_exclusion=r.vote_exclusion,
        )
        for r in rows
    ]
    return sorted(lines, key=lambda line: (name_key(line.name), line.member_id))


def answers_overview(session: Session, actor: Actor, meeting_id: int) -> AnswersOverview:
    """The answers so far, for the secretary, deputy or a committee above the cell."""
    meeting, _cell = viewed_meeting(session, actor, meeting_id)
    ensure_roll(session, meeting)
    lines = _roll_lines(session, meeting)
    return AnswersOverview(
        meeting=meeting,
        attending=[x for x in lines if x.answer == AttendanceAnswer.WILL_ATTEND],
        absent=[x for x in lines if x.answer == AttendanceAnswer.ABSENT_REQUEST],
        unanswered=[
            x for x in lines if x.answer is None and x.member_status != MemberStatus.EXEMPT
        ],
    )


def roll_call(session: Session, actor: Actor, meeting_id: int) -> list[RollLine]:
    """The roll with each member's status (the minute-taker's list)."""
    meeting, _cell = viewed_meeting(session, actor, meeting_id)
    ensure_roll(session, meeting)
    return _roll_lines(session, meeting)


# --- Check-in ---------------------------------------------------------------------------------


def open_checkin(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> tuple[CheckinCode, str]:
    """A fresh code for the room; earlier codes of the meeting stop working at once.

    Check-in opens at most `checkin_opens_before` the start and at most `checkin_closes_after`
    the end: a code is only useful to people in the room.
    """
    meeting, _cell = managed_meeting(session, actor, meeting_id, for_update=True)
    require_active(meeting)
    if now < meeting.starts_at - rules.checkin_opens_before:
        opens = format_vn_datetime(meeting.starts_at - rules.checkin_opens_before, rules.tz)
        raise UserError(texts.ATT_CHECKIN_TOO_EARLY.format(time=opens))
    if now > meeting.ends_at + rules.checkin_closes_after:
        raise UserError(texts.ATT_CHECKIN_TOO_LATE)
    for old in session.exec(
        select(CheckinCode)
        .where(CheckinCode.meeting_id == meeting_id)
        .where(col(CheckinCode.expires_at) > now)
    ):
        old.expires_at = now
        session.add(old)
    code = CheckinCode(
        meeting_id=meeting_id,
        code=f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}",
        opened_by_member_id=actor.member_id,
        created_at=now,
        expires_at=now + rules.checkin_ttl,
    )
    session.add(code)
    session.flush()
    ensure_roll(session, meeting)
    audit.record(
        session,
        "attendance.checkin_opened",
        "meeting",
        meeting_id,
        actor_member_id=actor.member_id,
        detail={"code_id": code.id, "expires_at": code.expires_at.isoformat()},
        at=now,
    )
    reply = texts.ATT_CHECKIN_OPENED.format(
        code=code.code, expires=code.expires_at.astimezone(rules.tz).strftime("%H:%M")
    )
    return code, reply


def _checkin_meeting(
    session: Session, actor: Actor, now: datetime, rules: CellMonthRules
) -> Meeting | None:
    """The actor's cell meeting in its check-in window that has had a code opened."""
    candidates = session.exec(
        select(Meeting)
        .where(Meeting.cell_id == actor.cell_id)
        .where(Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) <= now + rules.checkin_opens_before)
        .where(col(Meeting.ends_at) >= now - rules.checkin_closes_after)
        .order_by(col(Meeting.starts_at).desc())
    ).all()
    for meeting in candidates:
        opened = session.exec(
            select(CheckinCode.id).where(CheckinCode.meeting_id == meeting.id).limit(1)
        ).first()
        if opened is not None:
            return meeting
    return None


def check_in(
    session: Session,
    actor: Actor,
    code: str,
    *,
    now: datetime,
    meeting_id: int | None = None,
    rules: CellMonthRules = DEFAULT_RULES,
) -> CheckinResult:
    """Mark the actor present if `code` is the meeting's live code.

    Without `meeting_id` the meeting is the actor's cell meeting currently open for check-in.
    The actor's roll row is locked while the attempt is judged, so parallel guesses from two
    devices cannot exceed the limit.
    """
    limit = rules.checkin_wrong_limit
    if meeting_id is None:
        meeting = _checkin_meeting(session, actor, now, rules)
        if meeting is None:
            return CheckinResult(CheckinOutcome.NONE_OPEN, None, 0, texts.ATT_CHECKIN_NONE_OPEN)
    else:
        meeting = load_meeting(session, meeting_id)
        require_active(meeting)
    row = _own_row(session, actor, meeting)
    if row.status == AttendanceStatus.PRESENT:
        return CheckinResult(CheckinOutcome.ALREADY, meeting, 0, texts.ATT_CHECKIN_ALREADY)
    failures = session.exec(
        select(CheckinAttempt.id)
        .where(CheckinAttempt.meeting_id == meeting.id)
        .where(CheckinAttempt.member_id == actor.member_id)
        .where(col(CheckinAttempt.outcome).in_(_COUNTED))
    ).all()
    if len(failures) >= limit:
        _record_attempt(session, meeting, actor, CheckinOutcome.LOCKED, now)
        message = texts.ATT_CHECKIN_LOCKED.format(limit=limit)
        return CheckinResult(CheckinOutcome.LOCKED, meeting, 0, message)
    typed = re.sub(r"\s", "", code or "")
    codes = session.exec(select(CheckinCode).where(CheckinCode.meeting_id == meeting.id)).all()
    matching = [c for c in codes if secrets.compare_digest(c.code.encode(), typed.encode())]
    if any(c.expires_at > now for c in matching):
        row.status = AttendanceStatus.PRESENT
        row.status_source = StatusSource.CHECKIN
        row.status_set_at = now
        row.status_set_by_member_id = actor.member_id
        row.status_reason = None
        row.checked_in_at = now
        session.add(row)
        _record_attempt(session, meeting, actor, CheckinOutcome.PRESENT, now)
        audit.record(
            session,
            "attendance.checked_in",
            "meeting",
            meeting.id,
            actor_member_id=actor.member_id,
            at=now,
        )
        message = texts.ATT_CHECKIN_OK.format(when=format_vn_datetime(meeting.starts_at, rules.tz))
        return CheckinResult(CheckinOutcome.PRESENT, meeting, limit - len(failures), message)
    outcome = CheckinOutcome.EXPIRED if matching else CheckinOutcome.WRONG
    _record_attempt(session, meeting, actor, outcome, now)
    left = limit - len(failures) - 1
    if left <= 0:
        message = texts.ATT_CHECKIN_LOCKED.format(limit=limit)
    elif outcome is CheckinOutcome.EXPIRED:
        message = texts.ATT_CHECKIN_EXPIRED.format(left=left)
    else:
        message = texts.ATT_CHECKIN_WRONG.format(left=left)
    return CheckinResult(outcome, meeting, max(left, 0), message)


def _record_attempt(
    session: Session, meeting: Meeting, actor: Actor, outcome: CheckinOutcome, now: datetime
) -> None:
    assert meeting.id is not None
    session.add(
        CheckinAttempt(meeting_id=meeting.id, member_id=actor.member_id, at=now, outcome=outcome)
    )
    session.flush()


# --- Statuses set by the secretary ------------------------------------------------------------


def _roll_row(session: Session, meeting: Meeting, member_id: int) -> Attendance:
    ensure_roll(session, meeting)
    row = session.exec(
        select(Attendance)
        .where(Attendance.meeting_id == meeting.id)
        .where(Attendance.member_id == member_id)
        .with_for_update()
    ).first()
    if row is None:
        raise UserError(texts.ATT_NOT_ON_ROLL)
    return row


def set_status(
    session: Session,
    actor: Actor,
    meeting_id: int,
    member_id: int,
    status: AttendanceStatus | str,
    *,
    reason: str | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> Attendance:
    """The secretary sets a member's status for the meeting, whatever check-in said.

    Setting "vắng không phép" may bring the member to the flag threshold; the secretary is
    then notified privately (see `absence_flags`).
    """
    meeting, _cell = managed_meeting(session, actor, meeting_id)
    require_active(meeting)
    try:
        value = AttendanceStatus(status)
    except ValueError:
        raise UserError(texts.ATT_BAD_STATUS) from None
    row = _roll_row(session, meeting, member_id)
    before = row.status
    row.status = value
    row.status_reason = nfc(reason or "")[:500] or None
    row.status_source = StatusSource.SECRETARY
    row.status_set_at = now
    row.status_set_by_member_id = actor.member_id
    session.add(row)
    audit.record(
        session,
        "attendance.status_set",
        "meeting",
        meeting_id,
        actor_member_id=actor.member_id,
        detail={"member_id": member_id, "before": before, "after": value.value},
        at=now,
    )
    session.flush()
    if value is AttendanceStatus.ABSENT_WITHOUT_LEAVE:
        _notify_flags(session, meeting, [member_id], now=now, rules=rules)
    return row


def set_vote_exclusion(
    session: Session,
    actor: Actor,
    meeting_id: int,
    member_id: int,
    exclusion: VoteExclusion | str | None,
    *,
    now: datetime,
) -> Attendance:
    """Mark an official member as on temporary transfer or suspended (or clear it).

    Such members do not count in the denominator of the vote (docs/domain.md, "The resolution
    vote").
    """
    meeting, _cell = managed_meeting(session, actor, meeting_id)
    value = VoteExclusion(exclusion) if exclusion else None
    row = _roll_row(session, meeting, member_id)
    if value is not None and row.member_status != MemberStatus.OFFICIAL:
        raise UserError(texts.VOTE_EXCL_OFFICIAL_ONLY)
    row.vote_exclusion = value
    session.add(row)
    audit.record(
        session,
        "attendance.vote_exclusion",
        "meeting",
        meeting_id,
        actor_member_id=actor.member_id,
        detail={"member_id": member_id, "exclusion": value},
        at=now,
    )
    return row


def close_attendance(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> list[RollLine]:
    """Fill every blank status once the meeting has started; statuses already set stay.

    A member who asked to be excused becomes "vắng có phép" (the secretary can correct it), an
    exempt member "miễn sinh hoạt", anyone else without a check-in "vắng không phép".
    """
    meeting, _cell = managed_meeting(session, actor, meeting_id, for_update=True)
    require_active(meeting)
    if now < meeting.starts_at:
        raise UserError(texts.ATT_CLOSE_TOO_EARLY)
    unexcused: list[int] = []
    for row in ensure_roll(session, meeting):
        if row.status is not None:
            continue
        if row.member_status == MemberStatus.EXEMPT:
            row.status = AttendanceStatus.EXEMPT
        elif row.answer == AttendanceAnswer.ABSENT_REQUEST:
            row.status = AttendanceStatus.ABSENT_WITH_LEAVE
            row.status_reason = row.answer_reason
        else:
            row.status = AttendanceStatus.ABSENT_WITHOUT_LEAVE
            unexcused.append(row.member_id)
        row.status_source = StatusSource.CLOSING
        row.status_set_at = now
        row.status_set_by_member_id = actor.member_id
        session.add(row)
    meeting.attendance_closed_at = now
    session.add(meeting)
    audit.record(
        session,
        "attendance.closed",
        "meeting",
        meeting_id,
        actor_member_id=actor.member_id,
        detail={"unexcused": unexcused},
        at=now,
    )
    session.flush()
    _notify_flags(session, meeting, unexcused, now=now, rules=rules)
    return _roll_lines(session, meeting)


# --- Absence flags (Điều lệ Đảng, Article 8) --------------------------------------------------


def _unexcused_meetings(
    session: Session, member_ids: list[int], *, now: datetime, rules: CellMonthRules
) -> dict[int, list[Meeting]]:
    """member → held meetings in the window where they were absent without leave."""
    if not member_ids:
        return {}
    rows = session.exec(
        select(Attendance, Meeting)
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .where(col(Attendance.member_id).in_(member_ids))
        .where(Attendance.status == AttendanceStatus.ABSENT_WITHOUT_LEAVE)
        .where(Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) > now - rules.absence_window)
        .where(col(Meeting.starts_at) <= now)
        .order_by(col(Meeting.starts_at))
    ).all()
    found: dict[int, list[Meeting]] = defaultdict(list)
    for attendance, meeting in rows:
        found[attendance.member_id].append(meeting)
    return found


def _flags_for(
    session: Session, member_ids: list[int], *, now: datetime, rules: CellMonthRules
) -> list[AbsenceFlag]:
    """Members with unexcused absences in at least `absence_flag_months` distinct months.

    Article 8 speaks of months ("3 tháng trong năm"), so two absences in one month count once.
    """
    absences = _unexcused_meetings(session, member_ids, now=now, rules=rules)
    names = member_names(session, list(absences))
    flags = []
    for member_id, meetings in absences.items():
        months = len({m.starts_at.astimezone(rules.tz).strftime("%Y-%m") for m in meetings})
        if months < rules.absence_flag_months:
            continue
        member = names.get(member_id)
        flags.append(
            AbsenceFlag(
                member_id=member_id,
                name=member.full_name if member else str(member_id),
                months=months,
                meetings=meetings,
                reaches_removal=months >= rules.removal_months,
            )
        )
    return sorted(flags, key=lambda f: (-f.months, name_key(f.name)))


def absence_flags(
    session: Session,
    actor: Actor,
    cell_id: int,
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> list[AbsenceFlag]:
    """The cell's members approaching or at the removal threshold, with the meetings named.

    Only the cell's secretary and deputy (and admins) see this: it is private to the cell
    leadership, not shown to committees' statistics.
    """
    cell = load_cell(session, cell_id)
    authorize(actor, Permission.MANAGE_CELL, cell)
    members = session.exec(select(Member.id).where(Member.cell_id == cell_id)).all()
    return _flags_for(session, [m for m in members if m is not None], now=now, rules=rules)


def flag_text(flag: AbsenceFlag, rules: CellMonthRules = DEFAULT_RULES) -> str:
    """The private note to the secretary, naming each meeting by its local date."""
    meetings = ", ".join(
        format_vn_date(m.starts_at.astimezone(rules.tz).date()) for m in flag.meetings
    )
    template = texts.ATT_FLAG_THRESHOLD if flag.reaches_removal else texts.ATT_FLAG
    return template.format(name=flag.name, months=flag.months, meetings=meetings)


def _notify_flags(
    session: Session,
    meeting: Meeting,
    member_ids: list[int],
    *,
    now: datetime,
    rules: CellMonthRules,
) -> None:
    """Tell the cell's secretary (deputies if there is none) about newly flagged members.

    The dedupe key names the member and this meeting, so re-closing or re-setting the same
    status never sends the note twice, while a further absence sends a new one.
    """
    flags = _flags_for(session, member_ids, now=now, rules=rules)
    if not flags:
        return
    roles = session.exec(
        select(RoleAssignment)
        .where(RoleAssignment.unit_id == meeting.cell_id)
        .where(col(RoleAssignment.role).in_([Role.SECRETARY, Role.DEPUTY]))
    ).all()
    secretaries = [r.member_id for r in roles if r.role == Role.SECRETARY]
    leaders = secretaries or [r.member_id for r in roles]
    for flag in flags:
        recipients = [m for m in leaders if m != flag.member_id]
        outbox.enqueue(
            session,
            kind=DeliveryKind.ABSENCE_FLAG,
            ref_id=meeting.id,
            member_ids=recipients,
            payload=outbox.message(flag_text(flag, rules)),
            dedupe_key=f"absence_flag:{flag.member_id}:{meeting.id}",
            now=now,
        )
        audit.record(
            session,
            "attendance.absence_flagged",
            "member",
            flag.member_id,
            detail={"months": flag.months, "meeting_ids": [m.id for m in flag.meetings]},
            at=now,
        )
