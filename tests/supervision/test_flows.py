"""The flows end to end on the app's core (terminal chats): `/baocao` from `/nhiemvu`, with
bad input and `/huy`; `/giamsat` for a secretary (filter, closing) and a committee (ranking,
drill-down); forged and stale buttons; refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlmodel import select

from handlers.core import Core
from handlers.messages import Incoming, IncomingFile
from models import Database, TaskClosure, TaskReport
from services import texts
from tests.supervision.support import CELL_SCHOOLS, add_task
from tests.support import ChatDriver, FakeClock

Chat = Callable[[str], ChatDriver]
TODAY = date(2026, 11, 26)


def _reports(db: Database) -> list[TaskReport]:
    with db.session() as session:
        return list(session.exec(select(TaskReport)))


def test_report_from_the_members_list_with_a_photo(
    core: Core, chat_as: Chat, demo: Database, clock: FakeClock
) -> None:
    task_id = add_task(demo, "DV003", TODAY + timedelta(days=5), created_at=clock())
    member = chat_as("DV003")
    member.send("/nhiemvu")
    member.press("Báo cáo tiến độ")
    assert "bao nhiêu phần trăm" in member.text
    member.send("một nửa")
    assert "từ 0 đến 100" in member.text and "bao nhiêu phần trăm" in member.text
    member.send("50%")
    assert "một dòng ngắn" in member.text
    member.last = core.handle(
        Incoming(
            channel="terminal",
            chat_id=member.user_id,
            user_id=member.user_id,
            text="Đã gặp 3 bạn",
            file=IncomingFile(kind="photo", file_id="photo-77"),
        )
    )
    assert "Đã ghi báo cáo" in member.text and "50%" in member.text
    [report] = _reports(demo)
    assert (report.task_id, report.percent, report.note, report.file_ref, report.file_kind) == (
        task_id,
        50,
        "Đã gặp 3 bạn",
        "photo-77",
        "photo",
    )


def test_report_can_be_left_with_huy_and_writes_nothing(
    chat_as: Chat, demo: Database, clock: FakeClock
) -> None:
    add_task(demo, "DV003", TODAY + timedelta(days=5), title="Việc một", created_at=clock())
    add_task(demo, "DV003", TODAY + timedelta(days=9), title="Việc hai", created_at=clock())
    member = chat_as("DV003")
    member.send("/baocao")
    assert "nhiệm vụ nào" in member.text
    member.press("Việc hai")
    member.send("xong")
    member.send("/huy")
    assert member.text == texts.CANCELLED
    assert _reports(demo) == []
    member.send("/baocao")
    member.press("Việc hai")
    member.send("xong")
    member.send("Đã nộp danh sách")
    assert "đã xong" in member.text
    member.send("/baocao")  # only "Việc một" is left: straight to it
    assert "Việc một" in member.text and "bao nhiêu phần trăm" in member.text


def test_a_member_without_tasks_and_a_stale_button(
    chat_as: Chat, demo: Database, clock: FakeClock
) -> None:
    member = chat_as("DV004")
    member.send("/baocao")
    assert "không có nhiệm vụ nào" in member.text
    add_task(demo, "DV003", TODAY, title="Việc một", created_at=clock())
    add_task(demo, "DV003", TODAY, title="Việc hai", created_at=clock())
    owner = chat_as("DV003")
    owner.send("/baocao")
    old = owner.option("Việc một").payload
    owner.press("Việc hai")
    owner.press_payload(old)  # the previous prompt's button
    assert owner.last.notice == texts.STALE_BUTTON
    nonce = old.split(":")[0]
    owner.press_payload(f"{nonce}:9999")  # forged
    assert owner.last.notice == texts.STALE_BUTTON
    assert _reports(demo) == []


def test_the_secretary_filters_and_closes(chat_as: Chat, demo: Database, clock: FakeClock) -> None:
    past = clock() - timedelta(days=20)
    add_task(demo, "DV003", TODAY - timedelta(days=4), title="Việc quá hạn", created_at=past)
    add_task(demo, "DV004", TODAY + timedelta(days=10), title="Việc trong hạn", created_at=past)
    add_task(
        demo,
        "DV010",
        TODAY - timedelta(days=4),
        title="Việc chi bộ khác",
        cell=CELL_SCHOOLS,
        created_at=past,
    )
    secretary = chat_as("DV001")
    secretary.send("/giamsat")
    assert "Việc quá hạn" in secretary.text and "quá hạn" in secretary.text
    assert "Việc trong hạn" in secretary.text and "Việc chi bộ khác" not in secretary.text
    assert "Chưa có báo cáo" in secretary.text and "Gợi ý điểm" in secretary.text
    secretary.press("Chỉ xem quá hạn")
    assert "Việc quá hạn" in secretary.text and "Việc trong hạn" not in secretary.text
    secretary.press("Đóng một nhiệm vụ")
    secretary.press("Việc quá hạn")
    secretary.press("Hoàn thành chậm")
    secretary.send("x" * 501)
    assert "dài quá" in secretary.text
    secretary.send("Đã xong ngày 25")
    assert "Đã đóng nhiệm vụ" in secretary.text and "Hoàn thành chậm" in secretary.text
    assert "Không có nhiệm vụ nào quá hạn" in secretary.text
    with demo.session() as session:
        [closure] = session.exec(select(TaskClosure)).all()
        assert (closure.outcome, closure.note) == ("hoan_thanh_tre", "Đã xong ngày 25")
    secretary.send("/huy")
    assert secretary.text == texts.CANCELLED


def test_the_committee_ranks_and_drills_down_but_does_not_close(
    chat_as: Chat, demo: Database, clock: FakeClock
) -> None:
    past = clock() - timedelta(days=20)
    add_task(demo, "DV003", TODAY - timedelta(days=4), title="Việc văn phòng", created_at=past)
    add_task(
        demo,
        "DV010",
        TODAY - timedelta(days=4),
        title="Việc trường",
        cell=CELL_SCHOOLS,
        created_at=past,
    )
    add_task(
        demo,
        "DV011",
        TODAY - timedelta(days=2),
        title="Việc trường 2",
        cell=CELL_SCHOOLS,
        created_at=past,
    )
    committee = chat_as("DV016")
    committee.send("/giamsat")
    ranking = committee.text
    assert ranking.index(CELL_SCHOOLS) < ranking.index("Chi bộ Văn phòng Sở")
    assert "2 quá hạn" in ranking
    committee.press("Văn phòng")
    assert "Việc văn phòng" in committee.text and "Việc trường" not in committee.text
    labels = [o.label for o in committee.options()]
    assert not any("Đóng" in label for label in labels)
    back = committee.option("Danh sách chi bộ").payload
    plan = committee.option("Chương trình kiểm tra").payload
    committee.press_payload(back.split(":")[0] + ":close")
    assert committee.last.notice == texts.STALE_BUTTON  # a forged "close": not on offer
    committee.press_payload(plan)
    assert "Chưa có mục nào trong chương trình năm 2026" in committee.text
    assert "Việc văn phòng" in committee.text  # the table again, below
    back = committee.option("Danh sách chi bộ").payload
    committee.press_payload(back)
    assert "xếp theo số nhiệm vụ quá hạn" in committee.text


def test_members_and_other_secretaries_are_refused(
    chat_as: Chat, demo: Database, clock: FakeClock
) -> None:
    add_task(demo, "DV003", TODAY - timedelta(days=4), title="Việc văn phòng", created_at=clock())
    member = chat_as("DV003")
    member.send("/giamsat")
    assert member.text == texts.FORBIDDEN_LEADER
    other = chat_as("DV009")
    other.send("/giamsat")
    assert "Việc văn phòng" not in other.text and CELL_SCHOOLS in other.text
