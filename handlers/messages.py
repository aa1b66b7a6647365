"""What travels between a channel adapter and the core. No channel library is imported here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

MAX_OPTION_PAYLOAD_BYTES = 64  # Telegram's callback_data limit, the tightest of our channels


@dataclass(frozen=True)
class IncomingFile:
    """Something other than text the user sent: a photo, a document, a sticker.

    `file_id` is the channel's own handle (a Telegram file_id, a Zalo URL); nothing is downloaded
    until a flow asks for it.
    """

    kind: Literal["photo", "document", "sticker", "other"]
    file_id: str = ""
    name: str | None = None
    mime: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Incoming:
    """One thing a user did: typed text or pressed an option. Every field is untrusted."""

    channel: str
    chat_id: str
    user_id: str
    text: str | None = None
    choice: str | None = None
    message_id: str | None = None
    is_group: bool = False
    display_name: str | None = None
    file: IncomingFile | None = None
    # Options reach this user as a numbered list answered by typing (set by the adapter).
    numbered: bool = False


@dataclass(frozen=True)
class Option:
    """A choice offered to the user. `payload` comes back verbatim when it is chosen."""

    payload: str
    label: str

    def __post_init__(self) -> None:
        if len(self.payload.encode()) > MAX_OPTION_PAYLOAD_BYTES:
            raise ValueError(f"option payload longer than {MAX_OPTION_PAYLOAD_BYTES} bytes")


@dataclass(frozen=True)
class OutFile:
    """A generated file (chart, spreadsheet) sent along with a reply."""

    name: str
    data: bytes
    kind: Literal["photo", "document"] = "document"
    # The text says everything the file does (a payment QR code beside the account details):
    # where the channel cannot show it, it is left out without a note.
    optional: bool = False
    # At most this long behind a public link (a channel without uploads, Zalo, sends a link):
    # a private file such as a cell's fee book expires within a day. None: the channel's own.
    link_ttl: timedelta | None = None


@dataclass(frozen=True)
class Reply:
    """Plain text (adapters escape it), optional options, optional file."""

    text: str
    options: tuple[Option, ...] = ()
    file: OutFile | None = None


@dataclass
class Response:
    """Everything the core has to say about one `Incoming`.

    `notice` is a short line for the pressed button itself (a Telegram callback answer);
    `chosen` is the label of the accepted option, so a channel with editable messages can show
    the choice in place of the keyboard.
    """

    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None
    chosen: str | None = None
