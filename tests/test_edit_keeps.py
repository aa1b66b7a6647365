"""Editing keeps what was there: "Sửa ngày giờ" in `/hop` and "Sửa nội dung" in `/chidao`
change only what they name and go back to the preview; the committee's picker names each
member's cell; `/chibo` shows every member who leads the cell. Through the real core, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from models import ConversationState, Database, MeetingDocument
from services import texts
from services.demo import CELL_OFFICE, CELL_SCHOOLS
from services.directives import texts as directive_texts
from services.meetings import texts as meeting_texts
from tests.directives.test_flow_directives import TEXT, received, send_file
from tests.meetings.test_flow_meetings import meetings, schedule_via_chat
from tests.support import ChatDriver, state_of

PLACE = "Phòng họp tầng 3"
AGENDA = "Khai mạc\nBáo cáo công tác tháng\nBế mạc"


def to_preview(secretary: ChatDriver, when: str = "19/12 14:00") -> None:
    """A regular meeting of two hours, a place, an agenda of its own and one document, up to
    the preview: everything "Sửa ngày giờ" must keep."""
    secretary.send("/hop")
    secretary.press("Thường kỳ")
    secretary.send(when)
    secretary.press("(2 tiếng)")
    if any(o.label == "Địa điểm khác…" for o in secretary.options()):
        secretary.press("Địa điểm khác")
    secretary.send(PLACE)
    secretary.press("Gửi chương trình khác")
    secretary.send(AGENDA)
    secretary.press("Giữ chương trình")
    send_file(secretary, "document", "tg-doc-9", "Du-thao-NQ.docx")
    secretary.press("Xong")
    assert meeting_texts.FLOW_MTG_PREVIEW_HEAD in secretary.text, secretary.text


def assert_preview_keeps(secretary: ChatDriver, span: str) -> None:
    """The preview again, at once, with the new time and everything else as it was."""
    assert meeting_texts.FLOW_MTG_PREVIEW_HEAD in secretary.text, secretary.text
    assert f"Thời gian họp: {span}." in secretary.text
    invitation = next(r.text for r in secretary.last.replies if r.text.startswith("📅"))
    assert f"Thời gian: {span}" in invitation
    assert PLACE in invitation
    assert "1. Khai mạc\n2. Báo cáo công tác tháng\n3. Bế mạc" in invitation
    assert "📎 Kèm tài liệu: Du-thao-NQ.docx" in secretary.text
    assert [o.label for o in secretary.options()] == [
        meeting_texts.FLOW_MTG_SEND,
        meeting_texts.FLOW_MTG_FIX_WHEN,
        texts.FLOW_CANCEL,
    ]


# --- /hop: "Sửa ngày giờ" ---------------------------------------------------------------------


def test_fixing_the_date_keeps_length_place_agenda_and_documents(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001", channel="telegram")
    to_preview(secretary)
    secretary.press("Sửa ngày giờ")
    assert "Đang định họp: Thứ Bảy, 19/12/2026, 14:00–16:00." in secretary.text
    assert "địa điểm, chương trình và tài liệu giữ nguyên" in secretary.text
    secretary.send("18/12 8h")
    assert_preview_keeps(secretary, "Thứ Sáu, 18/12/2026, 08:00–10:00")
    secretary.press("Gửi thông báo")
    assert "Đã lên lịch buổi sinh hoạt Thứ Sáu, 18/12/2026, 08:00–10:00" in secretary.text

    (meeting,) = meetings(demo)
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    assert meeting.place == PLACE
    assert meeting.agenda == ["Khai mạc", "Báo cáo công tác tháng", "Bế mạc"]
    with demo.session() as session:
        titles = session.exec(
            select(MeetingDocument.title).where(MeetingDocument.meeting_id == meeting.id)
        ).all()
    assert list(titles) == ["Du-thao-NQ.docx"]


def test_fixing_the_date_on_zalo_with_a_refusal_keeps_the_topic(chat_as, demo: Database) -> None:
    """Numbered options; a date refused while fixing is asked again, still fixing."""
    secretary = chat_as("DV001", channel="zalo")
    secretary.send("/hop")
    secretary.send("2")  # Chuyên đề
    secretary.send("Chuyển đổi số")
    secretary.send("10/12 8h")
    secretary.send("2")  # Đến 10:00 (2 tiếng)
    secretary.send(PLACE)
    secretary.send("1")  # keep the standard agenda
    secretary.send("1")  # no documents now
    assert meeting_texts.FLOW_MTG_PREVIEW_HEAD in secretary.text
    secretary.send("2")  # Sửa ngày giờ
    assert "Đang định họp: Thứ Năm, 10/12/2026, 08:00–10:00." in secretary.text
    secretary.send("25/11 8h")  # past: refused, the date asked again, the rest still kept
    assert "đã qua" in secretary.text
    assert "Đang định họp: Thứ Năm, 10/12/2026, 08:00–10:00." in secretary.text
    secretary.send("11/12 14h")
    assert "Thời gian họp: Thứ Sáu, 11/12/2026, 14:00–16:00." in secretary.text
    assert "Sinh hoạt chuyên đề: Chuyển đổi số" in secretary.text
    assert PLACE in secretary.text
    assert [o.label for o in secretary.options()][1] == meeting_texts.FLOW_MTG_FIX_WHEN
    secretary.send("1")  # Gửi thông báo
    assert "Đã lên lịch buổi sinh hoạt Thứ Sáu, 11/12/2026, 14:00–16:00" in secretary.text
    (meeting,) = meetings(demo)
    assert meeting.topic == "Chuyển đổi số" and meeting.place == PLACE


def test_a_length_that_no_longer_fits_is_asked_then_back_to_the_preview(
    chat_as, demo: Database
) -> None:
    """The length is kept only while it fits the rules. When it must be asked again, that
    step's own "Sửa ngày giờ" goes back to the date and still returns to the preview."""
    secretary = chat_as("DV001", channel="telegram")
    to_preview(secretary)
    secretary.press("Sửa ngày giờ")
    state = state_of(demo, secretary)  # as if the rules had changed since the length was set
    with demo.session() as session:
        row = session.get(ConversationState, state.id)
        assert row is not None
        row.data = {**row.data, "minutes": 60}
        session.add(row)
        session.commit()
    secretary.send("20/12 9h")
    assert "Bắt đầu: Chủ nhật, 20/12/2026, 09:00." in secretary.text
    assert "Họp đến mấy giờ" in secretary.text
    secretary.press("Sửa ngày giờ")  # at the length step: back to the date, still fixing
    assert "Đang định họp:" in secretary.text
    secretary.send("21/12 9h")
    secretary.press("Đến 11:00")
    assert "Họp ở đâu" not in secretary.text
    assert_preview_keeps(secretary, "Thứ Hai, 21/12/2026, 09:00–11:00")


def test_a_refused_confirmation_asks_the_date_only(chat_as, demo: Database) -> None:
    """The deputy took December meanwhile: the refusal asks a new date, then the preview."""
    secretary = chat_as("DV001", channel="telegram")
    deputy = chat_as("DV002")
    to_preview(secretary)
    schedule_via_chat(deputy, "12/12 8h")
    secretary.press("Gửi thông báo")
    assert "đã có buổi sinh hoạt thường kỳ tháng 12/2026" in secretary.text
    assert "Đang định họp: Thứ Bảy, 19/12/2026, 14:00–16:00." in secretary.text
    secretary.send("28/11 14h")
    assert_preview_keeps(secretary, "Thứ Bảy, 28/11/2026, 14:00–16:00")
    secretary.press("Gửi thông báo")
    assert [m.regular_month for m in meetings(demo)] == ["2026-12", "2026-11"]
    assert meetings(demo)[1].place == PLACE


def test_the_length_step_fix_in_a_new_meeting_still_asks_the_length(chat_as, demo) -> None:
    """Before the preview nothing is kept to skip: the new date is followed by its length."""
    secretary = chat_as("DV001")
    secretary.send("/hop")
    secretary.press("Thường kỳ")
    secretary.send("19/12 14:00")
    secretary.press("Sửa ngày giờ")
    assert meeting_texts.FLOW_MTG_ASK_WHEN in secretary.text and "Đang định" not in secretary.text
    secretary.send("18/12 14:00")
    assert "Họp đến mấy giờ" in secretary.text
    secretary.press("Đến 15:30")
    assert "Họp ở đâu" in secretary.text


# --- /chidao: "Sửa nội dung" and the picker -----------------------------------------------------


def option_number(chat: ChatDriver, label_part: str) -> str:
    """The digit a Zalo user types for the option whose label contains `label_part`."""
    labels = [o.label for o in chat.options()]
    for index, label in enumerate(labels, start=1):
        if label_part in label:
            return str(index)
    raise AssertionError(f"no option with {label_part!r} in {labels}")


def test_editing_a_directive_shows_the_text_and_keeps_the_audience(chat_as, demo: Database) -> None:
    chat_as("DV003", channel="zalo"), chat_as("DV004", channel="zalo")
    secretary = chat_as("DV001", channel="zalo")
    secretary.send("/chidao")
    secretary.send(TEXT)
    secretary.send(option_number(secretary, "được chọn"))
    secretary.send(option_number(secretary, "Lê Văn Cường"))
    secretary.send(option_number(secretary, texts.FLOW_DONE))
    assert "Gửi đến 1 đảng viên" in secretary.text
    secretary.send(option_number(secretary, directive_texts.FLOW_EDIT_TEXT))
    # The current text alone in its own message, to copy; then the question.
    assert [r.text for r in secretary.last.replies] == [TEXT, directive_texts.FLOW_DIR_ASK_EDIT]
    fixed = TEXT.replace("15/12", "20/12")
    secretary.send(fixed)
    assert "Gửi cho ai" not in secretary.text  # the audience is kept: straight to the preview
    assert directive_texts.FLOW_DIR_PREVIEW_HEAD in secretary.text
    assert fixed in secretary.last.replies[1].text
    assert "Gửi đến 1 đảng viên" in secretary.text
    secretary.send(option_number(secretary, directive_texts.FLOW_SEND))
    (copy,) = received(demo, "DV003")
    assert fixed in copy.payload["text"] and TEXT not in copy.payload["text"]
    assert received(demo, "DV004") == []


def tick(chat: ChatDriver, label: str) -> None:
    """Press the option labelled exactly `label`, paging through the picker to find it."""
    for _ in range(5):
        labels = [o.label for o in chat.options()]
        if label in labels:
            chat.press(label)
            return
        more = [o.label for o in chat.options() if o.label in (texts.MORE, texts.FLOW_FIRST_PAGE)]
        chat.press(more[0])
    raise AssertionError(f"{label!r} not in the picker")


def test_the_committee_picker_names_each_cell(chat_as, demo: Database) -> None:
    chat_as("DV003"), chat_as("DV010")
    committee = chat_as("DV016")
    committee.send("/chidao")
    committee.press("tất cả chi bộ")
    committee.send("Đề nghị các đồng chí dự hội nghị chuyên đề.")
    committee.press("được chọn")
    tick(committee, f"☐ Lê Văn Cường – {CELL_OFFICE}")
    assert f"☑ Lê Văn Cường – {CELL_OFFICE}" in [o.label for o in committee.options()]
    tick(committee, f"☐ Hồ Thị Lan – {CELL_SCHOOLS}")
    committee.press(texts.FLOW_DONE)
    assert "Gửi đến 2 đảng viên (2 chi bộ)" in committee.text
    committee.press(directive_texts.FLOW_SEND)
    assert len(received(demo, "DV003")) == 1 and len(received(demo, "DV010")) == 1


def test_a_one_cell_picker_shows_names_only(chat_as, demo: Database) -> None:
    committee = chat_as("DV016")
    committee.send("/chidao")
    committee.press(CELL_OFFICE)
    committee.send("Đề nghị các đồng chí dự hội nghị chuyên đề.")
    committee.press("được chọn")
    labels = [o.label for o in committee.options()]
    assert "☐ Lê Văn Cường" in labels
    assert not any(CELL_OFFICE in label for label in labels)


# --- /chibo ------------------------------------------------------------------------------------


def test_every_member_sees_who_leads_the_cell(chat_as) -> None:
    member = chat_as("DV003", channel="zalo")
    member.send("/chibo")
    lines = member.text.splitlines()
    assert any(line.endswith("Nguyễn Văn An – chính thức, bí thư") for line in lines)
    assert any(line.endswith("Trần Thị Bình – chính thức, phó bí thư") for line in lines)
    assert any(line.endswith("Lê Văn Cường – chính thức") for line in lines)
    assert "kết nối" not in member.text and "✓" not in member.text
    other = chat_as("DV010")
    other.send("/chibo")
    assert "Đỗ Văn Khánh – chính thức, bí thư" in other.text
    secretary = chat_as("DV001")
    secretary.send("/chibo")
    assert "Trần Thị Bình – chính thức, phó bí thư (chưa kết nối)" in secretary.text
    assert "Nguyễn Văn An – chính thức, bí thư ✓" in secretary.text
