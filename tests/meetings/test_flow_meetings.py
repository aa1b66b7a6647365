"""`/hop`, `/hop_quanly`, `/ketqua`, the invitation buttons and `/diemdanh`, through the core."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from models import (
    Attendance,
    CheckinAttempt,
    ConversationState,
    Database,
    DeliveryKind,
    Meeting,
    MeetingDocument,
    Resolution,
    Task,
)
from services import texts
from services.identities import find_member
from services.meetings import texts as meeting_texts
from tests.directives.test_flow_directives import option_ids, received, send_file
from tests.support import ChatDriver, FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at_local(clock: FakeClock, day: int, month: int, hour: int, minute: int = 0) -> None:
    clock.now = datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def schedule_via_chat(
    secretary: ChatDriver,
    when: str = "19/12 14:00",
    *,
    kind: str = "Thường kỳ",
    topic: str | None = None,
    place: str = "Hội trường tầng 2",
) -> None:
    """The shortest /hop: minimum length, default agenda, no documents."""
    secretary.send("/hop")
    secretary.press(kind)
    if topic:
        secretary.send(topic)
    secretary.send(when)
    secretary.send("1")  # the first length: the minimum
    labels = [o.label for o in secretary.options()]  # the last place is offered, if any
    if place in labels:
        secretary.press(place)
    else:
        if labels:
            secretary.press("Địa điểm khác")
        secretary.send(place)
    secretary.press("Giữ chương trình")
    secretary.send("1")  # no documents now
    secretary.press("Gửi thông báo")
    assert "Đã lên lịch" in secretary.text, secretary.text


def meetings(db: Database) -> list[Meeting]:
    with db.session() as session:
        return list(session.exec(select(Meeting).order_by(col(Meeting.id))))


def member_id(db: Database, code: str) -> int:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None and member.id is not None
        return member.id


def roll_row(db: Database, meeting_id: int, code: str) -> Attendance:
    with db.session() as session:
        return session.exec(
            select(Attendance)
            .where(Attendance.meeting_id == meeting_id)
            .where(Attendance.member_id == member_id(db, code))
        ).one()


def status_of(db: Database, meeting_id: int, code: str) -> str | None:
    return roll_row(db, meeting_id, code).status


def open_code(secretary: ChatDriver) -> str:
    """Open check-in from the meeting menu and read the code off the reply."""
    secretary.send("/hop_quanly")
    if "Chọn buổi" in secretary.text:
        secretary.send("1")
    secretary.press("Mở điểm danh")
    found = re.search(r"Mã điểm danh: (\d{4})", secretary.text)
    assert found, secretary.text
    return found.group(1)


# --- /hop -------------------------------------------------------------------------------------


def test_schedule_with_refusals_fixed_in_place(chat_as, demo: Database) -> None:
    chat_as("DV003")
    secretary = chat_as("DV001")
    secretary.send("/hop")
    assert "Lên lịch sinh hoạt Chi bộ Văn phòng Sở" in secretary.text
    secretary.press("Thường kỳ")
    secretary.send("25/11 8h")
    assert "đã qua" in secretary.text and "Họp vào ngày giờ nào" in secretary.text
    secretary.send("thứ 6 lúc chiều muộn")
    assert "Chưa hiểu phần" in secretary.text and "Họp vào ngày giờ nào" in secretary.text
    secretary.send("19/12 14:00")
    labels = [o.label for o in secretary.options()]
    assert labels[:3] == [
        "Đến 15:30 (1 tiếng 30 phút)",
        "Đến 16:00 (2 tiếng)",
        "Đến 16:30 (2 tiếng 30 phút)",
    ]
    secretary.press("Giờ khác")
    secretary.send("15h")  # 60 minutes: too short
    assert "ít nhất 90 phút" in secretary.text and "giờ kết thúc" in secretary.text
    secretary.send("hai tiếng")
    assert "Chưa hiểu giờ kết thúc" in secretary.text
    secretary.send("2 tiếng")
    assert "Họp ở đâu" in secretary.text
    secretary.send("Hội trường tầng 2")
    assert "1. Khai mạc" in secretary.text and "Bế mạc" in secretary.text
    secretary.press("Gửi chương trình khác")
    secretary.send("1. Khai mạc, điểm danh\n- Báo cáo tháng\n\n3. Bế mạc, biểu quyết")
    assert "1. Khai mạc, điểm danh\n2. Báo cáo tháng\n3. Bế mạc, biểu quyết" in secretary.text
    secretary.press("Giữ chương trình")
    send_file(secretary, "document", "tg-doc-1", "Du-thao-NQ-12.docx")
    assert "Đã nhận tài liệu “Du-thao-NQ-12.docx”" in secretary.text
    assert secretary.options()[0].label == "Xong (1 tài liệu)"
    secretary.press("Xong")
    invitation = secretary.last.replies[1].text
    assert invitation.startswith("📅 Thông báo sinh hoạt chi bộ thường kỳ")
    assert "Thời gian: Thứ Bảy, 19/12/2026, 14:00–16:00" in invitation
    assert "📎 Kèm tài liệu: Du-thao-NQ-12.docx" in secretary.text
    secretary.press("Gửi thông báo")
    assert "Đã lên lịch buổi sinh hoạt Thứ Bảy, 19/12/2026, 14:00–16:00" in secretary.text
    # Only who has a chat account was invited; the others are named, with /moi.
    assert "Đã gửi thông báo họp đến 1 trong số 7 đảng viên." in secretary.text
    assert "6 đảng viên chưa kết nối bot" in secretary.text

    (meeting,) = meetings(demo)
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    assert meeting.agenda == ["Khai mạc, điểm danh", "Báo cáo tháng", "Bế mạc, biểu quyết"]
    (invite,) = received(demo, "DV003", DeliveryKind.MEETING_INVITE)
    assert invite.payload["text"] == invitation  # members get exactly the preview
    assert option_ids(invite) == [f"mtg:{meeting.id}:yes", f"mtg:{meeting.id}:no"]
    (document,) = received(demo, "DV003", DeliveryKind.MEETING_DOCUMENT)
    assert document.payload["file"]["ref"] == "tg-doc-1"


def test_second_regular_meeting_is_refused_and_the_date_fixed(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary, "19/12 14:00")
    secretary.send("/hop")
    secretary.press("Thường kỳ")
    secretary.send("thứ 6 tuần sau 8h")  # 04/12: December already has its regular meeting
    assert "đã có buổi sinh hoạt thường kỳ tháng 12/2026" in secretary.text
    secretary.send("28/11 8:00")
    secretary.send("1")
    assert [o.label for o in secretary.options()] == ["Hội trường tầng 2", "Địa điểm khác…"]
    secretary.press("Hội trường tầng 2")
    secretary.press("Giữ chương trình")
    secretary.send("1")
    assert "Lưu ý" not in secretary.text  # still time to send documents a day before
    secretary.press("Sửa ngày giờ")
    secretary.send("27/11 8h")  # straight back to the preview: length, place, agenda kept
    assert "Lưu ý: chưa gửi tài liệu họp" in secretary.text  # less than a day away now
    secretary.press("Gửi thông báo")
    assert "Thứ Sáu, 27/11/2026, 08:00–09:30" in secretary.text
    assert [m.regular_month for m in meetings(demo)] == ["2026-12", "2026-11"]


def test_thematic_meeting_asks_its_topic(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary, "10/12 8h", kind="Chuyên đề", topic="Chuyển đổi số")
    (meeting,) = meetings(demo)
    assert meeting.kind == "chuyen_de" and meeting.topic == "Chuyển đổi số"
    assert "Sinh hoạt chuyên đề: Chuyển đổi số." in meeting.agenda
    assert meeting.regular_month is None


# --- answers ----------------------------------------------------------------------------------


def test_members_answer_and_the_secretary_sees_who(chat_as, demo: Database, clock) -> None:
    cuong, dung, giang = chat_as("DV003"), chat_as("DV004"), chat_as("DV006")
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    yes, no = option_ids(received(demo, "DV003", DeliveryKind.MEETING_INVITE)[0])

    response = cuong.press_payload(yes)
    assert "sẽ dự buổi sinh hoạt lúc 14:00 Thứ Bảy, 19/12/2026" in cuong.text
    assert response.chosen == "✓ Sẽ dự"
    dung.press_payload(no)
    assert "Lý do?" in dung.text
    dung.press("Lý do khác")
    dung.send("Con nhỏ bị ốm")
    assert "xin vắng" in dung.text and "Con nhỏ bị ốm" in dung.text
    giang.press_payload(no)
    giang.press("Đi công tác")

    secretary.send("/hop_quanly")
    secretary.press("Ai sẽ dự")
    assert "Sẽ dự (2): Nguyễn Văn An, Lê Văn Cường" in secretary.text
    assert "Xin vắng (2): Phạm Thị Dung (Con nhỏ bị ốm); Vũ Thị Giang (Đi công tác)" in (
        secretary.text
    )
    assert "Chưa trả lời (3): Trần Thị Bình, Hoàng Văn Em, Bùi Thị Hoa" in secretary.text
    assert "Đặng Văn Hải" not in secretary.text  # exempt: no answer expected

    at_local(clock, 18, 12, 20)  # the evening before: documents are late now
    secretary.send("/hop_quanly")
    secretary.press("Ai sẽ dự")
    assert "Lưu ý: chưa gửi tài liệu họp" in secretary.text
    at_local(clock, 19, 12, 14, 5)
    cuong.press_payload(no)
    assert cuong.text == meeting_texts.ATT_ANSWER_CLOSED


def test_invitation_buttons_are_checked(chat_as, demo: Database) -> None:
    chat_as("DV003")
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    yes, no = option_ids(received(demo, "DV003", DeliveryKind.MEETING_INVITE)[0])
    outsider = chat_as("DV009")
    outsider.press_payload(yes)
    assert outsider.text == meeting_texts.ATT_NOT_IN_CELL
    outsider.press_payload(no)  # refused before any reason is asked
    assert outsider.text == meeting_texts.ATT_NOT_IN_CELL
    for forged in ("mtg:abc:yes", "mtg:1:maybe", "mtg:1", "mtg:999999:yes"):
        outsider.press_payload(forged)
        assert outsider.text in (texts.STALE_BUTTON, meeting_texts.MTG_NOT_FOUND), forged
    with demo.session() as session:
        state = session.exec(
            select(ConversationState).where(ConversationState.user_id == outsider.user_id)
        ).one()
        assert state.flow is None
        answers = session.exec(select(Attendance).where(col(Attendance.answer).is_not(None)))
        assert [a.member_id for a in answers] == [member_id(demo, "DV001")]  # the convener


# --- check-in and roll call -------------------------------------------------------------------


def test_checkin_with_the_code(chat_as, demo: Database, clock) -> None:
    cuong, dung, giang, hoa = (chat_as(c) for c in ("DV003", "DV004", "DV006", "DV008"))
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    (meeting,) = meetings(demo)
    secretary.send("/hop_quanly")
    secretary.press("Mở điểm danh")
    assert "Chưa đến giờ điểm danh" in secretary.text and "Đồng chí muốn làm gì" in secretary.text

    at_local(clock, 19, 12, 13, 40)
    code = open_code(secretary)
    cuong.send(code)  # the bare code, as read out in the room, is enough
    assert "Đã điểm danh" in cuong.text
    cuong.send(f"/diemdanh {code}")
    assert cuong.text == meeting_texts.ATT_CHECKIN_ALREADY
    dung.send("/diemdanh")
    dung.send("mã là gì")  # not a code: explained, not counted
    assert texts.MY_CODE_SHAPE in dung.text
    dung.send(" ".join(code))  # spaces are fine: "4 8 2 1"
    assert "Đã điểm danh" in dung.text

    wrong = "0000" if code != "0000" else "1111"
    giang.send("/diemdanh")
    giang.send(wrong)
    assert "còn 2 lần thử" in giang.text
    giang.send(wrong)
    assert "còn 1 lần thử" in giang.text
    giang.send(wrong)
    assert "không tự điểm danh được" in giang.text
    giang.send(f"/diemdanh {code}")  # locked out, even with the right code
    assert "không tự điểm danh được" in giang.text

    clock.advance(minutes=16)
    hoa.send(f"/diemdanh {code}")
    assert "hết hạn" in hoa.text
    fresh = open_code(secretary)
    while fresh == code:  # one chance in 10,000
        fresh = open_code(secretary)
    hoa.send(f"/diemdanh {fresh}")
    assert "Đã điểm danh" in hoa.text

    other = chat_as("DV010")
    other.send(f"/diemdanh {fresh}")
    assert other.text == meeting_texts.ATT_CHECKIN_NONE_OPEN
    assert meeting.id is not None
    assert {c: status_of(demo, meeting.id, c) for c in ("DV003", "DV004", "DV006", "DV008")} == {
        "DV003": "co_mat",
        "DV004": "co_mat",
        "DV006": None,
        "DV008": "co_mat",
    }
    with demo.session() as session:
        attempts = session.exec(select(CheckinAttempt.member_id)).all()
        assert member_id(demo, "DV010") not in attempts


def test_roll_call_close_and_absence_flag(chat_as, demo: Database, clock) -> None:
    chat_as("DV008")
    secretary = chat_as("DV001")
    schedule_via_chat(secretary, "28/11 8h")
    schedule_via_chat(secretary, "19/12 14:00")
    november, december = meetings(demo)
    assert november.id is not None and december.id is not None

    at_local(clock, 28, 11, 9)
    secretary.send("/hop_quanly")
    secretary.press("28/11/2026")
    secretary.press("Điểm danh từng người")
    assert "Hoàng Văn Em – chưa điểm danh (dự bị)" in [o.label for o in secretary.options()]
    secretary.press("Hoàng Văn Em")
    assert [o.label for o in secretary.options()][:4] == [
        "Có mặt",
        "Vắng có phép",
        "Vắng không phép",
        "Miễn sinh hoạt",
    ]
    secretary.press("Có mặt")
    assert "Đã ghi: Hoàng Văn Em – có mặt." in secretary.text
    assert "Hoàng Văn Em – có mặt (dự bị)" in [o.label for o in secretary.options()]
    secretary.press("Nguyễn Văn An")
    secretary.press("Có mặt")
    secretary.press("Quay lại")
    secretary.press("Chốt điểm danh")
    assert "• Bùi Thị Hoa – vắng không phép" in secretary.text  # shown before it is done
    assert status_of(demo, november.id, "DV008") is None
    secretary.press(meeting_texts.FLOW_CLOSE_CONFIRM)
    assert "có mặt 2, vắng có phép 0, vắng không phép 5, miễn sinh hoạt 1" in secretary.text
    assert status_of(demo, november.id, "DV008") == "vang_khong_phep"
    assert received(demo, "DV001", DeliveryKind.ABSENCE_FLAG) == []  # one month only

    at_local(clock, 19, 12, 16)
    secretary.send("/hop_quanly")
    secretary.press("19/12/2026")
    secretary.press("Điểm danh từng người")
    secretary.press("Nguyễn Văn An")
    secretary.press("Có mặt")
    secretary.press("Quay lại")
    secretary.press("Chốt điểm danh")
    secretary.press(meeting_texts.FLOW_CLOSE_CONFIRM)
    assert "Bùi Thị Hoa đã vắng sinh hoạt không phép 2 tháng" in secretary.text
    assert "28/11/2026, 19/12/2026" in secretary.text
    flags = received(demo, "DV001", DeliveryKind.ABSENCE_FLAG)
    assert any("Bùi Thị Hoa" in f.payload["text"] for f in flags)
    assert received(demo, "DV008", DeliveryKind.ABSENCE_FLAG) == []  # private to the secretary
    secretary.send("/hop_quanly")  # the flags open the meeting menu too
    assert "🔒 Riêng bí thư chi bộ: đồng chí Bùi Thị Hoa" in secretary.last.replies[0].text


def test_other_cells_secretary_and_members_are_refused(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    (meeting,) = meetings(demo)
    member = chat_as("DV003")
    for command in ("/hop", "/hop_quanly", "/ketqua"):
        member.send(command)
        assert member.text == texts.FORBIDDEN_SECRETARY
    other = chat_as("DV009")
    other.send("/hop_quanly")
    assert other.text == meeting_texts.FLOW_MTG_NONE
    schedule_via_chat(other, "20/12 8h")
    other.send("/hop_quanly")
    # Tamper with the stored state so the next step names the other cell's meeting: each step
    # re-authorizes, so this is refused and nothing is shown.
    with demo.session() as session:
        state = session.exec(
            select(ConversationState).where(ConversationState.user_id == other.user_id)
        ).one()
        state.data = {**state.data, "meeting": meeting.id}
        session.add(state)
    other.press("Ai sẽ dự")
    assert other.text == texts.FORBIDDEN_OTHER_CELL
    assert "Nguyễn Văn An" not in other.text


# --- /ketqua ----------------------------------------------------------------------------------


def test_results_vote_score_tasks_and_publish(chat_as, demo: Database, clock) -> None:
    cuong = chat_as("DV003")
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    secretary.send("/ketqua")
    assert secretary.text == meeting_texts.FLOW_RES_NONE

    at_local(clock, 19, 12, 13, 45)
    code = open_code(secretary)
    for c in ("DV001", "DV002", "DV003", "DV004", "DV005", "DV006", "DV008"):
        chat = secretary if c == "DV001" else chat_as(c)
        chat.send(f"/diemdanh {code}")
        assert "Đã điểm danh" in chat.text
    at_local(clock, 19, 12, 15, 40)
    secretary.send("/ketqua")
    assert "Kết quả buổi sinh hoạt 14:00 Thứ Bảy, 19/12/2026" in secretary.text

    secretary.press("Nghị quyết")
    secretary.send("Nghị quyết tháng 12: hoàn thành kế hoạch năm; chuẩn bị Đại hội.")
    assert meeting_texts.FLOW_RES_TEXT_SAVED in secretary.text
    assert "✓ Nghị quyết" in [o.label for o in secretary.options()]

    secretary.press("Biểu quyết")
    assert "được triệu tập: 6; có mặt được biểu quyết: 6 (dự bị có mặt: 1" in secretary.text
    secretary.send("chín không một")
    assert meeting_texts.FLOW_RES_VOTE_FORMAT in secretary.text
    secretary.send("7 0 0")  # the probationary member's hand is not a vote
    assert "vượt số đảng viên chính thức có mặt" in secretary.text
    assert "Đảng viên dự bị không biểu quyết" in secretary.text
    secretary.send("5 0 0")  # does not add up to the 6 official members present
    assert "Số phiếu không khớp" in secretary.text
    secretary.send("5 0 1")
    assert "5 tán thành, 0 không tán thành, 1 không biểu quyết" in secretary.text
    assert "được thông qua" in secretary.text

    secretary.press("Chấm điểm")
    assert "Chấm điểm 1/7 – Thời gian: tối đa 5 điểm" in secretary.text
    secretary.send("6")
    assert "phải là số nguyên từ 0 đến 5" in secretary.text
    secretary.send("5")
    assert "Tham dự" in secretary.text and "Gợi ý theo điểm danh: 4 điểm" in secretary.text
    for value in ("4", "9", "38", "5", "27"):
        secretary.send(value)
    secretary.send("5")
    assert "93/100 điểm, xếp loại Tốt" in secretary.text

    secretary.press("Giao nhiệm vụ")
    secretary.press("Lê Văn Cường")
    secretary.send("Hoàn thiện báo cáo tổng kết năm")
    secretary.send("25/11")
    assert "Thời hạn 25/11/2026 đã qua" in secretary.text
    secretary.send("ngày mùng 3")
    assert "Chưa hiểu phần" in secretary.text
    secretary.send("31/12")
    assert "Đã giao: Hoàn thiện báo cáo tổng kết năm – đồng chí Lê Văn Cường, hạn 31/12/2026" in (
        secretary.text
    )
    secretary.press("Xong")
    assert "Giao nhiệm vụ (đã giao 1)" in [o.label for o in secretary.options()]

    secretary.press("Gửi nghị quyết")
    assert "Gửi đến 7 đảng viên của chi bộ chứ?" in secretary.text  # one tap to confirm
    secretary.press("Gửi")
    assert "Đã gửi nghị quyết đến 6 trong số 7 đảng viên của chi bộ." in secretary.text
    (notice,) = received(demo, "DV003", DeliveryKind.RESOLUTION)
    assert "Nghị quyết tháng 12: hoàn thành kế hoạch năm" in notice.payload["text"]
    (task_notice,) = received(demo, "DV003", DeliveryKind.TASK)
    assert "Hoàn thiện báo cáo tổng kết năm" in task_notice.payload["text"]
    secretary.press("Xong")
    assert secretary.text == meeting_texts.FLOW_FINISHED

    with demo.session() as session:
        resolution = session.exec(select(Resolution)).one()
        assert (resolution.votes_for, resolution.passed, resolution.quality_total) == (5, True, 93)
        task = session.exec(select(Task)).one()
        assert task.owner_member_id == member_id(demo, "DV003")
    cuong.send("/nghiquyet")
    assert "Nghị quyết tháng 12" in cuong.text


def test_resolution_as_a_file_and_scores_at_once(chat_as, demo: Database, clock) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    at_local(clock, 19, 12, 16)
    secretary.send("/hop_quanly")
    secretary.press("Ghi kết quả")
    secretary.press("Nghị quyết")
    send_file(secretary, "document", "tg-nq-12", "NQ-12.pdf")
    secretary.press("Chấm điểm")
    secretary.send("5 1 9 30 5 20 5")
    assert "75/100 điểm, xếp loại Khá" in secretary.text
    with demo.session() as session:
        resolution = session.exec(select(Resolution)).one()
        assert resolution.file_ref == "tg-nq-12" and resolution.text is None
        assert resolution.quality_scores["attendance"] == 1
        docs = session.exec(select(MeetingDocument)).all()
        assert docs == []


def test_deputy_cancels_and_the_month_is_free_again(chat_as, demo: Database) -> None:
    chat_as("DV003")
    schedule_via_chat(chat_as("DV001"))
    deputy = chat_as("DV002")
    deputy.send("/hop_quanly")
    deputy.press("Hủy buổi họp")
    deputy.send("Trùng lịch hội nghị của Đảng ủy Khối")
    # One tap first, showing the reason members will get; "Không hủy" changes nothing.
    assert (
        meeting_texts.FLOW_MTG_CONFIRM_CANCEL.format(
            label="Thứ Bảy, 19/12/2026, 14:00–15:30 (thường kỳ)",
            reason="Trùng lịch hội nghị của Đảng ủy Khối",
        )
        in deputy.text
    )
    deputy.press(meeting_texts.FLOW_MTG_CANCEL_NO)
    assert [m.status for m in meetings(demo)] == ["scheduled"]
    assert received(demo, "DV003", DeliveryKind.MEETING_CANCELLED) == []
    deputy.press("Hủy buổi họp")
    deputy.send("x" * 501)  # too long: refused with the limit and asked again
    assert "500" in deputy.text and meeting_texts.FLOW_MTG_ASK_CANCEL_REASON in deputy.text
    deputy.send("Trùng lịch hội nghị của Đảng ủy Khối")
    deputy.press(meeting_texts.FLOW_MTG_CANCEL_YES)
    assert "Đã hủy buổi sinh hoạt Thứ Bảy, 19/12/2026, 14:00–15:30" in deputy.text
    (notice,) = received(demo, "DV003", DeliveryKind.MEETING_CANCELLED)
    assert "Trùng lịch hội nghị của Đảng ủy Khối" in notice.payload["text"]
    schedule_via_chat(deputy, "22/12 14:00")  # December has no regular meeting any more
    assert [m.status for m in meetings(demo)] == ["cancelled", "scheduled"]


# --- /hop: the length's maximum, the time read back, the agenda's heading (issue 11) ----------


def test_end_typed_as_25_or_48_hours_is_refused_at_its_step(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    secretary.send("/hop")
    secretary.press("Thường kỳ")
    secretary.send("19/12 14:00")
    assert "nhiều nhất 8 tiếng" in secretary.text  # the bounds are said when asked
    secretary.press("Giờ khác")
    for typed, length in (("25h", "25 tiếng"), ("48h", "48 tiếng"), ("9 tiếng", "9 tiếng")):
        secretary.send(typed)
        assert "kéo dài nhiều nhất 8 tiếng" in secretary.text, typed
        assert f"dài {length}" in secretary.text, typed
        assert meeting_texts.FLOW_MTG_ASK_END in secretary.text  # the same step, asked again
    secretary.send("22h")  # 8 hours: the longest allowed
    assert "Thời gian họp: Thứ Bảy, 19/12/2026, 14:00–22:00." in secretary.text
    secretary.send("Hội trường tầng 2")
    secretary.press("Giữ chương trình")
    secretary.send("1")
    assert "Thời gian: Thứ Bảy, 19/12/2026, 14:00–22:00" in secretary.last.replies[1].text
    secretary.press("Gửi thông báo")
    (meeting,) = meetings(demo)
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=8)


def test_the_date_typed_is_read_back_in_words_at_once(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    secretary.send("/hop")
    secretary.press("Thường kỳ")
    secretary.send("hôm qua 8h")  # understood, and refused for what it is: past
    assert "đã qua" in secretary.text and "Chưa hiểu" not in secretary.text
    secretary.send("thứ 6 tuần sau 14h")
    assert "Bắt đầu: Thứ Sáu, 04/12/2026, 14:00." in secretary.text
    secretary.press("Sửa ngày giờ")  # not the day meant: back to the date, at once
    assert "Họp vào ngày giờ nào" in secretary.text
    secretary.send("11/12 14h")
    assert "Bắt đầu: Thứ Sáu, 11/12/2026, 14:00." in secretary.text
    secretary.press("Đến 16:00")
    assert "Thời gian họp: Thứ Sáu, 11/12/2026, 14:00–16:00." in secretary.text
    assert "Họp ở đâu" in secretary.text
    secretary.send("Hội trường tầng 2")
    secretary.press("Giữ chương trình")
    secretary.send("1")
    assert "Thời gian: Thứ Sáu, 11/12/2026, 14:00–16:00" in secretary.text
    secretary.press("Gửi thông báo")
    assert "Đã lên lịch buổi sinh hoạt Thứ Sáu, 11/12/2026, 14:00–16:00" in secretary.text


def test_only_the_standard_agenda_is_headed_by_the_guidance(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    secretary.send("/hop")
    secretary.press("Thường kỳ")
    secretary.send("19/12 14:00")
    secretary.send("1")
    secretary.send("Hội trường tầng 2")
    assert "Chương trình họp (theo Hướng dẫn 42-HD/BTCTW):\n1. Khai mạc" in secretary.text
    secretary.press("Gửi chương trình khác")
    secretary.send("Khai mạc\nGóp ý dự thảo văn kiện\nBế mạc")
    assert "Chương trình họp:\n1. Khai mạc\n2. Góp ý dự thảo văn kiện" in secretary.text
    assert "42-HD/BTCTW" not in secretary.text
