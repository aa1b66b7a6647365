"""Scheduler, meetings: each reminder and prompt once at its time; staleness after downtime."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.features import tick
from models import Database, Delivery, DeliveryKind, Meeting, Member, ScheduledRun, Unit
from scheduler.jobs import REMINDERS
from services.demo import CELL_OFFICE
from services.identities import find_member, local_identity
from services.meetings.attendance import answer_invitation, close_attendance, open_checkin
from services.meetings.planning import cancel_meeting, schedule_meeting
from tests.meetings.test_meetings import actor, local
from tests.support import FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = ["DV001", "DV002", "DV003", "DV004", "DV005", "DV006", "DV007", "DV008"]


def codes_by_id(session: Session) -> dict[int, str]:
    return {m.id: m.code for m in session.exec(select(Member)) if m.id is not None}


def setup_office(db: Database, clock: FakeClock, starts_at: datetime) -> int:
    """Link every member of the office cell, schedule a regular meeting (90 minutes)."""
    with db.session() as session:
        for code in OFFICE:
            member = find_member(session, code)
            assert member is not None
            local_identity(session, member, now=clock())
        cell = session.exec(select(Unit).where(Unit.name == CELL_OFFICE)).one()
        assert cell.id is not None
        meeting, _plan = schedule_meeting(
            session,
            actor(session, "DV001"),
            cell.id,
            kind="thuong_ky",
            starts_at=starts_at,
            place="Hội trường tầng 2",
            now=clock(),
        )
        assert meeting.id is not None
        return meeting.id


def reminders(db: Database, meeting_id: int) -> list[tuple[str, str, bool]]:
    """(dedupe key prefix, member code, has answer buttons) of the meeting's scheduled messages."""
    with db.session() as session:
        codes = codes_by_id(session)
        rows = session.exec(
            select(Delivery)
            .where(Delivery.kind == DeliveryKind.MEETING_REMINDER)
            .where(Delivery.ref_id == meeting_id)
            .order_by(col(Delivery.id))
        ).all()
        return [
            (
                r.dedupe_key.split(":")[2],
                codes[r.member_id or 0],
                bool(r.payload.get("options")),
            )
            for r in rows
        ]


def step(db: Database, clock: FakeClock, when: datetime) -> int:
    """Move the clock, tick twice (the second must do nothing), return items sent."""
    clock.now = when
    first = tick(db, clock(), group=REMINDERS)
    second = tick(db, clock(), group=REMINDERS)
    assert second.total.sent == 0 and second.total.due == 0, second
    return first.total.sent


def test_each_meeting_item_fires_once_at_its_time(demo: Database, clock: FakeClock) -> None:
    meeting_id = setup_office(demo, clock, local(30, 11, 14))  # Monday 14:00, ends 15:30
    with demo.session() as session:
        answer_invitation(session, actor(session, "DV003"), meeting_id, attend=True, now=clock())
        answer_invitation(
            session,
            actor(session, "DV004"),
            meeting_id,
            attend=False,
            reason="Đi công tác",
            now=clock(),
        )
    assert step(demo, clock, clock()) == 0
    assert step(demo, clock, local(28, 11, 13, 59)) == 0
    assert reminders(demo, meeting_id) == []

    # Two days before: only those who have not answered (not the exempt DV007, not DV001 who
    # convened it and counts as attending), with the answer buttons.
    assert step(demo, clock, local(28, 11, 14)) == 1
    sent = reminders(demo, meeting_id)
    assert {(c, o) for _s, c, o in sent} == {
        ("DV002", True),
        ("DV005", True),
        ("DV006", True),
        ("DV008", True),
    }
    with demo.session() as session:
        payload = session.exec(select(Delivery.payload).where(Delivery.kind == "meeting_reminder"))
        text = next(iter(payload))["text"]
    assert "14:00" in text and "30/11/2026" in text and "Hội trường tầng 2" in text

    # One day before: everyone not excused or exempt; the buttons only for those still silent.
    assert step(demo, clock, local(29, 11, 14)) == 1
    day_before = [(c, o) for s, c, o in reminders(demo, meeting_id) if s == "remind_1d"]
    assert sorted(day_before) == [
        ("DV001", False),
        ("DV002", True),
        ("DV003", False),
        ("DV005", True),
        ("DV006", True),
        ("DV008", True),
    ]
    assert step(demo, clock, local(30, 11, 12, 59)) == 0
    assert step(demo, clock, local(30, 11, 13)) == 1
    assert len([1 for s, _c, _o in reminders(demo, meeting_id) if s == "remind_1h"]) == 6

    # The secretary (not the deputy) is prompted to open check-in, then to close the roll.
    assert step(demo, clock, local(30, 11, 13, 45)) == 1
    assert [(s, c) for s, c, _o in reminders(demo, meeting_id) if s == "checkin_open"] == [
        ("checkin_open", "DV001")
    ]
    assert step(demo, clock, local(30, 11, 16)) == 1
    with demo.session() as session:
        close = session.exec(
            select(Delivery).where(
                col(Delivery.dedupe_key).startswith(f"meeting:{meeting_id}:close")
            )
        ).one()
    assert "0/8 đồng chí có mặt, 7 đồng chí chưa có trạng thái" in close.payload["text"]

    # Two days after the end, no resolution posted: the secretary is reminded.
    assert step(demo, clock, local(2, 12, 15, 29)) == 0
    assert step(demo, clock, local(2, 12, 15, 30)) == 1
    assert [c for s, c, _o in reminders(demo, meeting_id) if s == "resolution"] == ["DV001"]
    assert step(demo, clock, local(9, 12, 15, 30)) == 0

    with demo.session() as session:
        runs = session.exec(select(ScheduledRun).order_by(col(ScheduledRun.due_at))).all()
    assert [(r.kind, r.outcome) for r in runs] == [
        ("meeting_unanswered", "sent"),
        ("meeting_remind_1d", "sent"),
        ("meeting_remind_1h", "sent"),
        ("meeting_checkin_open", "sent"),
        ("meeting_close_roll", "sent"),
        ("meeting_resolution", "sent"),
    ]
    assert runs[0].job_key == f"meeting:{meeting_id}:unanswered:20261130T0700Z"
    assert runs[0].due_at == local(28, 11, 14)


def test_downtime_sends_the_latest_reminder_once_and_records_the_stale_ones(
    demo: Database, clock: FakeClock
) -> None:
    meeting_id = setup_office(demo, clock, local(30, 11, 14))
    # Every process was down from Thursday until Monday 13:50: the "2 days" and "1 day"
    # reminders are superseded by the "1 hour" one; the check-in prompt is still useful.
    clock.now = local(30, 11, 13, 50)
    report = tick(demo, clock(), group=REMINDERS)
    assert report["meetings"].stale == 2 and report["meetings"].sent == 2
    sent = reminders(demo, meeting_id)
    assert sorted({s for s, _c, _o in sent}) == ["checkin_open", "remind_1h"]
    assert len([1 for s, _c, _o in sent if s == "remind_1h"]) == 7  # everyone but the exempt
    with demo.session() as session:
        outcomes = {r.kind: r.outcome for r in session.exec(select(ScheduledRun))}
    assert outcomes == {
        "meeting_unanswered": "stale",
        "meeting_remind_1d": "stale",
        "meeting_remind_1h": "sent",
        "meeting_checkin_open": "sent",
    }
    assert tick(demo, clock(), group=REMINDERS).total.due == 0

    # Down again through the end and past the resolution deadline: both chores go out once,
    # late but true; nothing already decided is touched.
    clock.now = local(3, 12, 9)
    report = tick(demo, clock(), group=REMINDERS)
    assert report["meetings"].sent == 2 and report["meetings"].stale == 0
    assert sorted(s for s, _c, _o in reminders(demo, meeting_id))[-2:] == [
        "remind_1h",
        "resolution",
    ]
    assert tick(demo, clock(), group=REMINDERS).total.due == 0
    assert len(reminders(demo, meeting_id)) == 7 + 1 + 1 + 1


def test_work_done_by_hand_is_not_prompted_and_cancelled_meetings_are_silent(
    demo: Database, clock: FakeClock
) -> None:
    meeting_id = setup_office(demo, clock, local(30, 11, 14))
    with demo.session() as session:
        other = session.exec(select(Unit).where(Unit.name == "Chi bộ Phòng Giáo dục Trung học"))
        schools = other.one()
        assert schools.id is not None
        cancelled, _ = schedule_meeting(
            session,
            actor(session, "DV009"),
            schools.id,
            kind="thuong_ky",
            starts_at=local(30, 11, 8),
            place="Phòng họp",
            now=clock(),
        )
        cancel_meeting(
            session, actor(session, "DV009"), cancelled.id or 0, reason="Trùng lịch", now=clock()
        )
    clock.now = local(30, 11, 13, 40)
    with demo.session() as session:
        open_checkin(session, actor(session, "DV001"), meeting_id, now=clock())
    clock.now = local(30, 11, 13, 50)
    tick(demo, clock(), group=REMINDERS)
    clock.now = local(30, 11, 15, 40)
    with demo.session() as session:
        close_attendance(session, actor(session, "DV001"), meeting_id, now=clock())
    clock.now = local(30, 11, 16, 30)
    tick(demo, clock(), group=REMINDERS)
    with demo.session() as session:
        runs = {r.kind: (r.outcome, r.note) for r in session.exec(select(ScheduledRun))}
        ids = {r.ref_id for r in session.exec(select(ScheduledRun))}
    assert runs["meeting_checkin_open"] == ("skipped", "already_open")
    assert runs["meeting_close_roll"] == ("skipped", "closed")
    assert ids == {meeting_id}  # nothing at all for the cancelled meeting
    assert "checkin_open" not in {s for s, _c, _o in reminders(demo, meeting_id)}


def test_a_meeting_called_at_short_notice_skips_reminders_the_invitation_covered(
    demo: Database, clock: FakeClock
) -> None:
    meeting_id = setup_office(demo, clock, clock() + timedelta(hours=5))
    with demo.session() as session:
        created = session.get(Meeting, meeting_id)
        assert created is not None
    clock.advance(hours=4)
    tick(demo, clock(), group=REMINDERS)
    assert {s for s, _c, _o in reminders(demo, meeting_id)} == {"remind_1h"}
    with demo.session() as session:
        kinds = {r.kind for r in session.exec(select(ScheduledRun))}
    assert kinds == {"meeting_remind_1h"}
