"""The banks a cell's fee account can be at: NAPAS members with their 6-digit BIN.

A VietQR code names the bank by its BIN (`services.fees.vietqr`), but a treasurer knows the bank
as "Vietinbank" or "Ngân hàng Công thương"; this module turns one into the other. The list is
data shipped with the package (``data/napas_banks.json``, copied from the public VietQR bank
list, its address in the file's "source"), so the bot never calls a web API for it. When NAPAS
admits a bank, add a line there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from services.textnorm import fold_words, nfc


@dataclass(frozen=True)
class Bank:
    """A bank as the chat shows it: `short_name` in buttons, `name` to confirm the choice."""

    bin: str
    short_name: str
    name: str


@cache
def all_banks() -> tuple[Bank, ...]:
    """Every bank in the shipped list, sorted by short name as a picker lists them. Read once
    from the package data; a malformed file fails here, loudly, not in a member's chat."""
    data = resources.files("services.fees").joinpath("data").joinpath("napas_banks.json")
    raw = data.read_text(encoding="utf-8")
    banks = tuple(
        Bank(bin=row["bin"], short_name=nfc(row["short_name"]), name=nfc(row["name"]))
        for row in json.loads(raw)["banks"]
    )
    for bank in banks:
        if len(bank.bin) != 6 or not (bank.bin.isascii() and bank.bin.isdigit()):
            raise ValueError(f"napas_banks.json: BIN must be 6 digits: {bank!r}")
    if len({b.bin for b in banks}) != len(banks):
        raise ValueError("napas_banks.json: a BIN appears twice")
    return tuple(sorted(banks, key=lambda b: (fold_words(b.short_name), b.bin)))


@cache
def _by_bin() -> dict[str, Bank]:
    return {bank.bin: bank for bank in all_banks()}


def by_bin(bin: str) -> Bank | None:
    """The bank with this BIN, or None: names the bank of a stored account or a read QR code."""
    return _by_bin().get(bin.strip())


def _compact(text: str) -> str:
    return fold_words(text).replace(" ", "")


def find(text: str) -> list[Bank]:
    """The banks a treasurer may mean by `text`, best first; case and diacritics do not matter.

    A bank matches when `text` is its BIN or the start of it ("970436"), when `text` without
    spaces occurs in its short name ("vietin", "MB Bank" for "MBBank"), or when every word of
    `text` begins a word of its short or full name ("ngan hang cong thuong", where the full name
    has "TMCP" in between). Ranked: exact BIN or short name, then short-name hits, then name
    hits whose words lie closest together (for "ngan hang cong thuong", VietinBank's "Ngân hàng
    TMCP Công thương" before SaigonBank's "Ngân hàng TMCP Sài Gòn Công Thương")."""
    words = fold_words(text).split()
    if not words:
        return []
    compact = "".join(words)
    ranked: list[tuple[int, int, Bank]] = []
    for order, bank in enumerate(all_banks()):
        short = _compact(bank.short_name)
        if compact in (bank.bin, short):
            ranked.append((0, order, bank))
        elif bank.bin.startswith(compact) or compact in short:
            ranked.append((1, order, bank))
        else:
            span = _span(words, fold_words(f"{bank.short_name} {bank.name}").split())
            if span is not None:
                ranked.append((2 + span, order, bank))
    return [bank for *_, bank in sorted(ranked, key=lambda r: (r[0], r[1]))]


def _span(query: list[str], haystack: list[str]) -> int | None:
    """How many words of `haystack` the query's words stretch over (each query word matching
    the first haystack word it begins), or None if one of them begins no word at all."""
    positions: list[int] = []
    for word in query:
        hits = [i for i, candidate in enumerate(haystack) if candidate.startswith(word)]
        if not hits:
            return None
        positions.append(hits[0])
    return max(positions) - min(positions) + 1
