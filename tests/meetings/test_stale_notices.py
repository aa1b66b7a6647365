"""A member who was away is not sent a backlog of notices that no longer hold.

Why: a meeting moved twice, or held already, used to reach a member who came back as a row of
"Đổi lịch" notices with answer buttons for times gone by. Now a message that asks about a
meeting carries `until` (the meeting's start): unsent by then, it is dropped, never sent late,
whether the terminal shows it or a delivery worker sends it; a newer move or a cancellation
drops the older notices still unsent; and a question waiting to be asked again is not asked
after its time. On SQLite and PostgreSQL, through the real core, outbox and Zalo worker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.app import App
from handlers.core import Core
from models import Database, Delivery, DeliveryKind, DeliveryStatus, Meeting
from services import outbox
from services.auth import Actor, load_actor
from services.directives import texts as directive_texts
from services.identities import find_member
from services.meetings.planning import ANSWER, cancel_meeting, move_meeting
from tests.fake_zalo import FakeZalo, running_fake_zalo
from tests.meetings.test_flow_meetings import schedule_via_chat
from tests.support import ChatDriver, FakeClock
from tests.test_delivery_support import drain_as_run, link_members
from tests.test_numbered_questions import FIRST, send_directive, take
from tests.test_zalo_polling import zalo_settings


def the_meeting(db: Database) -> Meeting:
    with db.session() as session:
        return session.exec(select(Meeting)).one()


def member_rows(db: Database, chat: ChatDriver) -> list[Delivery]:
    with db.session() as session:
        query = select(Delivery).where(Delivery.chat_id == chat.user_id).order_by(col(Delivery.id))
        return list(session.exec(query))


def as_secretary(
    db: Database, action: Callable[[Session, Actor, datetime], object], clock: FakeClock
) -> object:
    """Run a meetings service as the demo secretary, in its own transaction."""
    with db.session() as session:
        member = find_member(session, "DV001")
        assert member is not None
        return action(session, load_actor(session, member), clock())


def move_to(db: Database, meeting_id: int, starts_at: datetime, clock: FakeClock) -> None:
    as_secretary(
        db,
        lambda s, actor, now: move_meeting(s, actor, meeting_id, starts_at=starts_at, now=now),
        clock,
    )


def test_a_meeting_moved_twice_reaches_the_absent_member_once(
    demo: Database, chat_as, clock: FakeClock
) -> None:
    member, secretary = chat_as("DV003"), chat_as("DV001")
    schedule_via_chat(secretary)
    meeting = the_meeting(demo)
    assert meeting.id is not None
    move_to(demo, meeting.id, meeting.starts_at + timedelta(days=1), clock)
    clock.advance(minutes=10)
    move_to(demo, meeting.id, meeting.starts_at + timedelta(days=2), clock)

    shown = take(demo, member, clock)
    kinds = [row.kind for row in member_rows(demo, member) if row.status == "sent"]
    assert kinds == [DeliveryKind.MEETING_INVITE, DeliveryKind.MEETING_MOVED]
    assert len(shown) == 2
    dropped = [r for r in member_rows(demo, member) if r.status == DeliveryStatus.EXPIRED]
    assert [r.kind for r in dropped] == [DeliveryKind.MEETING_MOVED]
    assert dropped[0].error and "moved again" in dropped[0].error


def test_a_cancelled_meeting_leaves_only_the_cancellation(
    demo: Database, chat_as, clock: FakeClock
) -> None:
    member, secretary = chat_as("DV003"), chat_as("DV001")
    schedule_via_chat(secretary)
    meeting_id = the_meeting(demo).id
    as_secretary(
        demo,
        lambda s, actor, now: cancel_meeting(s, actor, meeting_id, reason="Trùng lịch", now=now),
        clock,
    )
    shown = take(demo, member, clock)
    assert len(shown) == 1 and "options" not in shown[0]
    by_kind = {r.kind: r.status for r in member_rows(demo, member)}
    assert by_kind == {
        DeliveryKind.MEETING_INVITE: DeliveryStatus.EXPIRED,
        DeliveryKind.MEETING_CANCELLED: DeliveryStatus.SENT,
    }


def test_after_the_start_the_invitation_is_not_shown_nor_asked_again(
    demo: Database, chat_as, clock: FakeClock
) -> None:
    member, other, secretary = chat_as("DV003"), chat_as("DV004"), chat_as("DV001")
    schedule_via_chat(secretary)
    starts = the_meeting(demo).starts_at
    take(demo, other, clock)  # DV004 saw the invitation in time, DV003 did not
    directive = send_directive(secretary, FIRST)
    take(demo, other, clock)

    clock.advance(seconds=(starts + timedelta(minutes=5) - clock()).total_seconds())  # begun
    assert all(FIRST in p["text"] for p in take(demo, member, clock))  # only the directive
    invite = next(r for r in member_rows(demo, member) if r.kind == DeliveryKind.MEETING_INVITE)
    assert invite.status == DeliveryStatus.EXPIRED and invite.sent_at is None

    other.send("1")  # acknowledges the directive; the invitation is past: not asked again
    assert other.text == directive_texts.DIR_ACKED
    assert directive


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


async def test_the_zalo_worker_drops_a_stale_row_and_sends_the_rest(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock
) -> None:
    app = App(zalo_settings(fake), demo, core)
    (stale, fresh) = link_members(demo, ["zl-stale", "zl-fresh"], channel="zalo", now=clock())
    now = clock()
    with demo.session() as session:
        for linked, until, text in (
            (stale, now - timedelta(minutes=1), "Mời họp đã qua"),
            (fresh, now + timedelta(hours=1), "Mời họp sắp tới"),
        ):
            outbox.enqueue(
                session,
                kind=DeliveryKind.MEETING_REMINDER,
                ref_id=None,
                member_ids=[linked.member_id],
                payload=outbox.message(text, options=[(ANSWER(1, "yes"), "Sẽ dự")], until=until),
                dedupe_key=f"stale-test:{text}",
                now=now,
            )
    stats = await drain_as_run(app, "zalo", clock)
    assert stats.sent == 1
    assert fake.sent("zl-stale") == [] and "Mời họp sắp tới" in fake.sent("zl-fresh")[0]
    with demo.session() as session:
        statuses = {r.chat_id: r.status for r in session.exec(select(Delivery))}
    assert statuses == {"zl-stale": DeliveryStatus.EXPIRED, "zl-fresh": DeliveryStatus.SENT}


def test_a_payload_without_a_valid_until_is_never_stale(clock: FakeClock) -> None:
    now = clock()
    assert not outbox.is_stale({"text": "x"}, now)
    assert not outbox.is_stale({"text": "x", "until": "not a date"}, now)
    assert outbox.is_stale(outbox.message("x", until=now), now)
