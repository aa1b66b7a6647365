"""Official members left out of a vote's denominator (temporary transfer, suspension), marked
in the roll call of `/hop_quanly`, through the core on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models import Database
from services.errors import Forbidden, UserError
from services.meetings import texts as meeting_texts
from services.meetings.attendance import set_vote_exclusion
from tests.meetings.test_flow_meetings import (
    at_local,
    meetings,
    member_id,
    roll_row,
    schedule_via_chat,
)
from tests.meetings.test_meetings import actor
from tests.support import ChatDriver, FakeClock


def exclusion_of(db: Database, meeting_id: int, code: str) -> str | None:
    return roll_row(db, meeting_id, code).vote_exclusion


def roll_call_of_a_held_meeting(
    chat_as: Callable[[str], ChatDriver], demo: Database, clock: FakeClock
) -> tuple[ChatDriver, int]:
    """The secretary in the roll call of the cell's meeting of 28/11 8h, at 9h."""
    secretary = chat_as("DV001")
    schedule_via_chat(secretary, "28/11 8h")
    (meeting,) = meetings(demo)
    assert meeting.id is not None
    at_local(clock, 28, 11, 9)
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_ROLL)
    return secretary, meeting.id


def test_the_secretary_marks_and_clears_an_exclusion_in_the_roll_call(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary, meeting_id = roll_call_of_a_held_meeting(chat_as, demo, clock)
    secretary.press("Phạm Thị Dung")  # DV004, an official member
    transfer = meeting_texts.FLOW_VOTE_EXCL_OPTION.format(
        label=meeting_texts.VOTE_EXCL_LABELS["tam_chuyen"]
    )
    secretary.press(transfer)
    assert secretary.last.replies[0].text == meeting_texts.FLOW_VOTE_EXCL_SET.format(
        name="Phạm Thị Dung", label=meeting_texts.VOTE_EXCL_LABELS["tam_chuyen"]
    )
    assert exclusion_of(demo, meeting_id, "DV004") == "tam_chuyen"
    marked = [o.label for o in secretary.options() if "Phạm Thị Dung" in o.label]
    assert marked and marked[0].endswith(meeting_texts.FLOW_ROLL_EXCLUDED)

    secretary.press("Phạm Thị Dung")
    labels = [o.label for o in secretary.options()]
    assert transfer not in labels and meeting_texts.FLOW_VOTE_EXCL_CLEAR in labels
    secretary.press(meeting_texts.FLOW_VOTE_EXCL_CLEAR)
    assert meeting_texts.FLOW_VOTE_EXCL_CLEARED.format(name="Phạm Thị Dung") in secretary.text
    assert exclusion_of(demo, meeting_id, "DV004") is None


def test_only_official_members_can_be_left_out_of_the_vote(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary, meeting_id = roll_call_of_a_held_meeting(chat_as, demo, clock)
    secretary.press("Hoàng Văn Em")  # DV005, probationary: no such option
    assert not [o for o in secretary.options() if "biểu quyết" in o.label]
    with demo.session() as session, pytest.raises(UserError) as refused:
        set_vote_exclusion(
            session,
            actor(session, "DV001"),
            meeting_id,
            member_id(demo, "DV005"),
            "dinh_chi",
            now=clock(),
        )
    assert refused.value.message == meeting_texts.VOTE_EXCL_OFFICIAL_ONLY
    assert exclusion_of(demo, meeting_id, "DV005") is None
    # A member of the cell cannot mark anyone.
    with demo.session() as session, pytest.raises(Forbidden):
        set_vote_exclusion(
            session,
            actor(session, "DV003"),
            meeting_id,
            member_id(demo, "DV004"),
            "dinh_chi",
            now=clock(),
        )
    assert exclusion_of(demo, meeting_id, "DV004") is None
