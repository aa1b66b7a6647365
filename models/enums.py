"""Closed vocabularies stored as short strings (portable across SQLite and PostgreSQL)."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    """Levels of the organisation tree (DOMAIN.md, "Organisation tree")."""

    UPPER_COMMITTEE = "dang_uy_cap_tren"  # Đảng ủy cấp trên (Đảng ủy Khối, huyện, tỉnh)
    BASE_ORGANISATION = "dang_bo_co_so"  # Đảng bộ cơ sở
    BASE_CELL = "chi_bo_co_so"  # Chi bộ cơ sở (a cell directly under an upper committee)
    CELL = "chi_bo_truc_thuoc"  # Chi bộ trực thuộc

    @property
    def is_cell(self) -> bool:
        return self in (UnitKind.BASE_CELL, UnitKind.CELL)


class MemberStatus(StrEnum):
    """Membership status; only official members vote (DOMAIN.md)."""

    OFFICIAL = "chinh_thuc"
    PROBATIONARY = "du_bi"
    EXEMPT = "mien"


class Role(StrEnum):
    """What a member may do beyond reading: scoped to a unit, except admin."""

    SECRETARY = "bi_thu"
    DEPUTY = "pho_bi_thu"
    COMMITTEE = "cap_uy"
    ADMIN = "quan_tri"


class Channel(StrEnum):
    """Where a chat identity lives."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    TERMINAL = "terminal"
