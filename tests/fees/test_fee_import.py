"""The fees' columns in `sotay import` (`IMPORT_FEE_COLUMNS`): recognised under their Vietnamese
headers, checked with every other row (all or nothing, "Dòng n:"), and written as a basis from
the current month on, keeping history; a re-import of the same file changes nothing. On SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select

from models import AuditLog, Database, FeeProfile, Member
from services.auth import load_actor
from services.fees import setup
from services.fees.dues import Basis, Region, add_months
from services.fees.importing import IMPORT_FEE_COLUMNS, check, parse_amount
from services.fees.ledger import current_month
from services.identities import find_member
from services.importer import ImportFailed, ImportReport, import_file
from tests.support import FakeClock
from tests.test_import import HEADER, base_rows, write_csv, write_xlsx

FEE_HEADER = [*HEADER, "Diện đảng phí", "Thu nhập đảng phí", "Ngày sinh"]
CODES = "bhxh, tro_cap, huu_tri, khong_bhxh, khong_bhxh_cao_tuoi, hoc_sinh, mien"


def fee_rows(fees: dict[str, list[object]]) -> list[list[object]]:
    """The importer's sample rows with the fee columns, blank unless `fees` gives them."""
    return [[*row, *fees.get(str(row[0]), ["", "", ""])] for row in base_rows()]


FEES: dict[str, list[object]] = {
    "YT01": ["bhxh", "8.000.000", "19/05/1975"],
    "YT02": ["Lương hưu", "6,000,000", ""],
    "YT03": ["khong_bhxh", "", "1990-01-31"],
    "YT04": ["Sinh viên", "", ""],
}


def run(db: Database, path: Path, clock: FakeClock) -> ImportReport:
    with db.session() as session:
        return import_file(session, path, now=clock(), columns=[IMPORT_FEE_COLUMNS])


def profiles(db: Database) -> dict[str, list[tuple[date, str, int | None, date | None, str]]]:
    """Every member's profile rows by code, oldest first."""
    with db.session() as session:
        found: dict[str, list[tuple[date, str, int | None, date | None, str]]] = {}
        for row, code in session.exec(
            select(FeeProfile, Member.code)
            .join(Member, col(Member.id) == col(FeeProfile.member_id))
            .order_by(col(Member.code), col(FeeProfile.valid_from))
        ):
            found.setdefault(code, []).append(
                (row.valid_from, row.basis, row.income, row.birth_date, row.source)
            )
        return found


def imported_entries(db: Database) -> int:
    with db.session() as session:
        query = select(AuditLog).where(AuditLog.action == "fees.profile_imported")
        return len(session.exec(query).all())


def test_the_vietnamese_headers_are_read_and_bases_written_from_this_month(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    month = current_month(clock())
    path = write_csv(tmp_path / "ds.csv", fee_rows(FEES), header=FEE_HEADER)
    report = run(db, path, clock)
    assert report.extra == (("Đảng phí", 4),)
    assert profiles(db) == {
        "YT01": [(month, "bhxh", 8_000_000, date(1975, 5, 19), "import")],
        "YT02": [(month, "huu_tri", 6_000_000, None, "import")],
        "YT03": [(month, "khong_bhxh", None, date(1990, 1, 31), "import")],
        "YT04": [(month, "hoc_sinh", None, None, "import")],
    }
    with db.session() as session:
        entry = session.exec(
            select(AuditLog).where(AuditLog.action == "fees.profile_imported").limit(1)
        ).one()
        assert entry.actor_label == "import" and entry.actor_member_id is None
        assert entry.detail["old"] is None and entry.detail["month"] == month.isoformat()

    # The same file again changes nothing and counts nothing.
    again = run(db, path, clock)
    assert again.extra == (("Đảng phí", 0),)
    assert imported_entries(db) == 4
    assert len(profiles(db)) == 4


def test_an_xlsx_with_number_and_date_cells(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    fees: dict[str, list[object]] = {
        "YT01": ["BHXH", 8_000_000, date(1975, 5, 19)],
        "YT05": ["tro cap", 7_500_000.0, None],
    }
    path = write_xlsx(tmp_path / "ds.xlsx", fee_rows(fees), header=FEE_HEADER)
    assert run(db, path, clock).extra == (("Đảng phí", 2),)
    month = current_month(clock())
    assert profiles(db) == {
        "YT01": [(month, "bhxh", 8_000_000, date(1975, 5, 19), "import")],
        "YT05": [(month, "tro_cap", 7_500_000, None, "import")],
    }


def test_bad_fee_cells_are_reported_by_row_and_nothing_is_written(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    tomorrow = clock().date().replace(year=clock().year + 1)
    fees: dict[str, list[object]] = {
        "YT01": ["xyz", "", ""],
        "YT02": ["bhxh", "", ""],
        "YT03": ["huu_tri", "-5.000.000", ""],
        "YT04": ["tro_cap", "tám triệu", ""],
        "YT05": ["", "8000000", ""],
        "YT06": ["hoc_sinh", "", "31/02/1990"],
        "BT01": ["hoc_sinh", "", tomorrow.strftime("%d/%m/%Y")],
        "BT02": ["bhxh", "0", ""],
    }
    path = write_csv(tmp_path / "bad.csv", fee_rows(fees), header=FEE_HEADER)
    with pytest.raises(ImportFailed) as failed, db.session() as session:
        import_file(session, path, now=clock(), columns=[IMPORT_FEE_COLUMNS])
    assert [str(e) for e in failed.value.errors] == [
        f"Dòng 2: Diện đảng phí «xyz» không hợp lệ; dùng một trong: {CODES}.",
        "Dòng 3: Diện bhxh cần thu_nhap_dang_phi.",
        "Dòng 4: Thu nhập đảng phí «-5.000.000» không hợp lệ; ghi số đồng, ví dụ 8.000.000.",
        "Dòng 5: Thu nhập đảng phí «tám triệu» không hợp lệ; ghi số đồng, ví dụ 8.000.000.",
        "Dòng 6: Có thu_nhap_dang_phi nhưng thiếu dien_dang_phi.",
        "Dòng 7: Ngày sinh «31/02/1990» không hợp lệ (dd/mm/yyyy).",
        f"Dòng 8: Ngày sinh {tomorrow.strftime('%d/%m/%Y')} không hợp lý "
        "(từ 01/01/1900 đến trước hôm nay).",
        "Dòng 9: Thu nhập đảng phí «0» phải lớn hơn 0 đ và không quá 1.000.000.000 đ.",
    ]
    with db.session() as session:
        assert session.exec(select(Member)).first() is None
        assert session.exec(select(FeeProfile)).first() is None


def test_a_new_income_next_month_adds_a_row_for_that_month_only(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    first = current_month(clock())
    run(db, write_csv(tmp_path / "a.csv", fee_rows(FEES), header=FEE_HEADER), clock)
    with db.session() as session:  # the collector's own settings survive a re-import
        secretary = find_member(session, "YT01")
        yt02 = find_member(session, "YT02")
        assert secretary is not None and yt02 is not None and yt02.id is not None
        setup.set_profile(
            session,
            load_actor(session, secretary),
            yt02.id,
            basis=Basis.HUU_TRI,
            income=6_000_000,
            region=Region.IV,
            exemption=None,
            now=clock(),
        )

    while current_month(clock()) == first:
        clock.advance(days=7)
    second = current_month(clock())
    assert second == add_months(first, 1)
    raised = {**FEES, "YT01": ["bhxh", "9.000.000", ""], "YT02": ["huu_tri", "6.500.000", ""]}
    path = write_csv(tmp_path / "b.csv", fee_rows(raised), header=FEE_HEADER)
    assert run(db, path, clock).extra == (("Đảng phí", 2),)
    found = profiles(db)
    assert found["YT01"] == [
        (first, "bhxh", 8_000_000, date(1975, 5, 19), "import"),
        (second, "bhxh", 9_000_000, date(1975, 5, 19), "import"),  # the blank cell keeps it
    ]
    assert [(p[0], p[2], p[4]) for p in found["YT02"]] == [
        (first, 6_000_000, "collector"),
        (second, 6_500_000, "import"),
    ]
    assert found["YT03"] == [(first, "khong_bhxh", None, date(1990, 1, 31), "import")]
    with db.session() as session:
        yt02 = find_member(session, "YT02")
        assert yt02 is not None
        latest = session.exec(
            select(FeeProfile)
            .where(FeeProfile.member_id == yt02.id)
            .where(FeeProfile.valid_from == second)
        ).one()
        assert latest.region == 4  # the member's region override is not an import column

    # Corrected again within the month: that month's row changes, no third row.
    fixed = {**raised, "YT01": ["bhxh", "9.100.000", ""]}
    path = write_csv(tmp_path / "c.csv", fee_rows(fixed), header=FEE_HEADER)
    assert run(db, path, clock).extra == (("Đảng phí", 1),)
    assert [(p[0], p[2]) for p in profiles(db)["YT01"]] == [
        (first, 8_000_000),
        (second, 9_100_000),
    ]


def test_a_file_with_only_birth_dates_fills_them_in_on_the_profile_in_force(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    month = current_month(clock())
    run(db, write_csv(tmp_path / "a.csv", fee_rows(FEES), header=FEE_HEADER), clock)
    header = [*HEADER, "Ngày sinh"]
    rows = [[*row, ""] for row in base_rows()]
    rows[1][-1] = "02/09/1960"  # YT02: has a profile
    rows[4][-1] = "1970-01-01"  # YT05: none, so nothing to record it on
    rows[0][-1] = "19/05/1975"  # YT01: already known
    path = write_csv(tmp_path / "births.csv", rows, header=header)
    assert run(db, path, clock).extra == (("Đảng phí", 1),)
    found = profiles(db)
    assert found["YT02"] == [(month, "huu_tri", 6_000_000, date(1960, 9, 2), "import")]
    assert "YT05" not in found
    assert run(db, path, clock).extra == (("Đảng phí", 0),)


def test_without_fee_columns_nothing_is_asked_of_the_fees(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    report = run(db, write_csv(tmp_path / "plain.csv", base_rows()), clock)
    assert report.extra == ()
    with db.session() as session:
        assert session.exec(select(FeeProfile)).first() is None


def test_amounts_and_rows_as_lists_write_them() -> None:
    for text in ("8.000.000", "8,000,000", "8000000", "8 000 000", "8.000.000 đ", "8000000.00"):
        assert parse_amount(text) == 8_000_000, text
    for text in ("-8000000", "8,5", "8.00.000", "8000000.5", "abc", "8.000,000"):
        assert parse_amount(text) is None, text
    today = date(2026, 11, 26)
    assert check({}, today) == (None, [])
    assert check({"dien_dang_phi": None, "ngay_sinh": None}, today) == (None, [])
    parsed, problems = check({"dien_dang_phi": "Không có BHXH", "thu_nhap_dang_phi": "0"}, today)
    assert problems == [] and parsed is not None
    assert (parsed.basis, parsed.income) == (Basis.KHONG_BHXH, None)  # not computed from it
    _, problems = check({"dien_dang_phi": date(2026, 1, 1)}, today)
    assert problems == [f"Diện đảng phí «01/01/2026» không hợp lệ; dùng một trong: {CODES}."]
