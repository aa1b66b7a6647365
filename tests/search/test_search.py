"""Search: folded queries, ranking, who may read what, bad input, refresh, on both databases.

Why: a member should find "the directive about the congress" without typing diacritics, and
never see what another cell was told (issue 15)."""

from __future__ import annotations

import pytest

from models import Database
from services.demo import CELL_OFFICE, CELL_SCHOOLS
from services.errors import UserError
from services.search import texts as search_texts
from services.search.index import rebuild, refreshed
from services.search.query import MAX_CHARS, parse_query, search, snippet
from tests.search.support import actor, direct, move, sources
from tests.support import FakeClock

CONGRESS = "Triển khai Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XV đến từng đảng viên."


def find(db: Database, clock: FakeClock, code: str, text: str) -> list[str]:
    with db.session() as session:
        results = search(session, actor(session, code), text, sources=sources(), now=clock())
    return [hit.title for hit in results.hits]


def test_a_query_without_diacritics_finds_the_accented_directive(
    demo: Database, clock: FakeClock
) -> None:
    direct(demo, "DV001", CELL_OFFICE, CONGRESS, clock())
    direct(demo, "DV001", CELL_OFFICE, "Nộp bản kiểm điểm cuối năm trước ngày 15/12.", clock())
    for query in ("nghi quyet dai hoi", "NGHỊ QUYẾT đại hội", "Dai Hoi", "đảng bộ tỉnh"):
        assert find(demo, clock, "DV003", query) == [CONGRESS], query
    with demo.session() as session:
        hits = search(
            session, actor(session, "DV003"), "dai hoi", sources=sources(), now=clock()
        ).hits
    assert hits[0].label == "Chỉ đạo" and hits[0].opens == "/thongbao"
    assert hits[0].at == clock()


def test_title_words_rank_first_then_the_newest(demo: Database, clock: FakeClock) -> None:
    body = "Về công tác tháng 12.\n" + "Các đồng chí lưu ý. " * 20 + "Học tập nghị quyết."
    direct(demo, "DV001", CELL_OFFICE, body, clock())
    clock.advance(days=1)
    older = "Học tập nghị quyết Trung ương 10, đợt một."
    direct(demo, "DV001", CELL_OFFICE, older, clock())
    clock.advance(days=1)
    newer = "Học tập nghị quyết Trung ương 10, đợt hai."
    direct(demo, "DV001", CELL_OFFICE, newer, clock())
    found = find(demo, clock, "DV003", "hoc tap nghi quyet")
    assert found[:2] == [newer, older]
    assert found[2].startswith("Về công tác tháng 12")


def test_members_read_their_cell_committees_their_subtree(demo: Database, clock: FakeClock) -> None:
    text = "Kế hoạch kiểm tra đảng viên chấp hành Điều lệ quý IV."
    direct(demo, "DV009", CELL_SCHOOLS, text, clock())
    assert find(demo, clock, "DV003", "kiem tra dang vien") == []  # another cell
    assert find(demo, clock, "DV001", "kiem tra dang vien") == []  # its secretary too
    assert find(demo, clock, "DV010", "kiem tra dang vien") == [text]
    assert find(demo, clock, "DV016", "kiem tra dang vien") == [text]  # the committee


def test_a_member_who_moved_cell_still_finds_what_they_received(
    demo: Database, clock: FakeClock
) -> None:
    text = "Chuẩn bị hồ sơ chuyển sinh hoạt đảng cho đồng chí mới."
    direct(demo, "DV009", CELL_SCHOOLS, text, clock())
    move(demo, "DV010", CELL_OFFICE)
    clock.advance(minutes=1)
    assert find(demo, clock, "DV010", "chuyen sinh hoat") == [text]
    assert find(demo, clock, "DV004", "chuyen sinh hoat") == []  # the new cell did not get it
    assert find(demo, clock, "DV011", "chuyen sinh hoat") == [text]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"nghi quyet',
        "*",
        "nghi*",
        "NEAR(nghi quyet)",
        "title:nghi",
        "'; DROP TABLE search_items; --",
        "(dai OR hoi) AND NOT quyet",
        "nghi & quyet | !dai",
        "dai hoi 😀🎉",
        "đ" * 5000,
        "nghị quyết " * 600,
    ],
)
def test_engine_syntax_and_long_queries_are_only_words(
    demo: Database, clock: FakeClock, query: str
) -> None:
    direct(demo, "DV001", CELL_OFFICE, CONGRESS, clock())
    try:
        found = find(demo, clock, "DV003", query)
    except UserError as refused:  # said in words, never another exception
        assert refused.message == search_texts.SEARCH_NO_WORDS
        return
    assert found in ([], [CONGRESS])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", search_texts.SEARCH_ASK),
        ("   ", search_texts.SEARCH_ASK),
        ("a", search_texts.SEARCH_TOO_SHORT),
        ("😀🎉", search_texts.SEARCH_NO_WORDS),
        ('"*:()', search_texts.SEARCH_NO_WORDS),
    ],
)
def test_empty_and_one_letter_queries_are_refused_in_words(query: str, message: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_query(query)
    assert refused.value.message == message


def test_a_long_query_is_cut_not_refused() -> None:
    parsed = parse_query("nghị quyết " * 600)
    assert parsed.cut and len(parsed.text) <= MAX_CHARS and parsed.words == ("nghi", "quyet")


def test_refresh_picks_up_a_new_directive_and_rebuild_starts_again(
    demo: Database, clock: FakeClock
) -> None:
    assert find(demo, clock, "DV003", "dai hoi") == []
    direct(demo, "DV001", CELL_OFFICE, CONGRESS, clock.advance(minutes=1))
    assert find(demo, clock, "DV003", "dai hoi") == [CONGRESS]
    with demo.session() as session:
        assert refreshed(session)["directive"] == clock()
        assert rebuild(session, sources(), clock()) >= 1
    assert find(demo, clock, "DV003", "dai hoi") == [CONGRESS]


def test_a_sentence_with_no_item_matching_every_word_finds_the_closest(
    demo: Database, clock: FakeClock
) -> None:
    direct(demo, "DV001", CELL_OFFICE, CONGRESS, clock())
    with demo.session() as session:
        results = search(
            session,
            actor(session, "DV003"),
            "lam the nao hoc nghi quyet dai hoi",
            sources=sources(),
            now=clock(),
        )
    assert results.partial and [h.title for h in results.hits] == [CONGRESS]


def test_the_snippet_is_the_original_text_around_the_first_match() -> None:
    middle = "Đồng chí Bí thư chủ trì Đại hội chi bộ nhiệm kỳ 2025–2030. "
    text = "Mở đầu. " * 30 + middle + "Hết. " * 30
    cut = snippet(text, ["dai", "hoi"])
    assert "Đại hội chi bộ" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut) <= 125
    assert snippet("Ngắn gọn.", ["khac"]) == "Ngắn gọn."
