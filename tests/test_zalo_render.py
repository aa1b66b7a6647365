"""Zalo without the network: the 2,000-character splitter, rendering, parsing updates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.zalo.incoming import incoming_from_update
from bot.zalo.render import PhotoMessage, TextMessage, options_block, render_reply
from bot.zalo.split import MAX_MESSAGE, split_text, utf16_len
from bot.zalo.updates import ZaloUpdate, parse_update, updates_from_body
from handlers.messages import IncomingFile, Option, OutFile, Reply
from services import texts


def _paragraphs(count: int, width: int) -> str:
    return "\n\n".join(f"Đoạn {i}: " + "chữ " * (width // 4) for i in range(count))


# -- splitting -----------------------------------------------------------------------------------
def test_short_text_is_one_piece_and_blank_is_none() -> None:
    assert split_text("Xin chào") == ["Xin chào"]
    assert split_text("   \n ") == []


def test_long_text_is_cut_at_paragraphs_losslessly() -> None:
    text = _paragraphs(12, 400)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert "".join(pieces) == text
    assert all(utf16_len(p) <= MAX_MESSAGE for p in pieces)
    # Every cut falls on a paragraph break: each piece but the last ends with one.
    assert all(p.endswith("\n\n") for p in pieces[:-1])
    assert all(p.lstrip().startswith("Đoạn") for p in pieces)


def test_a_paragraph_longer_than_the_limit_is_cut_at_lines_then_spaces() -> None:
    lines = "\n".join(f"Dòng {i}: " + "x" * 80 for i in range(60))  # one paragraph, ~5,500
    pieces = split_text(lines)
    assert "".join(pieces) == lines
    assert all(p.endswith("\n") for p in pieces[:-1])
    words = " ".join(["Đảng"] * 1500)  # one line
    pieces = split_text(words)
    assert "".join(pieces) == words
    assert all(p.endswith(" ") for p in pieces[:-1])


def test_one_endless_word_is_hard_cut_without_splitting_an_emoji() -> None:
    text = "🇻🇳" * 1500 + "a" * 2500
    pieces = split_text(text, 2000)
    assert "".join(pieces) == text
    assert all(utf16_len(p) <= 2000 for p in pieces)
    for piece in pieces:
        piece.encode("utf-8")  # a lone surrogate would raise here


@pytest.mark.parametrize("limit", [2, 7, 50, 2000])
def test_split_keeps_every_character_for_any_limit(limit: int) -> None:
    text = "Chi bộ\n\nhọp  ngày 5\nhằng tháng. 🎉 " * 40
    pieces = split_text(text, limit)
    assert all(utf16_len(p) <= limit and p.strip() for p in pieces)
    if limit >= 50:
        assert "".join(pieces) == text
    else:  # a piece of nothing but blanks cannot be sent, so it is dropped
        assert "".join("".join(pieces).split()) == "".join(text.split())


# -- rendering -----------------------------------------------------------------------------------
MENU = (Option("/toi", "Thông tin của tôi"), Option("/chibo", "Danh sách chi bộ"))


def test_options_become_a_numbered_list_with_the_hint_under_the_text() -> None:
    out = render_reply(Reply("Chọn việc:", MENU))
    assert out == [
        TextMessage(f"Chọn việc:\n\n1. Thông tin của tôi\n2. Danh sách chi bộ\n{texts.OPTION_HINT}")
    ]
    assert options_block(()) == ""


def test_long_text_with_options_keeps_the_list_in_the_last_message() -> None:
    out = render_reply(Reply(_paragraphs(10, 500), MENU))
    assert len(out) > 1 and all(isinstance(m, TextMessage) for m in out)
    assert all(utf16_len(m.text) <= MAX_MESSAGE for m in out if isinstance(m, TextMessage))
    last = out[-1]
    assert isinstance(last, TextMessage) and last.text.endswith(texts.OPTION_HINT)
    assert "1. Thông tin của tôi" in last.text


def test_photo_goes_by_url_when_one_exists_and_the_menu_stays_last() -> None:
    chart = OutFile("tham_du.png", b"\x89PNG", kind="photo")
    out = render_reply(Reply("Biểu đồ tham dự", MENU, chart), "https://files.example/tham_du.png")
    assert out[0] == TextMessage("Biểu đồ tham dự")
    assert out[1] == PhotoMessage("https://files.example/tham_du.png")
    assert isinstance(out[2], TextMessage) and out[2].text.startswith("1. Thông tin")


def test_files_without_a_public_url_become_a_note_and_documents_a_link() -> None:
    report = OutFile("bao_cao.xlsx", b"PK", kind="document")
    (only,) = render_reply(Reply("Báo cáo tháng 11", (), report))
    assert isinstance(only, TextMessage)
    assert only.text.startswith("Báo cáo tháng 11\n\n")
    assert texts.ZALO_FILE_UNAVAILABLE.format(name="bao_cao.xlsx") in only.text
    (linked,) = render_reply(Reply("Báo cáo", (), report), "https://f.example/r.xlsx")
    assert isinstance(linked, TextMessage) and "https://f.example/r.xlsx" in linked.text


# -- parsing updates -----------------------------------------------------------------------------
FLAT = {
    "event_name": "message.text.received",
    "message": {
        "message_id": "2d758cb5e222177a4e35",
        "text": "/toi",
        "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"},
        "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Nguyen Van A", "is_bot": False},
        "date": 1750316131602,
    },
}


def test_flat_wrapped_and_listed_bodies_give_the_same_update() -> None:
    (flat,) = updates_from_body(FLAT)
    assert updates_from_body({"ok": True, "result": FLAT}) == [flat]
    assert updates_from_body({"ok": True, "result": [FLAT, FLAT]}) == [flat, flat]
    assert flat.event_name == "message.text.received"
    message = flat.message
    assert message is not None
    assert (message.chat_id, message.user_id) == ("6ede9afa66b88fe6d6a9",) * 2
    assert message.message_id == "2d758cb5e222177a4e35"
    assert message.display_name == "Nguyen Van A"
    assert message.date == datetime(2025, 6, 19, 6, 55, 31, 602000, tzinfo=UTC)


def test_parsing_is_tolerant() -> None:
    documented = {  # the getUpdates sample of the docs: no event_name, first_name, ms date
        "message": {
            "chat": {"id": "e4ea2cd5189df1c3a88c", "chat_type": "PRIVATE"},
            "text": "Xin chào",
            "message_id": "16f6366b3f02645a3d15",
            "date": 1766619597466,
            "from": {"id": "e4ea2cd5189df1c3a88c", "first_name": "Nguyen Van A"},
        }
    }
    update = parse_update(documented)
    assert update is not None and update.event_name == "message.text.received"
    assert update.message is not None and update.message.display_name == "Nguyen Van A"
    numeric = parse_update({"message": {"chat": {"id": 42}, "from": {"id": 7}, "text": "hi"}})
    assert numeric is not None and numeric.message is not None
    assert (numeric.message.chat_id, numeric.message.user_id) == ("42", "7")
    assert updates_from_body("nonsense") == []
    assert updates_from_body({"ok": False, "error_code": 408}) == []
    bare = parse_update({"event_name": "message.unsupported.received"})
    assert bare == ZaloUpdate("message.unsupported.received", None)


def test_text_becomes_incoming_with_ids_and_name() -> None:
    incoming = incoming_from_update(updates_from_body(FLAT)[0])
    assert incoming is not None
    assert incoming.channel == "zalo" and incoming.text == "/toi"
    assert incoming.chat_id == incoming.user_id == "6ede9afa66b88fe6d6a9"
    assert incoming.message_id == "2d758cb5e222177a4e35"
    assert incoming.display_name == "Nguyen Van A"
    assert incoming.file is None and not incoming.is_group


@pytest.mark.parametrize(
    ("event", "extra", "expected"),
    [
        (
            "message.image.received",
            {"photo_url": "https://p/x.jpg"},
            IncomingFile("photo", "https://p/x.jpg"),
        ),
        ("message.sticker.received", {"sticker": "0e07"}, IncomingFile("sticker", "0e07")),
        ("message.unsupported.received", {}, IncomingFile("other")),
    ],
)
def test_non_text_becomes_a_file_without_text(event: str, extra: dict, expected) -> None:
    message = {"message_id": "m1", "chat": {"id": "c1"}, "from": {"id": "u1"}, **extra}
    incoming = incoming_from_update(updates_from_body({"event_name": event, "message": message})[0])
    assert incoming is not None
    assert incoming.text is None and incoming.file == expected


def test_bots_and_empty_events_are_not_answered_and_groups_are_marked() -> None:
    from_bot = {**FLAT, "message": {**FLAT["message"], "from": {"id": "b", "is_bot": True}}}
    assert incoming_from_update(updates_from_body(from_bot)[0]) is None
    assert incoming_from_update(ZaloUpdate("message.unsupported.received")) is None
    group = {**FLAT, "message": {**FLAT["message"], "chat": {"id": "g1", "chat_type": "GROUP"}}}
    incoming = incoming_from_update(updates_from_body(group)[0])
    assert incoming is not None and incoming.is_group and incoming.chat_id == "g1"
