"""A channel-neutral `Reply` → the plain-text messages (and photos) Zalo can carry.

Zalo has no buttons, so options become a numbered list with a hint line, and the user answers
with the digit (the core maps it back). The numbered list is always the last thing sent, right
above where the user types. Zalo sends photos only by public URL and has no documents at all:
`photo_url_for(file)` is the hook for whatever serves generated files publicly (none yet), and
without a URL the member gets the text and a short note instead of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.zalo.split import MAX_MESSAGE, split_text
from handlers.messages import Option, OutFile, Reply
from services import texts

PhotoUrlFor = Callable[[OutFile], str | None]


def no_public_url(_file: OutFile) -> str | None:
    """The default hook: nothing serves generated files publicly yet."""
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


def render_reply(reply: Reply, photo_url_for: PhotoUrlFor = no_public_url) -> list[ZaloOut]:
    """Messages in sending order, each text at most 2,000 characters."""
    menu = options_block(reply.options)
    file = reply.file
    if file is None:
        return _texts(_join(reply.text, menu))
    url = photo_url_for(file)
    if url and file.kind == "photo":
        return [*_texts(reply.text), PhotoMessage(url), *_texts(menu)]
    if url:
        note = texts.ZALO_FILE_LINK.format(name=file.name, url=url)
    else:
        note = texts.ZALO_FILE_UNAVAILABLE.format(name=file.name)
    return _texts(_join(reply.text, note, menu))


def _join(*blocks: str) -> str:
    return "\n\n".join(block for block in blocks if block.strip())


def _texts(text: str) -> list[ZaloOut]:
    return [TextMessage(piece) for piece in split_text(text, MAX_MESSAGE)]
