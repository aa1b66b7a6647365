"""A cell month's two Zalo answers, end to end over HTTP: acknowledging a directive and answering
a meeting invitation ("Sẽ dự" / "Xin vắng" with a reason), by typed digit or by the option's
words without diacritics.

Why: Zalo has no buttons. The delivery worker sends the message as a numbered list and makes
its options the chat's current choices; only then can a member's "1" mean "Đã nhận". That chain
(core → outbox → real `DeliveryWorker` with the Zalo transport → fake Bot API → member's digit →
core → database) is exercised here in both ways Zalo reaches the bot: polling (the real
`poll_forever` loop and `ZaloClient`) and the webhook route (through `httpx.ASGITransport`).
Refusals are covered too: a wrong digit, a member who was not sent the message, `/huy`.

Runs on SQLite and PostgreSQL × polling and webhook. The worker sleeps in virtual time on the
test's clock (`VirtualTime`), so Zalo's pacing costs no wall-clock time.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from bot.app import App
from bot.delivery.engine import WorkerStats
from bot.retry import RetryPolicy
from bot.zalo.adapter import build_sender
from bot.zalo.client import ZaloClient
from bot.zalo.runner import poll_forever
from bot.zalo.webhook import PATH, SECRET_HEADER, ZaloWebhook
from handlers.core import Core
from handlers.meetings import REASONS
from models import (
    Attendance,
    AttendanceAnswer,
    Database,
    Delivery,
    DeliveryKind,
    DirectiveRecipient,
    Meeting,
)
from services import texts
from services.directives import texts as directive_texts
from services.meetings import texts as meeting_texts
from services.meetings.planning import meeting_when
from services.vndate import format_vn_datetime
from tests.directives.test_flow_directives import compose
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo, text_update
from tests.meetings.test_flow_meetings import member_id, schedule_via_chat
from tests.support import ChatDriver, FakeClock
from tests.test_delivery_support import drain_as_run
from tests.test_zalo_polling import digit_of, invite, zalo_settings

SECRET = "zalo-month-webhook-secret_0123456789"
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
DIRECTIVE = "Đề nghị các đồng chí nghiên cứu Chỉ thị 50-CT/TW trước buổi sinh hoạt."
ChatAs = Callable[..., ChatDriver]  # the `chat_as` fixture: a terminal chat as a member
CUONG, DUNG, EM, LAN = "zl-cuong", "zl-dung", "zl-em", "zl-lan"  # DV003, DV004, DV005, DV010


@dataclass
class Bot:
    """The bot as Zalo members reach it, by polling or by webhook: the same `say` for both."""

    fake: FakeZalo
    app: App
    webhook: ZaloWebhook | None = None
    http: httpx.AsyncClient | None = None

    @property
    def db(self) -> Database:
        return self.app.db

    async def say(self, user_id: str, text: str) -> str:
        """One text from `user_id`; the bot's replies to it, joined, once it was handled."""
        before = len(self.fake.sent(user_id))
        update = text_update(user_id, text)
        if self.webhook is None:
            self.fake.push(update)
            await self.fake.settled(update["message"]["message_id"])
        else:
            assert self.http is not None
            headers = {SECRET_HEADER: SECRET}
            response = await self.http.post(PATH, json=update, headers=headers)
            assert response.status_code == 200
            await self.webhook.drain(5)
        return "\n---\n".join(self.fake.sent(user_id)[before:])

    async def link(self, user_id: str, code: str, clock: FakeClock) -> None:
        """The member onboards by sending the invite code alone."""
        welcome = await self.say(user_id, invite(self.db, clock, code))
        assert welcome.startswith(texts.WELCOME_LINKED.split("{")[0]), welcome

    async def deliver(self, clock: FakeClock) -> WorkerStats:
        """The real Zalo worker, built as `sotay run` builds it, sends every pending row."""
        stats = await drain_as_run(self.app, "zalo", clock)
        assert stats.failed_final == stats.rejected == stats.blocked == 0
        return stats


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo(empty_wait=0.2) as server:
        yield server


@pytest.fixture(params=["polling", "webhook"])
async def bot(
    request: pytest.FixtureRequest, demo: Database, core: Core, fake: FakeZalo
) -> AsyncIterator[Bot]:
    app = App(settings=zalo_settings(fake, zalo_webhook_secret=SECRET), db=demo, core=core)
    async with ZaloClient(TOKEN, fake.url, policy=FAST, poll_interval=0.0) as client:
        if request.param == "polling":
            stop = asyncio.Event()
            task = asyncio.create_task(poll_forever(app, client, stop))
            yield Bot(fake, app)
            stop.set()
            await asyncio.wait_for(task, 5)
        else:
            webhook = ZaloWebhook(app, build_sender(app, client))
            transport = httpx.ASGITransport(app=Starlette(routes=[webhook.route]))
            async with httpx.AsyncClient(transport=transport, base_url="http://sotay.test") as http:
                yield Bot(fake, app, webhook, http)
                await webhook.drain(5)


# -- reading the database -------------------------------------------------------------------------


def acknowledged(db: Database, code: str) -> dict[int, datetime | None]:
    """Directive id → when `code` acknowledged it (None: not yet), for each copy they got."""
    with db.session() as session:
        copies = session.exec(
            select(DirectiveRecipient).where(DirectiveRecipient.member_id == member_id(db, code))
        ).all()
        return {c.directive_id: c.acknowledged_at for c in copies}


def meeting_of(db: Database) -> Meeting:
    with db.session() as session:
        return session.exec(select(Meeting)).one()


def answer_of(db: Database, code: str) -> tuple[str | None, str | None]:
    """`code`'s answer to the meeting's invitation and its reason; (None, None) if none."""
    with db.session() as session:
        row = session.exec(
            select(Attendance).where(Attendance.member_id == member_id(db, code))
        ).first()
        return (row.answer, row.answer_reason) if row else (None, None)


def sent_rows(db: Database, kind: str) -> list[Delivery]:
    with db.session() as session:
        query = select(Delivery).where(Delivery.kind == kind).order_by(col(Delivery.id))
        return list(session.exec(query))


def when_of(meeting: Meeting, core: Core) -> str:
    return format_vn_datetime(meeting.starts_at, core.config.tz)


def options_tail(*labels: str) -> str:
    """How Zalo shows options: numbered lines and the hint, below the text."""
    lines = [f"{n}. {label}" for n, label in enumerate(labels, start=1)]
    return "\n".join([*lines, texts.OPTION_HINT])


# -- directives -----------------------------------------------------------------------------------
async def test_directive_written_on_zalo_is_acknowledged_with_a_digit(
    bot: Bot, clock: FakeClock
) -> None:
    for user, code in (("zl-an", "DV001"), (CUONG, "DV003"), (DUNG, "DV004")):
        await bot.link(user, code, clock)
    assert directive_texts.FLOW_DIR_ASK_TEXT.split("{")[0] in await bot.say("zl-an", "/chidao")
    audience = await bot.say("zl-an", DIRECTIVE)
    preview = await bot.say("zl-an", digit_of(audience, directive_texts.DIR_AUDIENCE_LABELS["all"]))
    receipt = await bot.say("zl-an", digit_of(preview, directive_texts.FLOW_SEND))
    assert "7 đảng viên" in receipt and digit_of(receipt, directive_texts.FLOW_DIR_STATS_BUTTON)
    as_members_see = preview.split("\n---\n")[1]  # the preview's second message

    stats = await bot.deliver(clock)
    assert stats.sent == stats.options_offered == 2  # the two members linked on Zalo
    notice = bot.fake.sent(CUONG)[-1]
    assert notice == f"{as_members_see}\n\n{options_tail(texts.DIR_ACK_LABEL)}"
    assert bot.fake.sent(DUNG)[-1] == notice and DIRECTIVE in notice

    digit = digit_of(notice, texts.DIR_ACK_LABEL)
    assert await bot.say(CUONG, digit) == directive_texts.DIR_ACKED
    first = clock()
    assert list(acknowledged(bot.db, "DV003").values()) == [first]
    assert list(acknowledged(bot.db, "DV004").values()) == [None]  # DV004 has not answered
    # The same digit again: nothing is asked any more; still acknowledged, at the first time.
    clock.advance(minutes=5)
    assert await bot.say(CUONG, digit) == texts.NOTHING_TO_ANSWER
    assert list(acknowledged(bot.db, "DV003").values()) == [first]
    # The secretary's receipt offered the follow-up as a digit too.
    status = await bot.say("zl-an", digit_of(receipt, directive_texts.FLOW_DIR_STATS_BUTTON))
    assert directive_texts.DIR_STATS.splitlines()[-1].format(acknowledged=1) in status, status
    rows = sent_rows(bot.db, DeliveryKind.DIRECTIVE)
    assert {(r.chat_id, r.status) for r in rows} == {(CUONG, "sent"), (DUNG, "sent")}
    assert all(r.platform_message_id for r in rows)


async def test_directive_refusals_then_the_words_acknowledge(
    bot: Bot, chat_as: ChatAs, clock: FakeClock
) -> None:
    for user, code in ((CUONG, "DV003"), (EM, "DV005"), (LAN, "DV010")):
        await bot.link(user, code, clock)
    secretary = chat_as("DV001")  # the secretary works from the terminal
    compose(secretary, DIRECTIVE, directive_texts.DIR_AUDIENCE_LABELS["official"])
    secretary.press(directive_texts.FLOW_SEND)
    assert (await bot.deliver(clock)).sent == 1  # DV005 is probationary: not sent to
    assert DIRECTIVE in bot.fake.sent(CUONG)[-1]
    assert not any(DIRECTIVE in text for text in bot.fake.sent(EM))

    # A digit that is not on the list gets the short re-prompt and records nothing.
    offered = len(re.findall(r"^\d+\. ", bot.fake.sent(CUONG)[-1], re.M))
    expected = (
        texts.CHOOSE_OFFERED_NUMBER.format(count=offered) if offered > 1 else texts.CHOOSE_ONE
    )  # one option is not "from 1 to 1"
    assert await bot.say(CUONG, "9") == expected
    assert list(acknowledged(bot.db, "DV003").values()) == [None]

    # Members who were not sent the directive, and a stranger, change nothing.
    for user in (EM, LAN):
        for text in ("1", "da nhan"):
            assert await bot.say(user, text) == texts.NOTHING_TO_ANSWER
    assert await bot.say("zl-stranger", "1") == texts.NOT_LINKED
    assert acknowledged(bot.db, "DV005") == acknowledged(bot.db, "DV010") == {}
    assert list(acknowledged(bot.db, "DV003").values()) == [None]

    # The option's words, without diacritics, acknowledge as the digit would.
    assert await bot.say(CUONG, "da nhan") == directive_texts.DIR_ACKED
    assert None not in acknowledged(bot.db, "DV003").values()


async def test_an_invitation_and_a_directive_arriving_together_are_answered_in_turn(
    bot: Bot, chat_as: ChatAs, clock: FakeClock
) -> None:
    """Zalo has one numbered list per chat: "1" answers the message shown last (the
    directive), then the invitation is offered again and its digits answer it."""
    await bot.link(CUONG, "DV003", clock)
    secretary = chat_as("DV001")
    schedule_via_chat(secretary, "19/12 14:00")
    compose(secretary, DIRECTIVE)
    secretary.press(directive_texts.FLOW_SEND)
    stats = await bot.deliver(clock)
    assert stats.sent == 2 and DIRECTIVE in bot.fake.sent(CUONG)[-1]

    again = await bot.say(CUONG, digit_of(bot.fake.sent(CUONG)[-1], texts.DIR_ACK_LABEL))
    assert again.startswith(directive_texts.DIR_ACKED) and "19/12/2026" in again
    assert None not in acknowledged(bot.db, "DV003").values()
    assert answer_of(bot.db, "DV003") == (None, None)  # the digit ticked nothing else
    assert await bot.say(CUONG, digit_of(again, meeting_texts.MTG_ANSWER_YES))
    assert answer_of(bot.db, "DV003")[0] == "se_du"


# -- meeting invitations --------------------------------------------------------------------------
async def _invited(bot: Bot, chat_as: ChatAs, clock: FakeClock, *users: tuple[str, str]) -> Meeting:
    """Members link on Zalo, the secretary schedules from the terminal, the worker delivers."""
    for user, code in users:
        await bot.link(user, code, clock)
    schedule_via_chat(chat_as("DV001"), "19/12 14:00")
    stats = await bot.deliver(clock)
    assert stats.sent == stats.options_offered == len(users)
    meeting = meeting_of(bot.db)
    answers = options_tail(meeting_texts.MTG_ANSWER_YES, meeting_texts.MTG_ANSWER_NO)
    for user, _code in users:
        invitation = bot.fake.sent(user)[-1]
        assert invitation.endswith(answers) and "19/12/2026" in invitation
    return meeting


# What a member types instead of a digit: the option's words, no diacritics, any case.
WORDS = {
    meeting_texts.MTG_ANSWER_YES: "se du",
    meeting_texts.MTG_ANSWER_NO: "XIN VANG",
    meeting_texts.FLOW_REASON_ILL: "om, dang dieu tri",
}


def pick(menu: str, label: str, style: str) -> str:
    """The answer to `label` in a numbered list: its printed digit, or its words."""
    digit = digit_of(menu, label)  # offered either way
    return digit if style == "digits" else WORDS[label]


@pytest.mark.parametrize("style", ["digits", "words"])
async def test_invitation_answered_yes_and_no_with_a_reason(
    bot: Bot, chat_as: ChatAs, core: Core, clock: FakeClock, style: str
) -> None:
    meeting = await _invited(bot, chat_as, clock, (CUONG, "DV003"), (DUNG, "DV004"))
    when = when_of(meeting, core)

    yes = pick(bot.fake.sent(CUONG)[-1], meeting_texts.MTG_ANSWER_YES, style)
    assert await bot.say(CUONG, yes) == meeting_texts.ATT_ANSWERED_YES.format(when=when)
    assert answer_of(bot.db, "DV003") == (AttendanceAnswer.WILL_ATTEND, None)

    no = pick(bot.fake.sent(DUNG)[-1], meeting_texts.MTG_ANSWER_NO, style)
    reasons = await bot.say(DUNG, no)
    span = meeting_when(meeting, core.config.tz)
    assert reasons.startswith(meeting_texts.FLOW_MTG_ASK_REASON.format(when=span))
    assert answer_of(bot.db, "DV004") == (None, None)  # nothing until the reason is given
    said = await bot.say(DUNG, pick(reasons, meeting_texts.FLOW_REASON_ILL, style))
    assert said == meeting_texts.ATT_ANSWERED_NO.format(
        when=when, reason=meeting_texts.FLOW_REASON_ILL
    )
    assert answer_of(bot.db, "DV004") == (
        AttendanceAnswer.ABSENT_REQUEST,
        meeting_texts.FLOW_REASON_ILL,
    )
    assert answer_of(bot.db, "DV003") == (AttendanceAnswer.WILL_ATTEND, None)


async def test_invitation_typed_reason_after_the_other_reason_option(
    bot: Bot, chat_as: ChatAs, core: Core, clock: FakeClock
) -> None:
    meeting = await _invited(bot, chat_as, clock, (CUONG, "DV003"))
    reasons = await bot.say(CUONG, "2")
    asked = await bot.say(CUONG, digit_of(reasons, meeting_texts.FLOW_REASON_OTHER))
    assert asked == meeting_texts.FLOW_MTG_ASK_REASON_TEXT
    reason = "Đi khám bệnh định kỳ"
    said = await bot.say(CUONG, reason)
    assert said == meeting_texts.ATT_ANSWERED_NO.format(when=when_of(meeting, core), reason=reason)
    assert answer_of(bot.db, "DV003") == (AttendanceAnswer.ABSENT_REQUEST, reason)


async def test_invitation_refusals_record_nothing(
    bot: Bot, chat_as: ChatAs, core: Core, clock: FakeClock
) -> None:
    await _invited(bot, chat_as, clock, (CUONG, "DV003"))
    await bot.link(LAN, "DV010", clock)  # another cell's member: not invited

    # A wrong digit gets the short re-prompt; nothing is recorded.
    invitation = next(t for t in reversed(bot.fake.sent(CUONG)) if meeting_texts.MTG_ANSWER_NO in t)
    offered = len(re.findall(r"^\d+\. ", invitation.rsplit("\n\n", 1)[-1], re.M))
    assert await bot.say(CUONG, "9") == texts.CHOOSE_OFFERED_NUMBER.format(count=offered)
    for text, said in (("1", texts.NOTHING_TO_ANSWER), ("se du", texts.UNKNOWN_INPUT)):
        assert await bot.say(LAN, text) == said
    assert answer_of(bot.db, "DV003") == answer_of(bot.db, "DV010") == (None, None)

    # At the reason step a wrong digit is asked again, and /huy leaves without recording.
    reasons = await bot.say(CUONG, "2")
    offered = len(re.findall(r"^\d+\. ", reasons, re.M))
    assert offered == len(REASONS) + 1  # the usual reasons and "Lý do khác…"
    assert await bot.say(CUONG, "9") == texts.CHOOSE_NUMBER.format(count=offered)
    assert await bot.say(CUONG, "/huy") == texts.CANCELLED
    assert answer_of(bot.db, "DV003") == (None, None)
    # The flow is gone, and with it the invitation's digits: "1" answers nothing now.
    assert await bot.say(CUONG, "1") == texts.NOTHING_TO_ANSWER
    assert answer_of(bot.db, "DV003") == (None, None)

    # /lichhop offers the answers again; /huy where the reason is typed is not a reason.
    again = await bot.say(CUONG, "/lichhop")
    assert texts.MY_NOT_ANSWERED in again
    reasons = await bot.say(CUONG, digit_of(again, meeting_texts.MTG_ANSWER_NO))
    asked = await bot.say(CUONG, digit_of(reasons, meeting_texts.FLOW_REASON_OTHER))
    assert asked == meeting_texts.FLOW_MTG_ASK_REASON_TEXT
    assert await bot.say(CUONG, "/huy") == texts.CANCELLED
    assert answer_of(bot.db, "DV003") == (None, None)


# Labels ending in "…" or starting with an emoji are chosen by their words too.
async def test_the_other_reason_chosen_by_its_words(
    bot: Bot, chat_as: ChatAs, clock: FakeClock
) -> None:
    await _invited(bot, chat_as, clock, (CUONG, "DV003"))
    assert digit_of(await bot.say(CUONG, "xin vang"), meeting_texts.FLOW_REASON_OTHER)
    assert await bot.say(CUONG, "ly do khac") == meeting_texts.FLOW_MTG_ASK_REASON_TEXT
