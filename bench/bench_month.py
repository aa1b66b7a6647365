"""How many messages the secretary sends in a whole month (issue 11).

The month of a 15-member cell, played through the real core on a fresh SQLite database: a
directive to the whole cell, the monthly meeting scheduled, members answer (13 "Sẽ dự", one asks
leave, one never answers), check-in with the code read out in the room (12 members type it, the
secretary marks themself present), the roll closed by exception ("Chốt điểm danh": blanks become
excused / absent without leave), then the resolution, the vote, the quality score, two tasks and
publishing, each typed where the results menu says it comes next (the tasks a line each).

The secretary sits at the terminal channel, where options are answered by their number, as on
Zalo: every typed line and every digit is one message. Members' messages are not counted. The
demo's office cell (8 members) gets 7 more official members (`services.orgwrite.upsert_member`).
Every chat shares one controllable clock, injected into the core, so the month runs in a second.

At the end the records are read back from the database and compared with what the month should
have left behind. Nothing is asserted: it is a measurement.

Run: `.venv/bin/python -m bench.bench_month`.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select

import migrations
from bot.features import build_core
from handlers.context import CoreConfig
from handlers.core import Core
from handlers.messages import Response
from models import (
    Attendance,
    Database,
    DirectiveRecipient,
    Meeting,
    Member,
    MemberStatus,
    Resolution,
    ResolutionVote,
    Task,
)
from services import texts
from services.demo import CELL_OFFICE, seed_demo
from services.directives import texts as directive_texts
from services.identities import find_member, local_identity
from services.meetings import texts as meeting_texts
from services.orgwrite import MemberValues, set_cell_role, upsert_member
from tests.support import ChatDriver, FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECRETARY = "DV001"
DEMO_OFFICE = ("DV002", "DV003", "DV004", "DV005", "DV006", "DV007", "DV008")
NEW_MEMBERS = (
    ("DV101", "Kiều Văn Long"),
    ("DV102", "Lương Thị Mai"),
    ("DV103", "Tạ Văn Nam"),
    ("DV104", "Đinh Thị Oanh"),
    ("DV105", "Chu Văn Phong"),
    ("DV106", "La Thị Quế"),
    ("DV107", "Âu Văn Tài"),
)
EXCUSED = "DV008"  # asks leave when answering the invitation
UNEXCUSED = "DV107"  # never answers, never comes
MEMBERS = DEMO_OFFICE + tuple(code for code, _name in NEW_MEMBERS)
ATTENDING = tuple(c for c in MEMBERS if c not in (EXCUSED, UNEXCUSED))  # 12 + the secretary
RESOLUTION = (
    "Nghị quyết tháng 12/2026: hoàn thành kế hoạch công tác năm; "
    "thu đảng phí quý IV; chuẩn bị Đại hội chi bộ."
)
SCORES = "5 4 9 36 5 25 5"  # 89/100
TASKS = (  # owner, title, deadline as typed, the day it means (the meeting is on Sat 19/12)
    ("Lê Văn Cường", "Báo cáo tổng kết năm", "31/12", date(2026, 12, 31)),
    ("Vũ Thị Giang", "Thu đảng phí quý IV", "thứ 6 tuần sau", date(2026, 12, 25)),
)


def at_local(clock: FakeClock, day: int, month: int, hour: int, minute: int = 0) -> None:
    """Move the shared clock to a local time in Hà Nội (2026)."""
    clock.now = datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


@dataclass
class CountingSecretary:
    """The secretary at the terminal: types lines and answers options by their number, and
    every one of those is counted against the current stage."""

    chat: ChatDriver
    stage: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def begin(self, stage: str) -> None:
        self.stage = stage
        self.counts.setdefault(stage, 0)

    def _count(self, what: str) -> None:
        self.counts[self.stage] += 1
        self.log.append(f"{self.stage}: {what}")

    def type(self, text: str) -> Response:
        self._count(text)
        return self.chat.send(text)

    def tap(self, label_part: str) -> Response:
        """Send the number of the first option whose label contains `label_part`, as a Zalo or
        terminal user would; the core's `chosen` label proves the digit picked that option."""
        labels = [o.label for o in self.chat.options()]
        index = next((i for i, label in enumerate(labels) if label_part in label), None)
        if index is None:
            raise RuntimeError(f"no option {label_part!r} among {labels}\n{self.chat.text}")
        self._count(f"{index + 1} ({labels[index]})")
        response = self.chat.send(str(index + 1))
        if response.chosen != labels[index]:
            raise RuntimeError(f"{index + 1} chose {response.chosen!r}, not {labels[index]!r}")
        return response

    def tap_paged(self, label_part: str) -> Response:
        """A name from a paged list: "Xem thêm ▸" (counted) until it shows."""
        while not any(label_part in o.label for o in self.chat.options()):
            self.tap(texts.MORE)
        return self.tap(label_part)

    @property
    def text(self) -> str:
        return self.chat.text


def build(url: str, clock: FakeClock) -> tuple[Database, Core]:
    """A migrated database with the demo organisation and a 15-member office cell."""
    migrations.upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_demo(session, now=clock())
        secretary = find_member(session, SECRETARY)
        assert secretary is not None
        for index, (code, name) in enumerate(NEW_MEMBERS):
            member, _ = upsert_member(
                session,
                MemberValues(
                    code=code,
                    full_name=name,
                    status=MemberStatus.OFFICIAL,
                    cell_id=secretary.cell_id,
                    joined_on=date(2005 + index, 3, 1),
                    phone=f"0988{int(code[2:]):06d}",
                ),
                now=clock(),
            )
            set_cell_role(session, member, None)
    core = build_core(db, CoreConfig(telegram_bot_username="SoTayBenchBot"), clock=clock)
    return db, core


def terminal_chat(db: Database, core: Core, clock: FakeClock, code: str) -> ChatDriver:
    """A terminal chat already linked to that member (as `sotay chat --as CODE`)."""
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None, code
        user_id = local_identity(session, member, now=clock()).external_id
    return ChatDriver(core, user_id=user_id, channel="terminal")


def member_says(chat: ChatDriver, *steps: str) -> None:
    """A member's turn (not counted): "/x" and free text are typed, "=label" picks an option."""
    for step in steps:
        if step.startswith("="):
            chat.press(step[1:])
        else:
            chat.send(step)


def play_month(db: Database, core: Core, clock: FakeClock) -> CountingSecretary:
    chats = {code: terminal_chat(db, core, clock, code) for code in MEMBERS}
    sec = CountingSecretary(terminal_chat(db, core, clock, SECRETARY))

    # 26/11 — a directive to the whole cell.
    sec.begin("1. Chỉ đạo toàn chi bộ")
    sec.type("/chidao")
    sec.type("Đề nghị các đồng chí nghiên cứu Chỉ thị 50-CT/TW trước buổi sinh hoạt.")
    sec.tap(directive_texts.DIR_AUDIENCE_LABELS["all"])
    sec.tap(directive_texts.FLOW_SEND)
    for code in MEMBERS[:-1]:  # everyone but the one who never answers acknowledges it
        member_says(chats[code], "/thongbao", "1")

    # The monthly meeting: scheduled, no documents yet, invitation sent.
    sec.begin("2. Lên lịch họp, gửi giấy mời")
    sec.type("/hop")
    sec.tap("Thường kỳ")
    sec.type("14h 19/12/2026")
    sec.tap("Đến 16:00")
    sec.type("Hội trường tầng 2, trụ sở Sở")
    sec.tap(meeting_texts.FLOW_MTG_AGENDA_KEEP)
    sec.tap(meeting_texts.FLOW_LATER)
    sec.tap(meeting_texts.FLOW_MTG_SEND)

    # Members answer (not counted): 12 will come (the secretary convenes), one asks leave
    # ("Ốm"), one is silent.
    for code in ATTENDING:
        member_says(chats[code], "/lichhop", "=" + meeting_texts.MTG_ANSWER_YES)
    member_says(chats[EXCUSED], "/lichhop", "=" + meeting_texts.MTG_ANSWER_NO, "=Ốm")

    # 19/12 13:50 — the check-in code, read out in the room; 12 members type it.
    at_local(clock, 19, 12, 13, 50)
    sec.begin("3. Mở điểm danh (lấy mã)")
    sec.type("/hop_quanly")
    sec.tap(meeting_texts.FLOW_MTG_M_CHECKIN)
    found = re.search(r"Mã điểm danh: (\d{4})", sec.text)
    if found is None:
        raise RuntimeError(sec.text)
    for code in ATTENDING:
        member_says(chats[code], f"/diemdanh {found.group(1)}")

    # 14:10 — the roll closed by exception, from the menu still on the secretary's screen
    # (the conversation lasts an hour): "✋ Tôi có mặt", then "✅ Chốt điểm danh".
    at_local(clock, 19, 12, 14, 10)
    sec.begin("4. Chốt điểm danh")
    sec.tap(meeting_texts.FLOW_MTG_M_CLOSE)
    sec.tap(meeting_texts.FLOW_ME_PRESENT)
    sec.tap(meeting_texts.FLOW_CLOSE_CONFIRM)

    # 16:10 — the results: a new conversation (the menu above has lapsed). The menu says
    # what comes next, and it is typed right there: the text, the vote, the scores, the tasks.
    at_local(clock, 19, 12, 16, 10)
    sec.begin("5. Nghị quyết")
    sec.type("/ketqua")
    sec.type(RESOLUTION)

    sec.begin("6. Biểu quyết")
    voters = re.search(r"có mặt được biểu quyết: (\d+)", sec.text)
    if voters is None:
        raise RuntimeError(sec.text)
    sec.type(f"{voters.group(1)} 0 0")

    sec.begin("7. Chấm điểm")
    sec.type(SCORES)

    sec.begin("8. Giao 2 nhiệm vụ")
    sec.type("\n".join(f"{owner} – {title} – {due}" for owner, title, due, _day in TASKS))

    sec.begin("9. Gửi nghị quyết")
    sec.tap(meeting_texts.FLOW_RES_M_PUBLISH)
    sec.tap(meeting_texts.FLOW_RES_SEND)
    return sec


def check_records(db: Database, sources: Counter[str]) -> list[str]:
    """What the month should have left in the database; each mismatch as one line.
    `sources` gets how each attendance status was set (check-in, secretary, closing)."""
    wrong: list[str] = []

    def expect(what: str, got: object, wanted: object) -> None:
        if got != wanted:
            wrong.append(f"{what}: {got!r}, expected {wanted!r}")

    with db.session() as session:
        codes = {m.id: m.code for m in session.exec(select(Member)).all()}
        meetings = session.exec(select(Meeting)).all()
        expect("meetings", len(meetings), 1)
        if not meetings:
            return wrong
        meeting = meetings[0]
        copies = session.exec(select(DirectiveRecipient)).all()
        expect("directive recipients", len(copies), len(MEMBERS))
        rows = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
        statuses = {codes[r.member_id]: r.status for r in rows}
        expect("roll size", len(statuses), 15)
        expect(
            "attendance",
            dict(Counter(statuses.values())),
            {"co_mat": 13, "vang_co_phep": 1, "vang_khong_phep": 1},
        )
        expect("secretary", statuses.get(SECRETARY), "co_mat")
        expect(EXCUSED, statuses.get(EXCUSED), "vang_co_phep")
        expect(UNEXCUSED, statuses.get(UNEXCUSED), "vang_khong_phep")
        sources.update(f"{r.status} ← {r.status_source}" for r in rows)
        resolution = session.exec(
            select(Resolution).where(Resolution.meeting_id == meeting.id)
        ).first()
        if resolution is None:
            wrong.append("resolution: none")
        else:
            expect("resolution passed", resolution.passed, True)
            expect("resolution text", resolution.text, RESOLUTION)
            # Official members convened: all 15 but the probationary one (the exempt member
            # came, so counts); official members present: the 13 but the probationary one.
            expect("resolution convened", resolution.convened, 14)
            expect("official members present", resolution.eligible_present, 12)
            expect("resolution published", resolution.published_at is not None, True)
            expect("quality score", resolution.quality_total, 89)
            votes = session.exec(
                select(ResolutionVote).where(ResolutionVote.resolution_id == resolution.id)
            ).all()
            expect("votes recorded", len(votes), 1)
            if votes:
                vote = votes[0]
                cast = (vote.votes_for, vote.votes_against, vote.votes_abstain)
                expect("vote", cast, (12, 0, 0))
                expect("vote passed", vote.passed, True)
        tasks = session.exec(
            select(Task).where(Task.meeting_id == meeting.id).order_by(col(Task.id))
        ).all()
        names = {m.id: m.full_name for m in session.exec(select(Member)).all()}
        expect(
            "tasks",
            [(names[t.owner_member_id], t.title, t.due_on) for t in tasks],
            [(owner, title, due) for owner, title, _typed, due in TASKS],
        )
    return wrong


def run_month(url: str, clock: FakeClock) -> tuple[CountingSecretary, list[str], Counter[str]]:
    """The whole month on the database at `url`: the secretary's counts, the records that
    are wrong (none, when all is well) and how each attendance status was set."""
    db, core = build(url, clock)
    try:
        sec = play_month(db, core, clock)
        sources: Counter[str] = Counter()
        wrong = check_records(db, sources)
    finally:
        db.dispose()
    return sec, wrong, sources


def main() -> int:
    started = time.perf_counter()
    clock = FakeClock(datetime(2026, 11, 26, 3, 0, tzinfo=UTC))  # 10:00 in Hà Nội
    with tempfile.TemporaryDirectory() as tmp:
        sec, wrong, sources = run_month(f"sqlite:///{Path(tmp) / 'month.db'}", clock)
    elapsed = time.perf_counter() - started

    width = max(len(stage) for stage in sec.counts)
    print(f"A month of a 15-member cell ({CELL_OFFICE}), secretary on the terminal channel")
    print(f"{'stage':<{width}}  secretary messages")
    for stage, count in sec.counts.items():
        print(f"{stage:<{width}}  {count:>3}")
    print(f"{'total':<{width}}  {sum(sec.counts.values()):>3}")
    print(f"records right: {'yes' if not wrong else 'no'}")
    for line in wrong:
        print(f"  mismatch: {line}")
    print("roll, how set: " + ", ".join(f"{k}: {v}" for k, v in sorted(sources.items())))
    if "-v" in sys.argv[1:]:
        print("\nevery secretary message:")
        for line in sec.log:
            print(f"  {line}")
    print(f"({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
