"""The roll is right and light to keep: closing shows every blank first (the convener and the
closer included) and asks once; the roll call by exception ("present" for everyone who checked
in, or who said they would come: shown, then confirmed); every mark audited with who made it;
the `/hop_quanly` menu keeps its numbers when the meeting starts; `/lichhop` once the meeting
has started shows it in progress and the member's real status, with no answer buttons.

Through the core and the services, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from models import AuditLog, Database, DeliveryKind, Meeting, StatusSource
from services import texts
from services.errors import Forbidden, UserError
from services.meetings import texts as meeting_texts
from services.meetings.attendance import (
    PresentBasis,
    answer_invitation,
    close_attendance,
    closing_preview,
    confirm_present,
    present_proposal,
    set_status,
)
from services.meetings.resolutions import count_voters
from tests.directives.test_flow_directives import received
from tests.meetings.test_flow_meetings import (
    at_local,
    meetings,
    member_id,
    open_code,
    roll_row,
    schedule_via_chat,
    status_of,
)
from tests.meetings.test_meetings import actor
from tests.support import ChatDriver, FakeClock

OFFICE = ("DV001", "DV002", "DV003", "DV004", "DV005", "DV006", "DV007", "DV008")


def held_meeting(chat_as, demo: Database, clock: FakeClock) -> tuple[ChatDriver, Meeting]:
    """DV001 convenes 19/12 14:00; DV003 and DV004 answer "sẽ dự", DV008 asks leave ("Ốm");
    at 13:50 DV003 checks in with the code; the clock then stands at 14:30, in the meeting."""
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    (meeting,) = meetings(demo)
    assert meeting.id is not None
    for code in ("DV003", "DV004"):
        chat_as(code).press_payload(f"mtg:{meeting.id}:yes")
    hoa = chat_as("DV008")
    hoa.press_payload(f"mtg:{meeting.id}:no")
    hoa.press("Lý do khác")
    hoa.send("Ốm")
    at_local(clock, 19, 12, 13, 50)
    code = open_code(secretary)
    chat_as("DV003").send(code)
    at_local(clock, 19, 12, 14, 30)
    return secretary, meeting


def status_entries(demo: Database, meeting_id: int) -> list[AuditLog]:
    with demo.session() as session:
        return list(
            session.exec(
                select(AuditLog)
                .where(AuditLog.action == "attendance.status_set")
                .where(AuditLog.entity_id == str(meeting_id))
                .order_by(col(AuditLog.id))
            )
        )


# --- Closing the roll: shown first, one tap to confirm ------------------------------------------


def test_closing_lists_every_blank_and_the_convener_marks_himself_present_in_one_tap(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary, meeting = held_meeting(chat_as, demo, clock)
    assert meeting.id is not None
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_CLOSE)
    shown = secretary.text
    # Every blank with what it will become; the one closing (here also the convener) first
    # among equals, named as such.
    assert "7 đồng chí chưa có trạng thái, khi chốt sẽ ghi:" in shown
    assert "• Nguyễn Văn An (đồng chí, người triệu tập) – vắng không phép" in shown
    assert "• Bùi Thị Hoa – vắng có phép (Ốm)" in shown
    assert "• Đặng Văn Hải – miễn sinh hoạt" in shown
    assert "• Phạm Thị Dung – vắng không phép" in shown
    assert "Lê Văn Cường" not in shown  # checked in: not a blank
    assert meeting_texts.FLOW_CLOSE_ME_HINT in shown
    # Nothing is written until the secretary confirms.
    assert status_of(demo, meeting.id, "DV001") is None
    assert status_of(demo, meeting.id, "DV004") is None
    assert meetings(demo)[0].attendance_closed_at is None

    secretary.press(meeting_texts.FLOW_ME_PRESENT)  # one tap
    assert status_of(demo, meeting.id, "DV001") == "co_mat"
    assert "6 đồng chí chưa có trạng thái" in secretary.text
    assert "Nguyễn Văn An" not in secretary.text.split("Đã ghi: Nguyễn Văn An")[-1]
    assert meeting_texts.FLOW_ME_PRESENT not in [o.label for o in secretary.options()]

    secretary.press(meeting_texts.FLOW_CLOSE_CONFIRM)
    assert "có mặt 2, vắng có phép 1, vắng không phép 4, miễn sinh hoạt 1" in secretary.text
    assert meeting_texts.FLOW_MTG_MENU.split("{")[0] in secretary.text  # back at the menu
    assert status_of(demo, meeting.id, "DV001") == "co_mat"
    assert status_of(demo, meeting.id, "DV008") == "vang_co_phep"
    assert meetings(demo)[0].attendance_closed_at is not None
    # The vote's denominator counts the secretary who chaired as present.
    voters = count_voters([roll_row(demo, meeting.id, code) for code in OFFICE])
    assert (voters.convened, voters.eligible_present) == (6, 2)
    assert received(demo, "DV001", DeliveryKind.ABSENCE_FLAG) == []  # one month only


def test_a_deputy_closing_sees_herself_and_the_convener_and_can_go_back(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    _secretary, meeting = held_meeting(chat_as, demo, clock)
    assert meeting.id is not None
    deputy = chat_as("DV002")
    deputy.send("/hop_quanly")
    deputy.press(meeting_texts.FLOW_MTG_M_CLOSE)
    assert "• Trần Thị Bình (đồng chí) – vắng không phép" in deputy.text
    assert "• Nguyễn Văn An (người triệu tập) – vắng không phép" in deputy.text
    deputy.press(meeting_texts.FLOW_BACK)  # not now: nothing written
    assert meeting_texts.FLOW_MTG_MENU.split("{")[0] in deputy.text
    assert [status_of(demo, meeting.id, c) for c in ("DV001", "DV002", "DV004")] == [None] * 3
    assert meetings(demo)[0].attendance_closed_at is None
    # From the confirmation, the roll: the convener marked present there, then closed.
    deputy.press(meeting_texts.FLOW_MTG_M_CLOSE)
    deputy.press(meeting_texts.FLOW_MTG_M_ROLL)
    deputy.press("Nguyễn Văn An")
    deputy.press("Có mặt")
    deputy.press(meeting_texts.FLOW_BACK)
    deputy.press(meeting_texts.FLOW_MTG_M_CLOSE)
    assert "Nguyễn Văn An" not in deputy.text
    deputy.press(meeting_texts.FLOW_CLOSE_CONFIRM)
    assert status_of(demo, meeting.id, "DV001") == "co_mat"
    assert status_of(demo, meeting.id, "DV002") == "vang_khong_phep"  # she was shown, and chose


def test_closing_refuses_a_list_that_changed_and_writes_nothing(
    demo: Database, chat_as, clock: FakeClock
) -> None:
    _secretary, meeting = held_meeting(chat_as, demo, clock)
    assert meeting.id is not None
    with demo.session() as session:
        preview = closing_preview(session, actor(session, "DV001"), meeting.id, now=clock())
        blanks = [x.member_id for x in preview.unmarked]
        assert member_id(demo, "DV001") in blanks and preview.actor_unmarked
    with demo.session() as session, pytest.raises(UserError) as changed:
        close_attendance(
            session, actor(session, "DV001"), meeting.id, now=clock(), shown=blanks[1:]
        )
    assert changed.value.message == meeting_texts.ATT_CLOSE_LIST_CHANGED
    assert meetings(demo)[0].attendance_closed_at is None
    assert all(status_of(demo, meeting.id, c) is None for c in ("DV001", "DV004", "DV008"))
    # A blank that got a status meanwhile is no obstacle: fewer blanks than shown is fine.
    with demo.session() as session:
        closed = close_attendance(
            session, actor(session, "DV001"), meeting.id, now=clock(), shown=blanks
        )
    assert all(line.status is not None for line in closed)


def test_closing_is_refused_before_the_start_and_to_others(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    (meeting,) = meetings(demo)
    assert meeting.id is not None
    secretary.send("/hop_quanly")
    secretary.press(
        meeting_texts.FLOW_MTG_M_CLOSE
    )  # marked "(khi đã bắt đầu họp)" before the start
    assert meeting_texts.ATT_CLOSE_TOO_EARLY in secretary.text
    assert meeting_texts.FLOW_MTG_MENU.split("{")[0] in secretary.text
    with demo.session() as session, pytest.raises(UserError) as early:
        closing_preview(session, actor(session, "DV001"), meeting.id, now=clock())
    assert early.value.message == meeting_texts.ATT_CLOSE_TOO_EARLY
    at_local(clock, 19, 12, 15)
    for outsider in ("DV003", "DV009"):  # a member; another cell's secretary
        with demo.session() as session, pytest.raises(Forbidden):
            closing_preview(session, actor(session, outsider), meeting.id, now=clock())
        with demo.session() as session, pytest.raises(Forbidden):
            close_attendance(session, actor(session, outsider), meeting.id, now=clock())
    assert meetings(demo)[0].attendance_closed_at is None


# --- Roll call by exception -------------------------------------------------------------------


def test_present_for_everyone_who_said_they_would_come_is_shown_then_recorded(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary, meeting = held_meeting(chat_as, demo, clock)
    assert meeting.id is not None
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_ROLL)
    labels = [o.label for o in secretary.options()]
    assert "Lê Văn Cường – có mặt (tự điểm danh)" in labels
    # DV001 (the convener's own "sẽ dự") and DV004; DV003 has checked in already.
    assert meeting_texts.FLOW_ROLL_Q_ANSWERED.format(count=2) in labels
    assert meeting_texts.FLOW_ROLL_Q_CHECKIN.format(count=1) in labels
    assert meeting_texts.FLOW_ME_PRESENT in labels

    secretary.press(meeting_texts.FLOW_ROLL_Q_ANSWERED.format(count=2))
    assert "• Nguyễn Văn An\n• Phạm Thị Dung" in secretary.text
    assert status_of(demo, meeting.id, "DV004") is None  # shown, not yet recorded
    secretary.press(meeting_texts.FLOW_BACK)
    assert status_of(demo, meeting.id, "DV004") is None

    secretary.press(meeting_texts.FLOW_ROLL_Q_ANSWERED.format(count=2))
    secretary.press(meeting_texts.FLOW_ROLL_PROPOSE_OK.format(count=2))
    assert meeting_texts.FLOW_ROLL_RECORDED.format(count=2) in secretary.text
    assert status_of(demo, meeting.id, "DV001") == "co_mat"
    assert status_of(demo, meeting.id, "DV004") == "co_mat"
    # Then the one who differs: DV004 said she would come but did not.
    secretary.press("Phạm Thị Dung")
    secretary.press("Vắng không phép")
    assert status_of(demo, meeting.id, "DV004") == "vang_khong_phep"

    # The self check-ins, confirmed by the secretary: still present, now on her word.
    secretary.press(meeting_texts.FLOW_ROLL_Q_CHECKIN.format(count=1))
    assert "• Lê Văn Cường" in secretary.text
    secretary.press(meeting_texts.FLOW_ROLL_PROPOSE_OK.format(count=1))
    row = roll_row(demo, meeting.id, "DV003")
    assert (row.status, row.status_source) == ("co_mat", StatusSource.SECRETARY)
    assert row.checked_in_at is not None  # the check-in itself is kept
    assert "Lê Văn Cường – có mặt" in [o.label for o in secretary.options()]
    secretary.press(meeting_texts.FLOW_ROLL_Q_CHECKIN.format(count=0))
    assert meeting_texts.FLOW_ROLL_PROPOSE_NONE in secretary.text

    # Every mark names who made it and how.
    marks = {
        (e.detail["member_id"], e.detail["via"], e.actor_member_id)
        for e in status_entries(demo, meeting.id)
    }
    secretary_id = member_id(demo, "DV001")
    assert marks == {
        (secretary_id, "se_du", secretary_id),
        (member_id(demo, "DV004"), "se_du", secretary_id),
        (member_id(demo, "DV004"), "one", secretary_id),
        (member_id(demo, "DV003"), "checkin", secretary_id),
    }


def test_a_proposal_records_only_what_was_shown_and_still_fits(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    _secretary, meeting = held_meeting(chat_as, demo, clock)
    assert meeting.id is not None
    ids = {code: member_id(demo, code) for code in ("DV001", "DV003", "DV004", "DV008", "DV010")}
    with demo.session() as session:
        shown = present_proposal(
            session, actor(session, "DV001"), meeting.id, PresentBasis.ANSWERED, now=clock()
        )
        assert [x.member_id for x in shown] == [ids["DV001"], ids["DV004"]]
    # Meanwhile the deputy marks DV004 absent: the proposal does not overwrite her.
    with demo.session() as session:
        deputy = actor(session, "DV002")
        set_status(session, deputy, meeting.id, ids["DV004"], "vang_co_phep", now=clock())
    forged = [ids["DV001"], ids["DV004"], ids["DV008"], ids["DV010"], ids["DV003"]]
    with demo.session() as session:
        recorded = confirm_present(
            session, actor(session, "DV001"), meeting.id, "se_du", forged, now=clock()
        )
    assert [x.member_id for x in recorded] == [ids["DV001"]]
    assert status_of(demo, meeting.id, "DV004") == "vang_co_phep"
    assert status_of(demo, meeting.id, "DV008") is None  # asked leave: not in the proposal
    # Refusals: a member, another cell's secretary, a forged basis, before the start.
    for outsider in ("DV003", "DV009"):
        with demo.session() as session, pytest.raises(Forbidden):
            confirm_present(
                session, actor(session, outsider), meeting.id, "se_du", forged, now=clock()
            )
    with demo.session() as session, pytest.raises(UserError) as forged_basis:
        confirm_present(session, actor(session, "DV001"), meeting.id, "all", forged, now=clock())
    assert forged_basis.value.message == texts.STALE_BUTTON
    at_local(clock, 19, 12, 13, 55)
    with demo.session() as session, pytest.raises(UserError) as early:
        present_proposal(session, actor(session, "DV001"), meeting.id, "checkin", now=clock())
    assert early.value.message == meeting_texts.ATT_CLOSE_TOO_EARLY
    assert status_of(demo, meeting.id, "DV008") is None


def test_closing_and_check_in_marks_are_audited_with_who_made_them(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    _secretary, meeting = held_meeting(chat_as, demo, clock)
    assert meeting.id is not None
    with demo.session() as session:
        deputy = actor(session, "DV002")
        blanks = [
            x.member_id for x in closing_preview(session, deputy, meeting.id, now=clock()).unmarked
        ]
        close_attendance(session, deputy, meeting.id, now=clock(), shown=blanks)
    closing = [e for e in status_entries(demo, meeting.id) if e.detail["via"] == "closing"]
    assert sorted(e.detail["member_id"] for e in closing) == sorted(blanks)
    assert {e.actor_member_id for e in closing} == {member_id(demo, "DV002")}
    after = {e.detail["member_id"]: e.detail["after"] for e in closing}
    assert after[member_id(demo, "DV008")] == "vang_co_phep"
    assert after[member_id(demo, "DV007")] == "mien_sinh_hoat"
    with demo.session() as session:
        checked = session.exec(
            select(AuditLog).where(AuditLog.action == "attendance.checked_in")
        ).one()
    assert checked.actor_member_id == member_id(demo, "DV003")


# --- The menu keeps its numbers ---------------------------------------------------------------


def test_the_meeting_menu_keeps_its_numbers_when_the_meeting_starts(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    secretary.send("/hop_quanly")
    before = [o.label for o in secretary.options()]
    at_local(clock, 19, 12, 14, 30)
    secretary.send("/hop_quanly")
    after = [o.label for o in secretary.options()]
    assert len(before) == len(after) == 10
    for label in (
        meeting_texts.FLOW_MTG_M_ANSWERS,
        meeting_texts.FLOW_MTG_M_DOC,
        meeting_texts.FLOW_MTG_M_CHECKIN,
        meeting_texts.FLOW_MTG_M_ROLL,
        texts.FLOW_DONE,
    ):
        assert before.index(label) == after.index(label), label
    for index, label in (
        (4, meeting_texts.FLOW_MTG_M_CLOSE),
        (5, meeting_texts.FLOW_MTG_M_RESULTS),
    ):
        assert before[index] == meeting_texts.FLOW_MTG_M_AFTER_START.format(label=label)
        assert after[index] == label
    for index, label in ((6, meeting_texts.FLOW_MTG_M_MOVE), (7, meeting_texts.FLOW_MTG_M_CANCEL)):
        assert before[index] == label
        assert after[index] == meeting_texts.FLOW_MTG_M_BEFORE_START.format(label=label)
    secretary.send("8")  # "Hủy buổi họp", typed as on Zalo: explained, not asked a reason
    assert meeting_texts.MTG_ALREADY_HELD in secretary.text
    assert [o.label for o in secretary.options()] == after
    secretary.send("4")  # the roll, at the number it had before the start
    assert meeting_texts.FLOW_MTG_ROLL in secretary.text


# --- /lichhop once the meeting has started ----------------------------------------------------


def test_lichhop_in_the_meeting_shows_it_in_progress_and_the_real_status(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary, meeting = held_meeting(chat_as, demo, clock)
    assert meeting.id is not None
    cuong, dung, hoa, giang = (chat_as(c) for c in ("DV003", "DV004", "DV008", "DV006"))
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_ROLL)
    secretary.press("Vũ Thị Giang")
    secretary.press("Vắng không phép")

    cuong.send("/lichhop")
    assert cuong.text.startswith(texts.MY_MEETING_IN_PROGRESS)
    assert texts.MY_STATUS_CHECKED_IN.format(time="13:50") in cuong.text
    assert texts.MY_NOT_ANSWERED not in cuong.text and texts.MY_ANSWERED_YES not in cuong.text
    assert cuong.options() == []  # no "Sẽ dự", no "Đổi thành"
    dung.send("/lichhop")
    assert texts.MY_STATUS_NONE_RUNNING in dung.text and dung.options() == []
    hoa.send("/lichhop")
    assert texts.MY_STATUS_NONE_LEAVE.format(reason="Ốm") in hoa.text and hoa.options() == []
    giang.send("/lichhop")
    assert texts.MY_STATUS.format(status="vắng không phép") in giang.text
    assert giang.options() == []
    # The buttons of the invitation are refused too (answers closed at the start).
    dung.press_payload(f"mtg:{meeting.id}:yes")
    assert dung.text == meeting_texts.ATT_ANSWER_CLOSED


def test_lichhop_after_a_check_in_before_the_start_offers_no_leave(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    (meeting,) = meetings(demo)
    assert meeting.id is not None
    cuong = chat_as("DV003")
    at_local(clock, 19, 12, 13, 40)
    cuong.send(open_code(secretary))
    cuong.send("/lichhop")
    assert texts.MY_MEETING_IN_PROGRESS not in cuong.text  # not started yet
    assert texts.MY_STATUS_CHECKED_IN.format(time="13:40") in cuong.text
    assert [o.label for o in cuong.options()] == []
    # Nor does the invitation's "Xin vắng": a check-in wins over a later absence answer.
    cuong.press_payload(f"mtg:{meeting.id}:no")
    assert cuong.text == meeting_texts.ATT_LEAVE_AFTER_CHECKIN  # refused before a reason is asked
    row = roll_row(demo, meeting.id, "DV003")
    assert (row.answer, row.status) == (None, "co_mat")
    assert cuong.send("/huy") and cuong.text == texts.NOTHING_TO_CANCEL  # no reason left open
    with demo.session() as session:
        _row, reply = answer_invitation(
            session, actor(session, "DV003"), meeting.id, attend=True, now=clock()
        )
    assert "sẽ dự" in reply  # "sẽ dự" after a check-in agrees with it, and is taken


def test_an_exempt_members_roll_line_says_exempt_once(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    """DV007 is exempt (miễn sinh hoạt) and marked so: not "miễn sinh hoạt (miễn sinh hoạt)"."""
    secretary, meeting = held_meeting(chat_as, demo, clock)
    assert meeting.id is not None
    with demo.session() as session:
        set_status(
            session,
            actor(session, "DV001"),
            meeting.id,
            member_id(demo, "DV007"),
            "mien_sinh_hoat",
            now=clock(),
        )
        session.commit()
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_ROLL)
    (hai,) = [o.label for o in secretary.options() if o.label.startswith("Đặng Văn Hải")]
    assert hai.count("miễn sinh hoạt") == 1, hai
    # A probationary member still shows it: the status and the membership are different facts.
    (em,) = [o.label for o in secretary.options() if o.label.startswith("Hoàng Văn Em")]
    assert em.endswith("(dự bị)"), em
