"""The Telegram adapter's pure parts: rendering, splitting, update translation, retries, menus.

Updates are built by the fake server's own builders (realistic Telegram JSON) and parsed by
python-telegram-bot, so these tests see the same objects the running bot does.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram import Bot, Update
from telegram.error import RetryAfter

from bot.features import registry as build_registry
from bot.retry import RetryPolicy
from bot.telegram.adapter import ChatLocks
from bot.telegram.incoming import BotIdentity, callback_incoming, message_incoming
from bot.telegram.menus import MenuSync, main_menu
from bot.telegram.render import (
    MAX_MESSAGE,
    FilePart,
    TextPart,
    chosen_text,
    escape,
    render_reply,
    split_text,
    utf16_len,
)
from bot.telegram.sender import TelegramSender, retry_after_seconds
from handlers.messages import Option, OutFile, Reply
from models import Database
from services import texts
from tests.fake_telegram import (
    BOT_ID,
    BOT_USERNAME,
    TOKEN,
    ApiError,
    FakeTelegram,
    html_to_plain,
)

# PTB itself warns when it builds a RetryAfter with an int (its timedelta migration); not ours.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

ME = BotIdentity(id=BOT_ID, username=BOT_USERNAME)
BUTTONS = main_menu(build_registry())


# -- splitting and escaping ------------------------------------------------------------------
def test_short_text_is_one_part_and_blank_text_none() -> None:
    assert split_text("Chào đồng chí") == ["Chào đồng chí"]
    assert split_text("  \n ") == []


def test_paragraphs_are_packed_and_never_cut() -> None:
    paragraphs = [f"Đoạn {i}. " + "chữ " * 490 for i in range(3)]  # ~1970 characters each
    parts = split_text("\n\n".join(paragraphs))
    assert parts == ["\n\n".join(paragraphs[:2]), paragraphs[2]]


def test_one_long_paragraph_is_cut_at_lines() -> None:
    lines = [f"{i}. Nguyễn Văn Thành viên số {i} – chính thức" for i in range(300)]
    parts = split_text("\n".join(lines))
    assert len(parts) >= 3
    assert all(utf16_len(p) <= MAX_MESSAGE for p in parts)
    assert "\n".join(parts) == "\n".join(lines)


def test_emoji_count_double_and_are_never_split_in_half() -> None:
    text = "📋" * 3000  # 6000 UTF-16 units, no spaces or newlines to cut at
    parts = split_text(text)
    assert [utf16_len(p) for p in parts] == [4096, 1904]
    assert "".join(parts) == text


def test_escaped_text_reads_back_exactly_through_telegram_html() -> None:
    nasty = 'Lê <b>Văn</b> & "An" <3 &amp; </i> &#x27;'
    assert escape(nasty) == (
        "Lê &lt;b&gt;Văn&lt;/b&gt; &amp; &quot;An&quot; &lt;3 &amp;amp; &lt;/i&gt; &amp;#x27;"
    )
    assert html_to_plain(escape(nasty)) == nasty


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("<b>đậm", "Can't find end tag"),
        ("<b>a</i>", "Unmatched end tag"),
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("1 < 2", "Unsupported start tag"),
        ("a & b", "Can't find end of the entity"),
    ],
)
def test_fake_rejects_html_telegram_cannot_parse(markup: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        html_to_plain(markup)
    assert caught.value.status == 400 and error in caught.value.description


def test_chosen_text_keeps_the_prompt_and_fits() -> None:
    assert chosen_text("Chọn đảng viên:", "Lê Văn Cường") == (
        "Chọn đảng viên:\n\n" + texts.CHOSEN.format(label="Lê Văn Cường")
    )
    long = chosen_text("x" * MAX_MESSAGE, "An")
    assert utf16_len(long) <= MAX_MESSAGE
    assert long.endswith("…\n\n" + texts.CHOSEN.format(label="An"))


# -- rendering replies ----------------------------------------------------------------------------
def test_options_become_one_button_per_row_on_the_last_part() -> None:
    reply = Reply("a" * 5000, (Option("ab12cd:m3", "Lê Văn Cường"), Option("ab12cd:p1", "Thêm")))
    rendered = render_reply(reply)
    assert [type(p) for p in rendered.parts] == [TextPart, TextPart]
    assert rendered.keyboard is not None
    rows = rendered.keyboard.inline_keyboard
    assert [[(b.text, b.callback_data) for b in row] for row in rows] == [
        [("Lê Văn Cường", "ab12cd:m3")],
        [("Thêm", "ab12cd:p1")],
    ]


def test_file_takes_a_short_text_as_escaped_caption() -> None:
    chart = OutFile("c.png", b"png", "photo")
    rendered = render_reply(Reply("Tỷ lệ <90%>", file=chart))
    assert rendered.parts == (FilePart(chart, "Tỷ lệ &lt;90%&gt;"),)


def test_file_after_a_text_too_long_for_a_caption() -> None:
    report = OutFile("r.xlsx", b"PK")
    rendered = render_reply(Reply("x" * 1500, file=report))
    assert rendered.parts == (TextPart("x" * 1500), FilePart(report, None))


def test_buttons_without_text_get_a_prompt() -> None:
    rendered = render_reply(Reply("", (Option("/toi", "Thông tin"),)))
    assert rendered.parts == (TextPart(escape(texts.TG_CHOOSE_BELOW)),)


# -- updates → Incoming -------------------------------------------------------------------------
@pytest.fixture
def world() -> FakeTelegram:
    """The fake's builders, without its server: realistic update JSON."""
    fake = FakeTelegram()
    fake.user(42, "Cường", "Lê")
    fake.group(-100555, "Chi bộ")
    return fake


def _parse(update: dict[str, Any]) -> Update:
    parsed = Update.de_json(update, None)
    assert parsed is not None
    return parsed


def _message(world: FakeTelegram, text: str, **kw: Any) -> Any:
    user = world._users[42]
    message = _parse(world.message_update(user, text, **kw)).message
    assert message is not None
    return message


def test_private_text_and_menu_buttons(world: FakeTelegram) -> None:
    incoming = message_incoming(_message(world, "xin chào"), ME, BUTTONS)
    assert incoming is not None
    assert (incoming.channel, incoming.chat_id, incoming.user_id) == ("telegram", "42", "42")
    assert (incoming.text, incoming.is_group, incoming.display_name) == (
        "xin chào",
        False,
        "Cường Lê",
    )

    button = message_incoming(_message(world, texts.TG_BUTTON_PROFILE), ME, BUTTONS)
    assert button is not None and button.text == "/toi"


@pytest.mark.parametrize(
    ("text", "answered"),
    [
        ("/toi", False),
        ("Chào cả chi bộ", False),
        ("/toi@OtherBot", False),
        (f"/toi@{BOT_USERNAME}", True),
        (f"/toi@{BOT_USERNAME.lower()}", True),
    ],
)
def test_group_takes_only_commands_addressed_to_the_bot(
    world: FakeTelegram, text: str, answered: bool
) -> None:
    group = world._chats[-100555]
    incoming = message_incoming(_message(world, text, chat=group), ME, BUTTONS)
    assert (incoming is not None) is answered
    if incoming is not None:
        assert incoming.is_group and incoming.chat_id == "-100555" and incoming.user_id == "42"


def test_group_command_replying_to_the_bot_is_addressed(world: FakeTelegram) -> None:
    group = world._chats[-100555]
    bots_message = {
        "message_id": 7,
        "from": world.bot_user,
        "chat": group,
        "date": 1,
        "text": texts.PRIVATE_ONLY,
    }
    someone = {"message_id": 8, "from": world._users[42], "chat": group, "date": 1, "text": "?"}
    to_bot = message_incoming(_message(world, "/toi", chat=group, reply_to=bots_message), ME, {})
    to_member = message_incoming(_message(world, "/toi", chat=group, reply_to=someone), ME, {})
    assert to_bot is not None and to_bot.text == "/toi"
    assert to_member is None


def test_a_photo_becomes_an_incoming_file(world: FakeTelegram) -> None:
    update = world.message_update(world._users[42], "")
    del update["message"]["text"]
    update["message"]["photo"] = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "big", "file_unique_id": "b", "width": 800, "height": 800, "file_size": 9},
    ]
    message = _parse(update).message
    assert message is not None
    incoming = message_incoming(message, ME, BUTTONS)
    assert incoming is not None and incoming.text is None
    assert incoming.file is not None and (incoming.file.kind, incoming.file.file_id) == (
        "photo",
        "big",
    )


@pytest.mark.parametrize(
    ("data", "accepted"),
    [("ab12cd:m3", True), ("/toi", True), ("x" * 64, True), ("x" * 65, False), ("a\x00b", False)],
)
def test_callback_data_is_checked_again_on_arrival(
    world: FakeTelegram, data: str, accepted: bool
) -> None:
    shown = {"message_id": 3, "from": world.bot_user, "chat": world._chats[42], "date": 1}
    query = _parse(world.callback_update(world._users[42], shown, data)).callback_query
    assert query is not None
    incoming = callback_incoming(query)
    assert (incoming is not None) is accepted
    if incoming is not None:
        assert (incoming.choice, incoming.message_id, incoming.user_id) == (data, "3", "42")


# -- retries -------------------------------------------------------------------------------------
def test_retry_after_may_be_int_or_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    assert retry_after_seconds(RetryAfter(7)) == 7.0
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    error = RetryAfter(timedelta(seconds=3))
    assert isinstance(error.retry_after, timedelta)
    assert retry_after_seconds(error) == 3.0


async def test_sender_waits_what_telegram_says_and_gives_up_on_long_waits() -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    with FakeTelegram() as fake:
        fake.user(42, "Cường")
        async with Bot(TOKEN, base_url=f"{fake.base_url}/bot") as ptb:
            sender = TelegramSender(ptb, policy=RetryPolicy(base_delay=0.2, sleep=record))
            fake.fail("sendMessage", 429, retry_after=7)
            fake.fail("sendMessage", 500)
            first = await sender.send(42, Reply("một"))
            fake.fail("sendMessage", 429, retry_after=3600)
            second = await sender.send(42, Reply("hai"))
    assert first.ok and fake.texts(42) == ["một"]
    assert waits[0] == 7.0  # exactly retry_after
    assert 0.2 <= waits[1] <= 0.4  # then backoff for the second attempt: 0.2·2¹, jittered
    assert not second.ok and "RetryAfter" in (second.error or "") and len(waits) == 2


async def test_sender_reports_blocked_chats_and_stops() -> None:
    blocked: list[str] = []

    async def on_blocked(chat_id: str) -> None:
        blocked.append(chat_id)

    with FakeTelegram() as fake:
        fake.user(42, "Cường")
        fake.block(42)
        async with Bot(TOKEN, base_url=f"{fake.base_url}/bot") as ptb:
            sender = TelegramSender(ptb, on_blocked=on_blocked)
            result = await sender.send(42, Reply("x" * 5000))
    assert result.blocked and result.message_ids == [] and blocked == ["42"]
    assert len(fake.calls_to("sendMessage", ok=False)) == 1  # a 403 is never retried


# -- per-chat order ------------------------------------------------------------------------------
async def test_chat_locks_serialise_a_chat_but_not_different_chats() -> None:
    locks = ChatLocks()
    events: list[str] = []

    async def work(chat: str, name: str, pause: float) -> None:
        async with locks.hold(chat):
            events.append(f"start {name}")
            await asyncio.sleep(pause)
            events.append(f"end {name}")

    await asyncio.gather(work("1", "a", 0.05), work("1", "b", 0), work("2", "c", 0))
    assert events.index("end a") < events.index("start b")
    assert events.index("start c") < events.index("end a")
    assert len(locks) == 0


# -- menus ---------------------------------------------------------------------------------------
def test_menu_sync_applies_role_lists_once_and_follows_changes() -> None:
    registry = build_registry()
    now = [0.0]
    menus = MenuSync(registry, Database("sqlite://"), ttl=60, clock=lambda: now[0])
    secretary = (*menus.default[:-1], ("moi", texts.CMD_INVITE), menus.default[-1])

    assert menus.due("9") and menus.observe("9", None, want_keyboard=False).keyboard is None
    first = menus.observe("9", secretary, want_keyboard=False)
    assert (first.keyboard, first.commands, first.reset_commands) == ("show", secretary, False)
    menus.keyboard_shown("9")
    assert not menus.due("9")
    assert menus.unchanged("9", want_keyboard=False).keyboard is None
    assert menus.unchanged("9", want_keyboard=True).keyboard == "show"  # /start shows it again

    now[0] = 61
    assert menus.due("9")
    same = menus.observe("9", secretary, want_keyboard=False)
    assert (same.keyboard, same.commands, same.reset_commands) == (None, None, False)
    demoted = menus.observe("9", menus.default, want_keyboard=False)
    assert (demoted.commands, demoted.reset_commands) == (None, True)
    unlinked = menus.observe("9", None, want_keyboard=False)
    assert (unlinked.keyboard, unlinked.reset_commands) == ("remove", True)
