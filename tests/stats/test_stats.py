"""Committee statistics: figures checked against data built here, set-based queries, the chart,
the spreadsheet (with formula escaping), and `/thongke` with its refusals."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.features import offers
from models import (
    Attendance,
    ChatIdentity,
    Database,
    Meeting,
    Member,
    Unit,
)
from services import texts
from services.demo import BASE, CELL_OFFICE, CELL_SCHOOLS, TOP
from services.directives.rules import acknowledge_directive, send_directive
from services.errors import Forbidden
from services.identities import find_member
from services.offers import CELL_FLAGS
from services.orgwrite import (
    MemberValues,
    ensure_unit_path,
    grant_admin,
    set_committee_units,
    upsert_member,
)
from services.stats import charts
from services.stats import figures as stats
from services.stats import texts as stats_texts
from tests.meetings.test_meetings import actor, local
from tests.support import FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PNG = b"\x89PNG\r\n\x1a\n"
FORMULA_CELL = "=1+1 Chi bộ thử"
OTHER_BASE = "Đảng bộ Sở Y tế"
P, AL, AU, EX = "co_mat", "vang_co_phep", "vang_khong_phep", "mien_sinh_hoat"

# The statistics as the app builds them: with the flags other features offer (the absence rule).
APP_RULES = stats.StatsRules(flags=offers().of(CELL_FLAGS))


def ids(session: Session) -> dict[str, int]:
    return {m.code: m.id for m in session.exec(select(Member)) if m.id is not None}


def unit(session: Session, name: str) -> Unit:
    return session.exec(select(Unit).where(Unit.name == name)).one()


def held(
    session: Session,
    cell: str,
    starts_at: datetime,
    statuses: dict[str, str | None],
    *,
    kind: str = "thuong_ky",
) -> None:
    """A meeting already held, written as rows (the services refuse to schedule the past)."""
    cell_id = unit(session, cell).id
    assert cell_id is not None
    meeting = Meeting(
        cell_id=cell_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=120),
        place="Hội trường",
        regular_month=starts_at.astimezone(TZ).strftime("%Y-%m") if kind == "thuong_ky" else None,
        created_at=starts_at - timedelta(days=7),
        updated_at=starts_at,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    member_ids = ids(session)
    for code, status in statuses.items():
        member = session.get(Member, member_ids[code])
        assert member is not None
        session.add(
            Attendance(
                meeting_id=meeting.id,
                member_id=member_ids[code],
                member_status=member.status,
                status=status,
            )
        )


def identity(session: Session, code: str, last_seen: datetime | None) -> None:
    session.add(
        ChatIdentity(
            channel="telegram",
            external_id=f"tg-{code}",
            chat_id=f"tg-{code}",
            member_id=ids(session)[code],
            linked_at=last_seen,
            last_seen_at=last_seen,
        )
    )


def build(db: Database, clock: FakeClock) -> None:
    """Three cells under BASE (office, schools, a cell named like a formula), one elsewhere."""
    now = clock()
    with db.session() as session:
        for path, code in (
            ([TOP, BASE, FORMULA_CELL], "DV017"),
            ([TOP, OTHER_BASE, "Chi bộ Y tế"], "DV018"),
        ):
            cell, _ = ensure_unit_path(session, path, leaf_is_cell=True, now=now)
            assert cell.id is not None
            upsert_member(
                session,
                MemberValues(
                    code=code, full_name=f"Đảng viên {code}", status="chinh_thuc", cell_id=cell.id
                ),
                now=now,
            )
        session.flush()
        identity(session, "DV001", now - timedelta(days=1))
        identity(session, "DV002", now - timedelta(days=40))
        identity(session, "DV003", None)
        identity(session, "DV009", now - timedelta(days=5))
        office = {f"DV00{i}": P for i in range(1, 9)}
        held(session, CELL_OFFICE, local(20, 10, 14), {**office, "DV006": AU, "DV007": EX})
        held(
            session,
            CELL_OFFICE,
            local(20, 11, 14),
            {**office, "DV005": AL, "DV006": AU, "DV007": EX, "DV008": AU},
        )
        held(
            session,
            CELL_OFFICE,
            local(24, 11, 8),
            {"DV001": P, "DV002": P, "DV003": AL, "DV004": None},
            kind="chuyen_de",
        )
        held(session, CELL_SCHOOLS, local(15, 10, 14), {f"DV0{i:02d}": P for i in range(9, 17)})
        held(session, CELL_SCHOOLS, local(29, 11, 14), {})  # the month's regular one, to come
        # 06:00 on 1 November in Hà Nội is still 31 October in UTC: it belongs to November.
        held(session, FORMULA_CELL, local(1, 11, 6), {"DV017": P}, kind="chuyen_de")

        office_id, base_id = unit(session, CELL_OFFICE).id, unit(session, BASE).id
        assert office_id is not None and base_id is not None
        old = send_directive(
            session,
            actor(session, "DV001"),
            office_id,
            audience="all",
            text="Cũ",
            now=now - timedelta(days=40),
        )
        mine = send_directive(
            session,
            actor(session, "DV001"),
            office_id,
            audience="all",
            text="Chi bộ",
            now=now - timedelta(days=2),
        )
        theirs = send_directive(
            session,
            actor(session, "DV016"),
            base_id,
            audience="all",
            text="Đảng bộ",
            now=now - timedelta(days=1),
        )
        for code in ("DV002", "DV003", "DV004"):
            acknowledge_directive(session, actor(session, code), mine.directive.id or 0, now=now)
            acknowledge_directive(session, actor(session, code), old.directive.id or 0, now=now)
        for code in ("DV001", "DV009", "DV010"):
            acknowledge_directive(session, actor(session, code), theirs.directive.id or 0, now=now)


def test_figures_for_a_committee_subtree(demo: Database, clock: FakeClock) -> None:
    build(demo, clock)
    with demo.session() as session:
        report = stats.report_for_actor(
            session, actor(session, "DV016"), now=clock(), rules=APP_RULES
        )
    assert report.scope == (BASE,)
    cells = {c.name: c for c in report.cells}
    assert sorted(cells) == sorted([CELL_OFFICE, CELL_SCHOOLS, FORMULA_CELL])
    office, schools, formula = cells[CELL_OFFICE], cells[CELL_SCHOOLS], cells[FORMULA_CELL]

    assert (office.members, office.linked, office.active) == (8, 3, 1)
    assert (schools.members, schools.linked, schools.active) == (8, 1, 1)
    assert (office.meetings_held, office.regular_held, office.regular_scheduled) == (2, True, False)
    assert (schools.meetings_held, schools.regular_held, schools.regular_scheduled) == (
        0,
        False,
        True,
    )
    assert (formula.meetings_held, formula.regular_held) == (1, False)
    # 20 Nov: 7 expected (the exempt DV007 is not), 4 present; 24 Nov: only the 3 with a status.
    # 20 Oct is outside the 30 days.
    assert (office.expected, office.present) == (10, 6)
    assert (schools.expected, schools.present) == (0, 0)
    # The office got its own directive (7 copies, 3 acknowledged) and the base's (8 copies,
    # DV001 acknowledged); the 40-day-old one is outside the window.
    assert (office.directives, office.copies, office.acknowledged) == (2, 15, 4)
    assert (schools.directives, schools.copies, schools.acknowledged) == (1, 7, 2)
    assert (formula.directives, formula.copies, formula.acknowledged) == (1, 1, 0)
    # DV006: unexcused in October and November (2 months); DV008 only in November.
    assert (office.flagged, schools.flagged) == (1, 0)

    totals = report.totals
    assert (totals.members, totals.linked, totals.active, totals.meetings_held) == (17, 4, 2, 3)
    assert report.directives == 2  # distinct: the base's directive counts once
    assert (totals.copies, totals.acknowledged, totals.flagged) == (23, 6, 1)
    assert [c.name for c in report.not_met] == [FORMULA_CELL, CELL_SCHOOLS]

    text = report.text()
    assert text.splitlines() == [
        f"📊 Thống kê tuần 20/11–26/11/2026 – {BASE}",
        "• 3 chi bộ, 17 đảng viên; 4 đã kết nối, 2 hoạt động trong 30 ngày qua",
        "• Tháng 11/2026: 3 buổi sinh hoạt; 2/3 chi bộ chưa họp thường kỳ (1 đã có lịch)",
        "• Dự họp (30 ngày qua): 64% (7/11 lượt)",  # the formula cell's 1 November too
        "• Chỉ đạo (30 ngày qua): 2; đã xác nhận 26% (6/23 lượt)",
        "• Đảng viên vắng sinh hoạt không phép từ 2 tháng trở lên: 1",
        # 26 November is past the cut-off day (the 20th): not having met is a reason now.
        "⚠️ Cần lưu ý: 3 chi bộ",
        f"  – {CELL_OFFICE}: dự họp 60%; xác nhận chỉ đạo 27%;"
        " 1 đảng viên vắng không phép từ 2 tháng",
        f"  – {FORMULA_CELL}: chưa họp thường kỳ; xác nhận chỉ đạo 0%",
        f"  – {CELL_SCHOOLS}: chưa họp thường kỳ (đã có lịch); xác nhận chỉ đạo 29%",
    ]
    assert len(text) < 1024  # fits a photo caption


def test_scope_is_the_committee_subtree_and_others_are_refused(
    demo: Database, clock: FakeClock
) -> None:
    build(demo, clock)
    with demo.session() as session:
        set_committee_units(
            session, find_member(session, "DV011"), {unit(session, CELL_SCHOOLS).id}
        )  # type: ignore[arg-type]
        grant_admin(session, find_member(session, "DV005"))  # type: ignore[arg-type]
    with demo.session() as session:
        narrow = stats.report_for_actor(
            session, actor(session, "DV011"), now=clock(), rules=APP_RULES
        )
        everything = stats.report_for_actor(
            session, actor(session, "DV005"), now=clock(), rules=APP_RULES
        )
        assert [c.name for c in narrow.cells] == [CELL_SCHOOLS]
        assert everything.scope == (TOP,)
        assert len(everything.cells) == 4 and everything.totals.members == 18
        for code in ("DV003", "DV001"):  # a member; a secretary
            with pytest.raises(Forbidden):
                stats.report_for_actor(session, actor(session, code), now=clock(), rules=APP_RULES)


def test_collect_is_a_fixed_number_of_queries_whatever_the_number_of_cells(
    demo: Database, clock: FakeClock
) -> None:
    build(demo, clock)
    statements: list[str] = []

    def count(*args: object) -> None:
        if "SAVEPOINT" not in str(args[2]):  # around each offered rule: not a query
            statements.append(str(args[2]))

    sa.event.listen(demo.engine, "before_cursor_execute", count)
    try:
        with demo.session() as session:
            stats.collect(session, None, now=clock(), rules=APP_RULES)
            few = len(statements)
            for index in range(30):
                ensure_unit_path(
                    session, [TOP, BASE, f"Chi bộ số {index}"], leaf_is_cell=True, now=clock()
                )
            session.flush()
            statements.clear()
            data = stats.collect(session, None, now=clock(), rules=APP_RULES)
    finally:
        sa.event.remove(demo.engine, "before_cursor_execute", count)
    assert len(data.cells) == 34
    # Six of its own (the trend reads the window's rows), one per offered rule (here one).
    assert len(statements) == few == 7


def test_chart_and_spreadsheet(demo: Database, clock: FakeClock) -> None:
    build(demo, clock)
    with demo.session() as session:
        report = stats.report_for_actor(
            session, actor(session, "DV016"), now=clock(), rules=APP_RULES
        )
    png = charts.render_chart(report)
    assert png.startswith(PNG) and len(png) > 5000
    data = charts.chart_data(report)
    # Few cells: all of them, in the report's order, the names as written.
    assert dict(zip(data.names, data.attendance, strict=True)) == {
        CELL_OFFICE: 60.0,
        CELL_SCHOOLS: None,  # no roll taken: nothing to measure, no bar
        FORMULA_CELL: 100.0,
    }
    assert data.trend_labels[-1] == "26/11" and len(data.trend_labels) == 8
    assert data.trend_attendance[-1] == 60.0  # 20 and 24 November: 6 of 10
    workbook = load_workbook(io.BytesIO(stats.render_xlsx(report)))
    sheet = workbook[stats_texts.STATS_XLSX_SHEET_CELLS]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Đơn vị cấp trên", "Chi bộ", "Đảng viên")
    assert rows[0][4] == "Hoạt động 30 ngày"
    body = {r[1]: r for r in rows[1:]}
    assert len(rows) == 4 and set(body) == {CELL_OFFICE, CELL_SCHOOLS, "'" + FORMULA_CELL}
    assert body[CELL_OFFICE] == (
        f"{TOP} / {BASE}",
        CELL_OFFICE,
        8,
        3,
        1,
        2,
        "Đã họp",
        0.6,
        2,
        15,
        pytest.approx(4 / 15),
        1,
        "dự họp 60%; xác nhận chỉ đạo 27%; 1 đảng viên vắng không phép từ 2 tháng",
    )
    assert body[CELL_SCHOOLS][6:8] == ("Đã có lịch", None)
    assert body["'" + FORMULA_CELL][6] == "Chưa họp"
    assert sheet.cell(row=2, column=8).number_format == "0%"
    # openpyxl would have stored an unescaped "=…" as a formula; the escaped one is text.
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    summary = dict(workbook[stats_texts.STATS_XLSX_SHEET_SUMMARY].iter_rows(values_only=True))
    assert summary["Số chi bộ"] == 3 and summary["Đảng viên"] == 17
    assert summary["Chi bộ chưa họp thường kỳ"] == 2


def test_escape_cell() -> None:
    for dangerous in ("=SUM(A1:A9)", "+84 912", "-1", "@cmd", "\tx"):
        assert stats.escape_cell(dangerous) == "'" + dangerous
    assert stats.escape_cell("Chi bộ 1") == "Chi bộ 1"
    assert stats.escape_cell(-1) == -1 and stats.escape_cell(None) is None


def test_thongke_command_returns_text_chart_and_table(
    demo: Database, clock: FakeClock, chat_as
) -> None:
    build(demo, clock)
    chat = chat_as("DV016")
    response = chat.send("/thongke")
    first, second = response.replies
    assert first.text.startswith(f"📊 Thống kê tuần 20/11–26/11/2026 – {BASE}")
    assert "• 3 chi bộ, 17 đảng viên; 5 đã kết nối, 3 hoạt động" in first.text  # DV016 now too
    assert first.file is not None and first.file.kind == "photo"
    assert first.file.data.startswith(PNG) and first.file.name == "thongke_2026-11-26.png"
    assert second.file is not None and second.file.kind == "document"
    assert second.file.name.endswith(".xlsx")
    assert second.text == stats_texts.STATS_XLSX_CAPTION.format(cells=3)
    rows = list(load_workbook(io.BytesIO(second.file.data)).active.iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == sorted([CELL_OFFICE, CELL_SCHOOLS, "'" + FORMULA_CELL])

    for code in ("DV003", "DV001"):  # a member, a secretary: refused, nothing attached
        refused = chat_as(code).send("/thongke")
        assert refused.replies[0].text == texts.FORBIDDEN_COMMITTEE
        assert all(r.file is None for r in refused.replies)

    with demo.session() as session:
        grant_admin(session, find_member(session, "DV003"))  # type: ignore[arg-type]
    admin = chat_as("DV003").send("/thongke")
    assert f"Thống kê tuần 20/11–26/11/2026 – {TOP}" in admin.replies[0].text
    assert "• 4 chi bộ, 18 đảng viên" in admin.replies[0].text


@pytest.mark.parametrize(
    ("local", "label"),
    [
        (datetime(2026, 12, 7, 7, 30), "01/12–07/12/2026"),  # the Monday report
        (datetime(2026, 12, 4, 9, 0), "28/11–04/12/2026"),  # a Friday
        # Monday 00:05 in Hà Nội is still Sunday in UTC: the local day counts.
        (datetime(2026, 11, 30, 0, 5), "24/11–30/11/2026"),
        (datetime(2027, 1, 2, 12, 0), "27/12/2026–02/01/2027"),  # across the new year
    ],
)
def test_the_period_is_named_by_its_dates_not_a_week_number(local: datetime, label: str) -> None:
    """The report covers the seven days ending today, named by their dates in the zone."""
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    report = stats.StatsReport(
        scope=("Đảng bộ X",),
        now=local.replace(tzinfo=tz).astimezone(UTC),
        tz=tz,
        window_days=7,
        cells=(),
        directives=0,
        flag_months=2,
    )
    assert report.week_label == label
    assert label in report.text()
    assert "W" not in report.text().splitlines()[0]  # no "2026-W49"
