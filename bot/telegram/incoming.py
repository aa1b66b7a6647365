"""Telegram update → `Incoming`, or None when the bot should stay silent.

Groups are where private data leaks, so the bot is conservative there: it only takes a command
addressed to it by name (`/cmd@ThisBot`) or sent as a reply to one of its own messages, and it
never sees a group's ordinary chatter. Private chats get everything, with the reply-keyboard
buttons mapped back to the commands they stand for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from telegram import CallbackQuery, Chat, Message

from handlers.core import parse_command
from handlers.messages import MAX_OPTION_PAYLOAD_BYTES, Incoming, IncomingFile
from models import Channel

CHANNEL = str(Channel.TELEGRAM)


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is, as learnt from getMe at start-up."""

    id: int
    username: str


def message_incoming(
    message: Message, me: BotIdentity, buttons: Mapping[str, str]
) -> Incoming | None:
    """A typed message. `buttons` maps reply-keyboard texts to the commands they send."""
    user = message.from_user
    chat = message.chat
    if user is None or user.is_bot or chat.type == Chat.CHANNEL:
        return None
    is_group = chat.type != Chat.PRIVATE
    text = message.text
    upload: IncomingFile | None = None
    if is_group:
        if text is None or not addressed_to_me(text, message, me):
            return None
    elif text is not None:
        text = buttons.get(text.strip(), text)
    elif message.effective_attachment is not None:
        upload = incoming_file(message)
    else:
        return None  # a service message (pinned, title changed...): nothing to answer
    return Incoming(
        channel=CHANNEL,
        chat_id=str(chat.id),
        user_id=str(user.id),
        text=text,
        message_id=str(message.message_id),
        is_group=is_group,
        display_name=user.full_name,
        file=upload,
    )


def incoming_file(message: Message) -> IncomingFile:
    """What a non-text message carries, by Telegram file_id; nothing is downloaded here."""
    if message.photo:
        largest = message.photo[-1]
        return IncomingFile("photo", largest.file_id, size=largest.file_size)
    if message.document is not None:
        doc = message.document
        return IncomingFile(
            "document", doc.file_id, name=doc.file_name, mime=doc.mime_type, size=doc.file_size
        )
    if message.sticker is not None:
        return IncomingFile("sticker", message.sticker.file_id)
    return IncomingFile("other")


def addressed_to_me(text: str, message: Message, me: BotIdentity) -> bool:
    """A command naming this bot, or a bare command replying to one of this bot's messages."""
    command = parse_command(text)
    if command is None:
        return False
    _name, addressee, _args = command
    if addressee is not None:
        return addressee.lower() == me.username.lower()
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == me.id)


def callback_data_ok(data: object) -> bool:
    """A pressed button is untrusted: it must be text that could have come from our keyboards."""
    return (
        isinstance(data, str)
        and 0 < len(data.encode()) <= MAX_OPTION_PAYLOAD_BYTES
        and data.isprintable()
    )


def callback_incoming(query: CallbackQuery) -> Incoming | None:
    """A pressed inline button; None for data we could never have sent (forged or foreign)."""
    message = query.message
    if message is None or not callback_data_ok(query.data):
        return None
    chat = message.chat
    return Incoming(
        channel=CHANNEL,
        chat_id=str(chat.id),
        user_id=str(query.from_user.id),
        choice=query.data,
        message_id=str(message.message_id),
        is_group=chat.type != Chat.PRIVATE,
        display_name=query.from_user.full_name,
    )
