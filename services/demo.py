"""A small demo organisation, so a newcomer can try every role in the terminal at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from models import Member, MemberStatus, Role, Unit
from services import audit
from services.orgwrite import (
    MemberValues,
    ensure_unit_path,
    set_cell_role,
    set_committee_units,
    upsert_member,
)

TOP = "Đảng ủy Khối các cơ quan tỉnh"
BASE = "Đảng bộ Sở Giáo dục và Đào tạo"
CELL_OFFICE = "Chi bộ Văn phòng Sở"
CELL_SCHOOLS = "Chi bộ Phòng Giáo dục Trung học"

SECRETARY_CODE = "DV001"
DEPUTY_CODE = "DV002"
MEMBER_CODE = "DV003"
OTHER_SECRETARY_CODE = "DV009"
COMMITTEE_CODE = "DV016"

# code, name, cell, status, role, joined
_PEOPLE: list[tuple[str, str, str, str, str | None, date]] = [
    ("DV001", "Nguyễn Văn An", CELL_OFFICE, "chinh_thuc", Role.SECRETARY, date(1998, 5, 19)),
    ("DV002", "Trần Thị Bình", CELL_OFFICE, "chinh_thuc", Role.DEPUTY, date(2004, 3, 3)),
    ("DV003", "Lê Văn Cường", CELL_OFFICE, "chinh_thuc", None, date(2010, 9, 2)),
    ("DV004", "Phạm Thị Dung", CELL_OFFICE, "chinh_thuc", None, date(2012, 2, 3)),
    ("DV005", "Hoàng Văn Em", CELL_OFFICE, "du_bi", None, date(2026, 2, 3)),
    ("DV006", "Vũ Thị Giang", CELL_OFFICE, "chinh_thuc", None, date(2015, 8, 19)),
    ("DV007", "Đặng Văn Hải", CELL_OFFICE, "mien", None, date(1975, 4, 30)),
    ("DV008", "Bùi Thị Hoa", CELL_OFFICE, "chinh_thuc", None, date(2018, 12, 22)),
    ("DV009", "Đỗ Văn Khánh", CELL_SCHOOLS, "chinh_thuc", Role.SECRETARY, date(2001, 1, 6)),
    ("DV010", "Hồ Thị Lan", CELL_SCHOOLS, "chinh_thuc", None, date(2008, 7, 27)),
    ("DV011", "Ngô Văn Minh", CELL_SCHOOLS, "chinh_thuc", None, date(2011, 10, 10)),
    ("DV012", "Dương Thị Ngọc", CELL_SCHOOLS, "du_bi", None, date(2026, 5, 19)),
    ("DV013", "Lý Văn Phúc", CELL_SCHOOLS, "chinh_thuc", None, date(2016, 3, 26)),
    ("DV014", "Mai Thị Quyên", CELL_SCHOOLS, "chinh_thuc", None, date(2019, 11, 20)),
    ("DV015", "Trịnh Văn Sơn", CELL_SCHOOLS, "chinh_thuc", None, date(2020, 6, 1)),
    ("DV016", "Phan Thị Thảo", CELL_SCHOOLS, "chinh_thuc", None, date(2003, 9, 2)),
]


@dataclass(frozen=True)
class DemoResult:
    created: bool
    members: int


def seed_demo(
    session: Session,
    *,
    now: datetime,
    extras: Sequence[Callable[[Session, datetime], None]] = (),
) -> DemoResult:
    """Create the demo organisation unless the database already holds members; then each of
    `extras` adds its feature's demo data (`services.offers.DEMO_DATA`)."""
    existing = session.exec(select(sa.func.count()).select_from(Member)).one()
    if existing:
        return DemoResult(created=False, members=int(existing))
    cache: dict[str, Unit] = {}
    base, _ = ensure_unit_path(session, [TOP, BASE], leaf_is_cell=False, now=now, cache=cache)
    for code, name, cell_name, status, role, joined in _PEOPLE:
        cell, _ = ensure_unit_path(
            session, [TOP, BASE, cell_name], leaf_is_cell=True, now=now, cache=cache
        )
        assert cell.id is not None
        member, _ = upsert_member(
            session,
            MemberValues(
                code=code,
                full_name=name,
                status=MemberStatus(status),
                cell_id=cell.id,
                joined_on=joined,
                phone=f"09{int(code[2:]):08d}",
            ),
            now=now,
        )
        set_cell_role(session, member, role)
        if code == COMMITTEE_CODE:
            assert base.id is not None
            set_committee_units(session, member, {base.id})
    session.flush()
    for extra in extras:
        extra(session, now)
    audit.record(session, "demo.seeded", "organisation", actor_label="cli", at=now)
    return DemoResult(created=True, members=len(_PEOPLE))
