"""What members read and answer: /help per role, /thongbao, /lichhop, /nghiquyet, /nhiemvu."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from models import Database, Meeting, Task
from services import texts
from services.auth import Actor, load_actor
from services.directives import texts as directive_texts
from services.identities import find_member
from services.meetings import texts as meeting_texts
from services.meetings.attendance import set_status
from services.meetings.resolutions import (
    assign_task,
    publish_resolution,
    record_resolution,
    record_vote,
)
from tests.directives.test_flow_directives import compose, send_file
from tests.meetings.test_flow_meetings import at_local, member_id, schedule_via_chat
from tests.support import FakeClock, menu_commands


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None
    return load_actor(session, member)


def test_help_shows_each_role_its_commands(chat_as) -> None:
    member = menu_commands(chat_as("DV003"))
    assert {"/thongbao", "/lichhop", "/diemdanh", "/nghiquyet", "/nhiemvu"} <= member
    assert "/hop" not in member and "/chidao" not in member
    secretary = menu_commands(chat_as("DV001"))
    for command in ("/lichhop", "/chidao", "/chidao_tinhhinh", "/hop", "/hop_quanly", "/ketqua"):
        assert command in secretary
    assert "/chidao_capuy" not in secretary
    committee = menu_commands(chat_as("DV016"))
    assert "/chidao" in committee and "/chidao_capuy" not in committee
    assert "/ketqua" not in committee


def test_directives_newest_first_acknowledged_by_digit(chat_as, clock: FakeClock) -> None:
    member = chat_as("DV003")
    member.send("/thongbao")
    assert member.text == texts.MY_NO_DIRECTIVES
    secretary = chat_as("DV001")
    compose(secretary, "Thứ nhất: nộp đảng phí tháng 11.")
    secretary.press("Gửi")
    clock.advance(hours=2)
    compose(secretary, "Thứ hai: chuẩn bị ý kiến góp ý văn kiện.")
    secretary.press("Gửi")

    member.send("/thongbao")
    assert member.text.index("Thứ hai") < member.text.index("Thứ nhất")
    assert member.text.count("chưa xác nhận") == 2
    assert [o.label for o in member.options()] == ["Đã nhận số 1", "Đã nhận số 2"]
    member.send("2")  # a typed digit, as on Zalo or in the terminal
    assert member.text == directive_texts.DIR_ACKED
    member.send("/thongbao")
    first = member.text.split("\n\n")[2]
    assert "Thứ nhất" in first and "✓ đã nhận" in first
    assert [o.label for o in member.options()] == ["Đã nhận số 1"]


def test_next_meeting_documents_and_answers(chat_as, demo: Database) -> None:
    member = chat_as("DV003")
    member.send("/lichhop")
    assert member.text == texts.MY_NO_MEETING
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    secretary.send("/hop_quanly")
    secretary.press("Gửi thêm tài liệu")
    send_file(secretary, "document", "tg-bc-11", "Bao-cao-thang-11.pdf")
    assert "Đã gửi tài liệu “Bao-cao-thang-11.pdf”" in secretary.text

    member.send("/lichhop")
    assert "Thời gian: Thứ Bảy, 19/12/2026, 14:00–15:30" in member.text  # start and end
    assert "Địa điểm: Hội trường tầng 2" in member.text
    assert "1. Khai mạc" in member.text
    assert "📎 Tài liệu: Bao-cao-thang-11.pdf (gửi lúc 10:00 Thứ Năm, 26/11/2026)" in member.text
    assert texts.MY_NOT_ANSWERED in member.text
    again = texts.MY_DOC_AGAIN.format(title="Bao-cao-thang-11.pdf")
    assert [o.label for o in member.options()] == ["Sẽ dự", "Xin vắng", again]
    member.send("1")
    assert "Đã ghi nhận: đồng chí sẽ dự" in member.text
    member.send("/lichhop")
    assert texts.MY_ANSWERED_YES in member.text
    member.press("Đổi thành: Xin vắng")
    member.press("Việc gia đình")
    member.send("/lichhop")
    assert "Đồng chí đã báo: xin vắng (Việc gia đình)." in member.text
    assert [o.label for o in member.options()] == ["Đổi thành: Sẽ dự", again]
    other = chat_as("DV010")
    other.send("/lichhop")  # another cell's meeting is not theirs
    assert other.text == texts.MY_NO_MEETING


def test_resolutions_and_tasks(chat_as, demo: Database, clock: FakeClock) -> None:
    member = chat_as("DV003")
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    member.send("/nghiquyet")
    assert member.text == texts.MY_NO_RESOLUTIONS
    at_local(clock, 19, 12, 16)
    with demo.session() as session:
        leader = actor(session, "DV001")
        meeting = session.exec(select(Meeting)).one()
        assert meeting.id is not None
        for code in ("DV001", "DV002", "DV003", "DV004", "DV006"):
            set_status(session, leader, meeting.id, member_id(demo, code), "co_mat", now=clock())
        record_resolution(
            session, leader, meeting.id, text="Thi đua hoàn thành kế hoạch.", now=clock()
        )
        record_vote(session, leader, meeting.id, votes_for=4, votes_against=1, now=clock())
        publish_resolution(session, leader, meeting.id, now=clock())
        owner = member_id(demo, "DV003")
        for title, due in (
            ("Nộp báo cáo", date(2026, 12, 31)),
            ("Thu đảng phí", date(2026, 12, 21)),
        ):
            assign_task(
                session,
                leader,
                meeting.id,
                owner_member_id=owner,
                title=title,
                due_on=due,
                now=clock(),
            )

    member.send("/nghiquyet")
    assert "📜 Nghị quyết buổi sinh hoạt 14:00 Thứ Bảy, 19/12/2026" in member.text
    assert "Thi đua hoàn thành kế hoạch." in member.text
    assert "4 tán thành, 1 không tán thành, 0 không biểu quyết – được thông qua" in member.text

    at_local(clock, 22, 12, 9)
    member.send("/nhiemvu")
    assert member.text.splitlines()[1:] == [
        "1. Thu đảng phí – hạn 21/12/2026 (quá hạn)",
        "2. Nộp báo cáo – hạn 31/12/2026",
    ]
    with demo.session() as session:
        fee_task = session.exec(select(Task).where(Task.title == "Thu đảng phí")).one()
    other = chat_as("DV004")
    other.press_payload(f"task_done:{fee_task.id}")
    assert other.text == meeting_texts.RES_TASK_NOT_OWNER
    other.press_payload("task_done:")
    assert other.text == texts.STALE_BUTTON
    member.send("1")
    assert member.text == "Đã ghi nhận hoàn thành: Thu đảng phí."
    member.press_payload(f"task_done:{fee_task.id}")
    assert member.text == meeting_texts.RES_TASK_ALREADY_DONE
    member.send("/nhiemvu")
    assert "Thu đảng phí" not in member.text and "Nộp báo cáo" in member.text
