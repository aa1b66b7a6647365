"""Limits on a meeting: its length (8 hours at most) and what is typed into /hop and "Xin vắng".

Each limit is checked at the step where the text is typed, and the refusal names the limit, so
the secretary never learns at the preview that the agenda typed three steps ago was too long
(and is never sent back to the date for it); a member's leave reason is refused, not cut.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models import ConversationState, Database, DeliveryKind, MeetingKind
from services.errors import UserError
from services.meetings import texts as meeting_texts
from services.meetings.planning import (
    ABSENCE_REASON_MAX_CHARS,
    AGENDA_ITEM_MAX_CHARS,
    DEFAULT_RULES,
    DOCUMENT_TITLE_MAX_CHARS,
    PLACE_MAX_CHARS,
    TOPIC_MAX_CHARS,
    clean_absence_reason,
    clean_agenda,
    clean_document,
    clean_place,
    clean_topic,
    meeting_when,
    plan_meeting,
)
from tests.directives.test_flow_directives import option_ids, received, send_file
from tests.meetings.test_flow_meetings import meetings, roll_row, schedule_via_chat
from tests.meetings.test_meetings import TZ, actor, cell_id, local, schedule
from tests.support import ChatDriver, FakeClock


def state_step(db: Database, chat: ChatDriver) -> str | None:
    with db.session() as session:
        state = session.exec(
            select(ConversationState).where(ConversationState.user_id == chat.user_id)
        ).one()
        return state.step


# --- length -----------------------------------------------------------------------------------


@pytest.mark.parametrize("hours", [25, 48])
def test_a_day_long_meeting_is_refused(demo: Database, clock: FakeClock, hours: int) -> None:
    with demo.session() as session:
        with pytest.raises(UserError) as refused:
            schedule(session, clock(), minutes=hours * 60)
        message = refused.value.message
        assert "nhiều nhất 8 tiếng" in message and f"dài {hours} tiếng" in message
        assert "Thứ Bảy, 19/12/2026, 14:00 – " in message  # the slip is shown, end and all
        assert meetings(demo) == []


def test_eight_hours_is_the_most(demo: Database, clock: FakeClock) -> None:
    assert DEFAULT_RULES.max_minutes == 480
    with demo.session() as session:
        with pytest.raises(UserError) as refused:
            schedule(session, clock(), minutes=8 * 60 + 1)
        assert refused.value.message == meeting_texts.MTG_TOO_LONG.format(
            maximum="8 tiếng",
            actual="8 tiếng 1 phút",
            when="Thứ Bảy, 19/12/2026, 14:00–22:01",
        )
        meeting = schedule(session, clock(), minutes=8 * 60)
        assert meeting.ends_at - meeting.starts_at == timedelta(hours=8)
        # The minimum is untouched: 90 minutes, 120 for regular + thematic.
        with pytest.raises(UserError) as short:
            plan_meeting(
                session,
                actor(session, "DV001"),
                cell_id(session),
                kind=MeetingKind.COMBINED,
                starts_at=local(20, 1, 8, year=2027),
                ends_at=local(20, 1, 9, 59, year=2027),
                place="P",
                topic="T",
                now=clock(),
            )
        assert "ít nhất 120 phút" in short.value.message


# --- start and end, wherever the meeting's time is shown ------------------------------------


def test_invitation_and_preview_show_start_and_end(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        from services.identities import find_member, local_identity

        member = find_member(session, "DV003")
        assert member is not None
        local_identity(session, member, now=clock())
        plan = plan_meeting(
            session,
            actor(session, "DV001"),
            cell_id(session),
            kind=MeetingKind.REGULAR,
            starts_at=local(11, 12, 14),
            ends_at=local(11, 12, 16),
            place="Hội trường",
            now=clock(),
        )
        assert "Thời gian: Thứ Sáu, 11/12/2026, 14:00–16:00" in plan.invitation
        meeting = schedule(session, clock(), starts_at=local(11, 12, 14), minutes=120)
        assert meeting_when(meeting, TZ) == "Thứ Sáu, 11/12/2026, 14:00–16:00"
    (invite,) = received(demo, "DV003", DeliveryKind.MEETING_INVITE)
    assert "Thời gian: Thứ Sáu, 11/12/2026, 14:00–16:00" in invite.payload["text"]


# --- text limits, in the services -----------------------------------------------------------


def test_each_limit_is_refused_with_its_number() -> None:
    with pytest.raises(UserError) as topic:
        clean_topic("c" * (TOPIC_MAX_CHARS + 1))
    assert topic.value.message == meeting_texts.MTG_TOPIC_TOO_LONG.format(length=301, maximum=300)
    with pytest.raises(UserError) as no_topic:
        clean_topic("  ", required=True)
    assert no_topic.value.message == meeting_texts.MTG_NO_TOPIC
    assert clean_topic(" Chuyển đổi số ") == "Chuyển đổi số"

    with pytest.raises(UserError) as place:
        clean_place("p" * (PLACE_MAX_CHARS + 1))
    assert "301 ký tự" in place.value.message and "tối đa 300 ký tự" in place.value.message
    with pytest.raises(UserError) as no_place:
        clean_place(" ")
    assert no_place.value.message == meeting_texts.MTG_NO_PLACE

    with pytest.raises(UserError) as item:
        clean_agenda(["Khai mạc", "", "a" * (AGENDA_ITEM_MAX_CHARS + 1)])
    assert item.value.message == meeting_texts.MTG_AGENDA_ITEM_TOO_LONG.format(
        number=2, length=501, maximum=500
    )
    with pytest.raises(UserError) as whole:
        clean_agenda(["a" * 450] * 9)
    assert "tối đa 4000 ký tự" in whole.value.message
    assert clean_agenda([" Khai mạc ", "", "Bế mạc"]) == ("Khai mạc", "Bế mạc")

    with pytest.raises(UserError) as title:
        clean_document("t" * (DOCUMENT_TITLE_MAX_CHARS + 1), "tg-file")
    assert title.value.message == meeting_texts.MTG_DOC_TITLE_TOO_LONG.format(
        length=301, maximum=300
    )

    with pytest.raises(UserError) as reason:
        clean_absence_reason("r" * (ABSENCE_REASON_MAX_CHARS + 1))
    assert reason.value.message == meeting_texts.MTG_REASON_TOO_LONG.format(length=501, maximum=500)
    with pytest.raises(UserError) as no_reason:
        clean_absence_reason("   ")
    assert no_reason.value.message == meeting_texts.ATT_REASON_REQUIRED
    assert clean_absence_reason("r" * ABSENCE_REASON_MAX_CHARS) == "r" * 500


# --- text limits, at the step where the text is typed -----------------------------------------


def start_hop(secretary: ChatDriver, kind: str = "Thường kỳ") -> None:
    secretary.send("/hop")
    secretary.press(kind)


def to_agenda(secretary: ChatDriver) -> None:
    start_hop(secretary)
    secretary.send("19/12 14:00")
    secretary.send("1")
    secretary.send("Hội trường tầng 2")
    assert "Chương trình họp" in secretary.text


def test_over_long_agenda_is_refused_at_its_step(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    to_agenda(secretary)
    secretary.press("Gửi chương trình khác")
    secretary.send("1. Khai mạc\n2. " + "Báo cáo " * 70 + "\n3. Bế mạc")
    assert "Mục 2 của chương trình dài" in secretary.text
    assert "mỗi mục tối đa 500 ký tự" in secretary.text
    assert meeting_texts.FLOW_MTG_ASK_AGENDA in secretary.text  # asked again, not sent to the date
    assert "Họp vào ngày giờ nào" not in secretary.text
    assert state_step(demo, secretary) == "agenda_text"
    secretary.send("\n".join(f"{n}. " + "x" * 480 for n in range(1, 10)))  # 9 × 480 > 4000
    assert "cả chương trình tối đa 4000 ký tự" in secretary.text
    assert state_step(demo, secretary) == "agenda_text"
    secretary.send("1. Khai mạc\n2. Báo cáo tháng\n3. Bế mạc")
    assert "1. Khai mạc\n2. Báo cáo tháng\n3. Bế mạc" in secretary.text
    secretary.press("Giữ chương trình")
    secretary.send("1")  # no documents: the preview, with nothing refused any more
    assert "Gửi thông báo cho chi bộ?" in secretary.text
    secretary.press("Gửi thông báo")
    (meeting,) = meetings(demo)
    assert meeting.agenda == ["Khai mạc", "Báo cáo tháng", "Bế mạc"]


def test_over_long_place_and_topic_are_refused_with_the_limit(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    start_hop(secretary, "Chuyên đề")
    secretary.send("Chuyên đề " * 40)  # 400 characters
    assert "Tên chuyên đề dài 399 ký tự; tối đa 300 ký tự" in secretary.text
    assert meeting_texts.FLOW_MTG_ASK_TOPIC in secretary.text
    secretary.send("Chuyển đổi số")
    secretary.send("10/12 8h")
    secretary.send("1")
    secretary.send("Phòng " * 60)  # 359 characters after trimming
    assert "Địa điểm dài 359 ký tự; tối đa 300 ký tự" in secretary.text
    assert state_step(demo, secretary) == "place"
    secretary.send("Phòng họp số 1")
    assert "Chương trình họp" in secretary.text
    assert meetings(demo) == []


def test_over_long_document_caption_is_refused_and_a_caption_names_it(
    chat_as, demo: Database
) -> None:
    secretary = chat_as("DV001")
    to_agenda(secretary)
    secretary.press("Giữ chương trình")
    send_file(secretary, "document", "tg-doc-1", "a.docx", text="Dự thảo " * 40)
    assert "Tên tài liệu dài 319 ký tự; tối đa 300 ký tự" in secretary.text
    assert secretary.options()[0].label == meeting_texts.FLOW_LATER  # nothing was taken
    send_file(secretary, "document", "tg-doc-1", "a.docx", text="Dự thảo nghị quyết tháng 12")
    assert "Đã nhận tài liệu “Dự thảo nghị quyết tháng 12”" in secretary.text
    send_file(secretary, "document", "tg-doc-2", "Bao-cao.pdf")
    assert "Đã nhận tài liệu “Bao-cao.pdf”" in secretary.text
    secretary.press("Xong")
    secretary.press("Gửi thông báo")
    assert "Đã lên lịch" in secretary.text


def test_over_long_leave_reason_is_refused_not_cut(chat_as, demo: Database) -> None:
    dung = chat_as("DV004")
    secretary = chat_as("DV001")
    schedule_via_chat(secretary)
    (meeting,) = meetings(demo)
    assert meeting.id is not None
    _yes, no = option_ids(received(demo, "DV004", DeliveryKind.MEETING_INVITE)[0])
    dung.press_payload(no)
    asked = dung.text
    dung.press("Lý do khác")
    dung.send("Đi khám bệnh định kỳ ở bệnh viện tỉnh. " * 15)  # 584 characters
    assert "Lý do dài 584 ký tự; tối đa 500 ký tự" in dung.text
    assert meeting_texts.FLOW_MTG_ASK_REASON_TEXT in dung.text
    assert roll_row(demo, meeting.id, "DV004").answer is None  # nothing recorded, nothing cut
    assert state_step(demo, dung) == "reason_text"
    dung.send("Đi khám bệnh định kỳ")
    assert "xin vắng" in dung.text
    row = roll_row(demo, meeting.id, "DV004")
    assert (row.answer, row.answer_reason) == ("xin_vang", "Đi khám bệnh định kỳ")
    assert "Thứ Bảy, 19/12/2026, 14:00–15:30" in asked  # the meeting asked about: start and end
