"""One text splitter for every channel: a long reply cut into messages a platform accepts.

Channels differ in two things only, so those are the parameters: the limit (Telegram 4,096,
Zalo 2,000) and how a length is measured (both count UTF-16 code units, where an emoji is
two: Telegram documents it so, and for Zalo it is the stricter of the ways a server may
count, so a piece that passes here passes there). Everything else is shared, so a fix to
where a cut falls reaches every channel at once:

* a cut prefers a paragraph break, then a line break, then a space; only a single run longer
  than the limit (a link, a row of emoji) is cut mid-word;
* a mid-word cut never splits a character: not a surrogate pair (in Python an emoji is one
  code point, but two UTF-16 units), nor a letter from the combining marks that follow it
  (Vietnamese typed in decomposed form, "e" + "̂" + "́"), nor an emoji sequence (a flag's two
  regional indicators, a skin tone, a ZWJ family) unless that sequence alone exceeds the limit;
* a piece that is nothing but blanks is dropped: no platform sends an empty message.

What happens to the separator at a cut is the one behaviour the channels chose differently,
so it is a flag: Zalo keeps it at the end of the piece it closes (`keep_separator=True`, the
pieces joined give back the text exactly), Telegram drops it (`keep_separator=False`, a
message does not end in a blank line, and the separator does not count against the limit).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

Measure = Callable[[str], int]

SEPARATORS = ("\n\n", "\n", " ")
_ZWJ = "\u200d"
_MARKS = frozenset({"Mn", "Mc", "Me"})  # nonspacing, spacing and enclosing combining marks


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts (and the safe count for Zalo)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(
    text: str, limit: int, *, measure: Measure = utf16_len, keep_separator: bool = True
) -> list[str]:
    """Pieces of at most `limit` (by `measure`), cut where a reader expects; blanks dropped.

    `measure` must be additive (the length of a concatenation is the sum of the lengths), as
    counts of code units or code points are. A limit below 2 is refused: a piece must be able
    to hold any single character, and an emoji is two UTF-16 units.
    """
    if limit < 2:
        raise ValueError("limit must leave room for a surrogate pair")
    pieces = _split(text, limit, 0, measure, keep_separator)
    return [piece for piece in pieces if piece.strip()]


def _split(text: str, limit: int, level: int, measure: Measure, keep: bool) -> list[str]:
    """Cut at `SEPARATORS[level]`, packing as many units per piece as fit; a unit too long
    for one piece is cut at the next, finer separator (and at last by characters)."""
    if measure(text) <= limit:
        return [text]
    if level == len(SEPARATORS):
        return hard_cut(text, limit, measure=measure)
    separator = SEPARATORS[level]
    joiner = "" if keep else separator
    chunks: list[str] = []
    current: str | None = None
    for unit in _units(text, separator, keep):
        candidate = unit if current is None else current + joiner + unit
        if measure(candidate) <= limit:
            current = candidate
            continue
        if current is not None:
            chunks.append(current)
        if measure(unit) <= limit:
            current = unit
        else:
            *done, current = _split(unit, limit, level + 1, measure, keep)
            chunks.extend(done)
    if current is not None:
        chunks.append(current)
    return chunks


def _units(text: str, separator: str, keep: bool) -> list[str]:
    """`text` cut at each separator. Kept, it stays on the unit it closes ("a\\n\\nb" →
    ["a\\n\\n", "b"]) and no unit is empty; dropped, the units are `str.split`'s, empty ones
    included, so joining them with the separator gives the text back."""
    parts = text.split(separator)
    if not keep:
        return parts
    units = [part + separator for part in parts[:-1]]
    if parts[-1]:
        units.append(parts[-1])
    return units


def hard_cut(text: str, limit: int, *, measure: Measure = utf16_len) -> list[str]:
    """`text` in pieces of at most `limit`, cut between user-perceived characters.

    A character with its marks stays whole; only a cluster wider than `limit` on its own is
    cut inside, between code points, so even then no surrogate pair is split. A code point
    wider than `limit` (possible only below 2) becomes a piece of its own. No piece is empty.
    """
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for cluster in _clusters(text):
        width = measure(cluster)
        parts = list(cluster) if width > limit else [cluster]
        for part in parts:
            part_width = width if len(parts) == 1 else measure(part)
            if current and size + part_width > limit:
                chunks.append("".join(current))
                current, size = [], 0
            current.append(part)
            size += part_width
    if current:
        chunks.append("".join(current))
    return chunks


def _clusters(text: str) -> list[str]:
    """`text` as the characters a reader sees: each base with what attaches to it.

    An approximation of Unicode's extended grapheme clusters (UAX #29), enough for the cuts
    that matter here without a dependency: combining marks, variation selectors, emoji skin
    tones and tag characters join the character before them, a zero-width joiner joins the
    characters on both sides, and regional indicators pair up into flags.
    """
    clusters: list[str] = []
    for char in text:
        if clusters and _attaches(char, clusters[-1]):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _attaches(char: str, previous: str) -> bool:
    """Does `char` belong to the cluster `previous` rather than start a new one?"""
    if previous.endswith(_ZWJ) or char == _ZWJ:
        return True
    if unicodedata.category(char) in _MARKS:  # also the variation selectors (Mn)
        return True
    if "\U0001f3fb" <= char <= "\U0001f3ff" or "\U000e0020" <= char <= "\U000e007f":
        return True  # an emoji modifier (skin tone), a tag (subdivision flags)
    return _is_regional(char) and len(previous) == 1 and _is_regional(previous)


def _is_regional(char: str) -> bool:
    """A regional indicator: two of them make a flag, "🇻" + "🇳" = "🇻🇳"."""
    return "\U0001f1e6" <= char <= "\U0001f1ff"
