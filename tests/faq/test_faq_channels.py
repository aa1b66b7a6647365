"""`/hoidap` end to end on each channel: Telegram and Zalo through their real clients against
the fake Bot API servers on 127.0.0.1, over the app's core and a real database (SQLite and
PostgreSQL, the `demo` fixture).

Why: issue 15 is done when a member on each channel gets a cited answer to a procedural
question typed without diacritics, and has a question nothing answers relayed to the
secretary and answered back. DV003 (Lê Văn Cường) asks "chuyen sinh hoat dang" and reads the
best answers with their sources; then asks something the FAQ does not cover and sends it to
the secretary; the real delivery worker brings it to DV001 with "Trả lời" (a button on
Telegram, a digit on Zalo); DV001 answers; the worker brings the answer back to DV003. On
Telegram, a forged `faq_ans` button for DV003's question, pressed by another cell's secretary
and by DV003 himself, changes nothing. Time is the test's clock; the workers sleep in
virtual time on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import col, select

from bot.app import App
from handlers.core import Core
from handlers.faq import entry_text, found_text
from models import ConversationState, Database, Delivery, FaqEntry, FaqQuestion
from services import texts
from services.faq import texts as faq_texts
from services.faq.catalog import Entry, best
from services.faq.rules import ANSWER
from services.textnorm import shorten_text
from tests.channels import zalo_polling
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo
from tests.fees.test_fees_channels import ZaloBot
from tests.support import FakeClock
from tests.test_month_telegram import _drain, _press, _send, _settle, _with_button
from tests.test_telegram_e2e import FAST, Harness, _answers, _buttons, _polling
from tests.test_zalo_polling import digit_of, invite, zalo_settings

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

PROCEDURE = "chuyen sinh hoat dang"  # typed without diacritics, as on an old phone
OWN_QUESTION = "Đảng viên đi nước ngoài có phải báo cáo chi bộ không?"
REPLY = "Có. Đồng chí báo cáo chi bộ trước khi đi và khi về, theo quy định của cấp ủy."
ASKER = "Lê Văn Cường"
SECRETARY_NAME = "Nguyễn Văn An"


def cited_answers() -> list[str]:
    """The answers `/hoidap chuyen sinh hoat dang` must show, each with its source."""
    entries = [m.entry for m in best(PROCEDURE)]
    assert entries and "chuyển sinh hoạt đảng" in entries[0].question.lower()
    return [entry_text(e) for e in entries]


def cited_entries() -> list[Entry]:
    return [m.entry for m in best(PROCEDURE)]


def read_buttons() -> list[str]:
    """The runners-up's buttons under the answer."""
    return [
        faq_texts.BTN_READ.format(question=shorten_text(e.question, 60))
        for e in cited_entries()[1:]
    ]


def questions(db: Database) -> list[tuple[int, str, str | None]]:
    """Every relayed question: (id, status, answer)."""
    with db.session() as session:
        rows = session.exec(select(FaqQuestion).order_by(col(FaqQuestion.id))).all()
        return [(q.id or 0, q.status, q.answer) for q in rows]


def faq_rows(db: Database) -> list[tuple[str, str, str]]:
    """The FAQ's messages in the outbox: (kind, chat, status)."""
    with db.session() as session:
        rows = session.exec(
            select(Delivery).where(col(Delivery.kind).startswith("faq_")).order_by(col(Delivery.id))
        ).all()
        return [(r.kind, r.chat_id, r.status) for r in rows]


def open_flows(db: Database) -> list[tuple[str, str | None]]:
    with db.session() as session:
        rows = session.exec(select(ConversationState)).all()
        return [(s.chat_id, s.flow) for s in rows if s.flow is not None]


def to_leader() -> str:
    return faq_texts.TO_LEADER.format(name=ASKER, question=OWN_QUESTION)


def to_member() -> str:
    return faq_texts.TO_MEMBER.format(question=OWN_QUESTION, answer=REPLY, name=SECRETARY_NAME)


# -- Telegram -----------------------------------------------------------------------------------
SECRETARY_TG, MEMBER_TG, OTHER_SECRETARY_TG = 6201, 6203, 6209


@pytest.fixture
async def telegram(
    fake_telegram: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Harness]:
    async for harness in _polling(fake_telegram, demo, core, clock, FAST):
        yield harness


async def test_on_telegram_a_cited_answer_then_a_question_relayed_and_answered(
    telegram: Harness, clock: FakeClock
) -> None:
    fake, db = telegram.fake, telegram.db
    secretary = fake.user(SECRETARY_TG, "An", "Nguyễn")
    member = fake.user(MEMBER_TG, "Cường", "Lê")
    other = fake.user(OTHER_SECRETARY_TG, "Khánh", "Đỗ")
    await telegram.link(secretary, "DV001")
    await telegram.link(member, "DV003")
    elsewhere = await telegram.link(other, "DV009")  # the schools' cell's secretary

    # A procedural question without diacritics: the best answers, each with its source.
    before = len(fake.bot_messages(MEMBER_TG))
    menu = await _send(fake, member, f"/hoidap {PROCEDURE}", expect=faq_texts.AFTER_ANSWER)
    # One message, not five: the chat gets one message a second.
    (shown,) = fake.texts(MEMBER_TG)[before:]
    assert shown == found_text(cited_entries())
    assert shown.startswith(f"{faq_texts.FOUND}\n\n{cited_answers()[0]}")
    assert shown.count("\nNguồn: ") == 3
    assert [b["text"] for b in _buttons(menu)] == [
        *read_buttons(),
        faq_texts.BTN_ASK,
        faq_texts.BTN_TOPICS,
        faq_texts.BTN_DONE,
    ]
    # A runner-up's button shows it whole, in one message with the question after.
    whole = await _press(fake, member, read_buttons()[0], expect=faq_texts.AFTER_ANSWER)
    assert whole["text"] == f"{cited_answers()[1]}\n\n{faq_texts.AFTER_ANSWER}"
    assert len(fake.texts(MEMBER_TG)) == before + 2

    # Nothing fits the next question: it goes to the secretary as typed.
    none = await _send(fake, member, OWN_QUESTION, expect=faq_texts.NOT_FOUND)
    assert _buttons(none)[0]["text"] == faq_texts.BTN_SEND_THIS
    sent = await _press(fake, member, faq_texts.BTN_SEND_THIS, expect=faq_texts.QUESTION_SENT)
    assert sent["text"] == faq_texts.QUESTION_SENT
    ((question_id, status, answer),) = questions(db)
    assert (status, answer) == ("open", None)

    # Forged "Trả lời" buttons for DV003's question: from another cell's secretary and from
    # the asker himself. Refused in words, no flow opened, nothing sent, nothing written.
    sends_before = len(fake.calls_to("sendMessage"))
    for user, message in ((other, elsewhere), (member, sent)):
        chat = user["id"]
        count = len(fake.bot_messages(chat))
        forged = fake.press(user, message, ANSWER(question_id))
        said = await _settle(fake, chat, count)
        assert said["text"] == faq_texts.NOT_YOUR_CELL
        assert len(fake.bot_messages(chat)) == count + 1
        answers = await fake.wait_for(lambda u=forged: _answers(fake, u), what="an answer")
        assert len(answers) == 1  # the spinner stops
    assert len(fake.calls_to("sendMessage")) == sends_before + 2  # the two refusals only
    assert open_flows(db) == []
    assert questions(db) == [(question_id, "open", None)]

    # The worker brings the question to the cell's secretary.
    await _drain(telegram, clock)
    notice, button = _with_button(fake, SECRETARY_TG, faq_texts.BTN_ANSWER)
    assert notice["text"] == to_leader()
    assert button["callback_data"].endswith(ANSWER(question_id))
    asked = await _press(fake, secretary, faq_texts.BTN_ANSWER, expect=OWN_QUESTION)
    assert asked["text"] == faq_texts.ASK_REPLY.format(name=ASKER, question=OWN_QUESTION)
    publish = await _send(fake, secretary, REPLY, expect=faq_texts.ASK_PUBLISH)
    assert faq_texts.REPLY_SENT.format(name=ASKER) in fake.texts(SECRETARY_TG)
    assert [b["text"] for b in _buttons(publish)] == [
        faq_texts.BTN_PUBLISH_CELL,
        faq_texts.BTN_NO_PUBLISH,
    ]
    done = await _press(fake, secretary, faq_texts.BTN_PUBLISH_CELL, expect="Đã đăng")
    assert done["text"].startswith(faq_texts.PUBLISHED.split("{")[0])
    assert questions(db) == [(question_id, "answered", REPLY)]
    with db.session() as session:
        (entry,) = session.exec(select(FaqEntry)).all()
        assert (entry.key, entry.answer) == (f"hd-{question_id}", REPLY)

    # The worker brings the answer back to the member.
    await _drain(telegram, clock)
    back = await fake.wait_for_message(MEMBER_TG, REPLY)
    assert back["text"] == to_member()
    assert faq_rows(db) == [
        ("faq_question", str(SECRETARY_TG), "sent"),
        ("faq_answer", str(MEMBER_TG), "sent"),
    ]


# -- Zalo ---------------------------------------------------------------------------------------
SECRETARY_ZL, MEMBER_ZL = "zl-faq-an", "zl-faq-cuong"


@pytest.fixture
async def zalo(fake_zalo: FakeZalo, demo: Database, core: Core) -> AsyncIterator[ZaloBot]:
    app = App(settings=zalo_settings(fake_zalo), db=demo, core=core)
    async with zalo_polling(fake_zalo, app):
        yield ZaloBot(fake_zalo, app)


def numbered(*labels: str) -> str:
    """Options as Zalo shows them: a numbered list, then how to answer."""
    lines = [f"{n}. {label}" for n, label in enumerate(labels, 1)]
    return "\n".join([*lines, texts.OPTION_HINT])


async def test_on_zalo_a_cited_answer_then_a_question_relayed_and_answered_by_digits(
    zalo: ZaloBot, clock: FakeClock
) -> None:
    fake, db = zalo.fake, zalo.app.db
    for user, code in ((SECRETARY_ZL, "DV001"), (MEMBER_ZL, "DV003")):
        welcome = await zalo.say(user, invite(db, clock, code))
        assert welcome.startswith(texts.WELCOME_LINKED.split("{")[0]), welcome

    said = (await zalo.say(MEMBER_ZL, f"/hoidap {PROCEDURE}")).split("\n---\n")
    # One message under Zalo's 2,000 characters: the answer, the others in brief, the menu.
    assert said == [
        f"{found_text(cited_entries())}\n\n"
        + numbered(*read_buttons(), faq_texts.BTN_ASK, faq_texts.BTN_TOPICS, faq_texts.BTN_DONE)
    ]
    assert len(said[0]) < 2000
    whole = await zalo.say(MEMBER_ZL, "2")  # the third answer, whole
    assert whole.startswith(f"{cited_answers()[2]}\n\n{faq_texts.AFTER_ANSWER}"), whole

    none = await zalo.say(MEMBER_ZL, OWN_QUESTION)
    assert none.startswith(faq_texts.NOT_FOUND), none
    sent = await zalo.say(MEMBER_ZL, digit_of(none, faq_texts.BTN_SEND_THIS))
    assert sent == faq_texts.QUESTION_SENT
    ((question_id, status, _answer),) = questions(db)
    assert status == "open"
    assert await zalo.say(MEMBER_ZL, "1") == texts.NOTHING_TO_ANSWER  # the asker has no "Trả lời"

    await zalo.deliver(clock)
    notice = fake.sent(SECRETARY_ZL)[-1]
    assert notice == f"{to_leader()}\n\n" + numbered(faq_texts.BTN_ANSWER)
    asked = await zalo.say(SECRETARY_ZL, digit_of(notice, faq_texts.BTN_ANSWER))
    assert asked == faq_texts.ASK_REPLY.format(name=ASKER, question=OWN_QUESTION)
    replied = await zalo.say(SECRETARY_ZL, REPLY)
    assert replied.startswith(faq_texts.REPLY_SENT.format(name=ASKER)), replied
    assert replied.endswith(numbered(faq_texts.BTN_PUBLISH_CELL, faq_texts.BTN_NO_PUBLISH))
    kept = await zalo.say(SECRETARY_ZL, digit_of(replied, faq_texts.BTN_NO_PUBLISH))
    assert kept == faq_texts.NOT_PUBLISHED
    assert questions(db) == [(question_id, "answered", REPLY)]
    assert await zalo.say(SECRETARY_ZL, "1") == texts.NOTHING_TO_ANSWER  # answered once only

    await zalo.deliver(clock)
    assert fake.sent(MEMBER_ZL)[-1] == to_member()
    with db.session() as session:
        assert session.exec(select(FaqEntry)).first() is None  # not published
    assert faq_rows(db) == [
        ("faq_question", SECRETARY_ZL, "sent"),
        ("faq_answer", MEMBER_ZL, "sent"),
    ]
