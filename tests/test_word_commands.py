"""Plain words work as commands (no slash, no diacritics), and a mistyped command suggests the
nearest one the person may use. Free text is read in order: the pending question, the open
flow's step, then a word command; groups answer addressed commands only."""

from __future__ import annotations

import pytest

from services import texts
from tests.support import ChatDriver


def said(chat: ChatDriver, text: str) -> str:
    """What the bot answered to `text`, all replies joined."""
    chat.send(text)
    return chat.text


@pytest.mark.parametrize("channel", ["terminal", "zalo", "telegram"])
def test_words_run_the_command_they_name(chat_as, channel: str) -> None:
    member = chat_as("DV003", channel=channel)
    expected = said(member, "/chibo")
    for words in ("chi bo", "Chi bộ", "CHIBO", "  chibo.  "):
        assert said(member, words) == expected, words
    help_text = said(member, "/help")
    assert said(member, "help") == help_text


def test_words_keep_each_commands_permission(chat_as) -> None:
    member = chat_as("DV003")
    refused = said(member, "chi dao")
    assert refused == said(member, "/chidao")
    assert refused == texts.FORBIDDEN_LEADER
    secretary = chat_as("DV001")
    assert "chi bộ" in said(secretary, "chi dao").lower()  # the unit picker of /chidao


def test_an_open_step_takes_the_words_as_its_answer(chat_as) -> None:
    """Inside a flow, "chi bo" is what the secretary typed for the step, not a command."""
    secretary = chat_as("DV001")
    secretary.send("/chidao")
    secretary.send("1")  # the own cell
    asked = secretary.last
    secretary.send("chi bo")
    assert secretary.text != said(secretary, "/chibo") or asked.replies == []


def test_text_that_names_no_command_is_searched_and_short_text_not_understood(chat_as) -> None:
    """Since the search (issue 15), plain words that are no command are looked up: with
    nothing found the member is told so, with /help; one or two words stay "not understood"."""
    from services.search import texts as search_texts

    member = chat_as("DV003")
    assert said(member, "xin chào các đồng chí").startswith(search_texts.SEARCH_NONE.split("«")[0])
    assert said(member, "xin chào") == texts.UNKNOWN_INPUT


def test_a_mistyped_command_suggests_the_nearest_one_you_may_use(chat_as) -> None:
    secretary = chat_as("DV001")
    assert said(secretary, "/hopp") == texts.UNKNOWN_COMMAND_NEAREST.format(
        command="/hopp", nearest="hop"
    )
    assert said(secretary, "/lichop") == texts.UNKNOWN_COMMAND_NEAREST.format(
        command="/lichop", nearest="lichhop"
    )
    member = chat_as("DV003")
    # /hop is not the member's: no suggestion that would only be refused.
    assert said(member, "/hopp") == texts.UNKNOWN_COMMAND.format(command="/hopp")
    assert said(member, "/xyzabc") == texts.UNKNOWN_COMMAND.format(command="/xyzabc")


def test_in_a_group_words_are_not_commands(chat_as) -> None:
    member = chat_as("DV003", channel="telegram")
    member.chat_id = "-100200300"
    member.is_group = True
    assert member.send("chi bo").replies == []


def test_a_wrong_number_with_one_option_is_not_from_1_to_1() -> None:
    from handlers.core import _pick_a_number

    assert _pick_a_number(texts.CHOOSE_NUMBER, 1) == texts.CHOOSE_ONE
    assert _pick_a_number(texts.CHOOSE_OFFERED_NUMBER, 1) == texts.CHOOSE_ONE
    assert _pick_a_number(texts.CHOOSE_NUMBER, 3) == texts.CHOOSE_NUMBER.format(count=3)
