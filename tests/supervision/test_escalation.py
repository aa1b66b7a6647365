"""The escalation timeline under the controlled clock, with the meetings' reminders it
extends: the owner the day before and on the deadline, the secretary the day after (both
existing), the secretary again 3 days after and the committee above 7 days after (this
feature); each once however often the clock ticks; none once the task is closed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select

from models import Database, Delivery
from scheduler import supervision as supervision_jobs
from scheduler.claims import Job
from scheduler.deadlines import task_deadlines
from scheduler.jobs import tick
from scheduler.rules import SchedulerRules
from services.supervision import closing
from services.supervision.rules import SupervisionRules
from tests.supervision.support import actor, add_task, link, member_id
from tests.support import FakeClock

DUE = date(2026, 11, 28)
KINDS = ("task_reminder", "task_escalation")


def _jobs(rules: SupervisionRules | None = None) -> list[Job]:
    return [*task_deadlines(), *supervision_jobs.jobs(rules or SupervisionRules())]


def _run_days(
    db: Database, start: datetime, days: int, rules: SupervisionRules | None = None
) -> None:
    """Tick three times a day (07:00, 09:00, 15:00 local) for `days` days."""
    jobs = _jobs(rules)
    for day in range(days):
        for hour in (0, 2, 8):  # UTC
            moment = datetime(start.year, start.month, start.day, hour, tzinfo=UTC) + timedelta(
                days=day
            )
            tick(db, moment, SchedulerRules(), jobs=jobs)


def _sent(db: Database) -> list[tuple[str, str, int]]:
    """(kind, member code, local day of month) of every task message, in order."""
    with db.session() as session:
        codes = {member_id(session, code): code for code in ("DV001", "DV002", "DV003", "DV016")}
        rows = session.exec(
            select(Delivery).where(col(Delivery.kind).in_(KINDS)).order_by(col(Delivery.id))
        ).all()
        return [
            (r.kind, codes.get(r.member_id or 0, "?"), (r.created_at + timedelta(hours=7)).day)
            for r in rows
        ]


def test_the_whole_timeline_each_step_once(demo: Database, clock: FakeClock) -> None:
    link(demo, ["DV001", "DV002", "DV003", "DV016"], clock())
    add_task(demo, "DV003", DUE, created_at=clock())
    _run_days(demo, clock(), 14)
    assert _sent(demo) == [
        ("task_reminder", "DV003", 27),  # the day before
        ("task_reminder", "DV003", 28),  # on the day
        ("task_reminder", "DV001", 29),  # the secretary, the day after
        ("task_escalation", "DV001", 1),  # the secretary, 3 days after (1 December)
        ("task_escalation", "DV016", 5),  # the committee above, 7 days after
    ]
    with demo.session() as session:
        texts = [
            r.payload["text"]
            for r in session.exec(select(Delivery).where(Delivery.kind == "task_escalation"))
        ]
    assert "quá hạn 3 ngày" in texts[0] and "Lê Văn Cường" in texts[0]
    assert "Chi bộ Văn phòng Sở" in texts[1] and "quá hạn 7 ngày" in texts[1]


def test_nothing_after_closing(demo: Database, clock: FakeClock) -> None:
    link(demo, ["DV001", "DV003", "DV016"], clock())
    task_id = add_task(demo, "DV003", DUE, created_at=clock())
    _run_days(demo, clock(), 6)  # through 1 December: the secretary's step went out
    with demo.session() as session:
        closing.close_task(
            session, actor(session, "DV001"), task_id, "khong_hoan_thanh", note=None, now=clock()
        )
    _run_days(demo, clock() + timedelta(days=6), 10)
    escalations = [s for s in _sent(demo) if s[0] == "task_escalation"]
    assert escalations == [("task_escalation", "DV001", 1)]


def test_a_task_done_in_time_is_never_escalated(demo: Database, clock: FakeClock) -> None:
    from services.supervision import reports

    link(demo, ["DV001", "DV003", "DV016"], clock())
    task_id = add_task(demo, "DV003", DUE, created_at=clock())
    with demo.session() as session:
        reports.record_report(
            session, actor(session, "DV003"), task_id, progress="xong", note="Xong", now=clock()
        )
    _run_days(demo, clock(), 14)
    assert _sent(demo) == []


def test_the_steps_are_configurable(demo: Database, clock: FakeClock) -> None:
    link(demo, ["DV001", "DV003", "DV016"], clock())
    add_task(demo, "DV003", DUE, created_at=clock())
    rules = SupervisionRules(secretary_after_days=2, committee_after_days=None)
    assert [j.name for j in supervision_jobs.jobs(rules)] == [
        "task_escalate_secretary",
        "supervision_programme_overdue",
    ]
    _run_days(demo, clock(), 14, rules)
    assert [s for s in _sent(demo) if s[0] == "task_escalation"] == [
        ("task_escalation", "DV001", 30)
    ]
