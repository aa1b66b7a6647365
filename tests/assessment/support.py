"""A year of recorded facts for the assessment's tests: meetings and their rolls, tasks, a fee
basis and payments, a study pledge and its review, written straight into the tables the
features keep (their own flows are tested in their slices)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from models import (
    Attendance,
    AttendanceStatus,
    FeePayment,
    FeeProfile,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    StudyPledge,
    StudyPledgeReview,
    Task,
    TaskStatus,
    Unit,
)
from services.auth import Actor, load_actor
from services.identities import find_member
from services.offers import AssessmentCriterion
from services.org import subtree_units

# After the year: the facts of 2026 are complete.
AFTER_2026 = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)


def member(session: Session, code: str) -> Member:
    found = find_member(session, code)
    assert found is not None and found.id is not None
    return found


def actor(session: Session, code: str) -> Actor:
    return load_actor(session, member(session, code))


def criteria() -> tuple[AssessmentCriterion, ...]:
    """The criteria the wired features offer, as the app gathers them."""
    from bot.features import offers
    from services.offers import ASSESSMENT_FACTS

    return offers().of(ASSESSMENT_FACTS)


def meeting(
    session: Session, cell_id: int, day: date, status: str = MeetingStatus.SCHEDULED
) -> Meeting:
    starts = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
    row = Meeting(
        cell_id=cell_id,
        kind=MeetingKind.REGULAR,
        starts_at=starts,
        ends_at=starts.replace(hour=3),
        place="Hội trường",
        status=status,
        regular_month=f"{day:%Y-%m}" if status == MeetingStatus.SCHEDULED else None,
    )
    session.add(row)
    session.flush()
    return row


def roll(session: Session, meeting_row: Meeting, member_row: Member, status: str) -> None:
    assert meeting_row.id is not None and member_row.id is not None
    session.add(
        Attendance(
            meeting_id=meeting_row.id,
            member_id=member_row.id,
            member_status=member_row.status,
            status=status,
        )
    )


def task(
    session: Session,
    owner: Member,
    due: date,
    done: date | None = None,
    status: str | None = None,
) -> None:
    assert owner.id is not None
    session.add(
        Task(
            cell_id=owner.cell_id,
            title=f"Nhiệm vụ hạn {due:%d/%m}",
            owner_member_id=owner.id,
            due_on=due,
            status=status or (TaskStatus.DONE if done else TaskStatus.OPEN),
            done_at=datetime(done.year, done.month, done.day, 2, 0, tzinfo=UTC) if done else None,
        )
    )


def fee_basis(session: Session, owner: Member, income: int = 10_000_000) -> None:
    assert owner.id is not None
    session.add(
        FeeProfile(member_id=owner.id, valid_from=date(2026, 2, 1), basis="bhxh", income=income)
    )


def payment(session: Session, owner: Member, paid_on: date, amount: int = 100_000) -> None:
    assert owner.id is not None
    session.add(
        FeePayment(
            member_id=owner.id,
            cell_id=owner.cell_id,
            amount=amount,
            method="cash",
            status="confirmed",
            paid_on=paid_on,
        )
    )


def pledge(session: Session, owner: Member, year: int, reviewed: str | None = None) -> None:
    assert owner.id is not None
    row = StudyPledge(
        member_id=owner.id,
        cell_id=owner.cell_id,
        year=year,
        commitments=["Gương mẫu"],
        status="approved",
    )
    session.add(row)
    session.flush()
    if reviewed:
        assert row.id is not None
        session.add(
            StudyPledgeReview(
                pledge_id=row.id,
                period=reviewed,
                ratings=[{"rating": "done", "evidence": "Đã làm"}],
                confirmed_at=datetime(2026, 12, 20, tzinfo=UTC),
            )
        )


def seed_year(session: Session) -> None:
    """DV003's 2026: 12 meetings (10 present, 1 excused, 1 unexcused), 5 tasks (4 on time, 1
    late), 11 months of dues (9 on time, 1 late, 1 unpaid), the pledge approved and reviewed;
    and facts outside the year or cancelled that must not count."""
    cuong = member(session, "DV003")
    statuses = [AttendanceStatus.PRESENT] * 10 + [
        AttendanceStatus.ABSENT_WITH_LEAVE,
        AttendanceStatus.ABSENT_WITHOUT_LEAVE,
    ]
    for month, status in enumerate(statuses, start=1):
        roll(session, meeting(session, cuong.cell_id, date(2026, month, 15)), cuong, status)
    # Not counted: a cancelled meeting, one the year before, an exempt roll.
    cancelled = meeting(session, cuong.cell_id, date(2026, 6, 20), MeetingStatus.CANCELLED)
    roll(session, cancelled, cuong, AttendanceStatus.ABSENT_WITHOUT_LEAVE)
    roll(
        session,
        meeting(session, cuong.cell_id, date(2025, 12, 15)),
        cuong,
        AttendanceStatus.ABSENT_WITHOUT_LEAVE,
    )
    for month in (3, 5, 7, 9):
        task(session, cuong, date(2026, month, 28), done=date(2026, month, 20))
    task(session, cuong, date(2026, 11, 10), done=date(2026, 11, 25))  # late
    task(session, cuong, date(2026, 8, 1), status=TaskStatus.CANCELLED)
    task(session, cuong, date(2027, 1, 31))  # next year
    fee_basis(session, cuong)
    for month in range(2, 11):
        payment(session, cuong, date(2026, month, 10))
    payment(session, cuong, date(2026, 12, 5))  # November's, late; December unpaid
    pledge(session, cuong, 2026, reviewed="end")
    session.flush()


def other_committee(session: Session) -> Actor:
    """A committee member over a unit of its own (another base organisation): outside the
    demo's subtree."""
    from models import MemberStatus
    from services.orgwrite import MemberValues, ensure_unit_path, set_committee_units, upsert_member

    base, _ = ensure_unit_path(
        session,
        ["Đảng ủy Khối các cơ quan tỉnh", "Đảng bộ Sở Y tế"],
        leaf_is_cell=False,
        now=AFTER_2026,
    )
    cell, _ = ensure_unit_path(
        session,
        ["Đảng ủy Khối các cơ quan tỉnh", "Đảng bộ Sở Y tế", "Chi bộ Bệnh viện"],
        leaf_is_cell=True,
        now=AFTER_2026,
    )
    assert cell.id is not None and base.id is not None
    outsider, _ = upsert_member(
        session,
        MemberValues(
            code="YT001",
            full_name="Cao Văn Tâm",
            status=MemberStatus.OFFICIAL,
            cell_id=cell.id,
            joined_on=date(2000, 1, 1),
            phone="0911000001",
        ),
        now=AFTER_2026,
    )
    set_committee_units(session, outsider, {base.id})
    session.flush()
    return load_actor(session, outsider)


def base_unit(session: Session) -> Unit:
    cell = session.get(Unit, member(session, "DV001").cell_id)
    assert cell is not None and cell.parent_id is not None
    base = session.get(Unit, cell.parent_id)
    assert base is not None
    assert any(u.id == cell.id for u in subtree_units(session, [base.id or 0]))
    return base
