"""Zalo's text limit: a message carries 1 to 2,000 characters.

The cutting itself is the shared splitter's (`bot.split`); what is Zalo's is the limit and
that pieces are exact slices of the text, so nothing is lost or added: joined back together
they give the original (a piece of nothing but blanks, possible only with a blank run as long
as a message, is dropped: Zalo refuses it). So the separator at a cut stays at the end of the
piece it closes. Length is measured in UTF-16 code units, the stricter of the ways a server
may count (an emoji is two), so a piece that passes here passes there.
"""

from __future__ import annotations

from bot import split
from bot.split import utf16_len

MAX_MESSAGE = 2000

__all__ = ["MAX_MESSAGE", "split_text", "utf16_len"]


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of at most `limit` units whose concatenation is `text`; blank pieces dropped."""
    return split.split_text(text, limit, measure=utf16_len, keep_separator=True)
