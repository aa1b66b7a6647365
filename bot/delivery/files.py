"""A delivery's file reference → something a channel can send.

An outbox payload names its file by reference only (`{"ref", "kind"}`), so rows stay small and
a file is read when it is sent:

* a path inside the exports folder (charts, reports, minutes, receipts the bot made): read
  (checked first, so a file name that looks like an id is still found) and handed over as
  bytes: Telegram uploads them; Zalo, which uploads nothing, publishes an image or a document
  of an allowed type (PNG, JPEG, PDF, DOCX, XLSX by its bytes) under PUBLIC_BASE_URL and sends
  it as a photo or a link (`bot.zalo.public_urls`, `services.public_files`);
* an http(s) URL: passed on; Telegram fetches it, Zalo sends a photo by it or puts it as a
  link under the text;
* anything else is a platform file id, as Telegram hands out for an uploaded document. It only
  means something to the platform (and bot) that issued it, so other channels get the text and
  a sentence saying where to get the file instead.

Whatever cannot travel, the text still goes: a file is never a reason to hold a message back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from handlers.messages import Option, OutFile, Reply
from services import texts
from services.outbox import Notice

_URL = re.compile(r"^https?://", re.IGNORECASE)
_FILE_ID = re.compile(r"^[A-Za-z0-9_-]{10,}$")


@dataclass(frozen=True)
class RemoteFile(OutFile):
    """A file the platform fetches itself: `ref` is a file id or a URL, `data` stays empty."""

    ref: str = ""

    @property
    def is_url(self) -> bool:
        return bool(_URL.match(self.ref))


@dataclass(frozen=True)
class PreparedReply:
    """The reply to send, and a note for the row when the file could not be attached."""

    reply: Reply
    note: str | None = None


def prepare_reply(payload: dict[str, Any], exports_dir: Path) -> PreparedReply:
    """The channel-neutral `Reply` for an outbox payload (`services.outbox.message`).

    Option ids become payloads as they are (they were checked to fit Telegram's 64 bytes when
    enqueued, and are checked again when pressed). A missing local file never holds the text
    back: the member gets the text with a short note, and the row keeps the reason.
    Reads the file from disk: call it off the event loop.
    """
    notice = Notice.from_json(payload)
    text = notice.text
    options = tuple(
        Option(payload=oid, label=label) for oid, label in notice.options if oid and label
    )
    if notice.file is None:
        return PreparedReply(Reply(text=text, options=options))
    ref, kind_name = notice.file
    kind: Literal["photo", "document"] = "photo" if kind_name == "photo" else "document"
    name = _name_of(ref)
    local = _inside(exports_dir, ref)
    if local is not None and local.is_file():
        shown = local.name
        data = local.read_bytes()
        return PreparedReply(Reply(text, options, OutFile(name=shown, data=data, kind=kind)))
    if _URL.match(ref) or _FILE_ID.match(ref):
        remote = RemoteFile(name=name, data=b"", kind=kind, ref=ref)
        return PreparedReply(Reply(text, options, remote))
    note = texts.DELIVERY_FILE_MISSING.format(name=name)
    joined = f"{text}\n\n{note}" if text.strip() else note
    return PreparedReply(Reply(joined, options), note=f"file not found: {ref}"[:200])


def _inside(folder: Path, ref: str) -> Path | None:
    """`ref` as a path inside `folder`, or None when it would leave it (`..`, absolute paths)."""
    root = folder.resolve()
    candidate = (root / ref).resolve()
    return candidate if candidate.is_relative_to(root) else None


def _name_of(ref: str) -> str:
    """A file name to show: the last path segment, or the generic name for a file id."""
    if _FILE_ID.match(ref):
        return texts.DELIVERY_FILE_DEFAULT_NAME
    tail = ref.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    return tail or texts.DELIVERY_FILE_DEFAULT_NAME
