"""Monthly study topics on SQLite and PostgreSQL: posting through the chat (committee and
secretary), the refusals (other cell's secretary, committee outside its subtree, bad input,
/huy), what members see, the reading sent again (and forged buttons), the agenda's line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from models import AuditLog, Database, StudyTopic
from services import texts
from services.errors import Forbidden, UserError
from services.study import texts as study_texts
from services.study.rules import READING
from services.study.topics import (
    Reading,
    TopicDraft,
    agenda_lines,
    post_topic,
    search_items,
    send_reading_again,
)
from tests.study.conftest import (
    DRAFT,
    Chat,
    actor,
    cell_of,
    deliveries,
    outside_committee,
    unit_id,
)
from tests.support import FakeClock, state_of

BASE = "Đảng bộ Sở Giáo dục và Đào tạo"
MONTH = "2026-11"  # the FakeClock's month (26/11/2026, local)


def topics(db: Database) -> list[StudyTopic]:
    with db.session() as session:
        return list(session.exec(select(StudyTopic).order_by(col(StudyTopic.id))))


def post(
    db: Database,
    clock: FakeClock,
    code: str,
    unit: int,
    *,
    draft: TopicDraft = DRAFT,
    for_agenda: bool = False,
) -> StudyTopic:
    with db.session() as session:
        return post_topic(
            session, actor(db, code), unit, MONTH, draft, for_agenda=for_agenda, now=clock()
        ).topic


def test_a_committee_posts_the_months_topic_and_members_see_it(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    member = chat("DV003")  # linked: the topic reaches them
    committee = chat("DV016")
    committee.send("/hoctap_quanly")
    committee.press("Đăng chuyên đề tháng")
    assert study_texts.ASK_MONTH in committee.text
    committee.press("Tháng này")
    committee.send("Học tập phong cách quần chúng của Bác")
    committee.send("Gần dân, nghe dân, nói dân hiểu, làm dân tin.")
    committee.send("không")
    committee.send("1. Đồng chí gần dân thế nào?\n2. Chi bộ cần làm gì?")
    assert "Xem lại chuyên đề" in committee.text
    assert "Đăng, dùng cho chương trình họp" not in committee.text  # not a cell
    committee.press("Đăng")
    assert "Đã đăng chuyên đề cho Đảng bộ Sở Giáo dục" in committee.text

    [topic] = topics(demo)
    assert (topic.unit_id, topic.month) == (unit_id(demo, BASE), MONTH)
    assert topic.questions == ["Đồng chí gần dân thế nào?", "Chi bộ cần làm gì?"]
    assert [d.member_id for d in deliveries(demo, "study_topic")] == [
        actor(demo, "DV003").member_id
    ]

    member.send("/hoctap")
    assert "Học tập phong cách quần chúng của Bác" in member.text
    assert "1. Đồng chí gần dân thế nào?" in member.text
    assert member.option("Chuyên đề các tháng trước").payload == "/hoctap_truoc"
    assert "Đồng chí chưa có bản đăng ký làm theo năm 2026. Gõ /lamtheo" in member.text
    other = chat("DV010")  # the other cell, under the same base: sees it too
    other.send("/hoctap")
    assert "Học tập phong cách quần chúng của Bác" in other.text


def test_a_secretary_posts_a_link_for_the_agenda_and_the_agenda_takes_it(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    post(demo, clock, "DV016", unit_id(demo, BASE))
    office = cell_of(demo, "DV001")
    starts = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    with demo.session() as session:
        # Both posted, the secretary chose nothing: the committee's topic.
        assert agenda_lines(session, office, starts) == [
            "Học tập chuyên đề: Học tập tấm gương tiết kiệm của Bác"
        ]
    secretary = chat("DV001")
    secretary.send("/hoctap_dang")
    secretary.press("Tháng này")
    secretary.send("Chuyên đề của chi bộ")
    secretary.send("Nội dung riêng của chi bộ Văn phòng.")
    secretary.send("ftp://sai")
    assert study_texts.READING_NOT_LINK in secretary.text
    secretary.send("https://example.org/bai-doc.pdf")
    secretary.send("Câu hỏi một")
    secretary.press("dùng cho chương trình họp")
    assert "Đã đăng chuyên đề cho Chi bộ Văn phòng Sở" in secretary.text
    with demo.session() as session:
        assert agenda_lines(session, office, starts) == ["Học tập chuyên đề: Chuyên đề của chi bộ"]
        # The other cell keeps the committee's; a month without topics has no line.
        assert agenda_lines(session, cell_of(demo, "DV009"), starts) == [
            "Học tập chuyên đề: Học tập tấm gương tiết kiệm của Bác"
        ]
        assert agenda_lines(session, office, datetime(2027, 1, 5, tzinfo=UTC)) == []
    member = chat("DV003")
    member.send("/hoctap")
    text = member.text
    assert text.index("tấm gương tiết kiệm") < text.index("Chuyên đề của chi bộ")
    assert "https://example.org/bai-doc.pdf" in text


def test_the_agenda_takes_the_cells_own_topic_when_nobody_above_posted(
    demo: Database, clock: FakeClock
) -> None:
    office = cell_of(demo, "DV001")
    post(demo, clock, "DV001", office)
    with demo.session() as session:
        lines = agenda_lines(session, office, datetime(2026, 11, 28, tzinfo=UTC))
    assert lines == ["Học tập chuyên đề: Học tập tấm gương tiết kiệm của Bác"]


def test_another_cells_secretary_and_an_outside_committee_are_refused(
    demo: Database, clock: FakeClock
) -> None:
    office = cell_of(demo, "DV001")
    with pytest.raises(Forbidden):
        post(demo, clock, "DV009", office)
    outsider = outside_committee(demo, clock)
    with demo.session() as session, pytest.raises(Forbidden):
        post_topic(session, outsider, office, MONTH, DRAFT, now=clock())
    with pytest.raises(Forbidden):
        post(demo, clock, "DV003", office)  # a plain member
    with pytest.raises(UserError, match="tháng này hoặc tháng sau"), demo.session() as session:
        post_topic(session, actor(demo, "DV001"), office, "2026-09", DRAFT, now=clock())
    assert topics(demo) == []


def test_bad_input_is_said_in_vietnamese_and_huy_leaves_nothing(chat: Chat, demo: Database) -> None:
    secretary = chat("DV001")
    secretary.send("/hoctap_dang")
    secretary.press("Tháng sau")
    secretary.send("x" * 151)
    assert "151 ký tự, quá 150" in secretary.text
    secretary.send("Tên hợp lệ")
    secretary.send("Nội dung")
    secretary.send("không")
    secretary.send("\n".join(f"Câu {n}" for n in range(1, 7)))
    assert "Có 6 câu hỏi, tối đa 5" in secretary.text
    assert state_of(demo, secretary).step == "questions"
    secretary.send("/huy")
    assert state_of(demo, secretary).flow is None
    assert topics(demo) == []
    with demo.session() as session:
        assert not session.exec(
            select(AuditLog).where(col(AuditLog.action).startswith("study."))
        ).all()


def test_a_second_post_replaces_the_first_and_the_preview_says_so(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    post(demo, clock, "DV001", cell_of(demo, "DV001"))
    secretary = chat("DV001")
    secretary.send("/hoctap_dang")
    secretary.press("Tháng này")
    secretary.send("Chuyên đề mới")
    secretary.send("Nội dung mới")
    secretary.send("k")
    secretary.send("Câu hỏi")
    assert study_texts.PREVIEW_REPLACES in secretary.text
    secretary.press("Đăng")
    assert "Đã thay chuyên đề tháng" in secretary.text
    [topic] = topics(demo)
    assert topic.title == "Chuyên đề mới"


def test_a_reading_is_sent_again_only_to_those_who_may_read_it(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    draft = TopicDraft(
        DRAFT.title, DRAFT.body, DRAFT.questions, Reading("tg-file-1", "document", "bai.pdf")
    )
    topic = post(demo, clock, "DV001", cell_of(demo, "DV001"), draft=draft)
    assert topic.id is not None
    member = chat("DV003")
    member.send("/hoctap")
    member.press("Gửi lại tài liệu")
    assert "đang được gửi lại" in member.text
    [again] = deliveries(demo, "study_reading")
    assert again.payload["file"] == {"ref": "tg-file-1", "kind": "document"}
    member.press_payload(READING(topic.id))  # pressed again the same minute: one copy
    assert len(deliveries(demo, "study_reading")) == 1

    outsider = chat("DV010")  # the other cell
    outsider.press_payload(READING(topic.id))
    assert study_texts.NOT_FOR_YOU in outsider.text
    outsider.press_payload("st_read:abc")
    assert texts.STALE_BUTTON in outsider.text
    outsider.press_payload(READING(99999))
    assert texts.STALE_BUTTON in outsider.text
    assert len(deliveries(demo, "study_reading")) == 1
    with demo.session() as session, pytest.raises(UserError):
        send_reading_again(session, actor(demo, "DV010"), topic.id, now=clock())


def test_past_topics_are_paged_newest_first_and_open(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    office = cell_of(demo, "DV001")
    with demo.session() as session:
        for month in range(1, 11):
            session.add(
                StudyTopic(
                    unit_id=office,
                    month=f"2026-{month:02d}",
                    title=f"Chuyên đề tháng {month}",
                    body="Nội dung",
                    questions=["Câu hỏi"],
                )
            )
    member = chat("DV003")
    member.send("/hoctap_truoc")
    labels = [o.label for o in member.options()]
    assert labels[0] == "10/2026 · Chuyên đề tháng 10"
    assert texts.MORE in labels[-1]
    member.press(texts.MORE)
    assert member.options()[0].label == "02/2026 · Chuyên đề tháng 2"
    member.press("Chuyên đề tháng 1")
    assert "Chuyên đề tháng 1\n(Chi bộ Văn phòng Sở, tháng 01/2026)" in member.text
    stranger = chat("DV010")
    stranger.send("/hoctap_truoc")
    assert study_texts.NO_PAST in stranger.text


def test_topics_are_offered_to_the_search_for_their_units(demo: Database, clock: FakeClock) -> None:
    post(demo, clock, "DV016", unit_id(demo, BASE))
    post(demo, clock, "DV001", cell_of(demo, "DV001"))
    with demo.session() as session:
        items = list(search_items(session, None))
        assert [(i.kind, i.opens) for i in items] == [("study_topic", "/hoctap")] * 2
        assert items[0].unit_ids == (unit_id(demo, BASE),) and items[0].cell_ids == ()
        assert items[1].cell_ids == (cell_of(demo, "DV001"),)
        assert list(search_items(session, clock())) == []


def test_the_meeting_planner_collects_the_line_through_the_wiring_list(
    demo: Database, clock: FakeClock
) -> None:
    import dataclasses

    from bot.features import offers
    from models import MeetingKind
    from services.meetings.planning import DEFAULT_RULES, suggested_agenda
    from services.offers import AGENDA_ITEMS

    post(demo, clock, "DV016", unit_id(demo, BASE))
    rules = dataclasses.replace(DEFAULT_RULES, agenda_items=offers().of(AGENDA_ITEMS))
    starts = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    with demo.session() as session:
        office = cell_of(demo, "DV001")
        regular = suggested_agenda(session, office, MeetingKind.REGULAR, None, starts, rules)
        thematic = suggested_agenda(session, office, MeetingKind.THEMATIC, "X", starts, rules)
    line = "Học tập chuyên đề: Học tập tấm gương tiết kiệm của Bác"
    assert line in regular
    assert line not in thematic


def test_a_secretary_on_a_committee_picks_the_unit_and_a_forged_unit_is_refused(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    from services.identities import find_member
    from services.orgwrite import set_committee_units

    with demo.session() as session:
        member = find_member(session, "DV001")
        assert member is not None
        set_committee_units(session, member, {unit_id(demo, BASE)})
    secretary = chat("DV001")
    secretary.send("/hoctap_dang")
    labels = [o.label for o in secretary.options()]
    assert labels == [BASE, "Chi bộ Văn phòng Sở"]
    office_button = secretary.option("Chi bộ Văn phòng Sở").payload
    nonce = office_button.split(":")[0]
    secretary.press_payload(f"{nonce}:u{cell_of(demo, 'DV009')}")  # not on offer
    assert texts.STALE_BUTTON in (secretary.last.notice or secretary.text)
    secretary.press_payload(office_button)
    assert study_texts.ASK_MONTH in secretary.text
    secretary.send("/huy")
    assert topics(demo) == []
