"""Opening the menu in the middle of a task sets it aside instead of throwing it away:
/tieptuc asks the same question again, /huy drops it (issue 11, item 9)."""

from __future__ import annotations

import pytest

from services import texts
from tests.support import ChatDriver


def _to_the_recipients_question(chat: ChatDriver) -> str:
    chat.send("/chidao")
    chat.send("Đề nghị các đồng chí đọc trước Chỉ thị 50-CT/TW.")
    assert "Gửi cho ai?" in chat.text
    return chat.text


@pytest.mark.parametrize(("channel", "word"), [("terminal", "0"), ("zalo", "menu")])
def test_the_menu_keeps_the_task_and_tieptuc_asks_again(chat_as, channel: str, word: str) -> None:
    secretary = chat_as("DV001", channel=channel)
    question = _to_the_recipients_question(secretary)
    offered = [o.label for o in secretary.options()]
    secretary.send(word)
    assert texts.HELP_LIST in secretary.text and texts.MENU_TASK_KEPT in secretary.text
    secretary.send("/tieptuc")
    assert secretary.text == question
    assert [o.label for o in secretary.options()] == offered
    secretary.send("1")  # the first recipient group, as before the menu
    assert "Gửi cho ai?" not in secretary.text and texts.NOTHING_TO_RESUME not in secretary.text


def test_huy_after_the_menu_cancels_the_task_set_aside(chat_as) -> None:
    secretary = chat_as("DV001", channel="terminal")
    _to_the_recipients_question(secretary)
    secretary.send("menu")
    secretary.send("/huy")
    assert secretary.text == texts.CANCELLED
    secretary.send("/tieptuc")
    assert secretary.text == texts.NOTHING_TO_RESUME


def test_another_command_from_the_menu_leaves_the_task(chat_as) -> None:
    secretary = chat_as("DV001", channel="terminal")
    _to_the_recipients_question(secretary)
    secretary.send("menu")
    secretary.send("/toi")
    assert "DV001" in secretary.text
    secretary.send("/tieptuc")
    assert secretary.text == texts.NOTHING_TO_RESUME


def test_menu_typed_at_a_free_text_step_opens_the_menu(chat_as) -> None:
    secretary = chat_as("DV001", channel="terminal")
    secretary.send("/chidao")
    ask_text = secretary.text
    secretary.send("menu")  # the directive's text is asked: "menu" is not a directive
    assert texts.MENU_TASK_KEPT in secretary.text
    secretary.send("/tieptuc")
    assert secretary.text == ask_text


def test_a_task_set_aside_still_expires(chat_as, clock) -> None:
    secretary = chat_as("DV001", channel="terminal")
    _to_the_recipients_question(secretary)
    secretary.send("0")
    clock.advance(days=2)
    secretary.send("/tieptuc")
    assert secretary.text == texts.SESSION_EXPIRED


def test_tieptuc_with_nothing_set_aside(chat_as) -> None:
    member = chat_as("DV003")
    member.send("/tieptuc")
    assert member.text == texts.NOTHING_TO_RESUME


@pytest.mark.parametrize("channel", ["terminal", "zalo"])
def test_opening_the_menu_again_keeps_the_task_set_aside(chat_as, channel: str) -> None:
    """`0` is how a Zalo member gets back to the top: doing it twice must not lose the task."""
    secretary = chat_as("DV001", channel=channel)
    question = _to_the_recipients_question(secretary)
    secretary.send("0")
    secretary.send("menu")
    assert texts.HELP_LIST in secretary.text and texts.MENU_TASK_KEPT in secretary.text
    secretary.send("/tieptuc")
    assert secretary.text == question
