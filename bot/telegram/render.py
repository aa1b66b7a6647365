"""Turning a channel-neutral `Reply` into what Telegram accepts.

The core writes plain text, so every character is escaped before it travels with HTML parse
mode: a member's name such as "Lê <Văn> & Co" must never become markup. Telegram counts the
4096-character limit after entity parsing and in UTF-16 code units (an emoji counts twice), so
splitting measures the plain text that way before escaping.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot import split
from handlers.messages import MAX_OPTION_PAYLOAD_BYTES, Option, OutFile, Reply
from services import texts

MAX_MESSAGE = 4096
MAX_CAPTION = 1024
ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Plain text → HTML-safe text (Telegram understands &lt; &gt; &amp; &quot; and &#...;)."""
    return html.escape(text, quote=True)


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of at most `limit` UTF-16 units, cut at paragraphs, then lines, then spaces.

    The shared splitter (`bot.split`) does the cutting; Telegram's choice is to drop the
    separator at a cut, so no message starts or ends with the blank line it was cut at. Only a
    single word longer than the limit is cut mid-word. Blank pieces are dropped.
    """
    return split.split_text(text, limit, measure=utf16_len, keep_separator=False)


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut by whole characters so a surrogate pair (emoji) or a letter's marks are never split."""
    return split.hard_cut(text, limit, measure=utf16_len)


def truncate(text: str, limit: int) -> str:
    """`text` shortened to `limit` UTF-16 units, with an ellipsis when something was cut."""
    if utf16_len(text) <= limit:
        return text
    return _hard_cut(text, limit - utf16_len(ELLIPSIS))[0].rstrip() + ELLIPSIS


def inline_keyboard(options: Sequence[Option]) -> InlineKeyboardMarkup | None:
    """One button per row: labels are names and sentences, read by elderly members on phones."""
    if not options:
        return None
    rows = []
    for option in options:
        if len(option.payload.encode()) > MAX_OPTION_PAYLOAD_BYTES:
            raise ValueError("option payload does not fit Telegram's callback_data")
        rows.append([InlineKeyboardButton(option.label, callback_data=option.payload)])
    return InlineKeyboardMarkup(rows)


def link_keyboard(label: str, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])


def reply_keyboard(buttons: Sequence[str]) -> ReplyKeyboardMarkup:
    """The persistent main menu under the input field, two buttons a row."""
    rows = [
        [KeyboardButton(text) for text in buttons[i : i + 2]] for i in range(0, len(buttons), 2)
    ]
    return ReplyKeyboardMarkup(
        rows,
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=texts.TG_MENU_PLACEHOLDER,
    )


def chosen_text(original: str, label: str) -> str:
    """The prompt as it was, followed by the choice, within the message limit."""
    line = texts.CHOSEN.format(label=label)
    room = MAX_MESSAGE - utf16_len(line) - 2
    return f"{truncate(original, room)}\n\n{line}" if original.strip() else line


@dataclass(frozen=True)
class TextPart:
    html: str


@dataclass(frozen=True)
class FilePart:
    file: OutFile
    caption_html: str | None


Part = TextPart | FilePart


@dataclass(frozen=True)
class Rendered:
    """The messages one reply becomes; the keyboard belongs on the last of them."""

    parts: tuple[Part, ...]
    keyboard: InlineKeyboardMarkup | None


def render_reply(reply: Reply) -> Rendered:
    """Text split at 4096, a file with the text as caption when it fits 1024, options as buttons.

    A file whose text is too long for a caption goes after the text, so the keyboard (on the last
    message) stays next to the file it is about.
    """
    keyboard = inline_keyboard(reply.options)
    text = reply.text
    if not text.strip() and keyboard is not None and reply.file is None:
        text = texts.TG_CHOOSE_BELOW
    if reply.file is not None:
        if utf16_len(text) <= MAX_CAPTION:
            caption = escape(text) if text.strip() else None
            return Rendered((FilePart(reply.file, caption),), keyboard)
        parts: list[Part] = [TextPart(escape(p)) for p in split_text(text)]
        parts.append(FilePart(reply.file, None))
        return Rendered(tuple(parts), keyboard)
    return Rendered(tuple(TextPart(escape(p)) for p in split_text(text)), keyboard)
