"""Resolution study with its self-check, and local role models, on SQLite and PostgreSQL:
a committee assigns in the chat, members answer once and see the right answers, the
committee sees per cell who has studied; the refusals (bad questions, an eleventh, a past
date, a secretary, a committee outside its subtree, forged answers, a second attempt)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from models import Database, StudyAssignment, StudyQuizResult, StudyRoleModel
from services import texts
from services.errors import Forbidden, UserError
from services.study import quizzes, role_models
from services.study import texts as study_texts
from services.study.rules import DOCUMENT
from services.study.topics import Reading
from tests.study.conftest import (
    OUTSIDER,
    Chat,
    actor,
    cell_of,
    deliveries,
    member_id,
    outside_committee,
    outside_member,
    unit_id,
)
from tests.support import FakeClock, state_of

BASE = "Đảng bộ Sở Giáo dục và Đào tạo"
Q1 = "Nghị quyết đề ra mấy nhiệm vụ trọng tâm?\nA. Ba\nB. Năm\nC. Bảy\nĐáp án: B"
Q2 = "Ai chịu trách nhiệm chính?\nA. Bí thư\nB. Mọi đảng viên\nĐáp án: b"


def quiz(db: Database, clock: FakeClock, document: Reading | None = None) -> StudyAssignment:
    draft = quizzes.AssignmentDraft(
        title="Nghị quyết Đại hội Đảng bộ tỉnh",
        key_points="Năm nhiệm vụ trọng tâm; ba đột phá chiến lược.",
        due_on=date(2026, 12, 20),
        questions=(quizzes.parse_question(Q1), quizzes.parse_question(Q2)),
        document=document,
    )
    with db.session() as session:
        return quizzes.create_assignment(
            session, actor(db, "DV016"), unit_id(db, BASE), draft, now=clock()
        ).assignment


def test_questions_are_read_from_one_message_or_refused() -> None:
    parsed = quizzes.parse_question(Q1)
    assert parsed == {
        "q": "Nghị quyết đề ra mấy nhiệm vụ trọng tâm?",
        "options": ["Ba", "Năm", "Bảy"],
        "answer": 1,
    }
    for bad in (
        "Câu hỏi?\nA. Một\nĐáp án: A",  # one option
        "Câu hỏi?\nA. Một\nB. Hai",  # no answer
        "Câu hỏi?\nA. Một\nC. Hai\nĐáp án: A",  # out of order
        "Câu hỏi?\nA. Một\nB. Hai\nĐáp án: D",  # not an option
        "A. Một\nB. Hai\nĐáp án: A",  # no question
    ):
        with pytest.raises(UserError):
            quizzes.parse_question(bad)


def test_a_committee_assigns_in_the_chat_and_members_answer_once(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    member = chat("DV003")
    committee = chat("DV016")
    committee.send("/hoctap_giao")
    committee.send("Nghị quyết Đại hội Đảng bộ tỉnh")
    committee.send("Năm nhiệm vụ trọng tâm; ba đột phá chiến lược.")
    committee.send("https://example.org/nq.pdf")
    committee.send("20/11/2026")
    assert study_texts.DUE_PAST in committee.text
    committee.send("20/12/2026")
    committee.send("Câu sai mẫu")
    assert study_texts.QUIZ_SHAPE in committee.text
    committee.send(Q1)
    assert "Đã có 1/10 câu hỏi" in committee.text
    committee.send(Q2)  # typed at the menu: the next question
    committee.press("Xem lại để giao")
    assert "(Đáp án: B)" in committee.text
    committee.press("Giao")
    assert "Đã giao học tập nghị quyết cho Đảng bộ Sở" in committee.text
    [assignment] = deliveries(demo, "study_assignment")
    assert assignment.member_id == member_id(demo, "DV003")

    member.send("/hoctap")
    assert "Có 1 nghị quyết đồng chí cần học" in member.text
    member.send("/hoctap_nghiquyet")
    member.press("Nghị quyết Đại hội")
    assert "Năm nhiệm vụ trọng tâm" in member.text
    member.press("Làm bài tự kiểm tra")
    assert "Câu 1/2" in member.text
    member.press("A. Ba")
    member.press("B. Mọi đảng viên")
    assert "Kết quả: đúng 1/2 câu." in member.text
    assert "Đáp án đúng: B. Năm" in member.text
    assert "Đồng chí chọn: A. Ba" in member.text
    with demo.session() as session:
        [result] = session.exec(select(StudyQuizResult)).all()
        assert (result.score, result.total, result.answers) == (1, 2, [0, 1])
        assert result.cell_id == cell_of(demo, "DV003")
        with pytest.raises(UserError, match="đã làm bài"):
            quizzes.submit_quiz(
                session, actor(demo, "DV003"), result.assignment_id, [1, 1], now=clock()
            )
    member.send("/hoctap_nghiquyet")
    member.press("Nghị quyết Đại hội")
    assert "Kết quả: đúng 1/2 câu." in member.text  # shown again, not asked again

    committee.send("/hoctap_tinhhinh")
    assert "Nghị quyết Đại hội Đảng bộ tỉnh (hạn 20/12/2026)" in committee.text
    assert "• Chi bộ Văn phòng Sở: 1 / 7" in committee.text
    assert "• Chi bộ Phòng Giáo dục Trung học: 0 / 8" in committee.text


def test_quiz_refusals_change_nothing(chat: Chat, demo: Database, clock: FakeClock) -> None:
    assignment = quiz(demo, clock, document=Reading("tg-doc", "document", "nq.pdf"))
    assert assignment.id is not None
    with demo.session() as session:
        for answers in ([0], [0, 5], [0, -1]):  # forged states
            with pytest.raises(UserError):
                quizzes.submit_quiz(
                    session, actor(demo, "DV003"), assignment.id, answers, now=clock()
                )
    stranger_actor = outside_member(demo, clock)
    with demo.session() as session, pytest.raises(UserError, match="không dành cho"):
        quizzes.submit_quiz(session, stranger_actor, assignment.id, [0, 0], now=clock())
    outsider = outside_committee(demo, clock)
    draft = quizzes.AssignmentDraft(
        "Nghị quyết", "Nội dung", date(2026, 12, 20), (quizzes.parse_question(Q1),)
    )
    with demo.session() as session, pytest.raises(Forbidden):
        quizzes.create_assignment(session, outsider, unit_id(demo, BASE), draft, now=clock())
    with demo.session() as session, pytest.raises(Forbidden):
        quizzes.create_assignment(
            session, actor(demo, "DV001"), cell_of(demo, "DV001"), draft, now=clock()
        )
    eleven = quizzes.AssignmentDraft(
        "Nghị quyết", "Nội dung", date(2026, 12, 20), (quizzes.parse_question(Q1),) * 11
    )
    with demo.session() as session, pytest.raises(UserError, match="tối đa 10"):
        quizzes.create_assignment(
            session, actor(demo, "DV016"), unit_id(demo, BASE), eleven, now=clock()
        )
    with demo.session() as session:
        assert len(session.exec(select(StudyAssignment)).all()) == 1
        assert session.exec(select(StudyQuizResult)).all() == []

    member = chat("DV003")
    member.press_payload(DOCUMENT(assignment.id))
    assert "đang được gửi lại" in member.text
    [sent] = deliveries(demo, "study_document")
    assert sent.payload["file"] == {"ref": "tg-doc", "kind": "document"}
    stranger = chat(OUTSIDER)
    stranger.press_payload(DOCUMENT(assignment.id))
    assert study_texts.NOT_FOR_YOU in stranger.text
    stranger.press_payload("st_doc:x")
    assert texts.STALE_BUTTON in stranger.text
    # A secretary is not offered the committee's command, and is refused it.
    secretary = chat("DV001")
    secretary.send("/hoctap_giao")
    assert texts.FORBIDDEN_COMMITTEE in secretary.text


def test_a_committee_posts_a_role_model_with_a_photo_and_members_read_it(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    member = chat("DV010")
    committee = chat("DV016")
    committee.send("/guongdienhinh_dang")
    committee.send("Cô giáo Hồ Thị Lan")
    committee.send("ngắn")
    assert study_texts.STORY_TOO_SHORT in committee.text
    committee.send("Mười năm dạy học ở vùng khó, cô vận động được 40 học sinh trở lại lớp.")
    committee.send("ảnh đâu")
    assert study_texts.PHOTO_ONLY in committee.text
    committee.send("không")
    assert study_texts.NO_PHOTO in committee.text
    committee.press("Đăng")
    assert "Đã đăng" in committee.text
    with demo.session() as session:
        [model] = session.exec(select(StudyRoleModel)).all()
        assert model.photo_ref is None
    assert deliveries(demo, "study_role_model")

    with demo.session() as session:
        model_with_photo, _ = role_models.post_role_model(
            session,
            actor(demo, "DV016"),
            unit_id(demo, BASE),
            "Bác sĩ trường học",
            "Ba năm liền khám miễn phí cho học sinh nghèo của huyện.",
            "tg-photo-1",
            now=clock(),
        )
    member.send("/guongdienhinh")
    member.press("Bác sĩ trường học")
    assert "khám miễn phí" in member.text
    assert study_texts.ROLE_MODEL_PHOTO_SENT in member.text
    [photo] = deliveries(demo, "study_role_model_photo")
    assert photo.payload["file"] == {"ref": "tg-photo-1", "kind": "photo"}

    outsider = outside_committee(demo, clock)
    stranger_actor = outside_member(demo, clock)
    with demo.session() as session, pytest.raises(Forbidden):
        role_models.post_role_model(
            session, outsider, unit_id(demo, BASE), "Tên", "Câu chuyện đủ dài.", None, now=clock()
        )
    with demo.session() as session, pytest.raises(UserError):
        assert model_with_photo.id is not None
        role_models.readable_role_model(session, stranger_actor, model_with_photo.id)
    stranger = chat(OUTSIDER)
    stranger.send("/guongdienhinh")
    assert study_texts.ROLE_MODELS_NONE in stranger.text


def test_huy_leaves_no_assignment_and_no_role_model(chat: Chat, demo: Database) -> None:
    committee = chat("DV016")
    committee.send("/hoctap_giao")
    committee.send("Nghị quyết")
    committee.send("Nội dung chính")
    committee.send("không")
    committee.send("31/12/2026")
    committee.send(Q1)
    committee.send("/huy")
    committee.send("/guongdienhinh_dang")
    committee.send("Cô giáo Lan")
    committee.send("/huy")
    assert state_of(demo, committee).flow is None
    with demo.session() as session:
        assert session.exec(select(StudyAssignment)).all() == []
        assert session.exec(select(StudyRoleModel)).all() == []
