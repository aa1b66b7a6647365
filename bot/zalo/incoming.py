"""A Zalo update → `Incoming`, or None when the bot should not answer it.

Text becomes text. An image, a sticker or anything Zalo cannot describe becomes an `Incoming`
with a file and no text, so the core answers with its polite "text only" hint (or hands the
file to a flow that accepts one). Messages from bots are ignored: two bots answering each other
would never stop.
"""

from __future__ import annotations

from bot.zalo.updates import (
    EVENT_IMAGE,
    EVENT_STICKER,
    EVENT_TEXT,
    ZaloMessage,
    ZaloUpdate,
)
from handlers.messages import Incoming, IncomingFile
from models import Channel

CHANNEL = str(Channel.ZALO)


def incoming_from_update(update: ZaloUpdate) -> Incoming | None:
    message = update.message
    if message is None or message.is_bot:
        return None
    if message.text and update.event_name not in (EVENT_IMAGE, EVENT_STICKER):
        # Text events, and text in events we do not know yet (a shared link, say).
        return _incoming(message, text=message.text)
    if update.event_name == EVENT_TEXT:
        return None  # a text event without text: nothing to answer
    return _incoming(message, file=_file(update.event_name, message))


def _file(event_name: str, message: ZaloMessage) -> IncomingFile:
    if event_name == EVENT_IMAGE:
        return IncomingFile(kind="photo", file_id=message.photo_url or "")
    if event_name == EVENT_STICKER:
        return IncomingFile(kind="sticker", file_id=message.sticker or "")
    return IncomingFile(kind="other")


def _incoming(
    message: ZaloMessage, *, text: str | None = None, file: IncomingFile | None = None
) -> Incoming:
    return Incoming(
        channel=CHANNEL,
        chat_id=message.chat_id,
        user_id=message.user_id,
        text=text,
        message_id=message.message_id,
        is_group=message.is_group,
        display_name=message.display_name,
        file=file,
        numbered=True,
    )
