"""Reports, the table, closing and their refusals at the core of the feature, on both
databases: only the owner reports, the secretary sees and closes their own cell's tasks, a
committee its subtree's; a refusal writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from models import Database, Task, TaskClosure, TaskReport, TaskStatus
from services.errors import Forbidden, UserError
from services.meetings import resolutions
from services.supervision import closing, reports, table
from services.supervision.rules import Status
from tests.supervision.support import (
    CELL_OFFICE,
    CELL_SCHOOLS,
    actor,
    add_meeting,
    add_outside_committee,
    add_task,
    cell_id,
)
from tests.support import FakeClock

TODAY = date(2026, 11, 26)  # the FakeClock's local day


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_the_owner_reports_and_every_report_is_kept(demo: Database, clock: FakeClock) -> None:
    task_id = add_task(demo, "DV003", TODAY + timedelta(days=10), created_at=clock())
    with demo.session() as session:
        me = actor(session, "DV003")
        reports.record_report(
            session, me, task_id, progress="30%", note="Đã gặp 2 bạn", now=clock()
        )
    clock.advance(days=2)
    with demo.session() as session:
        me = actor(session, "DV003")
        reports.record_report(
            session,
            me,
            task_id,
            progress="60",
            note="",
            file_ref="photo-1",
            file_kind="photo",
            now=clock(),
        )
        history = reports.history(session, me, task_id)
        assert [(r.percent, r.note, r.file_ref) for r in history] == [
            (30, "Đã gặp 2 bạn", None),
            (60, "", "photo-1"),
        ]
        assert session.get(Task, task_id).status == TaskStatus.OPEN  # type: ignore[union-attr]


def test_done_marks_the_task_done_and_ends_reporting(demo: Database, clock: FakeClock) -> None:
    task_id = add_task(demo, "DV003", TODAY + timedelta(days=1), created_at=clock())
    with demo.session() as session:
        reports.record_report(
            session, actor(session, "DV003"), task_id, progress="xong", note="Xong", now=clock()
        )
    with demo.session() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.status == TaskStatus.DONE and task.done_at == clock()
        with pytest.raises(UserError, match="đã kết thúc"):
            reports.record_report(
                session, actor(session, "DV003"), task_id, progress="50", note="x", now=clock()
            )


@pytest.mark.parametrize(
    ("progress", "note", "message"),
    [
        ("abc", "một dòng", "từ 0 đến 100"),
        ("50", "", "một dòng ngắn"),
        ("50", "x" * 301, "dài quá"),
    ],
)
def test_bad_input_writes_nothing(
    demo: Database, clock: FakeClock, progress: str, note: str, message: str
) -> None:
    task_id = add_task(demo, "DV003", TODAY, created_at=clock())
    with demo.session() as session, pytest.raises(UserError, match=message):
        reports.record_report(
            session, actor(session, "DV003"), task_id, progress=progress, note=note, now=clock()
        )
    assert _count(demo, TaskReport) == 0


def test_someone_elses_task_is_refused(demo: Database, clock: FakeClock) -> None:
    task_id = add_task(demo, "DV003", TODAY, created_at=clock())
    for code in ("DV004", "DV001"):  # another member, even the secretary
        with demo.session() as session, pytest.raises(UserError, match="không phải của"):
            reports.record_report(
                session, actor(session, code), task_id, progress="50", note="x", now=clock()
            )
    with demo.session() as session, pytest.raises(UserError, match="Không tìm thấy"):
        reports.record_report(
            session, actor(session, "DV003"), 9999, progress="50", note="x", now=clock()
        )
    assert _count(demo, TaskReport) == 0


def test_the_table_groups_by_meeting_with_statuses_and_the_overdue_filter(
    demo: Database, clock: FakeClock
) -> None:
    meeting = add_meeting(demo, clock() - timedelta(days=30))
    past = clock() - timedelta(days=30)
    add_task(
        demo,
        "DV003",
        TODAY - timedelta(days=5),
        title="Quá hạn",
        meeting_id=meeting,
        created_at=past,
    )
    add_task(
        demo,
        "DV004",
        TODAY + timedelta(days=2),
        title="Sắp hạn",
        meeting_id=meeting,
        created_at=past,
    )
    add_task(demo, "DV006", TODAY + timedelta(days=20), title="Trong hạn", created_at=past)
    add_task(
        demo,
        "DV008",
        TODAY - timedelta(days=10),
        title="Xong",
        meeting_id=meeting,
        created_at=past,
        status=TaskStatus.DONE.value,
        done_at=past,
    )
    add_task(
        demo,
        "DV010",
        TODAY - timedelta(days=5),
        title="Chi bộ khác",
        cell=CELL_SCHOOLS,
        created_at=past,
    )
    with demo.session() as session:
        me, office = actor(session, "DV001"), cell_id(session, CELL_OFFICE)
        shown = table.cell_table(session, me, office, clock())
        assert [g.meeting is None for g in shown.groups] == [False, True]
        statuses = {r.task.title: r.status for g in shown.groups for r in g.rows}
        assert statuses == {
            "Quá hạn": Status.OVERDUE,
            "Sắp hạn": Status.DUE_SOON,
            "Trong hạn": Status.ON_TIME,
            "Xong": Status.DONE,
        }
        assert (shown.counts.total, shown.counts.done, shown.counts.failing) == (4, 1, 1)
        overdue = table.cell_table(session, me, office, clock(), overdue_only=True)
        assert [r.task.title for g in overdue.groups for r in g.rows] == ["Quá hạn"]


def test_who_may_see_a_cells_table(demo: Database, clock: FakeClock) -> None:
    outsider = add_outside_committee(demo, clock())
    with demo.session() as session:
        office = cell_id(session, CELL_OFFICE)
        table.cell_table(session, actor(session, "DV002"), office, clock())  # the deputy
        table.cell_table(session, actor(session, "DV016"), office, clock())  # committee above
        for code in ("DV009", outsider):  # another cell's secretary; a committee elsewhere
            with pytest.raises(Forbidden):
                table.cell_table(session, actor(session, code), office, clock())
        with pytest.raises(UserError):  # a plain member
            table.cell_table(session, actor(session, "DV003"), office, clock())


def test_the_committee_ranks_its_cells_by_overdue_tasks(demo: Database, clock: FakeClock) -> None:
    past = clock() - timedelta(days=30)
    for owner in ("DV010", "DV011"):
        add_task(demo, owner, TODAY - timedelta(days=3), cell=CELL_SCHOOLS, created_at=past)
    add_task(demo, "DV003", TODAY - timedelta(days=3), created_at=past)
    add_task(demo, "DV004", TODAY + timedelta(days=3), created_at=past)
    outsider = add_outside_committee(demo, clock())
    with demo.session() as session:
        ranks = table.ranking(session, actor(session, "DV016"), clock())
        assert [(r.cell.name, r.overdue, r.open) for r in ranks] == [
            (CELL_SCHOOLS, 2, 2),
            (CELL_OFFICE, 1, 2),
        ]
        assert [r.cell.name for r in table.ranking(session, actor(session, outsider), clock())] == [
            "Chi bộ Văn phòng Sở Y tế"
        ]


@pytest.mark.parametrize(
    ("outcome", "status", "task_status"),
    [
        ("hoan_thanh", Status.DONE, TaskStatus.DONE),
        ("hoan_thanh_tre", Status.DONE_LATE, TaskStatus.DONE),
        ("vuot", Status.EXCEEDED, TaskStatus.DONE),
        ("khong_hoan_thanh", Status.NOT_DONE, TaskStatus.NOT_DONE),
    ],
)
def test_the_secretary_closes_with_four_outcomes(
    demo: Database, clock: FakeClock, outcome: str, status: Status, task_status: str
) -> None:
    task_id = add_task(demo, "DV003", TODAY - timedelta(days=1), created_at=clock())
    with demo.session() as session:
        closure = closing.close_task(
            session, actor(session, "DV001"), task_id, outcome, note="Đánh giá", now=clock()
        )
        assert (closure.outcome, closure.note, closure.closed_at) == (outcome, "Đánh giá", clock())
    with demo.session() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.status == task_status
        shown = table.cell_table(session, actor(session, "DV001"), task.cell_id, clock())
        assert [r.status for g in shown.groups for r in g.rows] == [status]
        with pytest.raises(UserError, match="đã kết thúc"):  # no more reports after closing
            reports.record_report(
                session, actor(session, "DV003"), task_id, progress="50", note="x", now=clock()
            )
        owner = actor(session, "DV003")
        listed = [t.id for t in resolutions.my_tasks(session, owner)]
        assert (task_id in listed) == (task_status == TaskStatus.OPEN)  # off the open list
        with pytest.raises(UserError):  # nor marked done behind the cell's conclusion
            resolutions.complete_task(session, owner, task_id, now=clock())


def test_closing_refusals_write_nothing(demo: Database, clock: FakeClock) -> None:
    task_id = add_task(demo, "DV003", TODAY, created_at=clock())
    outsider = add_outside_committee(demo, clock())
    with demo.session() as session:
        for code in ("DV009", "DV016", outsider, "DV003"):  # no one but the cell's leaders
            with pytest.raises(UserError):
                closing.close_task(
                    session, actor(session, code), task_id, "hoan_thanh", note=None, now=clock()
                )
        with pytest.raises(UserError, match="không hợp lệ"):
            closing.close_task(
                session, actor(session, "DV001"), task_id, "xuat_sac", note=None, now=clock()
            )
        with pytest.raises(UserError, match="dài quá"):
            closing.close_task(
                session, actor(session, "DV001"), task_id, "vuot", note="x" * 501, now=clock()
            )
    assert _count(demo, TaskClosure) == 0
    with demo.session() as session:
        closing.close_task(
            session, actor(session, "DV002"), task_id, "vuot", note=None, now=clock()
        )
    with demo.session() as session, pytest.raises(UserError, match="đã được đóng"):
        closing.close_task(
            session, actor(session, "DV001"), task_id, "hoan_thanh", note=None, now=clock()
        )
    assert _count(demo, TaskClosure) == 1
