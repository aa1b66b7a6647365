"""Directives and the outbox: audiences, scope, receipts, acknowledgements, stats, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import (
    AuditLog,
    ChatIdentity,
    Database,
    Delivery,
    DeliveryStatus,
    DirectiveRecipient,
    Member,
    Unit,
)
from services import outbox, texts
from services.auth import Actor, load_actor
from services.demo import BASE, CELL_OFFICE, CELL_SCHOOLS
from services.directives import texts as directive_texts
from services.directives.rules import (
    ACK,
    acknowledge_directive,
    directive_stats,
    followed_directives,
    my_directives,
    preview_directive,
    remind_unacknowledged,
    send_directive,
)
from services.errors import Forbidden, UserError
from services.identities import find_member, local_identity, touch_identity
from services.invites import link_identity
from tests.support import FakeClock

TEXT = "Đề nghị các đồng chí nghiên cứu Nghị quyết số 57-NQ/TW trước buổi sinh hoạt tháng 12."


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None
    return load_actor(session, member)


def member_id(session: Session, code: str) -> int:
    member = find_member(session, code)
    assert member is not None and member.id is not None
    return member.id


def unit_id(session: Session, name: str) -> int:
    unit = session.exec(select(Unit).where(Unit.name == name)).one()
    assert unit.id is not None
    return unit.id


def link(session: Session, clock: FakeClock, *codes: str) -> None:
    for code in codes:
        member = find_member(session, code)
        assert member is not None
        local_identity(session, member, now=clock())


def codes_of(session: Session, member_ids: object) -> set[str]:
    rows = session.exec(select(Member).where(col(Member.id).in_(list(member_ids))))  # type: ignore[arg-type]
    return {m.code for m in rows}


def deliveries(session: Session, kind: str = "directive") -> list[Delivery]:
    return list(session.exec(select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)))


def send(session: Session, clock: FakeClock, code: str = "DV001", **kwargs: object):
    unit = kwargs.pop("unit", CELL_OFFICE)
    return send_directive(
        session,
        actor(session, code),
        unit_id(session, str(unit)),
        audience=kwargs.pop("audience", "all"),  # type: ignore[arg-type]
        text=kwargs.pop("text", TEXT),  # type: ignore[arg-type]
        now=clock(),
        **kwargs,  # type: ignore[arg-type]
    )


# --- Audience and scope -----------------------------------------------------------------------


def test_secretary_sends_to_whole_cell_with_receipt(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        link(session, clock, "DV001", "DV003", "DV004", "DV010")
        receipt = send(session, clock, file_ref="tg:AgACAgUAAx", file_kind="photo")
        directive = receipt.directive
        assert directive.id is not None
        # Seven members besides the sender; two have a chat account, five do not yet.
        assert (receipt.recipients, receipt.enqueued, receipt.unreachable) == (7, 2, 5)
        assert (receipt.reach.queued, len(receipt.reach.not_connected)) == (2, 5)
        assert receipt.message.splitlines() == [
            "Đã gửi chỉ đạo đến 2 trong số 7 đảng viên (1 chi bộ).",
            "5 đảng viên chưa kết nối bot nên không nhận được tin nhắn: Trần Thị Bình, "
            "Hoàng Văn Em, Vũ Thị Giang, Đặng Văn Hải, Bùi Thị Hoa. Đồng chí gõ /moi để cấp mã "
            "mời cho các đồng chí này.",
            directive_texts.DIR_RECEIPT_LATER,
        ]
        copies = session.exec(
            select(DirectiveRecipient).where(DirectiveRecipient.directive_id == directive.id)
        ).all()
        assert codes_of(session, [c.member_id for c in copies]) == {
            "DV002",
            "DV003",
            "DV004",
            "DV005",
            "DV006",
            "DV007",
            "DV008",
        }
        rows = deliveries(session)
        assert codes_of(session, [d.member_id for d in rows]) == {"DV003", "DV004"}
        payload = rows[0].payload
        assert payload["text"].startswith("📢 Chỉ đạo của đồng chí Nguyễn Văn An")
        assert "Nghị quyết số 57-NQ/TW" in payload["text"] and "26/11/2026" in payload["text"]
        assert payload["options"] == [{"id": f"dir_ack:{directive.id}", "label": "Đã nhận"}]
        assert payload["file"] == {"ref": "tg:AgACAgUAAx", "kind": "photo"}
        assert all(d.status == "pending" and d.next_attempt_at == clock() for d in rows)
        assert all(d.channel == "terminal" and d.chat_id.startswith("local-") for d in rows)
        audit = session.exec(select(AuditLog).where(AuditLog.action == "directive.sent")).one()
        assert audit.detail["recipients"] == 7 and audit.actor_member_id == member_id(
            session, "DV001"
        )


def test_official_members_only_leaves_out_probationary(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        preview = preview_directive(
            session,
            actor(session, "DV002"),
            unit_id(session, CELL_OFFICE),
            audience="official",
            text=TEXT,
        )
        assert codes_of(session, preview.member_ids) == {
            "DV001",
            "DV003",
            "DV004",
            "DV006",
            "DV007",
            "DV008",
        }
        assert preview.unreachable == 6 and preview.cells == 1
        # A preview writes nothing.
        assert session.exec(select(sa.func.count()).select_from(DirectiveRecipient)).one() == 0


def test_chosen_members_must_be_in_scope(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        chosen = [member_id(session, "DV003"), member_id(session, "DV005")]
        receipt = send(session, clock, audience="chosen", member_ids=chosen)
        assert receipt.recipients == 2
        with pytest.raises(Forbidden) as outside:
            send(
                session,
                clock,
                audience="chosen",
                member_ids=[member_id(session, "DV003"), member_id(session, "DV010")],
            )
        assert outside.value.message == directive_texts.DIR_CHOSEN_OUTSIDE
        with pytest.raises(UserError) as empty:
            send(session, clock, audience="chosen", member_ids=[])
        assert empty.value.message == directive_texts.DIR_CHOSEN_EMPTY
        with pytest.raises(UserError) as only_self:
            send(session, clock, audience="chosen", member_ids=[member_id(session, "DV001")])
        assert only_self.value.message == directive_texts.DIR_NO_RECIPIENTS


def test_committee_sends_to_every_cell_of_its_subtree(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        link(session, clock, "DV003", "DV012")
        receipt = send(session, clock, code="DV016", unit=BASE)
        assert receipt.recipients == 15  # sixteen members of both cells, less the sender
        assert "(2 chi bộ)" in receipt.message
        assert codes_of(session, [d.member_id for d in deliveries(session)]) == {"DV003", "DV012"}
        # The committee may also address a single cell below it.
        assert send(session, clock, code="DV016", unit=CELL_OFFICE).recipients == 8


def test_senders_are_held_to_their_scope(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        with pytest.raises(Forbidden) as member:
            send(session, clock, code="DV003")
        assert member.value.message == texts.FORBIDDEN_LEADER
        with pytest.raises(Forbidden) as other_cell:
            send(session, clock, code="DV009", unit=CELL_OFFICE)
        assert other_cell.value.message == texts.FORBIDDEN_OTHER_CELL
        with pytest.raises(Forbidden):
            send(session, clock, code="DV001", unit=BASE)  # a secretary is not a committee
        assert send(session, clock, code="DV009", unit=CELL_SCHOOLS).recipients == 7


def test_text_is_checked(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        with pytest.raises(UserError) as empty:
            send(session, clock, text="   ")
        assert empty.value.message == directive_texts.DIR_TEXT_EMPTY
        with pytest.raises(UserError) as long:
            send(session, clock, text="a" * 4001)
        assert long.value.message == directive_texts.DIR_TEXT_TOO_LONG.format(
            length=4001, maximum=4000
        )
        with pytest.raises(UserError) as no_unit:
            preview_directive(session, actor(session, "DV016"), 9999, audience="all", text=TEXT)
        assert no_unit.value.message == directive_texts.DIR_UNIT_NOT_FOUND


# --- Acknowledgement, stats, reminders --------------------------------------------------------


def test_acknowledgement_is_once_and_only_for_recipients(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        directive = send(session, clock).directive
        assert directive.id is not None
        first = acknowledge_directive(session, actor(session, "DV003"), directive.id, now=clock())
        assert first.acknowledged_at == clock()
        again = acknowledge_directive(
            session, actor(session, "DV003"), directive.id, now=clock() + timedelta(hours=1)
        )
        assert again.acknowledged_at == clock()
        with pytest.raises(UserError) as outsider:
            acknowledge_directive(session, actor(session, "DV010"), directive.id, now=clock())
        assert outsider.value.message == directive_texts.DIR_NOT_RECIPIENT
        with pytest.raises(UserError):
            acknowledge_directive(session, actor(session, "DV003"), 9999, now=clock())
        acks = session.exec(
            select(AuditLog).where(AuditLog.action == "directive.acknowledged")
        ).all()
        assert len(acks) == 1


def test_sender_sees_delivery_and_acknowledgement_counts(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        link(session, clock, "DV003", "DV004", "DV006")
        directive = send(session, clock).directive
        assert directive.id is not None
        # The delivery worker (a later issue) records outcomes; here we play its part.
        outcome = {"DV003": DeliveryStatus.SENT, "DV004": DeliveryStatus.FAILED}
        for row in deliveries(session):
            code = codes_of(session, [row.member_id]).pop()
            if code in outcome:
                row.status = outcome[code]
                session.add(row)
        acknowledge_directive(session, actor(session, "DV003"), directive.id, now=clock())
        stats = directive_stats(session, actor(session, "DV001"), directive.id)
        # DV003 delivered, DV006 still queued, DV004 failed; four had no account: not a failure.
        assert (stats.recipients, stats.delivered, stats.pending, stats.failed) == (7, 1, 1, 1)
        assert stats.not_connected == 4
        assert stats.acknowledged == 1
        # By given name, as Vietnamese lists are kept ("Đặng Văn Hải" under H, not after Z).
        assert [name for _id, name in stats.not_acknowledged] == [
            "Trần Thị Bình",
            "Phạm Thị Dung",
            "Hoàng Văn Em",
            "Vũ Thị Giang",
            "Đặng Văn Hải",
            "Bùi Thị Hoa",
        ]
        summary = stats.text()
        assert "7 người nhận" in summary and "Đã xác nhận “Đã nhận”: 1" in summary
        assert "Không gửi được: 1" in summary
        assert directive_texts.DIR_STATS_NOT_CONNECTED.format(count=4) in summary
        assert "Chưa xác nhận: Trần Thị Bình, Phạm Thị Dung, Hoàng Văn Em" in summary
        # The deputy of the same cell may follow it up; another cell's secretary may not.
        assert directive_stats(session, actor(session, "DV002"), directive.id).recipients == 7
        with pytest.raises(Forbidden):
            directive_stats(session, actor(session, "DV009"), directive.id)
        with pytest.raises(Forbidden):
            directive_stats(session, actor(session, "DV003"), directive.id)


def test_reminders_go_to_those_who_have_not_acknowledged(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        link(session, clock, "DV003", "DV004", "DV006")
        directive = send(session, clock).directive
        assert directive.id is not None
        secretary = actor(session, "DV001")
        acknowledge_directive(session, actor(session, "DV003"), directive.id, now=clock())
        reminded = remind_unacknowledged(session, secretary, directive.id, now=clock()).reach
        # Six have not acknowledged; two of them (DV004, DV006) have a chat account.
        assert (reminded.queued, len(reminded.not_connected)) == (2, 4)
        first_round = deliveries(session, "directive_reminder")
        assert codes_of(session, [d.member_id for d in first_round]) == {"DV004", "DV006"}
        assert first_round[0].payload["text"].startswith("🔔 Nhắc")
        assert first_round[0].payload["options"][0]["id"] == f"dir_ack:{directive.id}"
        with pytest.raises(UserError) as too_soon:
            remind_unacknowledged(
                session, secretary, directive.id, now=clock() + timedelta(minutes=30)
            )
        assert too_soon.value.message == directive_texts.DIR_REMIND_TOO_SOON.format(
            last="10:00", next="11:00"
        )
        clock.advance(hours=1)
        acknowledge_directive(session, actor(session, "DV004"), directive.id, now=clock())
        reminded = remind_unacknowledged(session, secretary, directive.id, now=clock()).reach
        assert (reminded.queued, len(reminded.not_connected)) == (1, 4)
        second_round = deliveries(session, "directive_reminder")[len(first_round) :]
        assert codes_of(session, [d.member_id for d in second_round]) == {"DV006"}
        with pytest.raises(Forbidden):
            remind_unacknowledged(session, actor(session, "DV009"), directive.id, now=clock())
        for code in ("DV002", "DV005", "DV006", "DV007", "DV008"):
            acknowledge_directive(session, actor(session, code), directive.id, now=clock())
        clock.advance(hours=2)
        with pytest.raises(UserError) as all_done:
            remind_unacknowledged(session, secretary, directive.id, now=clock())
        assert all_done.value.message == directive_texts.DIR_ALL_ACKED


def test_members_list_their_directives_with_their_acknowledgement(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        older = send(session, clock, text="Chỉ đạo thứ nhất").directive
        clock.advance(hours=2)
        newer = send(session, clock, code="DV016", unit=BASE, text="Chỉ đạo của Đảng ủy").directive
        assert older.id is not None
        acknowledge_directive(session, actor(session, "DV003"), older.id, now=clock())
        listed = my_directives(session, actor(session, "DV003"))
        assert [d.directive_id for d in listed] == [newer.id, older.id]
        assert listed[0].sender_name == "Phan Thị Thảo" and listed[0].unit_name == BASE
        assert listed[0].acknowledged_at is None
        assert listed[1].acknowledged_at == clock() and listed[1].text == "Chỉ đạo thứ nhất"
        assert [d.directive_id for d in my_directives(session, actor(session, "DV010"))] == [
            newer.id
        ]
        # The secretary follows their cell's own directive in full, the Đảng ủy's one as the
        # cell's share only.
        followed = followed_directives(session, actor(session, "DV001"))
        assert [(f.directive.id, f.cell_id) for f in followed] == [
            (newer.id, unit_id(session, CELL_OFFICE)),
            (older.id, None),
        ]


# --- The outbox itself ------------------------------------------------------------------------


def test_enqueue_is_idempotent_per_account(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        link(session, clock, "DV003", "DV004")
        ids = [member_id(session, c) for c in ("DV003", "DV004", "DV005")]
        payload = outbox.message("Thử", options=[(ACK(1), "Một")])
        first = outbox.enqueue(
            session,
            kind="reminder",
            ref_id=1,
            member_ids=ids,
            payload=payload,
            dedupe_key="t:1",
            now=clock(),
        )
        assert (first.created, first.existing) == (2, 0)
        assert first.unreachable_member_ids == (member_id(session, "DV005"),)
        again = outbox.enqueue(
            session,
            kind="reminder",
            ref_id=1,
            member_ids=ids,
            payload=payload,
            dedupe_key="t:1",
            now=clock(),
        )
        assert (again.created, again.existing) == (0, 2)
        # A second account (Telegram) of DV003 gets its own row; a blocked one gets none.
        telegram = touch_identity(session, "telegram", "5550001", "5550001", now=clock())
        link_identity(session, telegram, find_member(session, "DV003"), now=clock())  # type: ignore[arg-type]
        blocked = session.exec(
            select(ChatIdentity).where(ChatIdentity.external_id == "local-DV004")
        ).one()
        blocked.active = False
        session.add(blocked)
        session.flush()
        third = outbox.enqueue(
            session,
            kind="reminder",
            ref_id=1,
            member_ids=ids,
            payload=payload,
            dedupe_key="t:1",
            now=clock(),
        )
        assert (third.created, third.existing) == (1, 1)
        assert set(third.unreachable_member_ids) == {
            member_id(session, "DV004"),
            member_id(session, "DV005"),
        }
        rows = deliveries(session, "reminder")
        assert len(rows) == 3
        assert {r.channel for r in rows} == {"terminal", "telegram"}
        assert rows[0].payload == {"text": "Thử", "options": [{"id": "dir_ack:1", "label": "Một"}]}


def test_enqueue_skips_keys_inserted_meanwhile(demo: Database, clock: FakeClock) -> None:
    """Two processes enqueueing the same message: the second finds the key taken and skips it."""
    with demo.session() as session:
        link(session, clock, "DV003")
        ids = [member_id(session, "DV003")]
    with demo.session() as session:
        outbox.enqueue(
            session,
            kind="directive",
            ref_id=7,
            member_ids=ids,
            payload=outbox.message("a"),
            dedupe_key="d:7",
            now=clock(),
        )
    with demo.session() as session:
        # Simulate the race: the pre-check saw nothing, the insert meets the existing key.
        row = session.exec(select(Delivery)).one()
        columns = Delivery.__table__.columns  # type: ignore[attr-defined]
        rows = [{c.name: getattr(row, c.name) for c in columns if c.name != "id"}]
        assert outbox._insert_ignoring_duplicates(session, rows) == 0
        assert session.exec(select(sa.func.count()).select_from(Delivery)).one() == 1
