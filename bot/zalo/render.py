"""A channel-neutral `Reply` → the plain-text messages (and photos) Zalo can carry.

Zalo has no buttons, so options become a numbered list with a hint line, and the user answers
with the digit (the core maps it back). The numbered list is always the last thing sent, right
above where the user types. Zalo sends photos only by public URL and has no documents at all
(its Bot API uploads nothing): the sender resolves the file's public URL first (`PhotoUrlFor`,
an async hook for any file, not only photos: publishing a generated file writes to the
database, `bot.zalo.public_urls`), and rendering only takes the result. A photo with a URL goes
by sendPhoto; a document (minutes, a report, a PDF reading, a receipt) becomes a line with its
link under the text, `texts.ZALO_FILE_LINK`. Without a URL (no PUBLIC_BASE_URL, a type that is
not published, a Telegram file id) the file is never dropped silently: the member is told in
one sentence where to get it, `texts.ZALO_FILE_UNAVAILABLE`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.zalo.split import MAX_MESSAGE, split_text
from handlers.messages import Option, OutFile, Reply
from services import texts

# A reply's file → the public URL Zalo or the member can fetch it from, or None.
PhotoUrlFor = Callable[[OutFile], Awaitable[str | None]]


async def no_public_url(_file: OutFile) -> str | None:
    """The hook when nothing serves files publicly (no PUBLIC_BASE_URL): never a URL."""
    return None


@dataclass(frozen=True)
class TextMessage:
    text: str


@dataclass(frozen=True)
class PhotoMessage:
    url: str


ZaloOut = TextMessage | PhotoMessage


def options_block(options: Sequence[Option]) -> str:
    """ "1. label" lines and the hint; empty without options."""
    if not options:
        return ""
    lines = [f"{index}. {option.label}" for index, option in enumerate(options, start=1)]
    lines.append(texts.OPTION_HINT)
    return "\n".join(lines)


def render_reply(reply: Reply, file_url: str | None = None) -> list[ZaloOut]:
    """Messages in sending order, each text at most 2,000 characters.

    `file_url` is the public URL of `reply.file`, already resolved (None: there is none). The
    link or the note joins the text, in the same message when they fit, so a document costs
    no call more than its text; the numbered options stay last.
    """
    menu = options_block(reply.options)
    file = reply.file
    if file is None:
        return _texts(_join(reply.text, menu))
    if file_url and file.kind == "photo":
        return [*_texts(reply.text), PhotoMessage(file_url), *_texts(menu)]
    if file_url:
        note = texts.ZALO_FILE_LINK.format(name=file.name, url=file_url)
    elif file.optional:
        return _texts(_join(reply.text, menu))
    else:
        note = texts.ZALO_FILE_UNAVAILABLE.format(name=file.name)
    return _texts(_join(reply.text, note, menu))


def _join(*blocks: str) -> str:
    return "\n\n".join(block for block in blocks if block.strip())


def _texts(text: str) -> list[ZaloOut]:
    return [TextMessage(piece) for piece in split_text(text, MAX_MESSAGE)]
