"""The cells needing attention (issue 14): each reason at its threshold, the month's cut-off day
against the report's own moment (never today's date), the capped list, and what other features
offer (flags, rates, reasons) reaching `/thongke` and the weekly report without the statistics
importing them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.features import FEATURES, Feature
from models import Database, Delivery, Unit
from scheduler.jobs import WEEKLY
from scheduler.jobs import tick as tick_jobs
from scheduler.rules import DEFAULT_SCHEDULER_RULES
from scheduler.weekly import STATS_KIND, WeeklyStatsJob
from services.demo import BASE, CELL_OFFICE, CELL_SCHOOLS
from services.identities import find_member, local_identity
from services.offers import (
    CELL_ATTENTION,
    CELL_FIGURES,
    CELL_FLAGS,
    CellFigure,
    CellFlags,
    Offer,
    Offers,
)
from services.orgwrite import set_committee_units
from services.stats import attention
from services.stats import figures as stats
from services.stats import texts as stats_texts
from services.stats.figures import CellStats, StatsReport, StatsRules
from tests.meetings.test_meetings import actor
from tests.stats.test_stats import OTHER_BASE, build
from tests.support import FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 10) -> datetime:
    """A moment in November 2026, local."""
    return datetime(2026, 11, day, hour, tzinfo=TZ).astimezone(UTC)


def cell(name: str = "Chi bộ A", **figures: Any) -> CellStats:
    """A cell with nothing wrong unless told: met, full attendance, every copy acknowledged."""
    values: dict[str, Any] = {
        "members": 10,
        "regular_held": True,
        "expected": 10,
        "present": 10,
        "copies": 10,
        "acknowledged": 10,
    }
    values.update(figures)
    return CellStats(
        cell_id=hash(name) % 10_000, name=name, parent_path="", lineage="/1/", **values
    )


def report(
    cells: tuple[CellStats, ...],
    now: datetime,
    rules: StatsRules = stats.DEFAULT_STATS_RULES,
    figures: tuple[CellFigure, ...] = (),
) -> StatsReport:
    return StatsReport(
        scope=("Đảng bộ X",),
        now=now,
        tz=TZ,
        window_days=30,
        cells=cells,
        directives=1,
        flag_months=2,
        figures=figures,
        rules=replace(rules, tz=TZ),
    )


def reasons(one: CellStats, now: datetime, **kwargs: Any) -> list[str]:
    return attention.reasons(one, report((one,), now, **kwargs))


def test_a_cell_with_nothing_wrong_is_not_listed() -> None:
    assert reasons(cell(), at(26)) == []
    text = report((cell(),), at(26)).text()
    assert stats_texts.ATTENTION_NONE in text


def test_no_regular_meeting_counts_only_once_the_cut_off_day_has_passed() -> None:
    late = cell(regular_held=False)
    assert reasons(late, at(20, 23)) == []  # the 20th itself: not passed yet
    assert reasons(late, at(21, 0)) == [stats_texts.ATTENTION_NOT_MET]
    # The day is local: 21 November 01:00 in Hà Nội is still the 20th in UTC.
    assert reasons(late, datetime(2026, 11, 21, 1, tzinfo=TZ).astimezone(UTC)) != []
    scheduled = cell(regular_held=False, regular_scheduled=True)
    assert reasons(scheduled, at(25)) == [stats_texts.ATTENTION_SCHEDULED]
    # The cut-off is the province's to set.
    early = StatsRules(cutoff_day=10)
    assert reasons(late, at(11), rules=early) == [stats_texts.ATTENTION_NOT_MET]
    assert reasons(late, at(10), rules=early) == []


def test_attendance_and_acknowledgement_below_their_thresholds() -> None:
    now = at(5)
    assert reasons(cell(present=7, expected=10), now) == ["dự họp 70%"]
    assert reasons(cell(present=3, expected=4), now) == []  # 75 %: at the threshold, fine
    assert reasons(cell(acknowledged=4, copies=10), now) == ["xác nhận chỉ đạo 40%"]
    assert reasons(cell(acknowledged=5, copies=10), now) == []
    # Nothing to measure is not a low rate.
    assert reasons(cell(present=0, expected=0, acknowledged=0, copies=0), now) == []
    strict = StatsRules(attendance_below=0.95, acknowledged_below=0.9)
    assert reasons(cell(present=9, acknowledged=8), now, rules=strict) == [
        "dự họp 90%",
        "xác nhận chỉ đạo 80%",
    ]


def test_flagged_members_and_offered_rates_and_reasons() -> None:
    dues = CellFigure("Đảng phí tháng", lambda *_: {}, "đ")
    one = cell(flagged=2, extra=[(40, 100)], notes=["3 nhiệm vụ quá hạn"])
    # Before the cut-off the month's collection is still under way: the rate is not a reason.
    assert reasons(one, at(5), figures=(dues,)) == [
        "2 đảng viên vắng không phép từ 2 tháng",
        "3 nhiệm vụ quá hạn",
    ]
    assert reasons(one, at(25), figures=(dues,)) == [
        "2 đảng viên vắng không phép từ 2 tháng",
        "Đảng phí tháng 40%",
        "3 nhiệm vụ quá hạn",
    ]
    fine = cell(extra=[(60, 100)])
    assert reasons(fine, at(25), figures=(dues,)) == []


def test_the_list_puts_most_reasons_first_and_is_capped() -> None:
    cells = tuple(cell(f"Chi bộ {i:02d}", present=5) for i in range(1, 9))
    worst = cell("Chi bộ yếu nhất", present=1, acknowledged=1, regular_held=False)
    text = report((*cells, worst), at(26)).text(names_shown=3)
    lines = text.splitlines()
    start = lines.index(stats_texts.ATTENTION_TITLE.format(n=9))
    assert lines[start + 1] == (
        "  – Chi bộ yếu nhất: chưa họp thường kỳ; dự họp 10%; xác nhận chỉ đạo 10%"
    )
    assert lines[start + 2] == "  – Chi bộ 01: dự họp 50%"
    assert lines[start + 4] == stats_texts.ATTENTION_MORE.format(n=6)
    assert len(lines) == start + 5


def test_a_long_name_and_many_reasons_stay_phone_sized() -> None:
    long = cell("Chi bộ " + "Rất Dài " * 20, present=1, acknowledged=1, regular_held=False)
    long.notes = ["lý do thêm " * 20]
    (line,) = [ln for ln in report((long,), at(26)).text().splitlines() if ln.startswith("  –")]
    assert len(line) < 200 and "…" in line


# --- Through the database, on both engines --------------------------------------------------


def _offers(session: Session) -> tuple[Offers, int]:
    """A feature only this test knows: a flag, a rate and a reason for the office cell."""
    office = session.exec(select(Unit).where(Unit.name == CELL_OFFICE)).one()
    assert office.id is not None
    office_id = office.id
    return (
        Offers(
            [
                Offer(CELL_FLAGS, CellFlags(months=3, count=lambda *_: {office_id: 4})),
                Offer(
                    CELL_FIGURES,
                    CellFigure("Đăng ký làm theo", lambda *_: {office_id: (1, 8)}),
                ),
                Offer(CELL_ATTENTION, lambda *_: {office_id: "2 nhiệm vụ quá hạn", 999_999: "x"}),
            ]
        ),
        office_id,
    )


def test_offered_flags_rates_and_reasons_reach_thongke(
    demo: Database, clock: FakeClock, chat_as: Any
) -> None:
    build(demo, clock)
    with demo.session() as session:
        offers, _office = _offers(session)
        rules = StatsRules.offered(offers, TZ)
        mine = stats.report_for_actor(session, actor(session, "DV016"), now=clock(), rules=rules)
    text = mine.text()
    (line,) = [ln for ln in text.splitlines() if ln.startswith(f"  – {CELL_OFFICE}")]
    assert "4 đảng viên vắng không phép từ 3 tháng" in line
    assert "Đăng ký làm theo 12%" in line  # 26 November: past the cut-off
    assert line.endswith("2 nhiệm vụ quá hạn")
    # Through the app: a feature in the wiring list, read from `ctx.config.offers`.
    extra = Feature("attention_test", offers=lambda: [Offer(CELL_ATTENTION, _overdue)])
    from tests.test_wiring import chat_in

    replies = chat_in(demo, clock, "DV016", (*FEATURES, extra)).send("/thongke").replies
    (schools,) = [ln for ln in replies[0].text.splitlines() if ln.startswith(f"  – {CELL_SCHOOLS}")]
    assert schools.endswith("; 1 nhiệm vụ quá hạn")
    assert "nhiệm vụ quá hạn" not in chat_as("DV016").send("/thongke").replies[0].text


def _overdue(session: Session, cells_q: Any, now: datetime, tz: Any) -> dict[int, str]:
    schools = session.exec(select(Unit).where(Unit.name == CELL_SCHOOLS)).one()
    assert schools.id is not None and schools.id in set(session.exec(cells_q))
    return {schools.id: "1 nhiệm vụ quá hạn"}


def test_a_committee_sees_only_its_subtree_in_the_attention_list(
    demo: Database, clock: FakeClock
) -> None:
    build(demo, clock)
    with demo.session() as session:
        other = session.exec(select(Unit).where(Unit.name == OTHER_BASE)).one()
        member = find_member(session, "DV017")
        assert member is not None and other.id is not None
        set_committee_units(session, member, {other.id})
    with demo.session() as session:
        theirs = stats.report_for_actor(session, actor(session, "DV017"), now=clock())
        mine = stats.report_for_actor(session, actor(session, "DV016"), now=clock())
    assert [c.name for c in theirs.cells] == ["Chi bộ Y tế"]
    assert CELL_OFFICE not in theirs.text() and CELL_OFFICE in mine.text()
    assert "Chi bộ Y tế" not in mine.text()


def test_the_weekly_report_names_the_cells_and_uses_the_offers(
    demo: Database, clock: FakeClock, tmp_path: Path
) -> None:
    build(demo, clock)
    with demo.session() as session:
        offers, _office = _offers(session)
        base = session.exec(select(Unit).where(Unit.name == BASE)).one()
        member = find_member(session, "DV016")
        assert member is not None and base.id is not None
        set_committee_units(session, member, {base.id})
        local_identity(session, member, now=clock())
    rules = replace(DEFAULT_SCHEDULER_RULES, exports_dir=tmp_path, offers=offers, tz=TZ)
    report = tick_jobs(demo, clock(), rules, jobs=[WeeklyStatsJob()], group=WEEKLY)
    assert report["weekly_stats"].sent == 1
    with demo.session() as session:
        (row,) = session.exec(select(Delivery).where(Delivery.kind == STATS_KIND)).all()
    text = row.payload["text"]
    assert text.startswith(f"📊 Thống kê tuần 20/11–26/11/2026 – {BASE}")
    assert stats_texts.ATTENTION_TITLE.format(n=3) in text
    assert "2 nhiệm vụ quá hạn" in text and "Đăng ký làm theo 12%" in text
    png = (tmp_path / row.payload["file"]["ref"]).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_trend_counts_each_directive_in_its_own_week(demo: Database, clock: FakeClock) -> None:
    """Recomputed from the records: a directive of 10 days ago is in the second period."""
    build(demo, clock)
    with demo.session() as session:
        data = stats.collect(session, None, now=clock())
    office = next(c for c in data.cells.values() if c.name == CELL_OFFICE)
    assert len(office.weeks) == 8
    # The office's own directive (2 days ago, 7 copies, 3 acknowledged) and the base's (1 day,
    # 8 copies, 1) are in the latest period; the 40-day-old one (7 copies, 3) in the sixth.
    assert office.weeks[0][2:] == [15, 4]
    assert office.weeks[5][2:] == [7, 3]
    assert all(week[2:] == [0, 0] for i, week in enumerate(office.weeks) if i not in (0, 5))
    with demo.session() as session:
        later = stats.collect(session, None, now=clock() + timedelta(days=10))
    moved = next(c for c in later.cells.values() if c.name == CELL_OFFICE)
    assert moved.weeks[1][2:] == [15, 4] and moved.weeks[0][2:] == [0, 0]


@pytest.fixture(autouse=True)
def _no_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here may read today's date: the report's moment is the injected clock."""
    import services.stats.figures as module

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # pragma: no cover - would fail the test
            raise AssertionError("the statistics read the wall clock")

    monkeypatch.setattr(module, "datetime", Frozen)


def test_a_failing_offer_is_left_out_and_the_report_still_goes(
    demo: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A feature's figure that fails (a query too large for PostgreSQL's 65,535 parameters, as
    one did at ten times the pilot) leaves its figure out and is logged; the other offers and
    the statistics' own figures are still there, on both engines (a savepoint keeps the
    transaction usable on PostgreSQL)."""
    build(demo, clock)

    def broken(session: Session, _cells: Any, _now: datetime, _tz: Any) -> dict[int, Any]:
        session.exec(select(Unit).where(sa.text("no_such_column = 1")))  # type: ignore[arg-type]
        return {}

    with demo.session() as session:
        offers, _office = _offers(session)
        everything = Offers(
            [
                Offer(CELL_FIGURES, CellFigure("Hỏng", broken)),
                Offer(CELL_ATTENTION, broken),
                Offer(CELL_FLAGS, CellFlags(months=1, count=broken)),
                *(Offer(CELL_FIGURES, f) for f in offers.of(CELL_FIGURES)),
                *(Offer(CELL_ATTENTION, a) for a in offers.of(CELL_ATTENTION)),
            ]
        )
        rules = StatsRules.offered(everything, TZ)
        report = stats.report_for_actor(session, actor(session, "DV016"), now=clock(), rules=rules)
    assert "• Hỏng: – (0/0)" in report.text()  # nothing to measure, not a crash
    assert "2 nhiệm vụ quá hạn" in report.text() and "Đăng ký làm theo 12%" in report.text()
    assert report.totals.members == 17
    assert "an offered figure failed" in caplog.text
