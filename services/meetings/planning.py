"""Cell meetings: plan, schedule, documents, agenda, cancellation.

The rules (docs/domain.md, from Chỉ thị 50-CT/TW and Hướng dẫn 42-HD/BTCTW, 2025):
- every cell meets monthly; a thematic meeting never replaces the regular one, so a cell holds
  at most one regular meeting a month (a combined regular + thematic meeting is that one);
- a meeting lasts at least 90 minutes, 120 when regular and thematic are held together (and,
  our own sanity bound, at most 8 hours: "25h" typed as an end is a slip, not a meeting);
- documents (draft resolution, report) reach members at least one day before the meeting;
- the order of business is fixed (opening, content, closing) and prefills the agenda.

Only the secretary or deputy of the cell (Permission.MANAGE_CELL) writes; the cell's members
and the committees above it (Permission.OVERSEE) read. Times arrive as aware datetimes and are
stored in UTC; months and days are those of the configured zone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo

from sqlmodel import Session, col, select

from models import (
    Attendance,
    AttendanceAnswer,
    CheckinCode,
    DeliveryKind,
    FileKind,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingStatus,
    Unit,
)
from services import audit, outbox, texts
from services.auth import Actor, Permission, allows, authorize
from services.buttons import ButtonId
from services.errors import UserError
from services.meetings import texts as meeting_texts
from services.org import cell_members, is_cell
from services.textnorm import nfc
from services.vndate import DEFAULT_TZ, format_vn_datetime, format_vn_duration, format_vn_span

# Buttons (services.buttons): an invitation's answers, and a meeting document sent again.
ANSWER = ButtonId("mtg")
DOCUMENT_AGAIN = ButtonId("mtg_doc")


@dataclass(frozen=True)
class CellMonthRules:
    """Every number the cell-month rules use, in one place, so a province can adjust them.

    Sources: minimum durations and the one-day document lead from Chỉ thị 50-CT/TW and
    Hướng dẫn 42-HD/BTCTW; the two-day resolution posting is local practice (unverified);
    the absence thresholds from Điều lệ Đảng, Article 8; the check-in numbers and the
    8-hour maximum length are ours.
    """

    tz: tzinfo = DEFAULT_TZ
    min_minutes: int = 90
    min_minutes_combined: int = 120
    max_minutes: int = 8 * 60
    documents_lead: timedelta = timedelta(days=1)
    resolution_within: timedelta = timedelta(days=2)
    checkin_ttl: timedelta = timedelta(minutes=15)
    checkin_wrong_limit: int = 3
    checkin_opens_before: timedelta = timedelta(hours=1)
    checkin_closes_after: timedelta = timedelta(hours=3)
    absence_window: timedelta = timedelta(days=365)
    absence_flag_months: int = 2
    removal_months: int = 3
    max_text_chars: int = 4000
    # What other features add to a regular meeting's agenda (`services.offers.AGENDA_ITEMS`).
    agenda_items: tuple[Callable[[Session, int, datetime], list[str]], ...] = ()

    def min_duration(self, kind: MeetingKind) -> int:
        return self.min_minutes_combined if kind is MeetingKind.COMBINED else self.min_minutes


DEFAULT_RULES = CellMonthRules()

# Limits on what a secretary or member types, in characters. Each is checked by the `clean_*`
# function below, which the chat calls at the step where the text is typed (so a refusal never
# comes later, at the end of the flow), and which the services call again when they save.
TOPIC_MAX_CHARS = 300
PLACE_MAX_CHARS = 300
CANCEL_REASON_MAX_CHARS = 500
AGENDA_ITEM_MAX_CHARS = 500
DOCUMENT_TITLE_MAX_CHARS = 300
FILE_REF_MAX_CHARS = 500
ABSENCE_REASON_MAX_CHARS = 500


@dataclass(frozen=True)
class MeetingPlan:
    """A validated meeting, not yet saved: what the secretary previews before confirming."""

    cell_id: int
    cell_name: str
    kind: MeetingKind
    starts_at: datetime
    ends_at: datetime
    place: str
    topic: str | None
    agenda: tuple[str, ...]
    warnings: tuple[str, ...]
    invitation: str
    # What the invitation came to once the meeting is saved (`schedule_meeting`), so the
    # secretary hears who was really told; None in a preview, where nothing is sent.
    reach: outbox.Reach | None = None


# --- Loading and authorizing ------------------------------------------------------------------


def load_cell(session: Session, cell_id: int) -> Unit:
    """The cell, or a UserError: meetings belong to cells only."""
    unit = session.get(Unit, cell_id)
    if unit is None or not is_cell(unit):
        raise UserError(meeting_texts.MTG_NOT_A_CELL)
    return unit


def load_meeting(session: Session, meeting_id: int, *, for_update: bool = False) -> Meeting:
    """The meeting by id, or a UserError (ids come from buttons: untrusted)."""
    query = select(Meeting).where(Meeting.id == meeting_id)
    if for_update:
        query = query.with_for_update()
    meeting = session.exec(query).first()
    if meeting is None:
        raise UserError(meeting_texts.MTG_NOT_FOUND)
    return meeting


def authorize_view(actor: Actor, unit: Unit) -> None:
    """Secretary or deputy of the cell, or a committee above it; otherwise Forbidden."""
    if allows(actor, Permission.MANAGE_CELL, unit) or allows(actor, Permission.OVERSEE, unit):
        return
    authorize(actor, Permission.MANAGE_CELL, unit)


def managed_meeting(
    session: Session, actor: Actor, meeting_id: int, *, for_update: bool = False
) -> tuple[Meeting, Unit]:
    """A meeting the actor may change (MANAGE_CELL on its cell), with its cell."""
    meeting = load_meeting(session, meeting_id, for_update=for_update)
    cell = load_cell(session, meeting.cell_id)
    authorize(actor, Permission.MANAGE_CELL, cell)
    return meeting, cell


def viewed_meeting(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, Unit]:
    """A meeting the actor may inspect (manager or overseer), with its cell."""
    meeting = load_meeting(session, meeting_id)
    cell = load_cell(session, meeting.cell_id)
    authorize_view(actor, cell)
    return meeting, cell


def readable_meeting(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, Unit]:
    """A meeting the actor may read (a member of its cell, its secretary or deputy, a committee
    above), with its cell; Forbidden otherwise."""
    meeting = load_meeting(session, meeting_id)
    cell = load_cell(session, meeting.cell_id)
    if not allows(actor, Permission.MEMBER, cell):
        authorize(actor, Permission.MANAGE_CELL, cell)
    return meeting, cell


def require_active(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise UserError(meeting_texts.MTG_IS_CANCELLED)


# --- Planning ---------------------------------------------------------------------------------


def default_agenda(kind: MeetingKind, topic: str | None = None) -> list[str]:
    """The order of business of Hướng dẫn 42-HD/BTCTW: opening, content, closing.

    A thematic meeting adds its topic; a purely thematic one skips the monthly report and the
    review of last month's resolution, which belong to the regular meeting.
    """
    thematic = meeting_texts.MTG_AGENDA_THEMATIC.format(topic=topic or "…")
    if kind is MeetingKind.THEMATIC:
        return [
            meeting_texts.MTG_AGENDA_OPENING,
            thematic,
            meeting_texts.MTG_AGENDA_DISCUSSION,
            meeting_texts.MTG_AGENDA_CLOSING,
        ]
    items = [
        meeting_texts.MTG_AGENDA_OPENING,
        meeting_texts.MTG_AGENDA_REPORT,
        meeting_texts.MTG_AGENDA_REVIEW,
        meeting_texts.MTG_AGENDA_CURRENT,
    ]
    if kind is MeetingKind.COMBINED:
        items.append(thematic)
    items += [meeting_texts.MTG_AGENDA_DISCUSSION, meeting_texts.MTG_AGENDA_CLOSING]
    return items


def suggested_agenda(
    session: Session,
    cell_id: int,
    kind: MeetingKind,
    topic: str | None,
    starts_at: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> list[str]:
    """The standard order of business with what other features offer for this meeting (the
    month's study topic, say), inserted after the current-affairs item of a regular or combined
    meeting; an item already there is not repeated."""
    items = default_agenda(kind, topic)
    if kind is MeetingKind.THEMATIC or not rules.agenda_items:
        return items
    at = items.index(meeting_texts.MTG_AGENDA_CURRENT) + 1
    offered = [
        line.strip()
        for source in rules.agenda_items
        for line in source(session, cell_id, starts_at)
        if line.strip()
    ]
    fresh = [line for i, line in enumerate(offered) if line not in items[:at] + offered[:i]]
    return items[:at] + fresh + items[at:]


def month_key(value: datetime, tz: tzinfo) -> str:
    """The local calendar month a meeting belongs to, as "2026-12"."""
    return value.astimezone(tz).strftime("%Y-%m")


def _clean(text: str | None, limit: int, message: str = meeting_texts.MTG_TEXT_TOO_LONG) -> str:
    """The text composed and trimmed; over `limit` characters it is refused with `message`
    (which names the limit), never cut: what the member wrote is theirs to shorten."""
    value = nfc(text or "")
    if len(value) > limit:
        raise UserError(message.format(length=len(value), maximum=limit))
    return value


def clean_topic(text: str | None, *, required: bool = False) -> str | None:
    """A thematic meeting's topic (None when empty and not `required`), or a refusal naming
    the limit."""
    topic = _clean(text, TOPIC_MAX_CHARS, meeting_texts.MTG_TOPIC_TOO_LONG) or None
    if required and topic is None:
        raise UserError(meeting_texts.MTG_NO_TOPIC)
    return topic


def clean_cancel_reason(text: str | None) -> str:
    """Why a meeting is cancelled (members are told it): required, refused over the limit,
    checked where it is typed so the confirmation shows exactly what will be sent."""
    reason = _clean(text, CANCEL_REASON_MAX_CHARS)
    if not reason:
        raise UserError(meeting_texts.MTG_CANCEL_NO_REASON)
    return reason


def clean_place(text: str | None) -> str:
    """Where the meeting is held: required, and at most PLACE_MAX_CHARS."""
    place = _clean(text, PLACE_MAX_CHARS, meeting_texts.MTG_PLACE_TOO_LONG)
    if not place:
        raise UserError(meeting_texts.MTG_NO_PLACE)
    return place


def clean_agenda(agenda: Sequence[str], rules: CellMonthRules = DEFAULT_RULES) -> tuple[str, ...]:
    """The agenda's items, each at most AGENDA_ITEM_MAX_CHARS and all together at most
    `rules.max_text_chars` (the invitation must still fit one message); empty items dropped."""
    items: list[str] = []
    for item in agenda:
        value = nfc(item or "")
        if len(value) > AGENDA_ITEM_MAX_CHARS:
            raise UserError(  # numbered as the agenda is shown: empty items left out
                meeting_texts.MTG_AGENDA_ITEM_TOO_LONG.format(
                    number=len(items) + 1, length=len(value), maximum=AGENDA_ITEM_MAX_CHARS
                )
            )
        if value:
            items.append(value)
    if not items:
        raise UserError(meeting_texts.MTG_AGENDA_EMPTY)
    _clean("\n".join(items), rules.max_text_chars, meeting_texts.MTG_AGENDA_TOO_LONG)
    return tuple(items)


def clean_document(title: str | None, file_ref: str | None) -> tuple[str, str]:
    """A meeting document's title and file reference, both required, each within its limit."""
    clean_title = _clean(title, DOCUMENT_TITLE_MAX_CHARS, meeting_texts.MTG_DOC_TITLE_TOO_LONG)
    clean_ref = _clean(file_ref, FILE_REF_MAX_CHARS)
    if not clean_title or not clean_ref:
        raise UserError(meeting_texts.MTG_DOC_NO_CONTENT)
    return clean_title, clean_ref


def clean_absence_reason(text: str | None) -> str:
    """A member's reason for asking leave ("Xin vắng"): required, at most
    ABSENCE_REASON_MAX_CHARS, refused (with the limit) rather than cut, since the secretary
    reads it to decide whether the absence is excused."""
    reason = _clean(text, ABSENCE_REASON_MAX_CHARS, meeting_texts.MTG_REASON_TOO_LONG)
    if not reason:
        raise UserError(meeting_texts.ATT_REASON_REQUIRED)
    return reason


def _check_aware(*values: datetime | None) -> None:
    for value in values:
        if value is not None and value.tzinfo is None:
            raise ValueError("datetimes given to services must be timezone-aware")


def _check_times(
    session: Session,
    cell_id: int,
    kind: MeetingKind,
    starts_at: datetime,
    ends_at: datetime,
    *,
    now: datetime,
    rules: CellMonthRules,
    ignore_meeting_id: int | None = None,
) -> None:
    """Refuse the past, too short a meeting, and a second regular meeting in the month."""
    if starts_at <= now:
        when = format_vn_datetime(starts_at, rules.tz)
        raise UserError(meeting_texts.MTG_IN_PAST.format(when=when))
    if ends_at <= starts_at:
        raise UserError(meeting_texts.MTG_END_BEFORE_START)
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    minimum = rules.min_duration(kind)
    if minutes < minimum:
        raise UserError(
            meeting_texts.MTG_TOO_SHORT.format(
                kind=texts.MTG_KIND_LABELS[kind], minimum=minimum, actual=minutes
            )
        )
    if minutes > rules.max_minutes:
        raise UserError(
            meeting_texts.MTG_TOO_LONG.format(
                maximum=format_vn_duration(rules.max_minutes),
                actual=format_vn_duration(minutes),
                when=format_vn_span(starts_at, ends_at, rules.tz),
            )
        )
    if kind.is_regular:
        month = month_key(starts_at, rules.tz)
        query = (
            select(Meeting).where(Meeting.cell_id == cell_id).where(Meeting.regular_month == month)
        )
        if ignore_meeting_id is not None:
            query = query.where(Meeting.id != ignore_meeting_id)
        other = session.exec(query).first()
        if other is not None:
            raise UserError(
                meeting_texts.MTG_SECOND_REGULAR.format(
                    month=starts_at.astimezone(rules.tz).strftime("%m/%Y"),
                    when=format_vn_datetime(other.starts_at, rules.tz),
                )
            )


def answer_options(meeting_id: int) -> list[tuple[str, str]]:
    """ "Sẽ dự" / "Xin vắng": the buttons of an invitation, a move and a reminder, answered by
    the `mtg` action (`handlers.meetings.invitation_action`)."""
    return [
        (ANSWER(meeting_id, "yes"), meeting_texts.MTG_ANSWER_YES),
        (ANSWER(meeting_id, "no"), meeting_texts.MTG_ANSWER_NO),
    ]


def meeting_when(meeting: Meeting, tz: tzinfo) -> str:
    """When a meeting is, start and end: `Thứ Sáu, 11/12/2026, 14:00–16:00`. Every place a
    member or secretary is shown a meeting's time (invitation, preview, reminders, /lichhop)
    uses this, so they all read alike and none leaves the end out."""
    return format_vn_span(meeting.starts_at, meeting.ends_at, tz)


def invitation_text(
    cell_name: str,
    kind: MeetingKind,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    agenda: Sequence[str],
    topic: str | None,
    tz: tzinfo,
) -> str:
    """The notice members receive; also the secretary's preview."""
    return meeting_texts.MTG_INVITE.format(
        kind=texts.MTG_KIND_LABELS[kind],
        cell=cell_name,
        topic=texts.MTG_INVITE_TOPIC.format(topic=topic) if topic else "",
        when=format_vn_span(starts_at, ends_at, tz),
        place=place,
        agenda="\n".join(f"{i}. {item}" for i, item in enumerate(agenda, 1)),
    )


def plan_meeting(
    session: Session,
    actor: Actor,
    cell_id: int,
    *,
    kind: MeetingKind | str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    place: str,
    topic: str | None = None,
    agenda: Sequence[str] | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> MeetingPlan:
    """Validate a meeting and return the preview; nothing is written.

    Without `ends_at` the meeting lasts the minimum for its kind. Warnings (not refusals) say
    what still needs doing, e.g. documents that must go out a day before.
    """
    _check_aware(starts_at, ends_at, now)
    cell = load_cell(session, cell_id)
    authorize(actor, Permission.MANAGE_CELL, cell)
    kind = MeetingKind(kind)
    topic_text = clean_topic(topic, required=kind in (MeetingKind.THEMATIC, MeetingKind.COMBINED))
    place_text = clean_place(place)
    starts_at = starts_at.astimezone(UTC)
    end = (ends_at or starts_at + timedelta(minutes=rules.min_duration(kind))).astimezone(UTC)
    _check_times(session, cell_id, kind, starts_at, end, now=now, rules=rules)
    if agenda is None:
        agenda = suggested_agenda(session, cell_id, kind, topic_text, starts_at, rules)
    items = clean_agenda(agenda, rules)
    warnings = _documents_warnings(starts_at, [], now=now, rules=rules)
    return MeetingPlan(
        cell_id=cell_id,
        cell_name=cell.name,
        kind=kind,
        starts_at=starts_at,
        ends_at=end,
        place=place_text,
        topic=topic_text,
        agenda=items,
        warnings=tuple(warnings),
        invitation=invitation_text(
            cell.name, kind, starts_at, end, place_text, items, topic_text, rules.tz
        ),
    )


def schedule_meeting(
    session: Session,
    actor: Actor,
    cell_id: int,
    *,
    kind: MeetingKind | str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    place: str,
    topic: str | None = None,
    agenda: Sequence[str] | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> tuple[Meeting, MeetingPlan]:
    """Save the meeting the secretary confirmed, put the cell on its roll, invite everyone.

    Everything is validated again (the preview may be old, the confirmation is untrusted input).
    The roll snapshots each member's status so the vote's denominator is judged as it stood.
    Invitations go to the outbox with "Sẽ dự" / "Xin vắng" options; the convener counts as
    attending. The cell's row is locked first (PostgreSQL), so two confirmations for the same
    month queue up and the second sees the first; the unique (cell, regular_month) constraint
    is the last guard. The plan returned carries the invitation's `reach` (who was really
    told, who has no chat account), for the secretary's answer.
    """
    session.exec(select(Unit).where(Unit.id == cell_id).with_for_update()).first()
    plan = plan_meeting(
        session,
        actor,
        cell_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        topic=topic,
        agenda=agenda,
        now=now,
        rules=rules,
    )
    meeting = Meeting(
        cell_id=cell_id,
        kind=plan.kind,
        topic=plan.topic,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        place=plan.place,
        agenda=list(plan.agenda),
        status=MeetingStatus.SCHEDULED,
        regular_month=month_key(plan.starts_at, rules.tz) if plan.kind.is_regular else None,
        created_by_member_id=actor.member_id,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    roll = ensure_roll(session, meeting)
    for row in roll:
        if row.member_id == actor.member_id:
            row.answer = AttendanceAnswer.WILL_ATTEND
            row.answered_at = now
            session.add(row)
    payload = outbox.message(
        plan.invitation, options=answer_options(meeting.id), until=meeting.starts_at
    )
    invited = outbox.enqueue(
        session,
        kind=DeliveryKind.MEETING_INVITE,
        ref_id=meeting.id,
        member_ids=[r.member_id for r in roll if r.member_id != actor.member_id],
        payload=payload,
        dedupe_key=f"meeting_invite:{meeting.id}",
        now=now,
    )
    audit.record(
        session,
        "meeting.scheduled",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={
            "cell_id": cell_id,
            "kind": plan.kind.value,
            "starts_at": plan.starts_at.isoformat(),
            "ends_at": plan.ends_at.isoformat(),
            "roll": len(roll),
        },
        at=now,
    )
    return meeting, replace(plan, reach=invited.reach)


def ensure_roll(session: Session, meeting: Meeting) -> list[Attendance]:
    """The meeting's roll: one row per member of the cell, adding members who joined since.

    Members who left the cell stay on the roll: what happened at the meeting does not change.
    """
    assert meeting.id is not None
    rows = list(session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)))
    have = {r.member_id for r in rows}
    for member in cell_members(session, meeting.cell_id):
        assert member.id is not None
        if member.id in have:
            continue
        row = Attendance(meeting_id=meeting.id, member_id=member.id, member_status=member.status)
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def update_agenda(
    session: Session,
    actor: Actor,
    meeting_id: int,
    agenda: Sequence[str],
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> Meeting:
    """Replace the agenda of a meeting that has not started yet."""
    meeting, _cell = managed_meeting(session, actor, meeting_id, for_update=True)
    require_active(meeting)
    if meeting.starts_at <= now:
        raise UserError(meeting_texts.MTG_ALREADY_HELD)
    items = clean_agenda(agenda, rules)
    before = list(meeting.agenda)
    meeting.agenda = list(items)
    meeting.updated_at = now
    session.add(meeting)
    audit.record(
        session,
        "meeting.agenda_updated",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={"before": before, "after": list(items)},
        at=now,
    )
    return meeting


def cancel_meeting(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    reason: str,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> outbox.Reach:
    """Cancel a meeting that has not started; its month is free again; members are told.

    Returns what the notice came to (`outbox.describe_reach`), so the secretary hears who was
    really told rather than who was meant to be.
    """
    meeting, _cell = managed_meeting(session, actor, meeting_id, for_update=True)
    require_active(meeting)
    if meeting.starts_at <= now:
        raise UserError(meeting_texts.MTG_ALREADY_HELD)
    clean_reason = clean_cancel_reason(reason)
    meeting.status = MeetingStatus.CANCELLED
    meeting.regular_month = None
    meeting.cancel_reason = clean_reason
    meeting.updated_at = now
    session.add(meeting)
    roll = ensure_roll(session, meeting)
    assert meeting.id is not None
    outbox.expire_superseded(  # no invitation or reminder after the cancellation
        session,
        kinds=(
            DeliveryKind.MEETING_INVITE,
            DeliveryKind.MEETING_MOVED,
            DeliveryKind.MEETING_REMINDER,
        ),
        ref_id=meeting.id,
        reason="superseded: the meeting was cancelled",
        now=now,
    )
    told = outbox.enqueue(
        session,
        kind=DeliveryKind.MEETING_CANCELLED,
        ref_id=meeting.id,
        member_ids=[r.member_id for r in roll if r.member_id != actor.member_id],
        payload=outbox.message(
            meeting_texts.MTG_CANCEL_NOTICE.format(
                when=format_vn_datetime(meeting.starts_at, rules.tz), reason=clean_reason
            )
        ),
        dedupe_key=f"meeting_cancelled:{meeting.id}",
        now=now,
    )
    audit.record(
        session,
        "meeting.cancelled",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={"reason": clean_reason},
        at=now,
    )
    return told.reach


@dataclass(frozen=True)
class Moved:
    """A meeting moved (`move_meeting`) and what the notice of it came to."""

    meeting: Meeting
    reach: outbox.Reach


@dataclass(frozen=True)
class Move:
    """A meeting's new time and place, validated (`plan_move`); nothing written yet."""

    starts_at: datetime
    ends_at: datetime
    place: str
    old_starts_at: datetime
    old_ends_at: datetime


def plan_move(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    starts_at: datetime | None = None,
    place: str | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> Move:
    """Validate moving a meeting that has not started: to `starts_at` (None: same time),
    keeping its length, and/or to `place` (None: same place). The same refusals as a new
    meeting (the past, too soon, a second regular meeting in the month), itself excepted."""
    _check_aware(starts_at, now)
    meeting, _cell = managed_meeting(session, actor, meeting_id)
    require_active(meeting)
    if meeting.starts_at <= now:
        raise UserError(meeting_texts.MTG_ALREADY_HELD)
    start = (starts_at or meeting.starts_at).astimezone(UTC)
    end = start + (meeting.ends_at - meeting.starts_at)
    new_place = meeting.place if place is None else _clean(place, 300)
    if not new_place:
        raise UserError(meeting_texts.MTG_NO_PLACE)
    kind = MeetingKind(meeting.kind)
    _check_times(
        session,
        meeting.cell_id,
        kind,
        start,
        end,
        now=now,
        rules=rules,
        ignore_meeting_id=meeting.id,
    )
    return Move(start, end, new_place, meeting.starts_at, meeting.ends_at)


def move_meeting(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    starts_at: datetime | None = None,
    place: str | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> Moved:
    """Move a meeting to a new time and/or place and tell the cell; returns it with what the
    notice came to (`Moved.reach`).

    Answers given for the old time no longer hold: they are cleared, and every member but the
    one who moved it (who attends, as a convener does) gets the new time with "Sẽ dự" /
    "Xin vắng" again. The roll of the old time goes too: check-ins made in the hour before it
    (their code is closed here) and any status set for it are cleared, so nobody stands
    "present" at a time that never happened while their answer is asked again; the audit
    entry names what was cleared. Reminders follow by themselves: the scheduler's keys name
    the meeting's start (`scheduler.meetings`).
    """
    meeting, cell = managed_meeting(session, actor, meeting_id, for_update=True)
    move = plan_move(
        session, actor, meeting_id, starts_at=starts_at, place=place, now=now, rules=rules
    )
    if move.starts_at == meeting.starts_at and move.place == meeting.place:
        raise UserError(meeting_texts.MTG_MOVE_NOTHING)
    kind = MeetingKind(meeting.kind)
    meeting.starts_at, meeting.ends_at, meeting.place = move.starts_at, move.ends_at, move.place
    meeting.regular_month = month_key(move.starts_at, rules.tz) if kind.is_regular else None
    meeting.updated_at = now
    session.add(meeting)
    # A check-in code opened for the old time must not admit anyone to the new one.
    open_codes = session.exec(
        select(CheckinCode)
        .where(CheckinCode.meeting_id == meeting.id)
        .where(col(CheckinCode.expires_at) > now)
    )
    for code in open_codes:
        code.expires_at = now
        session.add(code)
    roll = ensure_roll(session, meeting)
    cleared: list[dict[str, object]] = []
    for row in roll:
        if row.member_id == actor.member_id:  # who chose the new time attends it
            row.answer, row.answer_reason, row.answered_at = AttendanceAnswer.WILL_ATTEND, None, now
        elif row.answer is not None:
            row.answer, row.answer_reason, row.answered_at = None, None, None
        if row.status is not None or row.checked_in_at is not None:
            cleared.append(
                {"member_id": row.member_id, "status": row.status, "source": row.status_source}
            )
            row.status = row.status_reason = row.status_source = None
            row.status_set_at = row.checked_in_at = None
            row.status_set_by_member_id = None
        session.add(row)
    notice = meeting_texts.MTG_MOVED_NOTICE.format(
        kind=texts.MTG_KIND_LABELS[kind],
        cell=cell.name,
        when=format_vn_span(move.starts_at, move.ends_at, rules.tz),
        old_when=format_vn_span(move.old_starts_at, move.old_ends_at, rules.tz),
        place=move.place,
    )
    # A member away since an earlier move gets this notice only, not a backlog of old ones.
    assert meeting.id is not None
    outbox.expire_superseded(
        session,
        kinds=(DeliveryKind.MEETING_MOVED, DeliveryKind.MEETING_REMINDER),
        ref_id=meeting.id,
        reason="superseded: the meeting was moved again",
        now=now,
    )
    told = outbox.enqueue(
        session,
        kind=DeliveryKind.MEETING_MOVED,
        ref_id=meeting.id,
        member_ids=[r.member_id for r in roll if r.member_id != actor.member_id],
        payload=outbox.message(notice, options=answer_options(meeting.id), until=move.starts_at),
        dedupe_key=f"meeting_moved:{meeting.id}:{move.starts_at.isoformat()}:{now.isoformat()}",
        now=now,
    )
    audit.record(
        session,
        "meeting.moved",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={
            "from": move.old_starts_at.isoformat(),
            "to": move.starts_at.isoformat(),
            "place": move.place,
            "cleared_statuses": cleared,
        },
        at=now,
    )
    return Moved(meeting, told.reach)


# --- Documents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostedDocument:
    """A document posted (`post_document`): the warnings left and what sending it came to."""

    document: MeetingDocument
    warnings: list[str]
    reach: outbox.Reach


def add_document(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    title: str,
    file_ref: str | None = None,
    file_kind: FileKind | str | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> tuple[MeetingDocument, list[str]]:
    """`post_document` for a caller that reports no count (a document sent with a new
    meeting's invitation, which the secretary hears about once): the document and warnings."""
    posted = post_document(
        session,
        actor,
        meeting_id,
        title=title,
        file_ref=file_ref,
        file_kind=file_kind,
        now=now,
        rules=rules,
    )
    return posted.document, posted.warnings


def post_document(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    title: str,
    file_ref: str | None = None,
    file_kind: FileKind | str | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> PostedDocument:
    """Post a document to every member on the roll now; returns it with the warnings left
    and who was really sent it (`PostedDocument.reach`).

    The warning matters: documents must be out at least a day before the meeting
    (Hướng dẫn 42-HD/BTCTW), so a late one is recorded but the secretary is told.
    """
    meeting, _cell = managed_meeting(session, actor, meeting_id)
    require_active(meeting)
    clean_title, clean_ref = clean_document(title, file_ref)
    kind = FileKind(file_kind) if file_kind else FileKind.DOCUMENT
    document = MeetingDocument(
        meeting_id=meeting_id,
        title=clean_title,
        file_ref=clean_ref,
        file_kind=kind,
        posted_at=now,
        posted_by_member_id=actor.member_id,
    )
    session.add(document)
    session.flush()
    roll = ensure_roll(session, meeting)
    notice = meeting_texts.MTG_DOCUMENT_NOTICE.format(
        when=format_vn_datetime(meeting.starts_at, rules.tz), title=clean_title
    )
    sent = outbox.enqueue(
        session,
        kind=DeliveryKind.MEETING_DOCUMENT,
        ref_id=document.id,
        member_ids=[r.member_id for r in roll if r.member_id != actor.member_id],
        payload=outbox.message(notice, file_ref=clean_ref, file_kind=kind),
        dedupe_key=f"meeting_document:{document.id}",
        now=now,
    )
    audit.record(
        session,
        "meeting.document_posted",
        "meeting",
        meeting_id,
        actor_member_id=actor.member_id,
        detail={"document_id": document.id, "title": clean_title},
        at=now,
    )
    warnings = document_warnings(session, meeting, now=now, rules=rules)
    return PostedDocument(document, warnings, sent.reach)


def send_document_again(
    session: Session,
    actor: Actor,
    document_id: int,
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> MeetingDocument:
    """A member asks for a meeting document again (lost in the chat, or linked after it went
    out): it goes through the outbox to that member alone, like the original, so each channel
    sends it its own way. One copy a minute at most, however often the button is pressed."""
    document = session.get(MeetingDocument, document_id)
    if document is None or not document.file_ref:
        raise UserError(texts.STALE_BUTTON)
    meeting = load_meeting(session, document.meeting_id)
    authorize(actor, Permission.MEMBER, load_cell(session, meeting.cell_id))
    require_active(meeting)
    if actor.member_id is None:  # an administrator with no member record has no chat of theirs
        raise UserError(texts.STALE_BUTTON)
    notice = meeting_texts.MTG_DOCUMENT_NOTICE.format(
        when=format_vn_datetime(meeting.starts_at, rules.tz), title=document.title
    )
    outbox.enqueue(
        session,
        kind=DeliveryKind.MEETING_DOCUMENT,
        ref_id=document.id,
        member_ids=[actor.member_id],
        payload=outbox.message(notice, file_ref=document.file_ref, file_kind=document.file_kind),
        dedupe_key=f"meeting_document:{document.id}:again:{now.strftime('%Y%m%d%H%M')}",
        now=now,
    )
    return document


def document_warnings(
    session: Session, meeting: Meeting, *, now: datetime, rules: CellMonthRules = DEFAULT_RULES
) -> list[str]:
    """What the secretary should hear about the meeting's documents, if anything."""
    assert meeting.id is not None
    documents = _documents(session, meeting.id)
    return _documents_warnings(meeting.starts_at, documents, now=now, rules=rules)


def _documents(session: Session, meeting_id: int) -> list[MeetingDocument]:
    return list(
        session.exec(
            select(MeetingDocument)
            .where(MeetingDocument.meeting_id == meeting_id)
            .order_by(col(MeetingDocument.posted_at))
        )
    )


def _documents_warnings(
    starts_at: datetime,
    documents: Sequence[MeetingDocument],
    *,
    now: datetime,
    rules: CellMonthRules,
) -> list[str]:
    """No warning while there is still time; afterwards, name what is missing or late."""
    deadline = starts_at - rules.documents_lead
    when = format_vn_datetime(deadline, rules.tz)
    if not documents:
        if now + timedelta(hours=12) >= deadline:
            return [meeting_texts.MTG_DOCS_MISSING.format(deadline=when)]
        return []
    return [
        meeting_texts.MTG_DOCS_LATE.format(
            title=d.title, sent=format_vn_datetime(d.posted_at, rules.tz), deadline=when
        )
        for d in documents
        if d.posted_at > deadline
    ]


# --- Reading ----------------------------------------------------------------------------------


def upcoming_meetings(
    session: Session, actor: Actor, *, now: datetime, limit: int = 5
) -> list[Meeting]:
    """The actor's own cell's meetings that have not ended yet, soonest first."""
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.cell_id == actor.cell_id)
            .where(Meeting.status == MeetingStatus.SCHEDULED)
            .where(col(Meeting.ends_at) > now)
            .order_by(col(Meeting.starts_at))
            .limit(limit)
        )
    )


def meeting_documents(session: Session, actor: Actor, meeting_id: int) -> list[MeetingDocument]:
    """The meeting's documents, first posted first, for those who may read the meeting
    (`readable_meeting`: its cell's members and leaders, committees above)."""
    meeting, _cell = readable_meeting(session, actor, meeting_id)
    assert meeting.id is not None
    return _documents(session, meeting.id)


def last_place(session: Session, actor: Actor, cell_id: int) -> str | None:
    """Where the cell's latest meeting (by its start, whatever its status) was or will be held,
    offered again when the secretary or deputy schedules the next one; None when the cell has
    no meeting yet. Only the cell's managers ask (Forbidden otherwise)."""
    cell = load_cell(session, cell_id)
    authorize(actor, Permission.MANAGE_CELL, cell)
    place = session.exec(
        select(Meeting.place)
        .where(Meeting.cell_id == cell_id)
        .order_by(col(Meeting.starts_at).desc())
        .limit(1)
    ).first()
    return place or None


def cell_meetings(
    session: Session, actor: Actor, cell_id: int, *, limit: int = 12
) -> list[Meeting]:
    """A cell's recent meetings, newest first (secretary, deputy or committee above)."""
    cell = load_cell(session, cell_id)
    authorize_view(actor, cell)
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.cell_id == cell_id)
            .order_by(col(Meeting.starts_at).desc())
            .limit(limit)
        )
    )
