"""Zalo updates, parsed tolerantly: the API is young and its shapes have moved.

Known shapes (Zalo Bot Platform docs and real traffic reported by other adapters): getUpdates
answers `{"ok": true, "result": {"event_name": ..., "message": {...}}}`; a webhook body is the
update itself (`{"event_name", "message"}`), sometimes wrapped like getUpdates. A message has
`message_id`, `chat: {id, chat_type: PRIVATE|GROUP}`, `from: {id, display_name | first_name,
is_bot}`, `date` in milliseconds, and `text`, `photo`/`photo_url` + `caption` or `sticker`
depending on `event_name` (`message.text.received`, `message.image.received`,
`message.sticker.received`, `message.unsupported.received`). Ids are strings; numbers are
accepted too. Anything unexpected becomes None rather than an exception.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"

_PHOTO_KEYS = ("photo_url", "photo", "image_url", "image", "url")
_NAME_KEYS = ("display_name", "first_name", "name")

# Bounds on walking a body (`updates_from_body`): how deep wrappers and lists may nest, how
# many values are looked at, how many updates one body may carry.
MAX_NESTING = 8
MAX_VISITS = 1_000
MAX_UPDATES = 100


@dataclass(frozen=True)
class ZaloMessage:
    chat_id: str
    user_id: str
    message_id: str | None = None
    chat_type: str = "PRIVATE"
    display_name: str | None = None
    is_bot: bool = False
    text: str | None = None
    date: datetime | None = None
    photo_url: str | None = None
    caption: str | None = None
    sticker: str | None = None

    @property
    def is_group(self) -> bool:
        return self.chat_type.upper() == "GROUP"


@dataclass(frozen=True)
class ZaloUpdate:
    event_name: str
    message: ZaloMessage | None = None

    @property
    def message_id(self) -> str | None:
        return self.message.message_id if self.message else None


def updates_from_body(body: object) -> list[ZaloUpdate]:
    """Every update in a getUpdates result or a webhook body, flat or wrapped, one or a list.

    The body comes from the network, so the walk is a loop over an explicit stack (a body
    nested thousands deep cannot exhaust Python's recursion), and it is bounded: wrappers and
    lists deeper than `MAX_NESTING` are ignored, and at most `MAX_VISITS` values are looked
    at and `MAX_UPDATES` updates returned. Real bodies hold one update, at most two deep.
    """
    return [update for _raw, update in raw_updates_from_body(body)]


def raw_updates_from_body(body: object) -> list[tuple[Mapping[str, Any], ZaloUpdate]]:
    """`updates_from_body`, each update with the mapping it was read from (what the webhook
    records in its inbox, `stored_json`)."""
    found: list[tuple[Mapping[str, Any], ZaloUpdate]] = []
    pending: list[tuple[object, int]] = [(body, 0)]  # a stack: the last pushed is looked at next
    visits = 0
    while pending and visits < MAX_VISITS and len(found) < MAX_UPDATES:
        value, depth = pending.pop()
        visits += 1
        if isinstance(value, list):
            if depth < MAX_NESTING:
                # Reversed, so the items come off the stack in their order in the body.
                pending.extend((item, depth + 1) for item in reversed(value[:MAX_VISITS]))
        elif isinstance(value, Mapping):
            if "result" in value and "event_name" not in value and "message" not in value:
                if depth < MAX_NESTING:
                    pending.append((value["result"], depth + 1))
                continue
            update = parse_update(value)
            if update is not None:
                found.append((value, update))
    return found


def stored_json(raw: Mapping[str, Any], update: ZaloUpdate, limit: int) -> str:
    """The update as JSON of at most `limit` characters, to be read back by `parse_update`.

    The update's own mapping when it fits (the platform's words, useful when its shapes move);
    otherwise only what the bot reads (`update_json`), with the text and caption cut to fit.
    Real updates are a few hundred characters."""
    try:
        text = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):  # not from json.loads: cannot happen for a webhook body
        text = ""
    if text and len(text) <= limit:
        return text
    return update_json(update, limit)


def update_json(update: ZaloUpdate, limit: int) -> str:
    """The fields the bot reads, as a body `parse_update` understands, at most `limit`
    characters (the text and the caption are shortened if they must be)."""
    message = update.message
    data: dict[str, Any] = {"event_name": update.event_name[:100]}
    if message is not None:
        sender: dict[str, Any] = {"id": message.user_id, "is_bot": message.is_bot}
        if message.display_name:
            sender["display_name"] = message.display_name[:200]
        fields: dict[str, Any] = {
            "chat": {"id": message.chat_id, "chat_type": message.chat_type[:20]},
            "from": sender,
            "message_id": message.message_id,
            "date": int(message.date.timestamp() * 1000) if message.date else None,
            "photo_url": message.photo_url[:2000] if message.photo_url else None,
            "sticker": message.sticker[:500] if message.sticker else None,
            "caption": message.caption,
            "text": message.text,
        }
        data["message"] = {k: v for k, v in fields.items() if v is not None}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    while len(text) > limit and "message" in data:
        inner = data["message"]
        longest = max(("text", "caption"), key=lambda k: len(inner.get(k) or ""))
        value = inner.get(longest) or ""
        if not value:
            raise ValueError("an update too large to store without its text")
        inner[longest] = value[: max(0, len(value) - (len(text) - limit) - 1)]
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text


def parse_update(data: Mapping[str, Any]) -> ZaloUpdate | None:
    raw_message = data.get("message")
    message = parse_message(raw_message) if isinstance(raw_message, Mapping) else None
    event = data.get("event_name")
    event_name = event.strip() if isinstance(event, str) else ""
    if not event_name:
        if message is None:
            return None
        event_name = EVENT_TEXT if message.text is not None else EVENT_UNSUPPORTED
    return ZaloUpdate(event_name=event_name, message=message)


def parse_message(data: Mapping[str, Any]) -> ZaloMessage | None:
    """None when the message says neither where it came from nor who sent it."""
    chat = _mapping(data.get("chat"))
    sender = _mapping(data.get("from")) or _mapping(data.get("sender"))
    user_id = _id(sender.get("id"))
    chat_id = _id(chat.get("id")) or user_id
    if chat_id is None:
        return None
    chat_type = chat.get("chat_type")
    return ZaloMessage(
        chat_id=chat_id,
        user_id=user_id or chat_id,
        message_id=_id(data.get("message_id")) or _id(data.get("msg_id")),
        chat_type=chat_type if isinstance(chat_type, str) and chat_type else "PRIVATE",
        display_name=_first_text(sender, _NAME_KEYS),
        is_bot=sender.get("is_bot") is True,
        text=data["text"] if isinstance(data.get("text"), str) else None,
        date=_date(data.get("date")),
        photo_url=_photo(data),
        caption=_first_text(data, ("caption",)),
        sticker=_sticker(data.get("sticker")),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _id(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _first_text(data: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _date(value: object) -> datetime | None:
    """Milliseconds since the epoch; a value that can only be seconds is read as seconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int | float) or value <= 0:
        return None
    seconds = value / 1000 if value > 100_000_000_000 else float(value)
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _photo(data: Mapping[str, Any]) -> str | None:
    for key in _PHOTO_KEYS:
        value = data.get(key)
        if isinstance(value, list) and value:
            value = value[-1]  # several sizes: the last is the largest
        if isinstance(value, Mapping):
            value = value.get("url")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _sticker(value: object) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id") or value.get("url")
    return value.strip() if isinstance(value, str) and value.strip() else None
