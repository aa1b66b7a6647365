"""One whole cell month, end to end: first over the core (both databases), then as separate
terminal chat processes sharing one SQLite file, the way a trainer would demonstrate it."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from models import (
    Attendance,
    Database,
    DeliveryKind,
    Directive,
    DirectiveRecipient,
    Meeting,
    Member,
    Resolution,
    Task,
)
from services import texts
from services.directives import texts as directive_texts
from services.vndate import format_vn_when
from tests.directives.test_flow_directives import option_ids, received, send_file
from tests.meetings.test_flow_meetings import at_local, status_of
from tests.support import ChatDriver, FakeClock, child_env

OFFICE = ("DV001", "DV002", "DV003", "DV004", "DV005", "DV006", "DV007", "DV008")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_one_month_of_a_cell(chat_as, demo: Database, clock: FakeClock) -> None:
    chats: dict[str, ChatDriver] = {code: chat_as(code) for code in OFFICE}
    secretary = chats["DV001"]

    # 26/11 — a directive; members acknowledge it, the secretary reminds the last one.
    secretary.send("/chidao")
    secretary.send("Đề nghị các đồng chí nghiên cứu Chỉ thị 50-CT/TW trước buổi sinh hoạt.")
    secretary.press("Toàn thể")
    secretary.press("Gửi")
    assert secretary.text == "Đã gửi chỉ đạo đến 7 đảng viên (1 chi bộ)."
    for code in OFFICE[1:7]:
        (ack,) = option_ids(received(demo, code)[0])
        chats[code].press_payload(ack)
    secretary.send("/chidao_tinhhinh")
    secretary.send("1")
    assert "Đã xác nhận “Đã nhận”: 6" in secretary.text
    assert "Chưa xác nhận: Bùi Thị Hoa" in secretary.text
    secretary.press("Nhắc 1 người")
    (reminder,) = received(demo, "DV008", DeliveryKind.DIRECTIVE_REMINDER)
    chats["DV008"].press_payload(option_ids(reminder)[0])
    assert chats["DV008"].text == directive_texts.DIR_ACKED

    # The meeting: scheduled with its draft resolution attached.
    secretary.send("/hop")
    secretary.press("Thường kỳ")
    secretary.send("14h 19/12/2026")
    secretary.press("Đến 16:00")
    secretary.send("Hội trường tầng 2, trụ sở Sở")
    secretary.press("Giữ chương trình")
    send_file(secretary, "document", "tg-draft-nq", "Du-thao-nghi-quyet-T12.docx")
    secretary.press("Xong")
    secretary.press("Gửi thông báo")
    assert "Đã gửi thông báo họp đến 7 đảng viên." in secretary.text
    with demo.session() as session:
        meeting = session.exec(select(Meeting)).one()
    assert meeting.id is not None

    # Invitations answered: yes by six, no with a reason by one; the exempt member need not.
    for code in ("DV002", "DV003", "DV004", "DV005", "DV006"):
        yes, _no = option_ids(received(demo, code, DeliveryKind.MEETING_INVITE)[0])
        chats[code].press_payload(yes)
    _yes, no = option_ids(received(demo, "DV008", DeliveryKind.MEETING_INVITE)[0])
    chats["DV008"].press_payload(no)
    chats["DV008"].press("Lý do khác")
    chats["DV008"].send("Đi khám bệnh định kỳ")
    secretary.send("/hop_quanly")
    secretary.press("Ai sẽ dự")
    assert "Sẽ dự (6)" in secretary.text
    assert "Xin vắng (1): Bùi Thị Hoa (Đi khám bệnh định kỳ)" in secretary.text
    assert "Chưa trả lời (0)" in secretary.text

    # 17/12 — the monthly report goes out, still a day ahead.
    at_local(clock, 17, 12, 9)
    secretary.send("/hop_quanly")
    secretary.press("Gửi thêm tài liệu")
    send_file(secretary, "document", "tg-report", "Bao-cao-T12.pdf")
    assert "Đã gửi tài liệu “Bao-cao-T12.pdf”" in secretary.text and "Lưu ý" not in secretary.text
    assert len(received(demo, "DV005", DeliveryKind.MEETING_DOCUMENT)) == 2

    # 19/12 — check-in with the code read out in the room; statuses set by the secretary.
    at_local(clock, 19, 12, 13, 50)
    secretary.send("/hop_quanly")
    secretary.press("Mở điểm danh")
    code = re.search(r"Mã điểm danh: (\d{4})", secretary.text).group(1)  # type: ignore[union-attr]
    for member in ("DV002", "DV003", "DV004", "DV005"):
        chats[member].send(f"/diemdanh {code}")
        assert "Đã điểm danh" in chats[member].text
    chats["DV006"].send("/diemdanh")
    chats["DV006"].send(code)
    assert "Đã điểm danh" in chats["DV006"].text
    secretary.send("/hop_quanly")
    secretary.press("Điểm danh từng người")
    for name, status in (
        ("Nguyễn Văn An", "Có mặt"),
        ("Bùi Thị Hoa", "Vắng có phép"),
        ("Đặng Văn Hải", "Miễn sinh hoạt"),
    ):
        secretary.press(name)
        secretary.press(status)
    assert {c: status_of(demo, meeting.id, c) for c in ("DV001", "DV007", "DV008")} == {
        "DV001": "co_mat",
        "DV007": "mien_sinh_hoat",
        "DV008": "vang_co_phep",
    }

    # 16:10 — resolution, vote (the probationary member does not vote), score, tasks, publish.
    at_local(clock, 19, 12, 16, 10)
    secretary.send("/ketqua")
    secretary.press("Nghị quyết")
    secretary.send(
        "Nghị quyết tháng 12/2026: hoàn thành kế hoạch công tác năm; "
        "thu đảng phí quý IV; chuẩn bị Đại hội chi bộ."
    )
    secretary.press("Biểu quyết")
    assert "có mặt được biểu quyết: 5 (dự bị có mặt: 1" in secretary.text
    secretary.send("6 0 0")
    assert "Đảng viên dự bị không biểu quyết" in secretary.text
    secretary.send("4 0 1")
    assert "Nghị quyết được thông qua" in secretary.text
    secretary.press("Chấm điểm")
    secretary.send("5 4 9 36 5 25 5")
    assert "89/100 điểm, xếp loại Khá" in secretary.text
    for owner, title, due, day in (
        ("Lê Văn Cường", "Báo cáo tổng kết năm", "31/12", "31/12/2026"),
        ("Vũ Thị Giang", "Thu đảng phí quý IV", "thứ 6 tuần sau", "25/12/2026"),
    ):
        secretary.press("Giao nhiệm vụ")
        secretary.press(owner)
        secretary.send(title)
        secretary.send(due)
        assert f"Đã giao: {title} – đồng chí {owner}, hạn {day}." in secretary.text
        secretary.press("Xong")
    secretary.press("Gửi nghị quyết")
    secretary.press("Gửi")  # "are you sure?": one tap
    assert "Đã gửi nghị quyết đến 7 đảng viên" in secretary.text

    # Every member has the adopted resolution; /nghiquyet and /nhiemvu show it.
    for member in OFFICE[1:]:
        (notice,) = received(demo, member, DeliveryKind.RESOLUTION)
        assert "Nghị quyết tháng 12/2026" in notice.payload["text"]
    cuong = chats["DV003"]
    cuong.send("/nghiquyet")
    assert "Nghị quyết tháng 12/2026" in cuong.text
    assert "4 tán thành, 0 không tán thành, 1 không biểu quyết – được thông qua" in cuong.text
    cuong.send("/nhiemvu")
    assert "1. Báo cáo tổng kết năm – hạn 31/12/2026" in cuong.text
    cuong.press("Hoàn thành số 1")
    cuong.send("/nhiemvu")
    assert cuong.text == texts.MY_NO_TASKS
    cuong.send("/lichhop")
    assert cuong.text == texts.MY_NO_MEETING  # the month's meeting is behind us

    with demo.session() as session:
        resolution = session.exec(select(Resolution)).one()
        assert (resolution.convened, resolution.eligible_present, resolution.passed) == (6, 5, True)
        assert resolution.quality_total == 89 and resolution.published_at is not None
        statuses = session.exec(select(Task.status).order_by(col(Task.id))).all()
        assert statuses == ["hoan_thanh", "dang_lam"]


# --- The same month as terminal chat processes ------------------------------------------------


def _run_chat(code: str, lines: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--as", code],
        input="\n".join(lines) + "\n",
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_month_through_the_terminal_chat(tmp_path: Path) -> None:
    """Each member is a separate `python -m bot chat --as …` process on one SQLite file.
    The real clock runs here, so the meeting is set 40 minutes ahead: check-in is open."""
    url = f"sqlite:///{tmp_path / 'month.db'}"
    env = child_env(DATABASE_URL=url, LOG_LEVEL="WARNING")
    demo = subprocess.run(
        [sys.executable, "-m", "bot", "demo"], env=env, cwd=tmp_path, capture_output=True
    )
    assert demo.returncode == 0, demo.stderr
    start = (datetime.now(UTC) + timedelta(minutes=40)).astimezone(TZ)
    when = start.strftime("%H:%M %d/%m/%Y")

    member = _run_chat("DV003", ["/thongbao"], env, tmp_path)  # links DV003's terminal
    assert texts.MY_NO_DIRECTIVES in member

    secretary = _run_chat(
        "DV001",
        [
            "/chidao",
            "Đề nghị các đồng chí đọc trước dự thảo nghị quyết.",
            "1",  # the whole cell
            "1",  # send
            "/hop",
            "1",  # regular
            when,
            "1",  # the minimum length
            "Hội trường tầng 2",
            "1",  # keep the agenda
            "1",  # no documents yet
            "1",  # send the invitation
            "/hop_quanly",
            "3",  # open check-in
        ],
        env,
        tmp_path,
    )
    assert "Đã gửi chỉ đạo đến 1 trong số 7 đảng viên (1 chi bộ)." in secretary  # DV003 only
    assert "  1. Toàn thể đảng viên" in secretary  # options numbered, as on Zalo
    assert f"Thời gian: {format_vn_when(start, TZ)}" in secretary
    assert "Đã lên lịch buổi sinh hoạt" in secretary
    code = re.search(r"Mã điểm danh: (\d{4})", secretary)
    assert code, secretary

    member = _run_chat(
        "DV003",
        ["/thongbao", "1", "/lichhop", "1", f"/diemdanh {code.group(1)}"],
        env,
        tmp_path,
    )
    assert "Đã nhận số 1" in member and directive_texts.DIR_ACKED in member
    assert "  1. Sẽ dự" in member and "Đã ghi nhận: đồng chí sẽ dự" in member
    assert "Đã điểm danh" in member

    secretary = _run_chat("DV001", ["/hop_quanly", "1", "/chidao_tinhhinh", "1"], env, tmp_path)
    assert "Sẽ dự (2): Nguyễn Văn An, Lê Văn Cường" in secretary
    assert "Đã xác nhận “Đã nhận”: 1" in secretary

    db = Database(url)
    try:
        with db.session() as session:
            cuong = session.exec(select(Member).where(Member.code == "DV003")).one()
            copy = session.exec(
                select(DirectiveRecipient).where(DirectiveRecipient.member_id == cuong.id)
            ).one()
            assert copy.acknowledged_at is not None
            row = session.exec(select(Attendance).where(Attendance.member_id == cuong.id)).one()
            assert (row.answer, row.status) == ("se_du", "co_mat")
            assert len(session.exec(select(Directive)).all()) == 1
    finally:
        db.dispose()
