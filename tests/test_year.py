"""A whole year of a cell, played through the features' own services and the scheduler (issue
14's "done when"): the committee posts the month's topic and it reaches the meeting's agenda;
members pledge and the secretary approves; tasks are reported on, followed to done, or
escalated to the secretary and the committee above by the scheduler and closed late; the
mid-year and year-end reviews are confirmed; in January the cell assesses the year, the
committee above approves and the period locks.

Meetings and their rolls are written as records (the meeting flows have their own tests); the
rest goes through the services a member's, a secretary's or a committee's chat calls, with one
injected clock for everything, on SQLite and PostgreSQL. The year is the one after the test
clock's, so nothing depends on today's date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.features import offers
from bot.features import tick as run_jobs
from models import (
    AttendanceStatus,
    Database,
    Delivery,
    Member,
    Task,
    TaskEscalation,
    TaskStatus,
    Unit,
)
from services.assessment import decisions, locking
from services.assessment.rules import DEFAULT_ASSESSMENT_RULES, Band, Period
from services.auth import Actor, load_actor
from services.errors import UserError
from services.identities import find_member
from services.offers import AGENDA_ITEMS, ASSESSMENT_FACTS
from services.study import pledges, topics
from services.study.rules import DONE, PARTLY
from services.supervision import closing, reports
from services.supervision.rules import ESCALATION_KIND, Outcome, Step
from tests.assessment.support import meeting, roll
from tests.support import ChatDriver, FakeClock

RULES = DEFAULT_ASSESSMENT_RULES


def at(day: date, hour: int = 3) -> datetime:
    """10:00 in Hà Nội on `day`."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def who(session: Session, code: str) -> Actor:
    found = find_member(session, code)
    assert found is not None
    return load_actor(session, found)


def test_a_year_of_a_cell_from_the_first_topic_to_the_locked_assessment(
    demo: Database, clock: FakeClock, chat_as: Callable[[str], ChatDriver]
) -> None:
    year = clock().year + 1
    # The secretary and the committee member have a chat (the escalations reach them).
    chat_as("DV001")
    chat_as("DV016")
    criteria = offers().of(ASSESSMENT_FACTS)
    assert {c.key for c in criteria} == {"attendance", "tasks", "fees", "pledge"}

    # January: the committee above posts the month's topic; the cell's meeting lists it.
    clock.now = at(date(year, 1, 5))
    with demo.session() as session:
        committee = who(session, "DV016")
        secretary = who(session, "DV001")
        cell_id = secretary.cell_id
        cell = session.get(Unit, cell_id)
        assert cell is not None and cell.parent_id is not None
        topics.post_topic(
            session,
            committee,
            cell.parent_id,
            f"{year}-01",
            topics.TopicDraft(
                "Học tập về phong cách quần chúng",
                "Bác dạy: gần dân, hiểu dân, học dân. Mỗi đảng viên liên hệ việc làm của mình.",
                ("Đồng chí đã làm gì để gần dân hơn?",),
            ),
            now=clock(),
        )
        agenda = [
            line
            for lines_of in offers().of(AGENDA_ITEMS)
            for line in lines_of(session, cell_id, at(date(year, 1, 20), 1))
        ]
        assert any("phong cách quần chúng" in line for line in agenda)

        # Every member asked pledges; the secretary approves each.
        members = session.exec(
            select(Member).where(Member.cell_id == cell_id).where(Member.status != "mien")
        ).all()
        for person in members:
            pledges.submit_pledge(
                session,
                load_actor(session, person),
                ["Gương mẫu đi đầu trong công việc được giao.", "Giữ mối liên hệ với nhân dân."],
                now=clock(),
            )
        for waiting in pledges.waiting_pledges(session, secretary, cell_id, year):
            assert waiting.id is not None
            pledges.approve_pledge(session, secretary, waiting.id, now=clock())
        progress = pledges.progress(session, [cell_id], year, None)[cell_id]
        assert progress.members == len(members) == progress.pledged == progress.approved

        # The year's resolutions give DV003 two tasks.
        cuong = find_member(session, "DV003")
        assert cuong is not None and cuong.id is not None
        quick = Task(
            cell_id=cell_id,
            title="Hoàn thiện hồ sơ chi bộ",
            owner_member_id=cuong.id,
            created_at=clock(),
            updated_at=clock(),
            due_on=date(year, 3, 10),
        )
        slow = Task(
            cell_id=cell_id,
            title="Vận động đóng góp quỹ khuyến học",
            owner_member_id=cuong.id,
            created_at=clock(),
            updated_at=clock(),
            due_on=date(year, 5, 10),
        )
        session.add_all([quick, slow])
        session.flush()
        quick_id, slow_id = quick.id, slow.id
        assert quick_id is not None and slow_id is not None
        cuong_id = cuong.id

        # Twelve regular meetings: DV003 misses one with leave; everyone else attends all.
        for month in range(1, 13):
            held = meeting(session, cell_id, date(year, month, 15))
            for person in members:
                excused = person.id == cuong_id and month == 7
                roll(
                    session,
                    held,
                    person,
                    AttendanceStatus.ABSENT_WITH_LEAVE if excused else AttendanceStatus.PRESENT,
                )

    # March: DV003 reports the first task done on time.
    clock.now = at(date(year, 3, 8))
    with demo.session() as session:
        cuong_actor = who(session, "DV003")
        reports.record_report(
            session, cuong_actor, quick_id, progress="xong", note="Đã nộp hồ sơ.", now=clock()
        )

    # May: the second task is late; the scheduler escalates it once to the secretary (+3 days)
    # and once to the committee above (+7), and never again.
    clock.now = at(date(year, 5, 12))
    with demo.session() as session:
        reports.record_report(
            session,
            who(session, "DV003"),
            slow_id,
            progress="60",
            note="Đã vận động 6 hộ.",
            now=clock(),
        )
    for day in range(11, 22):
        run_jobs(demo, at(date(year, 5, day), 2))
        run_jobs(demo, at(date(year, 5, day), 3))
    with demo.session() as session:
        steps = session.exec(
            select(TaskEscalation.step).where(TaskEscalation.task_id == slow_id)
        ).all()
        assert sorted(steps) == sorted([Step.SECRETARY.value, Step.COMMITTEE.value])
        sent = session.exec(
            select(Delivery.member_id).where(Delivery.kind == ESCALATION_KIND)
        ).all()
        leaders = {who(session, code).member_id for code in ("DV001", "DV016")}
        assert sorted(sent) == sorted(leaders)  # one message each, through the outbox
        # The secretary closes it as done late.
        closing.close_task(
            session,
            who(session, "DV001"),
            slow_id,
            Outcome.DONE_LATE.value,
            note="Hoàn thành sau hạn 12 ngày.",
            now=at(date(year, 5, 22)),
        )
        task = session.get(Task, slow_id)
        assert task is not None and task.status == TaskStatus.DONE

    # The mid-year (June) and year-end (November) self-reviews, confirmed by the secretary.
    for review_day in (date(year, 6, 20), date(year, 11, 25)):
        clock.now = at(review_day)
        with demo.session() as session:
            review = pledges.submit_review(
                session,
                who(session, "DV003"),
                [(DONE, "Hoàn thành mọi việc được giao."), (PARTLY, "Đã thăm 4 hộ dân.")],
                now=clock(),
            )
            assert review.id is not None
            pledges.confirm_review(session, who(session, "DV001"), review.id, now=clock())

    # January of the next year: the cell assesses the year, the committee approves, it locks.
    clock.now = at(date(year + 1, 1, 12))
    period = Period(year)
    today = clock().date()
    with demo.session() as session:
        secretary = who(session, "DV001")
        view = decisions.cell_view(session, secretary, cell_id, period, criteria, today, RULES)
        mine = view.suggestions[cuong_id]
        by_key = {line.key: line for line in mine.lines}
        # 11 of 12 present and one excused (half), both tasks: one on time, one late (half).
        assert by_key["attendance"].points == pytest.approx(30 * 11.5 / 12)
        assert by_key["tasks"].points == pytest.approx(40 * 1.5 / 2)
        assert by_key["pledge"].points == pytest.approx(10)
        # One task of two late (50 % > 20 %): the suggestion is capped below "hoàn thành".
        assert mine.band == Band.NOT_DONE
        for person_id, suggestion in view.suggestions.items():
            note = "Chi bộ ghi nhận đã khắc phục." if person_id == cuong_id else None
            band = Band.DONE if person_id == cuong_id else suggestion.band
            decisions.decide(
                session,
                secretary,
                cell_id,
                period,
                person_id,
                band,
                votes=(len(view.members), len(view.members)) if person_id == cuong_id else None,
                note=note,
                offered=criteria,
                today=today,
                now=clock(),
                rules=RULES,
            )
        decisions.submit(session, secretary, cell_id, period, now=clock(), rules=RULES)
        locking.approve(session, who(session, "DV016"), cell_id, period, now=clock())

    with demo.session() as session, pytest.raises(UserError):
        decisions.decide(
            session,
            who(session, "DV001"),
            cell_id,
            period,
            cuong_id,
            Band.GOOD,
            votes=None,
            note="Sửa lại sau khi đã khóa.",
            offered=criteria,
            today=today,
            now=clock() + timedelta(days=1),
            rules=RULES,
        )
    with demo.session() as session:
        locked = decisions.cell_view(
            session, who(session, "DV001"), cell_id, period, criteria, today, RULES
        )
        assert locked.decisions[cuong_id].band == Band.DONE
        assert locked.record is not None and locked.record.status == "locked"
