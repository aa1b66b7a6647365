"""The supervision's pure rules: reading a progress report, a task's status on a day, the
suggested points of the meeting score."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models import Task, TaskClosure, TaskStatus
from services.errors import UserError
from services.supervision.reports import parse_progress
from services.supervision.rules import DEFAULT_RULES, Status, suggest_results_points
from services.supervision.table import count, task_status

TZ = DEFAULT_RULES.tz
DUE = date(2026, 12, 10)


@pytest.mark.parametrize(
    ("typed", "percent", "done"),
    [
        ("50", 50, False),
        ("50%", 50, False),
        (" 75 % ", 75, False),
        ("30 phần trăm", 30, False),
        ("0", 0, False),
        ("100", 100, True),
        ("xong", 100, True),
        ("Đã xong", 100, True),
        ("Hoàn thành", 100, True),
    ],
)
def test_progress_is_a_percent_or_done(typed: str, percent: int, done: bool) -> None:
    parsed = parse_progress(typed)
    assert (parsed.percent, parsed.done) == (percent, done)


@pytest.mark.parametrize("typed", ["", "101", "-5", "năm mươi", "50.5", "1000", "abc 50"])
def test_anything_else_is_refused_in_vietnamese(typed: str) -> None:
    with pytest.raises(UserError, match="từ 0 đến 100"):
        parse_progress(typed)


def _task(status: str = TaskStatus.OPEN.value, done_at: datetime | None = None) -> Task:
    return Task(
        id=1, cell_id=1, title="t", owner_member_id=1, due_on=DUE, status=status, done_at=done_at
    )


def test_status_of_an_open_task_follows_the_day() -> None:
    task = _task()
    assert task_status(task, None, date(2026, 12, 1), TZ) is Status.ON_TIME
    assert task_status(task, None, date(2026, 12, 7), TZ) is Status.DUE_SOON
    assert task_status(task, None, DUE, TZ) is Status.DUE_SOON
    assert task_status(task, None, date(2026, 12, 11), TZ) is Status.OVERDUE


def test_a_done_task_is_late_when_done_after_its_local_deadline() -> None:
    # 16:59 UTC on the 10th is 23:59 local: in time; 17:00 UTC is the 11th locally: late.
    in_time = _task(TaskStatus.DONE.value, datetime(2026, 12, 10, 16, 59, tzinfo=UTC))
    late = _task(TaskStatus.DONE.value, datetime(2026, 12, 10, 17, 0, tzinfo=UTC))
    assert task_status(in_time, None, date(2026, 12, 20), TZ) is Status.DONE
    assert task_status(late, None, date(2026, 12, 20), TZ) is Status.DONE_LATE


def test_the_secretarys_closure_is_final() -> None:
    task = _task(TaskStatus.DONE.value, datetime(2026, 12, 1, tzinfo=UTC))
    for outcome, status in [
        ("vuot", Status.EXCEEDED),
        ("khong_hoan_thanh", Status.NOT_DONE),
        ("hoan_thanh_tre", Status.DONE_LATE),
        ("hoan_thanh", Status.DONE),
    ]:
        closure = TaskClosure(task_id=1, outcome=outcome)
        assert task_status(task, closure, date(2026, 12, 20), TZ) is status


def test_counts_and_suggested_points() -> None:
    statuses = [Status.DONE, Status.EXCEEDED, Status.DONE_LATE, Status.OVERDUE, Status.NOT_DONE]
    counts = count(statuses)
    assert (counts.total, counts.on_time, counts.late, counts.failing, counts.open) == (
        5,
        2,
        1,
        2,
        1,
    )
    assert counts.done == 3
    # 30 × (2 + 0.5) / 5 = 15
    assert suggest_results_points(counts.on_time, counts.late, counts.total) == 15
    assert suggest_results_points(0, 0, 0) == 30
    assert suggest_results_points(4, 0, 4) == 30
