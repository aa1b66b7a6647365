"""VietQR: the QR code a member scans with any Vietnamese banking app to pay the party fee.

VietQR is NAPAS's profile of the EMVCo merchant-presented QR code. The code carries only text:
ID-length-value fields, the beneficiary's bank (its 6-digit NAPAS BIN) and account number, the
amount and the transfer's memo, closed by a CRC. The banking app fills its transfer screen from
it, so the member neither types the account number nor mistypes the memo the cell's book is
reconciled by. Nothing here talks to a bank or to VietQR's web API: the payload is built locally
and the image drawn with segno, so the bot works without any third-party account.

Fields written, in the order of NAPAS's examples and of nearly every published generator:

- ``00`` payload format indicator, ``"01"``;
- ``01`` point of initiation: ``"12"`` (dynamic, one payment) when an amount is present, else
  ``"11"`` (static, reusable). Published generators disagree here (some write ``"11"`` with an
  amount, some ``"12"`` without), and NAPAS defines the field by reuse rather than by amount,
  so `payload` takes it as a keyword with that default;
- ``38`` merchant account information: ``00`` the NAPAS GUID ``A000000727``; ``01`` the
  beneficiary (``00`` BIN, ``01`` account number); ``02`` the service, ``QRIBFTTA`` (fast
  inter-bank transfer to an account);
- ``53`` currency ``704`` (đồng); ``54`` the amount in whole đồng when given; ``58`` ``VN``;
- ``62`` additional data, only its ``08`` purpose of transaction: the memo;
- ``63`` CRC-16/CCITT-FALSE over everything before it, the literal ``6304`` included.

Values are kept to printable ASCII: the length prefix counts characters, and banks print the
memo on the statement the treasurer reconciles, where diacritics come out garbled or refused.
"""

from __future__ import annotations

import io
import re
import string
from dataclasses import dataclass
from typing import Final, Literal

import segno

from services.textnorm import strip_diacritics

STATIC: Final = "11"
DYNAMIC: Final = "12"
Initiation = Literal["11", "12"]

NAPAS_GUID: Final = "A000000727"
SERVICE_TO_ACCOUNT: Final = "QRIBFTTA"
CURRENCY_VND: Final = "704"
COUNTRY: Final = "VN"

MEMO_MAX: Final = 25  # EMVCo's limit for 62/08 "purpose of transaction"
AMOUNT_MAX_DIGITS: Final = 13  # EMVCo's limit for 54 "transaction amount"
ACCOUNT_MIN: Final = 6
ACCOUNT_MAX: Final = 19  # NAPAS's limit for the consumer ID (38/01/01)

_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(rf"[0-9]{{{ACCOUNT_MIN},{ACCOUNT_MAX}}}")
_ACCOUNT_SEPARATORS = re.compile(r"[\s.\-]+")
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))
_CRC_FIELD: Final = "6304"


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor): the
    checksum EMVCo prescribes for field 63; banking apps refuse a code whose CRC is wrong."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


@dataclass(frozen=True)
class Transfer:
    """One transfer to encode: to `account` at the bank with NAPAS BIN `bin`, `amount` đồng
    (None lets the member type it), with `memo` as the statement text ("" for none)."""

    bin: str
    account: str
    amount: int | None
    memo: str


def _tlv(tag: str, value: str) -> str:
    if not value or len(value) > 99:
        raise ValueError(f"field {tag}: value length {len(value)} outside 1..99")
    return f"{tag}{len(value):02d}{value}"


def _check(transfer: Transfer) -> None:
    """Refuse what a banking app would refuse, here rather than at the member's phone. The
    chat validates typed input earlier with its own Vietnamese messages; reaching this is a
    programming error, hence plain ValueError."""
    if not _BIN.fullmatch(transfer.bin):
        raise ValueError(f"bank BIN must be exactly 6 ASCII digits: {transfer.bin!r}")
    if not _ACCOUNT.fullmatch(transfer.account):
        raise ValueError(
            f"account number must be {ACCOUNT_MIN}-{ACCOUNT_MAX} ASCII digits: {transfer.account!r}"
        )
    amount = transfer.amount
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError(f"amount must be a positive whole number of đồng: {amount!r}")
        if len(str(amount)) > AMOUNT_MAX_DIGITS:
            raise ValueError(f"amount has more than {AMOUNT_MAX_DIGITS} digits: {amount}")
    if len(transfer.memo) > MEMO_MAX or not set(transfer.memo) <= _PRINTABLE:
        raise ValueError(
            f"memo must be printable ASCII, at most {MEMO_MAX} characters: {transfer.memo!r}"
        )


def payload(transfer: Transfer, *, initiation: Initiation | None = None) -> str:
    """The VietQR text for `transfer`, CRC included, ready for `render_png`.

    `initiation` is field 01; by default ``"12"`` (dynamic) when an amount is set, else ``"11"``
    (static), as NAPAS's own examples and the common generators do. A monthly fee QR names
    the month in its memo, so it is a one-payment (dynamic) code."""
    _check(transfer)
    method = initiation or (DYNAMIC if transfer.amount is not None else STATIC)
    if method not in (STATIC, DYNAMIC):
        raise ValueError(f"point of initiation must be {STATIC!r} or {DYNAMIC!r}: {method!r}")
    beneficiary = _tlv("00", transfer.bin) + _tlv("01", transfer.account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    parts = [_tlv("00", "01"), _tlv("01", method), _tlv("38", merchant), _tlv("53", CURRENCY_VND)]
    if transfer.amount is not None:
        parts.append(_tlv("54", str(transfer.amount)))
    parts.append(_tlv("58", COUNTRY))
    if transfer.memo:
        parts.append(_tlv("62", _tlv("08", transfer.memo)))
    body = "".join(parts) + _CRC_FIELD
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def parse_tlv(data: str) -> dict[str, str]:
    """Split one level of ID-length-value fields ({"00": "01", "38": "0010A0…", …}). Nested
    templates (38, 62) are split by calling this again on their value."""
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        head = data[pos : pos + 4]
        if len(head) < 4 or not head.isascii() or not head.isdigit():
            raise ValueError(f"malformed field header at {pos}: {head!r}")
        tag, length = head[:2], int(head[2:])
        value = data[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise ValueError(f"field {tag} at {pos} runs past the end")
        if tag in out:
            raise ValueError(f"field {tag} appears twice")
        out[tag] = value
        pos += 4 + length
    return out


def fields(payload: str) -> dict[str, str]:
    """The top-level fields of a VietQR `payload`, after checking it ends with a correct CRC:
    lets tests and the fee book read a code back (amount "54", memo via "62")."""
    if len(payload) < 8 or payload[-8:-4] != _CRC_FIELD:
        raise ValueError("payload does not end with the CRC field 63")
    expected = crc16_ccitt_false(payload[:-4].encode("utf-8"))
    given = payload[-4:]
    if not all(c in string.hexdigits for c in given) or int(given, 16) != expected:
        raise ValueError(f"bad CRC {given!r}, expected {expected:04X}")
    parsed = parse_tlv(payload)
    if list(parsed)[-1] != "63":
        raise ValueError("the CRC field 63 must be the last field")
    return parsed


def clean_account_number(text: str) -> str | None:
    """The account number a treasurer typed, as digits: banks print it grouped
    ("0011 0019 32418", "0011.001.932418", "0011-00-19"), so spaces, dots and hyphens go.
    None if anything else remains (letters, another script's digits) or the length is not
    6-19 digits: the chat then asks again in Vietnamese."""
    digits = _ACCOUNT_SEPARATORS.sub("", text)
    return digits if _ACCOUNT.fullmatch(digits) else None


def _ascii_code(text: str) -> str:
    """Upper-case ASCII letters and digits only: "Đv-0003" → "DV0003"."""
    return "".join(c for c in strip_diacritics(text).upper() if c.isascii() and c.isalnum())


def memo(member_code: str, year: int, month: int, *, reference: str | None = None) -> str:
    """The transfer memo for one member's fee for one month, e.g. ``DANG PHI DV0003 T12 2026``.

    The treasurer matches bank statement lines to members by it, so it names the member and the
    month, in upper-case ASCII within the 25 characters VietQR allows. A member code too long
    for that is replaced by `reference` (see `payment_reference`); without one, ValueError."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12: {month}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have four digits: {year}")
    period = f"T{month} {year}"
    for who in (_ascii_code(member_code), _ascii_code(reference or "")):
        text = f"DANG PHI {who} {period}"
        if who and len(text) <= MEMO_MAX:
            return text
    raise ValueError(
        f"memo for member code {member_code!r} exceeds {MEMO_MAX} characters; "
        "pass a short payment reference"
    )


# Crockford's base 32: digits and upper-case letters without I, L, O and U, so a reference read
# off a screen or a statement and typed again cannot be misread (0/O, 1/I/L).
_REFERENCE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REFERENCE_PREFIX: Final = "DP"
_REFERENCE_DIGITS: Final = 4
REFERENCE_MAX_ID: Final = len(_REFERENCE_ALPHABET) ** _REFERENCE_DIGITS - 1
_REFERENCE = re.compile(
    rf"{_REFERENCE_PREFIX}([{_REFERENCE_ALPHABET}]{{{_REFERENCE_DIGITS}}})([{_REFERENCE_ALPHABET}])"
)


def _luhn_check(symbols: str) -> str:
    """The Luhn mod N check character: catches any single mistyped character and most swaps
    of neighbours, so a mistyped reference matches no member rather than the wrong one."""
    n = len(_REFERENCE_ALPHABET)
    total, factor = 0, 2
    for ch in reversed(symbols):
        addend = factor * _REFERENCE_ALPHABET.index(ch)
        total += addend // n + addend % n
        factor = 3 - factor
    return _REFERENCE_ALPHABET[(n - total % n) % n]


def payment_reference(member_id: int) -> str:
    """A short, stable payment reference for a member, e.g. ``DP0033Q`` (id 99): "DP", four base-32
    symbols of the id and a check symbol (7 characters, so that ``DANG PHI DP0033Q T12 2026``
    still fits the memo). Deterministic: the same member always gets the same reference."""
    if isinstance(member_id, bool) or not 0 <= member_id <= REFERENCE_MAX_ID:
        raise ValueError(f"member id must be 0..{REFERENCE_MAX_ID}: {member_id!r}")
    symbols = ""
    for _ in range(_REFERENCE_DIGITS):
        member_id, digit = divmod(member_id, len(_REFERENCE_ALPHABET))
        symbols = _REFERENCE_ALPHABET[digit] + symbols
    return _REFERENCE_PREFIX + symbols + _luhn_check(symbols)


def member_id_from_reference(reference: str) -> int | None:
    """The member id a `payment_reference` encodes, or None if `reference` is not one (wrong
    shape or check symbol): for reading references back from bank statements."""
    match = _REFERENCE.fullmatch(reference.strip().upper())
    if match is None or _luhn_check(match[1]) != match[2]:
        return None
    value = 0
    for ch in match[1]:
        value = value * len(_REFERENCE_ALPHABET) + _REFERENCE_ALPHABET.index(ch)
    return value


def render_png(data: str, *, scale: int = 8) -> bytes:
    """The QR image of `data` as PNG bytes: error correction M (15% of the code may be lost to
    a crease or glare on a printed sheet, without the larger code H would need), a 4-module
    quiet zone as the QR standard asks, `scale` pixels per module (8 gives about 400 px for a
    fee code: sharp in a chat)."""
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a positive integer: {scale!r}")
    code = segno.make(data, error="m", boost_error=False, micro=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
