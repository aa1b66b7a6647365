"""The `sotay` command line, run as a real process: settings errors, demo, chat, invites, import."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from models import Database, Invite, Member
from services import texts
from services.invites import hash_code
from tests.support import CHILD_INVITE_SECRET, child_env

SOTAY = [sys.executable, "-m", "bot"]


def _env(db_url: str, **extra: str) -> dict[str, str]:
    return child_env(**{"DATABASE_URL": db_url, "LOG_LEVEL": "WARNING", **extra})


def _run(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess:
    return subprocess.run(
        SOTAY + args, env=env, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("LOG_LEVEL", "LOUD"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_BASE", "ftp://example"),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces!"),
        ("INVITE_TTL_DAYS", "0"),
    ],
)
def test_invalid_setting_stops_with_one_line_and_exit_2(
    tmp_path: Path, name: str, value: str
) -> None:
    env = _env(f"sqlite:///{tmp_path / 'x.db'}", **{name: value})
    result = _run(["demo"], env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_token_seeds_demo_and_chats_as_secretary(tmp_path: Path) -> None:
    env = _env("sqlite:///sotay.db")
    env.pop("DATABASE_URL")  # the default: an SQLite file in the working directory
    stdin = "/help\nca nhan\ndanh sach chi bo\n/thoat\n"  # a topic, then a command in it
    result = _run(["run"], env, tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sotay.db").exists()
    assert "Nguyễn Văn An (DV001)" in result.stdout
    assert texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_CELL) in result.stdout  # a secretary
    assert texts.MENU_TOPIC_HEADER.format(title=texts.TOPIC_PERSONAL) in result.stdout
    assert "Chi bộ Văn phòng Sở: 8 đảng viên" in result.stdout  # /chibo
    assert "Traceback" not in result.stderr


def test_chat_as_member_and_unknown_member(tmp_path: Path) -> None:
    env = _env(f"sqlite:///{tmp_path / 'c.db'}")
    assert _run(["demo"], env, tmp_path).returncode == 0
    result = _run(["chat", "--as", "DV003"], env, tmp_path, stdin="/toi\n/moi\n")
    assert result.returncode == 0, result.stderr
    assert "Mã đảng viên: DV003" in result.stdout
    assert "dành cho bí thư" in result.stdout
    missing = _run(["chat", "--as", "NOPE"], env, tmp_path)
    assert missing.returncode == 1 and "NOPE" in missing.stderr


def test_invite_prints_one_line_per_member(tmp_path: Path, db_url: str) -> None:
    env = _env(db_url, TELEGRAM_BOT_USERNAME="SoTayBot")
    db = Database(db_url)
    if db.dialect == "postgresql":
        from tests.conftest import _truncate_all

        _truncate_all(db)
    assert _run(["demo"], env, tmp_path).returncode == 0
    one = _run(["invite", "--member", "DV003"], env, tmp_path)
    assert one.returncode == 0, one.stderr
    code_line = one.stdout.strip().split("\t")
    assert code_line[0] == "DV003" and len(code_line[1]) == 10
    assert code_line[2] == f"https://t.me/SoTayBot?start={code_line[1]}"

    unit = _run(
        ["invite", "--unit", "dang uy khoi cac co quan tinh / dang bo so giao duc va dao tao"],
        env,
        tmp_path,
    )
    assert unit.returncode == 0, unit.stderr
    lines = [line.split("\t") for line in unit.stdout.strip().splitlines()]
    assert [line[0] for line in lines] == [f"DV{i:03d}" for i in range(1, 17)]
    with db.session() as session:
        hashes = {i.code_hash for i in session.exec(select(Invite))}
    assert {hash_code(line[1], CHILD_INVITE_SECRET) for line in lines} <= hashes
    db.dispose()

    bad = _run(["invite", "--unit", "Không có"], env, tmp_path)
    assert bad.returncode == 1 and "Không tìm thấy đơn vị" in bad.stderr
    both = _run(["invite"], env, tmp_path)
    assert both.returncode == 2


def test_serve_without_webhook_secret_is_one_line_exit_2(tmp_path: Path) -> None:
    env = _env(
        f"sqlite:///{tmp_path / 's.db'}",
        TELEGRAM_BOT_TOKEN="123456:" + "A" * 35,
    )
    result = _run(["serve", "--port", "1"], env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Invalid setting TELEGRAM_WEBHOOK_SECRET: required for the webhook server"
    ]


IMPORT_HEADER = "ma_dang_vien,ho_ten,don_vi,trang_thai,vai_tro,ngay_vao_dang"
IMPORT_CELL = "Đảng ủy Khối các cơ quan tỉnh / Đảng bộ Sở Y tế / Chi bộ Văn phòng"


def test_import_prints_every_error_with_its_row_sorted_and_writes_nothing(
    tmp_path: Path, db: Database, db_url: str
) -> None:
    """Each error line starts with the row Excel shows (header = row 1), in row order.

    Row 3 holds a name typed on two lines inside its cell, so the CSV has one more text line than
    Excel has rows: the bad status on Excel row 6 is on text line 7, and must be reported as row 6.
    The status error is found before the duplicate codes, so the output also proves the sorting.
    """
    lines = [
        IMPORT_HEADER,
        f"A01,Nguyễn Văn An,{IMPORT_CELL},chinh_thuc,bi_thu,19/05/1998",
        f'A02,"Trần Thị\nBình",{IMPORT_CELL},du_bi,,',
        "",
        f"A01,Lê Văn Cường,{IMPORT_CELL},chinh_thuc,,",
        f"A04,Phạm Thị Dung,{IMPORT_CELL},ngoai_dang,,",
        f"A05,Hoàng Văn Em,{IMPORT_CELL},mien,dang_vien,",
    ]
    path = tmp_path / "ds.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    env = _env(db_url)

    failed = _run(["import", str(path)], env, tmp_path)

    assert failed.returncode == 1, failed.stderr
    assert failed.stderr.splitlines() == [
        "Tệp có 3 lỗi; chưa ghi gì vào cơ sở dữ liệu:",
        "Dòng 2: mã đảng viên 'A01' trùng với dòng 5",
        "Dòng 5: mã đảng viên 'A01' trùng với dòng 2",
        "Dòng 6: trạng thái 'ngoai_dang' không hợp lệ (chinh_thuc, du_bi, mien)",
    ]
    with db.session() as session:
        assert session.exec(select(Member)).first() is None

    lines[4] = lines[4].replace("A01", "A03")
    lines[5] = lines[5].replace("ngoai_dang", "Chính thức")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    done = _run(["import", str(path)], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == texts.CLI_IMPORT_DONE.format(
        units=3, created=5, updated=0, unchanged=0, roles=1
    )
    with db.session() as session:
        names = {m.code: m.full_name for m in session.exec(select(Member))}
    assert names["A02"] == "Trần Thị Bình"


def test_invite_days_outside_1_to_90_is_refused_and_1_is_one_day(tmp_path: Path) -> None:
    """--days 0 used to mean "the default" and --days -5 printed a code already expired."""
    env = _env(f"sqlite:///{tmp_path / 'd.db'}")
    assert _run(["demo"], env, tmp_path).returncode == 0
    for days in ("0", "-5", "91"):
        refused = _run(["invite", "--member", "DV003", "--days", days], env, tmp_path)
        assert refused.returncode == 2, (days, refused.stderr)
        assert refused.stderr.strip() == texts.CLI_INVITE_DAYS.format(low=1, high=90)
        assert refused.stdout == ""
    one_day = _run(["invite", "--member", "DV003", "--days", "1"], env, tmp_path)
    assert one_day.returncode == 0, one_day.stderr
    db = Database(env["DATABASE_URL"])
    with db.session() as session:
        (issued,) = session.exec(select(Invite)).all()
    db.dispose()
    assert issued.expires_at - issued.created_at == timedelta(days=1)


def test_member_codes_are_typed_in_any_case_and_the_intro_points_to_help(tmp_path: Path) -> None:
    env = _env(f"sqlite:///{tmp_path / 'l.db'}")
    assert _run(["demo"], env, tmp_path).returncode == 0
    result = _run(["chat", "--as", " dv003 "], env, tmp_path, stdin="/toi\n")
    assert result.returncode == 0, result.stderr
    first_line = result.stdout.splitlines()[0]
    assert "(DV003)" in first_line and "/help" in first_line and "menu" in first_line
    assert "Mã đảng viên: DV003" in result.stdout


def test_run_on_a_real_list_without_as_says_how_to_choose(tmp_path: Path) -> None:
    """After importing a real list there is no demo secretary DV001 to chat as."""
    path = tmp_path / "ds.csv"
    rows = [IMPORT_HEADER, f"A01,Nguyễn Văn An,{IMPORT_CELL},chinh_thuc,bi_thu,19/05/1998"]
    rows += [f"A0{i},Đảng viên {i},{IMPORT_CELL},chinh_thuc,dang_vien," for i in range(2, 5)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = _env(f"sqlite:///{tmp_path / 'r.db'}")
    assert _run(["import", str(path)], env, tmp_path).returncode == 0
    result = _run(["run"], env, tmp_path, stdin="/thoat\n")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == texts.CLI_CHOOSE_MEMBER.format(example="A01")
    chosen = _run(["run", "--as", "a02"], env, tmp_path, stdin="/toi\n")
    assert chosen.returncode == 0 and "Mã đảng viên: A02" in chosen.stdout
