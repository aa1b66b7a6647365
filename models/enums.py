"""Closed vocabularies stored as short strings (portable across SQLite and PostgreSQL)."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    """Levels of the organisation tree (docs/domain.md, "Organisation tree")."""

    UPPER_COMMITTEE = "dang_uy_cap_tren"  # Đảng ủy cấp trên (Đảng ủy Khối, huyện, tỉnh)
    BASE_ORGANISATION = "dang_bo_co_so"  # Đảng bộ cơ sở
    BASE_CELL = "chi_bo_co_so"  # Chi bộ cơ sở (a cell directly under an upper committee)
    CELL = "chi_bo_truc_thuoc"  # Chi bộ trực thuộc

    @property
    def is_cell(self) -> bool:
        return self in (UnitKind.BASE_CELL, UnitKind.CELL)


class MemberStatus(StrEnum):
    """Membership status; only official members vote (docs/domain.md)."""

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


# --- Cell month: meetings, attendance, resolutions, directives, the outbox ------------------


class MeetingKind(StrEnum):
    """Regular monthly meeting, thematic meeting, or both held together (Chỉ thị 50-CT/TW)."""

    REGULAR = "thuong_ky"
    THEMATIC = "chuyen_de"
    COMBINED = "thuong_ky_chuyen_de"

    @property
    def is_regular(self) -> bool:
        """A combined meeting is the month's regular meeting too."""
        return self in (MeetingKind.REGULAR, MeetingKind.COMBINED)


class MeetingStatus(StrEnum):
    """A meeting is scheduled until it is cancelled; "held" is derived from its time."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class AttendanceAnswer(StrEnum):
    """A member's answer to the invitation, before the meeting."""

    WILL_ATTEND = "se_du"
    ABSENT_REQUEST = "xin_vang"


class AttendanceStatus(StrEnum):
    """The roll call's four statuses (Hướng dẫn 42-HD/BTCTW)."""

    PRESENT = "co_mat"
    ABSENT_WITH_LEAVE = "vang_co_phep"
    ABSENT_WITHOUT_LEAVE = "vang_khong_phep"
    EXEMPT = "mien_sinh_hoat"


class StatusSource(StrEnum):
    """How an attendance status was set: the member's check-in, the secretary, or closing."""

    CHECKIN = "checkin"
    SECRETARY = "secretary"
    CLOSING = "closing"


class CheckinOutcome(StrEnum):
    """What became of one check-in code sent by a member."""

    PRESENT = "present"
    ALREADY = "already"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    NONE_OPEN = "none_open"


class VoteExclusion(StrEnum):
    """Official members left out of a vote's denominator, like absent exempt ones.

    See docs/domain.md, "The resolution vote".
    """

    TEMPORARY_TRANSFER = "tam_chuyen"
    SUSPENDED = "dinh_chi"


class QualityBand(StrEnum):
    """Meeting quality bands on the 100-point sheet: ≥90, 70–89, 50–69, <50."""

    GOOD = "tot"
    FAIR = "kha"
    AVERAGE = "trung_binh"
    POOR = "kem"


class TaskStatus(StrEnum):
    """A task assigned at a meeting (Quy định 296-QĐ/TW: the cell supervises them)."""

    OPEN = "dang_lam"
    DONE = "hoan_thanh"
    NOT_DONE = "khong_hoan_thanh"  # closed by the cell as not accomplished (supervision)
    CANCELLED = "huy"


class DirectiveAudience(StrEnum):
    """Who receives a directive within the chosen unit."""

    ALL = "all"
    OFFICIAL = "official"
    CHOSEN = "chosen"


class FileKind(StrEnum):
    """How an attached file is shown: a document or a photo."""

    DOCUMENT = "document"
    PHOTO = "photo"


class DeliveryKind(StrEnum):
    """What an outbox row carries; with `ref_id` it names the record the message is about."""

    DIRECTIVE = "directive"
    DIRECTIVE_REMINDER = "directive_reminder"
    MEETING_INVITE = "meeting_invite"
    MEETING_DOCUMENT = "meeting_document"
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_MOVED = "meeting_moved"
    MEETING_REMINDER = "meeting_reminder"
    RESOLUTION = "resolution"
    TASK = "task"
    TASK_REMINDER = "task_reminder"
    ABSENCE_FLAG = "absence_flag"
    WEEKLY_STATS = "weekly_stats"


class DeliveryStatus(StrEnum):
    """An outbox row's life: pending → sending (leased) → sent | failed (or back to pending);
    expired when it was never sent because it no longer made sense (`outbox.is_stale`)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"
