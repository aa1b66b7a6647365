"""`/dangphi_quanly` end to end through the core, in the terminal driver, on SQLite and
PostgreSQL: the cell's collector sets bases and reductions, records cash (one member with
arrears, several at once), decides members' claims, sets the account members pay into, sends
reminders and closes the month (the book as XLSX); and everyone else is refused, forged or
stale buttons change nothing, /huy in the middle writes nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta

import openpyxl
import pytest
from sqlmodel import col, select

from models import (
    AuditLog,
    Database,
    Delivery,
    FeeCollector,
    FeeMonthClose,
    FeePayment,
    FeeProfile,
    FeeReduction,
    FeeUnitSettings,
    Member,
    Unit,
)
from services import texts
from services.auth import load_actor
from services.fees import payments
from services.fees import texts as fee_texts
from services.fees.dues import add_months
from services.fees.ledger import current_month, ledger
from services.identities import find_member
from services.vndate import format_vn_month
from tests.support import ChatDriver, FakeClock, state_of

Chat = Callable[[str], ChatDriver]


@pytest.fixture
def chat(chat_as: Chat) -> Chat:
    """`chat("DV001")`: a linked terminal chat of that member (the app's core: fees are wired)."""
    return chat_as


def member_id(db: Database, code: str) -> int:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None and member.id is not None
        return member.id


def give_basis(
    db: Database, clock: FakeClock, code: str, months_ago: int = 0, income: int = 8_000_000
) -> int:
    """An insured salary from `months_ago` months back: 1 % a month (80,000 đ for 8,000,000)."""
    since = add_months(current_month(clock()), -months_ago)
    with db.session() as session:
        who = find_member(session, code)
        assert who is not None and who.id is not None
        session.add(FeeProfile(member_id=who.id, valid_from=since, basis="bhxh", income=income))
        return who.id


def fee_rows(db: Database) -> tuple[int, int, int, int, int, int]:
    """Everything the fees write: payments, bases, reductions, accounts, closes, audit lines."""
    with db.session() as session:
        return (
            len(session.exec(select(FeePayment)).all()),
            len(session.exec(select(FeeProfile)).all()),
            len(session.exec(select(FeeReduction)).all()),
            len(session.exec(select(FeeUnitSettings)).all()),
            len(session.exec(select(FeeMonthClose)).all()),
            len(
                session.exec(select(AuditLog).where(col(AuditLog.action).startswith("fees."))).all()
            ),
        )


def payments_of(db: Database, code: str) -> list[FeePayment]:
    with db.session() as session:
        return list(
            session.exec(
                select(FeePayment)
                .where(FeePayment.member_id == member_id(db, code))
                .order_by(col(FeePayment.id))
            )
        )


def owed(db: Database, clock: FakeClock, code: str) -> int:
    with db.session() as session:
        return ledger(session, member_id(db, code), now=clock()).owed_total


def delivered(db: Database, code: str, kind: str) -> list[str]:
    with db.session() as session:
        rows = session.exec(
            select(Delivery)
            .where(Delivery.member_id == member_id(db, code))
            .where(Delivery.kind == kind)
            .order_by(col(Delivery.id))
        ).all()
        return [str(row.payload["text"]) for row in rows]


def open_member(secretary: ChatDriver, name: str) -> None:
    secretary.send("/dangphi_quanly")
    secretary.press("Danh sách tháng này")
    secretary.press(name)
    assert name in secretary.text, secretary.text


def set_payee(db: Database, clock: FakeClock) -> None:
    from services.fees.setup import set_payee as service

    with db.session() as session:
        secretary = find_member(session, "DV001")
        assert secretary is not None
        service(
            session,
            load_actor(session, secretary),
            secretary.cell_id,
            bin="970415",
            account="123456789012",
            holder="Chi bo Van phong So",
            personal=False,
            now=clock(),
        )


def this_month(clock: FakeClock) -> date:
    return current_month(clock())


# --- the collector's work --------------------------------------------------------------------


def test_the_secretary_sets_a_basis_then_records_cash_with_arrears(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    secretary = chat("DV001")
    secretary.send("/dangphi_quanly")
    assert "📒 Đảng phí Chi bộ Văn phòng Sở" in secretary.text
    assert "Chưa có diện đảng phí: 8 đồng chí." in secretary.text
    secretary.press("Danh sách tháng này")
    assert "Lê Văn Cường: chưa có diện" in [o.label for o in secretary.options()]

    # The basis: an insured salary, typed badly once, then previewed and saved.
    secretary.press("Lê Văn Cường")
    assert fee_texts.MG_MEMBER_NO_BASIS in secretary.text
    assert "Ghi nhận tiền mặt" not in [o.label for o in secretary.options()]
    secretary.press("Diện đảng phí")
    secretary.press("Có đóng bảo hiểm xã hội")
    secretary.send("tám triệu")
    assert fee_texts.MG_INCOME_FORMAT in secretary.text
    secretary.send("8.000.000")
    assert "Thu nhập: 8.000.000 đ" in secretary.text
    assert "Mức đóng: 80.000 đ (1 % × 8.000.000 đ = 80.000 đ)" in secretary.text
    assert fee_rows(demo)[1] == 0  # a preview writes nothing
    secretary.press("Lưu")
    month = format_vn_month(this_month(clock))
    assert f"Đã lưu diện đảng phí của đồng chí Lê Văn Cường từ tháng {month}" in secretary.text
    assert "Tháng " + month + ": còn 80.000 đ" in secretary.text
    with demo.session() as session:
        profile = session.exec(select(FeeProfile)).one()
        assert (profile.basis, profile.income, profile.valid_from) == (
            "bhxh",
            8_000_000,
            this_month(clock),
        )

    # Another member owes three months: the arrears, then the exact amount offered.
    give_basis(demo, clock, "DV004", months_ago=2)
    chat("DV004")  # linked, so the receipt has a chat to go to
    open_member(secretary, "Phạm Thị Dung")
    assert "Các tháng trước còn nợ:" in secretary.text
    assert "Tổng cần nộp: 240.000 đ" in secretary.text
    secretary.press("Ghi nhận tiền mặt")
    secretary.send("mười nghìn")
    assert fee_texts.MG_AMOUNT_FORMAT in secretary.text
    secretary.send("0 đ")  # ("0" alone opens the menu, as everywhere with options)
    assert fee_texts.AMOUNT_NOT_POSITIVE in secretary.text
    assert payments_of(demo, "DV004") == []
    secretary.press("Đủ 240.000 đ")
    months = ", ".join(format_vn_month(add_months(this_month(clock), -k)) for k in (2, 1, 0))
    assert (
        f"Đã ghi nhận 240.000 đ tiền mặt của đồng chí Phạm Thị Dung, cho tháng: {months}."
        in secretary.text
    )
    assert owed(demo, clock, "DV004") == 0
    assert [(p.amount, p.method, p.status) for p in payments_of(demo, "DV004")] == [
        (240_000, "cash", "confirmed")
    ]
    assert any("Chi bộ đã nhận 240.000 đ" in t for t in delivered(demo, "DV004", "fee_receipt"))

    # More than owed: ahead or voluntary; a large amount is asked once more.
    secretary.press("Ghi nhận tiền mặt")
    assert fee_texts.MG_ASK_CASH_NOTHING_OWED.format(name="Phạm Thị Dung") in secretary.text
    secretary.send("160k")
    secretary.press("Nộp trước các tháng sau")
    ahead = ", ".join(format_vn_month(add_months(this_month(clock), k)) for k in (1, 2))
    assert f"cho tháng: {ahead}" in secretary.text
    secretary.press("Ghi nhận tiền mặt")
    secretary.send("1.000.000")
    secretary.press("Đóng thêm tự nguyện")
    assert "lớn hơn nhiều so với mức đóng một tháng" in secretary.text
    assert len(payments_of(demo, "DV004")) == 2
    secretary.press("Đúng, ghi nhận")
    assert "Trong đó 1.000.000 đ là phần đóng thêm tự nguyện." in secretary.text
    assert [p.extra for p in payments_of(demo, "DV004")] == [0, 0, 1_000_000]

    # A slip corrected: the last payment's amount.
    secretary.press("Sửa số tiền")
    secretary.press("1.000.000 đ")
    secretary.send("100.000")
    assert "Đã sửa số tiền thành 100.000 đ" in secretary.text
    assert payments_of(demo, "DV004")[-1].amount == 100_000


def test_region_override_exemption_and_a_reduction(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    secretary = chat("DV001")
    open_member(secretary, "Vũ Thị Giang")
    secretary.press("Diện đảng phí")
    secretary.press("chưa đến tuổi nghỉ hưu")
    assert "Theo chi bộ (chưa đặt vùng)" in [o.label for o in secretary.options()]
    secretary.press("Vùng I")
    assert "Vùng lương: vùng I" in secretary.text
    assert "Mức đóng: 15.930 đ" in secretary.text  # 0,3 % × 5.310.000 đ
    secretary.press("Lưu")
    with demo.session() as session:
        row = session.exec(select(FeeProfile)).one()
        assert (row.basis, row.region, row.income) == ("khong_bhxh", 1, None)

    open_member(secretary, "Bùi Thị Hoa")
    secretary.press("Diện đảng phí")
    secretary.press("Miễn đóng đảng phí")
    secretary.press("Hộ nghèo, cận nghèo")
    assert "Lý do miễn: hộ nghèo, cận nghèo" in secretary.text
    secretary.press("Lưu")
    assert "Tháng " + format_vn_month(this_month(clock)) + ": không phải nộp." in secretary.text

    # A reduction: 50 % for 3 months, with a reason; then cancelled.
    give_basis(demo, clock, "DV003")
    open_member(secretary, "Lê Văn Cường")
    secretary.press("Giảm đảng phí")
    secretary.press("Giảm 50 %")
    secretary.press("3 tháng")
    secretary.send("Ốm dài ngày")
    until = format_vn_month(add_months(this_month(clock), 2))
    start = format_vn_month(this_month(clock))
    assert f"được giảm 50 % đảng phí từ tháng {start} đến hết tháng {until}" in secretary.text
    assert "giảm 50 % (Ốm dài ngày) còn 40.000 đ" in secretary.text
    secretary.press("Giảm đảng phí")
    assert "Đang giảm 50 % đến hết tháng" in secretary.text
    secretary.press("Giảm 30 %")
    secretary.press("1 tháng")
    secretary.send("Khó khăn")
    assert "đang được giảm đảng phí đến hết tháng" in secretary.text  # one at a time
    secretary.press("Hủy mức giảm 50 %")
    assert "Đã hủy mức giảm đảng phí của đồng chí Lê Văn Cường" in secretary.text
    with demo.session() as session:
        assert len(session.exec(select(FeeReduction)).all()) == 1
    assert owed(demo, clock, "DV003") == 80_000


def test_several_members_pay_cash_at_once_and_a_double_press_records_nothing_twice(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    for code in ("DV003", "DV004", "DV006"):
        give_basis(demo, clock, code, months_ago=1)
    secretary = chat("DV001")
    secretary.send("/dangphi_quanly")
    secretary.press("Thu tiền mặt nhiều người")
    labels = [o.label for o in secretary.options()]
    assert labels[:3] == [
        "Lê Văn Cường – 160.000 đ",
        "Phạm Thị Dung – 160.000 đ",
        "Vũ Thị Giang – 160.000 đ",
    ]
    secretary.send("1 5")
    assert fee_texts.MG_MANY_FORMAT.format(count=3) in secretary.text
    secretary.send("1 3")
    assert "Lê Văn Cường: 160.000 đ" in secretary.text
    assert "Vũ Thị Giang: 160.000 đ" in secretary.text
    assert "Phạm Thị Dung" not in secretary.text
    assert "Tổng cộng: 320.000 đ" in secretary.text
    assert fee_rows(demo)[0] == 0
    confirm = secretary.option("Ghi nhận đã thu").payload
    secretary.press_payload(confirm)
    assert "Đã ghi nhận tiền mặt của 2 đồng chí, tổng 320.000 đ" in secretary.text
    again = secretary.press_payload(confirm)  # the same button once more
    assert again.notice == texts.STALE_BUTTON
    assert fee_rows(demo)[0] == 2

    # "Tất cả": the one still owing; meanwhile another hand records her cash: left out, why.
    secretary.send("/dangphi_quanly")
    secretary.press("Thu tiền mặt nhiều người")
    secretary.press("Tất cả")
    assert "Phạm Thị Dung: 160.000 đ" in secretary.text
    with demo.session() as session:
        secretary_actor = load_actor(session, session.get(Member, member_id(demo, "DV001")))
        payments.record_cash(
            session, secretary_actor, member_id(demo, "DV004"), 160_000, now=clock()
        )
    secretary.press("Ghi nhận đã thu")
    assert "Không ghi nhận:\n• Phạm Thị Dung: đã nộp đủ" in secretary.text
    assert len(payments_of(demo, "DV004")) == 1
    secretary.press("Thu tiền mặt nhiều người")
    assert fee_texts.NOBODY_OWES in secretary.text


def test_claims_are_confirmed_or_rejected_with_a_reason(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    set_payee(demo, clock)
    give_basis(demo, clock, "DV003")
    give_basis(demo, clock, "DV004")
    for code in ("DV003", "DV004"):
        member = chat(code)
        member.send("/dangphi")
        member.press("Chuyển khoản")
        member.press("Tôi đã nộp")
        assert "Đã báo người thu đảng phí khoản 80.000 đ" in member.text

    secretary = chat("DV001")
    secretary.send("/dangphi_quanly")
    assert "⏳ Chờ xác nhận: 2" in secretary.text
    secretary.press("Chờ xác nhận (2)")
    assert [o.label for o in secretary.options()][:2] == [
        f"Lê Văn Cường: 80.000 đ, {clock():%d/%m/%Y}, chuyển khoản",
        f"Phạm Thị Dung: 80.000 đ, {clock():%d/%m/%Y}, chuyển khoản",
    ]
    secretary.press("Lê Văn Cường")
    assert "Đồng chí Lê Văn Cường (DV003) báo đã nộp 80.000 đ" in secretary.text
    secretary.press("Xác nhận")
    assert fee_texts.CONFIRM_DONE.format(amount="80.000 đ") in secretary.text
    assert [p.status for p in payments_of(demo, "DV003")] == ["confirmed"]
    assert any("đã được xác nhận" in t for t in delivered(demo, "DV003", "fee_receipt"))

    secretary.press("Phạm Thị Dung")
    secretary.press("Không đúng")
    secretary.send("Chưa thấy tiền về tài khoản chi bộ")
    assert fee_texts.REJECT_DONE in secretary.text
    assert fee_texts.MG_NO_CLAIMS in secretary.text
    rejected = payments_of(demo, "DV004")[0]
    assert (rejected.status, rejected.reject_reason) == (
        "rejected",
        "Chưa thấy tiền về tài khoản chi bộ",
    )
    assert any(
        "Lý do: Chưa thấy tiền về tài khoản chi bộ" in t
        for t in delivered(demo, "DV004", "fee_receipt")
    )


def test_the_account_members_pay_into(demo: Database, clock: FakeClock, chat: Chat) -> None:
    secretary = chat("DV001")
    secretary.send("/dangphi_quanly")
    secretary.press("Tài khoản nhận tiền")
    assert fee_texts.MG_PAYEE_NONE in secretary.text
    secretary.press("Đặt tài khoản")
    secretary.send("ngân hàng không có")
    assert "Không tìm thấy ngân hàng nào" in secretary.text
    secretary.send("vietin")
    secretary.press("VietinBank")
    secretary.send("12ab34567")
    assert fee_texts.PAYEE_ACCOUNT_INVALID in secretary.text
    secretary.send("1234 5678 9012")
    secretary.send("Nguyễn Văn An")
    secretary.press("Tài khoản cá nhân của tôi")
    preview = secretary.text
    assert "VietinBank" in preview and "Công thương" in preview
    assert "Số tài khoản: 123456789012" in preview
    assert "Chủ tài khoản: NGUYEN VAN AN" in preview
    assert fee_texts.MG_PAYEE_PERSONAL in preview
    assert fee_rows(demo)[3] == 0
    secretary.press("Lưu")
    assert fee_texts.MG_PAYEE_SAVED in secretary.text
    with demo.session() as session:
        row = session.exec(select(FeeUnitSettings)).one()
        assert (row.bank_bin, row.account_number, row.account_holder) == (
            "970415",
            "123456789012",
            "NGUYEN VAN AN",
        )
        assert row.payee_member_id == member_id(demo, "DV001")
    secretary.press("Bỏ tài khoản")
    secretary.press("Bỏ tài khoản")
    assert fee_texts.MG_PAYEE_CLEARED in secretary.text
    with demo.session() as session:
        assert session.exec(select(FeeUnitSettings)).one().account_number is None

    # The base organisation's account, inherited: shown with where it comes from; the cell
    # cannot remove it (a committee's action).
    with demo.session() as session:
        secretary_member = find_member(session, "DV001")
        assert secretary_member is not None
        cell = session.get(Unit, secretary_member.cell_id)
        assert cell is not None and cell.parent_id is not None
        parent = session.get(Unit, cell.parent_id)
        assert parent is not None
        session.add(
            FeeUnitSettings(
                unit_id=cell.parent_id,
                bank_bin="970418",
                account_number="9988776655",
                account_holder="DANG UY CO SO",
            )
        )
        parent_name = parent.name
    secretary.send("/dangphi_quanly")
    secretary.press("Tài khoản nhận tiền")
    assert "Số tài khoản: 9988776655" in secretary.text
    assert fee_texts.MG_PAYEE_INHERITED.format(unit=parent_name) in secretary.text
    assert "Bỏ tài khoản" not in [o.label for o in secretary.options()]


def test_closing_last_month_sends_the_book_as_xlsx(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    give_basis(demo, clock, "DV003", months_ago=1)
    last = add_months(this_month(clock), -1)
    secretary = chat("DV001")
    # Cash received last month (the clock a month back), then the month closed now.
    with demo.session() as session:
        actor = load_actor(session, session.get(Member, member_id(demo, "DV001")))
        payments.record_cash(
            session,
            actor,
            member_id(demo, "DV003"),
            80_000,
            now=clock() - timedelta(days=30),
        )
    secretary.send("/dangphi_quanly")
    secretary.press("Chốt sổ tháng")
    secretary.press(f"Tháng {format_vn_month(last)}")
    preview = secretary.text
    assert "Phải thu: 80.000 đ" in preview and "Tiền nhận trong tháng: 80.000 đ" in preview
    assert "Nộp lên cấp trên:" in preview
    assert fee_rows(demo)[4] == 0
    secretary.press("Chốt sổ")
    reply = next(r for r in secretary.last.replies if r.file is not None)
    assert f"Đã chốt sổ tháng {format_vn_month(last)}" in reply.text
    assert reply.file is not None and reply.file.kind == "document"
    assert reply.file.name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(reply.file.data))
    cells = [str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row if v]
    assert "Lê Văn Cường" in cells and "DV003" in cells
    with demo.session() as session:
        closed = session.exec(select(FeeMonthClose)).one()
        assert (closed.month, closed.expected, closed.collected) == (last, 80_000, 80_000)
    secretary.press("Chốt sổ tháng")
    secretary.press(f"Tháng {format_vn_month(last)}")
    secretary.press("Chốt sổ")
    assert f"Sổ đảng phí tháng {format_vn_month(last)} đã được đồng chí" in secretary.text
    assert fee_rows(demo)[4] == 1


def test_reminders_at_most_every_three_days(demo: Database, clock: FakeClock, chat: Chat) -> None:
    give_basis(demo, clock, "DV003", months_ago=1)
    chat("DV003")  # linked: the reminder has a chat to go to
    secretary = chat("DV001")
    secretary.send("/dangphi_quanly")
    secretary.press("Nhắc nộp")
    assert "Gửi tin nhắc tới 1 đồng chí còn nợ đảng phí (tổng 160.000 đ)?" in secretary.text
    assert delivered(demo, "DV003", "fee_reminder") == []
    secretary.press("Gửi nhắc")
    assert fee_texts.MG_REMIND_DONE.format(count=1) in secretary.text
    assert len(delivered(demo, "DV003", "fee_reminder")) == 1
    clock.advance(days=2)
    secretary.send("/dangphi_quanly")
    secretary.press("Nhắc nộp")
    secretary.press("Gửi nhắc")
    assert "Chi bộ đã nhắc lúc" in secretary.text and "Có thể nhắc lại từ" in secretary.text
    assert len(delivered(demo, "DV003", "fee_reminder")) == 1


# --- who may, and untrusted input ----------------------------------------------------------------


def test_only_the_secretary_or_the_named_collector(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    give_basis(demo, clock, "DV003")
    for code in ("DV003", "DV002"):  # an ordinary member; a deputy not named collector
        refused = chat(code)
        refused.send("/dangphi_quanly")
        assert refused.text == fee_texts.FORBIDDEN_COLLECTOR

    secretary = chat("DV001")
    secretary.send("/dangphi_quanly")
    secretary.press("Người thu")
    assert fee_texts.MG_COLLECTOR_NONE in secretary.text
    secretary.press("Trần Thị Bình")
    assert "Đã giao đồng chí Trần Thị Bình thu đảng phí" in secretary.text
    with demo.session() as session:
        assert session.exec(select(FeeCollector)).one().member_id == member_id(demo, "DV002")

    deputy = chat("DV002")
    deputy.send("/dangphi")  # the member's page hands over to the collector's menu
    deputy.press("Quản lý thu đảng phí")
    assert "📒 Đảng phí Chi bộ Văn phòng Sở" in deputy.text
    deputy.send("/dangphi_quanly")
    assert "📒 Đảng phí Chi bộ Văn phòng Sở" in deputy.text
    assert "Người thu" not in [o.label for o in deputy.options()]
    deputy.press("Danh sách tháng này")
    deputy.press("Lê Văn Cường")
    deputy.press("Ghi nhận tiền mặt")
    deputy.press("Đủ 80.000 đ")
    assert len(payments_of(demo, "DV003")) == 1

    # The secretary takes it back: the collector's open menu stops at the next step.
    secretary.send("/dangphi_quanly")
    secretary.press("Người thu")
    secretary.press("Bỏ người thu")
    assert fee_texts.MG_COLLECTOR_REMOVED in secretary.text
    deputy.press("Diện đảng phí")
    assert deputy.text == fee_texts.FORBIDDEN_COLLECTOR
    deputy.send("/dangphi_quanly")
    assert deputy.text == fee_texts.FORBIDDEN_COLLECTOR

    # Another cell's secretary never sees this cell's members.
    other = chat("DV009")
    other.send("/dangphi_quanly")
    assert "Chi bộ Phòng Giáo dục Trung học" in other.text
    other.press("Danh sách tháng này")
    labels = " ".join(o.label for o in other.options())
    assert "Lê Văn Cường" not in labels and "Hồ Thị Lan" in labels


def test_forged_or_stale_buttons_change_nothing(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    give_basis(demo, clock, "DV003")
    give_basis(demo, clock, "DV004")
    secretary = chat("DV001")
    secretary.send("/dangphi_quanly")
    secretary.press("Danh sách tháng này")
    nonce = state_of(demo, secretary).nonce
    stale = secretary.option("Lê Văn Cường").payload
    # A key that was never offered (another cell's member), and an old prompt's button.
    forged = secretary.press_payload(f"{nonce}:m{member_id(demo, 'DV010')}")
    assert forged.notice == texts.STALE_BUTTON and not forged.replies
    secretary.press_payload(stale)
    assert "👤 Lê Văn Cường (DV003)" in secretary.text
    assert secretary.press_payload(stale).notice == texts.STALE_BUTTON
    secretary.send("/dangphi_quanly")
    secretary.press("Danh sách tháng này")
    secretary.press("Lê Văn Cường")

    # A member who moved cell after the list was shown: said, and nothing is written.
    secretary.press("Về danh sách")
    with demo.session() as session:
        moved = session.get(Member, member_id(demo, "DV004"))
        assert moved is not None
        elsewhere = session.get(Member, member_id(demo, "DV010"))
        assert elsewhere is not None
        moved.cell_id = elsewhere.cell_id
        session.add(moved)
    secretary.press("Phạm Thị Dung")
    assert fee_texts.MEMBER_NOT_IN_CELL in secretary.text

    # A claim decided by the other collector meanwhile.
    set_payee(demo, clock)
    member = chat("DV003")
    member.send("/dangphi")
    member.press("Chuyển khoản")
    member.press("Tôi đã nộp")
    secretary.send("/dangphi_quanly")
    secretary.press("Chờ xác nhận (1)")
    secretary.press("Lê Văn Cường")
    claim = payments_of(demo, "DV003")[0]
    assert claim.id is not None
    with demo.session() as session:
        actor = load_actor(session, session.get(Member, member_id(demo, "DV001")))
        payments.reject_claim(session, actor, claim.id, "Trùng", now=clock())
    before = fee_rows(demo)
    secretary.press("Xác nhận")
    assert fee_texts.CLAIM_DECIDED in secretary.text
    assert fee_rows(demo) == before
    assert [p.status for p in payments_of(demo, "DV003")] == ["rejected"]


def test_cancelling_in_the_middle_writes_nothing(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    give_basis(demo, clock, "DV003")
    before = fee_rows(demo)
    secretary = chat("DV001")
    open_member(secretary, "Lê Văn Cường")
    secretary.press("Ghi nhận tiền mặt")
    secretary.send("500000")
    assert "Phần dư tính thế nào?" in secretary.text
    secretary.send("/huy")
    secretary.send("/dangphi_quanly")
    secretary.press("Tài khoản nhận tiền")
    secretary.press("Đặt tài khoản")
    secretary.send("BIDV")
    secretary.press("BIDV")
    secretary.send("1234567890")
    secretary.send("Nguyen Van An")
    secretary.press("Tài khoản của chi bộ")
    assert "Chủ tài khoản: NGUYEN VAN AN" in secretary.text
    secretary.send("/huy")
    open_member(secretary, "Lê Văn Cường")
    secretary.press("Diện đảng phí")
    secretary.press("Hưởng lương hưu")
    secretary.send("5.000.000")
    secretary.send("/huy")
    assert fee_rows(demo) == before
    assert state_of(demo, secretary).flow is None
