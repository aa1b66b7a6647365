"""`/timkiem` and plain words in the terminal chat, the meetings' items, and the SEARCHABLE
point served to a feature that is only in the wiring list (like tests/test_wiring.py)."""

from __future__ import annotations

from datetime import date, datetime

from bot.features import Feature
from handlers.search import looks_like_words
from models import Database
from services import texts
from services.demo import CELL_OFFICE
from services.meetings.resolutions import assign_task
from services.offers import SEARCHABLE, Offer, Searchable, SearchItem
from services.search import texts as search_texts
from tests.meetings.test_resolutions import TYPICAL, held_meeting, member_id
from tests.search.support import actor, chat, direct, office
from tests.search.test_search import CONGRESS, find
from tests.support import FakeClock


def test_timkiem_lists_numbered_hits_and_opens_them(demo: Database, clock: FakeClock) -> None:
    direct(demo, "DV001", CELL_OFFICE, CONGRESS, clock())
    member = chat(demo, clock, "DV003")
    assert member.send("/timkiem").replies[0].text == search_texts.SEARCH_ASK
    reply = member.send("/timkiem nghi quyet dai hoi").replies[0]
    date_shown = clock().strftime("%d/%m/%Y")
    assert reply.text.splitlines() == [
        search_texts.SEARCH_HEADER.format(query="nghi quyet dai hoi"),
        f"1. [Chỉ đạo] {date_shown} – {CONGRESS}",
    ]
    assert [(o.payload, o.label) for o in reply.options] == [("/thongbao", "Xem Chỉ đạo")]
    opened = member.send("1").replies[0].text  # a pick by number, as on Zalo
    assert "Đại hội Đảng bộ tỉnh" in opened


def test_plain_words_are_a_search_and_a_code_still_checks_in(
    demo: Database, clock: FakeClock
) -> None:
    direct(demo, "DV001", CELL_OFFICE, CONGRESS, clock())
    member = chat(demo, clock, "DV003")
    assert member.send("nghi quyet dai hoi").replies[0].text.startswith("Kết quả cho")
    nothing = member.send("con meo con cho").replies[0].text
    assert nothing.startswith("Không tìm thấy")
    for code in ("4821", "48 21", "4 8 2 1"):
        assert not looks_like_words(code)
        assert not member.send(code).replies[0].text.startswith(("Kết quả", "Không tìm thấy"))
    assert member.send("lich hop").replies[0].text != nothing  # a word command stays one
    assert member.send("xin chao").replies[0].text == texts.UNKNOWN_INPUT  # two words


def test_bad_input_in_the_chat_is_answered_in_words(demo: Database, clock: FakeClock) -> None:
    member = chat(demo, clock, "DV003")
    for text, expected in (
        ("/timkiem a", search_texts.SEARCH_TOO_SHORT),
        ("/timkiem 😀🎉", search_texts.SEARCH_NO_WORDS),
        ('/timkiem "*:()', search_texts.SEARCH_NO_WORDS),
    ):
        assert member.send(text).replies[0].text == expected
    long = member.send("/timkiem " + "nghị quyết đại hội " * 300).replies[0].text
    assert search_texts.SEARCH_CUT.format(limit=200) in long
    assert member.send('/timkiem NEAR(dai hoi) OR "x" *').replies[0].text != texts.INTERNAL_ERROR


def test_meeting_agendas_and_tasks_are_found_by_their_cell_only(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        assign_task(
            session,
            actor(session, "DV001"),
            meeting.id,
            owner_member_id=member_id(session, "DV003"),
            title="Tổng vệ sinh trụ sở trước Tết",
            due_on=date(2026, 12, 30),
            now=clock(),
        )
    assert find(demo, clock, "DV004", "tong ve sinh") == ["Tổng vệ sinh trụ sở trước Tết"]
    assert find(demo, clock, "DV010", "tong ve sinh") == []
    agenda = find(demo, clock, "DV004", "hoi truong")
    assert agenda and agenda[0].startswith("Thường kỳ (14:00 19/12/2026)")
    assert find(demo, clock, "DV010", "hoi truong") == []


def test_a_searchable_offered_only_through_the_wiring_list_is_searched(
    demo: Database, clock: FakeClock
) -> None:
    """The search imports no feature: items offered at SEARCHABLE by a feature that is only in
    the list are indexed and found, under that feature's label, for those it lets read them."""
    asked: list[datetime | None] = []
    with demo.session() as session:
        cell = office(session)

    def notes(_session: object, since: datetime | None) -> list[SearchItem]:
        asked.append(since)
        item = SearchItem("wiring_note", 7, "Sổ tay điện tử", "Hướng dẫn cài đặt", clock(), (cell,))
        return [item]

    note = Searchable("wiring_note", "Ghi chú", notes)
    extra = Feature("wiring_search", offers=lambda: [Offer(SEARCHABLE, note)])
    plain = chat(demo, clock, "DV003").send("/timkiem so tay dien tu").replies[0].text
    assert plain.startswith("Không tìm thấy") and not asked
    reply = chat(demo, clock, "DV003", extra).send("/timkiem so tay dien tu").replies[0]
    assert "1. [Ghi chú]" in reply.text and asked == [None]
    other = chat(demo, clock, "DV010", extra).send("/timkiem so tay dien tu").replies[0].text
    assert other.startswith("Không tìm thấy")
    clock.advance(minutes=1)
    chat(demo, clock, "DV003", extra).send("/timkiem so tay")
    assert asked[-1] is not None and asked[-1] < clock()  # asked for what changed since
