"""Quorum before the vote: fewer than half of the official members convened recorded present is
warned before the vote is entered, and the secretary goes on or goes back.

The rule is `services.meetings.resolutions.quorum` (on the vote's own counts, `count_voters`):
tested on
its boundaries alone, then on real rolls (SQLite and PostgreSQL), then once through `/ketqua`.

The office cell of the demo: six official members (DV001–DV004, DV006, DV008), one
probationary (DV005) and one exempt (DV007), so six are convened unless DV007 comes.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import Database, Resolution, ResolutionVote
from services.meetings import texts as meeting_texts
from services.meetings.resolutions import VoterCount, quorum, voters_for
from tests.meetings.test_resolutions import actor, held_meeting
from tests.support import FakeClock


@pytest.mark.parametrize(
    ("convened", "present", "needed", "met"),
    [
        (6, 3, 3, True),  # exactly half
        (6, 2, 3, False),  # one below
        (7, 4, 4, True),  # odd: half is 3.5, so four are needed
        (7, 3, 4, False),
        (1, 1, 1, True),
        (1, 0, 1, False),
        (0, 0, 0, True),  # nobody to convene: nothing to warn about (the vote refuses itself)
    ],
)
def test_quorum_boundaries(convened: int, present: int, needed: int, met: bool) -> None:
    check = quorum(VoterCount(convened=convened, eligible_present=present, probationary_present=0))
    assert (check.present, check.convened, check.needed, check.met) == (
        present,
        convened,
        needed,
        met,
    )


PRESENT = "co_mat"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        # Exactly half of the six official members: met, no warning.
        ({"DV001": PRESENT, "DV002": PRESENT, "DV003": PRESENT}, (3, 6, 3, True)),
        # One below.
        ({"DV001": PRESENT, "DV002": PRESENT}, (2, 6, 3, False)),
        # A probationary member present does not count: still one below.
        ({"DV001": PRESENT, "DV002": PRESENT, "DV005": PRESENT}, (2, 6, 3, False)),
        # An exempt member who comes is counted on both sides: 3 of 7 is below half.
        ({"DV001": PRESENT, "DV002": PRESENT, "DV007": PRESENT}, (3, 7, 4, False)),
        # Absent exempt, excused and unexcused: the exempt one is left out, the others count.
        (
            {
                "DV001": PRESENT,
                "DV002": PRESENT,
                "DV003": PRESENT,
                "DV007": "mien_sinh_hoat",
                "DV008": "vang_co_phep",
                "DV006": "vang_khong_phep",
            },
            (3, 6, 3, True),
        ),
    ],
)
def test_quorum_on_the_roll(
    demo: Database, clock: FakeClock, statuses: dict[str, str], expected: tuple
) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, statuses)
        assert meeting.id is not None
        check = quorum(voters_for(session, actor(session, "DV001"), meeting.id))
        assert (check.present, check.convened, check.needed, check.met) == expected


def _votes(demo: Database) -> list[ResolutionVote]:
    with demo.session() as session:
        return list(session.exec(select(ResolutionVote)))


def test_the_secretary_is_warned_and_goes_on_or_back(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, {"DV001": PRESENT, "DV002": PRESENT})
        assert meeting.id is not None
    secretary = chat_as("DV001")
    secretary.send("/ketqua")
    secretary.press("Nghị quyết")
    secretary.send("Nghị quyết tháng 12: hoàn thành kế hoạch năm.")

    # Fewer than half present: said plainly before any number is asked.
    secretary.press("Biểu quyết")
    warning = meeting_texts.FLOW_RES_QUORUM_SHORT.format(present=2, convened=6, needed=3)
    assert secretary.text == warning
    assert "mới ghi nhận 2/6 đồng chí, cần ít nhất 3" in secretary.text
    assert [o.label for o in secretary.options()] == [
        meeting_texts.FLOW_RES_QUORUM_GO,
        meeting_texts.FLOW_BACK,
    ]

    # Going back records nothing and shows the menu again.
    secretary.press(meeting_texts.FLOW_BACK)
    labels = [o.label for o in secretary.options()]
    assert "✓ Nghị quyết" in labels and meeting_texts.FLOW_RES_M_VOTE in labels  # the /ketqua menu
    assert _votes(demo) == []

    # Going on asks the three numbers, and the vote is recorded as usual (here: not passed).
    secretary.press("Biểu quyết")
    secretary.press(meeting_texts.FLOW_RES_QUORUM_GO)
    assert "có mặt được biểu quyết: 2" in secretary.text
    secretary.send("x y z")  # a typing slip asks the numbers again, without a second warning
    assert meeting_texts.FLOW_RES_VOTE_FORMAT in secretary.text
    assert meeting_texts.FLOW_RES_QUORUM_GO not in [o.label for o in secretary.options()]
    secretary.send("2 0 0")
    assert "chưa được thông qua" in secretary.text
    (vote,) = _votes(demo)
    assert (vote.votes_for, vote.convened, vote.eligible_present) == (2, 6, 2)

    # A new vote over the old one meets the same warning after "Ghi kết quả mới".
    secretary.press("Biểu quyết")
    secretary.press(meeting_texts.FLOW_RES_REVOTE)
    assert secretary.text == warning


def test_no_warning_at_exactly_half(chat_as, demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        held_meeting(session, clock, {"DV001": PRESENT, "DV002": PRESENT, "DV003": PRESENT})
    secretary = chat_as("DV001")
    secretary.send("/ketqua")
    secretary.press("Biểu quyết")
    assert "⚠️" not in secretary.text
    assert "được triệu tập: 6; có mặt được biểu quyết: 3" in secretary.text
    secretary.send("3 0 0")
    assert "chưa được thông qua" in secretary.text  # 3 of 6 is not more than half
    with demo.session() as session:
        assert session.exec(select(Resolution)).one().eligible_present == 3
