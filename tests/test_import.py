"""The member import: formats Excel really produces, the tree it builds, re-import, every error.

Every database test runs on SQLite and PostgreSQL (the `db` fixture). Files are written into
`tmp_path` the way an admin's Excel would write them.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from models import AuditLog, Database, Member, RoleAssignment, Unit
from services.importer import (
    ImportFailed,
    ImportReport,
    RowError,
    import_file,
    read_rows,
)
from services.orgwrite import ensure_unit_path, set_cell_role, upsert_member
from tests.support import FakeClock

HEADER = [
    "ma_dang_vien",
    "ho_ten",
    "don_vi",
    "trang_thai",
    "vai_tro",
    "cap_uy",
    "dien_thoai",
    "ngay_vao_dang",
]
TOP = "Đảng ủy Khối các cơ quan tỉnh"
BASE = f"{TOP} / Đảng bộ Sở Y tế"
OFFICE = f"{BASE} / Chi bộ Văn phòng"
HOSPITAL = f"{BASE} / Chi bộ Bệnh viện"
PAPER = f"{TOP} / Chi bộ Báo tỉnh"  # a cell right under the upper committee

Cells = Sequence[object]


def base_rows() -> list[list[object]]:
    """Three cells, one of them directly under the top; secretaries, deputies, committees."""
    return [
        ["YT01", "Nguyễn Văn An", OFFICE, "chinh_thuc", "bi_thu", BASE, "0912000001", "19/05/1998"],
        ["YT02", "Trần Thị Bình", OFFICE, "chinh_thuc", "pho_bi_thu", "", "", "03/03/2004"],
        ["YT03", "Lê Văn Cường", OFFICE, "du_bi", "", "", "", ""],
        ["YT04", "Phạm Thị Dung", HOSPITAL, "chinh_thuc", "bi_thu", f"{BASE}; {TOP}", "", ""],
        ["YT05", "Hoàng Văn Em", HOSPITAL, "mien", "dang_vien", "", "0912000005", ""],
        ["YT06", "Vũ Thị Giang", HOSPITAL, "chinh_thuc", "", "", "", "02/09/2010"],
        ["BT01", "Đặng Văn Hải", PAPER, "chinh_thuc", "bi_thu", PAPER, "", ""],
        ["BT02", "Bùi Thị Hoa", PAPER, "chinh_thuc", "pho_bi_thu", "", "", ""],
        ["BT03", "Đỗ Văn Khánh", PAPER, "chinh_thuc", "", "", "", ""],
    ]


def write_csv(
    path: Path,
    rows: Sequence[Cells],
    *,
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Cells], *, header: Sequence[str] = HEADER) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def run_import(db: Database, path: Path, clock: FakeClock) -> ImportReport:
    with db.session() as session:
        return import_file(session, path, now=clock())


def import_errors(db: Database, path: Path, clock: FakeClock) -> list[RowError]:
    with pytest.raises(ImportFailed) as caught, db.session() as session:
        import_file(session, path, now=clock())
    return caught.value.errors


def table_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            model.__name__: session.exec(select(sa.func.count()).select_from(model)).one()
            for model in (Unit, Member, RoleAssignment, AuditLog)
        }


def members_by_code(session: Session) -> dict[str, Member]:
    return {m.code: m for m in session.exec(select(Member))}


def units_by_path(session: Session) -> dict[str, Unit]:
    return {u.path: u for u in session.exec(select(Unit))}


def roles_of(session: Session, code: str) -> set[tuple[str, str]]:
    """(role, unit path) pairs of one member: what authorization will see."""
    query = (
        select(RoleAssignment.role, Unit.path)
        .join(Member, Member.id == RoleAssignment.member_id)
        .join(Unit, Unit.id == RoleAssignment.unit_id)
        .where(Member.code == code)
    )
    return {(role, path) for role, path in session.exec(query)}


def error_lines(errors: Sequence[RowError]) -> list[str]:
    return [str(e) for e in errors]


# --- Happy paths ----------------------------------------------------------------------------


def test_import_builds_tree_members_roles_and_audit(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    report = run_import(db, write_csv(tmp_path / "ds.csv", base_rows()), clock)

    assert report == ImportReport(
        units_created=5,
        members_created=9,
        members_updated=0,
        members_unchanged=0,
        roles_changed=5,  # members given a role: 3 secretaries (also on committees), 2 deputies
    )
    with db.session() as session:
        units = units_by_path(session)
        assert {path: unit.kind for path, unit in units.items()} == {
            TOP: "dang_uy_cap_tren",
            BASE: "dang_bo_co_so",
            OFFICE: "chi_bo_truc_thuoc",
            HOSPITAL: "chi_bo_truc_thuoc",
            PAPER: "chi_bo_co_so",
        }
        assert units[OFFICE].parent_id == units[BASE].id
        assert units[OFFICE].lineage == f"/{units[TOP].id}/{units[BASE].id}/{units[OFFICE].id}/"
        assert units[PAPER].parent_id == units[TOP].id

        members = members_by_code(session)
        an = members["YT01"]
        assert (an.full_name, an.status, an.cell_id) == (
            "Nguyễn Văn An",
            "chinh_thuc",
            units[OFFICE].id,
        )
        assert (an.phone, an.joined_on) == ("0912000001", date(1998, 5, 19))
        assert members["YT03"].status == "du_bi"
        assert (members["YT03"].phone, members["YT03"].joined_on) == (None, None)
        assert members["YT05"].status == "mien"
        assert members["BT01"].cell_id == units[PAPER].id

        assert roles_of(session, "YT01") == {("bi_thu", OFFICE), ("cap_uy", BASE)}
        assert roles_of(session, "YT02") == {("pho_bi_thu", OFFICE)}
        assert roles_of(session, "YT03") == set()
        assert roles_of(session, "YT04") == {
            ("bi_thu", HOSPITAL),
            ("cap_uy", BASE),
            ("cap_uy", TOP),
        }
        assert roles_of(session, "YT05") == set()
        assert roles_of(session, "BT01") == {("bi_thu", PAPER), ("cap_uy", PAPER)}

        entry = session.exec(select(AuditLog).where(AuditLog.action == "import.applied")).one()
        assert entry.actor_label == "cli"
        assert entry.at == clock()
        assert entry.detail["file"] == "ds.csv"
        assert entry.detail["members_created"] == 9
        assert entry.detail["units_created"] == 5


def test_xlsx_with_vietnamese_headers_numbers_and_date_cells(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """What Excel hands over: headers with diacritics, numeric codes and phones, date cells."""
    header = [
        "Mã đảng viên",
        "Họ và tên",
        "Đơn vị",
        "Trạng thái",
        "Vai trò",
        "Cấp ủy",
        "Điện thoại",
        "Ngày vào Đảng",
    ]
    rows = [
        [
            1001,
            "Nguyễn Văn An",
            OFFICE,
            "Chính thức",
            "Bí thư",
            None,
            912000001,
            datetime(1998, 5, 19),
        ],
        [1002, "Trần Thị Bình", OFFICE, "Dự bị", "Phó bí thư", None, 912000002.0, "03/03/2025"],
        [1003, "Lê Văn Cường", OFFICE, "Miễn sinh hoạt", "Đảng viên", None, "0912 000 003", None],
    ]
    report = run_import(db, write_xlsx(tmp_path / "Danh sách.xlsx", rows, header=header), clock)

    assert (report.members_created, report.units_created, report.roles_changed) == (3, 3, 2)
    with db.session() as session:
        members = members_by_code(session)
        assert sorted(members) == ["1001", "1002", "1003"]
        assert members["1001"].phone == "0912000001"  # the 0 Excel dropped is back
        assert members["1002"].phone == "0912000002"  # no ".0"
        assert members["1003"].phone == "0912 000 003"
        assert members["1001"].joined_on == date(1998, 5, 19)
        assert members["1002"].joined_on == date(2025, 3, 3)
        assert [members[c].status for c in ("1001", "1002", "1003")] == [
            "chinh_thuc",
            "du_bi",
            "mien",
        ]
        assert roles_of(session, "1001") == {("bi_thu", OFFICE)}
        assert roles_of(session, "1002") == {("pho_bi_thu", OFFICE)}
        assert roles_of(session, "1003") == set()


def test_excel_vi_csv_with_bom_semicolons_and_decomposed_text(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """Excel in a vi-VN locale saves `;` CSV with a BOM; some keyboards type decomposed accents."""
    nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731
    rows = [
        ["YT01", nfd("Nguyễn Văn  An "), nfd(OFFICE), nfd("Chính thức"), nfd("Bí thư"), "", "", ""],
        ["YT02", "Trần Thị Bình", OFFICE, "du_bi", "", "", "", "1/2/2026"],
        ["YT03", "Lê Văn Cường", OFFICE, "chinh_thuc", "", "", "", ""],
    ]
    header = [
        nfd("Mã Đảng viên"),
        "Họ tên",
        "ĐƠN VỊ",
        "trang thai",
        "Vai_trò",
        "cap_uy",
        "SĐT",
        "ngay_vao_dang",
    ]
    path = write_csv(tmp_path / "excel.csv", rows, header=header, delimiter=";", bom=True)

    report = run_import(db, path, clock)

    assert report.members_created == 3
    with db.session() as session:
        members = members_by_code(session)
        assert members["YT01"].full_name == "Nguyễn Văn An"
        assert unicodedata.is_normalized("NFC", members["YT01"].full_name)
        assert members["YT02"].joined_on == date(2026, 2, 1)
        assert set(units_by_path(session)) == {TOP, BASE, OFFICE}
        assert roles_of(session, "YT01") == {("bi_thu", OFFICE)}


def test_csv_with_bom_comma_and_csv_without_bom_read_the_same(tmp_path: Path) -> None:
    with_bom = read_rows(write_csv(tmp_path / "a.csv", base_rows(), bom=True))
    without = read_rows(write_csv(tmp_path / "b.csv", base_rows()))
    semicolon = read_rows(write_csv(tmp_path / "c.csv", base_rows(), delimiter=";", bom=True))
    xlsx = read_rows(write_xlsx(tmp_path / "d.xlsx", base_rows()))
    assert with_bom == without == semicolon == xlsx
    assert with_bom[0]["ma_dang_vien"] == "YT01"
    assert with_bom[0]["cap_uy"] == BASE
    assert with_bom[2]["vai_tro"] is None


def test_read_rows_keeps_row_numbers_across_blank_rows(tmp_path: Path) -> None:
    """List index i is spreadsheet row i + 2, so the admin can find any row we talk about."""
    rows = [base_rows()[0], [""] * 8, base_rows()[1]]
    read = read_rows(write_csv(tmp_path / "gaps.csv", rows))
    assert [r["ma_dang_vien"] for r in read] == ["YT01", None, "YT02"]


def test_import_of_the_sample_file_in_docs(db: Database, clock: FakeClock) -> None:
    sample = Path(__file__).resolve().parent.parent / "docs" / "mau_nhap_dang_vien.csv"
    report = run_import(db, sample, clock)
    assert report.members_created == 12
    assert report.units_created == 5
    with db.session() as session:
        kinds = sorted(u.kind for u in units_by_path(session).values())
        assert kinds == [
            "chi_bo_co_so",
            "chi_bo_truc_thuoc",
            "chi_bo_truc_thuoc",
            "dang_bo_co_so",
            "dang_uy_cap_tren",
        ]


# --- Re-import ------------------------------------------------------------------------------


def test_reimport_of_the_same_file_changes_nothing(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "ds.csv", base_rows())
    run_import(db, path, clock)
    with db.session() as session:
        stamps = {m.code: m.updated_at for m in session.exec(select(Member))}
    before = table_counts(db)

    clock.advance(days=1)
    again = run_import(db, path, clock)

    assert again == ImportReport(0, 0, 0, 9, 0)
    after = table_counts(db)
    assert after == {**before, "AuditLog": before["AuditLog"] + 1}
    with db.session() as session:
        assert {m.code: m.updated_at for m in session.exec(select(Member))} == stamps


def test_reimport_from_xlsx_of_a_csv_import_changes_nothing(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    run_import(db, write_csv(tmp_path / "ds.csv", base_rows(), bom=True), clock)
    again = run_import(db, write_xlsx(tmp_path / "ds.xlsx", base_rows()), clock)
    assert again == ImportReport(0, 0, 0, 9, 0)


def test_reimport_updates_name_status_cell_and_roles(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    run_import(db, write_csv(tmp_path / "v1.csv", base_rows()), clock)
    rows = base_rows()
    rows[0][4] = "dang_vien"  # YT01 steps down as secretary of the office cell ...
    rows[0][5] = ""  # ... and leaves the base committee
    rows[1][4] = "bi_thu"  # YT02, the deputy, becomes the secretary
    rows[2][1] = "Lê Văn Cường Mới"  # a corrected name
    rows[2][3] = "chinh_thuc"  # probation ended
    rows[7][2] = HOSPITAL  # BT02 moves to the hospital cell, still a deputy
    rows.append(["YT07", "Ngô Văn Minh", HOSPITAL, "chinh_thuc", "", "", "", ""])

    clock.advance(days=30)
    report = run_import(db, write_csv(tmp_path / "v2.csv", rows), clock)

    assert report == ImportReport(
        units_created=0,
        members_created=1,
        members_updated=2,  # YT03 (name, status) and BT02 (cell)
        members_unchanged=7,
        roles_changed=3,  # YT01, YT02, BT02
    )
    with db.session() as session:
        units = units_by_path(session)
        members = members_by_code(session)
        assert roles_of(session, "YT01") == set()
        assert roles_of(session, "YT02") == {("bi_thu", OFFICE)}
        assert (members["YT03"].full_name, members["YT03"].status) == (
            "Lê Văn Cường Mới",
            "chinh_thuc",
        )
        assert members["YT03"].updated_at == clock()
        assert members["BT02"].cell_id == units[HOSPITAL].id
        assert roles_of(session, "BT02") == {("pho_bi_thu", HOSPITAL)}
        assert members["YT07"].cell_id == units[HOSPITAL].id
        assert members["YT01"].updated_at != clock()  # only its roles changed


def test_members_absent_from_the_file_are_left_alone(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    run_import(db, write_csv(tmp_path / "all.csv", base_rows()), clock)
    only_paper = [r for r in base_rows() if str(r[0]).startswith("BT")]

    report = run_import(db, write_csv(tmp_path / "paper.csv", only_paper), clock)

    assert report == ImportReport(0, 0, 0, 3, 0)
    with db.session() as session:
        assert len(members_by_code(session)) == 9
        assert roles_of(session, "YT04") == {
            ("bi_thu", HOSPITAL),
            ("cap_uy", BASE),
            ("cap_uy", TOP),
        }


def test_absent_optional_columns_keep_stored_values(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """A file without phones or committees must not wipe the phones and committees on record."""
    run_import(db, write_csv(tmp_path / "full.csv", base_rows()), clock)
    short = [r[:5] for r in base_rows()]

    report = run_import(db, write_csv(tmp_path / "short.csv", short, header=HEADER[:5]), clock)

    assert report == ImportReport(0, 0, 0, 9, 0)
    with db.session() as session:
        members = members_by_code(session)
        assert members["YT01"].phone == "0912000001"
        assert members["YT01"].joined_on == date(1998, 5, 19)
        assert roles_of(session, "YT04") == {
            ("bi_thu", HOSPITAL),
            ("cap_uy", BASE),
            ("cap_uy", TOP),
        }


def test_committee_unit_may_be_an_existing_unit_outside_the_file(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    run_import(db, write_csv(tmp_path / "first.csv", base_rows()), clock)
    other = f"{TOP} / Đảng bộ Sở Tài chính / Chi bộ Kế toán"
    rows = [
        [
            "TC01",
            "Lý Văn Phúc",
            other,
            "chinh_thuc",
            "bi_thu",
            "đảng ủy khối các cơ quan tỉnh",
            "",
            "",
        ],
        ["TC02", "Mai Thị Quyên", other, "chinh_thuc", "", BASE, "", ""],
    ]
    run_import(db, write_csv(tmp_path / "second.csv", rows), clock)
    with db.session() as session:
        assert roles_of(session, "TC01") == {("bi_thu", other), ("cap_uy", TOP)}
        assert roles_of(session, "TC02") == {("cap_uy", BASE)}


# --- Row errors: reported with their row, nothing written -----------------------------------


def _with(row_index: int, column: str, value: object) -> list[list[object]]:
    rows = base_rows()
    rows[row_index][HEADER.index(column)] = value
    return rows


ROW_ERROR_CASES = {
    "wrong status": (
        _with(1, "trang_thai", "abc"),
        ["Dòng 3: trạng thái 'abc' không hợp lệ (chinh_thuc, du_bi, mien)"],
    ),
    "empty status": (
        _with(1, "trang_thai", ""),
        ["Dòng 3: thiếu trạng thái (chinh_thuc, du_bi, mien)"],
    ),
    "wrong role": (
        _with(3, "vai_tro", "Chủ tịch"),
        ["Dòng 5: vai trò 'Chủ tịch' không hợp lệ (dang_vien, bi_thu, pho_bi_thu)"],
    ),
    "impossible date": (
        _with(0, "ngay_vao_dang", "31/02/2001"),
        ["Dòng 2: ngày vào Đảng '31/02/2001' không hợp lệ (dd/mm/yyyy)"],
    ),
    "US date": (
        _with(0, "ngay_vao_dang", "5/19/1998"),
        ["Dòng 2: ngày vào Đảng '5/19/1998' không hợp lệ (dd/mm/yyyy)"],
    ),
    "future date": (
        _with(0, "ngay_vao_dang", "01/01/2027"),
        ["Dòng 2: ngày vào Đảng 01/01/2027 không hợp lý (từ 03/02/1930 đến hôm nay)"],
    ),
    "empty code": (_with(4, "ma_dang_vien", " "), ["Dòng 6: thiếu mã đảng viên"]),
    "empty name": (_with(4, "ho_ten", ""), ["Dòng 6: thiếu họ tên"]),
    "empty unit": (_with(8, "don_vi", ""), ["Dòng 10: thiếu đơn vị"]),
    "unit without parent": (
        _with(8, "don_vi", "Chi bộ Báo tỉnh"),
        [
            "Dòng 10: đơn vị 'Chi bộ Báo tỉnh' phải ghi đủ đường dẫn từ đảng ủy cấp trên "
            "tới chi bộ, cách nhau bởi ' / '"
        ],
    ),
    "code too long": (
        _with(2, "ma_dang_vien", "X" * 33),
        ["Dòng 4: Mã đảng viên dài quá 32 ký tự"],
    ),
    "bad phone": (
        _with(2, "dien_thoai", "gọi sau"),
        ["Dòng 4: số điện thoại 'gọi sau' không hợp lệ"],
    ),
    "duplicate code": (
        _with(5, "ma_dang_vien", "YT02"),
        [
            "Dòng 3: mã đảng viên 'YT02' trùng với dòng 7",
            "Dòng 7: mã đảng viên 'YT02' trùng với dòng 3",
        ],
    ),
    "unknown committee unit": (
        _with(4, "cap_uy", f"{BASE}; {TOP} / Đảng bộ Không Có"),
        [
            f"Dòng 6: đơn vị cấp ủy '{TOP} / Đảng bộ Không Có' "
            "không có trong tệp và trong dữ liệu đã có"
        ],
    ),
    "two secretaries": (
        _with(2, "vai_tro", "Bí thư"),
        [
            f"Dòng 2: chi bộ '{OFFICE}' có nhiều bí thư (dòng 2, 4)",
            f"Dòng 4: chi bộ '{OFFICE}' có nhiều bí thư (dòng 2, 4)",
        ],
    ),
    "cell is also a parent": (
        _with(8, "don_vi", f"{OFFICE} / Tổ đảng 1"),
        [
            f"Dòng 2: đơn vị '{OFFICE}' vừa là chi bộ của đảng viên (dòng 2) "
            "vừa chứa đơn vị khác (dòng 10)",
            f"Dòng 10: đơn vị '{OFFICE}' vừa là chi bộ của đảng viên (dòng 2) "
            "vừa chứa đơn vị khác (dòng 10)",
        ],
    ),
    "same unit spelt twice": (
        _with(8, "don_vi", f"{TOP} / chi bộ  báo TỈNH"),
        [
            f"Dòng 10: đơn vị '{TOP} / chi bộ báo TỈNH' viết khác '{PAPER}' ở dòng 8 "
            "(chỉ khác chữ hoa, chữ thường); hãy thống nhất một cách viết"
        ],
    ),
}


@pytest.mark.parametrize("case", list(ROW_ERROR_CASES), ids=list(ROW_ERROR_CASES))
def test_row_errors_name_the_row_and_nothing_is_written(
    case: str, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    rows, expected = ROW_ERROR_CASES[case]
    errors = import_errors(db, write_csv(tmp_path / "bad.csv", rows), clock)
    assert error_lines(errors) == expected
    assert table_counts(db) == {"Unit": 0, "Member": 0, "RoleAssignment": 0, "AuditLog": 0}


def test_all_bad_rows_are_reported_at_once(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    rows = base_rows()
    rows[1][3] = "abc"
    rows[4][4] = "trưởng ban"
    rows[6][7] = "hôm qua"
    errors = import_errors(db, write_csv(tmp_path / "bad.csv", rows), clock)
    assert [e.row for e in errors] == [3, 6, 8]


def test_failed_reimport_leaves_the_previous_import_untouched(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    run_import(db, write_csv(tmp_path / "good.csv", base_rows()), clock)
    before = table_counts(db)
    rows = base_rows()
    rows[0][1] = "Tên Đã Đổi"  # a valid change ...
    rows.append(["YT09", "Người Mới", f"{BASE} / Chi bộ Mới", "chinh_thuc", "", "", "", ""])
    rows.append(["YT10", "Người Sai", HOSPITAL, "sai", "", "", "", ""])  # ... and one bad row

    errors = import_errors(db, write_csv(tmp_path / "bad.csv", rows), clock)

    assert [e.row for e in errors] == [12]
    assert table_counts(db) == before
    with db.session() as session:
        assert members_by_code(session)["YT01"].full_name == "Nguyễn Văn An"
        assert f"{BASE} / Chi bộ Mới" not in units_by_path(session)


def test_xlsx_row_errors_use_spreadsheet_row_numbers(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    rows = base_rows()
    rows[2][0] = None
    rows[3][7] = 12345  # a number where a date belongs
    errors = import_errors(db, write_xlsx(tmp_path / "bad.xlsx", rows), clock)
    assert error_lines(errors) == [
        "Dòng 4: thiếu mã đảng viên",
        "Dòng 5: ngày vào Đảng '12345' không hợp lệ (dd/mm/yyyy)",
    ]


# --- Conflicts with what the database already holds -----------------------------------------


def _seed_cell_with_secretary(db: Database, clock: FakeClock) -> None:
    """An existing cell (created earlier, e.g. by hand) whose secretary is not in the file."""
    from services.orgwrite import MemberValues

    with db.session() as session:
        cell, _ = ensure_unit_path(
            session, [TOP, "Đảng bộ Sở Y tế", "Chi bộ Văn phòng"], leaf_is_cell=True, now=clock()
        )
        member, _ = upsert_member(
            session,
            MemberValues(
                code="CU01", full_name="Hồ Văn Cũ", status="chinh_thuc", cell_id=cell.id or 0
            ),
            now=clock(),
        )
        set_cell_role(session, member, "bi_thu")


def test_secretary_kept_in_db_conflicts_with_new_one_from_file(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    _seed_cell_with_secretary(db, clock)
    before = table_counts(db)
    errors = import_errors(db, write_csv(tmp_path / "ds.csv", base_rows()), clock)
    assert error_lines(errors) == [
        f"Dòng 2: chi bộ '{OFFICE}' đã có bí thư Hồ Văn Cũ (CU01) không có trong tệp; "
        "hãy ghi đồng chí đó vào tệp với vai trò mới"
    ]
    assert table_counts(db) == before


def test_secretary_handover_works_when_the_old_one_is_in_the_file(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    _seed_cell_with_secretary(db, clock)
    rows = [*base_rows(), ["CU01", "Hồ Văn Cũ", OFFICE, "chinh_thuc", "dang_vien", "", "", ""]]
    report = run_import(db, write_csv(tmp_path / "ds.csv", rows), clock)
    assert report.members_unchanged == 1
    with db.session() as session:
        assert roles_of(session, "CU01") == set()
        assert roles_of(session, "YT01") == {("bi_thu", OFFICE), ("cap_uy", BASE)}


def test_units_in_db_keep_their_shape(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    """A stored cell cannot get sub-units, nor a stored parent become a member's cell."""
    run_import(db, write_csv(tmp_path / "first.csv", base_rows()), clock)
    before = table_counts(db)
    rows = [
        ["N01", "Người Một", f"{PAPER} / Tổ 1", "chinh_thuc", "", "", "", ""],
        ["N02", "Người Hai", BASE, "chinh_thuc", "", "", "", ""],
    ]
    errors = import_errors(db, write_csv(tmp_path / "second.csv", rows), clock)
    assert error_lines(errors) == [
        f"Dòng 2: đơn vị '{PAPER}' đang là chi bộ nên không thể chứa đơn vị '{PAPER} / Tổ 1'",
        f"Dòng 3: đơn vị '{BASE}' đang chứa đơn vị khác nên không thể là chi bộ của đảng viên",
    ]
    assert table_counts(db) == before


def test_unit_spelt_with_other_case_than_stored_is_refused(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """Re-importing after someone "fixed" a capital letter must not split the cell in two."""
    run_import(db, write_csv(tmp_path / "first.csv", base_rows()), clock)
    before = table_counts(db)
    rows = base_rows()
    for row in rows[3:6]:
        row[2] = f"{BASE} / Chi bộ bệnh viện"

    errors = import_errors(db, write_csv(tmp_path / "second.csv", rows), clock)

    assert error_lines(errors) == [
        f"Dòng 5: đơn vị '{BASE} / Chi bộ bệnh viện' viết khác đơn vị đã có '{HOSPITAL}' "
        "(chỉ khác chữ hoa, chữ thường); hãy viết đúng như đơn vị đã có"
    ]
    assert table_counts(db) == before


# --- File-level errors ----------------------------------------------------------------------


def test_missing_required_columns_are_named(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    header = ["Mã đảng viên", "Họ tên", "Đơn vị", "Ghi chú"]
    rows = [[r[0], r[1], r[2], "x"] for r in base_rows()]
    errors = import_errors(db, write_csv(tmp_path / "cols.csv", rows, header=header), clock)
    assert len(errors) == 1
    assert errors[0].row == 0
    assert errors[0].message.startswith(
        "Thiếu cột bắt buộc: trang_thai (Trạng thái), vai_tro (Vai trò)."
    )
    assert "Mã đảng viên, Họ tên, Đơn vị, Ghi chú" in errors[0].message
    assert table_counts(db)["Member"] == 0


def test_header_below_a_title_row_is_pointed_out(tmp_path: Path) -> None:
    path = tmp_path / "title.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["DANH SÁCH ĐẢNG VIÊN"])
        writer.writerow([])
        writer.writerow(HEADER)
        writer.writerows(base_rows())
    with pytest.raises(ImportFailed) as caught:
        read_rows(path)
    assert error_lines(caught.value.errors) == [
        "Tiêu đề cột nằm ở dòng 3: hãy xóa các dòng phía trên để tiêu đề ở dòng 1."
    ]
    blank_first = write_csv(tmp_path / "blank_first.csv", base_rows())
    blank_first.write_bytes(b"\r\n" + blank_first.read_bytes())
    with pytest.raises(ImportFailed) as caught:
        read_rows(blank_first)
    assert error_lines(caught.value.errors) == [
        "Tiêu đề cột nằm ở dòng 2: hãy xóa các dòng phía trên để tiêu đề ở dòng 1."
    ]


def test_duplicate_column_is_reported(tmp_path: Path) -> None:
    header = [*HEADER, "Họ tên"]
    with pytest.raises(ImportFailed) as caught:
        read_rows(write_csv(tmp_path / "dup.csv", [[*r, "x"] for r in base_rows()], header=header))
    assert error_lines(caught.value.errors) == ["Cột 'ho_ten' xuất hiện hai lần (cột 2 và cột 9)."]


def _file_error(path: Path) -> str:
    with pytest.raises(ImportFailed) as caught:
        read_rows(path)
    errors = caught.value.errors
    assert len(errors) == 1
    assert errors[0].row == 0
    return errors[0].message


def test_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "rong.csv"
    empty.write_bytes(b"")
    assert _file_error(empty) == "Tệp 'rong.csv' trống: không có dòng tiêu đề cột."
    bom_only = tmp_path / "bom.csv"
    bom_only.write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    assert _file_error(bom_only) == "Tệp 'bom.csv' trống: không có dòng tiêu đề cột."
    header_only = write_csv(tmp_path / "tieude.csv", [])
    assert _file_error(header_only) == (
        "Tệp 'tieude.csv' không có dòng đảng viên nào (chỉ có dòng tiêu đề)."
    )
    blank_rows = write_csv(tmp_path / "trang.csv", [["", "", ""], []])
    assert "không có dòng đảng viên nào" in _file_error(blank_rows)
    xlsx_header_only = write_xlsx(tmp_path / "tieude.xlsx", [])
    assert "không có dòng đảng viên nào" in _file_error(xlsx_header_only)
    empty_workbook = tmp_path / "trong.xlsx"
    openpyxl.Workbook().save(empty_workbook)
    assert _file_error(empty_workbook) == "Tệp 'trong.xlsx' trống: không có dòng tiêu đề cột."


def test_binary_and_wrongly_encoded_files(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    picture = tmp_path / "anh.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    errors = import_errors(db, picture, clock)
    assert error_lines(errors) == [
        "Tệp 'anh.csv' không phải tệp CSV dạng văn bản (có ký tự nhị phân). Hãy dùng tệp .xlsx, "
        "hoặc trong Excel chọn Lưu thành → 'CSV UTF-8 (Comma delimited)'."
    ]
    # Excel's "CSV (Comma delimited)" on a Vietnamese Windows writes cp1258, not UTF-8.
    legacy = tmp_path / "cu.csv"
    legacy.write_bytes("ma_dang_vien,ho_ten\nYT01,Lê Văn An\n".encode("cp1258"))
    assert _file_error(legacy).startswith("Tệp 'cu.csv' không dùng bảng mã UTF-8 (lỗi ở dòng 2).")
    # A text file renamed .xlsx.
    fake_xlsx = write_csv(tmp_path / "gia.xlsx", base_rows())
    assert _file_error(fake_xlsx) == (
        "Tệp 'gia.xlsx' không mở được như tệp Excel .xlsx (tệp hỏng hoặc sai loại)."
    )
    assert table_counts(db)["Unit"] == 0


def test_unsupported_extension_and_missing_file(tmp_path: Path) -> None:
    old_excel = tmp_path / "ds.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0")
    assert _file_error(old_excel).startswith(
        "Tệp 'ds.xls' không đúng loại: chỉ nhận .xlsx hoặc .csv"
    )
    assert _file_error(tmp_path / "khongco.csv") == "Không tìm thấy tệp 'khongco.csv'."


def test_utf16_unicode_text_from_excel_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode Text" is UTF-16 with tabs; accept it rather than call it binary."""
    path = tmp_path / "unicode.csv"
    lines = ["\t".join(HEADER), *("\t".join(str(v) for v in row) for row in base_rows())]
    path.write_bytes("\r\n".join(lines).encode("utf-16"))
    rows = read_rows(path)
    assert len(rows) == 9
    assert rows[3]["ho_ten"] == "Phạm Thị Dung"
    assert rows[3]["cap_uy"] == f"{BASE}; {TOP}"


def test_import_failed_message_lists_every_line() -> None:
    failure = ImportFailed([RowError(7, "b"), RowError(0, "a"), RowError(3, "c")])
    assert str(failure) == "a\nDòng 3: c\nDòng 7: b"
    assert [e.row for e in failure.errors] == [0, 3, 7]


def test_now_drives_the_date_check(db: Database, tmp_path: Path) -> None:
    """`now` comes from the caller's clock: a date valid today is still refused before it."""
    rows = _with(0, "ngay_vao_dang", "01/12/2026")
    path = write_csv(tmp_path / "ds.csv", rows)
    early = FakeClock(datetime(2026, 11, 26, tzinfo=UTC))
    assert [e.row for e in import_errors(db, path, early)] == [2]
    late = FakeClock(datetime(2026, 12, 2, tzinfo=UTC))
    assert run_import(db, path, late).members_created == 9


def test_statements_do_not_grow_with_the_number_of_rows(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """Existing members and units are fetched in bulk: no SELECT per row (see bench/)."""
    run_import(db, write_csv(tmp_path / "first.csv", base_rows()), clock)
    rows = base_rows()
    cells = [OFFICE, HOSPITAL, PAPER]
    rows += [
        [f"N{i:03d}", f"Đảng viên {i}", cells[i % 3], "chinh_thuc", "", "", "", ""]
        for i in range(120)
    ]
    selects: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        report = run_import(db, write_csv(tmp_path / "more.csv", rows), clock)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)

    assert (report.members_created, report.members_unchanged) == (120, 9)
    assert len(selects) <= 6, selects


def test_xlsx_data_sheet_is_found_behind_an_instructions_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = "Hướng dẫn"
    guide.append(["Điền danh sách vào trang 'Đảng viên'"])
    data = workbook.create_sheet("Đảng viên")
    data.append(HEADER)
    for row in base_rows():
        data.append(row)
    workbook.save(tmp_path / "hai_trang.xlsx")
    rows = read_rows(tmp_path / "hai_trang.xlsx")
    assert [r["ma_dang_vien"] for r in rows] == [r[0] for r in base_rows()]
