"""The yearly pledge on SQLite and PostgreSQL: written in the chat one commitment at a time,
the limits (length, a sixth commitment), /huy, editing until approved and refused after, the
secretary's approval and return, the refusals (another cell's secretary, forged and stale
buttons, someone else's pledge), the self-review and its confirmation, the committees' view."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from models import Database, StudyPledge, StudyPledgeReview
from services import texts
from services.errors import Forbidden, UserError
from services.study import pledges
from services.study import texts as study_texts
from services.study.rules import APPROVED, END, RETURNED, SUBMITTED
from tests.study.conftest import (
    Chat,
    actor,
    cell_of,
    deliveries,
    member_id,
    outside_committee,
)
from tests.support import ChatDriver, FakeClock, state_of

ONE = "Mỗi tuần dành một buổi giúp đỡ học sinh khó khăn."
TWO = "Tiết kiệm điện, nước và văn phòng phẩm ở cơ quan."


def pledge_of(db: Database, code: str) -> StudyPledge | None:
    with db.session() as session:
        return session.exec(
            select(StudyPledge).where(StudyPledge.member_id == member_id(db, code))
        ).first()


def submit(db: Database, clock: FakeClock, code: str, items: list[str]) -> StudyPledge:
    with db.session() as session:
        return pledges.submit_pledge(session, actor(db, code), items, now=clock())


def approve(db: Database, clock: FakeClock, pledge_id: int, code: str = "DV001") -> None:
    with db.session() as session:
        pledges.approve_pledge(session, actor(db, code), pledge_id, now=clock())


def write_two(member: ChatDriver) -> None:
    member.send("/lamtheo")
    assert "Việc thứ 1" in member.text
    member.send(ONE)
    assert member.option("Thêm việc")
    member.send(TWO)  # typed at the "more?" menu: the next commitment
    assert f"1. {ONE}\n2. {TWO}" in member.text


def test_a_member_pledges_in_the_chat_and_the_secretary_approves(
    chat: Chat, demo: Database
) -> None:
    member = chat("DV003")
    write_two(member)
    member.press("Gửi")
    assert "Đã gửi bản đăng ký làm theo năm 2026" in member.text
    pledge = pledge_of(demo, "DV003")
    assert pledge is not None
    assert (pledge.status, pledge.commitments, pledge.year) == (SUBMITTED, [ONE, TWO], 2026)

    secretary = chat("DV001")
    secretary.send("/hoctap_duyet")
    assert "Có 1 bản đăng ký" in secretary.text
    secretary.press("Lê Văn Cường")
    assert ONE in secretary.text
    secretary.press("Duyệt")
    assert "Đã duyệt bản đăng ký của đồng chí Lê Văn Cường" in secretary.text
    assert "Không có bản đăng ký" in secretary.text
    pledge = pledge_of(demo, "DV003")
    assert pledge is not None and pledge.status == APPROVED
    [notice] = deliveries(demo, "study_pledge_decision")
    assert "đã duyệt" in notice.payload["text"]

    member.send("/lamtheo")
    assert "đã được duyệt" in member.text
    assert all("Sửa" not in o.label for o in member.options())


def test_a_sixth_commitment_and_a_too_long_one_are_refused(chat: Chat, demo: Database) -> None:
    member = chat("DV003")
    member.send("/lamtheo")
    member.send("x" * 201)
    assert "dài 201 ký tự, quá 200" in member.text
    member.send("ngắn")
    assert "ít nhất 10 ký tự" in member.text
    for n in range(1, 6):
        member.send(f"Việc cụ thể số {n} của tôi trong năm.")
    assert "Đã đủ 5 việc" in member.text
    member.send("Việc thứ sáu không được nhận.")
    assert study_texts.COMMITMENTS_TOO_MANY.format(limit=5) in member.text
    member.press("Gửi")
    pledge = pledge_of(demo, "DV003")
    assert pledge is not None and len(pledge.commitments) == 5
    assert "thứ sáu" not in " ".join(pledge.commitments)


def test_the_rules_refuse_at_the_core_before_writing(demo: Database, clock: FakeClock) -> None:
    with pytest.raises(UserError, match="tối đa 5"):
        submit(demo, clock, "DV003", [f"Việc cụ thể số {n} trong năm" for n in range(6)])
    with pytest.raises(UserError, match="ít nhất 1"):
        submit(demo, clock, "DV003", [])
    with pytest.raises(UserError, match="quá 200"):
        submit(demo, clock, "DV003", [ONE, "y" * 201])
    assert pledge_of(demo, "DV003") is None


def test_huy_leaves_the_pledge_unwritten(chat: Chat, demo: Database) -> None:
    member = chat("DV003")
    write_two(member)
    member.send("/huy")
    assert state_of(demo, member).flow is None
    assert pledge_of(demo, "DV003") is None


def test_editing_until_approved_then_refused(chat: Chat, demo: Database, clock: FakeClock) -> None:
    first = submit(demo, clock, "DV003", [ONE])
    member = chat("DV003")
    member.send("/lamtheo")
    assert "đang chờ chi bộ duyệt" in member.text
    member.press("Sửa bản đăng ký")
    member.send(TWO)
    member.press("Gửi")
    pledge = pledge_of(demo, "DV003")
    assert pledge is not None and pledge.id == first.id and pledge.commitments == [TWO]
    assert first.id is not None
    approve(demo, clock, first.id)
    with pytest.raises(UserError, match="đã được chi bộ duyệt"):
        submit(demo, clock, "DV003", [ONE])
    pledge = pledge_of(demo, "DV003")
    assert pledge is not None and pledge.commitments == [TWO]


def test_a_returned_pledge_carries_the_note_and_is_rewritten(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    member = chat("DV003")  # linked: the note reaches them
    submit(demo, clock, "DV003", [ONE])
    secretary = chat("DV001")
    secretary.send("/hoctap_duyet")
    secretary.press("Lê Văn Cường")
    secretary.press("Trả lại")
    secretary.send("ok")
    assert study_texts.NOTE_TOO_SHORT in secretary.text
    secretary.send("Đồng chí ghi cụ thể số buổi và thời gian.")
    assert "Đã trả lại bản đăng ký" in secretary.text
    pledge = pledge_of(demo, "DV003")
    assert pledge is not None and pledge.status == RETURNED
    [notice] = deliveries(demo, "study_pledge_decision")
    assert "ghi cụ thể số buổi" in notice.payload["text"]
    member.send("/lamtheo")
    assert "Góp ý của chi bộ: Đồng chí ghi cụ thể số buổi" in member.text
    member.press("Sửa bản đăng ký")
    member.send(ONE + " Mỗi thứ Bảy, cả năm.")
    member.press("Gửi")
    pledge = pledge_of(demo, "DV003")
    assert pledge is not None and pledge.status == SUBMITTED and pledge.return_note is None


def test_other_secretaries_forged_and_stale_buttons_change_nothing(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    pledge = submit(demo, clock, "DV003", [ONE])
    assert pledge.id is not None
    with demo.session() as session, pytest.raises(Forbidden):
        pledges.approve_pledge(session, actor(demo, "DV009"), pledge.id, now=clock())
    outsider = outside_committee(demo, clock)
    with demo.session() as session, pytest.raises(Forbidden):
        pledges.return_pledge(session, outsider, pledge.id, "Không hợp lệ", now=clock())
    with demo.session() as session, pytest.raises(Forbidden):
        pledges.waiting_pledges(session, actor(demo, "DV009"), cell_of(demo, "DV001"), 2026)
    with demo.session() as session, pytest.raises(UserError):
        pledges.pledge_to_decide(session, actor(demo, "DV001"), 99999)

    secretary = chat("DV001")
    secretary.send("/hoctap_duyet")
    stale = secretary.option("Lê Văn Cường").payload
    secretary.press_payload("abcdef:ok")  # a forged nonce
    assert texts.STALE_BUTTON in (secretary.last.notice or secretary.text)
    secretary.press_payload(stale)  # still the current prompt: it works
    approve_button = secretary.option("Duyệt").payload
    secretary.press_payload(stale)  # the list's button, from an earlier prompt
    assert texts.STALE_BUTTON in (secretary.last.notice or secretary.text)
    pledge_now = pledge_of(demo, "DV003")
    assert pledge_now is not None and pledge_now.status == SUBMITTED
    secretary.press_payload(approve_button)
    pledge_now = pledge_of(demo, "DV003")
    assert pledge_now is not None and pledge_now.status == APPROVED
    # The other cell's secretary sees none of it in the chat either.
    other = chat("DV009")
    other.send("/hoctap_duyet")
    assert "Không có bản đăng ký" in other.text
    # Decided already: a second decision is refused.
    with demo.session() as session, pytest.raises(UserError, match="đã được xử lý"):
        pledges.approve_pledge(session, actor(demo, "DV002"), pledge.id, now=clock())
    # A plain member cannot open the secretary's list.
    member = chat("DV003")
    member.send("/hoctap_duyet")
    assert pledge_of(demo, "DV003") is not None
    assert "Lê Văn Cường" not in member.text


def test_the_year_end_self_review_and_its_confirmation(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    pledge = submit(demo, clock, "DV003", [ONE, TWO])
    assert pledge.id is not None
    approve(demo, clock, pledge.id)
    member = chat("DV003")
    member.send("/lamtheo")
    member.press("Tự đánh giá cuối năm")
    assert f"Việc 1/2: {ONE}" in member.text
    member.press("Đã làm")
    member.send("Giúp 3 em học sinh cả năm.")
    member.press("Làm một phần")
    member.send("")
    member.send("ok")
    assert study_texts.EVIDENCE_TOO_SHORT in member.text
    member.send("Giảm 10% tiền điện phòng.")
    assert "→ Làm một phần: Giảm 10% tiền điện phòng." in member.text
    member.press("Gửi")
    assert "Đã gửi tự đánh giá cuối năm" in member.text
    with demo.session() as session:
        [review] = session.exec(select(StudyPledgeReview)).all()
        assert review.period == END
        assert [r["rating"] for r in review.ratings] == ["done", "partly"]
        assert review.confirmed_at is None

    secretary = chat("DV001")
    secretary.send("/hoctap_xacnhan")
    secretary.press("Lê Văn Cường (cuối năm)")
    assert "Giúp 3 em học sinh" in secretary.text
    secretary.press("Xác nhận")
    assert study_texts.CONFIRMED in secretary.text
    with demo.session() as session:
        [review] = session.exec(select(StudyPledgeReview)).all()
        assert review.confirmed_at == clock()
        assert review.confirmed_by_member_id == member_id(demo, "DV001")
    with demo.session() as session, pytest.raises(UserError, match="đã được chi bộ xác nhận"):
        pledges.submit_review(
            session, actor(demo, "DV003"), [("done", "Lần nữa"), ("done", "Lần nữa")], now=clock()
        )


def test_a_review_needs_an_open_period_and_an_approved_pledge(
    demo: Database, clock: FakeClock
) -> None:
    pledge = submit(demo, clock, "DV003", [ONE])
    assert pledge.id is not None
    with demo.session() as session, pytest.raises(UserError, match="chưa được duyệt"):
        pledges.submit_review(session, actor(demo, "DV003"), [("done", "Đã làm")], now=clock())
    approve(demo, clock, pledge.id)
    with demo.session() as session, pytest.raises(UserError, match="đủ từng việc"):
        pledges.submit_review(session, actor(demo, "DV003"), [], now=clock())
    with demo.session() as session, pytest.raises(UserError):
        pledges.submit_review(session, actor(demo, "DV003"), [("great", "x y z")], now=clock())
    with demo.session() as session:
        pledges.submit_review(session, actor(demo, "DV003"), [("done", "Đã làm")], now=clock())
    with demo.session() as session, pytest.raises(Forbidden):
        review = session.exec(select(StudyPledgeReview)).one()
        assert review.id is not None
        pledges.confirm_review(session, actor(demo, "DV009"), review.id, now=clock())
    april = datetime(2027, 4, 10, 3, 0, tzinfo=UTC)  # next year, before mid-year
    with demo.session() as session, pytest.raises(UserError, match="Chưa đến đợt"):
        pledges.reviewable_pledge(session, actor(demo, "DV003"), now=april)


def test_committees_see_per_cell_shares_and_the_weekly_figure(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    approved = submit(demo, clock, "DV003", [ONE])
    assert approved.id is not None
    approve(demo, clock, approved.id)
    submit(demo, clock, "DV004", [ONE])
    submit(demo, clock, "DV010", [TWO])
    committee = chat("DV016")
    committee.send("/hoctap_tinhhinh")
    # The office has 8 members, one exempt (miễn sinh hoạt): 7 asked to pledge.
    assert "• Chi bộ Văn phòng Sở: 2 / 1 / 7" in committee.text
    assert "• Chi bộ Phòng Giáo dục Trung học: 1 / 0 / 8" in committee.text
    assert "Cộng: 3 / 1 / 15" in committee.text
    secretary = chat("DV009")
    secretary.send("/hoctap_tinhhinh")
    assert "Phòng Giáo dục Trung học" in secretary.text
    assert "Văn phòng Sở" not in secretary.text
    outsider_actor = outside_committee(demo, clock)
    assert outsider_actor.committee_unit_ids
    outsider = chat("DV013")
    outsider.send("/hoctap_tinhhinh")
    assert "Chi bộ Phòng Kế toán: 0 / 0 / 0" in outsider.text
    assert "Văn phòng Sở" not in outsider.text
    with demo.session() as session:
        office, schools = cell_of(demo, "DV001"), cell_of(demo, "DV009")
        figure = pledges.pledged_figure(session, [office, schools], clock(), UTC)
    assert figure == {office: (2, 7), schools: (1, 8)}
