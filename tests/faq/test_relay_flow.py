"""/hoidap end to end in the terminal driver, on SQLite and PostgreSQL: browsing, asking in
words, relaying a question to the secretary and the answer back, publishing it to the cell,
the member's own list, forged and late buttons, and approvals."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from handlers.faq import entry_text
from models import AuditLog, ConversationState, Database, Delivery, FaqEntry, FaqQuestion, FaqReview
from services import texts
from services.faq import texts as faq_texts
from services.faq.catalog import best as catalog_best
from services.faq.catalog import shipped
from services.faq.rules import ANSWER
from services.identities import find_member
from services.textnorm import shorten_text
from tests.faq.conftest import Chat
from tests.support import ChatDriver, FakeClock, state_of

OWN_QUESTION = "Đảng viên đi nước ngoài có phải báo cáo chi bộ không?"
REPLY = "Có. Đồng chí báo cáo chi bộ trước khi đi và khi về, theo quy định của cấp ủy."


def member_id(db: Database, code: str) -> int:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None and member.id is not None
        return member.id


def deliveries(db: Database, kind: str) -> list[Delivery]:
    with db.session() as session:
        return list(
            session.exec(select(Delivery).where(Delivery.kind == kind).order_by(col(Delivery.id)))
        )


def ask_own_question(chat: Chat, code: str = "DV003") -> None:
    for leader in ("DV001", "DV002", "DV009"):  # linked, so the question reaches them
        chat(leader)
    member = chat(code)
    member.send(f"/hoidap {OWN_QUESTION}")
    assert faq_texts.NOT_FOUND in member.text
    member.press("Gửi câu hỏi này")
    assert faq_texts.QUESTION_SENT in member.text


def test_words_after_the_command_get_the_best_three_with_sources_and_warnings(
    chat: Chat,
) -> None:
    member = chat("DV003")
    member.send("/hoidap chuyen sinh hoat dang")
    # One message (a chat takes one message a second): the best answer whole, the two
    # others in brief, each with its source and the warning, then the question after.
    (reply,) = member.last.replies
    best, second, third = [m.entry for m in catalog_best("chuyen sinh hoat dang")]
    assert reply.text.startswith(f"{faq_texts.FOUND}\n\n{entry_text(best)}\n\n")
    assert "chuyển sinh hoạt đảng" in best.question.lower()
    assert reply.text.endswith(faq_texts.AFTER_ANSWER)
    assert reply.text.count("Nguồn: ") == 3
    assert reply.text.count(faq_texts.BRIEF_UNREVIEWED) == 2  # besides the best's warning
    assert faq_texts.UNREVIEWED in reply.text
    assert len(reply.text) < 2000  # one message on Zalo too
    # The others are read whole by their buttons, first in the list.
    labels = [o.label for o in member.options()]
    assert labels[:2] == [
        faq_texts.BTN_READ.format(question=shorten_text(e.question, 60)) for e in (second, third)
    ]
    member.press(labels[1])
    (whole,) = member.last.replies
    assert whole.text == f"{entry_text(third)}\n\n{faq_texts.AFTER_ANSWER}"
    assert member.option("Gửi câu hỏi cho bí thư")
    # Words typed at the menu that follows are a new question.
    member.send("mien dong dang phi")
    assert "miễn" in member.last.replies[0].text


def test_browsing_by_topic_then_a_page_of_questions_then_the_answer(chat: Chat) -> None:
    member = chat("DV004")
    member.send("/hoidap")
    assert faq_texts.TOPICS in member.text
    member.press("Đảng phí")
    assert "Đảng phí" in member.text
    labels = [o.label for o in member.options()]
    assert texts.MORE in labels  # nine questions: a second page
    member.press(texts.MORE)
    assert any("trước nhiều tháng" in o.label for o in member.options())
    member.press(texts.FLOW_FIRST_PAGE)
    member.press("Những trường hợp nào được miễn")
    assert "50 năm tuổi đảng" in member.text and "Nguồn: Quy định 01-QĐ/TW" in member.text
    member.press("Xong")
    assert faq_texts.BYE in member.text


def open_flow(db: Database, driver: ChatDriver) -> str | None:
    """The chat's open flow; None too when the refusal rolled back even the state's row."""
    with db.session() as session:
        state = session.exec(
            select(ConversationState)
            .where(ConversationState.channel == driver.channel)
            .where(ConversationState.chat_id == (driver.chat_id or driver.user_id))
        ).first()
        return state.flow if state is not None else None


def test_a_question_goes_to_the_secretary_and_the_answer_back_then_to_the_cell(
    demo: Database, chat: Chat
) -> None:
    ask_own_question(chat)
    sent = deliveries(demo, "faq_question")
    assert [d.member_id for d in sent] == [member_id(demo, "DV001")]  # the secretary only
    assert OWN_QUESTION in sent[0].payload["text"]
    button = sent[0].payload["options"][0]["id"]

    secretary = chat("DV001")
    secretary.press_payload(button)
    assert OWN_QUESTION in secretary.text
    secretary.send(REPLY)
    assert "Lê Văn Cường" in secretary.text
    back = deliveries(demo, "faq_answer")
    assert [d.member_id for d in back] == [member_id(demo, "DV003")]
    assert REPLY in back[0].payload["text"] and OWN_QUESTION in back[0].payload["text"]

    secretary.press("Đăng cho chi bộ")
    assert "Đã đăng" in secretary.text
    with demo.session() as session:
        entry = session.exec(select(FaqEntry)).one()
        assert entry.origin == "published" and entry.answer == REPLY
        actions = set(session.exec(select(AuditLog.action)))
        assert {"faq.asked", "faq.answered", "faq.published"} <= actions

    same_cell = chat("DV004")
    same_cell.send("/hoidap di nuoc ngoai bao cao")
    best_answer = same_cell.text.split(faq_texts.ALSO_FOUND)[0]  # before the runners-up
    assert REPLY in best_answer
    assert faq_texts.UNREVIEWED not in best_answer  # the secretary's own
    other_cell = chat("DV010")
    other_cell.send("/hoidap di nuoc ngoai bao cao")
    assert REPLY not in other_cell.text

    asker = chat("DV003")
    asker.send("/hoidap_cuatoi")
    assert "Đã trả lời" in asker.text and REPLY[:20] in asker.text


def test_a_committee_member_who_answers_may_publish_to_the_base_organisation(
    demo: Database, chat: Chat
) -> None:
    # Phan Thị Thảo (committee of the base organisation) asks in the schools' cell; its
    # secretary answers and may publish to the cell only; the committee's unit is not theirs.
    ask_own_question(chat, "DV010")
    button = deliveries(demo, "faq_question")[0].payload["options"][0]["id"]
    secretary = chat("DV009")
    secretary.press_payload(button)
    secretary.send(REPLY)
    labels = [o.label for o in secretary.options()]
    assert labels == [faq_texts.BTN_PUBLISH_CELL, faq_texts.BTN_NO_PUBLISH]
    secretary.press(faq_texts.BTN_NO_PUBLISH)
    assert faq_texts.NOT_PUBLISHED in secretary.text
    with demo.session() as session:
        assert session.exec(select(FaqEntry)).first() is None


def test_forged_foreign_and_late_buttons_are_refused_and_write_nothing(
    demo: Database, chat: Chat
) -> None:
    ask_own_question(chat)
    with demo.session() as session:
        question = session.exec(select(FaqQuestion)).one()
    assert question.id is not None
    payload = ANSWER(question.id)

    for code in ("DV009", "DV003", "DV016"):  # another cell's secretary, members
        other = chat(code)
        other.press_payload(payload)
        assert faq_texts.NOT_YOUR_CELL in other.text, code
        assert open_flow(demo, other) is None
    forged = chat("DV001")
    forged.press_payload("faq_ans:abc")
    assert texts.STALE_BUTTON in forged.text
    forged.press_payload(ANSWER(987654))
    assert faq_texts.QUESTION_GONE in forged.text

    # The secretary and the deputy both open it; the secretary answers first.
    secretary, deputy = chat("DV001"), chat("DV002")
    secretary.press_payload(payload)
    deputy.press_payload(payload)
    secretary.send(REPLY)
    deputy.send("Một câu trả lời khác")
    assert "đã được trả lời" in deputy.text
    deputy.press_payload(payload)
    assert "đã được trả lời" in deputy.text
    with demo.session() as session:
        stored = session.get(FaqQuestion, question.id)
        assert stored is not None and stored.answer == REPLY
    assert len(deliveries(demo, "faq_answer")) == 1


def test_a_question_too_short_is_asked_again_and_a_cell_without_leaders_is_told(
    demo: Database, chat: Chat
) -> None:
    member = chat("DV003")
    member.send("/hoidap")
    member.press(faq_texts.BTN_ASK)
    member.send("ừ")
    assert faq_texts.QUESTION_TOO_SHORT in member.text
    assert state_of(demo, member).step == "own"
    member.send("/huy")
    # A secretary's own question goes to the deputy.
    chat("DV002")
    secretary = chat("DV001")
    secretary.send("/hoidap")
    secretary.press(faq_texts.BTN_ASK)
    secretary.send(OWN_QUESTION)
    assert faq_texts.QUESTION_SENT in secretary.text
    assert [d.member_id for d in deliveries(demo, "faq_question")] == [member_id(demo, "DV002")]


def test_my_questions_show_their_status(demo: Database, chat: Chat, clock: FakeClock) -> None:
    member = chat("DV003")
    member.send("/hoidap_cuatoi")
    assert faq_texts.MINE_EMPTY in member.text
    ask_own_question(chat)
    clock.advance(hours=1)
    member.send("/hoidap")
    member.press(faq_texts.BTN_MINE)
    assert "Đang chờ trả lời" in member.text and OWN_QUESTION in member.text


def test_a_committee_member_approves_and_the_warning_goes(demo: Database, chat: Chat) -> None:
    first = shipped()[0]
    committee = chat("DV016")
    committee.send("/hoidap_duyet")
    assert first.key in committee.text and f"1/{len(shipped())}" in committee.text
    committee.press(faq_texts.BTN_APPROVE)
    assert faq_texts.APPROVED.format(key=first.key) in committee.text
    second = shipped()[1]
    assert second.key in committee.text  # the next one
    committee.press(faq_texts.BTN_SKIP)
    assert shipped()[2].key in committee.text
    committee.press(faq_texts.BTN_STOP)
    with demo.session() as session:
        review = session.exec(select(FaqReview)).one()
        assert review.key == first.key and review.reviewed_by_member_id == member_id(demo, "DV016")
        assert session.exec(select(AuditLog).where(AuditLog.action == "faq.approved")).one()

    member = chat("DV003")
    member.send("/hoidap")
    member.press("Sinh hoạt chi bộ")
    member.press(first.question[:30])
    assert first.answer in member.text and faq_texts.UNREVIEWED not in member.text


def test_members_and_secretaries_may_not_approve(demo: Database, chat: Chat) -> None:
    for code in ("DV003", "DV001"):
        other = chat(code)
        other.send("/hoidap_duyet")
        assert faq_texts.BTN_APPROVE not in [o.label for o in other.options()]
    with demo.session() as session:
        assert session.exec(select(FaqReview)).first() is None


def test_a_forgotten_flow_expires_without_writing(
    demo: Database, chat: Chat, clock: FakeClock
) -> None:
    member = chat("DV003")
    member.send("/hoidap")
    member.press(faq_texts.BTN_ASK)
    clock.advance(hours=3)
    member.send(OWN_QUESTION)
    with demo.session() as session:
        assert session.exec(select(FaqQuestion)).first() is None
    assert timedelta(hours=3)  # the flow's time to live is an hour (CoreConfig)
