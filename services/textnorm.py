"""Folding Vietnamese text for matching: "Mã đảng viên" and "ma_dang_vien" compare equal."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s_]+")


def strip_diacritics(text: str) -> str:
    """Remove tone and vowel marks; đ/Đ has no decomposition, so it is mapped by hand."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case, without diacritics, runs of spaces or underscores as one space, trimmed."""
    return _SPACES.sub(" ", strip_diacritics(text).casefold()).strip()


_NOT_WORDS = re.compile(r"[^\w]+|_")


def fold_words(text: str) -> str:
    """Like `fold`, with punctuation and symbols as spaces: what a person types for a label
    such as "📊 Xem tình hình" or "Lý do khác…" is its words, "xem tinh hinh", "ly do khac"."""
    return " ".join(_NOT_WORDS.sub(" ", fold(text)).split())


def fold_key(text: str) -> str:
    """Like `fold`, with underscores for spaces: the form of a column name."""
    return fold(text).replace(" ", "_")


def nfc(text: str) -> str:
    """Vietnamese typed on different keyboards arrives composed or decomposed; store it composed."""
    return unicodedata.normalize("NFC", text).strip()


def vi_number(number: int) -> str:
    """12345678 → "12.345.678": Vietnamese groups thousands with dots."""
    return f"{number:,}".replace(",", ".")


def shorten_text(text: str, limit: int = 500) -> str:
    """At most `limit` characters, the cut marked with "…" (previews of long texts)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
