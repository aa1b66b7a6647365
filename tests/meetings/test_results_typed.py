"""The results menu takes what comes next, typed right there; tasks a line each.

Why: recording a month's results took a tap to open each entry, and two tasks took nine
messages (owner from a paged list, title, deadline, "more", again). Now the menu says what
usually comes next (the text, the vote, the scores, the tasks) and it may be typed at once;
the tasks are typed a line each, "người – việc – hạn", all saved or none. The rules of reading
those lines are tested alone (`services.meetings.tasklines`), then the menu through the real core on
SQLite and PostgreSQL, on the terminal (numbers) and Telegram (buttons).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from models import Database, Member, Resolution, ResolutionVote, Task
from services.errors import UserError
from services.meetings import texts as meeting_texts
from services.meetings.tasklines import MAX_LINES, assign_tasks, parse_task_lines
from tests.meetings.test_quorum import PRESENT
from tests.meetings.test_resolutions import TYPICAL, actor, held_meeting
from tests.support import ChatDriver, FakeClock

NOW_LOCAL = datetime(2026, 12, 19, 16, 0, tzinfo=UTC)


def _members(*names: str) -> list[Member]:
    return [
        Member(id=index, code=f"X{index}", full_name=name, cell_id=1, status="chinh_thuc")
        for index, name in enumerate(names, start=1)
    ]


CELL = _members("Lê Văn Cường", "Vũ Thị Giang", "Trần Thị Bình", "Phạm Thị Bình")


def test_lines_name_their_owner_by_full_name_or_its_end() -> None:
    text = "Lê Văn Cường – Báo cáo năm – 31/12\n\nGiang - Thu đảng phí - 25/12/2026\n"
    parsed = parse_task_lines(text, CELL, NOW_LOCAL)
    assert parsed.errors == []
    assert [(t.owner_name, t.title, t.due_on.isoformat()) for t in parsed.lines] == [
        ("Lê Văn Cường", "Báo cáo năm", "2026-12-31"),
        ("Vũ Thị Giang", "Thu đảng phí", "2026-12-25"),
    ]


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("Cường – Báo cáo năm", meeting_texts.TASKLINE_FORMAT),  # no deadline
        ("Cường – – 31/12", meeting_texts.TASKLINE_FORMAT),  # no title
        (
            "Nguyễn Văn Z – Báo cáo – 31/12",
            meeting_texts.TASKLINE_NO_MEMBER.format(name="Nguyễn Văn Z"),
        ),
        ("Bình – Báo cáo – 31/12", "Phạm Thị Bình, Trần Thị Bình"),  # two members fit
        ("Cường – Báo cáo – ngày mai kia", "Dòng 2:"),  # a deadline not understood
        ("Cường – " + "x" * 501 + " – 31/12", "501"),
    ],
)
def test_a_wrong_line_is_said_with_its_number_and_nothing_is_kept(line: str, why: str) -> None:
    parsed = parse_task_lines(f"Giang – Thu đảng phí – 25/12\n{line}", CELL, NOW_LOCAL)
    assert parsed.lines == []
    assert len(parsed.errors) == 1 and parsed.errors[0].startswith("Dòng 2:")
    assert why in parsed.errors[0]


def test_empty_and_too_many_lines_are_refused() -> None:
    assert parse_task_lines(" \n ", CELL, NOW_LOCAL).errors == [meeting_texts.TASKLINE_EMPTY]
    many = "\n".join(["Giang – Việc – 25/12"] * (MAX_LINES + 1))
    assert parse_task_lines(many, CELL, NOW_LOCAL).errors == [
        meeting_texts.TASKLINE_TOO_MANY.format(maximum=MAX_LINES)
    ]


def test_tasks_are_saved_all_together_or_not_at_all(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        members = list(session.exec(select(Member).where(Member.cell_id == meeting.cell_id)))
        today = clock().astimezone(UTC)
        good = parse_task_lines("Cường – Báo cáo – 31/12", members, today).lines
        past = parse_task_lines("Giang – Thu phí – 1/12", members, today).lines
        with pytest.raises(UserError, match="Dòng 2"):
            assign_tasks(session, actor(session, "DV001"), meeting.id, [*good, *past], now=clock())
        assert session.exec(select(Task)).all() == []


def _results(demo: Database) -> tuple[Resolution, list[ResolutionVote], list[Task]]:
    with demo.session() as session:
        resolution = session.exec(select(Resolution)).one()
        votes = list(session.exec(select(ResolutionVote)))
        tasks = list(session.exec(select(Task).order_by(col(Task.id))))
        return resolution, votes, tasks


@pytest.mark.parametrize("channel", ["terminal", "telegram"])
def test_the_results_typed_where_the_menu_suggests(
    chat_as, demo: Database, clock: FakeClock, channel: str
) -> None:
    with demo.session() as session:
        held_meeting(session, clock, TYPICAL)
    secretary = chat_as("DV001", channel=channel)
    secretary.send("/ketqua")
    assert meeting_texts.FLOW_RES_NEXT_TEXT in secretary.text
    secretary.send("Nghị quyết tháng 12: hoàn thành kế hoạch năm.")
    assert "có mặt được biểu quyết: 5, ví dụ: 5 0 0" in secretary.text
    secretary.send("5 0 0")
    assert meeting_texts.FLOW_RES_NEXT_SCORE in secretary.text
    secretary.send("5 4 9 36 5 25 5")
    assert meeting_texts.FLOW_RES_NEXT_TASKS in secretary.text
    secretary.send("Cường – Báo cáo tổng kết năm – 31/12\nGiang – Thu đảng phí – thứ 6 tuần sau")
    assert secretary.text.startswith(meeting_texts.FLOW_RES_TASKS_SAVED.split("{")[0] + "2")
    resolution, votes, tasks = _results(demo)
    assert resolution.text == "Nghị quyết tháng 12: hoàn thành kế hoạch năm."
    assert [(v.votes_for, v.passed) for v in votes] == [(5, True)]
    assert resolution.quality_total == 89
    assert [t.title for t in tasks] == ["Báo cáo tổng kết năm", "Thu đảng phí"]
    assert tasks[1].due_on == date(2026, 12, 25)  # the meeting is on Saturday 19/12
    assert meeting_texts.FLOW_RES_M_PUBLISH in [o.label for o in secretary.options()]


def _at_results(
    chat_as, demo: Database, clock: FakeClock, statuses: dict[str, str], text: str | None = None
) -> ChatDriver:
    """The secretary at /ketqua of a meeting under way with `statuses`; `text` typed first."""
    with demo.session() as session:
        held_meeting(session, clock, statuses)
    secretary = chat_as("DV001")
    secretary.send("/ketqua")
    if text is not None:
        secretary.send(text)
    return secretary


def test_words_that_are_not_the_next_step_are_quoted_back(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary = _at_results(chat_as, demo, clock, TYPICAL, "Nghị quyết tháng 12.")
    secretary.send("thông qua hết")  # not three numbers: nothing recorded
    assert "“thông qua hết”" in secretary.text
    assert _results(demo)[1] == []
    assert meeting_texts.FLOW_RES_M_VOTE in [o.label for o in secretary.options()]


def test_a_vote_typed_below_quorum_is_warned_then_kept(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    present = {"DV001": PRESENT, "DV002": PRESENT}
    secretary = _at_results(chat_as, demo, clock, present, "Nghị quyết tháng 12.")
    secretary.send("2 0 0")
    assert secretary.text == meeting_texts.FLOW_RES_QUORUM_SHORT.format(
        present=2, convened=6, needed=3
    )
    assert _results(demo)[1] == []
    secretary.press(
        meeting_texts.FLOW_RES_QUORUM_GO
    )  # the typed numbers are recorded, not asked again
    (vote,) = _results(demo)[1]
    assert (vote.votes_for, vote.eligible_present) == (2, 2)


def test_tasks_typed_at_the_owner_picker_and_a_member_refused(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary = _at_results(chat_as, demo, clock, TYPICAL)
    secretary.press(meeting_texts.FLOW_RES_M_TASK.split(" (")[0])
    assert meeting_texts.FLOW_RES_TASK_LINES_HINT.splitlines()[0] in secretary.text
    secretary.send("Ai đó – Việc gì – 31/12")
    assert "Dòng 1:" in secretary.text and meeting_texts.TASKLINE_NOTHING_SAVED in secretary.text
    secretary.send("Cường – Báo cáo – 31/12")
    assert [t.title for t in _results_tasks(demo)] == ["Báo cáo"]
    member = chat_as("DV003")
    member.send("/ketqua")
    assert _results_tasks(demo)[0].title == "Báo cáo" and len(_results_tasks(demo)) == 1
    assert not member.options()


def _results_tasks(demo: Database) -> list[Task]:
    with demo.session() as session:
        return list(session.exec(select(Task)))
