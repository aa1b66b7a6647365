"""What each channel can show, decided here in the adapter layer: on Zalo and in the terminal
options are a numbered list answered by typing the number (no buttons), on Telegram they are
buttons carrying their own payloads. The core and the outbox are told (`Incoming.numbered`,
`numbered=`), never work it out from the channel's name."""

from __future__ import annotations

from models import Channel

NUMBERED_OPTIONS = frozenset({Channel.ZALO.value, Channel.TERMINAL.value})


def numbered(channel: str) -> bool:
    """True where options are answered by typing their number."""
    return channel in NUMBERED_OPTIONS
