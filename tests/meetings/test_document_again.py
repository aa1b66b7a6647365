"""A meeting document asked for again from `/lichhop`: it comes through the outbox to the
member who asked, once a minute at most; other cells, forged and stale buttons change nothing.

Through the core on SQLite and PostgreSQL; the secretary posts with the real service.
"""

from __future__ import annotations

from sqlmodel import select

from models import Database, Delivery, DeliveryKind, Member
from services import texts
from services.meetings import texts as meeting_texts
from services.meetings.planning import add_document, cancel_meeting
from tests.meetings.test_flow_meetings import meetings, schedule_via_chat
from tests.meetings.test_meetings import actor
from tests.support import FakeClock

TITLE = "Dự thảo Nghị quyết tháng 12 của Chi bộ Văn phòng Sở"


def copies_for(db: Database, code: str) -> list[Delivery]:
    with db.session() as session:
        member = session.exec(select(Member).where(Member.code == code)).one()
        return list(
            session.exec(
                select(Delivery)
                .where(Delivery.member_id == member.id)
                .where(Delivery.kind == DeliveryKind.MEETING_DOCUMENT)
            )
        )


def posted(db: Database, clock: FakeClock) -> int:
    (meeting,) = meetings(db)
    assert meeting.id is not None
    with db.session() as session:
        document, _warnings = add_document(
            session,
            actor(session, "DV001"),
            meeting.id,
            title=TITLE,
            file_ref="BQACAgIAAxkBAAIBZ2VxDraftResolution",
            now=clock(),
        )
        assert document.id is not None
        return document.id


def test_a_member_gets_the_document_again_once_a_minute(chat_as, demo: Database, clock) -> None:
    member = chat_as("DV003")
    schedule_via_chat(chat_as("DV001"))
    document_id = posted(demo, clock)
    assert len(copies_for(demo, "DV003")) == 1  # the original

    member.send("/lichhop")
    again = member.option(texts.MY_DOC_AGAIN.split("{")[0])
    assert again.label.endswith("…") and len(again.label) < 60  # a long title is shortened
    member.press_payload(again.payload)
    assert member.text == texts.MY_DOC_ON_ITS_WAY.format(title=TITLE)
    copies = copies_for(demo, "DV003")
    assert len(copies) == 2
    assert copies[-1].payload["file"] == copies[0].payload["file"]
    assert copies[-1].ref_id == document_id

    member.press_payload(again.payload)  # pressed twice in the same minute: one copy
    assert len(copies_for(demo, "DV003")) == 2
    clock.advance(minutes=1)
    member.press_payload(again.payload)
    assert len(copies_for(demo, "DV003")) == 3
    # Only the member who asked: DV004 keeps just the original.
    assert len(copies_for(demo, "DV004")) <= 1


def test_other_cells_forged_and_stale_buttons_change_nothing(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    schedule_via_chat(chat_as("DV001"))
    document_id = posted(demo, clock)
    outsider = chat_as("DV010")  # a member of the other cell
    outsider.press_payload(f"mtg_doc:{document_id}")
    assert outsider.text == texts.FORBIDDEN_OUTSIDE_SCOPE
    assert copies_for(demo, "DV010") == []
    member = chat_as("DV003")
    for forged in ("mtg_doc:abc", "mtg_doc:999999", "mtg_doc:1:2"):
        member.press_payload(forged)
        assert member.text == texts.STALE_BUTTON
    (meeting,) = meetings(demo)
    assert meeting.id is not None
    with demo.session() as session:
        cancel_meeting(
            session, actor(session, "DV001"), meeting.id, reason="Trùng lịch", now=clock()
        )
    before = len(copies_for(demo, "DV003"))
    member.press_payload(f"mtg_doc:{document_id}")
    assert member.text == meeting_texts.MTG_IS_CANCELLED
    assert len(copies_for(demo, "DV003")) == before
