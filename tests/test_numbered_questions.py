"""On channels without buttons, a typed number answers exactly the question shown last.

Why: on Zalo and in the terminal a member answers "1", and the product used to keep only one
set of numbered options per chat. Two directives arriving together were answered "1", "1" and
only the newer one was acknowledged (twice); a directive arriving with an invitation could not
be acknowledged by digit at all; and a directive arriving while a secretary ticked names in
"Đảng viên được chọn" showed "1. Đã nhận" last while "1" ticked a name. Now the newest message
is the one numbers answer, and whatever it displaced (an earlier question, an open task) is
offered again, in order, once it is answered. Messages reach the terminal member as they do in
`sotay chat` (`take_for_chat`), through the real core, on SQLite and PostgreSQL; the Zalo and
Telegram ends are in tests/test_zalo_month.py and at the bottom of this file.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from bot.channels import numbered
from models import ConversationState, Database, Directive
from services import outbox, questions, texts
from services.directives import texts as directive_texts
from services.meetings import texts as meeting_texts
from tests.directives.test_flow_directives import acknowledged_codes, compose
from tests.meetings.test_flow_meetings import schedule_via_chat
from tests.support import ChatDriver, FakeClock, state_of
from tests.test_zalo_month import answer_of

FIRST = "Chỉ đạo thứ nhất: nghiên cứu Chỉ thị 50-CT/TW."
SECOND = "Chỉ đạo thứ hai: nộp bản kiểm điểm trước ngày 20."


def take(db: Database, chat: ChatDriver, clock: FakeClock) -> list[dict[str, Any]]:
    """What the terminal shows the member at their next prompt (and so offers them)."""
    with db.session() as session:
        return outbox.take_for_chat(
            session, chat.channel, chat.user_id, now=clock(), numbered=numbered(chat.channel)
        )


def send_directive(secretary: ChatDriver, text: str) -> int:
    """The secretary sends `text` to the whole cell; the new directive's id."""
    compose(secretary, text)
    secretary.press(directive_texts.FLOW_SEND)
    with secretary.core.db.session() as session:
        newest = session.exec(select(Directive).order_by(col(Directive.id).desc())).first()
        assert newest is not None and newest.id is not None
        return newest.id


def test_two_directives_one_by_one_newest_first(demo: Database, chat_as, clock) -> None:
    member, secretary = chat_as("DV003"), chat_as("DV001")
    first, second = send_directive(secretary, FIRST), send_directive(secretary, SECOND)
    shown = take(demo, member, clock)
    assert [p["text"].count(FIRST) + p["text"].count(SECOND) for p in shown] == [1, 1]

    member.send("1")  # the one shown last: the second
    assert acknowledged_codes(demo, second) == {"DV003"}
    assert acknowledged_codes(demo, first) == set()
    assert directive_texts.DIR_ACKED in member.text
    waiting = texts.WAITING_QUESTION.split("{")[0]
    assert waiting in member.text and FIRST in member.text  # the first is asked again
    assert [o.label for o in member.options()] == [texts.DIR_ACK_LABEL]

    member.send("1")
    assert acknowledged_codes(demo, first) == {"DV003"}
    assert member.text == directive_texts.DIR_ACKED  # nothing else waits
    member.send("1")
    assert member.text == texts.NOTHING_TO_ANSWER


def test_an_invitation_and_a_directive_together(demo: Database, chat_as, clock) -> None:
    member, secretary = chat_as("DV003"), chat_as("DV001")
    schedule_via_chat(secretary)
    directive = send_directive(secretary, FIRST)
    take(demo, member, clock)  # the invitation, then the directive

    member.send("ok")  # plain words acknowledge the directive, shown last
    assert acknowledged_codes(demo, directive) == {"DV003"}
    assert answer_of(demo, "DV003") == (None, None)
    labels = [o.label for o in member.options()]
    assert meeting_texts.MTG_ANSWER_YES in labels and meeting_texts.MTG_ANSWER_NO in labels
    assert texts.WAITING_QUESTION.split("{")[0] in member.text

    member.send(str(labels.index(meeting_texts.MTG_ANSWER_YES) + 1))  # now the invitation's digit
    assert answer_of(demo, "DV003")[0] == "se_du"


def test_a_message_during_a_pick_is_answered_first_then_the_pick_returns(
    demo: Database, chat_as, clock
) -> None:
    deputy, secretary = chat_as("DV002"), chat_as("DV001")
    deputy.send("/chidao")
    deputy.send("Đề nghị các đồng chí được chọn chuẩn bị ý kiến.")
    deputy.press("Đảng viên được chọn")
    names = [o.label for o in deputy.options()]
    directive = send_directive(secretary, FIRST)
    shown = take(demo, deputy, clock)
    assert FIRST in shown[-1]["text"]

    deputy.send("1")  # "1. Đã nhận" was shown last: it acknowledges, it ticks nobody
    assert acknowledged_codes(demo, directive) == {"DV002"}
    assert texts.TASK_BACK in deputy.text
    assert [o.label for o in deputy.options()] == names  # the pick, asked again as it was
    assert state_of(demo, deputy).data.get("chosen") in (None, [])

    deputy.send("1")  # now the pick's first name
    assert len(state_of(demo, deputy).data["chosen"]) == 1


def test_words_typed_for_an_interrupted_task_go_to_it(demo: Database, chat_as, clock) -> None:
    """A directive arrives while the deputy is to type their own: the typed text is the
    deputy's directive, not an answer to the message, which is offered again afterwards."""
    deputy, secretary = chat_as("DV002"), chat_as("DV001")
    deputy.send("/chidao")
    directive = send_directive(secretary, FIRST)
    take(demo, deputy, clock)
    deputy.send("Đề nghị các đồng chí đọc trước tài liệu.")
    labels = [o.label for o in deputy.options()]
    assert "Toàn thể đảng viên" in labels  # the deputy's flow went on to its next step
    assert acknowledged_codes(demo, directive) == set()

    deputy.press("Toàn thể")
    deputy.press(directive_texts.FLOW_SEND)
    assert texts.WAITING_QUESTION.split("{")[0] in deputy.text and FIRST in deputy.text
    deputy.send("1")
    assert acknowledged_codes(demo, directive) == {"DV002"}


def test_the_menu_over_a_question_keeps_it_for_later(demo: Database, chat_as, clock) -> None:
    member, secretary = chat_as("DV003"), chat_as("DV001")
    directive = send_directive(secretary, FIRST)
    take(demo, member, clock)
    member.send("menu")
    menu = [o.label for o in member.options()]
    assert texts.DIR_ACK_LABEL not in menu  # the menu's numbers are the menu's
    member.send("/toi")  # another thing done, then the question comes back once
    assert FIRST in member.text and [o.label for o in member.options()] == [texts.DIR_ACK_LABEL]
    member.send("1")
    assert acknowledged_codes(demo, directive) == {"DV003"}


def test_huy_gives_up_the_interrupted_task_not_the_message(demo: Database, chat_as, clock) -> None:
    deputy, secretary = chat_as("DV002"), chat_as("DV001")
    deputy.send("/chidao")
    directive = send_directive(secretary, FIRST)
    take(demo, deputy, clock)
    deputy.send("/huy")
    assert deputy.last.replies[0].text == texts.CANCELLED
    assert state_of(demo, deputy).pending == [] and state_of(demo, deputy).flow is None
    deputy.send("1")  # the directive was still the question shown last
    assert acknowledged_codes(demo, directive) == set()  # /huy passed it over
    assert deputy.text == texts.NOTHING_TO_ANSWER


# -- the rules at the core ------------------------------------------------------------------------


def _state() -> ConversationState:
    return ConversationState(channel="zalo", chat_id="c", user_id="u")


def test_a_question_past_its_time_is_not_offered_again(clock: FakeClock) -> None:
    state = _state()
    now = clock()
    until = (now + timedelta(hours=1)).isoformat()
    questions.show_delivered(
        state, text="Mời họp", options=[["m:1", "Sẽ dự"]], until=until, now=now
    )
    questions.show_delivered(
        state, text="Chỉ đạo", options=[["d:1", "Đã nhận"]], until=None, now=now
    )
    questions.answered(state)
    assert questions.take_next(state, now + timedelta(hours=2)) is None
    assert state.pending == [] and state.options == []


def test_the_same_question_again_replaces_its_older_copy(clock: FakeClock) -> None:
    state, now = _state(), clock()
    for text in ("Mời họp", "Chỉ đạo", "Nhắc họp"):
        key = "d:1" if text == "Chỉ đạo" else "m:1"
        questions.show_delivered(state, text=text, options=[[key, "x"]], until=None, now=now)
    assert [item["text"] for item in state.pending] == ["Chỉ đạo"]  # "Mời họp" was replaced
    questions.answered(state)
    offered = questions.take_next(state, now)
    assert offered is not None and offered.text == "Chỉ đạo" and state.pending == []


def test_the_waiting_line_is_bounded(clock: FakeClock) -> None:
    state, now = _state(), clock()
    for number in range(questions.MAX_PENDING + 5):
        options = [[f"d:{number}", "Đã nhận"]]
        questions.show_delivered(state, text=str(number), options=options, until=None, now=now)
    assert len(state.pending) == questions.MAX_PENDING
    assert state.pending[-1]["text"] == str(questions.MAX_PENDING + 3)  # the newest kept


def test_telegram_buttons_of_both_directives_stay_good(demo: Database, chat_as, clock) -> None:
    """With buttons nothing competes: each button carries its directive."""
    member, secretary = chat_as("DV003", channel="telegram"), chat_as("DV001")
    first, second = send_directive(secretary, FIRST), send_directive(secretary, SECOND)
    with demo.session() as session:
        payloads = outbox.take_for_chat(
            session, "telegram", member.user_id, now=clock(), numbered=False
        )
    for payload in reversed(payloads):  # the older one pressed last
        member.press_payload(payload["options"][0]["id"])
        assert member.text == directive_texts.DIR_ACKED
    assert acknowledged_codes(demo, first) == acknowledged_codes(demo, second) == {"DV003"}


def test_a_command_with_options_keeps_its_numbers(demo: Database, chat_as, clock) -> None:
    """/lichhop asked for while a question waits: its own numbered answers stay the ones a
    digit picks; nothing waiting is put after them."""
    member, secretary = chat_as("DV003"), chat_as("DV001")
    schedule_via_chat(secretary)
    send_directive(secretary, FIRST)
    take(demo, member, clock)  # the invitation waits behind the directive
    member.send("/lichhop")
    labels = [o.label for o in member.options()]
    assert meeting_texts.MTG_ANSWER_YES in labels
    assert texts.WAITING_QUESTION.split("{")[0] not in member.text
    member.send(str(labels.index(meeting_texts.MTG_ANSWER_YES) + 1))
    assert answer_of(demo, "DV003")[0] == "se_du"
