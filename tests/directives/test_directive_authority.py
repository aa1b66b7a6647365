"""Who directs and who follows up: one `/chidao` and one `/chidao_tinhhinh` for secretaries and
committee members, and follow-up rights from current authority over the directive's unit, never
from having sent it (a former secretary loses them, the new one inherits them)."""

from __future__ import annotations

import pytest

from bot.features import registry as build_registry
from bot.telegram.menus import commands_for, member_commands
from models import Database, DeliveryKind, Role, Unit
from services import texts
from services.demo import BASE, CELL_OFFICE, CELL_SCHOOLS
from services.directives import texts as directive_texts
from services.directives.rules import (
    cell_directive_stats,
    directive_stats,
    followed_directives,
    may_direct,
    remind_unacknowledged,
)
from services.errors import Forbidden, UserError
from services.identities import find_member
from services.orgwrite import set_cell_role, set_committee_units
from tests.directives.test_directives import actor, send, unit_id
from tests.directives.test_flow_directives import compose, received
from tests.support import ChatDriver, FakeClock, menu_commands, menu_screens

# --- Helpers ----------------------------------------------------------------------------------


def set_cell(db: Database, code: str, role: str | None, cell: str | None = None) -> None:
    """Make `role` the member's only cell role, after moving them to `cell` if given."""
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        if cell is not None:
            member.cell_id = unit_id(session, cell)
            session.add(member)
            session.flush()
        set_cell_role(session, member, role)


def join_committee(db: Database, code: str, unit: str) -> None:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        set_committee_units(session, member, {unit_id(session, unit)})


def send_as_secretary(chat_as) -> tuple[ChatDriver, int]:
    """DV001 sends a directive to Chi bộ Văn phòng Sở; returns the chat and the directive id."""
    chat_as("DV003"), chat_as("DV004")
    secretary = chat_as("DV001")
    compose(secretary)
    secretary.press("Gửi")
    payload = secretary.option("Xem tình hình").payload
    assert payload.startswith("dir_stats:")
    return secretary, int(payload.split(":")[1])


def reminders(db: Database) -> int:
    return len(received(db, "DV003", DeliveryKind.DIRECTIVE_REMINDER))


def labels(chat: ChatDriver) -> list[str]:
    return [o.label for o in chat.options()]


def screens(chat: ChatDriver) -> dict[str, list[str]]:
    """Each /help screen's commands (`/name`) by its title ("" for the first screen)."""
    return {
        title: [o.payload for o in options if o.payload.startswith("/")]
        for title, options in menu_screens(chat).items()
    }


def every(found: dict[str, list[str]]) -> list[str]:
    return [command for commands in found.values() for command in commands]


DIRECTIVES = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_DIRECTIVES)
COMMITTEE_TOOLS = texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_COMMITTEE)


# --- Item 9: follow-up rights come from current authority -------------------------------------


def test_former_secretary_loses_follow_up_on_old_buttons(chat_as, demo: Database) -> None:
    secretary, directive_id = send_as_secretary(chat_as)
    secretary.send("/chidao_tinhhinh")  # a list opened while still secretary
    old_pick = secretary.option("Đề nghị").payload
    set_cell(demo, "DV001", None)
    set_cell(demo, "DV003", Role.SECRETARY)

    secretary.press_payload(f"dir_stats:{directive_id}")  # the receipt's button
    assert secretary.text == texts.FORBIDDEN_LEADER
    secretary.press_payload(f"dir_remind:{directive_id}")
    assert secretary.text == texts.FORBIDDEN_LEADER
    secretary.press_payload(old_pick)
    assert secretary.text == texts.FORBIDDEN_LEADER
    assert reminders(demo) == 0
    secretary.send("/chidao_tinhhinh")
    assert secretary.text == texts.FORBIDDEN_LEADER


def test_former_secretary_now_leading_another_cell_no_longer_lists_it(
    chat_as, demo: Database
) -> None:
    secretary, directive_id = send_as_secretary(chat_as)
    set_cell(demo, "DV009", None)
    set_cell(demo, "DV001", Role.SECRETARY, cell=CELL_SCHOOLS)
    set_cell(demo, "DV002", Role.SECRETARY)

    secretary.send("/chidao_tinhhinh")
    assert (
        secretary.text == directive_texts.FLOW_DIR_NONE_SENT
    )  # their old cell's directive is not theirs
    secretary.press_payload(f"dir_stats:{directive_id}")
    assert secretary.text == texts.FORBIDDEN_OTHER_CELL
    secretary.press_payload(f"dir_remind:{directive_id}")
    assert secretary.text == texts.FORBIDDEN_OTHER_CELL
    assert reminders(demo) == 0


def test_new_secretary_follows_up_the_predecessors_directive(chat_as, demo: Database) -> None:
    _secretary, directive_id = send_as_secretary(chat_as)
    set_cell(demo, "DV001", None)
    set_cell(demo, "DV002", None)
    set_cell(demo, "DV004", Role.SECRETARY)
    successor = chat_as("DV004")
    successor.send("/chidao_tinhhinh")
    assert len(successor.options()) == 1
    successor.press("Đề nghị các đồng chí")
    assert "7 người nhận" in successor.text
    successor.press("Nhắc 7 người")
    # DV003 and DV004 have a chat account; the other five are named, with /moi.
    assert successor.text.startswith("Đã gửi lời nhắc đến 2 trong số 7 đảng viên chưa xác nhận.")
    assert reminders(demo) == 1
    successor.press_payload(f"dir_stats:{directive_id}")
    assert "7 người nhận" in successor.text


def test_committee_of_the_parent_unit_follows_up_a_cells_directive(chat_as, demo: Database) -> None:
    _secretary, directive_id = send_as_secretary(chat_as)
    committee = chat_as("DV016")
    committee.send("/chidao_tinhhinh")
    (label,) = labels(committee)
    assert CELL_OFFICE in label  # a committee follows several units: the label says which
    committee.press(CELL_OFFICE)
    assert "7 người nhận" in committee.text
    committee.press("Nhắc 7 người")
    assert committee.text.startswith("Đã gửi lời nhắc đến 2 trong số 7 đảng viên chưa xác nhận.")
    assert reminders(demo) == 1
    committee.press_payload(f"dir_stats:{directive_id}")
    assert "7 người nhận" in committee.text


def test_another_cells_secretary_is_refused(chat_as, demo: Database) -> None:
    _secretary, directive_id = send_as_secretary(chat_as)
    other = chat_as("DV009")
    other.send("/chidao_tinhhinh")
    assert other.text == directive_texts.FLOW_DIR_NONE_SENT
    other.press_payload(f"dir_stats:{directive_id}")
    assert other.text == texts.FORBIDDEN_OTHER_CELL
    other.press_payload(f"dir_remind:{directive_id}")
    assert other.text == texts.FORBIDDEN_OTHER_CELL
    assert reminders(demo) == 0


def test_the_rule_in_the_service(demo: Database, clock: FakeClock) -> None:
    """may_direct decides composing and following up alike; the sender counts for nothing."""
    with demo.session() as session:
        office = send(session, clock).directive
        clock.advance(hours=1)
        above = send(session, clock, code="DV016", unit=BASE).directive
        assert office.id is not None and above.id is not None
    set_cell(demo, "DV001", None)
    set_cell(demo, "DV009", None)
    set_cell(demo, "DV001", Role.SECRETARY, cell=CELL_SCHOOLS)
    set_cell(demo, "DV003", Role.SECRETARY)
    with demo.session() as session:
        units = {name: unit_id(session, name) for name in (CELL_OFFICE, CELL_SCHOOLS, BASE)}

        def follows(code: str) -> list[tuple[int | None, str | None]]:
            cells = {v: k for k, v in units.items()}
            return [
                (f.directive.id, cells.get(f.cell_id) if f.cell_id else None)
                for f in followed_directives(session, actor(session, code))
            ]

        # Newest first; a directive from above is followed in full by the committee and, for
        # each cell, by that cell's manager as the cell's share only.
        assert follows("DV016") == [(above.id, None), (office.id, None)]
        assert follows("DV003") == [(above.id, CELL_OFFICE), (office.id, None)]
        assert follows("DV002") == follows("DV003")  # the deputy, too
        assert follows("DV001") == [(above.id, CELL_SCHOOLS)]  # not what they sent before
        assert follows("DV010") == []

        former, successor = actor(session, "DV001"), actor(session, "DV003")
        with pytest.raises(Forbidden):
            directive_stats(session, former, office.id)
        with pytest.raises(Forbidden):
            remind_unacknowledged(session, former, office.id, now=clock())
        assert directive_stats(session, successor, office.id).recipients == 7
        share = cell_directive_stats(session, former, above.id, units[CELL_SCHOOLS])
        assert share.recipients == 7  # that cell's copies when it was sent (DV016 sent it)
        with pytest.raises(Forbidden):
            cell_directive_stats(session, former, above.id, units[CELL_OFFICE])
        with pytest.raises(UserError) as no_copies:
            cell_directive_stats(session, former, office.id, units[CELL_SCHOOLS])
        assert no_copies.value.message == directive_texts.DIR_NOT_FOUND

        for code, unit, expected in (
            ("DV016", BASE, True),
            ("DV016", CELL_OFFICE, True),
            ("DV003", CELL_OFFICE, True),
            ("DV003", BASE, False),
            ("DV001", CELL_OFFICE, False),
            ("DV010", CELL_SCHOOLS, False),
        ):
            target = session.get(Unit, units[unit])
            assert target is not None
            assert may_direct(actor(session, code), target) is expected


# --- Item 16: one command per job, in every menu it belongs to --------------------------------


def test_committee_member_types_chidao_like_a_secretary(chat_as) -> None:
    committee = chat_as("DV016")
    found = screens(committee)
    assert "/chidao_capuy" not in every(found)
    assert every(found).count("/chidao") == 1 and every(found).count("/chidao_tinhhinh") == 1
    assert {"/chidao", "/chidao_tinhhinh"} <= set(found[DIRECTIVES])
    committee.send("/chidao")
    assert committee.text.startswith(directive_texts.FLOW_DIR_CHOOSE_UNIT)
    assert labels(committee)[:3] == [
        directive_texts.FLOW_DIR_UNIT_ALL_CELLS.format(unit=BASE),
        CELL_SCHOOLS,
        CELL_OFFICE,
    ]
    committee.send("/chidao_capuy")  # the former command: a hidden alias of /chidao
    assert committee.text.startswith(directive_texts.FLOW_DIR_CHOOSE_UNIT)
    committee.send("/chidao_tinhhinh")
    assert committee.text == directive_texts.FLOW_DIR_NONE_SENT


def test_secretary_still_types_chidao(chat_as) -> None:
    secretary = chat_as("DV001")
    found = screens(secretary)
    assert COMMITTEE_TOOLS not in found and "/chidao_capuy" not in every(found)
    assert every(found).count("/chidao") == 1 and "/chidao" in found[DIRECTIVES]
    secretary.send("/chidao")
    assert secretary.text == directive_texts.FLOW_DIR_ASK_TEXT.format(unit=CELL_OFFICE)
    secretary.send("/chidao_capuy")  # the alias is the same command for everyone
    assert secretary.text == directive_texts.FLOW_DIR_ASK_TEXT.format(unit=CELL_OFFICE)


def test_plain_member_is_refused(chat_as) -> None:
    member = chat_as("DV003")
    for command in ("/chidao", "/chidao_tinhhinh", "/chidao_capuy"):
        member.send(command)
        assert member.text == texts.FORBIDDEN_LEADER
    assert not {"/chidao", "/chidao_tinhhinh", "/chidao_capuy"} & menu_commands(member)


def test_secretary_on_a_committee_gets_one_chidao_offering_both(chat_as, demo: Database) -> None:
    join_committee(demo, "DV009", BASE)
    both = chat_as("DV009")
    found = screens(both)
    assert every(found).count("/chidao") == 1 and every(found).count("/chidao_tinhhinh") == 1
    assert "/chidao" in found[DIRECTIVES] and "/chidao" not in found[COMMITTEE_TOOLS]
    assert "/donvi" in found[COMMITTEE_TOOLS]
    both.send("/chidao")
    assert labels(both)[:3] == [
        CELL_SCHOOLS,  # their own cell first
        directive_texts.FLOW_DIR_UNIT_ALL_CELLS.format(unit=BASE),
        CELL_OFFICE,
    ]
    both.press(CELL_OFFICE)
    assert both.text == directive_texts.FLOW_DIR_ASK_TEXT.format(unit=CELL_OFFICE)


def test_telegram_menus_list_each_command_once(demo: Database) -> None:
    registry = build_registry()
    join_committee(demo, "DV009", BASE)
    with demo.session() as session:
        menus = {code: commands_for(registry, actor(session, code)) for code in ("DV001", "DV003")}
        menus |= {code: commands_for(registry, actor(session, code)) for code in ("DV009", "DV016")}
    names = {code: [name for name, _description in menu] for code, menu in menus.items()}
    for code in ("DV001", "DV009", "DV016"):
        assert names[code].count("chidao") == 1 and names[code].count("chidao_tinhhinh") == 1
        assert "chidao_capuy" not in names[code]
    assert "chidao" not in names["DV003"] and "chidao_tinhhinh" not in names["DV003"]
    assert menus["DV003"] == member_commands(registry)
    assert "donvi" in names["DV016"] and names["DV016"].count("moi") == 1  # committees invite too
    # The secretary's commands come before the committee's, as /help lists them.
    assert names["DV009"].index("chidao") < names["DV009"].index("donvi")
    assert len(names["DV009"]) == len(set(names["DV009"]))


def test_chidao_capuy_is_a_hidden_alias() -> None:
    registry = build_registry()
    assert registry.find("chidao_capuy") is registry.find("chidao")
    assert "chidao_capuy" not in [c.name for c in registry.commands()]
