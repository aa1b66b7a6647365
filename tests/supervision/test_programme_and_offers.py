"""The yearly supervision programme (flow, refusals, the overdue reminder under the clock)
and what the feature offers the others: the regular meeting's agenda line with the suggested
points, the statistics' on-time rate and attention, the option under `/nhiemvu`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.features import offers
from models import Database, Delivery, SupervisionItem, TaskStatus
from scheduler import supervision as supervision_jobs
from scheduler.jobs import tick
from scheduler.rules import SchedulerRules
from services import texts
from services.errors import UserError
from services.offers import AGENDA_ITEMS, CELL_ATTENTION, CELL_FIGURES
from services.supervision import closing, programme
from services.supervision.offers import results_line
from tests.supervision.support import (
    CELL_OFFICE,
    CELL_SCHOOLS,
    actor,
    add_meeting,
    add_outside_committee,
    add_task,
    cell_id,
    link,
)
from tests.support import ChatDriver, FakeClock

Chat = Callable[[str], ChatDriver]
TODAY = date(2026, 11, 26)


def _items(db: Database) -> list[SupervisionItem]:
    with db.session() as session:
        return list(session.exec(select(SupervisionItem)))


def test_the_secretary_keeps_the_programme_in_the_chat(chat_as: Chat, demo: Database) -> None:
    secretary = chat_as("DV001")
    secretary.send("/kiemtra")
    assert "năm 2026" in secretary.text and "Chưa có mục nào" in secretary.text
    secretary.press("Thêm mục")
    secretary.send("Đồng chí Lê Văn Cường")
    secretary.send("Việc thực hiện nhiệm vụ được giao")
    secretary.send("13")
    assert "từ 1 đến 12" in secretary.text
    secretary.send("tháng 10")
    assert "Đã thêm" in secretary.text and "quá hạn" in secretary.text  # October is over
    secretary.press("Ghi kết luận")
    secretary.press("Lê Văn Cường")
    secretary.send("Hoàn thành tốt nhiệm vụ")
    assert "Đã ghi kết luận" in secretary.text and "đã kết luận" in secretary.text
    secretary.press("Thêm mục")
    secretary.send("Việc thu đảng phí")
    secretary.send("/huy")
    assert secretary.text == texts.CANCELLED
    [item] = _items(demo)
    assert (item.month, item.year, item.conclusion) == (10, 2026, "Hoàn thành tốt nhiệm vụ")


def test_programme_refusals(demo: Database, clock: FakeClock, chat_as: Chat) -> None:
    outsider = add_outside_committee(demo, clock())
    with demo.session() as session:
        office = cell_id(session, CELL_OFFICE)
        item = programme.add_item(
            session,
            actor(session, "DV001"),
            office,
            year=2026,
            month=12,
            subject="Chi ủy",
            content="Sinh hoạt",
            now=clock(),
        )
        assert item.id is not None
        item_id = item.id
        for code in ("DV009", "DV016", outsider, "DV003"):
            with pytest.raises(UserError):
                programme.conclude(session, actor(session, code), item_id, "Tốt", now=clock())
            with pytest.raises(UserError):
                programme.add_item(
                    session,
                    actor(session, code),
                    office,
                    year=2026,
                    month=1,
                    subject="x",
                    content="y",
                    now=clock(),
                )
        programme.items(session, actor(session, "DV016"), office, 2026)  # the committee reads
        with pytest.raises(UserError):
            programme.items(session, actor(session, outsider), office, 2026)
        with pytest.raises(UserError, match="Xin gõ nội dung"):
            programme.conclude(session, actor(session, "DV001"), item_id, "  ", now=clock())
    member = chat_as("DV003")
    member.send("/kiemtra")
    assert member.text == texts.FORBIDDEN_SECRETARY
    assert [i.conclusion for i in _items(demo)] == [None]


def test_an_overdue_programme_item_is_reminded_once(demo: Database, clock: FakeClock) -> None:
    link(demo, ["DV001"], clock())
    with demo.session() as session:
        office = cell_id(session, CELL_OFFICE)
        secretary = actor(session, "DV001")
        for month, subject in ((11, "Tháng mười một"), (12, "Tháng mười hai")):
            programme.add_item(
                session,
                secretary,
                office,
                year=2026,
                month=month,
                subject=subject,
                content="Nội dung",
                now=clock(),
            )
    jobs = [j for j in supervision_jobs.jobs() if j.name == "supervision_programme_overdue"]
    for day in range(12):
        tick(
            demo,
            datetime(2026, 11, 28, 2, tzinfo=UTC) + timedelta(days=day),
            SchedulerRules(),
            jobs=jobs,
        )
    with demo.session() as session:
        rows = session.exec(select(Delivery).where(Delivery.kind == "supervision_programme"))
        sent = [(r.payload["text"], r.created_at) for r in rows]
    assert len(sent) == 1
    assert "Tháng mười một" in sent[0][0] and sent[0][1] == datetime(2026, 12, 1, 2, tzinfo=UTC)


def test_the_agenda_line_and_the_suggested_points(demo: Database, clock: FakeClock) -> None:
    last_month = clock() - timedelta(days=30)
    meeting = add_meeting(demo, last_month)
    due = TODAY - timedelta(days=10)
    done_in_time = datetime(2026, 11, 10, tzinfo=UTC)
    add_task(
        demo,
        "DV003",
        due,
        meeting_id=meeting,
        created_at=last_month,
        status=TaskStatus.DONE.value,
        done_at=done_in_time,
    )
    late = add_task(demo, "DV004", due, meeting_id=meeting, created_at=last_month)
    add_task(demo, "DV006", due, meeting_id=meeting, created_at=last_month)
    add_task(demo, "DV008", TODAY + timedelta(days=5), meeting_id=meeting, created_at=last_month)
    add_task(demo, "DV003", due, created_at=last_month)  # not from that meeting
    with demo.session() as session:
        closing.close_task(
            session, actor(session, "DV001"), late, "hoan_thanh_tre", note=None, now=clock()
        )
    with demo.session() as session:
        office = cell_id(session, CELL_OFFICE)
        # 30 × (1 + 0.5) / 4 = 11.25 → 11
        assert results_line(session, office, clock() + timedelta(days=3)) == [
            "Kết quả thực hiện nghị quyết tháng trước: 2/4 nhiệm vụ hoàn thành, "
            "1 quá hạn (gợi ý 11/30 điểm)"
        ]
        assert results_line(session, cell_id(session, CELL_SCHOOLS), clock()) == []
        assert results_line in offers().of(AGENDA_ITEMS)


def test_the_statistics_figures(demo: Database, clock: FakeClock) -> None:
    past = clock() - timedelta(days=20)
    add_task(
        demo,
        "DV003",
        TODAY - timedelta(days=5),
        created_at=past,
        status=TaskStatus.DONE.value,
        done_at=past,
    )
    add_task(demo, "DV004", TODAY - timedelta(days=5), created_at=past)
    add_task(demo, "DV010", TODAY - timedelta(days=1), cell=CELL_SCHOOLS, created_at=past)
    [figure] = [f for f in offers().of(CELL_FIGURES) if f.label == "Nhiệm vụ đúng hạn"]
    attention = [a for a in offers().of(CELL_ATTENTION) if a.__module__.startswith("services.sup")]
    with demo.session() as session:
        office, schools = cell_id(session, CELL_OFFICE), cell_id(session, CELL_SCHOOLS)
        tz = SchedulerRules().tz
        assert figure.collect(session, [office, schools], clock(), tz) == {
            office: (1, 2),
            schools: (0, 1),
        }
        assert attention[0](session, [office, schools], clock(), tz) == {
            office: "1 nhiệm vụ quá hạn",
            schools: "1 nhiệm vụ quá hạn",
        }
