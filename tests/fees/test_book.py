"""The cell's fee book at the core: each member's state, the totals, the shares kept up the tree
and what is remitted, to the đồng; closing a month (once, by the collector only); the
committees' roll-up agreeing with the books; arrears flags, private to those who collect; the
spreadsheet; the member's to-do. On SQLite and PostgreSQL, months from the fake clock."""

from __future__ import annotations

import io
import threading
import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import (
    AuditLog,
    Database,
    FeeCollector,
    FeeMonthClose,
    FeePayment,
    FeeProfile,
    Member,
    Unit,
)
from services.auth import Actor, load_actor
from services.errors import Forbidden, UserError
from services.fees import book, payments
from services.fees import texts as fee_texts
from services.fees.dues import add_months
from services.fees.ledger import current_month
from services.fees.rules import OPEN_DUES, FeeRules
from services.identities import find_member
from services.vndate import DEFAULT_TZ, format_vn_datetime
from tests.support import FakeClock

RULES = FeeRules(kept_by_level=(Decimal("0.3"), Decimal("0.3")))
OFFICE = "Chi bộ Văn phòng Sở"
BASE = "Đảng bộ Sở Giáo dục và Đào tạo"


def member(session: Session, code: str) -> Member:
    found = find_member(session, code)
    assert found is not None
    return found


def mid(session: Session, code: str) -> int:
    who = member(session, code)
    assert who.id is not None
    return who.id


def actor(session: Session, code: str) -> Actor:
    return load_actor(session, member(session, code))


def cell_of(session: Session, code: str) -> int:
    return member(session, code).cell_id


def basis(session: Session, code: str, since: date, kind: str, **values: Any) -> int:
    member_id = mid(session, code)
    session.add(FeeProfile(member_id=member_id, valid_from=since, basis=kind, **values))
    session.flush()
    return member_id


@pytest.fixture
def office(demo: Database, clock: FakeClock) -> int:
    """The office cell in November 2026, one member of each kind:

    - An (secretary): 1 % of 8,000,000 since September, all three months paid in cash today;
    - Bình: no social insurance, region I (0.3 % × 5,310,000 = 15,930), 50,000 paid of which
      34,070 voluntary;
    - Cường: 1 % of 8,000,000 since September, nothing paid (two months of arrears);
    - Dung: pension 6,000,000 (0.5 % = 30,000) since November, 10,001 paid;
    - Em: student (5,000) since November, a transfer claimed, not yet confirmed;
    - Giang: exempt; Hải: no basis; Hoa: insured salary without the amount.
    """
    now = clock()
    this = current_month(now)
    sept = add_months(this, -2)
    with demo.session() as session:
        secretary = actor(session, "DV001")
        an = basis(session, "DV001", sept, "bhxh", income=8_000_000)
        binh = basis(session, "DV002", this, "khong_bhxh", region=1)
        basis(session, "DV003", sept, "bhxh", income=8_000_000)
        dung = basis(session, "DV004", this, "huu_tri", income=6_000_000)
        basis(session, "DV005", this, "hoc_sinh")
        basis(session, "DV006", this, "mien")
        basis(session, "DV008", this, "bhxh")
        payments.record_cash(session, secretary, an, 240_000, now=now)
        payments.record_cash(
            session, secretary, binh, 50_000, now=now, voluntary=True, confirm_large=True
        )
        payments.record_cash(session, secretary, dung, 10_001, now=now)
        payments.claim(session, actor(session, "DV005"), 5_000, method="transfer", now=now)
        return cell_of(session, "DV001")


def the_book(db: Database, clock: FakeClock, cell: int, month: date | None = None) -> book.CellBook:
    with db.session() as session:
        return book.month_book(
            session,
            actor(session, "DV001"),
            cell,
            month or current_month(clock()),
            now=clock(),
            rules=RULES,
        )


def by_code(cell_book: book.CellBook) -> dict[str, book.BookLine]:
    return {line.code: line for line in cell_book.lines}


def test_each_kind_of_member_has_its_state_and_the_totals_add_up(
    demo: Database, clock: FakeClock, office: int
) -> None:
    this = current_month(clock())
    cell_book = the_book(demo, clock, office)
    lines = by_code(cell_book)
    assert {code: line.state for code, line in lines.items()} == {
        "DV001": "paid",
        "DV002": "paid",
        "DV003": "owed",
        "DV004": "partial",
        "DV005": "claimed",
        "DV006": "exempt",
        "DV007": "no_basis",
        "DV008": "no_basis",
    }
    an, binh, cuong, dung = (lines[c] for c in ("DV001", "DV002", "DV003", "DV004"))
    assert (an.basis, an.base, an.due, an.covered, an.received) == (
        "bhxh",
        8_000_000,
        80_000,
        80_000,
        240_000,
    )
    assert (binh.basis, binh.base, binh.due, binh.covered) == (
        "khong_bhxh",
        5_310_000,
        15_930,
        15_930,
    )
    assert binh.payments[0].extra == 34_070 and "34.070 đ" in binh.note
    assert cuong.arrears == (add_months(this, -2), add_months(this, -1))
    assert "Còn nợ tháng 09/2026, 10/2026" in cuong.note
    assert (dung.due, dung.covered, dung.payments[0].method) == (30_000, 10_001, "cash")
    assert "5.000 đ" in lines["DV005"].note
    assert lines["DV006"].due == 0 and lines["DV007"].basis is None
    assert (
        lines["DV008"].basis == "bhxh" and lines["DV008"].note == fee_texts.BOOK_NOTE_MISSING_INCOME
    )
    # Sorted by given name, as Vietnamese lists are.
    assert [line.name.split()[-1] for line in cell_book.lines] == [
        "An", "Bình", "Cường", "Dung", "Em", "Giang", "Hải", "Hoa",
    ]  # fmt: skip

    assert cell_book.expected == 80_000 + 15_930 + 80_000 + 30_000 + 5_000
    assert cell_book.covered == 80_000 + 15_930 + 10_001
    assert cell_book.received == 240_000 + 50_000 + 10_001
    assert cell_book.voluntary == 34_070
    # 30 % of 300,001 is 90,000.3: the cell keeps 90,000; the base organisation 30 % of the
    # remaining 210,001 (63,000.3 → 63,000); the cell remits all but its own share.
    assert cell_book.shares == (
        book.Share(OFFICE, 90_000, Decimal("0.3")),
        book.Share(BASE, 63_000, Decimal("0.3")),
    )
    assert cell_book.kept == 90_000 and cell_book.remit == 210_001
    assert cell_book.closed is None


def test_shares_round_down_and_send_the_fractions_up() -> None:
    levels = [("cell", Decimal("0.3")), ("base", Decimal("0.3")), ("top", Decimal("0.5"))]
    shares, remit = book.split_shares(101, levels)
    assert [s.amount for s in shares] == [30, 21, 25]
    assert remit == 71 and 30 + 21 + 25 + (71 - 21 - 25) == 101
    assert book.split_shares(0, levels)[1] == 0
    assert book.split_shares(1_000, []) == ((), 1_000)


def test_a_past_month_shows_the_basis_then_in_force(
    demo: Database, clock: FakeClock, office: int
) -> None:
    this = current_month(clock())
    with demo.session() as session:
        basis(session, "DV003", this, "bhxh", income=10_000_000)
    october = by_code(the_book(demo, clock, office, add_months(this, -1)))["DV003"]
    november = by_code(the_book(demo, clock, office))["DV003"]
    assert (october.base, october.due, october.arrears) == (
        8_000_000,
        80_000,
        (add_months(this, -2),),
    )
    assert (november.base, november.due) == (10_000_000, 100_000)
    august = by_code(the_book(demo, clock, office, add_months(this, -3)))
    assert august["DV003"].state == "no_basis" and august["DV001"].due == 0


def test_only_the_collector_or_secretary_gets_the_book(
    demo: Database, clock: FakeClock, office: int
) -> None:
    for code in ("DV002", "DV003", "DV009", "DV016"):  # deputy, member, other cell, committee
        with pytest.raises(Forbidden), demo.session() as session:
            book.month_book(
                session, actor(session, code), office, current_month(clock()), now=clock()
            )
    with demo.session() as session:
        session.add(FeeCollector(cell_id=office, member_id=mid(session, "DV004")))
    with demo.session() as session:
        named = book.month_book(
            session, actor(session, "DV004"), office, current_month(clock()), now=clock()
        )
    assert len(named.lines) == 8


def closes(db: Database) -> tuple[int, int]:
    with db.session() as session:
        rows = len(session.exec(select(FeeMonthClose)).all())
        audited = session.exec(select(AuditLog).where(AuditLog.action == "fees.month_closed")).all()
        return rows, len(audited)


def test_closing_a_month_keeps_its_totals_and_is_audited(
    demo: Database, clock: FakeClock, office: int
) -> None:
    this = current_month(clock())
    with demo.session() as session:
        closed = book.close_month(
            session, actor(session, "DV001"), office, this, now=clock(), rules=RULES
        )
    assert closed.closed is not None and closed.closed_by == "Nguyễn Văn An"
    with demo.session() as session:
        row = session.exec(select(FeeMonthClose)).one()
        assert (row.month, row.expected, row.collected, row.remit) == (
            this,
            210_930,
            300_001,
            210_001,
        )
        assert row.closed_at == clock() and row.closed_by_member_id == mid(session, "DV001")
        entry = session.exec(select(AuditLog).where(AuditLog.action == "fees.month_closed")).one()
        assert entry.detail["remit"] == 210_001 and entry.detail["month"] == this.isoformat()
    again = the_book(demo, clock, office)
    assert again.closed is not None and again.closed_by == "Nguyễn Văn An"


def test_close_refusals_write_nothing(demo: Database, clock: FakeClock, office: int) -> None:
    this = current_month(clock())
    for month, text in (
        (add_months(this, 1), fee_texts.BOOK_MONTH_FUTURE.format(month="12/2026")),
        (
            date(2026, 1, 1),
            fee_texts.BOOK_MONTH_BEFORE_FEES.format(month="01/2026", first="02/2026"),
        ),
    ):
        with pytest.raises(UserError) as refused, demo.session() as session:
            book.close_month(session, actor(session, "DV001"), office, month, now=clock())
        assert refused.value.message == text
    for code in ("DV009", "DV002", "DV003", "DV016"):  # other cell, deputy, member, committee
        with pytest.raises(Forbidden), demo.session() as session:
            book.close_month(session, actor(session, code), office, this, now=clock())
    assert closes(demo) == (0, 0)

    with demo.session() as session:
        book.close_month(session, actor(session, "DV001"), office, this, now=clock())
    closed_at = clock()
    clock.advance(hours=3)
    with pytest.raises(UserError) as twice, demo.session() as session:
        book.close_month(session, actor(session, "DV001"), office, this, now=clock())
    assert twice.value.message == fee_texts.BOOK_ALREADY_CLOSED.format(
        month="11/2026", name="Nguyễn Văn An", when=format_vn_datetime(closed_at, DEFAULT_TZ)
    )
    assert closes(demo) == (1, 1)


def test_a_payment_after_the_close_lands_in_the_next_months_book(
    demo: Database, clock: FakeClock, office: int
) -> None:
    this = current_month(clock())
    with demo.session() as session:
        secretary = actor(session, "DV001")
        book.close_month(session, secretary, office, add_months(this, -1), now=clock())
        cuong = mid(session, "DV003")
        early = payments.record_cash(session, secretary, cuong, 80_000, now=clock())
        assert early.book_month == this  # October closed: November's book takes it
        book.close_month(session, secretary, office, this, now=clock(), rules=RULES)
    november = the_book(demo, clock, office)
    with demo.session() as session:
        late = payments.record_cash(session, actor(session, "DV001"), cuong, 80_000, now=clock())
        assert late.book_month == add_months(this, 1)
    after = the_book(demo, clock, office)
    assert after.received == november.received == 300_001 + 80_000
    assert after.remit == november.remit and after.closed is not None
    # The money cleared Cường's October (the oldest month left): what the month owed is
    # shown as paid, but the close's figures stand.
    assert by_code(after)["DV003"].arrears == ()
    clock.advance(days=10)
    december = the_book(demo, clock, office)
    assert december.month == add_months(this, 1)
    assert by_code(december)["DV003"].received == 80_000
    assert december.received == 80_000 and december.closed is None


def test_two_collectors_closing_at_once_make_one_row_and_one_refusal(
    demo: Database, clock: FakeClock, office: int
) -> None:
    """The second waits on the cell's row (PostgreSQL) or for the write lock (SQLite) while the
    first has closed but not committed; it must then refuse, not fail."""
    this = current_month(clock())
    with demo.session() as session:
        session.add(FeeCollector(cell_id=office, member_id=mid(session, "DV004")))
    waiting = threading.Event()
    marker = "FOR UPDATE" if demo.dialect == "postgresql" else "INSERT INTO fee_month_closes"

    def spy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread().name == "second" and marker in statement:
            waiting.set()

    outcome: dict[str, str] = {}

    def second() -> None:
        try:
            with demo.session() as session:
                book.close_month(session, actor(session, "DV004"), office, this, now=clock())
            outcome["second"] = "closed"
        except UserError as refused:
            outcome["second"] = refused.message

    sa.event.listen(demo.engine, "before_cursor_execute", spy)
    try:
        with demo.session() as session:
            book.close_month(session, actor(session, "DV001"), office, this, now=clock())
            thread = threading.Thread(target=second, name="second")
            thread.start()
            assert waiting.wait(20), "the second close never reached the database"
            time.sleep(0.3)  # it is now blocked behind this transaction
        thread.join(60)
    finally:
        sa.event.remove(demo.engine, "before_cursor_execute", spy)
    assert outcome["second"] == fee_texts.BOOK_ALREADY_CLOSED.format(
        month="11/2026", name="Nguyễn Văn An", when=format_vn_datetime(clock(), DEFAULT_TZ)
    )
    assert closes(demo) == (1, 1)


def cells(session: Session) -> list[int]:
    return [
        u.id
        for u in session.exec(select(Unit).where(col(Unit.kind).like("chi_bo%")))
        if u.id is not None
    ]


@pytest.mark.parametrize("batch", [book.LEDGER_BATCH, 2])
def test_the_committees_figure_is_the_books_totals_to_the_dong(
    demo: Database, clock: FakeClock, office: int, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also when the roll-up loads the ledgers a few members at a time (a large province)."""
    monkeypatch.setattr(book, "LEDGER_BATCH", batch)
    now = clock()
    with demo.session() as session:
        secretary = actor(session, "DV009")
        khanh = basis(
            session, "DV009", add_months(current_month(now), -1), "bhxh", income=9_123_457
        )
        basis(session, "DV010", current_month(now), "huu_tri", income=4_321_001)
        payments.record_cash(session, secretary, khanh, 100_000, now=now)
        schools = cell_of(session, "DV009")
        # Dung moves to the schools' cell after paying in the office: her money stays in the
        # office's book, her dues follow her.
        dung = member(session, "DV004")
        dung.cell_id = schools
        session.add(dung)
    with demo.session() as session:
        books = {
            cell_id: book.month_book(
                session,
                actor(session, "DV001" if cell_id == office else "DV009"),
                cell_id,
                current_month(now),
                now=now,
            )
            for cell_id in (office, schools)
        }
        query = select(Unit.id).where(col(Unit.kind).like("chi_bo%"))
        for cells_q in (query, cells(session)):
            figure = book.cell_dues_figure(session, cells_q, now, DEFAULT_TZ)
            assert figure == {c: (b.covered, b.expected) for c, b in books.items()}
    assert by_code(books[office])["DV004"].state == "moved"
    assert by_code(books[office])["DV004"].received == 10_001
    assert by_code(books[schools])["DV004"].covered == 10_001
    assert books[schools].expected == 91_235 + 21_605 + 30_000  # half-up to the đồng
    assert books[office].received == 300_001


def test_cells_that_have_not_closed_last_month(
    demo: Database, clock: FakeClock, office: int
) -> None:
    now = clock()
    with demo.session() as session:
        assert book.unclosed_last_month(session, cells(session), now, DEFAULT_TZ) == [office]
        last = add_months(current_month(now), -1)
        book.close_month(session, actor(session, "DV001"), office, last, now=now)
        query = select(Unit.id).where(col(Unit.kind).like("chi_bo%"))
        assert book.unclosed_last_month(session, query, now, DEFAULT_TZ) == []


def test_arrears_flag_at_two_months_and_article_8_at_three(
    demo: Database, clock: FakeClock, office: int
) -> None:
    with demo.session() as session:
        assert book.arrears_count(session, cells(session), clock(), DEFAULT_TZ) == {office: 1}
        notes = book.arrears_notes(session, actor(session, "DV001"), office, clock())
    assert notes == [
        "Đồng chí Lê Văn Cường chưa nộp đảng phí 2 tháng: 09/2026, 10/2026. "
        + fee_texts.ARREARS_TALK
    ]
    clock.advance(days=10)  # December: November is late too
    with demo.session() as session:
        counts = book.arrears_count(session, cells(session), clock(), DEFAULT_TZ)
        notes = book.arrears_notes(session, actor(session, "DV001"), office, clock())
    assert counts == {office: 1}  # Dung's one partial month does not flag her
    assert notes == [
        "Đồng chí Lê Văn Cường chưa nộp đảng phí 3 tháng: 09/2026, 10/2026, 11/2026. "
        + fee_texts.ARREARS_REMOVAL.format(months=3)
    ]
    with demo.session() as session:  # paid: no flag any more
        payments.record_cash(
            session,
            actor(session, "DV001"),
            mid(session, "DV003"),
            320_000,
            now=clock(),
            confirm_large=True,  # four months of arrears at once asks first
        )
        assert book.arrears_count(session, cells(session), clock(), DEFAULT_TZ) == {}
        assert book.arrears_notes(session, actor(session, "DV001"), office, clock()) == []


def test_arrears_names_stay_with_those_who_collect(
    demo: Database, clock: FakeClock, office: int
) -> None:
    with demo.session() as session:
        for code in ("DV002", "DV003", "DV009", "DV016"):  # deputy, member, other, committee
            assert book.arrears_notes(session, actor(session, code), office, clock()) == []
        session.add(FeeCollector(cell_id=office, member_id=mid(session, "DV004")))
    with demo.session() as session:
        named = book.arrears_notes(session, actor(session, "DV004"), office, clock())
    assert len(named) == 1 and "Lê Văn Cường" in named[0]


def test_the_book_as_a_spreadsheet(demo: Database, clock: FakeClock, office: int) -> None:
    from openpyxl import load_workbook

    with demo.session() as session:
        giang = member(session, "DV006")
        giang.full_name = '=HYPERLINK("http://x.example","Giang")'
        session.add(giang)
    cell_book = the_book(demo, clock, office)
    data = book.render_book_xlsx(cell_book)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [
        fee_texts.BOOK_XLSX_SHEET_MEMBERS,
        fee_texts.BOOK_XLSX_SHEET_SUMMARY,
    ]
    sheet = workbook[fee_texts.BOOK_XLSX_SHEET_MEMBERS]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == f"Sổ thu đảng phí tháng 11/2026 — {OFFICE}"
    assert tuple(rows[1]) == fee_texts.BOOK_XLSX_HEADERS
    assert len(rows) == 2 + 8 + 1
    an = next(r for r in rows if r[1] == "DV001")
    assert an[2:10] == [
        "Nguyễn Văn An",
        fee_texts.BOOK_BASES["bhxh"],
        8_000_000,
        80_000,
        80_000,
        240_000,
        "26/11/2026",
        "Tiền mặt",
    ]
    cuong = next(r for r in rows if r[1] == "DV003")
    assert cuong[10].startswith("Chưa nộp; Còn nợ tháng 09/2026")
    assert rows[-1][2:8] == [fee_texts.BOOK_XLSX_TOTAL, None, None, 210_930, 105_931, 300_001]
    assert sheet.cell(row=3, column=6).number_format == "#,##0"
    name_cell = next(row[2] for row in sheet.iter_rows() if row[1].value == "DV006")
    assert name_cell.value == "'" + giang.full_name and name_cell.data_type == "s"

    summary = dict(
        (row[0].value, row[1].value)
        for row in workbook[fee_texts.BOOK_XLSX_SHEET_SUMMARY].iter_rows()
    )
    assert summary[fee_texts.BOOK_XLSX_EXPECTED] == 210_930
    assert summary[fee_texts.BOOK_XLSX_RECEIVED] == 300_001
    assert summary[fee_texts.BOOK_XLSX_VOLUNTARY] == 34_070
    assert summary[fee_texts.BOOK_XLSX_KEPT.format(unit=OFFICE, rate="30 %")] == 90_000
    assert summary[fee_texts.BOOK_XLSX_KEPT.format(unit=BASE, rate="30 %")] == 63_000
    assert summary[fee_texts.BOOK_XLSX_REMIT] == 210_001
    assert summary[fee_texts.BOOK_XLSX_CLOSED] == fee_texts.BOOK_XLSX_NOT_CLOSED


def test_the_closed_book_says_when_and_by_whom(
    demo: Database, clock: FakeClock, office: int
) -> None:
    from openpyxl import load_workbook

    with demo.session() as session:
        closed = book.close_month(
            session, actor(session, "DV001"), office, current_month(clock()), now=clock()
        )
    summary = dict(
        (row[0].value, row[1].value)
        for row in load_workbook(io.BytesIO(book.render_book_xlsx(closed)))[
            fee_texts.BOOK_XLSX_SHEET_SUMMARY
        ].iter_rows()
    )
    assert summary[fee_texts.BOOK_XLSX_CLOSED] == fee_texts.BOOK_XLSX_CLOSED_BY.format(
        when=format_vn_datetime(clock(), DEFAULT_TZ), name="Nguyễn Văn An"
    )
    assert summary[fee_texts.BOOK_XLSX_CLOSED_REMIT] == closed.remit
    assert book.book_file_name(closed) == "so_dang_phi_2026-11.xlsx"


def test_the_members_to_do(demo: Database, clock: FakeClock, office: int) -> None:
    now = clock()
    with demo.session() as session:
        cuong = actor(session, "DV003")
        [todo] = book.member_todos(session, cuong, now=now)
        assert todo.title == "Đóng đảng phí tháng 11/2026 và 2 tháng trước: 240.000 đ"
        assert todo.due_on == date(2026, 11, 30)
        assert todo.done == OPEN_DUES(cuong.member_id)
        [dung] = book.member_todos(session, actor(session, "DV004"), now=now)
        assert dung.title == "Đóng đảng phí tháng 11/2026: 19.999 đ"
        for code in ("DV001", "DV005", "DV006", "DV007", "DV008"):  # paid, claimed, exempt, none
            assert book.member_todos(session, actor(session, code), now=now) == []
        waiting = session.exec(select(FeePayment).where(FeePayment.status == "claimed")).one()
        assert waiting.id is not None
        payments.reject_claim(session, actor(session, "DV001"), waiting.id, "Chưa thấy", now=now)
        [em] = book.member_todos(session, actor(session, "DV005"), now=now)
        assert em.title == "Đóng đảng phí tháng 11/2026: 5.000 đ"
