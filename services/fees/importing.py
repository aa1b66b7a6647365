"""The fees' columns in `sotay import`: each member's fee basis, the income it is computed from,
and the birth date, read from the province's membership list.

Offered at `services.offers.IMPORT_COLUMNS` (the importer imports no feature): the importer
recognises the headers ("Diện đảng phí", "Thu nhập đảng phí", "Ngày sinh" fold to the column
names), calls `check` on every row with the other columns (any problem and nothing is written),
then `apply` after the members are written, in the same transaction.

A re-import is how a province updates incomes once a year, so it behaves like the collector's
own change (`services.fees.setup`): the basis changes from the current month on, earlier months
keep theirs, and a row equal to what is in force changes nothing (and is not counted). The
import has no region or exemption column, so what the collector set there is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlmodel import Session

from services import audit
from services.fees import texts as fee_texts
from services.fees.dues import Basis, format_vnd
from services.fees.ledger import current_month
from services.fees.setup import (
    EARLIEST_BIRTH,
    IMPORT_SOURCE,
    MAX_INCOME,
    ProfileValues,
    profiles_in_force,
    write_profile,
)
from services.offers import ImportColumns, SheetValue
from services.textnorm import fold
from services.vndate import format_vn_date

BASIS_COLUMN: Final = "dien_dang_phi"
INCOME_COLUMN: Final = "thu_nhap_dang_phi"
BIRTH_COLUMN: Final = "ngay_sinh"

# Other headers seen on membership lists, to the column names (folded as the importer folds).
ALIASES: Final = (
    ("dien_dong_dang_phi", BASIS_COLUMN),
    ("doi_tuong_dong_dang_phi", BASIS_COLUMN),
    ("thu_nhap_tinh_dang_phi", INCOME_COLUMN),
    ("ngay_thang_nam_sinh", BIRTH_COLUMN),
)

_CURRENCY = re.compile(r"\s*(?:dong|vnd|d)$")
_GROUPED = re.compile(r"\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*")
_PLAIN = re.compile(r"\d+")
_ZERO_CENTS = re.compile(r"(.+)([.,])0{1,2}")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?: 00:00:00)?")


@dataclass(frozen=True)
class FeeRow:
    """One row's fee columns, checked: `basis` None when the row gives none (then only the
    birth date, if any, is written)."""

    basis: Basis | None
    income: int | None
    birth_date: date | None


def parse_amount(text: str) -> int | None:
    """A whole amount of đồng as lists write it: "8.000.000", "8,000,000", "8 000 000",
    "8000000", with or without "đ"/"đồng"/"VND", and a number cell ("8000000", or Excel's
    "8000000.00"); None for anything else (negative, decimals, words). Grouped digits are
    thousands: "8.000" is 8,000 đ, never 8."""
    folded = _CURRENCY.sub("", fold(text))
    for candidate, separator in _amount_forms(folded):
        grouped = _GROUPED.fullmatch(candidate)
        if grouped is not None and grouped.group(1) != separator:
            return int(re.sub(r"\D", "", candidate))
        if _PLAIN.fullmatch(candidate):
            return int(candidate)
    return None


def _amount_forms(text: str) -> list[tuple[str, str | None]]:
    """The text itself, then without a trailing ",00"/".0" (with the separator it used, which
    cannot also group the thousands)."""
    forms: list[tuple[str, str | None]] = [(text, None)]
    if (match := _ZERO_CENTS.fullmatch(text)) is not None:
        forms.append((match.group(1), match.group(2)))
    return forms


def parse_birth_date(value: SheetValue) -> date | None:
    """dd/mm/yyyy (also with - or .), ISO yyyy-mm-dd, or an xlsx date cell, as the importer
    reads ngay_vao_dang; None when it is none of these."""
    if isinstance(value, date):
        return value
    if value is None:
        return None
    try:
        if match := _DAY_FIRST.fullmatch(value):
            return date(int(match[4]), int(match[3]), int(match[1]))
        if match := _ISO.fullmatch(value):
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def _parse_basis(value: SheetValue) -> Basis | None:
    """A code or a common label (`Basis.parse`); None for anything else, a date cell included."""
    if not isinstance(value, str):
        return None
    try:
        return Basis.parse(value)
    except ValueError:
        return None


def _text(value: SheetValue) -> str | None:
    if isinstance(value, date):
        return format_vn_date(value)
    return value or None


def check(values: dict[str, SheetValue], today: date) -> tuple[FeeRow | None, list[str]]:
    """One row's fee columns: the parsed row (None when it has none of them) and the problems,
    as Vietnamese sentences (the importer prefixes "Dòng n:")."""
    problems: list[str] = []
    basis_text = _text(values.get(BASIS_COLUMN))
    income_text = _text(values.get(INCOME_COLUMN))
    birth_value = values.get(BIRTH_COLUMN)
    if basis_text is None and income_text is None and birth_value is None:
        return None, []

    basis: Basis | None = None
    if basis_text is not None:
        basis = _parse_basis(values.get(BASIS_COLUMN))
        if basis is None:
            codes = ", ".join(b.value for b in Basis)
            problems.append(fee_texts.IMPORT_BASIS_INVALID.format(value=basis_text, codes=codes))

    income: int | None = None
    if income_text is not None:
        amount = None if isinstance(values.get(INCOME_COLUMN), date) else parse_amount(income_text)
        if amount is None:
            problems.append(fee_texts.IMPORT_INCOME_INVALID.format(value=income_text))
        elif basis is not None and basis.needs_income:
            if 0 < amount <= MAX_INCOME:
                income = amount
            else:
                limit = format_vnd(MAX_INCOME)
                problems.append(
                    fee_texts.IMPORT_INCOME_RANGE.format(value=income_text, limit=limit)
                )
        elif basis_text is None:
            problems.append(fee_texts.IMPORT_INCOME_WITHOUT_BASIS)
        # Other bases are not computed from an income: a figure there is ignored.
    elif basis is not None and basis.needs_income:
        problems.append(fee_texts.IMPORT_BASIS_NEEDS_INCOME.format(basis=basis.value))

    birth_date: date | None = None
    if birth_value is not None:
        birth_date = parse_birth_date(birth_value)
        if birth_date is None:
            problems.append(fee_texts.IMPORT_BIRTH_DATE_INVALID.format(value=birth_value))
        elif not EARLIEST_BIRTH <= birth_date < today:
            shown = format_vn_date(birth_date)
            problems.append(fee_texts.IMPORT_BIRTH_DATE_RANGE.format(value=shown))
            birth_date = None

    if problems:
        return None, problems
    return FeeRow(basis, income, birth_date), []


def apply(
    session: Session, rows: list[tuple[int, Any]], present: frozenset[str], now: datetime
) -> int:
    """Write the checked rows: a row with a basis makes it the member's basis from the current
    month on (a new row, or this month's corrected; earlier months untouched); a row with only
    a birth date (or a file with only `ngay_sinh`) records it on the profile in force, if the
    member has one. Returns how many members changed. The import is an admin's action from
    the command line: audited under the label "import".

    `present` is not needed: a blank fee cell never removes anything (a basis stays until
    another is given, a birth date stays true), so absent and blank columns mean the same."""
    month = current_month(now)
    wanted: list[tuple[int, FeeRow]] = [
        (member_id, row) for member_id, row in rows if isinstance(row, FeeRow)
    ]
    current = profiles_in_force(session, [member_id for member_id, _ in wanted], month)
    changed = 0
    for member_id, row in wanted:
        profile = current.get(member_id)
        if row.basis is None:
            born = row.birth_date
            if profile is None or born is None or born == profile.birth_date:
                continue
            old_birth = profile.birth_date
            profile.birth_date = born
            detail: dict[str, Any] = {
                "profile_id": profile.id,
                "birth_date": {
                    "old": old_birth.isoformat() if old_birth else None,
                    "new": born.isoformat(),
                },
            }
            audit.record(
                session,
                "fees.profile_imported",
                "member",
                member_id,
                actor_label=IMPORT_SOURCE,
                detail=detail,
                at=now,
            )
            changed += 1
            continue
        old = ProfileValues.of(profile) if profile is not None else None
        values = ProfileValues(
            basis=row.basis,
            income=row.income if row.basis.needs_income else None,
            # Not columns of the import: what the collector set is kept.
            region=old.region if old is not None else None,
            exemption=old.exemption if old is not None else None,
            # A birth date stays true: a blank cell is one not filled in, never a removal.
            birth_date=row.birth_date or (old.birth_date if old is not None else None),
        )
        if values == old:
            continue
        written = write_profile(
            session,
            member_id,
            month,
            profile,
            values,
            source=IMPORT_SOURCE,
            by_member_id=None,
            now=now,
        )
        audit.record(
            session,
            "fees.profile_imported",
            "member",
            member_id,
            actor_label=IMPORT_SOURCE,
            detail={
                "profile_id": written.id,
                "month": month.isoformat(),
                "old": old.detail() if old is not None else None,
                "new": values.detail(),
            },
            at=now,
        )
        changed += 1
    session.flush()
    return changed


IMPORT_FEE_COLUMNS: Final = ImportColumns(
    label="Đảng phí",
    columns=(BASIS_COLUMN, INCOME_COLUMN, BIRTH_COLUMN),
    check=check,
    apply=apply,
    aliases=ALIASES,
)
