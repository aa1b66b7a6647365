"""Buttons that outlive a conversation: declared once, by the feature whose rules they serve.

A directive's "Đã nhận", an invitation's "Sẽ dự" or a task's "Hoàn thành" travel on messages
sent days earlier, as `prefix:arg:arg` (Telegram callback data, or a typed number on Zalo). The
service that creates the button, the scheduler that sends it and the handler that answers it
must agree on the prefix, or buttons already in members' chats stop working. So each prefix is
a `ButtonId` declared once in the feature's service module, and everyone uses that object:
`ACK(directive.id)` makes the payload, `Action(ACK, run)` answers it. The outbox accepts only
payloads made this way (`ButtonPayload`), and a test checks that every declared id has a
handler and every handler a declared id.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PAYLOAD_BYTES = 64  # Telegram's limit for callback data


class ButtonPayload(str):
    """A payload made by a declared `ButtonId` (a plain string would be unchecked)."""

    __slots__ = ()


@dataclass(frozen=True)
class ButtonId:
    """One kind of button: its prefix, an identifier that never looks like a flow's nonce."""

    prefix: str

    def __post_init__(self) -> None:
        nonce_like = len(self.prefix) == 6 and all(c in "0123456789abcdef" for c in self.prefix)
        if not self.prefix.isidentifier() or nonce_like:
            raise ValueError(f"button prefix {self.prefix!r} is not a plain identifier")

    def __call__(self, *args: int | str) -> ButtonPayload:
        """The payload for one record: `ACK(12)` → "dir_ack:12"."""
        parts = [self.prefix, *(str(a) for a in args)]
        if any(":" in part for part in parts[1:]):
            raise ValueError("a button argument may not contain ':'")
        payload = ":".join(parts)
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload over {MAX_PAYLOAD_BYTES} bytes: {payload!r}")
        return ButtonPayload(payload)
