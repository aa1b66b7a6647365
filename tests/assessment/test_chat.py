"""/danhgia and /danhgia_quanly end to end, on a terminal chat of the app's core."""

from __future__ import annotations

from sqlmodel import func, select

from models import AssessmentAdjustment, AssessmentDecision, AuditLog, Database, Delivery
from services import texts
from services.assessment import texts as assessment_texts
from tests.assessment.conftest import Chat


def test_member_sees_own_result_and_breakdown(chat: Chat) -> None:
    cuong = chat("DV003")
    cuong.send("/danhgia")
    assert assessment_texts.ASK_PERIOD in cuong.text
    cuong.press("Năm 2026")
    text = cuong.text
    assert "Đánh giá, xếp loại năm 2026 của đồng chí Lê Văn Cường" in text
    assert "có mặt 10/12 buổi" in text and "→ Hoàn thành tốt nhiệm vụ" in text
    assert assessment_texts.MINE_SUGGESTION_ONLY in text
    # Typed, in words; a period not begun is refused with a sentence, and /huy leaves.
    cuong.send("/danhgia quý 4 2026")
    assert "quý IV/2026" in cuong.text
    cuong.send("/danhgia 2031")
    assert assessment_texts.BAD_PERIOD in cuong.text
    cuong.send("quý hai")  # typed at the question: still not a period
    assert assessment_texts.BAD_PERIOD in cuong.text
    cuong.send("quy 1 2026")
    assert "quý I/2026" in cuong.text and "có mặt 3/3 buổi" in cuong.text
    cuong.send("/danhgia")
    cuong.send("/huy")
    assert cuong.text == texts.CANCELLED
    cuong.send("/danhgia_quanly 2026")  # a plain member: not a leader's command
    assert cuong.text == texts.FORBIDDEN_LEADER


def test_secretary_adjusts_and_decides(chat: Chat, demo: Database) -> None:
    an = chat("DV001")
    an.send("/danhgia_quanly 2026")
    assert "Chi bộ Văn phòng Sở, năm 2026 (chi bộ đang đánh giá). 0/7" in an.text
    list_payload = an.option("Lê Văn Cường").payload
    an.press("Lê Văn Cường")
    assert "👤 Lê Văn Cường (năm 2026)" in an.text
    an.press("Cộng/trừ")
    an.send("năm điểm")
    assert assessment_texts.BAD_POINTS in an.text
    an.send("+3")
    an.send("Tích cực phong trào")
    assert "Đã ghi +3 điểm cho đồng chí Lê Văn Cường." in an.text
    assert "90 +3 (bí thư điều chỉnh) = 93/100" in an.text
    # A button from the list shown before: stale, nothing happens.
    decide = an.option("Ghi xếp loại").payload
    an.press_payload(list_payload)
    assert an.last.notice == texts.STALE_BUTTON
    an.press_payload(decide)  # the page shown is still the one answered
    an.press("Hoàn thành xuất sắc")
    an.send("5 7")
    an.press("Không ghi chú")
    assert "cần ghi lý do" in an.text  # "xuất sắc" is not the suggestion ("tốt")
    an.send("Chi bộ ghi nhận thành tích nổi bật")
    assert "Đã ghi xếp loại Hoàn thành xuất sắc nhiệm vụ cho đồng chí Lê Văn Cường." in an.text
    assert "Cường: 93 điểm → Tốt | chi bộ: Xuất sắc" in an.text
    an.press("Tải danh sách")
    files = [r.file for r in an.last.replies if r.file is not None]
    assert files and files[0].name == "xep_loai_dang_vien_2026.xlsx"
    an.press("Gửi cấp trên")
    assert "Còn 6 đồng chí chưa được xếp loại" in an.text
    an.send("/huy")
    with demo.session() as session:
        adjustment = session.exec(select(AssessmentAdjustment)).one()
        decision = session.exec(select(AssessmentDecision)).one()
        assert (adjustment.points, adjustment.reason) == (3, "Tích cực phong trào")
        assert (decision.band, decision.votes_for, decision.votes_cast) == ("xuat_sac", 5, 7)
        assert decision.suggested_band == "tot" and decision.suggested_score == 93
        actions = session.exec(select(AuditLog.action)).all()
        assert "assessment.adjusted" in actions and "assessment.decided" in actions


def test_committee_sees_the_distribution(chat: Chat, demo: Database) -> None:
    thao = chat("DV016")
    thao.send("/danhgia_quanly 2026")
    assert "Xếp loại năm 2026, các chi bộ thuộc Đảng bộ Sở Giáo dục và Đào tạo" in thao.text
    assert assessment_texts.DIST_NOTHING_WAITING in thao.text
    thao.press("Xong")
    assert assessment_texts.BYE in thao.text
    # The other cell's secretary opens only their own cell.
    khanh = chat("DV009")
    khanh.send("/danhgia_quanly 2026")
    assert "Chi bộ Phòng Giáo dục Trung học" in khanh.text
    assert "Lê Văn Cường" not in khanh.text
    with demo.session() as session:
        assert session.exec(select(func.count()).select_from(AssessmentDecision)).one() == 0


def test_committee_approves_then_reopens(chat: Chat, demo: Database) -> None:
    from services.assessment import decisions
    from services.assessment.rules import DEFAULT_ASSESSMENT_RULES, Band
    from tests.assessment.support import AFTER_2026, actor, member
    from tests.assessment.test_decisions import YEAR, _decide, _decide_all

    with demo.session() as session:
        _decide_all(session)
        _decide(session, "DV003", Band.GOOD, note="Theo ý kiến chi bộ")
        cell = member(session, "DV001").cell_id
        decisions.submit(
            session,
            actor(session, "DV001"),
            cell,
            YEAR,
            now=AFTER_2026,
            rules=DEFAULT_ASSESSMENT_RULES,
        )
        session.commit()
    an = chat("DV001")  # linked: told of the approval through the outbox
    thao = chat("DV016")
    thao.send("/danhgia_quanly 2026")
    assert "Chi bộ Văn phòng Sở: XS 0, Tốt 1, HT 0, Không HT 6 / 7" in thao.text
    thao.press("Chi bộ Văn phòng Sở")
    approve = thao.option("Duyệt").payload
    thao.press_payload(approve)
    assert "Đã duyệt và khóa kết quả năm 2026 của Chi bộ Văn phòng Sở." in thao.text
    thao.press_payload(approve)  # pressed twice: the old button is stale
    assert thao.last.notice == texts.STALE_BUTTON
    # The member now reads the final band.
    cuong = chat("DV003")
    cuong.send("/danhgia 2026")
    assert "✅ Kết quả: Hoàn thành tốt nhiệm vụ (biểu quyết 6/6 tán thành)" in cuong.text
    with demo.session() as session:
        told = session.exec(select(Delivery).where(Delivery.kind == "assessment_decided")).one()
        assert told.member_id == member(session, "DV001").id
        assert "Cấp trên đã duyệt" in told.payload["text"]
    # The secretary can no longer change it.
    an.send("/danhgia_quanly 2026")
    an.press("Lê Văn Cường")
    assert "Cộng/trừ" not in [o.label for o in an.options()]
    thao.send("/danhgia_quanly 2026")
    thao.press("Chi bộ Văn phòng Sở")
    thao.press("Mở lại")
    thao.send("abc")
    assert "Lý do cần từ 5" in thao.text
    thao.send("Chi bộ xem lại đồng chí Cường")
    assert "Đã mở lại kỳ năm 2026 của Chi bộ Văn phòng Sở." in thao.text
    with demo.session() as session:
        entry = session.exec(select(AuditLog).where(AuditLog.action == "assessment.unlocked")).one()
        assert entry.detail["reason"] == "Chi bộ xem lại đồng chí Cường"
