"""The /help menu in two levels: a short first screen (the shortcuts members open most, then
topics), each topic listing the commands it holds, "Quay lại" back to the topics.

The expectations are computed from the registry (which commands exist, whom each is for, the
topic it declares), so a feature that adds a command is checked without editing this file.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot import features
from handlers.common import TOPIC_TITLES
from handlers.messages import Option
from handlers.registry import MAX_MENU_OPTIONS, MENU_COMMAND, Audience, Command, Registry, Topic
from models import Database
from services import texts
from services.auth import Actor, allows
from services.demo import BASE
from services.identities import find_member
from services.menu import MENU
from services.orgwrite import grant_admin
from tests.directives.test_directive_authority import join_committee, set_cell
from tests.directives.test_directives import actor
from tests.directives.test_flow_directives import acknowledged_codes
from tests.support import ChatDriver, FakeClock, menu_screens, state_of
from tests.test_numbered_questions import FIRST, send_directive, take

REGISTRY = features.registry()
SHORTCUTS = [c for c in REGISTRY.commands() if c.shortcut]


def _admin(db: Database, code: str) -> None:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        grant_admin(session, member)


# Who, and what makes them so beyond the demo data.
PEOPLE: dict[str, tuple[str, Callable[[Database], None] | None]] = {
    "member": ("DV003", None),
    "deputy": ("DV002", None),
    "secretary": ("DV001", None),
    "committee": ("DV016", None),
    "secretary_on_committee": ("DV009", lambda db: join_committee(db, "DV009", BASE)),
    "admin": ("DV004", lambda db: _admin(db, "DV004")),
}


def _person(demo: Database, who: str) -> tuple[str, Actor]:
    code, setup = PEOPLE[who]
    if setup is not None:
        setup(demo)
    with demo.session() as session:
        return code, actor(session, code)


def _listed(me: Actor) -> list[Command]:
    """What the person may use and the menu lists (not itself, hidden ones or aliases)."""
    return [
        c
        for c in REGISTRY.commands()
        if c.in_menu and c.name != MENU_COMMAND and allows(me, c.permission)
    ]


def _topics(me: Actor) -> dict[str, list[str]]:
    """Topic title → the commands (`/name`) it holds for the person, from each declaration."""
    found: dict[str, list[str]] = {}
    for command in _listed(me):
        topic = command.topic_for(me)
        assert topic is not None
        found.setdefault(TOPIC_TITLES[topic], []).append(f"/{command.name}")
    return found


def _title(option: Option) -> str:
    """A topic's title from its option (a list to open carries "▸")."""
    return option.label.removesuffix(" ▸")


def _digit(chat: ChatDriver, label: str) -> str:
    return str([o.label for o in chat.options()].index(label) + 1)


# -- the first screen ---------------------------------------------------------------------------
@pytest.mark.parametrize("who", list(PEOPLE))
def test_the_first_screen_is_short_shortcuts_then_the_persons_topics(
    chat_as, demo: Database, who: str
) -> None:
    code, me = _person(demo, who)
    chat = chat_as(code)
    chat.send("/help")
    first = chat.options()
    assert texts.HELP_LIST in chat.text and len(first) <= MAX_MENU_OPTIONS
    topics = _topics(me)
    # Every topic holding something for this person, in the topics' order, and no other.
    order = [TOPIC_TITLES[t] for t in Topic]
    titles = [_title(o) for o in first if _title(o) in topics]
    assert titles == sorted(topics, key=order.index)
    # The shortcuts come first: as many as the screen has room for, in registration order.
    shortcuts = first[: len(first) - len(titles)]
    assert [o.payload for o in shortcuts] == [f"/{c.name}" for c in SHORTCUTS][: len(shortcuts)]
    assert len(shortcuts) == min(len(SHORTCUTS), MAX_MENU_OPTIONS - len(titles))
    # A topic of one command is that command; the others open their list.
    for option in first[len(shortcuts) :]:
        held = topics[_title(option)]
        if len(held) == 1:
            assert option.payload == held[0] and option.label == _title(option)
        else:
            assert option.payload.startswith("menu:") and option.label.endswith("▸")


def test_a_members_first_screen_is_useful_in_one_tap(chat_as, demo: Database) -> None:
    member = chat_as("DV003")
    member.send("/help")
    labels = [o.label for o in member.options()]
    assert labels[: len(SHORTCUTS)] == [c.description for c in SHORTCUTS]
    shown = " ".join(labels)
    assert texts.TOPIC_CELL not in shown and texts.TOPIC_COMMITTEE not in shown
    first = SHORTCUTS[0]
    expected = member.send(f"/{first.name}").replies[0].text
    member.send("/help")
    member.send("1")
    assert member.last.replies[0].text == expected


def test_management_topics_follow_the_roles(chat_as, demo: Database) -> None:
    def titles(code: str) -> list[str]:
        chat = chat_as(code)
        chat.send("/help")
        return [_title(o) for o in chat.options()]

    assert texts.TOPIC_CELL in titles("DV001") and texts.TOPIC_COMMITTEE not in titles("DV001")
    assert texts.TOPIC_COMMITTEE in titles("DV016") and texts.TOPIC_CELL not in titles("DV016")
    join_committee(demo, "DV009", BASE)
    assert {texts.TOPIC_CELL, texts.TOPIC_COMMITTEE} <= set(titles("DV009"))


# -- every screen -------------------------------------------------------------------------------
@pytest.mark.parametrize("who", list(PEOPLE))
def test_every_screen_fits_a_phone_and_offers_exactly_the_persons_commands(
    chat_as, demo: Database, who: str
) -> None:
    code, me = _person(demo, who)
    screens = menu_screens(chat_as(code))
    topics = _topics(me)
    offered: set[str] = set()
    for title, options in screens.items():
        assert len(options) <= MAX_MENU_OPTIONS, (title, options)
        commands = [o.payload for o in options if o.payload.startswith("/")]
        assert len(commands) == len(set(commands)), title
        offered |= set(commands)
        if title:  # a topic: the commands declared in it, then the way back
            assert sorted(commands) == sorted(topics[title.removesuffix(" ▸")])
            assert len(commands) > 1 and options[-1] == Option(MENU(), texts.MENU_BACK)
    # Everything the person may use is one or two taps away; nothing they may not use is there.
    assert offered == {p for held in topics.values() for p in held}
    forbidden = {f"/{c.name}" for c in REGISTRY.commands() if not allows(me, c.permission)}
    assert not offered & forbidden
    assert f"/{MENU_COMMAND}" not in offered


def test_inside_a_topic_a_members_own_commands_come_before_the_leaders(
    chat_as, demo: Database
) -> None:
    screens = menu_screens(chat_as("DV001"))
    for title, options in screens.items():
        audiences = [
            REGISTRY.find(o.payload[1:]).audience  # type: ignore[union-attr]
            for o in options
            if o.payload.startswith("/")
        ]
        members = [a is Audience.MEMBER for a in audiences]
        assert members == sorted(members, reverse=True), title


# -- picking ------------------------------------------------------------------------------------
@pytest.mark.parametrize("channel", ["zalo", "terminal"])
def test_a_topic_picked_by_digit_then_a_command_and_quay_lai(chat_as, channel: str) -> None:
    secretary = chat_as("DV001", channel=channel)
    secretary.send("/help")
    first = secretary.options()
    personal = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_PERSONAL)
    secretary.send(_digit(secretary, personal))
    assert secretary.text == texts.MENU_TOPIC_HEADER.format(title=texts.TOPIC_PERSONAL)
    assert secretary.last.chosen == texts.TOPIC_PERSONAL  # shown in place of a keyboard
    secretary.send(_digit(secretary, texts.MENU_BACK))
    assert texts.HELP_LIST in secretary.text and secretary.options() == first
    secretary.send(_digit(secretary, personal))
    secretary.send(_digit(secretary, texts.CMD_PROFILE))
    assert "Mã đảng viên: DV001" in secretary.text


def test_a_topic_and_quay_lai_picked_by_their_words(chat_as) -> None:
    member = chat_as("DV003", channel="zalo")
    member.send("/help")
    member.send("tra cuu")
    assert member.text == texts.MENU_TOPIC_HEADER.format(title=texts.TOPIC_LOOKUP)
    member.send("Quay lại")
    assert texts.HELP_LIST in member.text
    member.send("ca nhan")
    member.send("thong tin cua toi")
    assert "Mã đảng viên: DV003" in member.text
    # A command's own words still run it, at any screen of the menu.
    member.send("/help")
    member.send("ca nhan")
    member.send("chi bo")
    assert "Chi bộ Văn phòng Sở: 8 đảng viên" in member.text


def test_a_topic_with_one_command_runs_it_directly(chat_as) -> None:
    member = chat_as("DV003", channel="zalo")
    typed = member.send("/dangphi").replies[0].text
    member.send("/help")
    option = member.option(texts.TOPIC_FEES)
    assert option == Option("/dangphi", texts.TOPIC_FEES)  # no list of one to open
    member.send(_digit(member, texts.TOPIC_FEES))
    assert member.last.replies[0].text == typed
    # The secretary has the cell's fees there too: a list to open.
    secretary = chat_as("DV001", channel="zalo")
    secretary.send("/help")
    assert secretary.option(texts.TOPIC_FEES).payload == MENU(Topic.FEES.value)


def test_a_topic_the_person_does_not_have_is_refused(chat_as, demo: Database) -> None:
    member = chat_as("DV003", channel="telegram")
    member.send("/help")
    before = state_of(demo, member).options
    for forged in (MENU(Topic.CELL.value), MENU("khongco"), MENU(Topic.MEETINGS.value, "x")):
        member.press_payload(forged)
        assert member.text == texts.STALE_BUTTON and member.options() == []
        assert state_of(demo, member).options == before  # the menu on offer is untouched
    member.send("/hop")
    assert "dành cho bí thư" in member.text


def test_a_stale_topic_button_after_the_menu_changed(chat_as, demo: Database) -> None:
    secretary = chat_as("DV001", channel="telegram")
    secretary.send("/help")
    study = secretary.option(texts.TOPIC_STUDY).payload
    cell = secretary.option(texts.TOPIC_CELL).payload
    secretary.press(texts.TOPIC_MEETINGS)
    on_offer = state_of(demo, secretary).options
    # The first screen's buttons, pressed once a topic is on offer: stale, as old buttons are.
    secretary.press_payload(study)
    assert secretary.text == texts.STALE_BUTTON
    assert state_of(demo, secretary).options == on_offer
    # The roles changed under an open menu: the secretary's tools are no longer hers.
    secretary.send("/help")
    set_cell(demo, "DV001", None)
    secretary.press_payload(cell)
    assert secretary.text == texts.STALE_BUTTON
    # The same by number on Zalo: the option is still on offer, its topic is gone.
    zalo = chat_as("DV009", channel="zalo")
    zalo.send("/help")
    digit = _digit(zalo, texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_CELL))
    set_cell(demo, "DV009", None)
    zalo.send(digit)
    assert zalo.text == texts.STALE_BUTTON


def test_moving_about_the_menu_keeps_the_task_it_set_aside(chat_as) -> None:
    secretary = chat_as("DV001", channel="zalo")
    secretary.send("/chidao")
    secretary.send("Đề nghị các đồng chí đọc trước Chỉ thị 50-CT/TW.")
    question, offered = secretary.text, [o.label for o in secretary.options()]
    secretary.send("0")
    assert texts.MENU_TASK_KEPT in secretary.text
    study = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_STUDY)
    secretary.send(_digit(secretary, study))
    secretary.send(_digit(secretary, texts.MENU_BACK))
    secretary.press(texts.TOPIC_MEETINGS)  # a button, as on Telegram
    secretary.send("/tieptuc")
    assert secretary.text == question and [o.label for o in secretary.options()] == offered
    # A command picked from a topic is moving on: the task set aside is given up, as before.
    secretary.send("0")
    secretary.send(_digit(secretary, texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_PERSONAL)))
    secretary.send(_digit(secretary, texts.CMD_PROFILE))
    secretary.send("/tieptuc")
    assert secretary.text == texts.NOTHING_TO_RESUME


def test_a_question_waiting_behind_the_menu_waits_while_moving_about_it(
    demo: Database, chat_as, clock: FakeClock
) -> None:
    member, secretary = chat_as("DV003"), chat_as("DV001")
    directive = send_directive(secretary, FIRST)
    take(demo, member, clock)
    member.send("menu")
    personal = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_PERSONAL)
    member.send(_digit(member, personal))
    assert member.text == texts.MENU_TOPIC_HEADER.format(title=texts.TOPIC_PERSONAL)
    assert texts.DIR_ACK_LABEL not in [o.label for o in member.options()]
    member.send(_digit(member, texts.MENU_BACK))
    assert texts.HELP_LIST in member.text and FIRST not in member.text
    assert texts.DIR_ACK_LABEL not in [o.label for o in member.options()]
    member.send(_digit(member, personal))
    member.send(_digit(member, texts.CMD_PROFILE))  # a command done: the question comes back
    assert FIRST in member.text and [o.label for o in member.options()] == [texts.DIR_ACK_LABEL]
    member.send("1")
    assert acknowledged_codes(demo, directive) == {"DV003"}


# -- the declarations ---------------------------------------------------------------------------
def test_every_topic_has_a_title_and_a_command_without_one_is_filed_by_its_section(
    demo: Database,
) -> None:
    assert set(TOPIC_TITLES) == set(Topic) and len(set(TOPIC_TITLES.values())) == len(Topic)
    registry = Registry()
    for name, audience in (("a", Audience.MEMBER), ("b", Audience.SECRETARY)):
        registry.command(Command(name, name, audience, lambda _ctx, _args: None))
    registry.command(Command("c", "c", Audience.COMMITTEE, lambda _ctx, _args: None))
    registry.command(Command("d", "d", Audience.LEADER, lambda _ctx, _args: None))
    with demo.session() as session:
        secretary, committee = actor(session, "DV001"), actor(session, "DV016")
    assert {t: [c.name for c in cs] for t, cs in registry.topics(secretary)} == {
        Topic.PERSONAL: ["a"],
        Topic.CELL: ["b", "d"],
    }
    assert {t: [c.name for c in cs] for t, cs in registry.topics(committee)} == {
        Topic.PERSONAL: ["a"],
        Topic.COMMITTEE: ["c", "d"],
    }
