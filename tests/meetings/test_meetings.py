"""Meetings: planning, the rules of Chỉ thị 50-CT/TW / Hướng dẫn 42-HD/BTCTW, documents, roles."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from models import (
    Attendance,
    AuditLog,
    Database,
    Delivery,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Unit,
)
from services import texts
from services.auth import Actor, load_actor
from services.demo import CELL_OFFICE, CELL_SCHOOLS
from services.errors import Forbidden, UserError
from services.identities import find_member, local_identity
from services.meetings import texts as meeting_texts
from services.meetings.planning import (
    add_document,
    cancel_meeting,
    cell_meetings,
    default_agenda,
    document_warnings,
    plan_meeting,
    schedule_meeting,
    upcoming_meetings,
    update_agenda,
)
from services.vndate import parse_vn_datetime_result
from tests.support import FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None
    return load_actor(session, member)


def cell_id(session: Session, name: str = CELL_OFFICE) -> int:
    unit = session.exec(select(Unit).where(Unit.name == name)).one()
    assert unit.id is not None
    return unit.id


def link(session: Session, now: datetime, *codes: str) -> None:
    for code in codes:
        member = find_member(session, code)
        assert member is not None
        local_identity(session, member, now=now)


def local(day: int, month: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def schedule(
    session: Session,
    now: datetime,
    *,
    code: str = "DV001",
    kind: MeetingKind = MeetingKind.REGULAR,
    starts_at: datetime | None = None,
    minutes: int | None = 120,
    topic: str | None = None,
    cell: str = CELL_OFFICE,
) -> Meeting:
    start = starts_at or local(19, 12, 14)
    meeting, _plan = schedule_meeting(
        session,
        actor(session, code),
        cell_id(session, cell),
        kind=kind,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes) if minutes else None,
        place="Hội trường tầng 2",
        topic=topic,
        now=now,
    )
    return meeting


def test_default_agenda_follows_the_order_of_business() -> None:
    regular = default_agenda(MeetingKind.REGULAR)
    assert regular[0].startswith("Khai mạc") and "điểm danh" in regular[0]
    assert regular[-1].startswith("Bế mạc") and "biểu quyết nghị quyết" in regular[-1]
    assert any("nghị quyết tháng trước" in item for item in regular)
    assert any("Hồ Chí Minh" in item for item in regular)
    combined = default_agenda(MeetingKind.COMBINED, "Chuyển đổi số")
    assert "Sinh hoạt chuyên đề: Chuyển đổi số." in combined
    assert len(combined) == len(regular) + 1
    thematic = default_agenda(MeetingKind.THEMATIC, "Chuyển đổi số")
    assert len(thematic) == 4 and "Sinh hoạt chuyên đề: Chuyển đổi số." in thematic


def test_plan_is_a_preview_and_writes_nothing(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        start = parse_vn_datetime_result("14h 19/12/2026", clock().astimezone(TZ)).value
        assert start is not None
        plan = plan_meeting(
            session,
            actor(session, "DV001"),
            cell_id(session),
            kind="thuong_ky",
            starts_at=start,
            place=" Hội trường tầng 2 ",
            now=clock(),
        )
        assert plan.ends_at - plan.starts_at == timedelta(minutes=90)
        assert plan.place == "Hội trường tầng 2"
        assert "Thứ Bảy, 19/12/2026, 14:00–15:30" in plan.invitation
        assert "Chi bộ Văn phòng Sở" in plan.invitation
        assert "1. Khai mạc" in plan.invitation
        assert plan.warnings == ()
        count = session.exec(select(sa.func.count()).select_from(Meeting)).one()
    assert count == 0


def test_schedule_stores_utc_puts_cell_on_roll_and_invites(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        link(session, clock(), "DV003", "DV004", "DV001")
        meeting = schedule(session, clock())
        meeting_id = meeting.id
    with demo.session() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        assert meeting.starts_at == datetime(2026, 12, 19, 7, 0, tzinfo=ZoneInfo("UTC"))
        assert meeting.regular_month == "2026-12"
        assert meeting.status == MeetingStatus.SCHEDULED
        roll = session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
        by_code = {find_member_code(session, r.member_id): r for r in roll}
        assert len(roll) == 8
        assert by_code["DV005"].member_status == "du_bi"
        assert by_code["DV007"].member_status == "mien"
        assert by_code["DV001"].answer == "se_du"  # the convener attends
        invites = session.exec(select(Delivery).where(Delivery.kind == "meeting_invite")).all()
        # Only linked members get a message, and never the convener.
        assert {find_member_code(session, d.member_id) for d in invites} == {"DV003", "DV004"}
        payload = invites[0].payload
        assert "Hội trường tầng 2" in payload["text"]
        assert [o["id"] for o in payload["options"]] == [
            f"mtg:{meeting_id}:yes",
            f"mtg:{meeting_id}:no",
        ]
        assert [o["label"] for o in payload["options"]] == ["Sẽ dự", "Xin vắng"]
        assert all(d.status == "pending" for d in invites)
        audit = session.exec(select(AuditLog).where(AuditLog.action == "meeting.scheduled")).one()
        assert audit.entity_id == str(meeting_id)


def find_member_code(session: Session, member_id: int | None) -> str:
    from models import Member

    member = session.get(Member, member_id)
    assert member is not None
    return member.code


def test_unparseable_date_is_explained_before_anything_is_saved(clock: FakeClock) -> None:
    now_local = clock().astimezone(TZ)
    for text, fragment in [
        ("35/12 14h", "không có trên lịch"),
        ("thứ 6 tuần sau", "Thiếu giờ"),
        ("họp ở hội trường", "Chưa hiểu phần"),
    ]:
        result = parse_vn_datetime_result(text, now_local)
        assert result.value is None
        assert fragment in result.message


def test_meeting_in_the_past_is_refused(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        with pytest.raises(UserError) as refused:
            schedule(session, clock(), starts_at=local(20, 11, 8))
        assert "đã qua" in refused.value.message
        assert "20/11/2026" in refused.value.message
        with pytest.raises(UserError):
            schedule(session, clock(), starts_at=clock())  # "now" is not the future either


def test_meeting_shorter_than_ninety_minutes_is_refused(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        with pytest.raises(UserError) as refused:
            schedule(session, clock(), minutes=89)
        assert refused.value.message == meeting_texts.MTG_TOO_SHORT.format(
            kind="thường kỳ", minimum=90, actual=89
        )
        assert "Chỉ thị 50-CT/TW" in refused.value.message
        # 90 minutes is enough for a regular meeting…
        assert schedule(session, clock(), minutes=90).id is not None


def test_combined_meeting_needs_120_minutes(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        with pytest.raises(UserError) as refused:
            schedule(session, clock(), kind=MeetingKind.COMBINED, minutes=100, topic="Học Bác")
        assert "ít nhất 120 phút" in refused.value.message
        meeting = schedule(session, clock(), kind=MeetingKind.COMBINED, minutes=None, topic="X")
        assert meeting.ends_at - meeting.starts_at == timedelta(minutes=120)
        assert meeting.regular_month == "2026-12"  # it is the month's regular meeting


def test_end_before_start_is_refused(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        with pytest.raises(UserError) as refused:
            schedule(session, clock(), minutes=-30)
        assert refused.value.message == meeting_texts.MTG_END_BEFORE_START


def test_second_regular_meeting_in_a_month_is_refused(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        schedule(session, clock(), starts_at=local(3, 12, 8))
        with pytest.raises(UserError) as refused:
            schedule(session, clock(), starts_at=local(28, 12, 8))
        assert "tháng 12/2026" in refused.value.message
        assert "08:00 Thứ Năm, 03/12/2026" in refused.value.message
        with pytest.raises(UserError):  # a combined meeting is a regular one too
            schedule(
                session, clock(), kind=MeetingKind.COMBINED, starts_at=local(28, 12, 8), topic="X"
            )
        # A thematic meeting in the same month, another cell, or the next month are fine.
        schedule(session, clock(), kind=MeetingKind.THEMATIC, starts_at=local(28, 12, 8), topic="Y")
        schedule(session, clock(), code="DV009", cell=CELL_SCHOOLS, starts_at=local(10, 12, 8))
        schedule(session, clock(), starts_at=local(7, 1, 8, year=2027))


def test_month_is_the_local_month_not_the_utc_one(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        # 01/12 06:00 in Hà Nội is still 30/11 in UTC: it is December's meeting.
        december = schedule(session, clock(), starts_at=local(1, 12, 6))
        assert december.starts_at.day == 30
        assert december.regular_month == "2026-12"
        november = schedule(session, clock(), starts_at=local(30, 11, 14))
        assert november.regular_month == "2026-11"


def test_database_also_guards_one_regular_meeting_a_month(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        first = schedule(session, clock())
        values = first.model_dump(exclude={"id"})
    with pytest.raises(sa.exc.IntegrityError), demo.session() as session:
        session.add(Meeting(**values))
        session.flush()


def test_cancelled_regular_meeting_frees_its_month(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        link(session, clock(), "DV003")
        meeting = schedule(session, clock())
        assert meeting.id is not None
        with pytest.raises(UserError) as no_reason:
            cancel_meeting(session, actor(session, "DV001"), meeting.id, reason=" ", now=clock())
        assert no_reason.value.message == meeting_texts.MTG_CANCEL_NO_REASON
        cancel_meeting(
            session, actor(session, "DV002"), meeting.id, reason="Trùng lịch họp Sở", now=clock()
        )
        assert meeting.status == MeetingStatus.CANCELLED and meeting.regular_month is None
        notice = session.exec(select(Delivery).where(Delivery.kind == "meeting_cancelled")).one()
        assert "Trùng lịch họp Sở" in notice.payload["text"]
        again = schedule(session, clock(), starts_at=local(20, 12, 14))
        assert again.regular_month == "2026-12"
        with pytest.raises(UserError) as twice:
            cancel_meeting(session, actor(session, "DV001"), meeting.id, reason="x", now=clock())
        assert twice.value.message == meeting_texts.MTG_IS_CANCELLED


def test_thematic_meeting_needs_a_topic_and_every_meeting_a_place(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        with pytest.raises(UserError) as no_topic:
            schedule(session, clock(), kind=MeetingKind.THEMATIC)
        assert no_topic.value.message == meeting_texts.MTG_NO_TOPIC
        with pytest.raises(UserError) as no_place:
            plan_meeting(
                session,
                actor(session, "DV001"),
                cell_id(session),
                kind=MeetingKind.REGULAR,
                starts_at=local(19, 12, 14),
                place="  ",
                now=clock(),
            )
        assert no_place.value.message == meeting_texts.MTG_NO_PLACE


def test_member_cannot_schedule(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        with pytest.raises(Forbidden) as refused:
            schedule(session, clock(), code="DV003")
        assert refused.value.message == texts.FORBIDDEN_SECRETARY
        with pytest.raises(Forbidden):
            schedule(session, clock(), code="DV005")


def test_secretary_cannot_act_on_another_cells_meeting(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        with pytest.raises(Forbidden) as refused:
            schedule(session, clock(), code="DV009")  # DV009 leads the schools cell
        assert refused.value.message == texts.FORBIDDEN_OTHER_CELL
        meeting = schedule(session, clock())
        assert meeting.id is not None
        other = actor(session, "DV009")
        with pytest.raises(Forbidden):
            update_agenda(session, other, meeting.id, ["Khai mạc"], now=clock())
        with pytest.raises(Forbidden):
            cancel_meeting(session, other, meeting.id, reason="x", now=clock())
        with pytest.raises(Forbidden):
            add_document(session, other, meeting.id, title="Dự thảo", file_ref="f", now=clock())
        with pytest.raises(Forbidden):
            cell_meetings(session, other, cell_id(session))


def test_deputy_schedules_and_committee_only_reads(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock(), code="DV002")
        committee = actor(session, "DV016")
        assert [m.id for m in cell_meetings(session, committee, cell_id(session))] == [meeting.id]
        with pytest.raises(Forbidden):
            schedule(session, clock(), code="DV016", starts_at=local(7, 1, 8, year=2027))
        with pytest.raises(Forbidden):
            cell_meetings(session, actor(session, "DV003"), cell_id(session))


def test_agenda_is_editable_until_the_meeting(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        update_agenda(
            session, secretary, meeting.id, ["Khai mạc", " ", "Bàn kế hoạch năm 2027"], now=clock()
        )
        assert meeting.agenda == ["Khai mạc", "Bàn kế hoạch năm 2027"]
        with pytest.raises(UserError) as empty:
            update_agenda(session, secretary, meeting.id, ["  "], now=clock())
        assert empty.value.message == meeting_texts.MTG_AGENDA_EMPTY
        clock.now = meeting.starts_at + timedelta(minutes=5)
        with pytest.raises(UserError) as late:
            update_agenda(session, secretary, meeting.id, ["Khác"], now=clock())
        assert late.value.message == meeting_texts.MTG_ALREADY_HELD


def test_documents_a_day_ahead_raise_no_warning(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        link(session, clock(), "DV003")
        meeting = schedule(session, clock())
        assert meeting.id is not None
        document, warnings = add_document(
            session,
            actor(session, "DV001"),
            meeting.id,
            title="Dự thảo nghị quyết tháng 12",
            file_ref="tg:BQACAgUAAxkBAAIB",
            now=clock(),
        )
        assert warnings == []
        assert document.posted_at == clock()
        sent = session.exec(select(Delivery).where(Delivery.kind == "meeting_document")).one()
        assert sent.payload["file"] == {"ref": "tg:BQACAgUAAxkBAAIB", "kind": "document"}
        assert "Dự thảo nghị quyết tháng 12" in sent.payload["text"]


def test_late_or_missing_documents_warn_the_secretary(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        # Three weeks ahead: nothing to say yet.
        assert document_warnings(session, meeting, now=clock()) == []
        # Two days before with nothing posted: the deadline (one day before) is near.
        clock.now = meeting.starts_at - timedelta(hours=30)
        missing = document_warnings(session, meeting, now=clock())
        assert missing == [
            meeting_texts.MTG_DOCS_MISSING.format(deadline="14:00 Thứ Sáu, 18/12/2026")
        ]
        # Posted the morning of the meeting: recorded, but the secretary is told it is late.
        clock.now = meeting.starts_at - timedelta(hours=5)
        _doc, warnings = add_document(
            session,
            actor(session, "DV001"),
            meeting.id,
            title="Báo cáo tháng",
            file_ref="x",
            now=clock(),
        )
        assert len(warnings) == 1
        assert "“Báo cáo tháng”" in warnings[0] and "chưa đủ 1 ngày" in warnings[0]


def test_meeting_tomorrow_warns_at_planning(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        plan = plan_meeting(
            session,
            actor(session, "DV001"),
            cell_id(session),
            kind=MeetingKind.REGULAR,
            starts_at=local(27, 11, 8),
            place="Phòng họp",
            now=clock(),
        )
        assert len(plan.warnings) == 1 and "chưa gửi tài liệu" in plan.warnings[0]


def test_members_see_upcoming_meetings_of_their_cell(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        ours = schedule(session, clock())
        schedule(session, clock(), code="DV009", cell=CELL_SCHOOLS)
        member = actor(session, "DV003")
        assert [m.id for m in upcoming_meetings(session, member, now=clock())] == [ours.id]
        clock.now = ours.ends_at + timedelta(minutes=1)
        assert upcoming_meetings(session, member, now=clock()) == []
