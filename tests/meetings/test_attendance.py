"""Attendance: answers, check-in codes (stale, wrong, guessed), statuses, absence flags."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from models import (
    Attendance,
    AttendanceStatus,
    CheckinAttempt,
    CheckinOutcome,
    Database,
    Delivery,
    Meeting,
    MeetingKind,
    Unit,
)
from services import texts
from services.auth import Actor, load_actor
from services.demo import CELL_OFFICE, CELL_SCHOOLS
from services.errors import Forbidden, UserError
from services.identities import find_member, local_identity
from services.meetings import texts as meeting_texts
from services.meetings.attendance import (
    absence_flags,
    answer_invitation,
    answers_overview,
    check_in,
    close_attendance,
    looks_like_checkin_code,
    open_checkin,
    roll_call,
    set_status,
)
from services.meetings.planning import CellMonthRules, schedule_meeting
from tests.support import FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None
    return load_actor(session, member)


def member_id(session: Session, code: str) -> int:
    member = find_member(session, code)
    assert member is not None and member.id is not None
    return member.id


def local(day: int, month: int, hour: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=TZ)


def schedule(
    session: Session,
    now: datetime,
    start: datetime | None = None,
    *,
    kind: MeetingKind = MeetingKind.REGULAR,
    code: str = "DV001",
    cell: str = CELL_OFFICE,
) -> Meeting:
    unit = session.exec(select(Unit).where(Unit.name == cell)).one()
    assert unit.id is not None
    meeting, _plan = schedule_meeting(
        session,
        actor(session, code),
        unit.id,
        kind=kind,
        starts_at=start or local(19, 12, 14),
        place="Hội trường",
        topic="Chuyên đề" if kind is not MeetingKind.REGULAR else None,
        now=now,
    )
    assert meeting.id is not None
    return meeting


def status_of(session: Session, meeting: Meeting, code: str) -> str | None:
    row = session.exec(
        select(Attendance)
        .where(Attendance.meeting_id == meeting.id)
        .where(Attendance.member_id == member_id(session, code))
    ).one()
    return row.status


# --- Answers ----------------------------------------------------------------------------------


def test_members_answer_and_secretary_sees_who_said_what(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        _row, reply = answer_invitation(
            session, actor(session, "DV003"), meeting.id, attend=True, now=clock()
        )
        assert reply == meeting_texts.ATT_ANSWERED_YES.format(when="14:00 Thứ Bảy, 19/12/2026")
        with pytest.raises(UserError) as no_reason:
            answer_invitation(
                session, actor(session, "DV004"), meeting.id, attend=False, reason=" ", now=clock()
            )
        assert no_reason.value.message == meeting_texts.ATT_REASON_REQUIRED
        _row, reply = answer_invitation(
            session,
            actor(session, "DV004"),
            meeting.id,
            attend=False,
            reason="Đi công tác Hà Nội",
            now=clock(),
        )
        assert "Đi công tác Hà Nội" in reply
        # Changing one's mind is allowed before the meeting.
        answer_invitation(
            session, actor(session, "DV006"), meeting.id, attend=False, reason="Ốm", now=clock()
        )
        answer_invitation(session, actor(session, "DV006"), meeting.id, attend=True, now=clock())

        overview = answers_overview(session, actor(session, "DV002"), meeting.id)
        # Sorted the Vietnamese way, by given name.
        assert [x.name for x in overview.attending] == [
            "Nguyễn Văn An",
            "Lê Văn Cường",
            "Vũ Thị Giang",
        ]
        assert [(x.name, x.answer_reason) for x in overview.absent] == [
            ("Phạm Thị Dung", "Đi công tác Hà Nội")
        ]
        # Exempt DV007 need not answer; everyone else who has not is listed.
        assert [x.name for x in overview.unanswered] == [
            "Trần Thị Bình",
            "Hoàng Văn Em",
            "Bùi Thị Hoa",
        ]
        committee = answers_overview(session, actor(session, "DV016"), meeting.id)
        assert len(committee.unanswered) == 3


def test_answers_close_when_the_meeting_starts(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        clock.now = meeting.starts_at
        with pytest.raises(UserError) as late:
            answer_invitation(
                session, actor(session, "DV003"), meeting.id, attend=True, now=clock()
            )
        assert late.value.message == meeting_texts.ATT_ANSWER_CLOSED


def test_a_member_already_present_cannot_ask_leave(demo: Database, clock: FakeClock) -> None:
    """A check-in (or the secretary's "present") wins over a later "xin vắng": otherwise the
    answers would say absent while the roll says present."""
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        clock.now = meeting.starts_at - timedelta(minutes=15)  # check-in opens an hour before
        code, _ = open_checkin(session, secretary, meeting.id, now=clock())
        check_in(session, actor(session, "DV003"), code.code, now=clock())
        set_status(
            session, secretary, meeting.id, member_id(session, "DV004"), "co_mat", now=clock()
        )
        for who in ("DV003", "DV004"):
            with pytest.raises(UserError) as refused:
                answer_invitation(
                    session,
                    actor(session, who),
                    meeting.id,
                    attend=False,
                    reason="Ốm",
                    now=clock(),
                )
            assert refused.value.message == meeting_texts.ATT_LEAVE_AFTER_CHECKIN
            row = session.exec(
                select(Attendance)
                .where(Attendance.meeting_id == meeting.id)
                .where(Attendance.member_id == member_id(session, who))
            ).one()
            assert (row.answer, row.status) == (None, "co_mat")
        # "Sẽ dự" agrees with the roll and is taken; a member not yet present may still ask.
        answer_invitation(session, actor(session, "DV003"), meeting.id, attend=True, now=clock())
        _row, reply = answer_invitation(
            session, actor(session, "DV006"), meeting.id, attend=False, reason="Ốm", now=clock()
        )
        assert "Ốm" in reply


def test_only_the_cells_members_answer_and_only_managers_see_answers(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        with pytest.raises(Forbidden) as outsider:
            answer_invitation(
                session, actor(session, "DV010"), meeting.id, attend=True, now=clock()
            )
        assert outsider.value.message == meeting_texts.ATT_NOT_IN_CELL
        with pytest.raises(Forbidden) as member:
            answers_overview(session, actor(session, "DV003"), meeting.id)
        assert member.value.message == texts.FORBIDDEN_SECRETARY
        with pytest.raises(Forbidden) as other_secretary:
            roll_call(session, actor(session, "DV009"), meeting.id)
        assert other_secretary.value.message == texts.FORBIDDEN_OTHER_CELL


# --- Check-in ---------------------------------------------------------------------------------


def test_code_shape() -> None:
    assert looks_like_checkin_code("4821")
    assert looks_like_checkin_code(" 48 21 ")
    assert not looks_like_checkin_code("482")
    assert not looks_like_checkin_code("48210")
    assert not looks_like_checkin_code("ABCD")


def test_checkin_marks_present_with_the_live_code(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        clock.now = meeting.starts_at - timedelta(hours=2)
        with pytest.raises(UserError) as early:
            open_checkin(session, secretary, meeting.id, now=clock())
        assert "13:00 Thứ Bảy, 19/12/2026" in early.value.message
        clock.now = meeting.starts_at - timedelta(minutes=10)
        code, reply = open_checkin(session, secretary, meeting.id, now=clock())
        assert len(code.code) == 4 and code.code.isdigit()
        assert code.code in reply and "14:05" in reply  # 15 minutes of validity, local time
        result = check_in(session, actor(session, "DV003"), f" {code.code} ", now=clock())
        assert result.outcome is CheckinOutcome.PRESENT
        assert result.meeting is not None and result.meeting.id == meeting.id
        assert "14:00 Thứ Bảy, 19/12/2026" in result.message
        assert status_of(session, meeting, "DV003") == AttendanceStatus.PRESENT
        again = check_in(session, actor(session, "DV003"), code.code, now=clock())
        assert again.outcome is CheckinOutcome.ALREADY
        # The probationary member checks in too: attendance is for everyone.
        probationary = check_in(session, actor(session, "DV005"), code.code, now=clock())
        assert probationary.outcome is CheckinOutcome.PRESENT


def test_stale_code_is_refused_and_counts(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        clock.now = meeting.starts_at
        code, _ = open_checkin(session, actor(session, "DV001"), meeting.id, now=clock())
        clock.advance(minutes=16)
        stale = check_in(session, actor(session, "DV004"), code.code, now=clock())
        assert stale.outcome is CheckinOutcome.EXPIRED
        assert stale.message == meeting_texts.ATT_CHECKIN_EXPIRED.format(left=2)
        assert status_of(session, meeting, "DV004") is None
        # A new code makes the previous one stale at once, even inside its 15 minutes.
        first, _ = open_checkin(session, actor(session, "DV002"), meeting.id, now=clock())
        second, _ = open_checkin(session, actor(session, "DV002"), meeting.id, now=clock())
        if first.code != second.code:
            replaced = check_in(session, actor(session, "DV006"), first.code, now=clock())
            assert replaced.outcome is CheckinOutcome.EXPIRED
        ok = check_in(session, actor(session, "DV004"), second.code, now=clock())
        assert ok.outcome is CheckinOutcome.PRESENT


def test_guessing_locks_the_member_out(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        clock.now = meeting.starts_at
        code, _ = open_checkin(session, actor(session, "DV001"), meeting.id, now=clock())
        guesser = actor(session, "DV008")
        wrong = [f"{(int(code.code) + i) % 10000:04d}" for i in (1, 2, 3)]
        first = check_in(session, guesser, wrong[0], now=clock())
        assert first.outcome is CheckinOutcome.WRONG
        assert first.message == meeting_texts.ATT_CHECKIN_WRONG.format(left=2)
        assert check_in(session, guesser, wrong[1], now=clock()).attempts_left == 1
        third = check_in(session, guesser, wrong[2], now=clock())
        assert third.outcome is CheckinOutcome.WRONG
        assert third.message == meeting_texts.ATT_CHECKIN_LOCKED.format(limit=3)
        # Even the right code no longer works for this member at this meeting.
        locked = check_in(session, guesser, code.code, now=clock())
        assert locked.outcome is CheckinOutcome.LOCKED
        assert status_of(session, meeting, "DV008") is None
        attempts = session.exec(
            select(CheckinAttempt).where(CheckinAttempt.member_id == guesser.member_id)
        ).all()
        assert [a.outcome for a in attempts] == ["wrong", "wrong", "wrong", "locked"]
        # Others are not affected, and the secretary can still record the member present.
        assert check_in(session, actor(session, "DV006"), code.code, now=clock()).outcome is (
            CheckinOutcome.PRESENT
        )
        set_status(
            session,
            actor(session, "DV001"),
            meeting.id,
            member_id(session, "DV008"),
            AttendanceStatus.PRESENT,
            now=clock(),
        )
        assert status_of(session, meeting, "DV008") == AttendanceStatus.PRESENT


def test_wrong_attempts_are_kept_when_the_request_commits(demo: Database, clock: FakeClock) -> None:
    """Outcomes are returned, not raised, so each attempt survives its own transaction."""
    with demo.session() as session:
        meeting = schedule(session, clock())
        start = meeting.starts_at
    clock.now = start
    with demo.session() as session:
        code, _ = open_checkin(session, actor(session, "DV001"), meeting.id or 0, now=clock())
    wrong = f"{(int(code.code) + 5) % 10000:04d}"
    for _ in range(3):
        with demo.session() as session:
            check_in(session, actor(session, "DV003"), wrong, now=clock())
    with demo.session() as session:
        result = check_in(session, actor(session, "DV003"), code.code, now=clock())
    assert result.outcome is CheckinOutcome.LOCKED


def test_limits_are_configurable(demo: Database, clock: FakeClock) -> None:
    rules = CellMonthRules(checkin_ttl=timedelta(minutes=5), checkin_wrong_limit=1)
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        clock.now = meeting.starts_at
        code, _ = open_checkin(
            session, actor(session, "DV001"), meeting.id, now=clock(), rules=rules
        )
        assert code.expires_at == clock() + timedelta(minutes=5)
        wrong = f"{(int(code.code) + 1) % 10000:04d}"
        first = check_in(session, actor(session, "DV003"), wrong, now=clock(), rules=rules)
        assert first.message == meeting_texts.ATT_CHECKIN_LOCKED.format(limit=1)


def test_checkin_needs_an_open_meeting_of_ones_own_cell(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        clock.now = meeting.starts_at
        code, _ = open_checkin(session, actor(session, "DV001"), meeting.id, now=clock())
        # A member of another cell has no meeting open, and cannot name ours either.
        outsider = actor(session, "DV010")
        none = check_in(session, outsider, code.code, now=clock())
        assert none.outcome is CheckinOutcome.NONE_OPEN
        assert none.message == meeting_texts.ATT_CHECKIN_NONE_OPEN
        with pytest.raises(Forbidden):
            check_in(session, outsider, code.code, now=clock(), meeting_id=meeting.id)
        # Long after the meeting the window is closed.
        clock.now = meeting.ends_at + timedelta(hours=4)
        late = check_in(session, actor(session, "DV003"), code.code, now=clock())
        assert late.outcome is CheckinOutcome.NONE_OPEN
        with pytest.raises(UserError) as too_late:
            open_checkin(session, actor(session, "DV001"), meeting.id, now=clock())
        assert too_late.value.message == meeting_texts.ATT_CHECKIN_TOO_LATE


def test_member_and_other_secretary_cannot_open_checkin_or_set_status(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        clock.now = meeting.starts_at
        with pytest.raises(Forbidden) as member:
            open_checkin(session, actor(session, "DV003"), meeting.id, now=clock())
        assert member.value.message == texts.FORBIDDEN_SECRETARY
        with pytest.raises(Forbidden) as other:
            open_checkin(session, actor(session, "DV009"), meeting.id, now=clock())
        assert other.value.message == texts.FORBIDDEN_OTHER_CELL
        target = member_id(session, "DV004")
        for code in ("DV003", "DV009", "DV016"):
            with pytest.raises(Forbidden):
                set_status(session, actor(session, code), meeting.id, target, "co_mat", now=clock())


# --- Statuses ---------------------------------------------------------------------------------


def test_secretary_sets_any_status(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        for code, status in [
            ("DV003", "co_mat"),
            ("DV004", "vang_co_phep"),
            ("DV006", "vang_khong_phep"),
            ("DV007", "mien_sinh_hoat"),
        ]:
            set_status(
                session, secretary, meeting.id, member_id(session, code), status, now=clock()
            )
        lines = {x.name: x.status for x in roll_call(session, secretary, meeting.id)}
        assert lines["Lê Văn Cường"] == "co_mat"
        assert lines["Phạm Thị Dung"] == "vang_co_phep"
        assert lines["Vũ Thị Giang"] == "vang_khong_phep"
        assert lines["Đặng Văn Hải"] == "mien_sinh_hoat"
        with pytest.raises(UserError) as bad:
            set_status(
                session, secretary, meeting.id, member_id(session, "DV003"), "tre", now=clock()
            )
        assert bad.value.message == meeting_texts.ATT_BAD_STATUS
        with pytest.raises(UserError) as outsider:
            set_status(
                session, secretary, meeting.id, member_id(session, "DV010"), "co_mat", now=clock()
            )
        assert outsider.value.message == meeting_texts.ATT_NOT_ON_ROLL


def test_closing_the_roll_fills_blanks(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        answer_invitation(
            session, actor(session, "DV004"), meeting.id, attend=False, reason="Ốm", now=clock()
        )
        secretary = actor(session, "DV001")
        with pytest.raises(UserError) as early:
            close_attendance(session, secretary, meeting.id, now=clock())
        assert early.value.message == meeting_texts.ATT_CLOSE_TOO_EARLY
        clock.now = meeting.starts_at
        code, _ = open_checkin(session, secretary, meeting.id, now=clock())
        for who in ("DV001", "DV002", "DV003", "DV005", "DV006"):
            check_in(session, actor(session, who), code.code, now=clock())
        lines = {x.name: x for x in close_attendance(session, secretary, meeting.id, now=clock())}
        assert lines["Phạm Thị Dung"].status == "vang_co_phep"
        assert lines["Phạm Thị Dung"].status_reason == "Ốm"
        assert lines["Đặng Văn Hải"].status == "mien_sinh_hoat"
        assert lines["Bùi Thị Hoa"].status == "vang_khong_phep"
        assert lines["Lê Văn Cường"].status == "co_mat"
        assert meeting.attendance_closed_at == clock()


# --- Absence flags (Điều lệ Đảng, Article 8) --------------------------------------------------


def _absent(session: Session, meeting: Meeting, code: str, now: datetime) -> None:
    assert meeting.id is not None
    set_status(
        session,
        actor(session, "DV001"),
        meeting.id,
        member_id(session, code),
        AttendanceStatus.ABSENT_WITHOUT_LEAVE,
        now=now,
    )


def test_two_unexcused_months_flag_the_member_privately(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        for code in ("DV001", "DV002", "DV008"):
            local_identity(session, find_member(session, code), now=clock())  # type: ignore[arg-type]
        december = schedule(session, clock(), local(10, 12, 8))
        january = schedule(session, clock(), local(14, 1, 8, 2027))
        thematic = schedule(session, clock(), local(20, 1, 8, 2027), kind=MeetingKind.THEMATIC)
        february = schedule(session, clock(), local(11, 2, 8, 2027))

        clock.now = december.ends_at
        _absent(session, december, "DV008", clock())
        assert absence_flags(session, actor(session, "DV001"), december.cell_id, now=clock()) == []
        assert session.exec(select(Delivery).where(Delivery.kind == "absence_flag")).all() == []

        clock.now = thematic.ends_at
        _absent(session, january, "DV008", clock())
        _absent(session, thematic, "DV008", clock())  # same month: still two months
        flags = absence_flags(session, actor(session, "DV002"), december.cell_id, now=clock())
        assert len(flags) == 1
        flag = flags[0]
        assert (flag.name, flag.months, flag.reaches_removal) == ("Bùi Thị Hoa", 2, False)
        assert [m.id for m in flag.meetings] == [december.id, january.id, thematic.id]
        notes = session.exec(
            select(Delivery).where(Delivery.kind == "absence_flag").order_by(Delivery.id)
        ).all()
        # Only the secretary is told (not the member, not the deputy), once per meeting.
        assert {n.member_id for n in notes} == {member_id(session, "DV001")}
        assert len(notes) == 2
        assert "10/12/2026, 14/01/2027, 20/01/2027" in notes[-1].payload["text"]
        assert "Điều 8" in notes[-1].payload["text"]

        clock.now = february.ends_at
        _absent(session, february, "DV008", clock())
        _absent(session, february, "DV008", clock())  # setting it again sends nothing new
        flags = absence_flags(session, actor(session, "DV001"), december.cell_id, now=clock())
        assert flags[0].months == 3 and flags[0].reaches_removal
        last = session.exec(
            select(Delivery)
            .where(Delivery.kind == "absence_flag")
            .where(Delivery.ref_id == february.id)
        ).all()
        assert len(last) == 1
        assert "xem xét xóa tên" in last[0].payload["text"]

        # Thirteen months later the window has moved on.
        later = clock() + timedelta(days=400)
        assert absence_flags(session, actor(session, "DV001"), december.cell_id, now=later) == []


def test_excused_absences_and_cancelled_meetings_do_not_count(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        december = schedule(session, clock(), local(10, 12, 8))
        january = schedule(session, clock(), local(14, 1, 8, 2027))
        clock.now = january.ends_at
        assert december.id is not None
        _absent(session, december, "DV006", clock())
        set_status(
            session,
            actor(session, "DV001"),
            january.id or 0,
            member_id(session, "DV006"),
            AttendanceStatus.ABSENT_WITH_LEAVE,
            reason="Nằm viện",
            now=clock(),
        )
        assert absence_flags(session, actor(session, "DV001"), december.cell_id, now=clock()) == []


def test_absence_flags_are_for_the_cells_leaders_only(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        office = session.exec(select(Unit).where(Unit.name == CELL_OFFICE)).one()
        schools = session.exec(select(Unit).where(Unit.name == CELL_SCHOOLS)).one()
        assert office.id is not None and schools.id is not None
        for code in ("DV003", "DV016", "DV009"):
            with pytest.raises(Forbidden):
                absence_flags(session, actor(session, code), office.id, now=clock())
        assert absence_flags(session, actor(session, "DV009"), schools.id, now=clock()) == []
