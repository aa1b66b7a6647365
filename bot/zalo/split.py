"""Zalo's text limit: a message carries 1 to 2,000 characters.

Pieces are exact slices of the text, so nothing is lost or added: joined back together they
give the original (a piece of nothing but blanks, possible only with a blank run as long as a
message, is dropped: Zalo refuses it). A cut prefers a paragraph break, then a line break,
then a space, and only a single run longer than the limit is cut mid-word. The separator
stays at the end of the piece it closes. Length is measured in UTF-16 code units, the
stricter of the ways a server may count (an emoji is two), so a piece that passes here
passes there.
"""

from __future__ import annotations

MAX_MESSAGE = 2000
_SEPARATORS = ("\n\n", "\n", " ")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of at most `limit` units whose concatenation is `text`; blank pieces dropped."""
    if limit < 2:
        raise ValueError("limit must leave room for a surrogate pair")
    pieces = _split(text, limit, 0)
    return [piece for piece in pieces if piece.strip()]


def _split(text: str, limit: int, level: int) -> list[str]:
    if utf16_len(text) <= limit:
        return [text]
    if level == len(_SEPARATORS):
        return _hard_cut(text, limit)
    chunks: list[str] = []
    current = ""
    for unit in _units(text, _SEPARATORS[level]):
        if utf16_len(current + unit) <= limit:
            current += unit
            continue
        if current:
            chunks.append(current)
        if utf16_len(unit) <= limit:
            current = unit
        else:
            *done, current = _split(unit, limit, level + 1)
            chunks.extend(done)
    if current:
        chunks.append(current)
    return chunks


def _units(text: str, separator: str) -> list[str]:
    """`text` cut after each separator, keeping it: "a\\n\\nb" → ["a\\n\\n", "b"]."""
    parts = text.split(separator)
    units = [part + separator for part in parts[:-1]]
    if parts[-1]:
        units.append(parts[-1])
    return units


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut by code points so a surrogate pair (an emoji) is never split in two."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = utf16_len(char)
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        chunks.append("".join(current))
    return chunks
