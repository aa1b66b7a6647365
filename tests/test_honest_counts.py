"""Issue 11, items 6 and 7: every count a sender is shown says what really happened (queued,
not connected, failed), and a directive always names the unit its sender acted for."""

from __future__ import annotations

from sqlmodel import Session, select

from models import AuditLog, Database, DeliveryKind, DeliveryStatus, Directive
from services import outbox
from services.demo import BASE, CELL_OFFICE, CELL_SCHOOLS
from services.directives import texts as directive_texts
from services.directives.rules import directive_stats, my_directives
from services.identities import find_member, touch_identity
from services.invites import link_identity
from services.meetings.planning import DEFAULT_RULES
from services.orgwrite import set_committee_units
from services.vndate import format_vn_date
from tests.directives.test_directives import actor, deliveries, link, member_id, send, unit_id
from tests.directives.test_flow_directives import compose, option_ids, received
from tests.support import ChatDriver, FakeClock

OFFICE = ("DV001", "DV002", "DV003", "DV004", "DV005", "DV006", "DV007", "DV008")
PARTY = "Phan Thị Thảo"  # DV016, on the committee of BASE, a member of CELL_SCHOOLS


def reminder_rounds(db: Database, directive_id: int) -> tuple[int, object]:
    with db.session() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        return directive.reminders, directive.last_reminded_at


def sent_directive_id(chat: ChatDriver) -> int:
    """The id behind the receipt's "📊 Xem tình hình" button."""
    return int(chat.option("Xem tình hình").payload.split(":")[1])


def units_listed(session: Session, code: str) -> dict[int, str]:
    """The member's /thongbao entries: directive id → the unit shown beside the sender."""
    return {d.directive_id: d.unit_name for d in my_directives(session, actor(session, code))}


def join_committee(db: Database, code: str, *units: str) -> None:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        set_committee_units(session, member, {unit_id(session, u) for u in units})


# --- Item 6: the directive's receipt and reminders --------------------------------------------


def test_reminder_to_members_none_of_whom_is_connected_sends_nothing_and_says_so(
    chat_as, demo: Database
) -> None:
    member = chat_as("DV003")
    secretary = chat_as("DV001")
    compose(secretary)
    secretary.press("Gửi")
    directive_id = sent_directive_id(secretary)
    member.press_payload(option_ids(received(demo, "DV003")[0])[0])  # the only one connected

    secretary.press("Xem tình hình")
    secretary.press("Nhắc 6 người")
    lines = secretary.text.splitlines()
    assert lines[0] == "Chưa gửi được lời nhắc đến ai trong 6 đảng viên chưa xác nhận."
    assert lines[1].startswith("6 đảng viên chưa kết nối bot nên không nhận được tin nhắn:")
    assert "Bùi Thị Hoa" in lines[1] and "/moi" in lines[1]
    assert "Đã gửi lời nhắc" not in secretary.text
    with demo.session() as session:
        assert deliveries(session, DeliveryKind.DIRECTIVE_REMINDER) == []
    assert reminder_rounds(demo, directive_id) == (0, None)  # no round that reached nobody

    # One of them connects: the reminder goes at once, not held back by an empty round.
    chat_as("DV004")
    secretary.press_payload(f"dir_remind:{directive_id}")
    assert secretary.text.startswith("Đã gửi lời nhắc đến 1 trong số 6 đảng viên chưa xác nhận.")
    assert "5 đảng viên chưa kết nối bot" in secretary.text
    assert len(received(demo, "DV004", DeliveryKind.DIRECTIVE_REMINDER)) == 1
    assert reminder_rounds(demo, directive_id)[0] == 1


def test_receipt_counts_the_members_really_sent_to(chat_as, demo: Database) -> None:
    for code in ("DV003", "DV004", "DV005"):
        chat_as(code)
    secretary = chat_as("DV001")
    compose(secretary)
    assert "4 người chưa kết nối bot" in secretary.text  # the preview says it beforehand
    secretary.press("Gửi")
    assert secretary.text.splitlines() == [
        "Đã gửi chỉ đạo đến 3 trong số 7 đảng viên (1 chi bộ).",
        "4 đảng viên chưa kết nối bot nên không nhận được tin nhắn: Trần Thị Bình, "
        "Vũ Thị Giang, Đặng Văn Hải, Bùi Thị Hoa. Đồng chí gõ /moi để cấp mã mời cho các "
        "đồng chí này.",
        "Khi đã kết nối, các đồng chí ấy xem được chỉ đạo này bằng lệnh /thongbao.",
    ]


def test_nobody_connected_is_not_reported_as_sent(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001")
    compose(secretary)
    secretary.press("Gửi")
    assert secretary.text.startswith("Chưa gửi được chỉ đạo đến ai trong 7 đảng viên (1 chi bộ).")
    assert "Đã gửi" not in secretary.text
    assert "7 đảng viên chưa kết nối bot" in secretary.text


def test_everyone_connected_leaves_out_the_zero_line(chat_as, demo: Database) -> None:
    for code in OFFICE[1:]:
        chat_as(code)
    secretary = chat_as("DV001")
    compose(secretary)
    assert "chưa kết nối" not in secretary.text  # no "0 người chưa kết nối bot"
    assert secretary.text.endswith("Gửi đến 7 đảng viên (1 chi bộ).\nĐồng chí gửi chứ?")
    secretary.press("Gửi")
    assert secretary.text == "Đã gửi chỉ đạo đến 7 đảng viên (1 chi bộ)."
    secretary.press("Xem tình hình")
    assert "chưa kết nối" not in secretary.text


def test_stats_tell_members_without_an_account_from_failed_sends(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        link(session, clock, "DV003")
        directive = send(session, clock).directive
        assert directive.id is not None
        (row,) = deliveries(session)
        row.status = DeliveryStatus.FAILED
        session.add(row)
        stats = directive_stats(session, actor(session, "DV001"), directive.id)
        assert (stats.failed, stats.not_connected, stats.delivered, stats.pending) == (1, 6, 0, 0)
        assert "• Không gửi được: 1" in stats.text()
        assert directive_texts.DIR_STATS_NOT_CONNECTED.format(count=6) in stats.text()


# --- Item 6: the outbox's counts, for every sender ---------------------------------------------


def test_enqueue_reports_queued_already_sent_and_not_connected(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        link(session, clock, "DV003", "DV004")
        ids = [member_id(session, c) for c in ("DV003", "DV004", "DV005")]

        def enqueue() -> outbox.Reach:
            return outbox.enqueue(
                session,
                kind=DeliveryKind.RESOLUTION,
                ref_id=1,
                member_ids=ids,
                payload=outbox.message("Nghị quyết"),
                dedupe_key="resolution:1",
                now=clock(),
            ).reach

        dv005 = (member_id(session, "DV005"),)
        assert enqueue() == outbox.Reach(queued=2, already=0, not_connected=dv005)
        assert enqueue() == outbox.Reach(queued=0, already=2, not_connected=dv005)
        # DV004 links a second account: only that account is sent to, DV004 counts as queued.
        telegram = touch_identity(session, "telegram", "5550004", "5550004", now=clock())
        link_identity(session, telegram, find_member(session, "DV004"), now=clock())  # type: ignore[arg-type]
        assert enqueue() == outbox.Reach(queued=1, already=1, not_connected=dv005)
        assert outbox.describe_reach(session, enqueue(), what="nghị quyết").splitlines() == [
            "2 đảng viên đã được gửi nghị quyết từ trước nên không gửi lại.",
            "1 đảng viên chưa kết nối bot nên không nhận được tin nhắn: Hoàng Văn Em. Đồng chí "
            "gõ /moi để cấp mã mời cho các đồng chí này.",
        ]


def test_describe_reach_says_only_what_happened(demo: Database) -> None:
    with demo.session() as session:
        everyone = [member_id(session, f"DV{n:03d}") for n in range(1, 17)]

        def words(reach: outbox.Reach) -> list[str]:
            return outbox.describe_reach(session, reach, what="nghị quyết").splitlines()

        assert words(outbox.Reach(7, 0, ())) == ["Đã gửi nghị quyết đến 7 đảng viên."]
        assert words(outbox.Reach(0, 0, ())) == ["Không có đảng viên nào để gửi nghị quyết."]
        assert words(outbox.Reach(1, 6, ())) == [
            "Đã gửi nghị quyết đến 1 trong số 7 đảng viên.",
            "6 đảng viên đã được gửi nghị quyết từ trước nên không gửi lại.",
        ]
        none = words(outbox.Reach(0, 0, tuple(everyone[:2])))
        assert none[0] == "Chưa gửi được nghị quyết đến ai trong 2 đảng viên."
        assert "Nguyễn Văn An, Trần Thị Bình" in none[1]  # by given name: An, Bình
        # A committee's message to many: the first ten names, then how many more.
        many = words(outbox.Reach(3, 0, tuple(everyone[:12])))
        assert many[0] == "Đã gửi nghị quyết đến 3 trong số 15 đảng viên."
        assert many[1].startswith("12 đảng viên chưa kết nối bot")
        assert many[1].count(",") == 9 and " và 2 đồng chí khác. " in many[1]


# --- Item 7: the sender's unit ----------------------------------------------------------------


def test_committee_directive_to_one_cell_is_the_committees(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    member = chat_as("DV003")
    secretary = chat_as("DV001")
    committee = chat_as("DV016")
    committee.send("/chidao")
    committee.press(CELL_OFFICE)
    committee.send("Các chi bộ rà soát đảng viên miễn sinh hoạt trước ngày 20/12.")
    committee.press("Toàn thể")
    header = f"📢 Chỉ đạo của đồng chí {PARTY} ({BASE}), "
    assert committee.last.replies[1].text.startswith(header)  # the preview
    committee.press("Gửi")
    (copy,) = received(demo, "DV003")
    assert copy.payload["text"].startswith(header)  # not "(Chi bộ Văn phòng Sở)"

    member.send("/thongbao")
    assert f"đồng chí {PARTY} ({BASE})" in member.text

    date = format_vn_date(clock().astimezone(DEFAULT_RULES.tz).date())
    secretary.send("/chidao_tinhhinh")
    (label,) = [o.label for o in secretary.options()]
    assert label.startswith(f"{date} (cấp trên – {BASE}): Các chi bộ rà soát")
    secretary.press("cấp trên")
    assert f"của đồng chí {PARTY} ({BASE}): 8 người nhận" in secretary.text
    secretary.press("Nhắc 8 người")  # the cell's secretary may still remind their cell
    (reminder,) = received(demo, "DV003", DeliveryKind.DIRECTIVE_REMINDER)
    assert f"đồng chí {PARTY} ({BASE}) ngày {date}" in reminder.payload["text"]

    committee.send("/chidao_tinhhinh")
    (own,) = [o.label for o in committee.options()]
    assert own.startswith(f"{date} · {CELL_OFFICE} (từ {BASE}): ")


def test_sender_unit_is_the_unit_acted_for_and_stays_so(demo: Database, clock: FakeClock) -> None:
    join_committee(demo, "DV009", BASE)  # secretary of CELL_SCHOOLS, now on the committee too
    with demo.session() as session:
        to_own_cell = send(session, clock, code="DV016", unit=CELL_SCHOOLS).directive
        clock.advance(minutes=1)
        as_secretary = send(session, clock, code="DV009", unit=CELL_SCHOOLS).directive
        clock.advance(minutes=1)
        as_committee = send(session, clock, code="DV009", unit=CELL_OFFICE).directive
        clock.advance(minutes=1)
        whole = send(session, clock, code="DV016", unit=BASE).directive
        # DV016 is a plain member of CELL_SCHOOLS: writing to it, they act for the committee.
        assert units_listed(session, "DV010") == {
            to_own_cell.id: BASE,
            as_secretary.id: CELL_SCHOOLS,
            whole.id: BASE,
        }
        assert units_listed(session, "DV003") == {as_committee.id: BASE, whole.id: BASE}
    # Roles change afterwards: what was shown stays, as it was recorded when sending.
    join_committee(demo, "DV016")
    with demo.session() as session:
        assert units_listed(session, "DV010")[to_own_cell.id] == BASE
        # A directive whose record does not say (sent before it was kept) is worked out again.
        entry = session.exec(
            select(AuditLog)
            .where(AuditLog.action == "directive.sent")
            .where(AuditLog.entity_id == str(as_committee.id))
        ).one()
        entry.detail = {}
        session.add(entry)
        session.flush()
        assert units_listed(session, "DV003")[as_committee.id] == BASE  # DV009: still on it
