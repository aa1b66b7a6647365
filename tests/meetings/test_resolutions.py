"""After the meeting: the vote and its denominator, the quality score, publishing, tasks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from models import (
    AttendanceStatus,
    AuditLog,
    Database,
    Delivery,
    Meeting,
    QualityBand,
    Unit,
    VoteExclusion,
)
from services import texts
from services.auth import Actor, load_actor
from services.demo import CELL_OFFICE
from services.errors import Forbidden, UserError
from services.identities import find_member, local_identity
from services.meetings import texts as meeting_texts
from services.meetings.attendance import set_status, set_vote_exclusion
from services.meetings.planning import schedule_meeting
from services.meetings.resolutions import (
    QUALITY_CRITERIA,
    assign_task,
    attendance_subscore,
    cell_tasks,
    complete_task,
    get_resolution,
    my_tasks,
    overdue_tasks,
    publish_resolution,
    quality_band,
    record_resolution,
    record_vote,
    score_meeting,
    suggest_attendance_score,
    voters_for,
)
from tests.support import FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICIAL = ("DV001", "DV002", "DV003", "DV004", "DV006", "DV008")
FULL_SHEET = {
    "time": 5,
    "attendance": 4,
    "preparation": 9,
    "conduct": 36,
    "principles": 5,
    "results": 27,
    "closing": 5,
}


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None
    return load_actor(session, member)


def member_id(session: Session, code: str) -> int:
    member = find_member(session, code)
    assert member is not None and member.id is not None
    return member.id


def held_meeting(session: Session, clock: FakeClock, statuses: dict[str, str]) -> Meeting:
    """A regular meeting of the office cell, now under way, with the given statuses."""
    cell = session.exec(select(Unit).where(Unit.name == CELL_OFFICE)).one()
    assert cell.id is not None
    meeting, _ = schedule_meeting(
        session,
        actor(session, "DV001"),
        cell.id,
        kind="thuong_ky",
        starts_at=datetime(2026, 12, 19, 14, 0, tzinfo=TZ),
        ends_at=datetime(2026, 12, 19, 16, 0, tzinfo=TZ),
        place="Hội trường",
        now=clock(),
    )
    assert meeting.id is not None
    clock.now = meeting.starts_at + timedelta(minutes=100)
    secretary = actor(session, "DV001")
    for code, status in statuses.items():
        set_status(session, secretary, meeting.id, member_id(session, code), status, now=clock())
    return meeting


# Everyone present except DV008 (excused); probationary DV005 present; exempt DV007 absent.
TYPICAL = {
    **{code: "co_mat" for code in OFFICIAL if code != "DV008"},
    "DV008": "vang_co_phep",
    "DV005": "co_mat",
    "DV007": "mien_sinh_hoat",
}


# --- Pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (100, QualityBand.GOOD),
        (90, QualityBand.GOOD),
        (89, QualityBand.FAIR),
        (70, QualityBand.FAIR),
        (69, QualityBand.AVERAGE),
        (50, QualityBand.AVERAGE),
        (49, QualityBand.POOR),
        (0, QualityBand.POOR),
    ],
)
def test_quality_bands(total: int, band: QualityBand) -> None:
    assert quality_band(total) is band


def test_sheet_adds_up_to_100() -> None:
    assert sum(QUALITY_CRITERIA.values()) == 100
    assert QUALITY_CRITERIA["conduct"] == 40 and QUALITY_CRITERIA["results"] == 30


@pytest.mark.parametrize(
    ("present", "expected", "unexcused", "score"),
    [
        (10, 10, False, 4),
        (9, 10, False, 4),  # exactly 90 %
        (8, 10, False, 3),
        (3, 4, False, 3),  # exactly 75 %
        (13, 20, False, 2),  # exactly 65 %
        (16, 25, False, 1),  # 64 %
        (10, 10, True, 1),  # any absence without leave
        (0, 0, False, 1),
    ],
)
def test_attendance_subscore(present: int, expected: int, unexcused: bool, score: int) -> None:
    assert attendance_subscore(present, expected, unexcused) == score


# --- The vote ---------------------------------------------------------------------------------


def test_denominator_follows_the_rules(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        voters = voters_for(session, actor(session, "DV001"), meeting.id)
        # Six official members convened (exempt DV007 absent: left out); five of them present;
        # the probationary member is present but does not count.
        assert (voters.convened, voters.eligible_present, voters.probationary_present) == (6, 5, 1)
        assert voters.needed == 4
        secretary = actor(session, "DV001")
        # An exempt member who comes counts, both above and below the line.
        set_status(
            session, secretary, meeting.id, member_id(session, "DV007"), "co_mat", now=clock()
        )
        voters = voters_for(session, secretary, meeting.id)
        assert (voters.convened, voters.eligible_present) == (7, 6)
        # A member on temporary transfer leaves the denominator.
        set_vote_exclusion(
            session,
            secretary,
            meeting.id,
            member_id(session, "DV008"),
            VoteExclusion.TEMPORARY_TRANSFER,
            now=clock(),
        )
        assert voters_for(session, secretary, meeting.id).convened == 6


def test_vote_passes_with_more_than_half_of_those_convened(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        half = record_vote(
            session,
            secretary,
            meeting.id,
            votes_for=3,
            votes_against=1,
            votes_abstain=1,
            now=clock(),
        )
        # 3 of 6 is not more than half.
        assert not half.passed
        assert "chưa được thông qua" in half.message and "ít nhất 4" in half.message
        # A second vote on the same text is recorded only when the secretary confirms it.
        passed = record_vote(
            session,
            secretary,
            meeting.id,
            votes_for=4,
            votes_against=1,
            total=5,
            again=True,
            now=clock(),
        )
        assert passed.passed
        assert passed.message == meeting_texts.RES_VOTE_RESULT.format(
            for_=4, against=1, abstain=0, convened=6, outcome=texts.RES_PASSED
        )
        resolution = passed.resolution
        assert (resolution.votes_for, resolution.convened, resolution.eligible_present) == (4, 6, 5)
        assert resolution.passed is True and resolution.voted_at == clock()
        assert (half.vote.number, passed.vote.number) == (1, 2)
        assert passed.vote.version_id == half.vote.version_id  # both on the one text
        audit = session.exec(
            select(AuditLog).where(AuditLog.action == "resolution.vote_recorded")
        ).all()
        assert len(audit) == 2 and audit[-1].detail["passed"] is True


def test_probationary_member_is_not_a_voter(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        # Six people present may vote by hand, but only five are official members.
        with pytest.raises(UserError) as refused:
            record_vote(
                session,
                actor(session, "DV001"),
                meeting.id,
                votes_for=6,
                votes_against=0,
                now=clock(),
            )
        assert refused.value.message == meeting_texts.RES_VOTE_EXCEEDS.format(total=6, eligible=5)
        assert "dự bị không biểu quyết" in refused.value.message


def test_vote_that_does_not_add_up_is_refused(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        with pytest.raises(UserError) as mismatch:
            record_vote(
                session,
                secretary,
                meeting.id,
                votes_for=3,
                votes_against=1,
                votes_abstain=0,
                total=5,
                now=clock(),
            )
        assert mismatch.value.message == meeting_texts.RES_VOTE_MISMATCH.format(
            for_=3, against=1, abstain=0, total=4, stated=5
        )
        with pytest.raises(UserError) as negative:
            record_vote(session, secretary, meeting.id, votes_for=5, votes_against=-1, now=clock())
        assert negative.value.message == meeting_texts.RES_VOTE_NEGATIVE
        with pytest.raises(UserError) as exceeds:
            record_vote(
                session,
                secretary,
                meeting.id,
                votes_for=2,
                votes_against=2,
                votes_abstain=2,
                now=clock(),
            )
        assert "vượt số đảng viên chính thức có mặt" in exceeds.value.message


def test_vote_needs_the_roll_and_the_meeting(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, {})
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        with pytest.raises(UserError) as no_roll:
            record_vote(session, secretary, meeting.id, votes_for=1, votes_against=0, now=clock())
        assert no_roll.value.message == meeting_texts.RES_VOTE_NO_VOTERS
        clock.now = meeting.starts_at - timedelta(minutes=1)
        with pytest.raises(UserError) as early:
            record_vote(session, secretary, meeting.id, votes_for=1, votes_against=0, now=clock())
        assert early.value.message == meeting_texts.RES_NOT_YET_HELD


def test_only_the_cells_leaders_record_outcomes(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        member = actor(session, "DV003")
        with pytest.raises(Forbidden) as refused:
            record_vote(session, member, meeting.id, votes_for=4, votes_against=0, now=clock())
        assert refused.value.message == texts.FORBIDDEN_SECRETARY
        other = actor(session, "DV009")
        with pytest.raises(Forbidden) as other_cell:
            record_resolution(session, other, meeting.id, text="x", now=clock())
        assert other_cell.value.message == texts.FORBIDDEN_OTHER_CELL
        for who in (member, other, actor(session, "DV016")):
            with pytest.raises(Forbidden):
                score_meeting(session, who, meeting.id, FULL_SHEET, now=clock())
        deputy = record_vote(
            session, actor(session, "DV002"), meeting.id, votes_for=5, votes_against=0, now=clock()
        )
        assert deputy.passed


# --- Quality score ----------------------------------------------------------------------------


def test_score_sheet_total_and_band(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        score = score_meeting(session, actor(session, "DV001"), meeting.id, FULL_SHEET, now=clock())
        assert score.total == 91 and score.band is QualityBand.GOOD
        assert score.message == "Chất lượng buổi sinh hoạt: 91/100 điểm, xếp loại Tốt."
        # 6 of 7 expected present (exempt absent left out, probationary included) = 85 %.
        assert score.suggested_attendance == 3
        stored = get_resolution(session, actor(session, "DV003"), meeting.id)
        assert stored is not None
        assert stored.quality_total == 91 and stored.quality_band == "tot"
        assert stored.quality_scores == FULL_SHEET


def test_attendance_criterion_is_computed_when_left_out(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        statuses = {**TYPICAL, "DV008": AttendanceStatus.ABSENT_WITHOUT_LEAVE}
        meeting = held_meeting(session, clock, statuses)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        assert suggest_attendance_score(session, secretary, meeting.id) == 1
        sheet = {k: v for k, v in FULL_SHEET.items() if k != "attendance"}
        score = score_meeting(session, secretary, meeting.id, sheet, now=clock())
        assert score.scores["attendance"] == 1
        assert score.total == 88 and score.band is QualityBand.FAIR


def test_score_sheet_is_checked(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        with pytest.raises(UserError) as too_high:
            score_meeting(
                session, secretary, meeting.id, {**FULL_SHEET, "conduct": 41}, now=clock()
            )
        assert too_high.value.message == meeting_texts.RES_SCORE_RANGE.format(
            label="Tổ chức, điều hành", maximum=40
        )
        with pytest.raises(UserError) as unknown:
            score_meeting(session, secretary, meeting.id, {**FULL_SHEET, "bonus": 5}, now=clock())
        assert "“bonus”" in unknown.value.message
        with pytest.raises(UserError) as missing:
            score_meeting(session, secretary, meeting.id, {"time": 5, "conduct": 30}, now=clock())
        assert "Chuẩn bị" in missing.value.message and "Kết thúc" in missing.value.message
        with pytest.raises(UserError):
            score_meeting(session, secretary, meeting.id, {**FULL_SHEET, "time": -1}, now=clock())


# --- Resolution text and publishing -----------------------------------------------------------


def test_resolution_is_recorded_and_published_once(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        for code in ("DV003", "DV005", "DV010"):
            local_identity(session, find_member(session, code), now=clock())  # type: ignore[arg-type]
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        with pytest.raises(UserError) as empty:
            record_resolution(session, secretary, meeting.id, text="  ", now=clock())
        assert empty.value.message == meeting_texts.RES_NEED_CONTENT
        with pytest.raises(UserError) as nothing:
            publish_resolution(session, secretary, meeting.id, now=clock())
        assert nothing.value.message == meeting_texts.RES_NOTHING_TO_PUBLISH
        record_resolution(
            session,
            secretary,
            meeting.id,
            text="Hoàn thành kế hoạch chuyển đổi số trước 31/12.",
            file_ref="tg:file-42",
            now=clock(),
        )
        record_vote(session, secretary, meeting.id, votes_for=4, votes_against=0, now=clock())
        published = publish_resolution(session, secretary, meeting.id, now=clock())
        assert published.warnings == [] and published.resolution.published_at == clock()
        assert published.recipients == 7 and not published.amendment
        sent = session.exec(select(Delivery).where(Delivery.kind == "resolution")).all()
        assert {d.member_id for d in sent} == {
            member_id(session, "DV003"),
            member_id(session, "DV005"),
        }
        assert "chuyển đổi số" in sent[0].payload["text"]
        assert sent[0].payload["file"]["ref"] == "tg:file-42"
        publish_resolution(session, secretary, meeting.id, now=clock())
        assert len(session.exec(select(Delivery).where(Delivery.kind == "resolution")).all()) == 2


def test_late_publication_warns(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        record_resolution(session, secretary, meeting.id, text="Nghị quyết", now=clock())
        record_vote(session, secretary, meeting.id, votes_for=5, votes_against=0, now=clock())
        clock.now = meeting.ends_at + timedelta(days=3)
        warnings = publish_resolution(session, secretary, meeting.id, now=clock()).warnings
        assert warnings == [
            meeting_texts.RES_PUBLISH_LATE.format(deadline="16:00 Thứ Hai, 21/12/2026")
        ]


# --- Tasks ------------------------------------------------------------------------------------


def test_tasks_have_owners_and_deadlines(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        local_identity(session, find_member(session, "DV003"), now=clock())  # type: ignore[arg-type]
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        task = assign_task(
            session,
            secretary,
            meeting.id,
            owner_member_id=member_id(session, "DV003"),
            title="Rà soát hồ sơ đảng viên",
            due_on=date(2026, 12, 31),
            now=clock(),
        )
        notice = session.exec(select(Delivery).where(Delivery.kind == "task")).one()
        assert notice.ref_id == task.id
        assert "Rà soát hồ sơ đảng viên" in notice.payload["text"]
        assert "31/12/2026" in notice.payload["text"]
        with pytest.raises(UserError) as outsider:
            assign_task(
                session,
                secretary,
                meeting.id,
                owner_member_id=member_id(session, "DV010"),
                title="x",
                due_on=date(2026, 12, 31),
                now=clock(),
            )
        assert outsider.value.message == meeting_texts.RES_TASK_OWNER_OUTSIDE
        with pytest.raises(UserError) as past:
            assign_task(
                session,
                secretary,
                meeting.id,
                owner_member_id=member_id(session, "DV003"),
                title="x",
                due_on=date(2026, 12, 18),
                now=clock(),
            )
        assert past.value.message == meeting_texts.RES_TASK_DUE_PAST.format(due="18/12/2026")
        with pytest.raises(Forbidden):
            assign_task(
                session,
                actor(session, "DV003"),
                meeting.id,
                owner_member_id=member_id(session, "DV003"),
                title="Tự giao",
                due_on=date(2026, 12, 31),
                now=clock(),
            )

        owner = actor(session, "DV003")
        assert [t.id for t in my_tasks(session, owner)] == [task.id]
        assert [t.id for t in cell_tasks(session, actor(session, "DV016"), meeting.cell_id)] == [
            task.id
        ]
        assert overdue_tasks(session, secretary, meeting.cell_id, now=clock()) == []
        later = datetime(2027, 1, 1, 8, 0, tzinfo=TZ)
        assert [t.id for t in overdue_tasks(session, secretary, meeting.cell_id, now=later)] == [
            task.id
        ]
        assert task.id is not None
        with pytest.raises(UserError) as not_owner:
            complete_task(session, actor(session, "DV004"), task.id, now=clock())
        assert not_owner.value.message == meeting_texts.RES_TASK_NOT_OWNER
        done = complete_task(session, owner, task.id, result="Đã rà soát 8 hồ sơ", now=clock())
        assert done.status == "hoan_thanh" and done.done_at == clock()
        assert my_tasks(session, owner) == []
        with pytest.raises(UserError) as twice:
            complete_task(session, secretary, task.id, now=clock())
        assert twice.value.message == meeting_texts.RES_TASK_ALREADY_DONE
