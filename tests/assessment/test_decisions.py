"""The cell decides, the committee approves, the period locks; every refusal writes nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, func, select

from models import (
    AssessmentAdjustment,
    AssessmentDecision,
    AssessmentPeriod,
    AuditLog,
    Database,
    Member,
)
from services.assessment import access, decisions, export, locking, views
from services.assessment.rules import (
    DEFAULT_ASSESSMENT_RULES,
    LOCKED,
    OPEN,
    SUBMITTED,
    Band,
    Period,
)
from services.errors import Forbidden, UserError
from tests.assessment.support import (
    AFTER_2026,
    actor,
    base_unit,
    criteria,
    member,
    other_committee,
    seed_year,
)

YEAR = Period(2026)
TODAY = AFTER_2026.date()
RULES = DEFAULT_ASSESSMENT_RULES
NOW = AFTER_2026


def _rows(session: Session) -> tuple[int, int, int]:
    count = func.count()
    return (
        session.exec(select(count).select_from(AssessmentPeriod)).one(),
        session.exec(select(count).select_from(AssessmentAdjustment)).one(),
        session.exec(select(count).select_from(AssessmentDecision)).one(),
    )


def _decide(session: Session, code: str, band: Band, note: str | None = None) -> None:
    cell = member(session, "DV001").cell_id
    decisions.decide(
        session,
        actor(session, "DV001"),
        cell,
        YEAR,
        member(session, code).id or 0,
        band,
        votes=(6, 6),
        note=note,
        offered=criteria(),
        today=TODAY,
        now=NOW,
        rules=RULES,
    )


def _decide_all(session: Session) -> None:
    """Every assessed member of the office cell: the suggestion, except DV003 (a note)."""
    cell = member(session, "DV001").cell_id
    view = decisions.build_view(
        session, access.load_cell(session, cell), YEAR, criteria(), TODAY, RULES
    )
    for m in view.members:
        suggested = view.suggestions[m.id or 0].band
        if m.code == "DV003":
            _decide(session, m.code, Band.EXCELLENT, note="Vượt chỉ tiêu được giao")
        else:
            _decide(session, m.code, suggested or Band.DONE, note=None if suggested else "x" * 6)


def test_adjust_decide_submit_approve_lock(demo: Database) -> None:
    with demo.session() as session:
        seed_year(session)
        secretary = actor(session, "DV001")
        cell = secretary.cell_id
        cuong = member(session, "DV003")
        assert cuong.id is not None
        decisions.adjust(
            session, secretary, cell, YEAR, cuong.id, -5, "Chậm báo cáo", now=NOW, rules=RULES
        )
        view = decisions.cell_view(session, secretary, cell, YEAR, criteria(), TODAY, RULES)
        assert view.suggestions[cuong.id].score == 85
        text = views.breakdown(view.suggestions[cuong.id], view.adjustments[cuong.id])
        assert "90 −5 (bí thư điều chỉnh) = 85/100" in text and "−5: Chậm báo cáo" in text
        # A band other than the suggestion needs a note; nothing is written without one.
        with pytest.raises(UserError, match="cần ghi lý do"):
            _decide(session, "DV003", Band.EXCELLENT)
        assert _rows(session) == (1, 1, 0)
        # Probationary DV005 and the rest: the suggestion. Exempt DV007 is not assessed.
        _decide_all(session)
        # The quota: one "xuất sắc" needs five "tốt".
        with pytest.raises(UserError, match="Xuất sắc"):
            decisions.submit(session, secretary, cell, YEAR, now=NOW, rules=RULES)
        _decide(session, "DV003", Band.GOOD, note="Theo ý kiến chi bộ")
        record = decisions.submit(session, secretary, cell, YEAR, now=NOW, rules=RULES)
        assert record.status == SUBMITTED
        with pytest.raises(UserError, match="chờ duyệt"):
            _decide(session, "DV004", Band.GOOD, note="Sửa lại")
        committee = actor(session, "DV016")
        record = locking.approve(session, committee, cell, YEAR, now=NOW)
        assert record.status == LOCKED
        session.commit()

    with demo.session() as session:
        secretary = actor(session, "DV001")
        cuong = member(session, "DV003")
        before = _rows(session)
        with pytest.raises(UserError, match="đã được cấp trên duyệt và khóa"):
            decisions.adjust(
                session, secretary, cell, YEAR, cuong.id or 0, 3, "Thêm điểm", now=NOW, rules=RULES
            )
        with pytest.raises(UserError, match="khóa"):
            _decide(session, "DV003", Band.EXCELLENT, note="Sau khi khóa")
        assert _rows(session) == before
        # The member sees the final band; the breakdown is the one stored with the decision,
        # whatever is recorded afterwards (a late payment for December).
        text, announced = views.my_result(
            session, actor(session, "DV003"), YEAR, criteria(), TODAY, RULES
        )
        assert "✅ Kết quả: Hoàn thành tốt nhiệm vụ (biểu quyết 6/6 tán thành)" in text
        assert "Theo ý kiến chi bộ" in text and not announced


def test_unlock_is_audited_and_reopens(demo: Database) -> None:
    with demo.session() as session:
        seed_year(session)
        cell = member(session, "DV001").cell_id
        _decide_all(session)
        _decide(session, "DV003", Band.GOOD, note="Theo ý kiến chi bộ")
        decisions.submit(session, actor(session, "DV001"), cell, YEAR, now=NOW, rules=RULES)
        committee = actor(session, "DV016")
        locking.approve(session, committee, cell, YEAR, now=NOW)
        with pytest.raises(UserError, match="từ 5"):
            locking.unlock(session, committee, cell, YEAR, "x", now=NOW)
        record = locking.unlock(session, committee, cell, YEAR, "Xem lại đồng chí Cường", now=NOW)
        assert record.status == OPEN and record.unlock_reason == "Xem lại đồng chí Cường"
        entry = session.exec(select(AuditLog).where(AuditLog.action == "assessment.unlocked")).one()
        assert entry.detail["was"] == LOCKED and entry.actor_member_id == committee.member_id
        assert entry.detail["bands"][str(member(session, "DV003").id)] == Band.GOOD
        _decide(session, "DV003", Band.DONE, note="Chi bộ họp lại")
        with pytest.raises(UserError, match="đang mở"):
            locking.unlock(session, committee, cell, YEAR, "Lần nữa đi", now=NOW)


def test_refusals_write_nothing(demo: Database) -> None:
    with demo.session() as session:
        seed_year(session)
        office = member(session, "DV001").cell_id
        cuong = member(session, "DV003")
        other_secretary = actor(session, "DV009")
        plain_member = actor(session, "DV004")
        outsider = other_committee(session)
        assert cuong.id is not None
        with pytest.raises(Forbidden):
            decisions.adjust(
                session,
                other_secretary,
                office,
                YEAR,
                cuong.id,
                2,
                "Lý do khác",
                now=NOW,
                rules=RULES,
            )
        with pytest.raises(Forbidden):
            decisions.cell_view(session, plain_member, office, YEAR, criteria(), TODAY, RULES)
        with pytest.raises(Forbidden):
            decisions.cell_view(session, outsider, office, YEAR, criteria(), TODAY, RULES)
        with pytest.raises(Forbidden):
            locking.distribution(session, outsider, base_unit(session).id or 0, YEAR, RULES)
        # The secretary's own cell, but a member of another cell (a forged id) or no one.
        schools_member = member(session, "DV010")
        for forged in (schools_member.id or 0, 999_999):
            with pytest.raises(UserError, match="không thuộc chi bộ"):
                decisions.adjust(
                    session,
                    actor(session, "DV001"),
                    office,
                    YEAR,
                    forged,
                    2,
                    "Giả mạo",
                    now=NOW,
                    rules=RULES,
                )
        # The exempt member is not assessed.
        with pytest.raises(UserError, match="không thuộc chi bộ"):
            _decide(session, "DV007", Band.GOOD, note="Miễn sinh hoạt")
        # Points beyond the limit, a reason too short.
        with pytest.raises(UserError, match="±20"):
            decisions.adjust(
                session,
                actor(session, "DV001"),
                office,
                YEAR,
                cuong.id,
                25,
                "Quá nhiều",
                now=NOW,
                rules=RULES,
            )
        with pytest.raises(UserError, match="Lý do"):
            decisions.adjust(
                session,
                actor(session, "DV001"),
                office,
                YEAR,
                cuong.id,
                2,
                "ok",
                now=NOW,
                rules=RULES,
            )
        # Nothing to approve yet; a committee outside the subtree may not approve either.
        with pytest.raises(UserError, match="chưa gửi"):
            locking.approve(session, actor(session, "DV016"), office, YEAR, now=NOW)
        with pytest.raises(Forbidden):
            locking.approve(session, outsider, office, YEAR, now=NOW)
        with pytest.raises(Forbidden):
            locking.approve(session, actor(session, "DV001"), office, YEAR, now=NOW)
        with pytest.raises(UserError, match="chưa được xếp loại"):
            decisions.submit(session, actor(session, "DV001"), office, YEAR, now=NOW, rules=RULES)
        assert _rows(session) == (0, 0, 0)


def test_bad_points_and_votes() -> None:
    assert decisions.check_points("+5") == 5
    assert decisions.check_points(" -3 ") == -3
    for bad in ("0", "abc", "+-3", "5.5", "", "1000"):
        with pytest.raises(UserError):
            decisions.check_points(bad)
    assert decisions.check_vote("9 10") == (9, 10)
    assert decisions.check_vote("9/10") == (9, 10)
    for bad in ("10 9", "0 0", "9", "chín mười", "1 2 3"):
        with pytest.raises(UserError):
            decisions.check_vote(bad)


def test_distribution_and_export(demo: Database) -> None:
    with demo.session() as session:
        seed_year(session)
        office = member(session, "DV001").cell_id
        _decide_all(session)
        _decide(session, "DV003", Band.GOOD, note="Theo ý kiến chi bộ")
        decisions.submit(session, actor(session, "DV001"), office, YEAR, now=NOW, rules=RULES)
        committee = actor(session, "DV016")
        unit, rows = locking.distribution(
            session, committee, base_unit(session).id or 0, YEAR, RULES
        )
        by_name = {r.name: r for r in rows}
        office_row = by_name["Chi bộ Văn phòng Sở"]
        assert office_row.status == SUBMITTED
        assert sum(office_row.bands.values()) == office_row.members == 7  # DV007 is exempt
        assert by_name["Chi bộ Phòng Giáo dục Trung học"].status is None
        text = views.distribution_text(unit.name, YEAR, rows)
        assert "Chi bộ Phòng Giáo dục Trung học: chưa xếp loại" in text
        view = decisions.cell_view(session, committee, office, YEAR, criteria(), TODAY, RULES)
        data = export.render_xlsx(view, NOW, RULES.tz)
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        rows_seen = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        header = rows_seen.index(tuple(export.assessment_texts.SHEET_COLUMNS))
        first = rows_seen[header + 1]
        names = [r[1] for r in rows_seen[header + 1 : header + 1 + len(view.members)]]
        assert first[0] == 1 and names[0] == "Nguyễn Văn An"  # by given name: An first
        cuong_row = next(r for r in rows_seen if r[1] == "Lê Văn Cường")
        assert cuong_row[6] == 90 and cuong_row[8] == "Hoàn thành tốt nhiệm vụ"
        assert cuong_row[9] == "6/6"
        members = session.exec(select(Member).where(Member.cell_id == office)).all()
        assert len(members) == 8


def test_announced_within_the_cell_only_when_configured_and_locked(demo: Database) -> None:
    import dataclasses

    announcing = dataclasses.replace(
        RULES, formula=dataclasses.replace(RULES.formula, announce_within_cell=True)
    )
    with demo.session() as session:
        seed_year(session)
        office = member(session, "DV001").cell_id
        dung = actor(session, "DV004")
        assert "chưa được cấp trên duyệt" in views.announced_list(
            session, dung, YEAR, TODAY, announcing
        )
        _decide_all(session)
        _decide(session, "DV003", Band.GOOD, note="Theo ý kiến chi bộ")
        decisions.submit(session, actor(session, "DV001"), office, YEAR, now=NOW, rules=RULES)
        locking.approve(session, actor(session, "DV016"), office, YEAR, now=NOW)
        _text, announced = views.my_result(session, dung, YEAR, criteria(), TODAY, announcing)
        assert announced
        listing = views.announced_list(session, dung, YEAR, TODAY, announcing)
        assert "Lê Văn Cường: Hoàn thành tốt nhiệm vụ" in listing
        # Off (the default): the member reads only their own.
        _text, announced = views.my_result(session, dung, YEAR, criteria(), TODAY, RULES)
        assert not announced
        assert "Lê Văn Cường" not in views.announced_list(session, dung, YEAR, TODAY, RULES)
