"""The suggestion at the core: a year of recorded facts through the score, on both databases;
the formula as data; a criterion no feature offers is skipped and said so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from models import Database
from services.assessment import texts as assessment_texts
from services.assessment.rules import DEFAULT_ASSESSMENT_RULES, Band, Formula, Period
from services.assessment.suggest import build, collect, suggest
from services.assessment.views import breakdown
from tests.assessment.support import AFTER_2026, criteria, member, seed_year

YEAR = Period(2026)
TODAY = AFTER_2026.date()
RULES = DEFAULT_ASSESSMENT_RULES


def test_a_year_of_facts_through_the_score(demo: Database) -> None:
    with demo.session() as session:
        seed_year(session)
        cuong = member(session, "DV003")
        assert cuong.id is not None
        facts = collect(session, criteria(), [cuong.id], YEAR, TODAY, RULES.formula, RULES.tz)
        assert facts["attendance"][cuong.id] == {
            "attended": 10,
            "excused": 1,
            "unexcused": 1,
            "convened": 12,
        }
        assert facts["tasks"][cuong.id] == {
            "on_time": 4,
            "late": 1,
            "not_done": 0,
            "exceeded": 0,
            "exceeded_known": 1,
        }
        assert facts["fees"][cuong.id] == {"months_due": 11, "on_time": 9, "late": 1}
        assert facts["pledge"][cuong.id] == {"approved": 1, "review_due": 1, "reviewed": 1}

        result = suggest(session, criteria(), [cuong.id], YEAR, TODAY, RULES.formula, RULES.tz)
    s = result[cuong.id]
    points = {line.key: line.points for line in s.lines}
    assert points["attendance"] == pytest.approx(30 * 10.5 / 12)
    assert points["tasks"] == pytest.approx(40 * 4.5 / 5)
    assert points["fees"] == pytest.approx(20 * 9.5 / 11)
    assert points["pledge"] == pytest.approx(10)
    # 26.25 + 36 + 17.27 + 10 = 89.5 → 90, "xuất sắc" by points; one task late: "tốt".
    assert (s.base, s.score, s.band) == (90, 90, Band.GOOD)
    assert assessment_texts.NOTE_CAP_NOT_ON_TIME in s.notes
    text = breakdown(s)
    assert "có mặt 10/12 buổi, vắng có phép 1, vắng không phép 1 → 26,2/30 điểm" in text
    assert "11 tháng phải đóng: đúng hạn 9, đóng muộn 1, chưa đóng 1" in text
    assert "Điểm gợi ý: 90 = 90/100 → Hoàn thành tốt nhiệm vụ" in text


def test_a_quarter_counts_only_its_days(demo: Database) -> None:
    with demo.session() as session:
        seed_year(session)
        cuong = member(session, "DV003")
        assert cuong.id is not None
        q4 = Period(2026, 4)
        facts = collect(session, criteria(), [cuong.id], q4, TODAY, RULES.formula, RULES.tz)
    assert facts["attendance"][cuong.id]["convened"] == 3
    assert facts["tasks"][cuong.id] == {
        "on_time": 0,
        "late": 1,
        "not_done": 0,
        "exceeded": 0,
        "exceeded_known": 1,
    }
    assert facts["fees"][cuong.id] == {"months_due": 3, "on_time": 1, "late": 1}


def test_a_period_in_progress_counts_until_today(demo: Database) -> None:
    with demo.session() as session:
        seed_year(session)
        cuong = member(session, "DV003")
        assert cuong.id is not None
        today = date(2026, 6, 30)
        result = suggest(session, criteria(), [cuong.id], YEAR, today, RULES.formula, RULES.tz)
    s = result[cuong.id]
    lines = {line.key: line for line in s.lines}
    assert "có mặt 6/6 buổi" in lines["attendance"].detail
    assert "2 nhiệm vụ: đúng hạn 2" in lines["tasks"].detail  # March, May; July on: not due
    assert any("30/06/2026" in note for note in s.notes)


def test_a_criterion_no_feature_offers_is_skipped_and_said(demo: Database) -> None:
    offered = [c for c in criteria() if c.key != "fees"]
    with demo.session() as session:
        seed_year(session)
        cuong = member(session, "DV003")
        assert cuong.id is not None
        s = suggest(session, offered, [cuong.id], YEAR, TODAY, RULES.formula, RULES.tz)[cuong.id]
    fees = next(line for line in s.lines if line.key == "fees")
    assert not fees.offered and fees.points is None
    # 26.25 + 36 + 10 of 80 → 90.3 → 90 on the 100 scale; said in the notes and the breakdown.
    assert s.base == 90
    assert assessment_texts.NOTE_SCALED.format(measured=80) in s.notes
    assert "phần mềm chưa có dữ liệu này, bỏ qua" in breakdown(s)


def test_bands_and_conditions_follow_366() -> None:
    formula = RULES.formula
    assert [formula.band_of(x) for x in (100, 90, 89, 70, 69, 50, 49, 0)] == [
        Band.EXCELLENT,
        Band.EXCELLENT,
        Band.GOOD,
        Band.GOOD,
        Band.DONE,
        Band.DONE,
        Band.NOT_DONE,
        Band.NOT_DONE,
    ]
    offered = criteria()
    attendance = {"attended": 4, "convened": 4}
    all_on_time = {"on_time": 10, "exceeded": 2, "exceeded_known": 1}
    exceeded = {"on_time": 10, "exceeded": 3, "exceeded_known": 1}
    many_late = {"on_time": 7, "late": 3}

    def band(tasks: dict[str, int], adjustment: int = 0) -> Band | None:
        facts = {"attendance": {1: attendance}, "tasks": {1: tasks}}
        return build(1, formula, offered, facts, adjustment, None).band

    assert band(exceeded) is Band.EXCELLENT
    assert band(all_on_time) is Band.GOOD  # 20 % exceeded, 30 % needed
    # 30 % late: even with points for "tốt", the late share makes it "không hoàn thành".
    assert band(many_late, adjustment=20) is Band.NOT_DONE
    # No facts at all: no score, said so.
    empty = build(1, formula, offered, {}, 0, None)
    assert empty.score is None and assessment_texts.NOTE_NO_DATA in empty.notes


def test_the_formula_is_data(tmp_path: Path) -> None:
    raw = (Path(__file__).parents[2] / "services/assessment/data/formula.toml").read_text()
    formula = Formula.load()
    assert sum(c.weight for c in formula.criteria) == 100
    assert [c.key for c in formula.criteria] == ["attendance", "tasks", "fees", "pledge"]
    broken = tmp_path / "formula.toml"
    broken.write_text(raw.replace("weight = 30", "weight = 35"))
    with pytest.raises(ValueError, match="100"):
        Formula.load(broken)
    heavier = tmp_path / "heavier.toml"
    heavier.write_text(
        raw.replace("weight = 30", "weight = 40").replace("weight = 20", "weight = 10")
    )
    changed = Formula.load(heavier)
    assert {c.key: c.weight for c in changed.criteria}["attendance"] == 40


def test_the_supervision_closures_count_first(demo: Database) -> None:
    """A task closed as exceeded (vượt) or not done counts as the task table shows it."""
    from sqlmodel import select

    from models import Task, TaskClosure

    with demo.session() as session:
        seed_year(session)
        cuong = member(session, "DV003")
        assert cuong.id is not None
        march, may = session.exec(
            select(Task).where(Task.owner_member_id == cuong.id).order_by(Task.due_on)
        ).all()[:2]
        session.add(TaskClosure(task_id=march.id or 0, outcome="vuot"))
        session.add(TaskClosure(task_id=may.id or 0, outcome="khong_hoan_thanh"))
        session.flush()
        facts = collect(session, criteria(), [cuong.id], YEAR, TODAY, RULES.formula, RULES.tz)
    assert facts["tasks"][cuong.id] == {
        "on_time": 3,
        "late": 1,
        "not_done": 1,
        "exceeded": 1,
        "exceeded_known": 1,
    }
