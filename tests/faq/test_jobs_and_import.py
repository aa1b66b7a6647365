"""The one reminder about an unanswered question (controlled clock), and `import_faq`:
CSV and TOML, re-import by id, all-or-nothing with "Dòng n:" errors; on both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from models import Database, Delivery, FaqEntry, FaqQuestion, FaqReview
from scheduler.faq import FaqReminderJob
from scheduler.jobs import tick
from scheduler.rules import SchedulerRules
from services.auth import load_actor
from services.faq import approval, relay
from services.faq.catalog import for_cell, general, unreviewed
from services.faq.importing import ImportFailed, import_faq
from services.identities import find_member, local_identity
from tests.support import FakeClock

HEADER = "id,chu_de,cau_hoi,tra_loi,nguon\n"


def _ask(db: Database, clock: FakeClock) -> int:
    with db.session() as session:
        secretary, member = find_member(session, "DV001"), find_member(session, "DV003")
        assert secretary is not None and member is not None
        local_identity(session, secretary, now=clock())
        asked = relay.ask(session, load_actor(session, member), "Xin hỏi về thủ tục", now=clock())
        assert asked.question.id is not None
        return asked.question.id


def reminders(db: Database) -> list[Delivery]:
    with db.session() as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == "faq_reminder")))


def test_an_unanswered_question_is_reminded_once_after_three_days(
    demo: Database, clock: FakeClock
) -> None:
    question_id = _ask(demo, clock)
    rules, jobs = SchedulerRules(), [FaqReminderJob()]
    start = clock()
    assert tick(demo, start + timedelta(days=2), rules, jobs=jobs)["faq_reminder"].sent == 0
    assert (
        tick(demo, start + timedelta(days=3, hours=1), rules, jobs=jobs)["faq_reminder"].sent == 1
    )
    assert tick(demo, start + timedelta(days=4), rules, jobs=jobs)["faq_reminder"].sent == 0
    assert tick(demo, start + timedelta(days=6), rules, jobs=jobs)["faq_reminder"].sent == 0
    rows = reminders(demo)
    assert len(rows) == 1
    assert "Xin hỏi về thủ tục" in rows[0].payload["text"]
    assert rows[0].payload["options"][0]["id"] == f"faq_ans:{question_id}"


def test_an_answered_question_is_not_reminded(demo: Database, clock: FakeClock) -> None:
    question_id = _ask(demo, clock)
    with demo.session() as session:
        secretary = find_member(session, "DV001")
        assert secretary is not None
        relay.answer(session, load_actor(session, secretary), question_id, "Đã rõ", now=clock())
    report = tick(demo, clock() + timedelta(days=4), SchedulerRules(), jobs=[FaqReminderJob()])
    assert report["faq_reminder"].sent == 0 and not reminders(demo)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_is_imported_and_re_imported_by_id(
    demo: Database, clock: FakeClock, tmp_path: Path
) -> None:
    first = write(
        tmp_path,
        "faq.csv",
        HEADER
        + "tinh-01,Sinh hoạt chi bộ,Chi bộ tỉnh họp ngày nào?,Ngày 3 hằng tháng.,HD 01 Tỉnh ủy\n"
        + 'phi-01,phi,"Mức đảng phí, theo tỉnh?",1% lương.,Quy định 01-QĐ/TW\n',
    )
    with demo.session() as session:
        report = import_faq(session, first, now=clock())
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    with demo.session() as session:
        entries = {e.key: e for e in general(session)}
        assert entries["tinh-01"].topic == "Sinh hoạt chi bộ"
        assert entries["phi-01"].question == "Mức đảng phí, theo tỉnh?"  # replaces the shipped
        assert entries["phi-01"].topic == "Đảng phí"  # a shipped topic's key
        cell = find_member(session, "DV003")
        assert cell is not None
        found = for_cell(session, cell.cell_id).best("chi bo tinh hop ngay nao")
        assert found[0].entry.key == "tinh-01"
        # Approve the imported entry; a re-import that changes it makes it unreviewed again.
        committee = find_member(session, "DV016")
        assert committee is not None
        entry = entries["tinh-01"]
        approval.approve(
            session, load_actor(session, committee), "tinh-01", entry.digest, now=clock()
        )
    with demo.session() as session:
        assert "tinh-01" not in {e.key for e in unreviewed(session)}

    second = write(
        tmp_path,
        "faq2.csv",
        HEADER
        + "tinh-01,Sinh hoạt chi bộ,Chi bộ tỉnh họp ngày nào?,Ngày 5 hằng tháng.,HD 01 Tỉnh ủy\n"
        + 'phi-01,phi,"Mức đảng phí, theo tỉnh?",1% lương.,Quy định 01-QĐ/TW\n',
    )
    with demo.session() as session:
        report = import_faq(session, second, now=clock())
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    with demo.session() as session:
        assert len(session.exec(select(FaqEntry)).all()) == 2
        assert session.get(FaqReview, "tinh-01") is not None
        assert "tinh-01" in {e.key for e in unreviewed(session)}


def test_errors_name_their_rows_in_vietnamese_and_nothing_is_written(
    demo: Database, clock: FakeClock, tmp_path: Path
) -> None:
    bad = write(
        tmp_path,
        "bad.csv",
        HEADER
        + "tinh-01,Chủ đề,Câu hỏi?,Trả lời.,Nguồn\n"
        + "Tinh 02,Chủ đề,Câu hỏi?,Trả lời.,Nguồn\n"
        + "tinh-01,Chủ đề,Câu hỏi?,Trả lời.,\n"
        + f"tinh-04,Chủ đề,Câu hỏi?,{'x' * 601},Nguồn\n"
        + "hd-5,Chủ đề,Câu hỏi?,Trả lời.,Nguồn\n",
    )
    with demo.session() as session, pytest.raises(ImportFailed) as failure:
        import_faq(session, bad, now=clock())
    errors = failure.value.errors
    assert any(e.startswith("Dòng 3: mã «Tinh 02»") for e in errors)
    assert any(e.startswith("Dòng 4:") and "trùng với dòng 2" in e for e in errors)
    assert any(e.startswith("Dòng 4:") and "thiếu «nguồn»" in e for e in errors)
    assert any(e.startswith("Dòng 5:") and "601" in e for e in errors)
    assert any(e.startswith("Dòng 6:") for e in errors)
    with demo.session() as session:
        assert session.exec(select(FaqEntry)).first() is None

    for name, text, expected in [
        ("cols.csv", "id,cau_hoi\nx,y\n", "Thiếu cột"),
        ("faq.yaml", "- id: x\n", ".toml"),
        ("empty.csv", HEADER, "không có câu hỏi"),
        ("broken.toml", "[[entry]\nid=", "Không đọc được"),
    ]:
        with demo.session() as session, pytest.raises(ImportFailed) as failure:
            import_faq(session, write(tmp_path, name, text), now=clock())
        assert expected in failure.value.errors[0], name


def test_a_toml_file_like_the_shipped_one_is_imported(
    demo: Database, clock: FakeClock, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "faq.toml",
        """
[topics]
tinh = "Quy định của Tỉnh ủy"

[[entry]]
id = "tinh-01"
topic = "tinh"
question = "Tỉnh có quy định riêng về sinh hoạt chi bộ không?"
answer = "Có, theo Hướng dẫn của Tỉnh ủy."
source = "Hướng dẫn 01-HD/TU"

[[entry]]
id = "tinh-02"
topic = "tinh"
question = "Câu hỏi thứ hai?"
answer = ""
source = "Nguồn"
""",
    )
    with demo.session() as session, pytest.raises(ImportFailed) as failure:
        import_faq(session, path, now=clock())
    assert failure.value.errors == ["Mục 2: thiếu «trả lời»."]
    path.write_text(path.read_text(encoding="utf-8").replace('answer = ""', 'answer = "Có."'))
    with demo.session() as session:
        report = import_faq(session, path, now=clock())
        assert report.created == 2
    with demo.session() as session:
        topics = [e.topic for e in general(session) if e.key.startswith("tinh-")]
        assert topics == ["Quy định của Tỉnh ủy"] * 2
        assert session.exec(select(FaqQuestion)).first() is None
