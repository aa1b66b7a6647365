"""Attendance: answers before the meeting, check-in in the room, statuses, absence flags.

- Members answer the invitation "sẽ dự" or "xin vắng" (with a reason) until the meeting starts.
- In the room the secretary opens check-in: a four-digit code, read out, valid for a few
  minutes (`CellMonthRules.checkin_ttl`). A member sends it to be marked present. Wrong and
  stale codes count; after `checkin_wrong_limit` of them the member is locked out of
  self check-in for that meeting, so nobody at home can guess their way in.
- The secretary can set any status: có mặt, vắng có phép, vắng không phép, miễn sinh hoạt
  (the four of Hướng dẫn 42-HD/BTCTW), one by one or, by exception, "present" for everyone
  who checked in or everyone who said "sẽ dự" (proposed, shown, recorded on confirmation), and
  close the roll, which fills the blanks. Nobody becomes absent unseen: `closing_preview`
  lists every blank and what it will become (the convener's and the closer's own included),
  and `close_attendance` refuses if the blanks are no longer those shown.
- Every status written, whoever writes it, leaves an audit entry naming who did it.
- A check-in wins over a later "xin vắng": once present, a member cannot ask leave.
- Điều lệ Đảng, Article 8: missing cell meetings for 3 months within a year without good
  reason leads the cell to consider removal. At 2 such months the secretary is told, privately,
  with the meetings named, so the cell can talk to the member first.

Check-in returns an outcome instead of raising: a wrong code must still be *recorded* (it
counts towards the lock), and raising would roll the record back.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any

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
from services.meetings import texts as meeting_texts
from services.meetings.planning import (
    DEFAULT_RULES,
    CellMonthRules,
    clean_absence_reason,
    ensure_roll,
    load_cell,
    load_meeting,
    managed_meeting,
    require_active,
    viewed_meeting,
)
from services.org import member_names, vn_name_key
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
    status_source: str | None = None
    checked_in_at: datetime | None = None


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


class PresentBasis(StrEnum):
    """What a "present for everyone who…" proposal is based on (roll call by exception)."""

    CHECKED_IN = "checkin"  # checked in with the code, not yet confirmed by the secretary
    ANSWERED = "se_du"  # answered "sẽ dự" and still without a status


@dataclass(frozen=True)
class ClosingLine:
    """A member still without a status when the roll is about to close, and what closing
    will record for them (`reason`: the leave request's, for an excused absence)."""

    member_id: int
    name: str
    becomes: AttendanceStatus
    reason: str | None
    is_convener: bool


@dataclass(frozen=True)
class ClosingPreview:
    """What "Chốt điểm danh" would do, shown before it is done: the statuses already set
    (counted by status) and every blank with what it becomes. `actor_unmarked`: whoever is
    closing has no status yet (they can mark themselves present with one tap)."""

    meeting: Meeting
    marked: dict[str, int]
    unmarked: list[ClosingLine]
    actor_unmarked: bool


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
        raise Forbidden(meeting_texts.ATT_NOT_IN_CELL)
    ensure_roll(session, meeting)
    row = session.exec(
        select(Attendance)
        .where(Attendance.meeting_id == meeting.id)
        .where(Attendance.member_id == actor.member_id)
        .with_for_update()
    ).first()
    if row is None:
        raise Forbidden(meeting_texts.ATT_NOT_IN_CELL)
    return row


def my_attendance(session: Session, actor: Actor, meeting_id: int) -> Attendance | None:
    """The actor's own roll row for the meeting (their answer, then their status), or None
    when they are not on the roll: not a member of the meeting's cell, or one who joined it
    since the roll was last brought up to date. Only reads: `ensure_roll` adds such a member
    when they answer or the roll is called."""
    return session.exec(
        select(Attendance)
        .where(Attendance.meeting_id == meeting_id)
        .where(Attendance.member_id == actor.member_id)
    ).first()


def answerable(
    session: Session, actor: Actor, meeting_id: int, *, attend: bool, now: datetime
) -> tuple[Meeting, Attendance]:
    """The meeting and the member's row, if the member may answer it so now (else UserError):
    checked before a reason is asked, and again when the answer is recorded."""
    meeting = load_meeting(session, meeting_id)
    require_active(meeting)
    row = _own_row(session, actor, meeting)
    if meeting.starts_at <= now:
        raise UserError(meeting_texts.ATT_ANSWER_CLOSED)
    if not attend and row.status == AttendanceStatus.PRESENT:
        raise UserError(meeting_texts.ATT_LEAVE_AFTER_CHECKIN)
    return meeting, row


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

    Answers close when the meeting starts: from then on the roll call decides. A member
    already recorded present (checked in during the hour before, or marked by the secretary)
    cannot ask leave any more: the answers would say absent while the roll says present.
    """
    meeting, row = answerable(session, actor, meeting_id, attend=attend, now=now)
    # Refused with the limit, never cut: the secretary decides on the reason as written.
    clean_reason = None if attend else clean_absence_reason(reason)
    row.answer = AttendanceAnswer.WILL_ATTEND if attend else AttendanceAnswer.ABSENT_REQUEST
    row.answer_reason = clean_reason
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
        return row, meeting_texts.ATT_ANSWERED_YES.format(when=when)
    return row, meeting_texts.ATT_ANSWERED_NO.format(when=when, reason=clean_reason)


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
            status_source=r.status_source,
            checked_in_at=r.checked_in_at,
        )
        for r in rows
    ]
    return sorted(lines, key=lambda line: (vn_name_key(line.name), line.member_id))


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
        raise UserError(meeting_texts.ATT_CHECKIN_TOO_EARLY.format(time=opens))
    if now > meeting.ends_at + rules.checkin_closes_after:
        raise UserError(meeting_texts.ATT_CHECKIN_TOO_LATE)
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
    reply = meeting_texts.ATT_CHECKIN_OPENED.format(
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
            return CheckinResult(
                CheckinOutcome.NONE_OPEN, None, 0, meeting_texts.ATT_CHECKIN_NONE_OPEN
            )
    else:
        meeting = load_meeting(session, meeting_id)
        require_active(meeting)
    row = _own_row(session, actor, meeting)
    if row.status == AttendanceStatus.PRESENT:
        return CheckinResult(CheckinOutcome.ALREADY, meeting, 0, meeting_texts.ATT_CHECKIN_ALREADY)
    # Only guesses made since the check-in window of the meeting's current time opened count:
    # a meeting moved to a later time starts its check-in (and its lock) afresh.
    failures = session.exec(
        select(CheckinAttempt.id)
        .where(CheckinAttempt.meeting_id == meeting.id)
        .where(CheckinAttempt.member_id == actor.member_id)
        .where(col(CheckinAttempt.outcome).in_(_COUNTED))
        .where(col(CheckinAttempt.at) >= meeting.starts_at - rules.checkin_opens_before)
    ).all()
    if len(failures) >= limit:
        _record_attempt(session, meeting, actor, CheckinOutcome.LOCKED, now)
        message = meeting_texts.ATT_CHECKIN_LOCKED.format(limit=limit)
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
        message = meeting_texts.ATT_CHECKIN_OK.format(
            when=format_vn_datetime(meeting.starts_at, rules.tz)
        )
        return CheckinResult(CheckinOutcome.PRESENT, meeting, limit - len(failures), message)
    outcome = CheckinOutcome.EXPIRED if matching else CheckinOutcome.WRONG
    _record_attempt(session, meeting, actor, outcome, now)
    left = limit - len(failures) - 1
    if left <= 0:
        message = meeting_texts.ATT_CHECKIN_LOCKED.format(limit=limit)
    elif outcome is CheckinOutcome.EXPIRED:
        message = meeting_texts.ATT_CHECKIN_EXPIRED.format(left=left)
    else:
        message = meeting_texts.ATT_CHECKIN_WRONG.format(left=left)
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
        raise UserError(meeting_texts.ATT_NOT_ON_ROLL)
    return row


def _mark(
    session: Session,
    row: Attendance,
    value: AttendanceStatus,
    *,
    actor: Actor,
    source: StatusSource,
    via: str,
    reason: str | None = None,
    now: datetime,
) -> None:
    """Write one status and its audit entry, naming who wrote it and how (`via`: "one" by
    one, "checkin"/"se_du" by exception, "closing"), so every mark on the roll can be traced
    to a person."""
    before = row.status
    row.status = value
    row.status_reason = reason
    row.status_source = source
    row.status_set_at = now
    row.status_set_by_member_id = actor.member_id
    session.add(row)
    audit.record(
        session,
        "attendance.status_set",
        "meeting",
        row.meeting_id,
        actor_member_id=actor.member_id,
        detail={
            "member_id": row.member_id,
            "before": before,
            "after": value.value,
            "via": via,
        },
        at=now,
    )


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
    """The secretary sets a member's status for the meeting, whatever check-in said (the
    secretary's own "present" too: `member_id` may be the actor's).

    Setting "vắng không phép" may bring the member to the flag threshold; the secretary is
    then notified privately (see `absence_flags`).
    """
    meeting, _cell = managed_meeting(session, actor, meeting_id)
    require_active(meeting)
    try:
        value = AttendanceStatus(status)
    except ValueError:
        raise UserError(meeting_texts.ATT_BAD_STATUS) from None
    row = _roll_row(session, meeting, member_id)
    _mark(
        session,
        row,
        value,
        actor=actor,
        source=StatusSource.SECRETARY,
        via="one",
        reason=nfc(reason or "")[:500] or None,
        now=now,
    )
    session.flush()
    if value is AttendanceStatus.ABSENT_WITHOUT_LEAVE:
        _notify_flags(session, meeting, [member_id], now=now, rules=rules)
    return row


# --- Roll call by exception -------------------------------------------------------------------


def _basis(value: PresentBasis | str) -> PresentBasis:
    try:
        return PresentBasis(value)
    except ValueError:
        raise UserError(texts.STALE_BUTTON) from None


def _fits(line: RollLine | Attendance, basis: PresentBasis) -> bool:
    if basis is PresentBasis.CHECKED_IN:
        return (
            line.status == AttendanceStatus.PRESENT
            and line.status_source == StatusSource.CHECKIN
            and line.checked_in_at is not None
        )
    return line.status is None and line.answer == AttendanceAnswer.WILL_ATTEND


def proposed_present(lines: Sequence[RollLine], basis: PresentBasis | str) -> list[RollLine]:
    """Who a "present for everyone who…" proposal names, from the roll as it stands.

    - checked in: present by their own check-in, not yet confirmed by the secretary (a code
      can be passed on to someone at home; the secretary vouches for the room);
    - answered "sẽ dự": still without any status (a status already set is the secretary's or
      the member's own word and is never overwritten by a proposal).
    """
    chosen = _basis(basis)
    return [x for x in lines if _fits(x, chosen)]


def _held(session: Session, actor: Actor, meeting_id: int, now: datetime) -> Meeting:
    """A meeting the actor runs, not cancelled, that has started: roll-call-by-exception and
    closing are about who was in the room."""
    meeting, _cell = managed_meeting(session, actor, meeting_id, for_update=True)
    require_active(meeting)
    if now < meeting.starts_at:
        raise UserError(meeting_texts.ATT_CLOSE_TOO_EARLY)
    return meeting


def present_proposal(
    session: Session,
    actor: Actor,
    meeting_id: int,
    basis: PresentBasis | str,
    *,
    now: datetime,
) -> list[RollLine]:
    """The members a proposal would mark present, to show the secretary; nothing written."""
    meeting = _held(session, actor, meeting_id, now)
    chosen = _basis(basis)
    ensure_roll(session, meeting)
    return proposed_present(_roll_lines(session, meeting), chosen)


def confirm_present(
    session: Session,
    actor: Actor,
    meeting_id: int,
    basis: PresentBasis | str,
    member_ids: Collection[int],
    *,
    now: datetime,
) -> list[RollLine]:
    """Record "present" for the members the secretary was shown (`member_ids`, untrusted: it
    comes back from the chat state) who still fit the proposal now; returns those recorded.

    Someone shown whose status was set meanwhile (by another leader, or who checked in) keeps
    it; someone who fits now but was not shown is not marked. So nothing is recorded that the
    secretary did not see, and no later mark is overwritten.
    """
    meeting = _held(session, actor, meeting_id, now)
    chosen_basis = _basis(basis)
    ensure_roll(session, meeting)
    shown = sorted({m for m in member_ids if isinstance(m, int)})
    # The rows are locked before they are judged, so a check-in or another leader's mark
    # arriving meanwhile is either seen here or waits for this to commit.
    locked = (
        session.exec(
            select(Attendance)
            .where(Attendance.meeting_id == meeting_id)
            .where(col(Attendance.member_id).in_(shown))
            .with_for_update()
        ).all()
        if shown
        else []
    )
    rows = [row for row in locked if _fits(row, chosen_basis)]
    chosen = {row.member_id for row in rows}
    for row in rows:
        _mark(
            session,
            row,
            AttendanceStatus.PRESENT,
            actor=actor,
            source=StatusSource.SECRETARY,
            via=chosen_basis.value,
            now=now,
        )
    session.flush()
    return [x for x in _roll_lines(session, meeting) if x.member_id in chosen]


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
        raise UserError(meeting_texts.VOTE_EXCL_OFFICIAL_ONLY)
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


def _closing_status(row: Attendance) -> tuple[AttendanceStatus, str | None]:
    """What closing records for a blank: exempt members "miễn sinh hoạt", a member who asked
    leave "vắng có phép" (with the reason), anyone else "vắng không phép"."""
    if row.member_status == MemberStatus.EXEMPT:
        return AttendanceStatus.EXEMPT, None
    if row.answer == AttendanceAnswer.ABSENT_REQUEST:
        return AttendanceStatus.ABSENT_WITH_LEAVE, row.answer_reason
    return AttendanceStatus.ABSENT_WITHOUT_LEAVE, None


def closing_preview(
    session: Session, actor: Actor, meeting_id: int, *, now: datetime
) -> ClosingPreview:
    """What closing the roll would record, for the secretary to see and confirm first.

    Every blank is listed, the convener's and the closer's own included: a secretary who ran
    the meeting but never checked in would otherwise be recorded absent at it, and the vote's
    denominator would count an absentee who was in the chair.
    """
    meeting = _held(session, actor, meeting_id, now)
    rows = ensure_roll(session, meeting)
    names = member_names(session, [r.member_id for r in rows])
    unmarked = []
    for row in rows:
        if row.status is not None:
            continue
        becomes, reason = _closing_status(row)
        member = names.get(row.member_id)
        unmarked.append(
            ClosingLine(
                member_id=row.member_id,
                name=member.full_name if member else str(row.member_id),
                becomes=becomes,
                reason=reason,
                is_convener=row.member_id == meeting.created_by_member_id,
            )
        )
    unmarked.sort(key=lambda x: (vn_name_key(x.name), x.member_id))
    return ClosingPreview(
        meeting=meeting,
        marked=dict(Counter(r.status for r in rows if r.status is not None)),
        unmarked=unmarked,
        actor_unmarked=any(x.member_id == actor.member_id for x in unmarked),
    )


def close_attendance(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    now: datetime,
    shown: Collection[int] | None = None,
    rules: CellMonthRules = DEFAULT_RULES,
) -> list[RollLine]:
    """Fill every blank status once the meeting has started; statuses already set stay.

    What each blank becomes is `_closing_status` (the secretary can correct it afterwards).
    `shown` is the blanks the secretary confirmed (`closing_preview`): if a blank is not among
    them (a member joined the cell, a status was cleared meanwhile) nothing is written and the
    secretary is asked to look again, so nobody is recorded absent without having been shown.
    """
    meeting = _held(session, actor, meeting_id, now)
    blanks = [row for row in ensure_roll(session, meeting) if row.status is None]
    if shown is not None and not {row.member_id for row in blanks} <= set(shown):
        raise UserError(meeting_texts.ATT_CLOSE_LIST_CHANGED)
    unexcused: list[int] = []
    for row in blanks:
        becomes, reason = _closing_status(row)
        if becomes is AttendanceStatus.ABSENT_WITHOUT_LEAVE:
            unexcused.append(row.member_id)
        _mark(
            session,
            row,
            becomes,
            actor=actor,
            source=StatusSource.CLOSING,
            via="closing",
            reason=reason,
            now=now,
        )
    meeting.attendance_closed_at = now
    session.add(meeting)
    audit.record(
        session,
        "attendance.closed",
        "meeting",
        meeting_id,
        actor_member_id=actor.member_id,
        detail={"unexcused": unexcused, "filled": len(blanks)},
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
    return sorted(flags, key=lambda f: (-f.months, vn_name_key(f.name)))


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
    template = meeting_texts.ATT_FLAG_THRESHOLD if flag.reaches_removal else meeting_texts.ATT_FLAG
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


def flagged_per_cell(
    session: Session,
    cell_ids: Any,
    now: datetime,
    tz: tzinfo,
    *,
    rules: CellMonthRules = DEFAULT_RULES,
) -> dict[int, int]:
    """Members (by their current cell) with unexcused absences in `absence_flag_months`
    distinct local months of the last `absence_window`: Article 8's flag, counted per cell for
    the committees (who are flagged stays with the cell's leadership, `absence_flags`).

    Only the unexcused rows of the window are read (a small share of the roll); the months are
    counted here because converting to the local zone in SQL differs between the dialects.
    """
    months: dict[int, set[str]] = defaultdict(set)
    cell_of: dict[int, int] = {}
    for member_id, cell_id, starts_at in session.exec(
        select(Attendance.member_id, Member.cell_id, Meeting.starts_at)
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .join(Member, col(Member.id) == col(Attendance.member_id))
        .where(Attendance.status == AttendanceStatus.ABSENT_WITHOUT_LEAVE)
        .where(Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) > now - rules.absence_window)
        .where(col(Meeting.starts_at) <= now)
        .where(col(Member.cell_id).in_(cell_ids))
    ):
        months[member_id].add(starts_at.astimezone(tz).strftime("%Y-%m"))
        cell_of[member_id] = cell_id
    flagged: dict[int, int] = defaultdict(int)
    for member_id, seen in months.items():
        if len(seen) >= rules.absence_flag_months:
            flagged[cell_of[member_id]] += 1
    return dict(flagged)
