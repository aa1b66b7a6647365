"""Meeting work: reminders to members, prompts to the secretary around the meeting.

The invitation itself is not here: `services.meetings.planning.schedule_meeting` enqueues it in the
transaction that creates the meeting, which is sooner and safer than any clock.

What fires (times from `SchedulerRules`; keys name the meeting and its start, so a meeting moved
to another time gets fresh reminders):

- ``unanswered`` (2 days before): members who have neither said "sẽ dự" nor "xin vắng", with
  the two answer buttons;
- ``remind_1d``, ``remind_1h``: everyone on the roll except exempt members and those excused;
  members still without an answer get the buttons too;
- ``checkin_open`` (15 minutes before): the secretary is prompted to open check-in;
- ``close_roll`` (30 minutes after the end, unless the roll is closed): the secretary is told
  how many are still without a status and asked to close the roll;
- ``resolution`` (2 days after the end, `CellMonthRules.resolution_within`, unless published):
  the secretary is reminded to post the resolution.

Staleness: a member reminder is stale once a later member reminder of the same meeting is due,
or once the meeting has started (answers close then); the check-in prompt once the meeting has
ended. After downtime, at most one member reminder goes out: the latest one due. The secretary's
chores (closing the roll, the resolution) never go stale while undone: a late reminder about an
unfinished duty is still true.

Why the scheduler prompts instead of opening and closing check-in itself: a code is only useful
when it is read out in the room, and meetings start late; a clock-made code would expire before
anyone reads it. Closing the roll marks everyone without a check-in "vắng không phép", which feeds
the Article 8 removal flags; the members who attend without a phone (the elderly members that
docs/domain.md names) would be marked absent by a clock that cannot see the room. The self
check-in window still closes by itself: codes live `checkin_ttl`, and `open_checkin` refuses
after the end plus `checkin_closes_after`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models import (
    Attendance,
    AttendanceAnswer,
    AttendanceStatus,
    CheckinCode,
    DeliveryKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MemberStatus,
    Resolution,
    Unit,
)
from scheduler.claims import DueItem, Fired, Job
from scheduler.common import cell_leaders
from scheduler.rules import SchedulerRules, span_label
from services import outbox, texts
from services.meetings import texts as meeting_texts
from services.meetings.planning import (
    DEFAULT_RULES,
    CellMonthRules,
    answer_options,
    ensure_roll,
    meeting_when,
)
from services.vndate import format_vn_datetime

UNANSWERED = "unanswered"
CHECKIN_OPEN = "checkin_open"
CLOSE_ROLL = "close_roll"
RESOLUTION = "resolution"


def cell_rules(rules: SchedulerRules) -> CellMonthRules:
    """The cell-month rules in the scheduler's zone."""
    return DEFAULT_RULES if DEFAULT_RULES.tz == rules.tz else replace(DEFAULT_RULES, tz=rules.tz)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%MZ")


def _member_reminders(rules: SchedulerRules) -> list[tuple[str, timedelta]]:
    """(step, lead before the start), earliest first."""
    steps = [(f"remind_{span_label(lead)}", lead) for lead in rules.meeting_reminders]
    if rules.unanswered_before is not None:
        steps.append((UNANSWERED, rules.unanswered_before))
    return sorted(steps, key=lambda step: -step[1])


def meeting_items(meeting: Meeting, rules: SchedulerRules) -> Iterator[DueItem]:
    """Every item of one meeting, due or not, with its staleness moment."""
    assert meeting.id is not None
    key = f"meeting:{meeting.id}:{{step}}:{_stamp(meeting.starts_at)}"

    def item(step: str, due_at: datetime, stale_at: datetime | None) -> DueItem:
        return DueItem(
            key=key.format(step=step),
            kind=f"meeting_{step}",
            ref_id=meeting.id,
            due_at=due_at,
            stale_at=stale_at,
            data={"step": step},
        )

    timeline = [(step, meeting.starts_at - lead) for step, lead in _member_reminders(rules)]
    for step, due_at in timeline:
        if due_at < meeting.created_at:
            continue  # it was already due when the invitation went out: the invitation covers it
        later = [d for _s, d in timeline if d > due_at]
        yield item(step, due_at, min([*later, meeting.starts_at]))
    yield item(CHECKIN_OPEN, meeting.starts_at - rules.checkin_prompt_before, meeting.ends_at)
    yield item(CLOSE_ROLL, meeting.ends_at + rules.close_prompt_after, None)
    yield item(RESOLUTION, meeting.ends_at + cell_rules(rules).resolution_within, None)


class MeetingJob(Job):
    """All of a meeting's items in one query per tick (the meetings in the window)."""

    name = "meetings"

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        leads = [rules.checkin_prompt_before, *(lead for _s, lead in _member_reminders(rules))]
        after = max(rules.close_prompt_after, cell_rules(rules).resolution_within)
        since = now - rules.lookback
        meetings = session.exec(
            select(Meeting)
            .where(Meeting.status == MeetingStatus.SCHEDULED)
            .where(col(Meeting.starts_at) <= now + max(leads))
            .where(col(Meeting.ends_at) >= since - after)
        )
        for meeting in meetings:
            for item in meeting_items(meeting, rules):
                if since < item.due_at <= now:
                    yield item

    def fire(
        self,
        session: Session,
        item: DueItem,
        now: datetime,
        rules: SchedulerRules,
        prepared: Any,
    ) -> Fired:
        # Locked so a cancellation cannot cross the reminder: cancel_meeting locks it too.
        meeting = session.exec(
            select(Meeting).where(Meeting.id == item.ref_id).with_for_update()
        ).first()
        if meeting is None or meeting.status == MeetingStatus.CANCELLED:
            return Fired.skipped("cancelled")
        cell = session.get(Unit, meeting.cell_id)
        step = item.data["step"]
        if step == CHECKIN_OPEN:
            return _checkin_prompt(session, meeting, item, now, rules)
        if step == CLOSE_ROLL:
            return _close_prompt(session, meeting, item, now, rules)
        if step == RESOLUTION:
            return _resolution_prompt(session, meeting, item, now, rules)
        return _member_reminder(
            session, meeting, cell.name if cell else "", item, now, rules, step == UNANSWERED
        )


def _member_reminder(
    session: Session,
    meeting: Meeting,
    cell_name: str,
    item: DueItem,
    now: datetime,
    rules: SchedulerRules,
    unanswered_only: bool,
) -> Fired:
    """Remind the roll (members who joined since the invitation are added to it first)."""
    roll = ensure_roll(session, meeting)
    waiting = [r for r in roll if r.member_status != MemberStatus.EXEMPT]
    unanswered = {r.member_id for r in waiting if r.answer is None}
    if unanswered_only:
        targets = sorted(unanswered)
    else:
        targets = sorted(
            r.member_id for r in waiting if r.answer != AttendanceAnswer.ABSENT_REQUEST
        )
    if not targets:
        return Fired.skipped("nobody_to_remind")
    values = {
        "kind": texts.MTG_KIND_LABELS[MeetingKind(meeting.kind)],
        "cell": cell_name,
        "when": meeting_when(meeting, rules.tz),
        "place": meeting.place,
    }
    assert meeting.id is not None
    options = answer_options(meeting.id)
    until = meeting.starts_at  # a reminder unsent by then would only mislead
    if unanswered_only:
        text = meeting_texts.SCHED_MTG_UNANSWERED.format(**values)
        payload = outbox.message(text, options=options, until=until)
        payload_for = None
    else:
        payload = outbox.message(meeting_texts.SCHED_MTG_REMINDER.format(**values), until=until)
        asking = outbox.message(
            meeting_texts.SCHED_MTG_REMINDER.format(**values)
            + meeting_texts.SCHED_MTG_REMINDER_ASK,
            options=options,
            until=until,
        )
        payload_for = {member_id: asking for member_id in unanswered}
    result = outbox.enqueue(
        session,
        kind=DeliveryKind.MEETING_REMINDER,
        ref_id=meeting.id,
        member_ids=targets,
        payload=payload,
        payload_for=payload_for,
        dedupe_key=item.key,
        now=now,
    )
    return Fired.sent(result.created)


def _to_leaders(
    session: Session, meeting: Meeting, item: DueItem, now: datetime, text: str
) -> Fired:
    leaders = cell_leaders(session, meeting.cell_id)
    if not leaders:
        return Fired.skipped("no_secretary")
    result = outbox.enqueue(
        session,
        kind=DeliveryKind.MEETING_REMINDER,
        ref_id=meeting.id,
        member_ids=leaders,
        payload=outbox.message(text),
        dedupe_key=item.key,
        now=now,
    )
    return Fired.sent(result.created)


def _checkin_prompt(
    session: Session, meeting: Meeting, item: DueItem, now: datetime, rules: SchedulerRules
) -> Fired:
    opened = session.exec(
        select(CheckinCode.id).where(CheckinCode.meeting_id == meeting.id).limit(1)
    ).first()
    if opened is not None:
        return Fired.skipped("already_open")
    text = meeting_texts.SCHED_CHECKIN_PROMPT.format(
        when=format_vn_datetime(meeting.starts_at, rules.tz), place=meeting.place
    )
    return _to_leaders(session, meeting, item, now, text)


def _close_prompt(
    session: Session, meeting: Meeting, item: DueItem, now: datetime, rules: SchedulerRules
) -> Fired:
    if meeting.attendance_closed_at is not None:
        return Fired.skipped("closed")
    rows = list(session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)))
    present = sum(1 for r in rows if r.status == AttendanceStatus.PRESENT)
    blank = sum(1 for r in rows if r.status is None and r.member_status != MemberStatus.EXEMPT)
    text = meeting_texts.SCHED_CLOSE_PROMPT.format(
        when=format_vn_datetime(meeting.starts_at, rules.tz),
        present=present,
        roll=len(rows),
        blank=blank,
    )
    return _to_leaders(session, meeting, item, now, text)


def _resolution_prompt(
    session: Session, meeting: Meeting, item: DueItem, now: datetime, rules: SchedulerRules
) -> Fired:
    resolution = session.exec(select(Resolution).where(Resolution.meeting_id == meeting.id)).first()
    if resolution is not None and resolution.published_at is not None:
        return Fired.skipped("published")
    text = meeting_texts.SCHED_RESOLUTION_PROMPT.format(
        when=format_vn_datetime(meeting.starts_at, rules.tz),
        deadline=format_vn_datetime(
            meeting.ends_at + cell_rules(rules).resolution_within, rules.tz
        ),
    )
    return _to_leaders(session, meeting, item, now, text)


def jobs() -> list[Job]:
    """The meetings' reminders and invitations still unanswered, for the wiring list."""
    return [MeetingJob()]
