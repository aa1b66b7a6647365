"""The shared splitter (`bot.split`) at its edges, for both channels' settings.

Zalo keeps the separator at a cut (pieces join back to the text), Telegram drops it; both
measure UTF-16 code units. The channel wrappers' own behaviour is checked in
tests/test_zalo_render.py and tests/test_telegram_units.py.
"""

from __future__ import annotations

import random
import unicodedata

import pytest

from bot import split
from bot.split import hard_cut, split_text, utf16_len
from bot.telegram import render
from bot.zalo import split as zalo_split

BOTH = [pytest.param(True, id="zalo"), pytest.param(False, id="telegram")]

NGUYEN = unicodedata.normalize("NFD", "Nguyễn")  # "ễ" = "e" + U+0302 + U+0303


def starts_with_a_mark(piece: str) -> bool:
    return unicodedata.category(piece[0]) in {"Mn", "Mc", "Me"} or piece[0] == "\u200d"


@pytest.mark.parametrize("keep", BOTH)
def test_empty_and_blank_text_give_no_piece(keep: bool) -> None:
    assert split_text("", 10, keep_separator=keep) == []
    assert split_text(" \n\n \n", 10, keep_separator=keep) == []
    assert split_text(" " * 50, 10, keep_separator=keep) == []


@pytest.mark.parametrize("keep", BOTH)
def test_text_of_exactly_the_limit_is_one_piece(keep: bool) -> None:
    assert split_text("a" * 10, 10, keep_separator=keep) == ["a" * 10]
    assert split_text("a" * 8 + "📋", 10, keep_separator=keep) == ["a" * 8 + "📋"]
    assert split_text("a" * 11, 10, keep_separator=keep) == ["a" * 10, "a"]


@pytest.mark.parametrize("keep", BOTH)
def test_an_emoji_at_the_cut_moves_whole_to_the_next_piece(keep: bool) -> None:
    """One unit short for a surrogate pair: the emoji is not cut in half, it goes on."""
    pieces = split_text("a" * 9 + "📋" + "b", 10, keep_separator=keep)
    assert pieces == ["a" * 9, "📋b"]
    for piece in pieces:
        piece.encode("utf-8")  # a lone surrogate would raise here


@pytest.mark.parametrize("keep", BOTH)
def test_a_word_longer_than_the_limit_is_cut_and_only_that_word(keep: bool) -> None:
    text = "ab " + "x" * 25 + " cd"
    pieces = split_text(text, 10, keep_separator=keep)
    assert all(utf16_len(p) <= 10 for p in pieces)
    if keep:
        assert pieces == ["ab ", "x" * 10, "x" * 10, "x" * 5 + " cd"]
        assert "".join(pieces) == text
    else:
        assert pieces == ["ab", "x" * 10, "x" * 10, "x" * 5 + " cd"]


def test_the_separator_at_a_cut_is_the_one_difference_between_the_channels() -> None:
    text = "aaaa\n\nbbbb"
    assert split_text(text, 6, keep_separator=True) == ["aaaa\n\n", "bbbb"]
    assert split_text(text, 6, keep_separator=False) == ["aaaa", "bbbb"]
    assert split_text("aaa bbbb", 4, keep_separator=True) == ["aaa ", "bbbb"]
    assert split_text("aaa bbbb", 4, keep_separator=False) == ["aaa", "bbbb"]
    # Dropped, the separator at a cut does not count against the limit.
    assert split_text("aaaa bbbb", 4, keep_separator=False) == ["aaaa", "bbbb"]


def test_paragraphs_are_preferred_to_lines_and_lines_to_spaces() -> None:
    text = "one two\nthree\n\nfour five"
    drop = {"keep_separator": False}
    assert split_text(text, 15, **drop) == ["one two\nthree", "four five"]
    assert split_text(text, 10, **drop) == ["one two", "three", "four five"]
    assert split_text(text, 5, **drop) == ["one", "two", "three", "four", "five"]


@pytest.mark.parametrize("keep", BOTH)
def test_vietnamese_combining_marks_stay_with_their_letter(keep: bool) -> None:
    text = NGUYEN * 5  # no space: the hard cut decides
    for limit in range(3, 12):
        pieces = split_text(text, limit, keep_separator=keep)
        assert "".join(pieces) == text
        assert all(utf16_len(p) <= limit for p in pieces)
        assert not any(starts_with_a_mark(p) for p in pieces), (limit, pieces)
        # A cut before a letter's marks would make it a different letter; none does.
        assert all(unicodedata.normalize("NFC", p) in "Nguyễn" * 5 for p in pieces)


def test_a_letter_with_more_marks_than_the_limit_is_cut_by_code_points() -> None:
    """Only a cluster wider than a piece is cut inside, and then still by whole code points."""
    text = "e" + "\u0301" * 6 + "🎉"
    pieces = hard_cut(text, 3)
    assert "".join(pieces) == text
    assert all(utf16_len(p) <= 3 for p in pieces)
    assert pieces[-1].endswith("🎉")


@pytest.mark.parametrize(
    ("sequence", "width"),
    [
        ("🇻🇳", 4),  # a flag: two regional indicators
        ("👍🏽", 4),  # a skin tone
        ("👨\u200d👩\u200d👧", 8),  # a family, joined by ZWJ
        ("❤\ufe0f", 2),  # a variation selector
    ],
)
def test_emoji_sequences_are_not_cut_apart(sequence: str, width: int) -> None:
    assert utf16_len(sequence) == width
    text = sequence * 7
    for limit in range(width, width * 3 + 1):
        pieces = split_text(text, limit)
        assert "".join(pieces) == text
        assert all(p == sequence * (len(p) // len(sequence)) for p in pieces), (limit, pieces)


def test_flags_pair_from_the_start_of_a_run() -> None:
    assert hard_cut("🇻🇳🇺🇸", 6) == ["🇻🇳", "🇺🇸"]


def test_the_length_function_is_a_parameter() -> None:
    text = "📋" * 5
    assert split_text(text, 5, measure=len) == [text]
    assert split_text(text, 5) == ["📋📋", "📋📋", "📋"]


def test_a_limit_that_cannot_hold_an_emoji_is_refused() -> None:
    with pytest.raises(ValueError):
        split_text("abc", 1)


def test_the_channels_use_the_shared_splitter_with_their_own_limits() -> None:
    text = ("Đoạn văn. " * 300 + "\n\n") * 3
    assert zalo_split.split_text(text) == split_text(text, 2000, keep_separator=True)
    assert render.split_text(text) == split_text(text, 4096, keep_separator=False)
    assert zalo_split.utf16_len is split.utf16_len


def test_telegram_truncate_keeps_a_letter_with_its_marks() -> None:
    out = render.truncate(NGUYEN * 3, 6)  # room for 5 units before the ellipsis
    assert out == "Nguy…"  # "Nguy" + "e" would fit, but not "e" without its two marks
    assert utf16_len(out) <= 6


@pytest.mark.parametrize("keep", BOTH)
def test_random_texts_keep_every_promise(keep: bool) -> None:
    rng = random.Random(20250301)
    alphabet = ["a", "ư", "đ", " ", "  ", "\n", "\n\n", "📋", "🇻🇳", "👍🏽", NGUYEN, "xyzw", "."]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        limit = rng.randint(4, 30)
        pieces = split_text(text, limit, keep_separator=keep)
        assert all(utf16_len(p) <= limit and p.strip() for p in pieces)
        assert not any(starts_with_a_mark(p) for p in pieces)
        assert "".join("".join(pieces).split()) == "".join(text.split())
        if keep:  # consecutive exact slices of the text; only blank stretches left out
            position = 0
            for piece in pieces:
                found = text.index(piece, position)
                assert not text[position:found].strip()
                position = found + len(piece)
            assert not text[position:].strip()
