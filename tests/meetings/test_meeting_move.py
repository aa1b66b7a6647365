"""Moving a meeting that has not started: a new time and/or place, answers asked again.

Service rules on SQLite and PostgreSQL (refusals included: nothing is written), then the
`/hop_quanly` flow through the core, and the scheduler's reminders following the new time.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlmodel import select

from models import (
    Attendance,
    AttendanceAnswer,
    AuditLog,
    CheckinCode,
    CheckinOutcome,
    Database,
    Delivery,
    DeliveryKind,
)
from scheduler.meetings import meeting_items
from scheduler.rules import SchedulerRules
from services import texts
from services.errors import Forbidden, UserError
from services.meetings import texts as meeting_texts
from services.meetings.attendance import answer_invitation, check_in, open_checkin, set_status
from services.meetings.planning import move_meeting
from tests.directives.test_flow_directives import received
from tests.meetings.test_flow_meetings import (
    at_local,
    meetings,
    open_code,
    schedule_via_chat,
    status_of,
)
from tests.meetings.test_meetings import actor, link, local, schedule
from tests.support import FakeClock


def answers(db: Database, meeting_id: int) -> dict[int, str | None]:
    with db.session() as session:
        rows = session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id))
        return {row.member_id: row.answer for row in rows}


def test_a_move_keeps_the_length_asks_again_and_tells_the_cell(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        link(session, clock(), "DV003", "DV004")
        meeting = schedule(session, clock())  # 19/12 14:00, two hours
        assert meeting.id is not None
        meeting_id = meeting.id
        member = actor(session, "DV003")
        answer_invitation(session, member, meeting_id, attend=True, now=clock())
    with demo.session() as session:
        moved = move_meeting(
            session,
            actor(session, "DV002"),  # the deputy may move it too
            meeting_id,
            starts_at=local(22, 12, 8),
            place="Phòng họp số 1",
            now=clock(),
        ).meeting
        assert moved.starts_at == local(22, 12, 8)
        assert moved.ends_at - moved.starts_at == timedelta(hours=2)
        assert moved.place == "Phòng họp số 1" and moved.regular_month == "2026-12"
    # Answers given for the old time are cleared, the convener's too; who moved it attends.
    roll = answers(demo, meeting_id)
    assert roll[actor_id(demo, "DV003")] is None and roll[actor_id(demo, "DV001")] is None
    assert roll[actor_id(demo, "DV002")] == AttendanceAnswer.WILL_ATTEND
    (notice,) = received(demo, "DV003", DeliveryKind.MEETING_MOVED)
    assert "Thứ Ba, 22/12/2026, 08:00–10:00" in notice.payload["text"]  # start and end
    assert "Thứ Bảy, 19/12/2026, 14:00–16:00" in notice.payload["text"]  # what it was
    assert [o["id"] for o in notice.payload["options"]] == [
        f"mtg:{meeting_id}:yes",
        f"mtg:{meeting_id}:no",
    ]
    with demo.session() as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "meeting.moved")).one()
        assert audit.detail["to"] == local(22, 12, 8).astimezone(UTC).isoformat()
    # The reminders follow the new time: their keys name the new start.
    with demo.session() as session:
        current = session.get(type(moved), meeting_id)
        assert current is not None
        keys = [item.key for item in meeting_items(current, SchedulerRules())]
    stamp = moved.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    assert keys and all(key.endswith(stamp) for key in keys)


def actor_id(db: Database, code: str) -> int:
    with db.session() as session:
        found = actor(session, code).member_id
        assert found is not None
        return found


@pytest.mark.parametrize(
    ("who", "change", "expected"),
    [
        ("DV003", {"place": "Nhà văn hóa"}, Forbidden),  # a member
        ("DV009", {"place": "Nhà văn hóa"}, Forbidden),  # another cell's secretary
        ("DV001", {"starts_at": "past"}, meeting_texts.MTG_IN_PAST.split("{")[0]),
        ("DV001", {"place": "  "}, meeting_texts.MTG_NO_PLACE),
        ("DV001", {}, meeting_texts.MTG_MOVE_NOTHING),
        ("DV001", {"starts_at": "taken"}, meeting_texts.MTG_SECOND_REGULAR.split("{")[0]),
    ],
)
def test_refusals_write_nothing(
    demo: Database, clock: FakeClock, who: str, change: dict[str, str], expected: object
) -> None:
    with demo.session() as session:
        link(session, clock(), "DV003")
        meeting = schedule(session, clock())
        schedule(session, clock(), starts_at=local(5, 1, 14, year=2027))  # January is taken
        assert meeting.id is not None
        meeting_id, before = meeting.id, meeting.starts_at
    starts = {"past": clock() - timedelta(hours=1), "taken": local(12, 1, 14, year=2027)}
    with demo.session() as session:
        options = {
            "starts_at": starts.get(change.get("starts_at", "")),
            "place": change.get("place"),
        }
        if isinstance(expected, type):
            with pytest.raises(expected):
                move_meeting(session, actor(session, who), meeting_id, now=clock(), **options)
        else:
            with pytest.raises(UserError) as refused:
                move_meeting(session, actor(session, who), meeting_id, now=clock(), **options)
            assert refused.value.message.startswith(str(expected))
    assert [m.starts_at for m in meetings(demo) if m.id == meeting_id] == [before]
    with demo.session() as session:
        kinds = session.exec(select(Delivery.kind)).all()
    assert DeliveryKind.MEETING_MOVED not in kinds


def test_a_check_in_code_opened_for_the_old_time_stops_working(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        meeting_id = meeting.id
    clock.now = local(19, 12, 13, 45)  # a quarter of an hour before: check-in is open
    with demo.session() as session:
        secretary = actor(session, "DV001")
        open_checkin(session, secretary, meeting_id, now=clock())
    with demo.session() as session:
        move_meeting(
            session, actor(session, "DV001"), meeting_id, starts_at=local(22, 12, 8), now=clock()
        )
    with demo.session() as session:
        codes = session.exec(select(CheckinCode).where(CheckinCode.meeting_id == meeting_id))
        assert [c.expires_at <= clock() for c in codes] == [True]


def test_a_move_clears_the_roll_of_the_old_time(demo: Database, clock: FakeClock) -> None:
    """Check-ins made in the hour before the old time (their code is closed by the move) and
    statuses set for it go, as the answers do: nobody stays "present" at a time that never
    happened while asked again whether they will come. A lock earned by guessing at the old
    time goes too: check-in starts afresh at the new one."""
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        meeting_id = meeting.id
    clock.now = local(19, 12, 13, 45)
    with demo.session() as session:
        secretary = actor(session, "DV001")
        code, _ = open_checkin(session, secretary, meeting_id, now=clock())
        check_in(session, actor(session, "DV003"), code.code, now=clock())
        wrong = "0000" if code.code != "0000" else "1111"
        for _ in range(3):
            check_in(session, actor(session, "DV004"), wrong, now=clock())
        locked = check_in(session, actor(session, "DV004"), code.code, now=clock())
        assert locked.outcome is CheckinOutcome.LOCKED
        set_status(
            session, secretary, meeting_id, actor_id(demo, "DV006"), "vang_co_phep", now=clock()
        )
    with demo.session() as session:
        move_meeting(
            session, actor(session, "DV001"), meeting_id, starts_at=local(22, 12, 8), now=clock()
        )
    with demo.session() as session:
        rows = session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
        assert [(r.status, r.status_source, r.checked_in_at) for r in rows] == [
            (None, None, None)
        ] * len(rows)
        audit = session.exec(select(AuditLog).where(AuditLog.action == "meeting.moved")).one()
        cleared = {
            c["member_id"]: (c["status"], c["source"]) for c in audit.detail["cleared_statuses"]
        }
    assert cleared == {
        actor_id(demo, "DV003"): ("co_mat", "checkin"),
        actor_id(demo, "DV006"): ("vang_co_phep", "secretary"),
    }
    # At the new time: a new code; the member locked out at the old time checks in.
    clock.now = local(22, 12, 7, 50)
    with demo.session() as session:
        fresh, _ = open_checkin(session, actor(session, "DV001"), meeting_id, now=clock())
        for who in ("DV003", "DV004"):
            result = check_in(session, actor(session, who), fresh.code, now=clock())
            assert result.outcome is CheckinOutcome.PRESENT, who


def test_the_move_preview_says_the_roll_will_be_cleared(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    (meeting,) = meetings(demo)
    at_local(clock, 19, 12, 13, 40)
    chat_as("DV003").send(open_code(secretary))
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_MOVE)
    secretary.press(meeting_texts.FLOW_MTG_KEEP_WHEN)
    secretary.press(meeting_texts.FLOW_MTG_PLACE_OTHER)
    secretary.send("Phòng họp số 1")
    assert meeting_texts.FLOW_MTG_MOVE_CLEARS_ROLL.format(count=1) in secretary.text
    secretary.press(meeting_texts.FLOW_MTG_MOVE_SEND)
    assert meeting.id is not None
    assert status_of(demo, meeting.id, "DV003") is None


def test_a_started_or_cancelled_meeting_cannot_move(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        meeting_id = meeting.id
    clock.now = local(19, 12, 14, 5)
    with demo.session() as session, pytest.raises(UserError) as held:
        move_meeting(session, actor(session, "DV001"), meeting_id, place="Khác", now=clock())
    assert held.value.message == meeting_texts.MTG_ALREADY_HELD


def test_the_secretary_moves_a_meeting_from_the_menu_and_members_answer_again(
    chat_as, demo: Database
) -> None:
    member = chat_as("DV003")
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    (meeting,) = meetings(demo)
    member.press_payload(f"mtg:{meeting.id}:yes")
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_MOVE)
    assert "14:00 Thứ Bảy, 19/12/2026" in secretary.text
    secretary.press(meeting_texts.FLOW_MTG_NEW_WHEN)
    secretary.send("hôm qua 8h")  # the past: refused where it was typed
    assert meeting_texts.FLOW_MTG_ASK_WHEN in secretary.text
    secretary.send("21/12 8:00")
    secretary.press(meeting_texts.FLOW_MTG_PLACE_OTHER)
    secretary.send("Phòng họp số 1")
    assert "Thứ Hai, 21/12/2026, 08:00–09:30" in secretary.text  # start and end
    assert "Phòng họp số 1" in secretary.text
    secretary.press(meeting_texts.FLOW_MTG_MOVE_SEND)
    assert meeting_texts.FLOW_MTG_MOVED.split("{")[0] in secretary.text
    (moved,) = meetings(demo)
    assert moved.starts_at == local(21, 12, 8) and moved.place == "Phòng họp số 1"
    assert answers(demo, moved.id or 0)[actor_id(demo, "DV003")] is None
    (notice,) = received(demo, "DV003", DeliveryKind.MEETING_MOVED)
    # The member answers the new notice as they answered the invitation.
    member.press_payload(notice.payload["options"][0]["id"])
    assert answers(demo, moved.id or 0)[actor_id(demo, "DV003")] == AttendanceAnswer.WILL_ATTEND


def test_leaving_the_move_with_huy_changes_nothing(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_MOVE)
    secretary.press(meeting_texts.FLOW_MTG_NEW_WHEN)
    secretary.send("21/12 8:00")
    secretary.send("/huy")
    assert texts.CANCELLED in secretary.text
    (meeting,) = meetings(demo)
    assert meeting.starts_at == local(19, 12, 14)
    with demo.session() as session:
        assert not session.exec(
            select(Delivery).where(Delivery.kind == DeliveryKind.MEETING_MOVED)
        ).all()
