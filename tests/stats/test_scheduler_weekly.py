"""Scheduler: weekly statistics exactly once per committee member per week, across processes
and restarts; and the APScheduler clock that ticks in each process."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.features import jobs, tick
from models import Database, Delivery, Member, ScheduledRun, Unit
from scheduler.claims import TickReport
from scheduler.directives import DirectiveReminderJob
from scheduler.jobs import REMINDERS, WEEKLY
from scheduler.jobs import tick as tick_jobs
from scheduler.rules import DEFAULT_SCHEDULER_RULES, SchedulerRules
from scheduler.runner import SchedulerConfig, start_scheduler
from scheduler.weekly import STATS_KIND, WeeklyStatsJob, week_due
from services.auth import load_actor
from services.demo import BASE, CELL_SCHOOLS
from services.directives.rules import send_directive
from services.identities import find_member, local_identity
from services.orgwrite import set_committee_units
from tests.support import FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PNG = b"\x89PNG\r\n\x1a\n"


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def rules_in(tmp_path: Path) -> SchedulerRules:
    return replace(DEFAULT_SCHEDULER_RULES, exports_dir=tmp_path / "exports")


def committee(
    session: Session, now: datetime, unit_name: str, *codes: str, link: bool = True
) -> None:
    unit = session.exec(select(Unit).where(Unit.name == unit_name)).one()
    assert unit.id is not None
    for code in codes:
        member = find_member(session, code)
        assert member is not None
        set_committee_units(session, member, {unit.id})
        if link:
            local_identity(session, member, now=now)


def weekly_messages(db: Database) -> list[tuple[str, str, dict]]:
    """(week, member code, payload) of every weekly statistics message."""
    with db.session() as session:
        codes = {m.id: m.code for m in session.exec(select(Member))}
        rows = session.exec(
            select(Delivery).where(Delivery.kind == STATS_KIND).order_by(col(Delivery.id))
        ).all()
        return [(r.dedupe_key.split(":")[1], codes[r.member_id], r.payload) for r in rows]


def test_week_due_is_monday_0730_local() -> None:
    assert week_due(local(26, 11, 10), DEFAULT_SCHEDULER_RULES) == (
        "2026-W48",
        local(23, 11, 7, 30),
    )
    assert week_due(local(30, 11, 7, 29), DEFAULT_SCHEDULER_RULES) == (
        "2026-W49",
        local(30, 11, 7, 30),
    )
    # Weeks are local: Monday 06:00 in Hà Nội is still Sunday 23:00 in UTC, yet week 49.
    assert week_due(local(30, 11, 6), DEFAULT_SCHEDULER_RULES)[0] == "2026-W49"


def test_weekly_statistics_once_per_member_per_week(
    demo: Database, clock: FakeClock, tmp_path: Path
) -> None:
    rules = rules_in(tmp_path)
    with demo.session() as session:
        committee(session, clock(), BASE, "DV016", "DV010")
        committee(session, clock(), CELL_SCHOOLS, "DV011")
        committee(session, clock(), BASE, "DV012", link=False)  # no chat account yet
        cell = session.exec(select(Unit).where(Unit.name == CELL_SCHOOLS)).one()
        dv016 = find_member(session, "DV016")
        assert dv016 is not None and cell.id is not None
        send_directive(
            session, load_actor(session, dv016), cell.id, audience="all", text="Họp", now=clock()
        )

    # Thursday of week 48: the Monday report is overdue (every process was down): sent now,
    # one claim per committee (BASE: DV016 and DV010; the schools' cell: DV011).
    report = tick(demo, clock(), rules, group=WEEKLY)
    assert report["weekly_stats"].sent == 2 and report["weekly_stats"].lost == 0
    assert report["weekly_stats"].deliveries == 3
    messages = weekly_messages(demo)
    assert sorted((w, c) for w, c, _p in messages) == [
        ("2026-W48", "DV010"),
        ("2026-W48", "DV011"),
        ("2026-W48", "DV016"),
    ]
    by_code = {c: p for _w, c, p in messages}
    assert by_code["DV016"]["text"].startswith(f"📊 Thống kê tuần 20/11–26/11/2026 – {BASE}")
    assert "• 2 chi bộ, 16 đảng viên; 3 đã kết nối, 3 hoạt động" in by_code["DV016"]["text"]
    assert "• Chỉ đạo (30 ngày qua): 1;" in by_code["DV016"]["text"]
    assert "• 1 chi bộ, 8 đảng viên" in by_code["DV011"]["text"]
    assert "/thongke" in by_code["DV016"]["text"]
    # Members of one committee share a chart; every chart is a PNG under the exports folder.
    assert by_code["DV016"]["file"] == by_code["DV010"]["file"]
    assert by_code["DV016"]["file"]["ref"] != by_code["DV011"]["file"]["ref"]
    for payload in by_code.values():
        ref = payload["file"]["ref"]
        assert payload["file"]["kind"] == "photo" and ref.startswith("stats/2026-W48/")
        path = tmp_path / "exports" / ref
        assert path.read_bytes().startswith(PNG) and len(path.stem) >= 24
    assert len(list((tmp_path / "exports" / "stats" / "2026-W48").iterdir())) == 2
    # The delivery worker finds the chart from the reference alone, inside its exports folder.
    files = pytest.importorskip("bot.delivery.files")
    prepared = files.prepare_reply(by_code["DV016"], tmp_path / "exports")
    assert prepared.note is None and prepared.reply.file.kind == "photo"
    assert prepared.reply.file.data.startswith(PNG)

    # Again, and after a "restart": nothing new this week.
    assert tick(demo, clock(), rules, group=WEEKLY).total.due == 0
    # DV012 links during the week: they get this week's report too, and only they.
    with demo.session() as session:
        member = find_member(session, "DV012")
        assert member is not None
        local_identity(session, member, now=clock())
    again = tick(demo, clock(), rules, group=WEEKLY)["weekly_stats"]
    assert (again.sent, again.deliveries) == (1, 1)
    assert sorted(c for _w, c, _p in weekly_messages(demo)) == ["DV010", "DV011", "DV012", "DV016"]

    clock.now = local(30, 11, 7, 29)
    assert tick(demo, clock(), rules, group=WEEKLY).total.due == 0
    clock.now = local(30, 11, 7, 30)
    assert tick(demo, clock(), rules, group=WEEKLY)["weekly_stats"].deliveries == 4
    weeks = [w for w, _c, _p in weekly_messages(demo)]
    assert weeks.count("2026-W48") == 4 and weeks.count("2026-W49") == 4
    clock.now = local(2, 12, 9)
    assert tick(demo, clock(), rules, group=WEEKLY).total.due == 0
    with demo.session() as session:
        keys = [r.job_key for r in session.exec(select(ScheduledRun))]
    # Week 48: two committees, then BASE again with DV012; week 49: two committees.
    assert len(keys) == len(set(keys)) == 5 and all(len(k) < 200 for k in keys)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_concurrent_scheduler_processes_send_each_report_exactly_once(
    demo: Database, db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """Four "processes" (threads, each with its own engine and connections) tick at the same
    instant on PostgreSQL: every committee member gets the week's report once, and the directive
    reminder due at that moment goes out once too."""
    rules = rules_in(tmp_path)
    codes = ["DV016", "DV010", "DV011", "DV013", "DV014", "DV015"]
    with demo.session() as session:
        committee(session, clock(), BASE, *codes)
        cell = session.exec(select(Unit).where(Unit.name == CELL_SCHOOLS)).one()
        dv016 = find_member(session, "DV016")
        assert dv016 is not None and cell.id is not None
        directive = send_directive(
            session, load_actor(session, dv016), cell.id, audience="all", text="Họp", now=clock()
        ).directive
    clock.advance(hours=25)

    jobs = [WeeklyStatsJob(), DirectiveReminderJob()]
    processes = [Database(db_url) for _ in range(4)]
    barrier = threading.Barrier(len(processes))
    reports: list[TickReport] = []
    errors: list[BaseException] = []

    def run(db: Database, index: int) -> None:
        try:
            barrier.wait()
            reports.append(tick_jobs(db, clock(), rules, jobs=jobs, worker=f"process-{index}"))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(db, i)) for i, db in enumerate(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for db in processes:
        db.dispose()
    assert not errors

    messages = weekly_messages(demo)
    assert sorted(c for _w, c, _p in messages) == sorted(codes)
    weekly = [r["weekly_stats"] for r in reports]
    assert sum(r.sent for r in weekly) == 1  # one committee, one claim
    assert sum(r.deliveries for r in weekly) == len(codes) and sum(r.failed for r in weekly) == 0
    reminders = [r["directives"] for r in reports]
    assert sum(r.sent for r in reminders) == 1
    with demo.session() as session:
        runs = session.exec(select(ScheduledRun)).all()
        reminder_rows = session.exec(
            select(Delivery).where(Delivery.kind == "directive_reminder")
        ).all()
    assert len(runs) == len({r.job_key for r in runs}) == 2  # the committee, the reminder
    assert {r.ref_id for r in reminder_rows} == {directive.id}
    assert len(reminder_rows) == len({r.member_id for r in reminder_rows}) == 5
    # Charts of claims lost to another process were deleted: only referenced files remain.
    referenced = {p["file"]["ref"].rsplit("/", 1)[1] for _w, _c, p in messages}
    folder = tmp_path / "exports" / "stats" / "2026-W48"
    assert {path.name for path in folder.iterdir()} == referenced


async def test_the_apscheduler_clock_ticks_and_stops_cleanly(
    demo: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """The real AsyncIOScheduler, ticking every 50 ms on a controlled clock: the work due at
    start-up is done at once (the first run), once; stopping waits for the tick in hand."""
    with demo.session() as session:
        committee(session, clock(), BASE, "DV016")
        cell = session.exec(select(Unit).where(Unit.name == CELL_SCHOOLS)).one()
        dv016 = find_member(session, "DV016")
        assert dv016 is not None and cell.id is not None
        reader = find_member(session, "DV010")
        assert reader is not None
        local_identity(session, reader, now=clock())
        send_directive(
            session, load_actor(session, dv016), cell.id, audience="all", text="Họp", now=clock()
        )
    clock.advance(hours=25)
    config = SchedulerConfig(
        reminders_every=timedelta(milliseconds=50),
        weekly_every=timedelta(milliseconds=50),
        rules=rules_in(tmp_path),
        worker="test-clock",
    )
    ticks: list[tuple[str, TickReport]] = []
    stop = asyncio.Event()

    def on_tick(group: str, report: TickReport) -> None:
        ticks.append((group, report))
        if sum(1 for g, _r in ticks if g == REMINDERS) >= 3 and any(g == WEEKLY for g, _r in ticks):
            stop.set()

    app = SimpleNamespace(db=demo, settings=None, jobs=jobs())
    await asyncio.wait_for(
        start_scheduler(app, stop, config=config, now=clock, on_tick=on_tick), timeout=20
    )
    assert stop.is_set()
    sent = [(g, r.total.sent) for g, r in ticks if r.total.sent]
    assert sorted(sent) == [(REMINDERS, 1), (WEEKLY, 1)]
    with demo.session() as session:
        runs = session.exec(select(ScheduledRun)).all()
    assert {r.kind for r in runs} == {"directive_remind_1d", "weekly_stats"}
    assert {r.claimed_by for r in runs} == {"test-clock"}


def test_configuration_comes_from_the_settings(tmp_path: Path) -> None:
    from bot.settings import load_settings
    from scheduler.runner import config_from_settings

    settings = load_settings(_env_file=None, timezone="Asia/Bangkok")
    config = config_from_settings(settings)
    assert config.rules.tz == ZoneInfo("Asia/Bangkok") and config.enabled
    assert config.reminders_every == timedelta(seconds=30)
    assert config.rules.exports_dir == Path(getattr(settings, "exports_dir", "exports"))
    assert config.rules.meeting_reminders == (timedelta(days=1), timedelta(hours=1))
