"""Scheduler: the directive's 24-hour reminder, task deadlines, and the generic Deadline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.features import jobs, tick
from models import (
    Database,
    Delivery,
    DeliveryKind,
    Directive,
    Member,
    ScheduledRun,
    Unit,
)
from scheduler.claims import DueItem, Fired
from scheduler.deadlines import Deadline, DeadlineRow
from scheduler.jobs import REMINDERS
from scheduler.jobs import tick as tick_jobs
from scheduler.rules import DEFAULT_SCHEDULER_RULES, SchedulerRules
from services import outbox
from services.demo import CELL_OFFICE
from services.directives.rules import acknowledge_directive, remind_unacknowledged, send_directive
from services.identities import find_member, local_identity
from services.meetings import texts as meeting_texts
from services.meetings.planning import schedule_meeting
from services.meetings.resolutions import assign_task, complete_task
from tests.meetings.test_meetings import actor, local
from tests.support import FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def office_id(session: Session) -> int:
    cell = session.exec(select(Unit).where(Unit.name == CELL_OFFICE)).one()
    assert cell.id is not None
    return cell.id


def link(session: Session, now: datetime, *codes: str) -> None:
    for code in codes:
        member = find_member(session, code)
        assert member is not None
        local_identity(session, member, now=now)


def sent_to(db: Database, kind: str, ref_id: int) -> list[tuple[str, str]]:
    """(member code, text) of every message of this kind about this record."""
    with db.session() as session:
        codes = {m.id: m.code for m in session.exec(select(Member))}
        rows = session.exec(
            select(Delivery)
            .where(Delivery.kind == kind)
            .where(Delivery.ref_id == ref_id)
            .order_by(col(Delivery.id))
        ).all()
        return [(codes[r.member_id], r.payload["text"]) for r in rows]


def send(db: Database, clock: FakeClock) -> int:
    with db.session() as session:
        link(session, clock(), "DV001", "DV002", "DV003", "DV004", "DV005")
        receipt = send_directive(
            session,
            actor(session, "DV001"),
            office_id(session),
            audience="all",
            text="Đề nghị các đồng chí đọc Nghị quyết 57-NQ/TW trước buổi sinh hoạt.",
            now=clock(),
        )
        assert receipt.directive.id is not None
        return receipt.directive.id


def test_directive_reminder_once_after_24_hours_to_those_who_have_not_acknowledged(
    demo: Database, clock: FakeClock
) -> None:
    directive_id = send(demo, clock)
    sent_at = clock()
    with demo.session() as session:
        acknowledge_directive(session, actor(session, "DV003"), directive_id, now=clock())
    clock.now = sent_at + timedelta(hours=23, minutes=59)
    assert tick(demo, clock(), group=REMINDERS).total.sent == 0
    assert sent_to(demo, DeliveryKind.DIRECTIVE_REMINDER, directive_id) == []

    clock.now = sent_at + timedelta(hours=24)
    report = tick(demo, clock(), group=REMINDERS)
    assert report["directives"].sent == 1 and report["directives"].deliveries == 3
    reminded = sent_to(demo, DeliveryKind.DIRECTIVE_REMINDER, directive_id)
    # Linked and silent: DV002, DV004, DV005. Not DV003 (acknowledged), not the sender,
    # not DV006–DV008 (no chat account: counted as unreachable, nothing to enqueue).
    assert [code for code, _t in reminded] == ["DV002", "DV004", "DV005"]
    assert all("Nhắc: đồng chí chưa xác nhận" in t and "57-NQ/TW" in t for _c, t in reminded)
    with demo.session() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        assert directive.reminders == 1 and directive.last_reminded_at == clock()
        payload = session.exec(
            select(Delivery.payload).where(Delivery.kind == DeliveryKind.DIRECTIVE_REMINDER)
        ).first()
        assert payload is not None
        assert payload["options"] == [{"id": f"dir_ack:{directive_id}", "label": "Đã nhận"}]

    for hours in (24, 30, 72):
        clock.now = sent_at + timedelta(hours=hours)
        assert tick(demo, clock(), group=REMINDERS)["directives"].due == 0
    assert len(sent_to(demo, DeliveryKind.DIRECTIVE_REMINDER, directive_id)) == 3


def test_directive_reminder_skipped_after_a_recent_manual_round_or_when_all_acknowledged(
    demo: Database, clock: FakeClock
) -> None:
    first = send(demo, clock)
    with demo.session() as session:
        second = send_directive(
            session,
            actor(session, "DV001"),
            office_id(session),
            audience="chosen",
            member_ids=[m.id for m in session.exec(select(Member).where(Member.code == "DV002"))],
            text="Đồng chí chuẩn bị báo cáo tháng.",
            now=clock(),
        ).directive.id
        assert second is not None
    sent_at = clock()
    clock.now = sent_at + timedelta(hours=20)
    with demo.session() as session:
        remind_unacknowledged(session, actor(session, "DV001"), first, now=clock())
        acknowledge_directive(session, actor(session, "DV002"), second, now=clock())
    clock.now = sent_at + timedelta(hours=24)
    tick(demo, clock(), group=REMINDERS)
    with demo.session() as session:
        runs = {r.ref_id: (r.outcome, r.note) for r in session.exec(select(ScheduledRun))}
        directive = session.get(Directive, first)
        assert directive is not None and directive.reminders == 1  # only the manual round
    assert runs == {
        first: ("skipped", "reminded_recently"),
        second: ("skipped", "all_acknowledged"),
    }


def assign(db: Database, clock: FakeClock, owner: str, due: date) -> int:
    with db.session() as session:
        link(session, clock(), "DV001", "DV002", owner)
        meeting, _plan = schedule_meeting(
            session,
            actor(session, "DV001"),
            office_id(session),
            kind="chuyen_de",
            topic="Chuyển đổi số",
            starts_at=clock() + timedelta(days=20),
            place="Phòng họp",
            now=clock(),
        )
        owner_member = find_member(session, owner)
        assert owner_member is not None and owner_member.id is not None
        task = assign_task(
            session,
            actor(session, "DV001"),
            meeting.id or 0,
            owner_member_id=owner_member.id,
            title="Báo cáo kết quả học tập Nghị quyết",
            due_on=due,
            now=clock(),
        )
        assert task.id is not None
        return task.id


def test_task_reminders_the_day_before_on_the_day_and_overdue_to_the_secretary(
    demo: Database, clock: FakeClock
) -> None:
    task_id = assign(demo, clock, "DV003", date(2026, 12, 3))
    done_id = assign(demo, clock, "DV004", date(2026, 12, 3))
    with demo.session() as session:
        complete_task(session, actor(session, "DV004"), done_id, now=clock())

    timeline = [
        (local(2, 12, 7, 59), []),
        (local(2, 12, 8), [("DV003", "ngày mai (03/12/2026)")]),
        (local(2, 12, 20), []),
        (local(3, 12, 8), [("DV003", "hôm nay (03/12/2026)")]),
        (local(4, 12, 8), [("DV001", "Người thực hiện: đồng chí Lê Văn Cường")]),
        (local(6, 12, 8), []),
    ]
    seen = 0
    for when, expected in timeline:
        clock.now = when
        tick(demo, clock(), group=REMINDERS)
        messages = sent_to(demo, "task_reminder", task_id)
        new = messages[seen:]
        seen = len(messages)
        assert [c for c, _t in new] == [c for c, _w in expected], when
        for (_c, text), (_code, words) in zip(new, expected, strict=True):
            assert words in text and "Báo cáo kết quả học tập Nghị quyết" in text
    assert sent_to(demo, "task_reminder", done_id) == []
    with demo.session() as session:
        owner_copy = session.exec(
            select(Delivery).where(col(Delivery.dedupe_key).startswith("task_due_today"))
        ).one()
    assert owner_copy.payload["options"] == [
        {"id": f"task_done:{task_id}", "label": meeting_texts.SCHED_TASK_DONE_BUTTON}
    ]


def test_task_downtime_over_the_deadline_sends_only_the_overdue_note(
    demo: Database, clock: FakeClock
) -> None:
    task_id = assign(demo, clock, "DV003", date(2026, 12, 3))
    clock.now = local(4, 12, 9)
    report = tick(demo, clock(), group=REMINDERS)
    assert [c for c, _t in sent_to(demo, "task_reminder", task_id)] == ["DV001"]
    assert report["task_due_tomorrow"].stale == 1 and report["task_due_today"].stale == 1
    assert report["task_overdue"].sent == 1


def test_a_new_deadline_kind_needs_no_change_to_the_loop(demo: Database, clock: FakeClock) -> None:
    """A later feature supplies rows and a sender; the claims and the loop are reused."""
    with demo.session() as session:
        link(session, clock(), "DV005")
        member = find_member(session, "DV005")
        assert member is not None and member.id is not None
        member_id = member.id

    def rows(_session: Session, first: date, last: date) -> Iterable[DeadlineRow]:
        due = date(2026, 11, 30)  # e.g. a monthly party fee, due at the month's end
        return (
            [DeadlineRow(member_id, due, clock() - timedelta(days=40))]
            if first <= due <= last
            else []
        )

    def send_note(session: Session, item: DueItem, now: datetime, rules: SchedulerRules) -> Fired:
        result = outbox.enqueue(
            session,
            kind="fee_reminder",
            ref_id=item.ref_id,
            member_ids=[member_id],
            payload=outbox.message("Nhắc đóng đảng phí tháng 11."),
            dedupe_key=item.key,
            now=now,
        )
        return Fired.sent(result.created)

    fee = Deadline(
        "fee_due_tomorrow", offset_days=-1, rows=rows, send=send_note, same_day_only=True
    )
    assert fee.name not in {job.name for job in jobs()}
    for when in (local(29, 11, 7), local(29, 11, 8, 1), local(29, 11, 23, 59)):
        clock.now = when
        tick_jobs(demo, clock(), DEFAULT_SCHEDULER_RULES, jobs=[fee])
    assert [c for c, _t in sent_to(demo, "fee_reminder", member_id)] == ["DV005"]
    with demo.session() as session:
        run = session.exec(select(ScheduledRun)).one()
    assert run.job_key == f"fee_due_tomorrow:{member_id}:2026-11-30"
    assert run.due_at == local(29, 11, 8)


def test_a_failing_item_leaves_no_claim_and_no_message_and_is_retried(
    demo: Database, clock: FakeClock
) -> None:
    """The claim and the outbox rows commit together: an error in between rolls back both, the
    other items still go out, and the next tick does the failed one."""
    with demo.session() as session:
        link(session, clock(), "DV005", "DV006")
        member_ids = [find_member(session, c).id for c in ("DV005", "DV006")]  # type: ignore[union-attr]
    attempts: list[int] = []

    def rows(_session: Session, first: date, last: date) -> Iterable[DeadlineRow]:
        due = date(2026, 11, 27)
        old = clock() - timedelta(days=40)
        return [DeadlineRow(m, due, old) for m in member_ids if m is not None]

    def send_note(session: Session, item: DueItem, now: datetime, rules: SchedulerRules) -> Fired:
        assert item.ref_id is not None
        result = outbox.enqueue(
            session,
            kind="fee_reminder",
            ref_id=item.ref_id,
            member_ids=[item.ref_id],
            payload=outbox.message("Nhắc đóng đảng phí."),
            dedupe_key=item.key,
            now=now,
        )
        attempts.append(item.ref_id)
        if item.ref_id == member_ids[0] and attempts.count(item.ref_id) == 1:
            raise RuntimeError("the process died half-way")
        return Fired.sent(result.created)

    fee = Deadline("fee_due_today", offset_days=0, rows=rows, send=send_note, same_day_only=False)
    clock.now = local(27, 11, 9)
    first = tick_jobs(demo, clock(), jobs=[fee])
    assert (first["fee_due_today"].sent, first["fee_due_today"].failed) == (1, 1)
    with demo.session() as session:
        assert [r.ref_id for r in session.exec(select(ScheduledRun))] == [member_ids[1]]
        assert [d.member_id for d in session.exec(select(Delivery))] == [member_ids[1]]
    second = tick_jobs(demo, clock(), jobs=[fee])
    assert (second["fee_due_today"].due, second["fee_due_today"].sent) == (1, 1)
    assert tick_jobs(demo, clock(), jobs=[fee]).total.due == 0
    with demo.session() as session:
        assert sorted(d.member_id for d in session.exec(select(Delivery))) == sorted(member_ids)
