"""Issue 11, item 6: what a secretary is told after a meeting's message or a resolution goes
out says what really happened (`outbox.describe_reach`): how many of the cell were sent it,
and who has no chat account (named, with /moi), never the number who were meant to get it.

In the demo only members who opened a chat (`chat_as`) or were linked have an account.
"""

from __future__ import annotations

from sqlmodel import Session

from models import Database, DeliveryKind
from services.identities import find_member
from services.meetings import texts as meeting_texts
from services.meetings.resolutions import record_resolution, record_vote
from tests.directives.test_flow_directives import received, send_file
from tests.meetings.test_flow_meetings import schedule_via_chat
from tests.meetings.test_resolution_versions import FIRST_TEXT
from tests.meetings.test_resolutions import TYPICAL, actor, held_meeting
from tests.support import ChatDriver, FakeClock

# Connected besides the secretary: DV003 and DV004; the other five of the cell are not.
CONNECTED = ("DV003", "DV004")
NOT_CONNECTED = ("DV002", "DV005", "DV006", "DV007", "DV008")


def name(session: Session, code: str) -> str:
    member = find_member(session, code)
    assert member is not None
    return member.full_name


def assert_honest(demo: Database, text: str, sentence: str) -> None:
    """`sentence` says 2 of 7; the five without an account are named, the two with one not."""
    assert sentence in text, text
    assert "đến 7 đảng viên" not in text
    line = next(x for x in text.split("\n") if "chưa kết nối bot" in x)
    assert line.startswith("5 đảng viên chưa kết nối bot") and "/moi" in line
    with demo.session() as session:
        assert all(name(session, code) in line for code in NOT_CONNECTED)
        assert not any(name(session, code) in line for code in CONNECTED)


def secretary_with_a_meeting(chat_as) -> ChatDriver:
    for code in CONNECTED:
        chat_as(code)
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    return secretary


def test_scheduling_says_how_many_were_invited(chat_as, demo: Database) -> None:
    secretary = secretary_with_a_meeting(chat_as)
    assert "Đã lên lịch buổi sinh hoạt Thứ Bảy, 19/12/2026, 14:00–15:30." in secretary.text
    assert_honest(demo, secretary.text, "Đã gửi thông báo họp đến 2 trong số 7 đảng viên.")
    assert len(received(demo, "DV003", DeliveryKind.MEETING_INVITE)) == 1


def test_moving_says_how_many_were_told(chat_as, demo: Database) -> None:
    secretary = secretary_with_a_meeting(chat_as)
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_MOVE)
    secretary.press(meeting_texts.FLOW_MTG_KEEP_WHEN)
    secretary.press(meeting_texts.FLOW_MTG_PLACE_OTHER)
    secretary.send("Phòng họp số 1")
    assert "Thời gian: Thứ Bảy, 19/12/2026, 14:00–15:30" in secretary.text  # start and end
    secretary.press(meeting_texts.FLOW_MTG_MOVE_SEND)
    assert "Đã đổi lịch Thứ Bảy, 19/12/2026, 14:00–15:30 (thường kỳ)." in secretary.text
    assert_honest(demo, secretary.text, "Đã gửi thông báo đổi lịch họp đến 2 trong số 7 đảng viên.")


def test_cancelling_says_how_many_were_told(chat_as, demo: Database) -> None:
    secretary = secretary_with_a_meeting(chat_as)
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_CANCEL)
    secretary.send("Trùng lịch hội nghị")
    secretary.press(meeting_texts.FLOW_MTG_CANCEL_YES)
    assert "Đã hủy buổi sinh hoạt Thứ Bảy, 19/12/2026, 14:00–15:30" in secretary.text
    assert_honest(demo, secretary.text, "Đã gửi thông báo hủy họp đến 2 trong số 7 đảng viên.")


def test_a_document_says_how_many_were_sent_it(chat_as, demo: Database) -> None:
    secretary = secretary_with_a_meeting(chat_as)
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_DOC)
    send_file(secretary, "document", "tg-bc-12", "Bao-cao-T12.pdf")
    assert_honest(
        demo, secretary.text, "Đã gửi tài liệu “Bao-cao-T12.pdf” đến 2 trong số 7 đảng viên."
    )


def test_a_document_nobody_can_receive_is_not_called_sent(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")  # nobody else in the cell has a chat account
    schedule_via_chat(secretary)
    assert "Chưa gửi được thông báo họp đến ai trong 7 đảng viên." in secretary.text
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_DOC)
    send_file(secretary, "document", "tg-bc-12", "Bao-cao-T12.pdf")
    assert "Chưa gửi được tài liệu “Bao-cao-T12.pdf” đến ai trong 7 đảng viên." in (secretary.text)
    assert "Đã gửi" not in secretary.text
    assert "7 đảng viên chưa kết nối bot" in secretary.text


def test_a_resolution_says_how_many_were_sent_it(chat_as, demo: Database, clock: FakeClock) -> None:
    for code in CONNECTED:
        chat_as(code)
    secretary = chat_as("DV001")
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        leader = actor(session, "DV001")
        record_resolution(session, leader, meeting.id, text=FIRST_TEXT, now=clock())
        record_vote(session, leader, meeting.id, votes_for=4, votes_against=0, now=clock())
        session.commit()
    secretary.send("/ketqua")
    secretary.press("Gửi nghị quyết")
    assert "Gửi đến 7 đảng viên của chi bộ chứ?" in secretary.text  # who it is meant for
    # The preview is what members get: the cell named once ("Nghị quyết của Chi bộ …").
    assert "📜 Nghị quyết của Chi bộ Văn phòng Sở" in secretary.text
    assert "chi bộ chi bộ" not in secretary.text.lower()
    secretary.press("Gửi")
    assert_honest(demo, secretary.text, "Đã gửi nghị quyết đến 2 trong số 7 đảng viên của chi bộ.")
