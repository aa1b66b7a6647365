"""The meeting's minutes and attendance sheet: a .docx the secretary prints, from the records.

The document is opened with python-docx and read back: the names and counts must really be in
it, grouped as the roll has them. Offered from `/hop_quanly` (last entry, once the meeting has
started) to the cell's secretary or deputy only; sent as a document reply, which the terminal
chat saves to disk and Telegram sends as a file. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlmodel import Session, select

from bot.telegram.render import FilePart, render_reply
from bot.terminal import run_chat
from handlers.core import Core
from models import AuditLog, ConversationState, Database, Meeting, Unit
from services import texts
from services.demo import CELL_SCHOOLS
from services.errors import Forbidden, UserError
from services.meetings import texts as meeting_texts
from services.meetings.attendance import set_status
from services.meetings.minutes import meeting_minutes
from services.meetings.planning import cancel_meeting, meeting_when, schedule_meeting
from services.meetings.resolutions import assign_task, record_resolution, record_vote
from tests.meetings.test_resolutions import actor, held_meeting, member_id
from tests.support import ChatDriver, FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RESOLUTION = "Nghị quyết tháng 12/2026: hoàn thành kế hoạch công tác năm."
# Present: DV001–DV004 and the probationary DV005; DV006 absent without leave; DV007 exempt;
# DV008 excused ("Ốm", set below with the reason).
STATUSES = {
    "DV001": "co_mat",
    "DV002": "co_mat",
    "DV003": "co_mat",
    "DV004": "co_mat",
    "DV005": "co_mat",
    "DV006": "vang_khong_phep",
    "DV007": "mien_sinh_hoat",
}


def doc_lines(data: bytes) -> list[str]:
    """Every paragraph of the document, tables' cells included, as text."""
    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return lines


def sheet_rows(data: bytes) -> list[list[str]]:
    """The attendance sheet: the table whose header starts "STT, Họ và tên"."""
    doc = Document(io.BytesIO(data))
    for table in doc.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0][:2] == ["STT", "Họ và tên"]:
            return rows
    raise AssertionError("no attendance sheet")


def recorded_meeting(session: Session, clock: FakeClock) -> Meeting:
    """The office cell's December meeting under way, with a roll, a vote (4 0 0) and a task."""
    meeting = held_meeting(session, clock, STATUSES)
    assert meeting.id is not None
    secretary = actor(session, "DV001")
    set_status(
        session,
        secretary,
        meeting.id,
        member_id(session, "DV008"),
        "vang_co_phep",
        reason="Ốm",
        now=clock(),
    )
    record_resolution(session, secretary, meeting.id, text=RESOLUTION, now=clock())
    record_vote(session, secretary, meeting.id, votes_for=4, votes_against=0, now=clock())
    assign_task(
        session,
        secretary,
        meeting.id,
        owner_member_id=member_id(session, "DV003"),
        title="Báo cáo tổng kết năm",
        due_on=date(2026, 12, 31),
        now=clock(),
    )
    session.commit()
    return meeting


def test_the_minutes_hold_the_records(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = recorded_meeting(session, clock)
        assert meeting.id is not None
        made = meeting_minutes(session, actor(session, "DV001"), meeting.id, now=clock())
        when = meeting_when(meeting, TZ)
        session.commit()
    assert made.name == "bien-ban-sinh-hoat-2026-12-19-1400.docx"
    assert made.data[:2] == b"PK"
    lines = doc_lines(made.data)
    text = "\n".join(lines)

    # Heading, title, time, place, chair.
    assert "ĐẢNG BỘ SỞ GIÁO DỤC VÀ ĐÀO TẠO" in text and "CHI BỘ VĂN PHÒNG SỞ" in text
    assert meeting_texts.MIN_PARTY in text and "ngày 19 tháng 12 năm 2026" in text
    assert "Sinh hoạt chi bộ thường kỳ tháng 12/2026" in lines
    assert f"Thời gian: {when}." in lines and "14:00–16:00" in when
    assert "Địa điểm: Hội trường." in lines
    assert "Chủ trì: đồng chí Nguyễn Văn An – Bí thư chi bộ." in lines
    assert meeting_texts.MIN_NOTE_TAKER in lines

    # The roll: every group with its count and names (the excused one with the reason).
    assert "Tổng số đảng viên của chi bộ: 8 (chính thức 6, dự bị 1, miễn sinh hoạt 1)." in lines
    assert (
        "- Có mặt: 5 đồng chí – Nguyễn Văn An, Trần Thị Bình, Lê Văn Cường, Phạm Thị Dung, "
        "Hoàng Văn Em." in lines
    )
    assert "- Vắng có phép: 1 đồng chí – Bùi Thị Hoa (Ốm)." in lines
    assert "- Vắng không phép: 1 đồng chí – Vũ Thị Giang." in lines
    assert "- Miễn sinh hoạt: 1 đồng chí – Đặng Văn Hải." in lines
    assert not any(line.startswith("- Chưa điểm danh") for line in lines)  # all are marked
    assert "Đảng viên chính thức được triệu tập: 6; có mặt: 4." in lines
    assert made.record.counts == {
        "co_mat": 5,
        "vang_co_phep": 1,
        "vang_khong_phep": 1,
        "mien_sinh_hoat": 1,
        "": 0,
    }

    # Agenda, resolution and vote, tasks, signatures.
    assert any(line.startswith(f"1. {meeting_texts.MTG_AGENDA_OPENING}") for line in lines)
    assert RESOLUTION in lines
    assert (
        "Biểu quyết: 4 tán thành, 0 không tán thành, 0 không biểu quyết; 6 đảng viên chính "
        "thức được triệu tập, 4 có mặt được biểu quyết." in lines
    )
    assert "Kết quả: nghị quyết được thông qua." in lines
    assert "Báo cáo tổng kết năm" in lines and "31/12/2026" in lines
    for mark in (
        meeting_texts.MIN_SIGN_CHAIR,
        meeting_texts.MIN_SIGN_NOTE_TAKER,
        meeting_texts.MIN_SIGN_HINT,
    ):
        assert any(mark in line for line in lines)

    # The attendance sheet: one row per member, status, note, and a column to sign.
    rows = sheet_rows(made.data)
    assert rows[0] == list(meeting_texts.MIN_SHEET_HEAD)
    assert len(rows) == 1 + 8
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Bùi Thị Hoa"][2:] == ["chính thức", "vắng có phép", "Ốm", ""]
    assert by_name["Hoàng Văn Em"][2:4] == ["dự bị", "có mặt"]
    assert by_name["Đặng Văn Hải"][2:4] == ["miễn sinh hoạt", "miễn sinh hoạt"]
    assert by_name["Vũ Thị Giang"][3] == "vắng không phép"

    with demo.session() as session:
        (entry,) = session.exec(
            select(AuditLog).where(AuditLog.action == "meeting.minutes_exported")
        ).all()
        assert entry.entity_id == str(meeting.id)


def test_unmarked_members_and_no_resolution_are_said_as_such(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, {"DV001": "co_mat", "DV002": "co_mat"})
        assert meeting.id is not None
        made = meeting_minutes(session, actor(session, "DV002"), meeting.id, now=clock())
    lines = doc_lines(made.data)
    assert "- Có mặt: 2 đồng chí – Nguyễn Văn An, Trần Thị Bình." in lines
    assert "- Vắng không phép: 0 đồng chí" in lines  # nobody is made absent by the minutes
    unmarked = next(line for line in lines if line.startswith("- Chưa điểm danh: 6 đồng chí"))
    assert "Bùi Thị Hoa" in unmarked and "Đặng Văn Hải" in unmarked
    assert meeting_texts.MIN_NO_RESOLUTION in lines and meeting_texts.MIN_NO_VOTE in lines
    assert meeting_texts.MIN_NO_TASKS in lines


def test_only_the_cells_leaders_once_started(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, {"DV001": "co_mat"})
        assert meeting.id is not None
        for code, reason in (
            ("DV003", texts.FORBIDDEN_SECRETARY),  # a member of the cell
            ("DV009", texts.FORBIDDEN_OTHER_CELL),  # another cell's secretary
            ("DV016", texts.FORBIDDEN_SECRETARY),  # a committee member: not the cell's leader
        ):
            with pytest.raises(Forbidden) as refused:
                meeting_minutes(session, actor(session, code), meeting.id, now=clock())
            assert refused.value.message == reason
        # The deputy may; from the start on, not a minute before.
        deputy = actor(session, "DV002")
        assert meeting_minutes(session, deputy, meeting.id, now=meeting.starts_at).data
        with pytest.raises(UserError) as early:
            before = meeting.starts_at - timedelta(minutes=1)
            meeting_minutes(session, deputy, meeting.id, now=before)
        assert early.value.message == meeting_texts.MIN_NOT_STARTED
        # A cancelled meeting has no minutes.
        cell_id = meeting.cell_id
        thematic, _plan = schedule_meeting(
            session,
            deputy,
            cell_id,
            kind="chuyen_de",
            topic="Học tập Chỉ thị 50",
            starts_at=datetime(2027, 1, 9, 8, 0, tzinfo=TZ),
            place="Hội trường",
            now=clock(),
        )
        assert thematic.id is not None
        cancel_meeting(session, deputy, thematic.id, reason="Bão", now=clock())
        with pytest.raises(UserError) as cancelled:
            meeting_minutes(session, deputy, thematic.id, now=thematic.ends_at)
        assert cancelled.value.message == meeting_texts.MTG_IS_CANCELLED


# --- Through the chat -------------------------------------------------------------------------


def _minutes_label(chat: ChatDriver) -> str:
    labels = [o.label for o in chat.options()]
    assert labels[8] == texts.FLOW_DONE  # the nine earlier entries keep their numbers
    return labels[9]


def test_the_secretary_gets_a_document_from_the_menu(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = recorded_meeting(session, clock)
    secretary = chat_as("DV001")
    secretary.send("/hop_quanly")
    assert _minutes_label(secretary) == meeting_texts.FLOW_MTG_M_MINUTES
    secretary.press(meeting_texts.FLOW_MTG_M_MINUTES)
    first, menu = secretary.last.replies
    assert first.file is not None and first.file.kind == "document"
    assert first.file.name.endswith(".docx")
    assert "có mặt 5, vắng có phép 1, vắng không phép 1, miễn sinh hoạt 1" in first.text
    assert "Bùi Thị Hoa (Ốm)" in "\n".join(doc_lines(first.file.data))
    assert menu.options  # the menu again, to go on
    # Telegram sends it as a file with the counts as its caption (the menu's keyboard apart).
    (part,) = render_reply(first).parts
    assert isinstance(part, FilePart) and part.file.kind == "document"
    assert part.caption_html is not None and "có mặt 5" in part.caption_html
    assert meeting.id is not None


def test_before_the_start_the_entry_says_why(chat_as, demo: Database, clock: FakeClock) -> None:
    secretary = chat_as("DV001")
    with demo.session() as session:
        cell = session.exec(select(Unit).where(Unit.name == "Chi bộ Văn phòng Sở")).one()
        assert cell.id is not None
        schedule_meeting(
            session,
            actor(session, "DV001"),
            cell.id,
            kind="thuong_ky",
            starts_at=datetime(2026, 12, 19, 14, 0, tzinfo=TZ),
            place="Hội trường",
            now=clock(),
        )
        session.commit()
    secretary.send("/hop_quanly")
    label = _minutes_label(secretary)
    assert label == meeting_texts.FLOW_MTG_M_AFTER_START.format(
        label=meeting_texts.FLOW_MTG_M_MINUTES
    )
    secretary.press(meeting_texts.FLOW_MTG_M_MINUTES)
    assert secretary.last.replies[0].text == meeting_texts.MIN_NOT_STARTED
    assert all(r.file is None for r in secretary.last.replies)


def test_members_and_other_cells_are_refused_in_the_chat(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = recorded_meeting(session, clock)
        schools = session.exec(select(Unit).where(Unit.name == CELL_SCHOOLS)).one()
        assert schools.id is not None
        schedule_meeting(
            session,
            actor(session, "DV009"),
            schools.id,
            kind="thuong_ky",
            starts_at=datetime(2026, 12, 20, 8, 0, tzinfo=TZ),
            place="Phòng họp",
            now=clock(),
        )
        session.commit()
    member = chat_as("DV003")
    member.send("/hop_quanly")
    assert member.text == texts.FORBIDDEN_SECRETARY

    other = chat_as("DV009")
    other.send("/hop_quanly")
    assert "20/12/2026" in other.text  # its own meeting's menu
    # Tamper with the stored state so the next step names the office cell's meeting: the step
    # re-authorizes, so this is refused and no file goes out.
    with demo.session() as session:
        state = session.exec(
            select(ConversationState).where(ConversationState.user_id == other.user_id)
        ).one()
        state.data = {**state.data, "meeting": meeting.id}
        session.add(state)
        session.commit()
    other.press("Biên bản")
    assert other.text == texts.FORBIDDEN_OTHER_CELL
    assert all(r.file is None for r in other.last.replies)


def test_the_terminal_saves_the_file(
    core: Core, demo: Database, clock: FakeClock, tmp_path: Path
) -> None:
    with demo.session() as session:
        recorded_meeting(session, clock)
    out = io.StringIO()
    # The menu opens on the one meeting; its tenth entry is the minutes.
    run_chat(
        core, demo, "DV001", stdin=io.StringIO("/hop_quanly\n10\n"), stdout=out, files_dir=tmp_path
    )
    saved = tmp_path / "bien-ban-sinh-hoat-2026-12-19-1400.docx"
    assert texts.CLI_CHAT_FILE.format(path=saved) in out.getvalue()
    assert "- Vắng không phép: 1 đồng chí – Vũ Thị Giang." in doc_lines(saved.read_bytes())


def test_the_caption_warns_of_members_not_yet_marked(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        held_meeting(session, clock, {"DV001": "co_mat", "DV002": "co_mat"})
    deputy = chat_as("DV002")  # the deputy may too
    deputy.send("/hop_quanly")
    deputy.press(meeting_texts.FLOW_MTG_M_MINUTES)
    first = deputy.last.replies[0]
    assert first.file is not None
    assert "có mặt 2, vắng có phép 0, vắng không phép 0, miễn sinh hoạt 0" in first.text
    assert meeting_texts.MIN_SENT_UNMARKED.format(count=6) in first.text
